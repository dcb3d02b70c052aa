/**
 * Exceptions (`/exceptions`): every risk-acceptance request, newest first, filtered by state
 * (`?state=requested`, as `GET /api/v1/finding-exceptions` takes it), with approve / reject /
 * revoke as the user may — never approving one's own (separation of duties). Each names its
 * finding's advisory, package and asset (the API returns them with the exception).
 */
import type { InfiniteData } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, unwrap } from '../../api/client.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { joinList, splitList, useUrlState } from '../../ui/url-state.ts';
import { ExceptionActions } from './finding-actions.tsx';
import type { ExceptionPage, FindingException } from './finding-types.ts';
import './findings.css';

const states = ['requested', 'approved', 'rejected', 'expired', 'revoked'] as const;

function useExceptionPages(state: string | undefined) {
  const query = state === undefined ? {} : { state };
  return useInfiniteQuery<
    ExceptionPage,
    Error,
    InfiniteData<ExceptionPage, string | undefined>,
    readonly unknown[],
    string | undefined
  >({
    queryKey: ['get', '/api/v1/finding-exceptions', { params: { query } }],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/finding-exceptions', {
          params: {
            query: { ...query, limit: 200, ...(pageParam !== undefined && { cursor: pageParam }) },
          },
          signal,
        }),
      ),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

const columns: ColumnDef<FindingException, unknown>[] = [
  {
    id: 'state',
    header: 'State',
    size: 110,
    cell: ({ row }) => <StatusBadge status={row.original.state} />,
  },
  {
    id: 'finding',
    header: 'Finding',
    size: 300,
    cell: ({ row }) => {
      const e = row.original;
      // The link's own text names it (the advisory, the package and its version): an
      // aria-label that left the version out would not match what is seen (WCAG 2.5.3).
      return (
        <span className="exception-finding">
          <Link to={`/findings/${e.findingId}`}>
            <span className="mono">{e.advisoryId}</span>
            {e.finding !== null && (
              <>
                {' '}
                · {e.finding.packageName} {e.finding.packageVersion}
              </>
            )}
          </Link>
          {e.finding === null ? (
            <span className="muted small"> asset {e.assetId}</span>
          ) : (
            <>
              {' '}
              <span className="muted small">
                on{' '}
                <Link to={`/assets/${encodeURIComponent(e.assetId)}`}>{e.finding.assetName}</Link>
              </span>
            </>
          )}
        </span>
      );
    },
  },
  { id: 'owner', header: 'Risk owner', cell: ({ row }) => row.original.owner },
  { id: 'reason', header: 'Reason', cell: ({ row }) => row.original.reason },
  {
    id: 'expires',
    header: 'Expires',
    cell: ({ row }) => formatDate(row.original.expiresAt),
  },
  {
    id: 'requested',
    header: 'Requested',
    cell: ({ row }) => (
      <span>
        {row.original.requestedBy.name}
        <span className="muted small"> {formatDateTime(row.original.requestedAt)}</span>
      </span>
    ),
  },
  {
    id: 'decided',
    header: 'Decided',
    cell: ({ row }) =>
      row.original.decidedBy === null ? (
        '—'
      ) : (
        <span>
          {row.original.decidedBy.name}
          {row.original.decisionNote !== null && (
            <span className="muted small"> “{row.original.decisionNote}”</span>
          )}
        </span>
      ),
  },
  {
    id: 'actions',
    header: 'Actions',
    cell: ({ row }) => <ExceptionActions exception={row.original} />,
  },
];

export function ExceptionsScreen() {
  const url = useUrlState(['state'] as const);
  const { values } = url;
  const set: typeof url.set = (changes, options) => url.set(changes, options);
  const chosen = splitList(values.state);
  const pages = useExceptionPages(values.state);
  const rows = useMemo(
    () => pages.data?.pages.flatMap((page) => page.exceptions) ?? [],
    [pages.data],
  );
  const loadMore = () => {
    if (pages.hasNextPage && !pages.isFetchingNextPage)
      void pages.fetchNextPage({ cancelRefetch: false });
  };
  // Scrolling to the end loads the next page, unless that page just failed: then the button
  // (with the error beside it) asks again, not every render.
  const loadMoreOnScroll = () => {
    if (!pages.isFetchNextPageError) loadMore();
  };
  const toggle = (state: string, on: boolean) => {
    const next = on ? [...chosen, state] : chosen.filter((s) => s !== state);
    set({ state: joinList(states.filter((s) => next.includes(s))) });
  };
  return (
    <>
      <PageHeader
        title="Exceptions"
        description="Risk-acceptance requests on findings. Whoever requested an exception cannot approve it: someone else with the approval permission decides."
      />
      <fieldset className="filters exception-filters">
        <legend>State</legend>
        {states.map((state) => (
          <label key={state} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(state)}
              onChange={(event) => toggle(state, event.target.checked)}
            />
            {state}
          </label>
        ))}
      </fieldset>
      {pages.isPending ? (
        <Loading label="Loading exceptions…" />
      ) : rows.length === 0 && pages.isError ? (
        <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No exceptions in this state">
          <p>
            Request one from a finding’s page. <Link to="/findings">Go to the findings</Link>.
          </p>
        </EmptyState>
      ) : (
        <DataTable
          label="Exceptions"
          rows={rows}
          columns={columns}
          rowId={(row) => row.id}
          rowHeight={56}
          onEndReached={loadMoreOnScroll}
          footer={
            <>
              <span>{formatNumber(rows.length)} loaded</span>
              {pages.isError && (
                <span className="form-error" role="alert">
                  {errorMessage(pages.error)}
                </span>
              )}
              {pages.hasNextPage && (
                <button type="button" className="button button-small" onClick={loadMore}>
                  Load more
                </button>
              )}
            </>
          }
        />
      )}
    </>
  );
}
