/**
 * Agents (agents:read): every enrolled agent — online or not, version, OS, last seen, reboot
 * pending — filtered in the URL, each linked to its detail (/admin/agents/:id: facts, tasks, a
 * task's log) and its asset; revoking one (agents:manage) asks first, with a reason.
 */
import { useMemo } from 'react';
import { Link } from 'react-router';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import type { Agent } from './types.ts';
import { Field } from '../../ui/forms.tsx';
import { RowButton } from '../../ui/row-button.tsx';

const boolParam = (value: string | undefined): 'true' | 'false' | undefined =>
  value === 'true' || value === 'false' ? value : undefined;

export function AgentsScreen() {
  const { can } = useSession();
  const manage = can('agents:manage');
  const url = useUrlState(['q', 'online', 'reboot', 'revoked'] as const);
  const online = boolParam(url.values.online);
  const reboot = boolParam(url.values.reboot);
  const revoked = boolParam(url.values.revoked);
  const agents = $api.useQuery('get', '/api/v1/agents', {
    params: {
      query: {
        ...(url.values.q !== undefined && { q: url.values.q }),
        ...(online !== undefined && { online }),
        ...(reboot !== undefined && { rebootRequired: reboot }),
        ...(revoked !== undefined && { revoked }),
      },
    },
  });
  const revoke = useConfirmAction('post', '/api/v1/agents/{id}/revoke', {
    init: (agent: Agent, reason) => ({
      params: { path: { id: agent.id } },
      body: reason === '' ? {} : { reason },
    }),
    invalidate: ['/api/v1/agents'],
  });
  const askRevoke = revoke.ask;
  const columns = useMemo<ColumnDef<Agent, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Host',
        accessorKey: 'name',
        cell: ({ row }) => (
          <Link
            to={`/admin/agents/${encodeURIComponent(row.original.id)}`}
            aria-label={`Agent on ${row.original.name}: status, facts and tasks`}
          >
            {row.original.name}
          </Link>
        ),
      },
      {
        id: 'asset',
        header: 'Asset',
        enableSorting: false,
        cell: ({ row }) => (
          <Link
            to={`/assets/${encodeURIComponent(row.original.assetId)}`}
            aria-label={`Asset ${row.original.name}`}
          >
            asset
          </Link>
        ),
      },
      {
        id: 'online',
        header: 'Status',
        accessorFn: (agent) =>
          agent.revokedAt !== null ? 'revoked' : agent.online ? 'online' : 'offline',
        cell: ({ row }) =>
          row.original.revokedAt !== null ? (
            <Badge tone="critical">revoked</Badge>
          ) : row.original.online ? (
            <Badge tone="ok">online</Badge>
          ) : (
            <Badge tone="warn">offline</Badge>
          ),
      },
      { id: 'version', header: 'Agent version', accessorKey: 'version' },
      {
        id: 'os',
        header: 'OS',
        accessorFn: (agent) =>
          agent.os === null
            ? '—'
            : (agent.os.prettyName ?? `${agent.os.id} ${agent.os.versionId ?? ''}`),
      },
      {
        id: 'lastSeenAt',
        header: 'Last seen',
        accessorFn: (agent) => agent.lastSeenAt ?? '',
        cell: ({ row }) => (
          <span title={formatDateTime(row.original.lastSeenAt)}>
            {row.original.lastSeenAt === null ? 'never' : formatRelative(row.original.lastSeenAt)}
          </span>
        ),
      },
      {
        id: 'reboot',
        header: 'Reboot',
        accessorFn: (agent) => (agent.rebootRequired ? 'pending' : ''),
        cell: ({ row }) =>
          row.original.rebootRequired ? (
            <Badge tone="warn" title={row.original.rebootPackages.join(', ')}>
              reboot pending
            </Badge>
          ) : (
            <span className="muted">no</span>
          ),
      },
      ...(manage
        ? [
            {
              id: 'actions',
              header: 'Actions',
              enableSorting: false,
              cell: ({ row }) =>
                row.original.revokedAt === null ? (
                  <RowButton
                    name={`Revoke the agent of ${row.original.name}`}
                    onClick={() => askRevoke(row.original)}
                    danger
                  >
                    Revoke
                  </RowButton>
                ) : null,
            } satisfies ColumnDef<Agent, unknown>,
          ]
        : []),
    ],
    [manage, askRevoke],
  );
  return (
    <>
      <PageHeader
        title="Agents"
        description="Online means seen within three heartbeat intervals."
        actions={
          manage ? (
            <Link className="button" to="/admin/enrolment-tokens">
              Enrolment tokens
            </Link>
          ) : undefined
        }
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter agents"
        onSubmit={(event) => {
          event.preventDefault();
          const q = new FormData(event.currentTarget).get('q');
          url.set({ q: typeof q === 'string' ? q.trim() : undefined });
        }}
      >
        <Field id="agents-q" label="Host name contains">
          {(control) => (
            <input
              {...control}
              name="q"
              key={url.values.q ?? ''}
              defaultValue={url.values.q ?? ''}
            />
          )}
        </Field>
        <Field id="agents-online" label="Status">
          {(control) => (
            <select
              {...control}
              value={online ?? ''}
              onChange={(event) => url.set({ online: event.target.value })}
            >
              <option value="">Online or offline</option>
              <option value="true">Online</option>
              <option value="false">Offline</option>
            </select>
          )}
        </Field>
        <Field id="agents-reboot" label="Reboot">
          {(control) => (
            <select
              {...control}
              value={reboot ?? ''}
              onChange={(event) => url.set({ reboot: event.target.value })}
            >
              <option value="">Any</option>
              <option value="true">Reboot pending</option>
              <option value="false">No reboot pending</option>
            </select>
          )}
        </Field>
        <Field id="agents-revoked" label="Revoked">
          {(control) => (
            <select
              {...control}
              value={revoked ?? ''}
              onChange={(event) => url.set({ revoked: event.target.value })}
            >
              <option value="">Not revoked</option>
              <option value="true">Revoked only</option>
            </select>
          )}
        </Field>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <QueryState
        query={agents}
        isEmpty={(data) => data.agents.length === 0}
        empty={
          <EmptyState title="No agents match.">
            {manage && (
              <>
                Create an <Link to="/admin/enrolment-tokens">enrolment token</Link> and run{' '}
                <code>patchgate-agent run --enroll-token …</code> on a host.
              </>
            )}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable
            label="Agents"
            rows={data.agents}
            columns={columns}
            rowId={(agent) => agent.id}
            height="65vh"
            footer={<span>{data.agents.length} agents</span>}
          />
        )}
      </QueryState>
      <ConfirmActionDialog
        action={revoke}
        title={(agent) => `Revoke the agent of ${agent.name}?`}
        message={() => (
          <p>
            Its credential stops working now and its open tasks are rejected. The host must enrol
            again with a new enrolment token to report.
          </p>
        )}
        confirmLabel="Revoke agent"
        reason={{ label: 'Reason (recorded in the audit log)', required: false }}
      />
    </>
  );
}
