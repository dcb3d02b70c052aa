/**
 * `/changes`: change requests, newest first, filtered by the API's own filters (state, type,
 * risk: `GET /api/v1/changes`) and, over the rows loaded, by text; sortable; every filter and the
 * sort live in the URL. Pages load as the table is scrolled (keyset cursor).
 */
import { useMemo } from 'react';
import { Link } from 'react-router';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef, SortingState } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import type { ChangeSummary } from './change-model.ts';
import { changeStates, changeTypes, riskLevels, riskTone, scopeText } from './change-model.ts';
import './changes.css';
import { Field } from '../../ui/forms.tsx';

const keys = ['state', 'type', 'risk', 'q', 'sort', 'order'] as const;

const columns: ColumnDef<ChangeSummary, unknown>[] = [
  {
    id: 'number',
    header: 'Change',
    accessorFn: (row) => Number(row.number.replace(/\D/g, '')),
    size: 110,
    cell: ({ row }) => (
      <Link to={`/changes/${row.original.number}`} className="mono">
        {row.original.number}
      </Link>
    ),
  },
  {
    id: 'title',
    header: 'Title',
    accessorFn: (row) => row.title,
    cell: ({ row }) => <Link to={`/changes/${row.original.number}`}>{row.original.title}</Link>,
    size: 320,
  },
  {
    id: 'state',
    header: 'State',
    accessorFn: (row) => changeStates.indexOf(row.state),
    cell: ({ row }) => <StatusBadge status={row.original.state} />,
    size: 130,
  },
  {
    id: 'type',
    header: 'Type',
    accessorFn: (row) => row.type,
    size: 110,
  },
  {
    id: 'risk',
    header: 'Risk',
    accessorFn: (row) => row.risk.score,
    cell: ({ row }) => (
      <Badge tone={riskTone[row.original.risk.level]} title={row.original.risk.explanation}>
        {row.original.risk.level} · {row.original.risk.score}
      </Badge>
    ),
    size: 120,
  },
  {
    id: 'scope',
    header: 'Scope',
    accessorFn: (row) => row.counts.assets,
    cell: ({ row }) => {
      return scopeText(row.original.counts);
    },
    size: 250,
  },
  {
    id: 'window',
    header: 'Window',
    accessorFn: (row) => row.schedule?.start ?? '',
    cell: ({ row }) => formatDateTime(row.original.schedule?.start),
    size: 180,
  },
  {
    id: 'requester',
    header: 'Requester',
    accessorFn: (row) => row.requester.name,
    size: 140,
  },
  {
    id: 'updated',
    header: 'Updated',
    accessorFn: (row) => row.updatedAt,
    cell: ({ row }) => formatDateTime(row.original.updatedAt),
    size: 180,
  },
];

function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  readonly label: string;
  readonly value: string | undefined;
  readonly options: readonly string[];
  readonly onChange: (value: string | undefined) => void;
}) {
  const id = `change-filter-${label.toLowerCase()}`;
  // A list from a shared URL (`state=submitted,authorise`) is kept as one choice.
  const custom = value !== undefined && !options.includes(value);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">Any</option>
        {custom && <option value={value}>{value.replaceAll(',', ', ')}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {option.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ChangeListScreen() {
  const { can } = useSession();
  const url = useUrlState(keys);
  const { values } = url;
  const query = $api.useInfiniteQuery(
    'get',
    '/api/v1/changes',
    {
      params: {
        query: {
          ...(values.state !== undefined && { state: values.state }),
          ...(values.type !== undefined && { type: values.type }),
          ...(values.risk !== undefined && { risk: values.risk }),
          limit: 200,
        },
      },
    },
    {
      initialPageParam: null,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    },
  );
  const all = useMemo(() => query.data?.pages.flatMap((page) => page.changes) ?? [], [query.data]);
  const text = (values.q ?? '').trim().toLowerCase();
  const rows = useMemo(
    () =>
      text === ''
        ? all
        : all.filter((c) =>
            `${c.number} ${c.title} ${c.description} ${c.requester.name}`
              .toLowerCase()
              .includes(text),
          ),
    [all, text],
  );
  const sorting: SortingState =
    values.sort === undefined ? [] : [{ id: values.sort, desc: values.order !== 'asc' }];

  return (
    <>
      <PageHeader
        title="Changes"
        description="Change requests from draft to review: what is patched where, its risk, its approvals."
        actions={
          <>
            <Link className="button" to="/cab">
              CAB agenda
            </Link>
            {can('changes:request') && (
              <Link className="button button-primary" to="/changes/new">
                New change
              </Link>
            )}
          </>
        }
      />
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field id="change-filter-text" label="Search">
          {(control) => (
            <input
              {...control}
              type="search"
              placeholder="Number, title, requester"
              value={values.q ?? ''}
              onChange={(e) => url.set({ q: e.target.value }, { replace: true })}
            />
          )}
        </Field>
        <FilterSelect
          label="State"
          value={values.state}
          options={changeStates}
          onChange={(state) => url.set({ state })}
        />
        <FilterSelect
          label="Type"
          value={values.type}
          options={changeTypes}
          onChange={(type) => url.set({ type })}
        />
        <FilterSelect
          label="Risk"
          value={values.risk}
          options={riskLevels}
          onChange={(risk) => url.set({ risk })}
        />
        {(values.state ?? values.type ?? values.risk ?? values.q) !== undefined && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() =>
              url.set({ state: undefined, type: undefined, risk: undefined, q: undefined })
            }
          >
            Clear filters
          </button>
        )}
      </form>
      {query.isPending ? (
        <Loading label="Loading changes…" />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          title={
            all.length === 0 ? 'No change matches these filters' : 'No change matches this search'
          }
        >
          {can('changes:request') && (
            <p>
              Start one from findings (
              <Link to="/findings?priority=P1,P2">the P1 and P2 findings</Link>) or{' '}
              <Link to="/changes/new">by hand</Link>.
            </p>
          )}
        </EmptyState>
      ) : (
        <DataTable
          label="Changes"
          rows={rows}
          columns={columns}
          rowId={(row) => row.id}
          sorting={sorting}
          onSortingChange={(updater) => {
            const next = typeof updater === 'function' ? updater(sorting) : updater;
            const first = next[0];
            url.set(
              first === undefined
                ? { sort: undefined, order: undefined }
                : { sort: first.id, order: first.desc ? 'desc' : 'asc' },
              { replace: true },
            );
          }}
          onEndReached={() => {
            if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
          }}
          footer={
            <span className="muted small" aria-live="polite">
              {formatNumber(rows.length)} change{rows.length === 1 ? '' : 's'}
              {query.hasNextPage ? ' shown, more as you scroll' : ''}
              {query.isFetchingNextPage ? ' — loading more…' : ''}
            </span>
          }
        />
      )}
    </>
  );
}
