/**
 * The asset's inventory history (GET …/snapshots, newest first) and the diff between two of them
 * (GET …/snapshots/diff?from=&to=: added, removed and changed packages). The two chosen
 * snapshots live in the URL (`?from=&to=`); none chosen: the current one against the one before,
 * as the API defaults.
 */
import { $api } from '../../api/query.ts';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { formatBytes } from './asset-upload.tsx';
import type {
  Asset,
  InstalledPackage,
  PackageChange,
  Snapshot,
  SnapshotDiff,
} from './asset-types.ts';

export function SnapshotsTab({
  asset,
  from,
  to,
  onPick,
  onOpen,
}: {
  readonly asset: Asset;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly onPick: (changes: { from?: string | undefined; to?: string | undefined }) => void;
  readonly onOpen: (snapshotId: string) => void;
}) {
  const snapshots = $api.useQuery('get', '/api/v1/assets/{id}/snapshots', {
    params: { path: { id: asset.id }, query: { limit: 200 } },
  });
  return (
    <>
      <Section title="Snapshot history">
        <QueryState
          query={snapshots}
          isEmpty={(data) => data.snapshots.length === 0}
          empty={<EmptyState title="No inventory has been uploaded for this asset yet" />}
        >
          {(data) => (
            <SnapshotTable
              assetId={asset.id}
              snapshots={data.snapshots}
              currentId={asset.currentSnapshot?.id}
              from={from ?? data.snapshots[1]?.id}
              to={to ?? data.snapshots[0]?.id}
              onPick={onPick}
              onOpen={onOpen}
            />
          )}
        </QueryState>
      </Section>
      {snapshots.isSuccess && snapshots.data.snapshots.length > 0 && (
        <DiffSection asset={asset} from={from} to={to} snapshots={snapshots.data.snapshots} />
      )}
    </>
  );
}

/** The snapshot's file as it was uploaded (GET …/raw: an attachment, the session cookie sent). */
export const rawUrl = (assetId: string, snapshotId: string) =>
  `/api/v1/assets/${encodeURIComponent(assetId)}/snapshots/${encodeURIComponent(snapshotId)}/raw`;

function SnapshotTable({
  assetId,
  snapshots,
  currentId,
  from,
  to,
  onPick,
  onOpen,
}: {
  readonly assetId: string;
  readonly snapshots: readonly Snapshot[];
  readonly currentId: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly onPick: (changes: { from?: string | undefined; to?: string | undefined }) => void;
  readonly onOpen: (snapshotId: string) => void;
}) {
  return (
    <div className="table-scroll">
      <table className="simple-table">
        <caption className="visually-hidden">
          Inventory snapshots, newest first; choose two to compare
        </caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Taken</th>
            <th scope="col">Uploaded</th>
            <th scope="col">Format</th>
            <th scope="col">Source</th>
            <th scope="col">OS</th>
            <th scope="col">Packages</th>
            <th scope="col">File</th>
            <th scope="col">Compare</th>
          </tr>
        </thead>
        <tbody>
          {snapshots.map((snapshot) => (
            <tr key={snapshot.id}>
              <td>
                {snapshot.seq} {snapshot.id === currentId && <Badge tone="info">current</Badge>}
              </td>
              <td>{formatDateTime(snapshot.takenAt)}</td>
              <td>{formatDateTime(snapshot.uploadedAt)}</td>
              <td>
                <code>{snapshot.format}</code>
              </td>
              <td>{snapshot.sourceName}</td>
              <td>{snapshot.os?.ecosystem ?? snapshot.os?.id ?? '—'}</td>
              <td>
                {snapshot.packagesPruned ? (
                  <span>
                    {formatNumber(snapshot.packageCount)} <Badge>pruned</Badge>
                  </span>
                ) : (
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => onOpen(snapshot.id)}
                    aria-label={`Show the ${snapshot.packageCount} packages of snapshot ${snapshot.seq}`}
                  >
                    {formatNumber(snapshot.packageCount)}
                  </button>
                )}
                {snapshot.warnings.length > 0 && (
                  <span className="muted small" title={snapshot.warnings.join('\n')}>
                    {' '}
                    {snapshot.warnings.length} warning{snapshot.warnings.length === 1 ? '' : 's'}
                  </span>
                )}
              </td>
              <td>
                <a
                  className="button button-small"
                  href={rawUrl(assetId, snapshot.id)}
                  download={snapshot.sourceName}
                  aria-label={`Download the file of snapshot ${snapshot.seq} (${snapshot.sourceName}, ${formatBytes(snapshot.rawSize)})`}
                >
                  Download
                </a>{' '}
                <span className="muted small">{formatBytes(snapshot.rawSize)}</span>
              </td>
              <td>
                <span className="snapshot-pick">
                  <label>
                    <input
                      type="radio"
                      name="diff-from"
                      checked={from === snapshot.id}
                      onChange={() => onPick({ from: snapshot.id })}
                    />
                    from<span className="visually-hidden"> snapshot {snapshot.seq}</span>
                  </label>
                  <label>
                    <input
                      type="radio"
                      name="diff-to"
                      checked={to === snapshot.id}
                      onChange={() => onPick({ to: snapshot.id })}
                    />
                    to<span className="visually-hidden"> snapshot {snapshot.seq}</span>
                  </label>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DiffSection({
  asset,
  from,
  to,
  snapshots,
}: {
  readonly asset: Asset;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly snapshots: readonly Snapshot[];
}) {
  const seqOf = (id: string | null | undefined) =>
    id === null || id === undefined ? undefined : snapshots.find((s) => s.id === id)?.seq;
  const diff = $api.useQuery('get', '/api/v1/assets/{id}/snapshots/diff', {
    params: {
      path: { id: asset.id },
      query: { ...(from !== undefined && { from }), ...(to !== undefined && { to }) },
    },
  });
  const title =
    diff.data === undefined
      ? 'What changed'
      : diff.data.from === null
        ? `What changed: first snapshot #${seqOf(diff.data.to) ?? '?'} (everything added)`
        : `What changed: #${seqOf(diff.data.from) ?? '?'} → #${seqOf(diff.data.to) ?? '?'}`;
  return (
    <Section title={title}>
      {diff.isPending ? (
        <Loading label="Comparing…" />
      ) : diff.isError ? (
        <ErrorState
          error={diff.error}
          title={
            diff.error.status === 410
              ? 'One of these snapshots was pruned: its packages are no longer kept'
              : 'The diff could not be computed'
          }
          onRetry={() => void diff.refetch()}
        />
      ) : (
        <DiffView diff={diff.data} />
      )}
    </Section>
  );
}

const pkgKey = (pkg: InstalledPackage) =>
  `${pkg.ecosystem}|${pkg.name}|${pkg.arch ?? ''}|${pkg.version}|${pkg.location ?? ''}`;

export function DiffView({ diff }: { readonly diff: SnapshotDiff }) {
  const { added, removed, changed } = diff;
  if (added.length + removed.length + changed.length === 0)
    return <EmptyState title="The two snapshots list the same packages" />;
  return (
    <>
      <p className="diff-counts" role="status">
        <span>
          <strong>{formatNumber(added.length)}</strong> added
        </span>
        <span>
          <strong>{formatNumber(removed.length)}</strong> removed
        </span>
        <span>
          <strong>{formatNumber(changed.length)}</strong> changed
        </span>
      </p>
      {changed.length > 0 && <ChangedTable changed={changed} />}
      {added.length > 0 && (
        <PackageTable title="Added" sign="+" className="diff-added" packages={added} />
      )}
      {removed.length > 0 && (
        <PackageTable title="Removed" sign="−" className="diff-removed" packages={removed} />
      )}
    </>
  );
}

const directionTone = {
  upgraded: 'ok',
  downgraded: 'warn',
  equivalent: 'neutral',
  unknown: 'neutral',
} as const;

const changedColumns: ColumnDef<PackageChange, unknown>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Package',
    cell: ({ row }) => (
      <>
        {row.original.name}
        {row.original.arch !== undefined && (
          <span className="muted small"> {row.original.arch}</span>
        )}
      </>
    ),
  },
  { id: 'ecosystem', accessorKey: 'ecosystem', header: 'Ecosystem' },
  {
    id: 'from',
    accessorKey: 'from',
    header: 'From',
    cell: ({ row }) => <code>{row.original.from}</code>,
  },
  { id: 'to', accessorKey: 'to', header: 'To', cell: ({ row }) => <code>{row.original.to}</code> },
  {
    id: 'direction',
    accessorKey: 'direction',
    header: 'Direction',
    cell: ({ row }) => (
      <Badge tone={directionTone[row.original.direction]}>{row.original.direction}</Badge>
    ),
  },
];

function ChangedTable({ changed }: { readonly changed: readonly PackageChange[] }) {
  return (
    <div className="diff-block">
      <h3>Changed</h3>
      <DataTable<PackageChange>
        label="Changed packages"
        rows={changed}
        columns={changedColumns}
        rowId={(change) => `${change.ecosystem}|${change.name}|${change.arch ?? ''}`}
        height="24rem"
        rowHeight={36}
      />
    </div>
  );
}

const packageColumns = (
  sign: string,
  className: string,
): ColumnDef<InstalledPackage, unknown>[] => [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Package',
    cell: ({ row }) => (
      <>
        <span className={`diff-sign ${className}`} aria-hidden="true">
          {sign}
        </span>
        {row.original.name}
        {row.original.arch !== undefined && (
          <span className="muted small"> {row.original.arch}</span>
        )}
      </>
    ),
  },
  { id: 'ecosystem', accessorKey: 'ecosystem', header: 'Ecosystem' },
  {
    id: 'version',
    accessorKey: 'version',
    header: 'Version',
    cell: ({ row }) => <code>{row.original.version}</code>,
  },
];

function PackageTable({
  title,
  sign,
  className,
  packages,
}: {
  readonly title: string;
  readonly sign: string;
  readonly className: string;
  readonly packages: readonly InstalledPackage[];
}) {
  return (
    <div className="diff-block">
      <h3>{title}</h3>
      <DataTable<InstalledPackage>
        label={`${title} packages`}
        rows={packages}
        columns={packageColumns(sign, className)}
        rowId={pkgKey}
        height="24rem"
        rowHeight={36}
      />
    </div>
  );
}
