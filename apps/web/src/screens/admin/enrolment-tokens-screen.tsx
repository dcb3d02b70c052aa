/**
 * Enrolment tokens (agents:manage): create one (uses, lifetime, environment, groups), its
 * secret shown once; the list (never secrets) by state; revoke with confirmation.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { $api, invalidatePaths } from '../../api/query.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { Field, FormDialog } from '../../ui/forms.tsx';
import { SecretDialog } from './common.tsx';
import type { EnrolmentToken, Environment } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';
import { ChoiceFilter } from '../../ui/choice-filter.tsx';

const states = ['active', 'expired', 'spent', 'revoked'] as const;
const environments: readonly Environment[] = ['production', 'staging', 'test', 'development'];

export function EnrolmentTokensScreen() {
  const url = useUrlState(['state'] as const);
  const state = states.find((s) => s === url.values.state);
  const tokens = $api.useQuery('get', '/api/v1/enrolment-tokens', {
    params: { query: state === undefined ? {} : { state } },
  });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | undefined>();
  const revoke = useConfirmAction('delete', '/api/v1/enrolment-tokens/{id}', {
    init: (token: EnrolmentToken) => ({ params: { path: { id: token.id } } }),
    invalidate: ['/api/v1/enrolment-tokens'],
  });
  const askRevoke = revoke.ask;
  const columns = useMemo<ColumnDef<EnrolmentToken, unknown>[]>(
    () => [
      {
        id: 'prefix',
        header: 'Prefix',
        accessorKey: 'prefix',
        cell: ({ row }) => <span className="mono">{row.original.prefix}…</span>,
      },
      {
        id: 'description',
        header: 'Description',
        accessorFn: (token) => token.description ?? '',
      },
      {
        id: 'state',
        header: 'State',
        accessorKey: 'state',
        cell: ({ row }) => <StatusBadge status={row.original.state} />,
      },
      {
        id: 'uses',
        header: 'Uses',
        accessorFn: (token) => `${token.uses} of ${token.usesAllowed}`,
      },
      {
        id: 'scope',
        header: 'Environment · groups',
        accessorFn: (token) =>
          [token.environment ?? 'any environment', ...token.groups].join(' · '),
      },
      {
        id: 'expiresAt',
        header: 'Expires',
        accessorKey: 'expiresAt',
        cell: ({ row }) => formatDateTime(row.original.expiresAt),
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
          row.original.state === 'active' ? (
            <RowButton
              name={`Revoke enrolment token ${row.original.prefix}`}
              onClick={() => askRevoke(row.original)}
              danger
            >
              Revoke
            </RowButton>
          ) : null,
      },
    ],
    [askRevoke],
  );
  return (
    <>
      <PageHeader
        title="Enrolment tokens"
        description="A host's agent enrols once with one of these and gets its own credential."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New enrolment token
          </button>
        }
      />
      <div className="filters">
        <ChoiceFilter
          id="enrolment-state"
          label="State"
          any="Any state"
          value={state}
          options={states}
          onChange={(value) => url.set({ state: value })}
        />
      </div>
      <QueryState
        query={tokens}
        isEmpty={(data) => data.tokens.length === 0}
        empty={<EmptyState title="No enrolment tokens." />}
      >
        {(data) => (
          <DataTable
            label="Enrolment tokens"
            rows={data.tokens}
            columns={columns}
            rowId={(token) => token.id}
            height="60vh"
          />
        )}
      </QueryState>
      {creating && (
        <CreateEnrolmentDialog
          onClose={() => setCreating(false)}
          onCreated={(token) => {
            setCreating(false);
            setSecret(token);
          }}
        />
      )}
      <SecretDialog
        title="Enrolment token created"
        secret={secret}
        onClose={() => setSecret(undefined)}
      >
        <p className="muted">
          On the host:{' '}
          <code>patchgate-agent run --server {window.location.origin} --enroll-token …</code>
        </p>
      </SecretDialog>
      <ConfirmActionDialog
        action={revoke}
        title={() => 'Revoke this enrolment token?'}
        message={(token) => (
          <p>
            No more agents can enrol with the token <span className="mono">{token.prefix}…</span>.
            Agents already enrolled with it keep working.
          </p>
        )}
        confirmLabel="Revoke token"
      />
    </>
  );
}

function CreateEnrolmentDialog({
  onClose,
  onCreated,
}: {
  readonly onClose: () => void;
  readonly onCreated: (token: string) => void;
}) {
  const queryClient = useQueryClient();
  const [description, setDescription] = useState('');
  const [uses, setUses] = useState('1');
  const [hours, setHours] = useState('24');
  const [environment, setEnvironment] = useState<Environment | ''>('');
  const [groups, setGroups] = useState('');
  const create = $api.useMutation('post', '/api/v1/enrolment-tokens', {
    onSuccess: async (created) => {
      onCreated(created.token);
      await invalidatePaths(queryClient, ['/api/v1/enrolment-tokens']);
    },
  });
  const submit = () => {
    const groupList = groups
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    create.mutate({
      body: {
        uses: Number(uses),
        expiresInSeconds: Math.round(Number(hours) * 3600),
        ...(description.trim() !== '' && { description: description.trim() }),
        ...(environment !== '' && { environment }),
        ...(groupList.length > 0 && { groups: groupList }),
      },
    });
  };
  return (
    <FormDialog
      title="New enrolment token"
      onClose={onClose}
      onSubmit={submit}
      error={create.error}
      submitLabel="Create token"
      busyLabel="Creating…"
      busy={create.isPending}
    >
      <Field id="enrol-description" label="Description">
        {(control) => (
          <input
            {...control}
            value={description}
            placeholder="Web servers in Frankfurt"
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <div className="form-columns">
        <Field id="enrol-uses" label="Hosts it may enrol">
          {(control) => (
            <input
              {...control}
              type="number"
              min={1}
              required
              value={uses}
              onChange={(event) => setUses(event.target.value)}
            />
          )}
        </Field>
        <Field id="enrol-hours" label="Valid for (hours)">
          {(control) => (
            <input
              {...control}
              type="number"
              min={0.1}
              step="any"
              required
              value={hours}
              onChange={(event) => setHours(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="form-columns">
        <Field id="enrol-environment" label="Environment of the hosts">
          {(control) => (
            <select
              {...control}
              value={environment}
              onChange={(event) => setEnvironment(event.target.value as Environment | '')}
            >
              <option value="">As the host says</option>
              {environments.map((e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="enrol-groups" label="Asset groups (comma separated)">
          {(control) => (
            <input
              {...control}
              value={groups}
              onChange={(event) => setGroups(event.target.value)}
            />
          )}
        </Field>
      </div>
    </FormDialog>
  );
}
