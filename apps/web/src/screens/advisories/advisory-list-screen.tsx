/**
 * /advisories?q=…: the stored OSV advisories, searched by id or alias (`q`: CVE-…, GHSA-…,
 * DEBCL-…) or by package (`ecosystem` + `package`, as GET /api/v1/advisories takes them), in the
 * virtualised table; the next page (cursor `after`) loads as the end comes into view.
 */
import type { FormEvent } from 'react';
import { useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { InfiniteData } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDate, formatNumber } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import type { AdvisoryList, AdvisorySummary } from './osv-view.ts';
import './advisories.css';

const urlKeys = ['q', 'ecosystem', 'package'] as const;

const hasSearch = (values: Partial<Record<(typeof urlKeys)[number], string>>) =>
  values.q !== undefined || values.ecosystem !== undefined || values.package !== undefined;

const ecosystemSuggestions = [
  'Debian:12',
  'Debian:11',
  'Ubuntu:22.04:LTS',
  'Ubuntu:24.04:LTS',
  'AlmaLinux:8',
  'AlmaLinux:9',
  'Rocky Linux:9',
  'Red Hat',
  'Alpine:v3.20',
  'Go',
  'npm',
  'PyPI',
  'Maven',
  'crates.io',
  'RubyGems',
  'NuGet',
  'Packagist',
];

const columns: ColumnDef<AdvisorySummary, unknown>[] = [
  {
    id: 'id',
    header: 'Advisory',
    size: 260,
    cell: ({ row }) => (
      <Link to={`/advisories/${encodeURIComponent(row.original.id)}`} className="advisory-id">
        {row.original.id}
      </Link>
    ),
  },
  {
    id: 'aliases',
    header: 'Aliases',
    cell: ({ row }) =>
      row.original.aliases.length === 0 ? (
        <span className="muted">—</span>
      ) : (
        <span className="alias-list">{row.original.aliases.slice(0, 4).join(', ')}</span>
      ),
  },
  {
    id: 'summary',
    header: 'Summary',
    cell: ({ row }) => (
      <span>
        {row.original.withdrawn !== null && (
          <>
            <Badge tone="warn">withdrawn</Badge>{' '}
          </>
        )}
        {row.original.summary ?? <span className="muted">no summary</span>}
      </span>
    ),
  },
  { id: 'published', header: 'Published', cell: ({ row }) => formatDate(row.original.published) },
  { id: 'modified', header: 'Modified', cell: ({ row }) => formatDate(row.original.modified) },
];

export function AdvisoryListScreen() {
  const url = useUrlState(urlKeys);
  const { values } = url;
  const session = useSession();
  const query = {
    limit: 200,
    ...(values.q !== undefined && { q: values.q }),
    ...(values.ecosystem !== undefined && { ecosystem: values.ecosystem }),
    ...(values.ecosystem !== undefined &&
      values.package !== undefined && { package: values.package }),
  };
  const advisories = useInfiniteQuery<
    AdvisoryList,
    Error,
    InfiniteData<AdvisoryList, string | undefined>,
    readonly unknown[],
    string | undefined
  >({
    queryKey: ['get', '/api/v1/advisories', { params: { query } }],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/advisories', {
          params: { query: { ...query, ...(pageParam !== undefined && { after: pageParam }) } },
          signal,
        }),
      ),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextAfter ?? undefined,
  });
  const rows = useMemo(
    () => advisories.data?.pages.flatMap((page) => page.advisories) ?? [],
    [advisories.data],
  );
  const searching = hasSearch(values);

  return (
    <>
      <PageHeader
        title="Advisories"
        description="OSV records from the configured sources, with the CVE facts (KEV, EPSS, CVSS, SSVC) enrichment sources add."
        actions={
          session.can('advisories:manage') && (
            <Link className="button" to="/admin/sources">
              Advisory sources
            </Link>
          )
        }
      />
      <SearchForm
        key={`${values.q ?? ''}|${values.ecosystem ?? ''}|${values.package ?? ''}`}
        values={values}
        onSearch={(changes) => url.set(changes)}
      />
      {advisories.isPending ? (
        <Loading label="Searching…" />
      ) : advisories.isError ? (
        <ErrorState error={advisories.error} onRetry={() => void advisories.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          title={searching ? 'No advisory matches this search' : 'No advisory is stored yet'}
        >
          {searching ? (
            <p>
              Search by an exact id or alias (<code>CVE-2023-38545</code>, <code>GHSA-…</code>), or
              by ecosystem and package name.
            </p>
          ) : (
            <p>Advisories arrive when a source syncs.</p>
          )}
        </EmptyState>
      ) : (
        <DataTable<AdvisorySummary>
          label={searching ? 'Matching advisories' : 'Advisories'}
          rows={rows}
          columns={columns}
          rowId={(advisory) => advisory.id}
          onEndReached={() => {
            if (advisories.hasNextPage && !advisories.isFetchingNextPage)
              void advisories.fetchNextPage();
          }}
          footer={
            <span role="status">
              {formatNumber(rows.length)} advisor{rows.length === 1 ? 'y' : 'ies'}
              {advisories.hasNextPage && ' (more as you scroll)'}
            </span>
          }
        />
      )}
    </>
  );
}

function SearchForm({
  values,
  onSearch,
}: {
  readonly values: Partial<Record<(typeof urlKeys)[number], string>>;
  readonly onSearch: (changes: Record<(typeof urlKeys)[number], string | undefined>) => void;
}) {
  const id = useId();
  const [q, setQ] = useState(values.q ?? '');
  const [ecosystem, setEcosystem] = useState(values.ecosystem ?? '');
  const [pkg, setPkg] = useState(values.package ?? '');
  const [problem, setProblem] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pkg.trim() !== '' && ecosystem.trim() === '') {
      setProblem('A package search needs its ecosystem.');
      return;
    }
    setProblem(undefined);
    onSearch({ q: q.trim(), ecosystem: ecosystem.trim(), package: pkg.trim() });
  };
  return (
    <form className="filters" role="search" aria-label="Search advisories" onSubmit={submit}>
      <div className="field advisory-search-field">
        <label htmlFor={`${id}-q`}>ID or alias</label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="CVE-2023-38545, GHSA-…, GO-2024-2687"
          spellCheck={false}
          value={q}
          onChange={(event) => setQ(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-ecosystem`}>Ecosystem</label>
        <input
          id={`${id}-ecosystem`}
          list={`${id}-ecosystems`}
          placeholder="Debian:12"
          value={ecosystem}
          onChange={(event) => setEcosystem(event.target.value)}
        />
        <datalist id={`${id}-ecosystems`}>
          {ecosystemSuggestions.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-package`}>Package</label>
        <input
          id={`${id}-package`}
          placeholder="curl"
          spellCheck={false}
          value={pkg}
          onChange={(event) => setPkg(event.target.value)}
        />
      </div>
      <button type="submit" className="button button-primary">
        Search
      </button>
      {hasSearch(values) && (
        <button
          type="button"
          className="button"
          onClick={() => onSearch({ q: undefined, ecosystem: undefined, package: undefined })}
        >
          Clear
        </button>
      )}
      {problem !== undefined && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
