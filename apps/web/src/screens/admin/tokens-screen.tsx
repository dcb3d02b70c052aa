/**
 * API tokens (tokens:own): the user's tokens; create one with a name, scopes (a subset of the
 * user's own permissions) and an expiry, its secret shown once in a dialog; revoke with
 * confirmation. With users:manage, `?userId=` shows (and revokes) another user's tokens.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession, useUser } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { Field, FormDialog } from '../../ui/forms.tsx';
import { CheckboxGroup, SecretDialog } from './common.tsx';
import type { ApiToken, Scope } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';

function tokenState(token: ApiToken, now: number): 'revoked' | 'expired' | 'active' {
  if (token.revokedAt !== null) return 'revoked';
  if (new Date(token.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export function TokensScreen() {
  const me = useUser();
  const { can } = useSession();
  const admin = can('users:manage');
  const url = useUrlState(['userId'] as const);
  const userId = admin ? url.values.userId : undefined;
  const tokens = $api.useQuery('get', '/api/v1/tokens', {
    params: { query: { limit: 500, ...(userId !== undefined && { userId }) } },
  });
  const users = $api.useQuery(
    'get',
    '/api/v1/users',
    { params: { query: { limit: 500, sort: 'username', order: 'asc' } } },
    { enabled: admin },
  );
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; token: string } | undefined>();
  const revoke = useConfirmAction('delete', '/api/v1/tokens/{id}', {
    init: (token: ApiToken) => ({ params: { path: { id: token.id } } }),
    invalidate: ['/api/v1/tokens'],
  });
  const askRevoke = revoke.ask;
  const viewingOther = userId !== undefined && userId !== me.id;
  const owner = users.data?.users.find((user) => user.id === userId);
  // eslint-disable-next-line react-hooks/purity -- a render-time "now" for expiry is enough here
  const now = Date.now();
  const columns = useMemo<ColumnDef<ApiToken, unknown>[]>(
    () => [
      { id: 'name', header: 'Name', accessorKey: 'name' },
      {
        id: 'prefix',
        header: 'Prefix',
        accessorKey: 'prefix',
        cell: ({ row }) => <span className="mono">{row.original.prefix}…</span>,
      },
      {
        id: 'scopes',
        header: 'Scopes',
        accessorFn: (token) => token.scopes.join(', '),
        cell: ({ row }) => <span className="small">{row.original.scopes.join(', ')}</span>,
      },
      {
        id: 'state',
        header: 'State',
        accessorFn: (token) => tokenState(token, now),
        cell: ({ row }) => {
          const state = tokenState(row.original, now);
          return (
            <Badge tone={state === 'active' ? 'ok' : state === 'revoked' ? 'critical' : 'warn'}>
              {state}
            </Badge>
          );
        },
      },
      {
        id: 'expiresAt',
        header: 'Expires',
        accessorKey: 'expiresAt',
        cell: ({ row }) => formatDate(row.original.expiresAt),
      },
      {
        id: 'lastUsedAt',
        header: 'Last used',
        accessorFn: (token) => token.lastUsedAt ?? '',
        cell: ({ row }) => formatDateTime(row.original.lastUsedAt),
      },
      {
        id: 'actions',
        header: 'Actions',
        enableSorting: false,
        cell: ({ row }) =>
          tokenState(row.original, now) === 'active' ? (
            <RowButton
              name={`Revoke ${row.original.name}`}
              onClick={() => askRevoke(row.original)}
              danger
            >
              Revoke
            </RowButton>
          ) : null,
      },
    ],
    [now, askRevoke],
  );
  return (
    <>
      <PageHeader
        title="API tokens"
        description={
          viewingOther
            ? `The tokens of ${owner?.username ?? 'another user'}. Only they can create their own tokens.`
            : 'Tokens let the CLI and scripts call the API as you, limited to the scopes you choose.'
        }
        actions={
          viewingOther ? undefined : (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setCreating(true)}
            >
              New token
            </button>
          )
        }
      />
      {admin && (
        <div className="filters">
          <div className="field">
            <label htmlFor="tokens-user">Whose tokens</label>
            <select
              id="tokens-user"
              value={userId ?? me.id}
              onChange={(event) =>
                url.set({ userId: event.target.value === me.id ? undefined : event.target.value })
              }
            >
              <option value={me.id}>Mine ({me.username})</option>
              {users.data?.users
                .filter((user) => user.id !== me.id)
                .map((user) => (
                  <option key={user.id} value={user.id}>
                    {user.username}
                  </option>
                ))}
            </select>
          </div>
        </div>
      )}
      <QueryState
        query={tokens}
        isEmpty={(data) => data.tokens.length === 0}
        empty={<EmptyState title="No API tokens." />}
      >
        {(data) => (
          <DataTable
            label="API tokens"
            rows={data.tokens}
            columns={columns}
            rowId={(token) => token.id}
            height="60vh"
            footer={<span>{data.total} tokens</span>}
          />
        )}
      </QueryState>
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
          }}
        />
      )}
      <SecretDialog
        title={`Token "${secret?.name ?? ''}" created`}
        secret={secret?.token}
        onClose={() => setSecret(undefined)}
      >
        <p className="muted">
          Send it as <code>Authorization: Bearer …</code>, or set it as <code>PATCHGATE_TOKEN</code>{' '}
          for the CLI.
        </p>
      </SecretDialog>
      <ConfirmActionDialog
        action={revoke}
        title={(token) => `Revoke ${token.name}?`}
        message={(token) => (
          <p>
            Anything using this token (prefix <span className="mono">{token.prefix}</span>) stops
            working now, and so do tokens made with it. This cannot be undone.
          </p>
        )}
        confirmLabel="Revoke token"
      />
    </>
  );
}

function CreateTokenDialog({
  onClose,
  onCreated,
}: {
  readonly onClose: () => void;
  readonly onCreated: (created: { name: string; token: string }) => void;
}) {
  const me = useUser();
  const queryClient = useQueryClient();
  const mine: readonly Scope[] = me.permissions;
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(mine.filter((p) => p.endsWith(':read')));
  const [days, setDays] = useState('90');
  const create = $api.useMutation('post', '/api/v1/tokens', {
    onSuccess: async (created) => {
      onCreated({ name: created.name, token: created.token });
      await invalidatePaths(queryClient, ['/api/v1/tokens']);
    },
  });
  const submit = () => {
    create.mutate({ body: { name, scopes, expiresInDays: Number(days) } });
  };
  return (
    <FormDialog
      title="New API token"
      onClose={onClose}
      wide
      onSubmit={submit}
      error={create.error}
      submitLabel="Create token"
      busyLabel="Creating…"
      busy={create.isPending}
      disabled={scopes.length === 0}
    >
      <div className="form-columns">
        <Field id="token-name" label="Name">
          {(control) => (
            <input
              {...control}
              required
              maxLength={200}
              placeholder="CI pipeline, backup script…"
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field id="token-expiry" label="Expires after (days)">
          {(control) => (
            <input
              {...control}
              type="number"
              min={1}
              max={365}
              required
              value={days}
              onChange={(event) => setDays(event.target.value)}
            />
          )}
        </Field>
      </div>
      <CheckboxGroup
        legend="Scopes (a subset of your permissions)"
        options={mine}
        value={scopes}
        onChange={setScopes}
        columns={3}
      />
    </FormDialog>
  );
}
