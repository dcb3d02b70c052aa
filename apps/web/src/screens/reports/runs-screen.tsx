/**
 * Generated reports (/reports/runs): every run, newest first, filtered by type and status (in
 * the URL), each to download when it succeeded and to regenerate; "Generate a report" opens the
 * form (also `?generate=1`, the metrics overview's button) and follows the new run.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { Field } from '../../ui/forms.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { GenerateDialog } from './generate-dialog.tsx';
import { DownloadLink, formatBytes, isActive, RegenerateButton } from './run-parts.tsx';
import type { ReportRun } from './types.ts';
import { ChoiceFilter } from '../../ui/choice-filter.tsx';

const statuses = ['queued', 'running', 'succeeded', 'failed'] as const;

export function RunsScreen() {
  const navigate = useNavigate();
  const url = useUrlState(['type', 'status', 'generate'] as const);
  const types = $api.useQuery('get', '/api/v1/report-types');
  const query = {
    ...(url.values.type !== undefined && { type: url.values.type as ReportRun['type'] }),
    ...(url.values.status !== undefined && { status: url.values.status as ReportRun['status'] }),
    limit: 100,
  };
  const runs = useInfiniteQuery({
    queryKey: ['get', '/api/v1/reports', { params: { query } }],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/reports', {
          params: { query: { ...query, ...(pageParam !== undefined && { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) =>
      q.state.data?.pages.some((page) => page.reports.some(isActive)) === true ? 2000 : false,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.reports) ?? [], [runs.data]);
  const columns = useMemo<ColumnDef<ReportRun, unknown>[]>(
    () => [
      {
        id: 'title',
        header: 'Report',
        accessorKey: 'title',
        cell: ({ row }) => (
          <Link to={`/reports/runs/${row.original.id}`}>{row.original.title}</Link>
        ),
      },
      { id: 'type', header: 'Type', accessorKey: 'type' },
      {
        id: 'format',
        header: 'Format',
        accessorFn: (run) => run.format.toUpperCase(),
        size: 80,
      },
      {
        id: 'status',
        header: 'Status',
        accessorKey: 'status',
        cell: ({ row }) => <StatusBadge status={row.original.status} />,
      },
      {
        id: 'requested',
        header: 'Requested',
        accessorKey: 'createdAt',
        cell: ({ row }) => (
          <>
            {formatDateTime(row.original.createdAt)}
            <div className="muted small">
              {row.original.scheduleId !== null
                ? 'by a schedule'
                : (row.original.requestedBy ?? '')}
            </div>
          </>
        ),
      },
      {
        id: 'size',
        header: 'Size',
        accessorFn: (run) => run.sizeBytes ?? -1,
        cell: ({ row }) => formatBytes(row.original.sizeBytes),
        size: 90,
      },
      {
        id: 'actions',
        header: 'Actions',
        enableSorting: false,
        cell: ({ row }) => (
          <div className="row">
            <DownloadLink run={row.original} />
            {!isActive(row.original) && <RegenerateButton run={row.original} />}
          </div>
        ),
      },
    ],
    [],
  );
  return (
    <>
      <PageHeader
        title="Generated reports"
        description="Reports made on demand or by a schedule. Each records its inputs, so it can be regenerated with the same figures."
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => url.set({ generate: '1' })}
          >
            Generate a report
          </button>
        }
      />
      <div className="filters">
        <Field label="Type">
          {(control) => (
            <select
              {...control}
              value={url.values.type ?? ''}
              onChange={(e) => url.set({ type: e.target.value }, { replace: true })}
            >
              <option value="">Any type</option>
              {(types.data?.types ?? []).map((t) => (
                <option key={t.type} value={t.type}>
                  {t.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ChoiceFilter
          label="Status"
          any="Any status"
          value={url.values.status}
          options={statuses}
          onChange={(value) => url.set({ status: value }, { replace: true })}
        />
      </div>
      {runs.isPending ? (
        <Loading label="Loading the reports…" />
      ) : runs.isError ? (
        <ErrorState
          error={runs.error}
          title="The reports could not be loaded"
          onRetry={() => void runs.refetch()}
        />
      ) : rows.length === 0 ? (
        <EmptyState title="No report yet: generate one." />
      ) : (
        <DataTable
          label="Generated reports"
          rows={rows}
          columns={columns}
          rowId={(run) => run.id}
          rowHeight={56}
          footer={
            runs.hasNextPage ? (
              <button
                type="button"
                className="button"
                disabled={runs.isFetchingNextPage}
                onClick={() => void runs.fetchNextPage()}
              >
                {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            ) : undefined
          }
        />
      )}
      {url.values.generate !== undefined && (
        <GenerateDialog
          onClose={() => url.set({ generate: undefined }, { replace: true })}
          onStarted={(run) => void navigate(`/reports/runs/${run.id}`)}
        />
      )}
    </>
  );
}
