/**
 * Findings (`/findings`): the work queue over thousands of rows. The filters and the sort live
 * in the URL under `GET /api/v1/findings`'s own parameter names; the server filters, sorts and
 * pages (keyset cursors, loaded progressively as the virtualised table scrolls); the summary's
 * counts come in parallel. Rows can be selected for a bulk action (a change request from them,
 * triage); `?selected=<id>` opens the finding with its priority explanation beside the list.
 */
import type { InfiniteData } from '@tanstack/react-query';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage, unwrap } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, PriorityBadge, StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef, RowSelectionState, SortingState } from '../../ui/data-table.tsx';
import { DataTable, selectionColumn } from '../../ui/data-table.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { formatDate, formatNumber } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { FilterBar } from './filter-bar.tsx';
import { findingPaths, TriageForm } from './finding-actions.tsx';
import type { FindingSort, FindingsQuery, FindingsUrlKey } from './finding-filters.ts';
import {
  findingsUrlKeys,
  sortOf,
  toFindingsQuery,
  toSummaryQuery,
  usesDefaultStatus,
} from './finding-filters.ts';
import type { FindingPage, FindingRow, FindingsSummary, TriageBody } from './finding-types.ts';
import { FindingView } from './finding-view.tsx';
import './findings.css';

/** Rows per request: enough to fill a screen several times, small enough to answer fast. */
export const pageSize = 200;

/** The table's sortable columns and the API sort each one is (one direction each). */
const sortColumns: Record<string, { sort: FindingSort; desc: boolean }> = {
  priority: { sort: 'priority', desc: false },
  due: { sort: 'due', desc: false },
  epss: { sort: 'epss', desc: true },
  firstSeen: { sort: 'first_seen', desc: true },
};

/** Pages of `GET /api/v1/findings` for one filter; the query key is openapi-react-query's. */
function useFindingPages(query: FindingsQuery) {
  return useInfiniteQuery<
    FindingPage,
    Error,
    InfiniteData<FindingPage, string | undefined>,
    readonly unknown[],
    string | undefined
  >({
    queryKey: ['get', '/api/v1/findings', { params: { query } }],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/findings', {
          params: {
            query: {
              ...query,
              limit: pageSize,
              ...(pageParam !== undefined && { cursor: pageParam }),
            },
          },
          signal,
        }),
      ),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** How many rows the list has in all, from the summary (the list's default is the work queue). */
export function listCount(summary: FindingsSummary, defaultStatus: boolean): number {
  if (!defaultStatus) return summary.total;
  const { P1, P2, P3, P4, P5 } = summary.byPriority;
  return P1 + P2 + P3 + P4 + P5;
}

export function FindingsScreen() {
  const url = useUrlState(findingsUrlKeys);
  const { values } = url;
  const set: typeof url.set = (changes, options) => url.set(changes, options);
  const [params] = useSearchParams();
  const { can } = useSession();
  const query = useMemo(() => toFindingsQuery(values), [values]);
  const summaryQuery = useMemo(() => toSummaryQuery(values), [values]);
  // Independent: the counts and the first page are asked for at once.
  const summary = $api.useQuery('get', '/api/v1/findings/summary', {
    params: { query: summaryQuery },
  });
  const pages = useFindingPages(query);
  // The selection belongs to the filters it was made under: a bulk action never reaches rows
  // the list no longer shows.
  const filterKey = JSON.stringify(query);
  const [selectionState, setSelectionState] = useState<{
    key: string;
    rows: RowSelectionState;
  }>({ key: filterKey, rows: {} });
  const selection = selectionState.key === filterKey ? selectionState.rows : {};
  const setSelection = (
    updater: RowSelectionState | ((old: RowSelectionState) => RowSelectionState),
  ) =>
    setSelectionState((previous) => {
      const current = previous.key === filterKey ? previous.rows : {};
      return { key: filterKey, rows: typeof updater === 'function' ? updater(current) : updater };
    });
  const [bulkTriage, setBulkTriage] = useState(false);

  const rows = useMemo(
    () => pages.data?.pages.flatMap((page) => page.findings) ?? [],
    [pages.data],
  );
  const selectedIds = Object.keys(selection).filter((id) => selection[id] === true);
  const current = values.selected;
  const sort = sortOf(values);

  const linkWith = (changes: Partial<Record<FindingsUrlKey, string | undefined>>): string => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes))
      if (value === undefined) next.delete(key);
      else next.set(key, value);
    return `?${next.toString()}`;
  };

  const columns = useMemo<ColumnDef<FindingRow, unknown>[]>(
    () => [
      selectionColumn<FindingRow>((row) => `${row.advisory.id} on ${row.asset.name}`),
      {
        id: 'priority',
        accessorFn: (row) => row.priority,
        header: 'Priority',
        size: 90,
        cell: ({ row }) => <PriorityBadge priority={row.original.priority} />,
      },
      {
        id: 'advisory',
        header: 'Advisory',
        enableSorting: false,
        cell: ({ row }) => (
          <Link
            to={linkWith({ selected: row.original.id })}
            aria-label={`${row.original.advisory.id} on ${row.original.asset.name}: show details`}
            className="mono"
          >
            {row.original.advisory.id}
          </Link>
        ),
      },
      {
        id: 'asset',
        header: 'Asset',
        enableSorting: false,
        cell: ({ row }) => (
          <span>
            {row.original.asset.name}
            <span className="muted small">
              {' '}
              {[row.original.asset.environment, row.original.asset.exposure]
                .filter((w) => w !== null)
                .join(' · ')}
            </span>
          </span>
        ),
      },
      {
        id: 'package',
        header: 'Package',
        enableSorting: false,
        cell: ({ row }) => {
          const { name, version } = row.original.package;
          const fix = row.original.fixedVersions[0];
          const text = `${name} ${version}${fix === undefined ? '' : ` → ${fix}`}`;
          return (
            <span className="mono small cell-clip" title={text}>
              {name} {version}
              {fix !== undefined && <span className="muted"> → {fix}</span>}
            </span>
          );
        },
      },
      {
        id: 'status',
        header: 'Status',
        enableSorting: false,
        cell: ({ row }) => <StatusBadge status={row.original.status} />,
      },
      {
        id: 'due',
        accessorFn: (row) => row.dueDate ?? '9999-12-31',
        header: 'Due',
        cell: ({ row }) => (
          <span>
            {formatDate(row.original.dueDate)}{' '}
            {row.original.overdue && <Badge tone="critical">overdue</Badge>}
          </span>
        ),
      },
      {
        id: 'epss',
        accessorFn: (row) => row.epss ?? -1,
        header: 'EPSS',
        size: 80,
        cell: ({ row }) =>
          row.original.epss === null ? '—' : `${(row.original.epss * 100).toFixed(1)} %`,
      },
      {
        id: 'kev',
        header: 'KEV',
        size: 70,
        enableSorting: false,
        cell: ({ row }) => (row.original.kev ? <Badge tone="critical">KEV</Badge> : 'no'),
      },
      {
        id: 'firstSeen',
        accessorFn: (row) => row.firstSeenAt,
        header: 'First seen',
        cell: ({ row }) => formatDate(row.original.firstSeenAt),
      },
    ],
    // linkWith reads the current URL: the links must follow it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [params],
  );

  const sortingEntry = Object.entries(sortColumns).find(([, s]) => s.sort === sort);
  const sorting: SortingState =
    sortingEntry === undefined ? [] : [{ id: sortingEntry[0], desc: sortingEntry[1].desc }];
  const onSortingChange = (updater: SortingState | ((old: SortingState) => SortingState)) => {
    const next = typeof updater === 'function' ? updater(sorting) : updater;
    const column = next[0]?.id;
    const chosen = column === undefined ? undefined : sortColumns[column];
    // The API sorts each column one way: a second click on the sorted column keeps it.
    if (chosen === undefined || chosen.sort === sort) return;
    set({ sort: chosen.sort === 'priority' ? undefined : chosen.sort });
  };

  const total =
    summary.data === undefined
      ? undefined
      : listCount(summary.data, usesDefaultStatus(summaryQuery));
  const loadMore = () => {
    if (pages.hasNextPage && !pages.isFetchingNextPage)
      void pages.fetchNextPage({ cancelRefetch: false });
  };
  // Scrolling to the end loads the next page, unless that page just failed: then the button
  // (with the error beside it) asks again, not every render.
  const loadMoreOnScroll = () => {
    if (!pages.isFetchNextPageError) loadMore();
  };

  return (
    <>
      <PageHeader
        title="Findings"
        description="Packages on your assets affected by advisories, prioritised by the policy."
        actions={
          <Link className="button" to="/exceptions?state=requested">
            Exceptions awaiting a decision
          </Link>
        }
      />
      <FilterBar values={values} set={set} />
      <SummaryBar summary={summary} linkWith={linkWith} total={total} />

      {selectedIds.length > 0 && (
        <div className="bulk-bar" role="region" aria-label="Bulk actions">
          <span>
            <strong>{formatNumber(selectedIds.length)}</strong> selected
          </span>
          {can('changes:request') && (
            <Link
              className="button button-primary"
              to={`/changes/new?findings=${selectedIds.join(',')}`}
            >
              Create change request
            </Link>
          )}
          {can('findings:triage') && (
            <button type="button" className="button" onClick={() => setBulkTriage(true)}>
              Triage selected
            </button>
          )}
          <button type="button" className="button button-ghost" onClick={() => setSelection({})}>
            Clear selection
          </button>
        </div>
      )}

      <div className={current === undefined ? 'findings-layout' : 'findings-layout with-panel'}>
        <div className="findings-list">
          {pages.isPending ? (
            <Loading label="Loading findings…" />
          ) : rows.length === 0 && pages.isError ? (
            <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />
          ) : rows.length === 0 ? (
            <EmptyState title="No findings match these filters">
              <p>
                New findings appear after an inventory upload or an advisory sync.{' '}
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void pages.refetch()}
                >
                  Refresh
                </button>
              </p>
            </EmptyState>
          ) : (
            <DataTable
              label="Findings"
              rows={rows}
              columns={columns}
              rowId={(row) => row.id}
              sorting={sorting}
              onSortingChange={onSortingChange}
              manualSorting
              selection={selection}
              onSelectionChange={setSelection}
              {...(current !== undefined && { currentId: current })}
              height="68vh"
              onEndReached={loadMoreOnScroll}
              footer={
                <>
                  <span aria-live="polite">
                    {formatNumber(rows.length)}
                    {total !== undefined &&
                      ` of ${formatNumber(Math.max(total, rows.length))}`}{' '}
                    loaded
                  </span>
                  {pages.isFetchingNextPage && <span>Loading more…</span>}
                  {pages.isError && (
                    <span className="form-error" role="alert">
                      {pages.isFetchNextPageError
                        ? 'The next page failed'
                        : 'Refreshing the list failed'}
                      : {errorMessage(pages.error)}
                    </span>
                  )}
                  {pages.hasNextPage && !pages.isFetchingNextPage && (
                    <button type="button" className="button button-small" onClick={loadMore}>
                      Load more
                    </button>
                  )}
                </>
              }
            />
          )}
        </div>
        {current !== undefined && (
          <FindingPanel id={current} onClose={() => set({ selected: undefined })} />
        )}
      </div>
      <BulkTriageDialog ids={selectedIds} open={bulkTriage} onClose={() => setBulkTriage(false)} />
    </>
  );
}

function SummaryBar({
  summary,
  total,
  linkWith,
}: {
  readonly summary: { data?: FindingsSummary; isError: boolean; error: unknown };
  readonly total: number | undefined;
  readonly linkWith: (changes: Partial<Record<FindingsUrlKey, string | undefined>>) => string;
}) {
  if (summary.isError)
    return <p className="form-error">Counts unavailable: {errorMessage(summary.error)}</p>;
  const data = summary.data;
  if (data === undefined || total === undefined)
    return <p className="findings-summary muted">Counting…</p>;
  return (
    <div className="findings-summary" aria-label="Counts">
      <span className="summary-total">
        <strong>{formatNumber(total)}</strong> finding{total === 1 ? '' : 's'} in this list
      </span>
      <span className="muted">Actionable by priority:</span>
      <ul className="summary-priorities">
        {(['P1', 'P2', 'P3', 'P4', 'P5'] as const).map((priority) => (
          <li key={priority}>
            <Link to={linkWith({ priority })}>
              <PriorityBadge priority={priority} /> {formatNumber(data.byPriority[priority])}
              <span className="visually-hidden"> actionable</span>
            </Link>
          </li>
        ))}
      </ul>
      <Link to={linkWith({ overdue: 'true' })}>{formatNumber(data.overdue)} overdue</Link>
      <Link to={linkWith({ accepted: 'true' })}>{formatNumber(data.accepted)} accepted</Link>
      <span className="muted">{formatNumber(data.triagedAway)} triaged away</span>
    </div>
  );
}

function FindingPanel({ id, onClose }: { readonly id: string; readonly onClose: () => void }) {
  const finding = $api.useQuery('get', '/api/v1/findings/{id}', { params: { path: { id } } });
  return (
    <aside className="finding-panel card" aria-label="Selected finding">
      <div className="panel-header">
        <h2>
          {finding.data === undefined
            ? 'Finding'
            : `${finding.data.advisory.id} on ${finding.data.asset.name}`}
        </h2>
        <button
          type="button"
          className="button button-ghost"
          aria-label="Close the finding"
          onClick={onClose}
        >
          ×
        </button>
      </div>
      {finding.isPending ? (
        <Loading label="Loading the finding…" />
      ) : finding.isError ? (
        <ErrorState error={finding.error} onRetry={() => void finding.refetch()} />
      ) : (
        <>
          <p>
            <Link to={`/findings/${finding.data.id}`}>Open the finding’s page (with history)</Link>
          </p>
          <FindingView finding={finding.data} level={3} showHistory={false} explanationFirst />
        </>
      )}
    </aside>
  );
}

/** Run `task` over `items`, `width` at a time, in order of start. */
async function eachLimited<T>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/**
 * Triage of several findings: the API triages one finding per call, so this sends one
 * `PUT /api/v1/findings/{id}/triage` each (four at a time) and says which failed and why.
 */
function BulkTriageDialog({
  ids,
  open,
  onClose,
}: {
  readonly ids: readonly string[];
  readonly open: boolean;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [done, setDone] = useState(0);
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const run = async (body: TriageBody) => {
    setBusy(true);
    setDone(0);
    setFailures([]);
    const failed: string[] = [];
    await eachLimited(ids, 4, async (id) => {
      try {
        await unwrap(api.PUT('/api/v1/findings/{id}/triage', { params: { path: { id } }, body }));
      } catch (cause) {
        failed.push(`${id}: ${errorMessage(cause)}`);
      }
      setDone((count) => count + 1);
    });
    await invalidatePaths(queryClient, findingPaths);
    setBusy(false);
    setFailures(failed);
    if (failed.length === 0) onClose();
  };
  return (
    <Dialog open={open} title={`Triage ${ids.length} findings`} onClose={onClose}>
      <p className="muted">The same analysis is recorded on each selected finding.</p>
      <TriageForm
        current={null}
        busy={busy}
        error={
          failures.length === 0
            ? null
            : new Error(`${failures.length} failed: ${failures.slice(0, 5).join('; ')}`)
        }
        submitLabel={`Triage ${ids.length}`}
        onCancel={onClose}
        onSubmit={(body) => void run(body)}
      />
      {busy && (
        <p role="status">
          {done} of {ids.length} done…
        </p>
      )}
    </Dialog>
  );
}
