/**
 * The inventory context's rules: assets (create, change, delete, bulk import), inventory
 * uploads (any format @patchgate/inventory reads, or a JSON package list) and their history.
 * Every change commits with its audit event in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { InstalledPackage, Inventory, OsRelease } from '@patchgate/inventory';
import type { AssetFacts } from '@patchgate/model';
import { osReleaseFromFlag, withRelease } from '@patchgate/inventory';
import { settleOsRelease } from '@patchgate/scan-pipeline';
import { ecosystemBase, isDistributionEcosystem } from '@patchgate/versioning';
import type { ServerContext } from '../../context.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import { cursorError, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { ApiError, ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { publishEvent } from '../../events/index.ts';
import { diffPackages } from './diff.ts';
import type { InventoryParser } from './parse-pool.ts';
import type { RawEvidence, UploadSource } from './parse-upload.ts';
import { rawEvidence } from './parse-upload.ts';
import type { AssetRow, AssetWithSnapshot, Keyset, SnapshotRow } from './repository.ts';
import * as repo from './repository.ts';
import type {
  Asset,
  AssetCreate,
  AssetImport,
  AssetImportResult,
  AssetListQuery,
  AssetPage,
  AssetUpdate,
  DiffQuery,
  Package,
  PackageListQuery,
  SnapshotDiff,
  SnapshotListQuery,
  SnapshotSummary,
  SnapshotUpload,
} from './schema.ts';

/** Who made a change: `auditSource(request)` for HTTP calls. */
export type ChangeSource = RequestSource;

/**
 * Snapshots per asset that keep their package rows: the current one and the two before it
 * (enough for "what changed since last time"). Older snapshots keep their metadata and the
 * raw upload, which is the evidence; their packages are gone (readme.md, "Retention").
 */
export const packageRetention = 3;

/** The largest inventory text accepted after gzip decoding. */
export const maxInventoryBytes = 64 * 1024 * 1024;

function normaliseLabels(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort();
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function asRow(asset: AssetWithSnapshot): AssetRow {
  return {
    id: asset.id,
    name: asset.name,
    kind: asset.kind,
    os_release: asset.os_release,
    environment: asset.environment,
    criticality: asset.criticality,
    exposure: asset.exposure,
    owner_team: asset.owner_team,
    tags_json: asset.tags_json,
    groups_json: asset.groups_json,
    maintenance_window: asset.maintenance_window,
    created_at: asset.created_at,
    updated_at: asset.updated_at,
    current_snapshot_id: asset.current_snapshot_id,
  };
}

function withoutSnapshot(row: AssetRow): AssetWithSnapshot {
  return { ...row, cs_taken_at: null, cs_format: null, cs_package_count: null };
}

async function requireAsset(database: Database, id: string): Promise<AssetWithSnapshot> {
  const asset = await repo.findAsset(database.db, id);
  if (asset === undefined) throw new NotFoundError('The asset');
  return asset;
}

export async function getAsset(database: Database, id: string): Promise<Asset | undefined> {
  const row = await repo.findAsset(database.db, id);
  return row === undefined ? undefined : repo.assetFromRow(row);
}

export async function createAsset(
  ctx: ServerContext,
  source: ChangeSource,
  input: AssetCreate,
): Promise<Asset> {
  const now = timestamp(ctx.clock);
  const row: AssetRow = {
    id: randomUUID(),
    name: input.name,
    kind: input.kind,
    os_release: input.osRelease ?? null,
    environment: input.environment ?? null,
    criticality: input.criticality,
    exposure: input.exposure,
    owner_team: input.owner ?? null,
    tags_json: JSON.stringify(normaliseLabels(input.tags)),
    groups_json: JSON.stringify(normaliseLabels(input.groups)),
    maintenance_window: input.maintenanceWindow ?? null,
    created_at: now,
    updated_at: now,
    current_snapshot_id: null,
  };
  const asset = repo.assetFromRow(withoutSnapshot(row));
  const { database } = ctx;
  try {
    await database.db.transaction().execute(async (trx) => {
      if (await repo.assetNameTaken(trx, row.name)) throw nameConflict(row.name);
      await repo.insertAssets(trx, [row]);
      await appendAuditEvent(trx, database.dialect, ctx.clock, {
        ...source,
        action: 'asset.created',
        subjectType: 'asset',
        subjectId: row.id,
        after: asset,
      });
    });
  } catch (error) {
    throw isUniqueViolation(error) ? nameConflict(row.name) : error;
  }
  return asset;
}

function nameConflict(name: string): ConflictError {
  return new ConflictError(`An asset named "${name}" already exists`);
}

/** The fields an update or an import entry may set, applied over a row. */
function applyChanges(row: AssetRow, changes: AssetUpdate): AssetRow {
  return {
    ...row,
    ...(changes.name !== undefined && { name: changes.name }),
    ...(changes.kind !== undefined && { kind: changes.kind }),
    ...(changes.osRelease !== undefined && { os_release: changes.osRelease }),
    ...(changes.environment !== undefined && { environment: changes.environment }),
    ...(changes.criticality !== undefined && { criticality: changes.criticality }),
    ...(changes.exposure !== undefined && { exposure: changes.exposure }),
    ...(changes.owner !== undefined && { owner_team: changes.owner }),
    ...(changes.tags !== undefined && {
      tags_json: JSON.stringify(normaliseLabels(changes.tags)),
    }),
    ...(changes.groups !== undefined && {
      groups_json: JSON.stringify(normaliseLabels(changes.groups)),
    }),
    ...(changes.maintenanceWindow !== undefined && {
      maintenance_window: changes.maintenanceWindow,
    }),
  };
}

const editableColumns = [
  'name',
  'kind',
  'os_release',
  'environment',
  'criticality',
  'exposure',
  'owner_team',
  'tags_json',
  'groups_json',
  'maintenance_window',
] as const;

function sameFields(a: AssetRow, b: AssetRow): boolean {
  return editableColumns.every((column) => a[column] === b[column]);
}

/** The asset attributes findings are prioritised and filtered by, with their API names. */
const contextColumns = {
  name: 'name',
  os_release: 'osRelease',
  environment: 'environment',
  criticality: 'criticality',
  exposure: 'exposure',
  owner_team: 'owner',
  tags_json: 'tags',
  groups_json: 'groups',
} as const;

/** Publish `asset.context-changed` when an attribute findings depend on changed. */
async function publishContextChange(
  trx: Parameters<typeof publishEvent>[0],
  ctx: ServerContext,
  source: ChangeSource,
  before: AssetRow,
  after: AssetRow,
): Promise<void> {
  const fields = Object.entries(contextColumns).flatMap(([column, field]) =>
    before[column as keyof typeof contextColumns] === after[column as keyof typeof contextColumns]
      ? []
      : [field],
  );
  if (fields.length === 0) return;
  await publishEvent(
    trx,
    ctx.clock,
    'asset.context-changed',
    { assetId: after.id, fields },
    { createdBy: source.actor.id },
  );
}

export async function updateAsset(
  ctx: ServerContext,
  source: ChangeSource,
  id: string,
  changes: AssetUpdate,
): Promise<Asset> {
  const { database } = ctx;
  try {
    return await database.db.transaction().execute(async (trx) => {
      const current = await repo.findAsset(trx, id, database.dialect);
      if (current === undefined) throw new NotFoundError('The asset');
      const before = asRow(current);
      const changed = applyChanges(before, changes);
      // Nothing to change: no write, no audit event, the asset as it is.
      if (sameFields(before, changed)) return repo.assetFromRow(current);
      if (changed.name !== before.name && (await repo.assetNameTaken(trx, changed.name, id))) {
        throw nameConflict(changed.name);
      }
      const after: AssetRow = { ...changed, updated_at: timestamp(ctx.clock) };
      await repo.updateAssets(trx, [after]);
      // Findings carry the asset's attributes and are matched under its declared release: an
      // event lets the findings context re-match and re-prioritise.
      await publishContextChange(trx, ctx, source, before, after);
      const afterAsset = repo.assetFromRow({ ...current, ...after });
      await appendAuditEvent(trx, database.dialect, ctx.clock, {
        ...source,
        action: 'asset.updated',
        subjectType: 'asset',
        subjectId: id,
        before: repo.assetFromRow(current),
        after: afterAsset,
      });
      return afterAsset;
    });
  } catch (error) {
    throw isUniqueViolation(error) ? nameConflict(changes.name ?? '') : error;
  }
}

/**
 * Delete an asset with its history (hard delete: the name is free again; the audit event
 * keeps what it was) and ask the findings context to close what it had found on it.
 */
export async function deleteAsset(ctx: ServerContext, source: ChangeSource, id: string) {
  const { database } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const current = await repo.findAsset(trx, id, database.dialect);
    if (current === undefined) throw new NotFoundError('The asset');
    await repo.deleteAsset(trx, id);
    await publishEvent(
      trx,
      ctx.clock,
      'inventory.asset-deleted',
      { assetId: id },
      {
        createdBy: source.actor.id,
      },
    );
    await appendAuditEvent(trx, database.dialect, ctx.clock, {
      ...source,
      action: 'asset.deleted',
      subjectType: 'asset',
      subjectId: id,
      before: repo.assetFromRow(current),
    });
  });
}

/**
 * Upsert assets by name in one transaction. An entry for a new name is created with the
 * defaults of a create; for an existing name only the fields it carries change.
 */
export async function importAssets(
  ctx: ServerContext,
  source: ChangeSource,
  entries: AssetImport,
): Promise<AssetImportResult> {
  const seen = new Map<string, number>();
  const duplicates = entries.flatMap((entry, index) => {
    const first = seen.get(entry.name);
    if (first === undefined) seen.set(entry.name, index);
    return first === undefined
      ? []
      : [{ field: `body[${index}].name`, message: `repeats body[${first}].name "${entry.name}"` }];
  });
  if (duplicates.length > 0) {
    throw new ValidationError(
      `${duplicates.length} asset name(s) appear more than once in the import`,
      duplicates.slice(0, 100),
    );
  }
  const { database } = ctx;
  const now = timestamp(ctx.clock);
  return database.db.transaction().execute(async (trx) => {
    const existing = new Map(
      (
        await repo.findAssetsByName(
          trx,
          entries.map((e) => e.name),
        )
      ).map((row) => [row.name, row]),
    );
    const created: AssetRow[] = [];
    const updated: AssetRow[] = [];
    let unchanged = 0;
    for (const entry of entries) {
      const old = existing.get(entry.name);
      if (old === undefined) {
        created.push(
          applyChanges(
            {
              id: randomUUID(),
              name: entry.name,
              kind: 'host',
              os_release: null,
              environment: null,
              criticality: 'medium',
              exposure: 'unknown',
              owner_team: null,
              tags_json: '[]',
              groups_json: '[]',
              maintenance_window: null,
              created_at: now,
              updated_at: now,
              current_snapshot_id: null,
            },
            entry,
          ),
        );
        continue;
      }
      const next = applyChanges(old, entry);
      if (sameFields(old, next)) unchanged++;
      else updated.push({ ...next, updated_at: now });
    }
    await repo.insertAssets(trx, created);
    await repo.updateAssets(trx, updated);
    for (const row of updated) {
      const old = existing.get(row.name);
      if (old !== undefined) await publishContextChange(trx, ctx, source, old, row);
    }
    const result = { created: created.length, updated: updated.length, unchanged };
    await appendAuditEvent(trx, database.dialect, ctx.clock, {
      ...source,
      action: 'asset.imported',
      subjectType: 'asset',
      subjectId: null,
      after: { ...result, total: entries.length },
    });
    return result;
  });
}

interface Cursor {
  readonly sort: AssetListQuery['sort'];
  readonly order: AssetListQuery['order'];
  readonly after: Keyset;
}

function encodeAssetCursor(cursor: Cursor): string {
  return encodeCursor([cursor.sort, cursor.order, cursor.after.value, cursor.after.id]);
}

function decodeAssetCursor(text: string, query: AssetListQuery): Keyset {
  const [sort, order, value, id] = decodeCursor(text, ['string', 'string', 'string', 'string']) as [
    string,
    string,
    string,
    string,
  ];
  if (sort !== query.sort || order !== query.order) {
    throw cursorError(`was made for sort=${sort}&order=${order}; pass the same sort and order`);
  }
  return { value, id };
}

export async function listAssets(database: Database, query: AssetListQuery): Promise<AssetPage> {
  const after = query.cursor === undefined ? undefined : decodeAssetCursor(query.cursor, query);
  const rows = await repo.listAssets(database.db, query, after);
  const total = await repo.countAssets(database.db, query);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    assets: page.map((row) => repo.assetFromRow(row)),
    total,
    nextCursor:
      rows.length > query.limit && last !== undefined
        ? encodeAssetCursor({
            sort: query.sort,
            order: query.order,
            after: repo.keysetOf(last, query.sort),
          })
        : null,
  };
}

/**
 * Every asset as the facts an asset selector looks at (maintenance windows, freezes, change
 * scopes), by name: what other contexts evaluate `@patchgate/model` selectors against.
 */
export async function listAssetFacts(database: Database): Promise<AssetFacts[]> {
  const rows = await repo.listAssetFactRows(database.db);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    environment: row.environment as AssetFacts['environment'],
    criticality: row.criticality as AssetFacts['criticality'],
    exposure: row.exposure as AssetFacts['exposure'],
    team: row.owner_team,
    tags: repo.stringArray(row.tags_json),
    groups: repo.stringArray(row.groups_json),
  }));
}

export async function listAssetIds(database: Database): Promise<string[]> {
  return repo.listAssetIds(database.db);
}

/** An inventory ready to store: parsed, with its release applied, and the raw evidence. */
interface ReadyInventory {
  readonly format: string;
  readonly sourceName: string;
  readonly takenAt: string | undefined;
  readonly os: OsRelease | undefined;
  readonly packages: readonly InstalledPackage[];
  readonly warnings: readonly string[];
  readonly raw: RawEvidence;
}

/**
 * The release applied to an upload's packages, settled as the CLI's scan settles it
 * (`settleOsRelease`): the inventory's own detection when it found an OSV release, else the
 * asset's declared osRelease; a disagreement is a warning.
 */
function resolveRelease(
  detected: OsRelease | undefined,
  asset: AssetRow,
  warnings: string[],
): OsRelease | undefined {
  let declared: OsRelease | undefined;
  if (asset.os_release !== null) {
    declared = osReleaseFromFlag(asset.os_release);
    if (declared === undefined)
      warnings.push(
        `the asset's osRelease "${asset.os_release}" is not a release Patchgate can match advisories for`,
      );
    else declared = { ...declared, evidence: `asset osRelease ${asset.os_release}` };
  }
  const settled = settleOsRelease(detected, declared === undefined ? {} : { declared });
  if (settled.conflict !== undefined) warnings.push(settled.conflict);
  return settled.os;
}

function finalise(
  packages: readonly InstalledPackage[],
  os: OsRelease | undefined,
  warnings: string[],
): InstalledPackage[] {
  const released = os === undefined ? [...packages] : withRelease(packages, os);
  const bare = released.filter(
    (p) => !p.ecosystem.includes(':') && isDistributionEcosystem(p.ecosystem),
  );
  if (bare.length > 0) {
    const ecosystems = [...new Set(bare.map((p) => p.ecosystem))].sort().join(', ');
    warnings.push(
      `${bare.length} distribution package(s) (${ecosystems}) have no release: set the asset's osRelease (e.g. Debian:12) so advisories can be matched`,
    );
  }
  return released;
}

/** A raw inventory file (any format @patchgate/inventory reads), received on disk. */
export async function uploadRawInventory(
  ctx: ServerContext,
  source: ChangeSource,
  assetId: string,
  upload: {
    source: UploadSource;
    format?: string | undefined;
    name: string;
    takenAt?: string | undefined;
  },
  parser: InventoryParser,
): Promise<SnapshotSummary> {
  const asset = await requireAsset(ctx.database, assetId);
  const parsed = await parser.parse({
    source: upload.source,
    format: upload.format,
    name: upload.name,
    maxTextBytes: maxInventoryBytes,
  });
  if (!parsed.ok) {
    const fields = [{ field: 'body', message: parsed.fieldMessage }];
    throw parsed.status === 413
      ? new ApiError(
          413,
          'payload_too_large',
          'The request body is too large',
          parsed.message,
          fields,
        )
      : new ValidationError(parsed.message, fields);
  }
  const warnings = [...parsed.warnings];
  const os = resolveRelease(parsed.os, asRow(asset), warnings);
  return storeSnapshot(ctx, source, assetId, {
    format: parsed.format,
    sourceName: upload.name,
    takenAt: upload.takenAt,
    os,
    packages: finalise(parsed.packages, os, warnings),
    warnings,
    raw: parsed.raw,
  });
}

/** An inventory sent as a JSON package list. */
export async function uploadPackages(
  ctx: ServerContext,
  source: ChangeSource,
  assetId: string,
  upload: SnapshotUpload,
): Promise<SnapshotSummary> {
  const asset = await requireAsset(ctx.database, assetId);
  const warnings: string[] = [];
  let os: OsRelease | undefined;
  if (upload.os !== undefined) {
    os = osReleaseFromFlag(upload.os);
    if (os === undefined) {
      const message =
        'is not a release Patchgate knows (e.g. Debian:12, ubuntu:22.04, alpine:3.20)';
      throw new ValidationError(`body.os: ${message}`, [{ field: 'body.os', message }]);
    }
  } else {
    os = resolveRelease(undefined, asRow(asset), warnings);
  }
  const packages: InstalledPackage[] = upload.packages.map((pkg) => ({ ...pkg }));
  return storeSnapshot(ctx, source, assetId, {
    format: 'packages-json',
    sourceName: upload.source,
    takenAt: upload.takenAt,
    os,
    packages: finalise(packages, os, warnings),
    warnings,
    raw: rawEvidence(JSON.stringify(upload), 'application/json'),
  });
}

function summaryOf(row: SnapshotRow): SnapshotSummary {
  return {
    id: row.id,
    seq: Number(row.seq),
    takenAt: row.taken_at,
    uploadedAt: row.uploaded_at,
    format: row.format,
    sourceName: row.source_name,
    os: row.os_json === null ? null : (JSON.parse(row.os_json) as SnapshotSummary['os']),
    packageCount: Number(row.package_count),
    warnings: JSON.parse(row.warnings_json) as string[],
    packagesPruned: row.packages_pruned_at !== null,
    rawSize: Number(row.raw_size),
    rawSha256: row.raw_sha256,
  };
}

function toPackage(pkg: InstalledPackage): Package {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    ...(pkg.sourceName !== undefined && { sourceName: pkg.sourceName }),
    ...(pkg.sourceVersion !== undefined && { sourceVersion: pkg.sourceVersion }),
    ...(pkg.purl !== undefined && { purl: pkg.purl }),
    ...(pkg.arch !== undefined && { arch: pkg.arch }),
    ...(pkg.epochUnknown === true && { epochUnknown: true }),
    ...(pkg.location !== undefined && { location: pkg.location }),
    ...(pkg.direct !== undefined && { direct: pkg.direct }),
    ...(pkg.dev !== undefined && { dev: pkg.dev }),
  };
}

/**
 * Store a new snapshot and make it current, prune the packages of old ones, ask the findings
 * context to reconcile the asset, and audit: one transaction.
 */
async function storeSnapshot(
  ctx: ServerContext,
  source: ChangeSource,
  assetId: string,
  ready: ReadyInventory,
): Promise<SnapshotSummary> {
  const { database } = ctx;
  const now = timestamp(ctx.clock);
  const id = randomUUID();
  return database.db.transaction().execute(async (trx) => {
    const asset = await repo.findAsset(trx, assetId, database.dialect);
    if (asset === undefined) throw new NotFoundError('The asset');
    const seq = (await repo.lastSnapshotSeq(trx, assetId)) + 1;
    const row = {
      id,
      asset_id: assetId,
      seq,
      taken_at: ready.takenAt === undefined ? now : new Date(ready.takenAt).toISOString(),
      uploaded_at: now,
      uploaded_by: source.actor.id,
      format: ready.format,
      source_name: ready.sourceName,
      os_json: ready.os === undefined ? null : JSON.stringify(ready.os),
      package_count: ready.packages.length,
      warnings_json: JSON.stringify(ready.warnings),
      raw_gzip: Buffer.from(
        ready.raw.gzip.buffer,
        ready.raw.gzip.byteOffset,
        ready.raw.gzip.byteLength,
      ),
      raw_media_type: ready.raw.mediaType,
      raw_sha256: ready.raw.sha256,
      raw_size: ready.raw.size,
      packages_pruned_at: null,
    };
    await repo.insertSnapshot(trx, row, ready.packages.map(toPackage));
    await repo.setCurrentSnapshot(trx, assetId, id);
    await repo.prunePackages(trx, assetId, seq - packageRetention, now);
    await publishEvent(
      trx,
      ctx.clock,
      'inventory.snapshot-recorded',
      { assetId, snapshotId: id },
      {
        createdBy: source.actor.id,
      },
    );
    await appendAuditEvent(trx, database.dialect, ctx.clock, {
      ...source,
      action: 'inventory.uploaded',
      subjectType: 'asset',
      subjectId: assetId,
      before: { snapshotId: asset.current_snapshot_id },
      after: { snapshotId: id, format: ready.format, packageCount: ready.packages.length },
    });
    return summaryOf(row);
  });
}

export async function listSnapshots(
  database: Database,
  assetId: string,
  query: SnapshotListQuery,
): Promise<{ snapshots: SnapshotSummary[]; nextBeforeSeq: number | null }> {
  await requireAsset(database, assetId);
  const rows = await repo.listSnapshots(database.db, assetId, query.beforeSeq, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    snapshots: page.map(summaryOf),
    nextBeforeSeq: rows.length > query.limit && last !== undefined ? Number(last.seq) : null,
  };
}

async function requireSnapshot(
  database: Database,
  assetId: string,
  snapshotId: string,
  what = 'The snapshot',
): Promise<SnapshotRow> {
  const snapshot = await repo.findSnapshot(database.db, assetId, snapshotId);
  if (snapshot === undefined) throw new NotFoundError(what);
  return snapshot;
}

function requirePackages(snapshot: SnapshotRow): void {
  if (snapshot.packages_pruned_at !== null) {
    throw new ApiError(
      410,
      'gone',
      'Gone',
      `The packages of snapshot ${snapshot.id} were pruned (only the latest ${packageRetention} snapshots of an asset keep them); its raw upload is kept`,
    );
  }
}

export async function getSnapshot(
  database: Database,
  assetId: string,
  snapshotId: string,
): Promise<SnapshotSummary> {
  await requireAsset(database, assetId);
  return summaryOf(await requireSnapshot(database, assetId, snapshotId));
}

export async function listPackages(
  database: Database,
  assetId: string,
  snapshotId: string,
  query: PackageListQuery,
): Promise<{ packages: Package[]; nextAfterSeq: number | null }> {
  await requireAsset(database, assetId);
  requirePackages(await requireSnapshot(database, assetId, snapshotId));
  const rows = await repo.listPackages(database.db, snapshotId, {
    ecosystem: query.ecosystem,
    name: query.name,
    afterSeq: query.afterSeq,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    packages: page.map((r) => r.pkg),
    nextAfterSeq: rows.length > query.limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

/** The raw upload of a snapshot, as received (gzip-decoded). */
export async function rawUpload(
  database: Database,
  assetId: string,
  snapshotId: string,
): Promise<{ body: Buffer; mediaType: string; sourceName: string }> {
  const raw = await repo.findRawUpload(database.db, assetId, snapshotId);
  if (raw === undefined) throw new NotFoundError('The snapshot');
  return {
    body: gunzipSync(raw.raw_gzip),
    mediaType: raw.raw_media_type,
    sourceName: raw.source_name,
  };
}

export async function diffSnapshots(
  database: Database,
  assetId: string,
  query: DiffQuery,
): Promise<SnapshotDiff> {
  const asset = await requireAsset(database, assetId);
  const toId = query.to ?? asset.current_snapshot_id;
  if (toId === null) throw new NotFoundError('A snapshot of the asset');
  const to = await requireSnapshot(database, assetId, toId, 'The `to` snapshot');
  const from =
    query.from !== undefined
      ? await requireSnapshot(database, assetId, query.from, 'The `from` snapshot')
      : await repo.previousSnapshot(database.db, assetId, Number(to.seq));
  requirePackages(to);
  if (from !== undefined) requirePackages(from);
  const toPackages = (await repo.listPackages(database.db, to.id)).map((r) => r.pkg);
  const fromPackages =
    from === undefined ? [] : (await repo.listPackages(database.db, from.id)).map((r) => r.pkg);
  return { from: from?.id ?? null, to: to.id, ...diffPackages(fromPackages, toPackages) };
}

/** The asset's current inventory, as @patchgate/inventory's Inventory, or undefined. */
export async function currentInventory(
  database: Database,
  assetId: string,
): Promise<{ snapshotId: string; takenAt: string; inventory: Inventory } | undefined> {
  const asset = await repo.findAsset(database.db, assetId);
  if (asset?.current_snapshot_id == null) return undefined;
  const snapshot = await repo.findSnapshot(database.db, assetId, asset.current_snapshot_id);
  if (snapshot === undefined) return undefined;
  const packages: InstalledPackage[] = (await repo.listPackages(database.db, snapshot.id)).map(
    (r) => ({ ...r.pkg }),
  );
  const stored =
    snapshot.os_json === null ? undefined : (JSON.parse(snapshot.os_json) as OsRelease);
  const { os, packages: released } = releaseNow(stored, asset.os_release, packages);
  return {
    snapshotId: snapshot.id,
    takenAt: snapshot.taken_at,
    inventory: {
      format: snapshot.format,
      source: snapshot.source_name,
      ...(os !== undefined && { os }),
      packages: released,
      warnings: JSON.parse(snapshot.warnings_json) as string[],
    },
  };
}

const declaredEvidence = 'asset osRelease ';

/**
 * The release the current snapshot is matched under now. A release the inventory detected
 * itself stays; one that came from the asset's declared osRelease (or none at all) follows the
 * declaration as it is today, so changing an asset's osRelease re-matches its findings without
 * a new upload (the reconcile job `updateAsset` enqueues).
 */
export function releaseNow(
  stored: OsRelease | undefined,
  declared: string | null,
  packages: InstalledPackage[],
): { os: OsRelease | undefined; packages: InstalledPackage[] } {
  const fromInventory =
    stored?.ecosystem !== undefined && !stored.evidence.startsWith(declaredEvidence);
  if (fromInventory) return { os: stored, packages };
  const release = declared === null ? undefined : osReleaseFromFlag(declared);
  if (release?.ecosystem !== undefined) {
    const os = { ...release, evidence: `${declaredEvidence}${declared}` };
    return { os, packages: withRelease(packages, os, { override: true }) };
  }
  // No usable declaration any more: distribution packages go back to their bare ecosystem.
  const bare = packages.map((pkg) =>
    isDistributionEcosystem(pkg.ecosystem) && pkg.ecosystem.includes(':')
      ? { ...pkg, ecosystem: ecosystemBase(pkg.ecosystem) }
      : pkg,
  );
  return { os: stored?.ecosystem === undefined ? stored : undefined, packages: bare };
}
