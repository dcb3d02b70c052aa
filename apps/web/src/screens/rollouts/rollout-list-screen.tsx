/**
 * Rollouts (`/rollouts?phase=…&dryRun=…`): every rollout, newest first, with its change, phase
 * and current wave; filtered by phase in the URL; each opens its live view. Pages of 100 load as
 * the table is scrolled (the API's keyset cursor).
 */
import { useMemo } from 'react';
import { Link } from 'react-router';
import type { paths } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { isLive, rolloutPhases } from './rollout-model.ts';
import './rollouts.css';
import { Field } from '../../ui/forms.tsx';

type RolloutSummary =
  paths['/api/v1/rollouts']['get']['responses']['200']['content']['application/json']['rollouts'][number];

const keys = ['phase', 'dryRun'] as const;

/** Rollouts per request; the next page loads when the table's end comes into view. */
export const pageSize = 100;

export function RolloutListScreen() {
  const url = useUrlState(keys);
  const phase = rolloutPhases.find((p) => p === url.values.phase);
  const dryRun =
    url.values.dryRun === 'true' || url.values.dryRun === 'false' ? url.values.dryRun : undefined;
  const rollouts = $api.useInfiniteQuery(
    'get',
    '/api/v1/rollouts',
    {
      params: {
        query: {
          limit: pageSize,
          ...(phase !== undefined && { phase }),
          ...(dryRun !== undefined && { dryRun }),
        },
      },
    },
    {
      initialPageParam: null,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      // While a listed rollout moves, its phase and wave change: look again every few seconds.
      refetchInterval: (query) =>
        query.state.data?.pages.some((page) => page.rollouts.some((r) => isLive(r.phase))) === true
          ? 5_000
          : false,
    },
  );
  const rows = useMemo(
    () => rollouts.data?.pages.flatMap((page) => page.rollouts) ?? [],
    [rollouts.data],
  );

  const columns = useMemo<ColumnDef<RolloutSummary, unknown>[]>(
    () => [
      {
        id: 'change',
        header: 'Change',
        accessorFn: (r) => r.change.number,
        cell: ({ row }) => (
          <Link to={`/rollouts/${row.original.id}`}>
            {row.original.change.number}
            <span className="visually-hidden"> rollout</span>
          </Link>
        ),
      },
      { id: 'title', header: 'Title', accessorFn: (r) => r.change.title },
      {
        id: 'phase',
        header: 'Phase',
        accessorFn: (r) => r.phase,
        cell: ({ row }) => (
          <span className="row rollout-phase-cell">
            <StatusBadge status={row.original.phase} />
            {row.original.dryRun && <Badge tone="info">dry run</Badge>}
          </span>
        ),
      },
      {
        id: 'wave',
        header: 'Current wave',
        accessorFn: (r) => r.currentWave ?? '',
        cell: ({ row }) => row.original.currentWave ?? '—',
      },
      {
        id: 'reason',
        header: 'Reason',
        accessorFn: (r) => r.reason ?? '',
        cell: ({ row }) => row.original.reason ?? '—',
      },
      {
        id: 'startedAt',
        header: 'Started',
        accessorFn: (r) => r.startedAt ?? '',
        cell: ({ row }) => formatDateTime(row.original.startedAt),
      },
      {
        id: 'finishedAt',
        header: 'Finished',
        accessorFn: (r) => r.finishedAt ?? '',
        cell: ({ row }) => formatDateTime(row.original.finishedAt),
      },
    ],
    [],
  );

  return (
    <>
      <PageHeader
        title="Rollouts"
        description="Approved changes deployed wave by wave by the hosts' agents. Open one to watch it live."
      />
      <div className="filters">
        <Field label="Phase">
          {(control) => (
            <select
              {...control}
              value={phase ?? ''}
              onChange={(event) => url.set({ phase: event.target.value })}
            >
              <option value="">Any phase</option>
              {rolloutPhases.map((p) => (
                <option key={p} value={p}>
                  {p.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Kind">
          {(control) => (
            <select
              {...control}
              value={dryRun ?? ''}
              onChange={(event) => url.set({ dryRun: event.target.value })}
            >
              <option value="">Rollouts and dry runs</option>
              <option value="false">Rollouts only</option>
              <option value="true">Dry runs only</option>
            </select>
          )}
        </Field>
      </div>
      <QueryState
        query={rollouts}
        loadingLabel="Loading rollouts…"
        isEmpty={() => rows.length === 0}
        empty={
          <EmptyState
            title={
              phase === undefined
                ? 'No rollouts yet'
                : `No rollout is ${phase.replaceAll('_', ' ')}`
            }
          >
            <p>
              A rollout starts when a scheduled change’s window opens, or from the change’s page.
            </p>
          </EmptyState>
        }
      >
        {() => (
          <DataTable
            label="Rollouts"
            rows={rows}
            columns={columns}
            rowId={(r) => r.id}
            height="65vh"
            onEndReached={() => {
              if (rollouts.hasNextPage && !rollouts.isFetchingNextPage)
                void rollouts.fetchNextPage();
            }}
            footer={
              <span className="muted small" aria-live="polite">
                {formatNumber(rows.length)} rollout{rows.length === 1 ? '' : 's'}
                {rollouts.hasNextPage ? ' shown, more as you scroll' : ''}
                {rollouts.isFetchingNextPage ? ' — loading more…' : ''}
              </span>
            }
          />
        )}
      </QueryState>
    </>
  );
}
