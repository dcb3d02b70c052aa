/**
 * `/changes`: change requests, newest first, filtered and sorted by the API (`GET
 * /api/v1/changes`: state, type, risk, text `q` over number, title and description; sort by
 * created, number, risk or scheduled start, either way); every filter and the sort live in the
 * URL. Pages load as the table is scrolled (keyset cursor).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
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
import type { paths } from '../../api/client.ts';
import type { ChangeSummary } from './change-model.ts';
import { changeStates, changeTypes, riskLevels, riskTone, scopeText } from './change-model.ts';
import './changes.css';
import { Field } from '../../ui/forms.tsx';

const keys = ['state', 'type', 'risk', 'q', 'sort', 'order'] as const;

type ListQuery = NonNullable<paths['/api/v1/changes']['get']['parameters']['query']>;
type ChangeSort = NonNullable<ListQuery['sort']>;

/** The sortable columns and the API sort each one asks for (the others do not sort). */
export const columnSorts: Readonly<Record<string, ChangeSort>> = {
  number: 'number',
  risk: 'risk',
  window: 'scheduled',
  created: 'created',
};
const sortColumn = (sort: string | undefined) =>
  Object.entries(columnSorts).find(([, s]) => s === sort)?.[0];

/** How long the search waits after the last keystroke before it asks the server. */
export const searchDelayMs = 300;

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
    enableSorting: false,
  },
  {
    id: 'state',
    header: 'State',
    accessorFn: (row) => changeStates.indexOf(row.state),
    cell: ({ row }) => <StatusBadge status={row.original.state} />,
    size: 130,
    enableSorting: false,
  },
  {
    id: 'type',
    header: 'Type',
    accessorFn: (row) => row.type,
    size: 110,
    enableSorting: false,
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
    enableSorting: false,
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
    enableSorting: false,
  },
  {
    id: 'created',
    header: 'Created',
    accessorFn: (row) => row.createdAt,
    cell: ({ row }) => formatDateTime(row.original.createdAt),
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

/** The search box: its own draft, put in the URL (and so asked for) once typing pauses. */
function SearchField({
  value,
  onSearch,
}: {
  readonly value: string | undefined;
  readonly onSearch: (q: string | undefined) => void;
}) {
  const [draft, setDraft] = useState(value ?? '');
  const [seen, setSeen] = useState(value);
  // The URL changed elsewhere (back button, "Clear filters"): show it.
  if (seen !== value) {
    setSeen(value);
    setDraft(value ?? '');
  }
  const search = useRef(onSearch);
  useEffect(() => {
    search.current = onSearch;
  });
  useEffect(() => {
    const next = draft.trim() === '' ? undefined : draft.trim();
    if (next === value) return;
    const timer = setTimeout(() => search.current(next), searchDelayMs);
    return () => clearTimeout(timer);
  }, [draft, value]);
  return (
    <Field id="change-filter-text" label="Search">
      {(control) => (
        <input
          {...control}
          type="search"
          placeholder="Number, title, description"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      )}
    </Field>
  );
}

export function ChangeListScreen() {
  const { can } = useSession();
  const url = useUrlState(keys);
  const { values } = url;
  const sort = sortColumn(values.sort) === undefined ? undefined : values.sort;
  const order = values.order === 'asc' || values.order === 'desc' ? values.order : undefined;
  const query = $api.useInfiniteQuery(
    'get',
    '/api/v1/changes',
    {
      params: {
        query: {
          ...(values.state !== undefined && { state: values.state }),
          ...(values.type !== undefined && { type: values.type }),
          ...(values.risk !== undefined && { risk: values.risk }),
          ...(values.q !== undefined && { q: values.q }),
          ...(sort !== undefined && { sort: sort as ChangeSort }),
          ...(order !== undefined && { order }),
          limit: 200,
        },
      },
    },
    {
      initialPageParam: null,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    },
  );
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.changes) ?? [], [query.data]);
  // The server's default: newest first.
  const column = sortColumn(sort ?? 'created') ?? 'created';
  const sorting: SortingState = [{ id: column, desc: order !== 'asc' }];

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
        <SearchField value={values.q} onSearch={(q) => url.set({ q }, { replace: true })} />
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
            values.q === undefined
              ? 'No change matches these filters'
              : `No change matches “${values.q}” with these filters`
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
          manualSorting
          onSortingChange={(updater) => {
            const next = typeof updater === 'function' ? updater(sorting) : updater;
            const first = next[0];
            const chosen = first === undefined ? undefined : columnSorts[first.id];
            // A third click (no sort) goes back to the default: newest first.
            url.set(
              chosen === undefined || (chosen === 'created' && first?.desc === true)
                ? { sort: undefined, order: undefined }
                : { sort: chosen, order: first?.desc === true ? 'desc' : 'asc' },
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
