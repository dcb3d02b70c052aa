/**
 * Typed queries on the inventory context's own tables. No rules here (./service.ts has them)
 * and no API types: rows in, rows out, plus the mapping of a row to the API's Asset.
 */
import type { Kysely, Selectable, SelectQueryBuilder, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { Asset, AssetListQuery, Package } from './schema.ts';
import type {
  AssetLabelTable,
  AssetTable,
  InventorySnapshotTable,
  SnapshotPackageTable,
} from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type AssetRow = Selectable<AssetTable>;
export type SnapshotRow = Omit<Selectable<InventorySnapshotTable>, 'raw_gzip'>;

/**
 * Rows per multi-row INSERT: 500 × 13 columns stays far below SQLite's bound-parameter limit
 * (32,766) and PostgreSQL's (65,535).
 */
export const insertBatchSize = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface AssetWithSnapshot extends AssetRow {
  cs_taken_at: string | null;
  cs_format: string | null;
  cs_package_count: number | null;
}

/** Assets (all of them, or those `from` selects) with their current snapshot's summary. */
function assetsWithSnapshot(from: SelectQueryBuilder<DatabaseSchema, 'assets', object>) {
  return from
    .leftJoin('inventory_snapshots as cs', 'cs.id', 'assets.current_snapshot_id')
    .selectAll('assets')
    .select([
      'cs.taken_at as cs_taken_at',
      'cs.format as cs_format',
      'cs.package_count as cs_package_count',
    ]);
}

function stringArray(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function assetFromRow(row: AssetWithSnapshot): Asset {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Asset['kind'],
    osRelease: row.os_release,
    environment: row.environment as Asset['environment'],
    criticality: row.criticality as Asset['criticality'],
    exposure: row.exposure as Asset['exposure'],
    owner: row.owner_team,
    tags: stringArray(row.tags_json),
    groups: stringArray(row.groups_json),
    maintenanceWindow: row.maintenance_window,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    currentSnapshot:
      row.current_snapshot_id === null
        ? null
        : {
            id: row.current_snapshot_id,
            takenAt: row.cs_taken_at ?? '',
            format: row.cs_format ?? '',
            packageCount: Number(row.cs_package_count ?? 0),
          },
  };
}

export async function findAsset(
  db: Executor,
  id: string,
  lock?: Dialect,
): Promise<AssetWithSnapshot | undefined> {
  if (lock === 'postgres') {
    // Serialise concurrent changes to one asset (uploads number their snapshots from the
    // last one). SQLite has one writer at a time already.
    await db.selectFrom('assets').select('id').where('id', '=', id).forUpdate().execute();
  }
  return assetsWithSnapshot(db.selectFrom('assets')).where('assets.id', '=', id).executeTakeFirst();
}

export async function findAssetsByName(
  db: Executor,
  names: readonly string[],
): Promise<AssetRow[]> {
  const rows: AssetRow[] = [];
  for (const batch of chunks(names, insertBatchSize)) {
    rows.push(...(await db.selectFrom('assets').selectAll().where('name', 'in', batch).execute()));
  }
  return rows;
}

export async function assetNameTaken(
  db: Executor,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let query = db.selectFrom('assets').select('id').where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

function labelRows(rows: readonly AssetRow[]): AssetLabelTable[] {
  return rows.flatMap((row) => [
    ...stringArray(row.tags_json).map((value) => ({
      asset_id: row.id,
      label_kind: 'tag',
      value,
    })),
    ...stringArray(row.groups_json).map((value) => ({
      asset_id: row.id,
      label_kind: 'group',
      value,
    })),
  ]);
}

/** Rewrite the label index rows of these assets from their tags_json and groups_json. */
async function syncLabels(db: Executor, rows: readonly AssetRow[]): Promise<void> {
  for (const batch of chunks(
    rows.map((r) => r.id),
    insertBatchSize,
  )) {
    await db.deleteFrom('asset_labels').where('asset_id', 'in', batch).execute();
  }
  for (const batch of chunks(labelRows(rows), insertBatchSize)) {
    await db.insertInto('asset_labels').values(batch).execute();
  }
}

/** Insert new assets (and their labels), in batches. */
export async function insertAssets(db: Executor, rows: readonly AssetRow[]): Promise<void> {
  for (const batch of chunks(rows, insertBatchSize)) {
    await db.insertInto('assets').values(batch).execute();
  }
  for (const batch of chunks(labelRows(rows), insertBatchSize)) {
    await db.insertInto('asset_labels').values(batch).execute();
  }
}

/** Overwrite existing assets (matched by id) with these rows, in batches. */
export async function updateAssets(db: Executor, rows: readonly AssetRow[]): Promise<void> {
  // One multi-row upsert per batch instead of one UPDATE per asset: the same statement on
  // SQLite (3.24+) and PostgreSQL.
  for (const batch of chunks(rows, insertBatchSize)) {
    await db
      .insertInto('assets')
      .values(batch)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          kind: eb.ref('excluded.kind'),
          os_release: eb.ref('excluded.os_release'),
          environment: eb.ref('excluded.environment'),
          criticality: eb.ref('excluded.criticality'),
          exposure: eb.ref('excluded.exposure'),
          owner_team: eb.ref('excluded.owner_team'),
          tags_json: eb.ref('excluded.tags_json'),
          groups_json: eb.ref('excluded.groups_json'),
          maintenance_window: eb.ref('excluded.maintenance_window'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  await syncLabels(db, rows);
}

export async function setCurrentSnapshot(
  db: Executor,
  assetId: string,
  snapshotId: string,
): Promise<void> {
  await db
    .updateTable('assets')
    .set({ current_snapshot_id: snapshotId })
    .where('id', '=', assetId)
    .execute();
}

/** Delete an asset; its labels, snapshots and packages go with it (ON DELETE CASCADE). */
export async function deleteAsset(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('assets').where('id', '=', id).execute();
}

export async function listAssetIds(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('assets').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Every asset's selector facts (id, name, environment, …), by name. */
export async function listAssetFactRows(db: Executor) {
  return db
    .selectFrom('assets')
    .select([
      'id',
      'name',
      'environment',
      'criticality',
      'exposure',
      'owner_team',
      'tags_json',
      'groups_json',
    ])
    .orderBy('name')
    .execute();
}

export { stringArray };

const sortColumns = {
  name: 'assets.name',
  createdAt: 'assets.created_at',
  updatedAt: 'assets.updated_at',
} as const;

/** Where the previous page ended: the sort column's value and the id. */
export interface Keyset {
  readonly value: string;
  readonly id: string;
}

/** `%`, `_` and the escape character itself are literal in a name search. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The assets matching a list query's filters (not its cursor, sort or limit): one builder for
 * both the page and the total, so the two cannot disagree on what "matching" means.
 */
function matchingAssets(db: Executor, query: AssetListQuery) {
  let q = db.selectFrom('assets');
  if (query.environment !== undefined) q = q.where('assets.environment', '=', query.environment);
  if (query.criticality !== undefined) q = q.where('assets.criticality', '=', query.criticality);
  if (query.exposure !== undefined) q = q.where('assets.exposure', '=', query.exposure);
  if (query.kind !== undefined) q = q.where('assets.kind', '=', query.kind);
  if (query.owner !== undefined) q = q.where('assets.owner_team', '=', query.owner);
  for (const [kind, value] of [
    ['tag', query.tag],
    ['group', query.group],
  ] as const) {
    if (value === undefined) continue;
    q = q.where('assets.id', 'in', (eb) =>
      eb
        .selectFrom('asset_labels')
        .select('asset_labels.asset_id')
        .where('asset_labels.label_kind', '=', kind)
        .where('asset_labels.value', '=', value),
    );
  }
  if (query.q !== undefined) {
    // Portable case-insensitive LIKE: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
    q = q.where(sql<boolean>`lower(assets.name) like ${likePattern(query.q)} escape '\\'`);
  }
  return q;
}

/** One page (plus one row, to tell whether another page follows), keyset-paginated. */
export async function listAssets(
  db: Executor,
  query: AssetListQuery,
  after: Keyset | undefined,
): Promise<AssetWithSnapshot[]> {
  const column = sortColumns[query.sort];
  const op = query.order === 'asc' ? '>' : '<';
  let q = assetsWithSnapshot(matchingAssets(db, query))
    .orderBy(column, query.order)
    .orderBy('assets.id', query.order)
    .limit(query.limit + 1);
  if (after !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb(column, op, after.value),
        eb.and([eb(column, '=', after.value), eb('assets.id', op, after.id)]),
      ]),
    );
  }
  return q.execute();
}

/** How many assets match the query's filters, on every page. */
export async function countAssets(db: Executor, query: AssetListQuery): Promise<number> {
  const row = await matchingAssets(db, query)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  // PostgreSQL's count(*) is a bigint, which the driver hands over as a string.
  return Number(row.n);
}

export function keysetOf(row: AssetRow, sort: AssetListQuery['sort']): Keyset {
  const value = sort === 'name' ? row.name : sort === 'createdAt' ? row.created_at : row.updated_at;
  return { value, id: row.id };
}

const snapshotColumns = [
  'id',
  'asset_id',
  'seq',
  'taken_at',
  'uploaded_at',
  'uploaded_by',
  'format',
  'source_name',
  'os_json',
  'package_count',
  'warnings_json',
  'raw_media_type',
  'raw_sha256',
  'raw_size',
  'packages_pruned_at',
] as const;

export async function lastSnapshotSeq(db: Executor, assetId: string): Promise<number> {
  const row = await db
    .selectFrom('inventory_snapshots')
    .select('seq')
    .where('asset_id', '=', assetId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? 0 : Number(row.seq);
}

export async function insertSnapshot(
  db: Executor,
  row: Selectable<InventorySnapshotTable>,
  packages: readonly Package[],
): Promise<void> {
  await db.insertInto('inventory_snapshots').values(row).execute();
  const rows: SnapshotPackageTable[] = packages.map((pkg, i) => ({
    snapshot_id: row.id,
    seq: i + 1,
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    source_name: pkg.sourceName ?? null,
    source_version: pkg.sourceVersion ?? null,
    purl: pkg.purl ?? null,
    arch: pkg.arch ?? null,
    epoch_unknown: pkg.epochUnknown === true ? 1 : 0,
    location: pkg.location ?? null,
    direct: pkg.direct === undefined ? null : pkg.direct ? 1 : 0,
    dev: pkg.dev === undefined ? null : pkg.dev ? 1 : 0,
  }));
  for (const batch of chunks(rows, insertBatchSize)) {
    await db.insertInto('snapshot_packages').values(batch).execute();
  }
}

/**
 * Delete the package rows of an asset's snapshots numbered `uptoSeq` or lower and mark them
 * pruned. Returns how many snapshots were pruned.
 */
export async function prunePackages(
  db: Executor,
  assetId: string,
  uptoSeq: number,
  now: string,
): Promise<number> {
  const stale = await db
    .selectFrom('inventory_snapshots')
    .select('id')
    .where('asset_id', '=', assetId)
    .where('seq', '<=', uptoSeq)
    .where('packages_pruned_at', 'is', null)
    .execute();
  if (stale.length === 0) return 0;
  const ids = stale.map((r) => r.id);
  await db.deleteFrom('snapshot_packages').where('snapshot_id', 'in', ids).execute();
  await db
    .updateTable('inventory_snapshots')
    .set({ packages_pruned_at: now })
    .where('id', 'in', ids)
    .execute();
  return ids.length;
}

export async function listSnapshots(
  db: Executor,
  assetId: string,
  beforeSeq: number | undefined,
  limit: number,
): Promise<SnapshotRow[]> {
  let q = db
    .selectFrom('inventory_snapshots')
    .select(snapshotColumns)
    .where('asset_id', '=', assetId)
    .orderBy('seq', 'desc')
    .limit(limit);
  if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
  return q.execute();
}

export async function findSnapshot(
  db: Executor,
  assetId: string,
  snapshotId: string,
): Promise<SnapshotRow | undefined> {
  return db
    .selectFrom('inventory_snapshots')
    .select(snapshotColumns)
    .where('asset_id', '=', assetId)
    .where('id', '=', snapshotId)
    .executeTakeFirst();
}

/** The snapshot uploaded just before the one numbered `seq`. */
export async function previousSnapshot(
  db: Executor,
  assetId: string,
  seq: number,
): Promise<SnapshotRow | undefined> {
  return db
    .selectFrom('inventory_snapshots')
    .select(snapshotColumns)
    .where('asset_id', '=', assetId)
    .where('seq', '<', seq)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findRawUpload(
  db: Executor,
  assetId: string,
  snapshotId: string,
): Promise<{ raw_gzip: Buffer; raw_media_type: string; source_name: string } | undefined> {
  return db
    .selectFrom('inventory_snapshots')
    .select(['raw_gzip', 'raw_media_type', 'source_name'])
    .where('asset_id', '=', assetId)
    .where('id', '=', snapshotId)
    .executeTakeFirst();
}

function packageFromRow(row: Selectable<SnapshotPackageTable>): Package {
  return {
    ecosystem: row.ecosystem,
    name: row.name,
    version: row.version,
    ...(row.source_name !== null && { sourceName: row.source_name }),
    ...(row.source_version !== null && { sourceVersion: row.source_version }),
    ...(row.purl !== null && { purl: row.purl }),
    ...(row.arch !== null && { arch: row.arch }),
    ...(Number(row.epoch_unknown) === 1 && { epochUnknown: true }),
    ...(row.location !== null && { location: row.location }),
    ...(row.direct !== null && { direct: Number(row.direct) === 1 }),
    ...(row.dev !== null && { dev: Number(row.dev) === 1 }),
  };
}

export interface PackageFilter {
  readonly ecosystem?: string | undefined;
  readonly name?: string | undefined;
  readonly afterSeq?: number | undefined;
  readonly limit?: number | undefined;
}

/** A snapshot's packages in upload order, with their seq (the page cursor). */
export async function listPackages(
  db: Executor,
  snapshotId: string,
  filter: PackageFilter = {},
): Promise<{ seq: number; pkg: Package }[]> {
  let q = db
    .selectFrom('snapshot_packages')
    .selectAll()
    .where('snapshot_id', '=', snapshotId)
    .orderBy('seq');
  if (filter.ecosystem !== undefined) q = q.where('ecosystem', '=', filter.ecosystem);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  const rows = await q.execute();
  return rows.map((row) => ({ seq: Number(row.seq), pkg: packageFromRow(row) }));
}
