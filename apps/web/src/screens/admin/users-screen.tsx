/**
 * Users (users:manage): the list, creating a user with roles (each described, with its
 * permissions from `GET /api/v1/permissions`), editing the display name, roles and disabled
 * flag, and resetting a password (which ends the user's sessions and API tokens).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { $api, invalidatePaths } from '../../api/query.ts';
import type { Role } from '../../api/session.tsx';
import { useUser } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { Field, Form, FormDialog, MutationError } from '../../ui/forms.tsx';
import { CheckboxGroup } from './common.tsx';
import { roleLabel, roleSummaries } from './roles.ts';
import type { User } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';

const allRoles = Object.keys(roleSummaries) as Role[];

function useRoleDescriber() {
  const permissions = $api.useQuery('get', '/api/v1/permissions');
  return (role: Role) => {
    const granted = permissions.data?.rolePermissions?.[role];
    return (
      <>
        {roleSummaries[role]}
        {granted !== undefined && (
          <>
            {' '}
            ({granted.length} permissions: {granted.join(', ')})
          </>
        )}
      </>
    );
  };
}

export function UsersScreen() {
  const users = $api.useQuery('get', '/api/v1/users', {
    params: { query: { limit: 500, sort: 'username', order: 'asc' } },
  });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | undefined>();
  const [resetting, setResetting] = useState<User | undefined>();
  const columns = useMemo<ColumnDef<User, unknown>[]>(
    () => [
      {
        id: 'username',
        header: 'Username',
        accessorKey: 'username',
        cell: ({ row }) => <span className="mono">{row.original.username}</span>,
      },
      { id: 'displayName', header: 'Name', accessorKey: 'displayName' },
      {
        id: 'roles',
        header: 'Roles',
        accessorFn: (user) => user.roles.join(', '),
        cell: ({ row }) => (
          <span className="row-tight">
            {row.original.roles.map((role) => (
              <Badge key={role} tone="info">
                {roleLabel(role)}
              </Badge>
            ))}
          </span>
        ),
      },
      {
        id: 'status',
        header: 'Status',
        accessorFn: (user) => (user.disabled ? 'disabled' : 'active'),
        cell: ({ row }) =>
          row.original.disabled ? (
            <Badge tone="critical">disabled</Badge>
          ) : (
            <Badge tone="ok">active</Badge>
          ),
      },
      {
        id: 'lastLoginAt',
        header: 'Last login',
        accessorFn: (user) => user.lastLoginAt ?? '',
        cell: ({ row }) => formatDateTime(row.original.lastLoginAt),
      },
      {
        id: 'actions',
        header: 'Actions',
        enableSorting: false,
        cell: ({ row }) => (
          <span className="row-tight">
            <RowButton
              name={`Edit ${row.original.username}`}
              onClick={() => setEditing(row.original)}
            >
              Edit
            </RowButton>
            <RowButton
              name={`Reset password of ${row.original.username}`}
              onClick={() => setResetting(row.original)}
            >
              Reset password
            </RowButton>
            <Link
              className="button button-small"
              to={`/admin/tokens?userId=${row.original.id}`}
              aria-label={`Tokens of ${row.original.username}`}
            >
              Tokens
            </Link>
          </span>
        ),
      },
    ],
    [],
  );
  return (
    <>
      <PageHeader
        title="Users"
        description="Local accounts and their roles. Disabling a user ends their sessions and API tokens."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New user
          </button>
        }
      />
      <QueryState
        query={users}
        isEmpty={(data) => data.users.length === 0}
        empty={<EmptyState title="No users yet." />}
      >
        {(data) => (
          <DataTable
            label="Users"
            rows={data.users}
            columns={columns}
            rowId={(user) => user.id}
            height="60vh"
            footer={<span>{data.total} users</span>}
          />
        )}
      </QueryState>
      {creating && <CreateUserDialog onClose={() => setCreating(false)} />}
      {editing !== undefined && (
        <EditUserDialog key={editing.id} user={editing} onClose={() => setEditing(undefined)} />
      )}
      {resetting !== undefined && (
        <ResetPasswordDialog
          key={resetting.id}
          user={resetting}
          onClose={() => setResetting(undefined)}
        />
      )}
    </>
  );
}

const passwordHint = 'At least 12 characters, not a common or repetitive password.';

function CreateUserDialog({ onClose }: { readonly onClose: () => void }) {
  const queryClient = useQueryClient();
  const describe = useRoleDescriber();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(['viewer']);
  const create = $api.useMutation('post', '/api/v1/users', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/users']);
      onClose();
    },
  });
  const submit = () => {
    create.mutate({ body: { username, displayName, password, roles } });
  };
  return (
    <FormDialog
      title="New user"
      onClose={onClose}
      wide
      onSubmit={submit}
      error={create.error}
      submitLabel="Create user"
      busyLabel="Creating…"
      busy={create.isPending}
      disabled={roles.length === 0}
    >
      <div className="form-columns">
        <Field id="user-username" label="Username">
          {(control) => (
            <input
              {...control}
              required
              autoComplete="off"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          )}
        </Field>
        <Field id="user-display-name" label="Display name">
          {(control) => (
            <input
              {...control}
              required
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field id="user-password" label="Initial password" hint={passwordHint}>
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        )}
      </Field>
      <CheckboxGroup
        legend="Roles"
        options={allRoles}
        value={roles}
        onChange={setRoles}
        describe={describe}
      />
    </FormDialog>
  );
}

function EditUserDialog({ user, onClose }: { readonly user: User; readonly onClose: () => void }) {
  const me = useUser();
  const queryClient = useQueryClient();
  const describe = useRoleDescriber();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [roles, setRoles] = useState<Role[]>([...user.roles]);
  const [disabled, setDisabled] = useState(user.disabled);
  const [confirming, setConfirming] = useState(false);
  const update = $api.useMutation('patch', '/api/v1/users/{id}', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/users']);
      onClose();
    },
  });
  const save = () =>
    update.mutate({
      params: { path: { id: user.id } },
      body: { displayName, roles, disabled },
    });
  const submit = () => {
    // Disabling ends sessions and tokens: ask first.
    if (disabled && !user.disabled) setConfirming(true);
    else save();
  };
  return (
    <>
      <FormDialog
        open={!confirming}
        title={`Edit ${user.username}`}
        onClose={onClose}
        wide
        onSubmit={submit}
        error={update.error}
        submitLabel="Save"
        busyLabel="Saving…"
        busy={update.isPending}
        disabled={roles.length === 0}
      >
        <Field id="edit-display-name" label="Display name">
          {(control) => (
            <input
              {...control}
              required
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
          )}
        </Field>
        <CheckboxGroup
          legend="Roles"
          options={allRoles}
          value={roles}
          onChange={setRoles}
          describe={describe}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={disabled}
            disabled={user.id === me.id}
            onChange={(event) => setDisabled(event.target.checked)}
          />
          <span>
            Disabled{' '}
            <span className="field-hint">
              (cannot log in; their sessions and API tokens end
              {user.id === me.id ? '; you cannot disable yourself' : ''})
            </span>
          </span>
        </label>
      </FormDialog>
      <ConfirmDialog
        open={confirming}
        title={`Disable ${user.username}?`}
        message={
          <p>
            {user.displayName} will no longer be able to log in; every session they have open and
            every API token they made stop working now.
          </p>
        }
        confirmLabel="Disable user"
        danger
        busy={update.isPending}
        error={update.error !== null ? <MutationError error={update.error} /> : undefined}
        onConfirm={save}
        onClose={() => setConfirming(false)}
      />
    </>
  );
}

function ResetPasswordDialog({
  user,
  onClose,
}: {
  readonly user: User;
  readonly onClose: () => void;
}) {
  const me = useUser();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const reset = $api.useMutation('post', '/api/v1/users/{id}/password', {
    onSuccess: () => setDone(true),
  });
  const own = user.id === me.id;
  const submit = () => {
    reset.mutate({ params: { path: { id: user.id } }, body: { password } });
  };
  return (
    <Dialog open title={`Reset the password of ${user.username}`} onClose={onClose}>
      {done ? (
        <div className="form">
          <p className="form-success" role="status">
            The password of {user.username} was changed.{' '}
            {own
              ? 'Your other sessions and API tokens were ended (this session stays).'
              : 'Their sessions and API tokens were ended.'}
          </p>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <Form
          onSubmit={submit}
          error={reset.error}
          onCancel={onClose}
          submitLabel="Set password and end sessions"
          busyLabel="Setting…"
          busy={reset.isPending}
          danger
        >
          <p>
            Setting a new password <strong>ends every session</strong> {user.displayName} has open
            and <strong>revokes every API token</strong> they made
            {own ? ' (except this session)' : ''}: scripts using those tokens stop working.
          </p>
          <Field id="reset-password" label="New password" hint={passwordHint}>
            {(control) => (
              <input
                {...control}
                type="password"
                autoComplete="new-password"
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            )}
          </Field>
        </Form>
      )}
    </Dialog>
  );
}
