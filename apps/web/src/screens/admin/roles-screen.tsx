/** Roles (read-only): every role × every permission, from `GET /api/v1/permissions`. */
import { $api } from '../../api/query.ts';
import type { Role } from '../../api/session.tsx';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { roleLabel, roleSummaries } from './roles.ts';

export function RolesScreen() {
  const permissions = $api.useQuery('get', '/api/v1/permissions');
  return (
    <>
      <PageHeader
        title="Roles"
        description="Roles are fixed sets of permissions; a user has one or more roles. API tokens narrow them further with scopes."
      />
      <QueryState
        query={permissions}
        isEmpty={(data) => data.rolePermissions === undefined}
        empty={<EmptyState title="Only users with users:manage see every role's permissions." />}
      >
        {(data) => {
          const matrix: Partial<Record<Role, readonly string[]>> = data.rolePermissions ?? {};
          const roles = Object.keys(matrix) as Role[];
          const all = [...new Set(roles.flatMap((role) => matrix[role] ?? []))];
          return (
            <>
              <Section title="What each role is for">
                <dl className="facts">
                  {roles.map((role) => (
                    <div key={role} className="fact">
                      <dt>{roleLabel(role)}</dt>
                      <dd>{roleSummaries[role]}</dd>
                    </div>
                  ))}
                </dl>
              </Section>
              <Section title="Permissions by role">
                <div
                  className="matrix-scroll"
                  tabIndex={0}
                  role="region"
                  aria-label="Permissions by role (scrollable)"
                >
                  <table className="simple-table matrix">
                    <caption className="visually-hidden">
                      Roles (columns) and the permissions they grant (rows)
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Permission</th>
                        {roles.map((role) => (
                          <th key={role} scope="col">
                            {roleLabel(role)}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {all.map((permission) => (
                        <tr key={permission}>
                          <th scope="row" className="mono">
                            {permission}
                          </th>
                          {roles.map((role) => {
                            const granted = matrix[role]?.includes(permission) === true;
                            return (
                              <td key={role} className={granted ? 'granted' : 'not-granted'}>
                                {granted ? (
                                  <>
                                    <span aria-hidden="true">✓</span>
                                    <span className="visually-hidden">granted</span>
                                  </>
                                ) : (
                                  <span className="visually-hidden">not granted</span>
                                )}
                              </td>
                            );
                          })}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </Section>
            </>
          );
        }}
      </QueryState>
    </>
  );
}
