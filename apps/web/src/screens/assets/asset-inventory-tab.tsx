/**
 * The packages of one snapshot (the current one unless `?snapshot=`): pages of 1,000 are loaded
 * one after another until the whole list is here (the API filters by exact name only), then
 * searched here by name, source package or version, and shown in the virtualised table.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { InfiniteData } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatNumber } from '../../ui/format.ts';
import { Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import type { Asset, InstalledPackage, PackagePage } from './asset-types.ts';

const columns: ColumnDef<InstalledPackage, unknown>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Package',
    cell: ({ row }) => <strong>{row.original.name}</strong>,
  },
  {
    id: 'version',
    accessorKey: 'version',
    header: 'Version',
    cell: ({ row }) => <code>{row.original.version}</code>,
  },
  {
    id: 'source',
    accessorFn: (pkg) => pkg.sourceName ?? '',
    header: 'Source package',
    cell: ({ row }) =>
      row.original.sourceName === undefined ? (
        <span className="muted">—</span>
      ) : (
        <span>
          {row.original.sourceName}
          {row.original.sourceVersion !== undefined &&
            row.original.sourceVersion !== row.original.version && (
              <span className="muted small"> {row.original.sourceVersion}</span>
            )}
        </span>
      ),
  },
  { id: 'ecosystem', accessorKey: 'ecosystem', header: 'Ecosystem' },
  { id: 'arch', accessorFn: (pkg) => pkg.arch ?? '', header: 'Arch' },
  {
    id: 'scope',
    header: 'Dependency',
    enableSorting: false,
    cell: ({ row }) =>
      row.original.direct === undefined ? (
        <span className="muted">—</span>
      ) : (
        `${row.original.direct ? 'direct' : 'transitive'}${row.original.dev === true ? ', dev' : ''}`
      ),
  },
];

export function InventoryTab({
  asset,
  snapshotId,
  search,
  ecosystem,
  onChange,
}: {
  readonly asset: Asset;
  readonly snapshotId: string | undefined;
  readonly search: string;
  readonly ecosystem: string | undefined;
  readonly onChange: (changes: {
    pkg?: string | undefined;
    ecosystem?: string | undefined;
  }) => void;
}) {
  if (snapshotId === undefined) return <NoInventory />;
  return (
    <PackageList
      key={snapshotId}
      asset={asset}
      snapshotId={snapshotId}
      search={search}
      ecosystem={ecosystem}
      onChange={onChange}
    />
  );
}

function NoInventory() {
  const { can } = useSession();
  return (
    <EmptyState title="No inventory yet">
      {can('assets:write') ? (
        <p>
          Upload one with <strong>Upload inventory</strong> above (an SBOM, a lockfile or a package
          list), with <code>patchgate inventory upload</code>, or let an agent report it.
        </p>
      ) : (
        <p>
          An agent reports it, or someone with the <code>assets:write</code> permission uploads one.
        </p>
      )}
    </EmptyState>
  );
}

function PackageList({
  asset,
  snapshotId,
  search,
  ecosystem,
  onChange,
}: {
  readonly asset: Asset;
  readonly snapshotId: string;
  readonly search: string;
  readonly ecosystem: string | undefined;
  readonly onChange: (changes: {
    pkg?: string | undefined;
    ecosystem?: string | undefined;
  }) => void;
}) {
  const id = useId();
  const [sorting, setSorting] = useState([{ id: 'name', desc: false }]);
  const packages = useInfiniteQuery<
    PackagePage,
    Error,
    InfiniteData<PackagePage, number | undefined>,
    readonly unknown[],
    number | undefined
  >({
    queryKey: [
      'get',
      '/api/v1/assets/{id}/snapshots/{snapshotId}/packages',
      { params: { path: { id: asset.id, snapshotId } } },
    ],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/assets/{id}/snapshots/{snapshotId}/packages', {
          params: {
            path: { id: asset.id, snapshotId },
            query: { limit: 1000, ...(pageParam !== undefined && { afterSeq: pageParam }) },
          },
          signal,
        }),
      ),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextAfterSeq ?? undefined,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage, isError } = packages;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, isError, fetchNextPage]);
  const all = useMemo(
    () => packages.data?.pages.flatMap((page) => page.packages) ?? [],
    [packages.data],
  );
  const ecosystems = useMemo(() => [...new Set(all.map((pkg) => pkg.ecosystem))].sort(), [all]);
  const rows = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return all.filter(
      (pkg) =>
        (ecosystem === undefined || pkg.ecosystem === ecosystem) &&
        (needle === '' ||
          pkg.name.toLowerCase().includes(needle) ||
          (pkg.sourceName?.toLowerCase().includes(needle) ?? false) ||
          pkg.version.toLowerCase().includes(needle)),
    );
  }, [all, search, ecosystem]);
  const current = snapshotId === asset.currentSnapshot?.id;

  return (
    <Section
      title={
        current ? 'Installed packages (current inventory)' : 'Installed packages (older snapshot)'
      }
    >
      <form
        className="filters"
        role="search"
        aria-label="Search the packages"
        onSubmit={(event) => event.preventDefault()}
      >
        <div className="field">
          <label htmlFor={`${id}-search`}>Search packages</label>
          <input
            id={`${id}-search`}
            type="search"
            placeholder="openssl"
            value={search}
            onChange={(event) => onChange({ pkg: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-ecosystem`}>Ecosystem</label>
          <select
            id={`${id}-ecosystem`}
            value={ecosystem ?? ''}
            onChange={(event) => onChange({ ecosystem: event.target.value })}
          >
            <option value="">any</option>
            {ecosystems.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </form>
      {packages.isPending ? (
        <Loading label="Loading the packages…" />
      ) : packages.isError ? (
        <ErrorState
          error={packages.error}
          title={
            packages.error instanceof ApiError && packages.error.status === 410
              ? 'The packages of this snapshot were pruned (only the latest snapshots keep them)'
              : 'The packages could not be loaded'
          }
          onRetry={() => void packages.refetch()}
        />
      ) : all.length === 0 ? (
        <EmptyState title="This snapshot lists no package" />
      ) : rows.length === 0 ? (
        <EmptyState title="No package matches this search" />
      ) : (
        <DataTable<InstalledPackage>
          label="Installed packages"
          rows={rows}
          columns={columns}
          rowId={(pkg) =>
            `${pkg.ecosystem}|${pkg.name}|${pkg.arch ?? ''}|${pkg.version}|${pkg.location ?? ''}`
          }
          sorting={sorting}
          onSortingChange={(updater) =>
            setSorting((previous) =>
              (typeof updater === 'function' ? updater(previous) : updater).map((sort) => ({
                id: sort.id,
                desc: sort.desc,
              })),
            )
          }
          height="60vh"
          rowHeight={38}
          footer={
            <span role="status">
              {formatNumber(rows.length)} of {formatNumber(all.length)} packages
              {hasNextPage && ' · loading more…'}
            </span>
          }
        />
      )}
    </Section>
  );
}
