/**
 * The rows a figure counts (/reports/rows?metric=…&key=…&from=…&to=…): `GET /api/v1/metrics/rows`
 * page by page, so every figure of the overview can be checked finding by finding (or change,
 * asset, exception, agent, advisory). Columns are the rows' own fields; each row links to its
 * own screen.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatNumber } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { columnLabel, formatCell } from './format-cell.ts';
import { describeScope, scopeQuery, usePeriodScope } from './period.ts';
import type { MetricName, RowKind } from './types.ts';

type Row = Readonly<Record<string, unknown>>;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Where a row of `kind` is shown, and what it is called. */
export function rowTarget(kind: RowKind, row: Row): { to: string; name: string } | undefined {
  const id = str(row['id']);
  const name =
    str(row['number']) ??
    str(row['advisoryId']) ??
    str(row['name']) ??
    str(row['assetName']) ??
    str(row['title']) ??
    id ??
    'row';
  switch (kind) {
    case 'findings':
      return id === undefined ? undefined : { to: `/findings/${id}`, name };
    case 'changes':
      return id === undefined ? undefined : { to: `/changes/${id}`, name };
    case 'assets':
      return id === undefined ? undefined : { to: `/assets/${id}`, name };
    case 'advisories':
      return id === undefined ? undefined : { to: `/advisories/${encodeURIComponent(id)}`, name };
    case 'exceptions': {
      const finding = str(row['findingId']);
      return finding === undefined
        ? { to: '/exceptions', name }
        : { to: `/findings/${finding}`, name };
    }
    case 'agents': {
      const asset = str(row['assetId']);
      return asset === undefined ? { to: '/admin/agents', name } : { to: `/assets/${asset}`, name };
    }
  }
}

export function MetricRowsScreen() {
  const [params] = useSearchParams();
  const metric = params.get('metric') ?? '';
  const key = params.get('key') ?? undefined;
  const { value: scope } = usePeriodScope();
  // Any name: one the server does not know is its 4xx, shown.
  const query = {
    metric: metric as MetricName,
    ...(key !== undefined && { key }),
    ...scopeQuery(scope),
    limit: 200,
  };
  const rows = useInfiniteQuery({
    queryKey: ['get', '/api/v1/metrics/rows', { params: { query } }],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/metrics/rows', {
          params: { query: { ...query, ...(pageParam !== undefined && { cursor: pageParam }) } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: metric !== '',
  });
  const title = `${metric}${key === undefined ? '' : ` · ${key}`}`;
  const back = `/reports?${new URLSearchParams(scopeQuery(scope)).toString()}`;
  const header = (
    <PageHeader
      title="The rows a figure counts"
      description={
        <>
          <code>{title}</code> for {scope.from} to {scope.to}, {describeScope(scope)}.
        </>
      }
      actions={
        <Link className="button" to={back}>
          Back to the metrics
        </Link>
      }
    />
  );
  const pages = rows.data?.pages;
  const all = useMemo(() => pages?.flatMap((page) => page.rows) ?? [], [pages]);
  const first = pages?.[0];
  const columns = useMemo<ColumnDef<Row, unknown>[]>(() => {
    if (first === undefined) return [];
    const keys: string[] = [];
    for (const row of all.slice(0, 50))
      for (const [name, value] of Object.entries(row))
        if (!keys.includes(name) && (typeof value !== 'object' || value === null)) keys.push(name);
    const shown = keys.filter((name) => name !== 'id' || keys.length === 1);
    return [
      {
        id: 'open',
        header: 'Open',
        enableSorting: false,
        cell: ({ row }) => {
          const target = rowTarget(first.kind, row.original);
          return target === undefined ? '—' : <Link to={target.to}>{target.name}</Link>;
        },
      },
      ...shown.map((name): ColumnDef<Row, unknown> => ({
        id: name,
        header: columnLabel(name),
        accessorFn: (row) => row[name],
        cell: ({ getValue }) => formatCell(getValue()),
      })),
    ];
  }, [first, all]);
  if (metric === '')
    return (
      <>
        {header}
        <EmptyState title="No figure chosen: open one from the metrics." />
      </>
    );
  if (rows.isPending)
    return (
      <>
        {header}
        <Loading label="Loading the rows…" />
      </>
    );
  if (rows.isError)
    return (
      <>
        {header}
        <ErrorState
          error={rows.error}
          title="The rows could not be loaded"
          onRetry={() => void rows.refetch()}
        />
      </>
    );
  return (
    <>
      {header}
      <p className="muted">
        {formatNumber(first?.total ?? 0)} {first?.kind ?? 'rows'} counted;{' '}
        {formatNumber(all.length)} shown.
      </p>
      {all.length === 0 || first === undefined ? (
        <EmptyState title="This figure counts no rows in this period and scope." />
      ) : (
        <DataTable
          label={`Rows of ${title}`}
          rows={all}
          columns={columns}
          rowId={(row) => str(row['id']) ?? JSON.stringify(row)}
          footer={
            rows.hasNextPage ? (
              <button
                type="button"
                className="button"
                disabled={rows.isFetchingNextPage}
                onClick={() => void rows.fetchNextPage()}
              >
                {rows.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            ) : undefined
          }
        />
      )}
    </>
  );
}
