/**
 * The advisories context's rules: sources (a path that must exist on the server, an optional
 * schedule), sync requests, sync runs, advisory search, and the in-memory advisory index the
 * findings context matches against.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { AdvisoryIndex } from '@patchgate/matcher';
import { buildAdvisoryIndex } from '@patchgate/matcher';
import type { OsvRecord } from '@patchgate/osv';
import type { VulnerabilityFacts } from '@patchgate/sources';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { activeJob, enqueueJob, removeSchedule, upsertSchedule } from '../jobs/index.ts';
import type { Executor, SourceRow, SourceUrlRow, SyncRunRow } from './repository.ts';
import {
  activeRecords,
  bumpDataVersion,
  dataVersion,
  deleteSource as deleteSourceRows,
  factsOf,
  findAdvisory,
  findSource,
  findSourceByName,
  findSourceUrl,
  findSyncRun,
  insertSource,
  insertSourceUrl,
  listSourceUrls,
  listSources as listSourceRows,
  listSyncRuns as listSyncRunRows,
  searchAdvisories as searchAdvisoryRows,
  updateSource as updateSourceRow,
} from './repository.ts';
import type {
  AdvisoryDetail,
  AdvisoryList,
  AdvisoryQuery,
  AdvisorySource,
  AdvisorySourceInput,
  AdvisorySourceKind,
  AdvisorySourcePatch,
  SourceDownloadState,
  SyncCounts,
  SyncDownload,
  SyncError,
  SyncRequested,
  SyncRun,
  SyncRunList,
  SyncRunQuery,
  SyncRunState,
} from './schema.ts';
import { confineSourcePath } from './paths.ts';
import { isOsvKind, syncJobKind } from './sync.ts';

export type { RequestSource };

function downloadStateOf(remote: SourceUrlRow): SourceDownloadState {
  return {
    etag: remote.etag,
    lastModified: remote.last_modified,
    sha256: remote.sha256,
    bytes: remote.bytes === null ? null : Number(remote.bytes),
    appliedAt: remote.applied_at,
    checkedAt: remote.checked_at,
  };
}

/** The API's view of a source; `remote` is a url source's row (url-sources.ts). */
export function sourceOf(row: SourceRow, remote?: SourceUrlRow): AdvisorySource {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as AdvisorySourceKind,
    path: row.path,
    url: remote?.url ?? null,
    checksumUrl: remote?.checksum_url ?? null,
    catalogueId: remote?.catalogue_id ?? null,
    download: remote === undefined ? null : downloadStateOf(remote),
    intervalSeconds: row.interval_seconds,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSync:
      row.last_sync_at === null || row.last_sync_state === null || row.last_sync_run_id === null
        ? null
        : {
            at: row.last_sync_at,
            state: row.last_sync_state as SyncRunState,
            runId: row.last_sync_run_id,
          },
  };
}

export function syncRunOf(row: SyncRunRow): SyncRun {
  return {
    id: row.id,
    sourceId: row.source_id,
    jobId: row.job_id,
    attempt: row.attempt,
    state: row.state as SyncRunState,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts: JSON.parse(row.counts_json) as SyncCounts,
    errors: JSON.parse(row.errors_json) as SyncError[],
    error: row.error,
    download: row.download_json === null ? null : (JSON.parse(row.download_json) as SyncDownload),
  };
}

/** The schedule of a source's sync in the jobs context. */
export const scheduleIdOf = (sourceId: string) => `${syncJobKind}:${sourceId}`;

/**
 * The path must lie inside an allowed root (server configuration), exist, and be what the
 * kind reads: a directory for `osv-directory`, a file for `osv-file` and `osv-zip`, either
 * for enrichment data. One answer for every path outside the roots.
 */
async function checkPath(
  ctx: ServerContext,
  kind: AdvisorySourceKind,
  path: string,
): Promise<void> {
  const confined = await confineSourcePath(ctx, path);
  if (!confined.ok) {
    const message =
      confined.reason === 'missing'
        ? 'does not exist on the server'
        : `must be inside an allowed advisory root (${ctx.config.advisoryFiles.roots.join(', ')})`;
    throw new ValidationError(`The source path ${message}`, [{ field: 'body.path', message }]);
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(confined.path)).isDirectory();
  } catch {
    throw new ValidationError('The source path cannot be read', [
      { field: 'body.path', message: 'cannot be read' },
    ]);
  }
  const wanted =
    kind === 'osv-directory'
      ? 'directory'
      : kind === 'osv-file' || kind === 'osv-zip'
        ? 'file'
        : undefined;
  if (wanted !== undefined && (wanted === 'directory') !== isDirectory) {
    throw new ValidationError(`${kind} needs a ${wanted}; ${path} is not one`, [
      { field: 'body.path', message: `must be a ${wanted} for ${kind}` },
    ]);
  }
}

export async function keepSchedule(
  trx: Executor,
  ctx: ServerContext,
  row: SourceRow,
): Promise<void> {
  if (row.interval_seconds === null) await removeSchedule(trx, scheduleIdOf(row.id));
  else {
    await upsertSchedule(trx, ctx.clock, {
      id: scheduleIdOf(row.id),
      kind: syncJobKind,
      payload: { sourceId: row.id },
      intervalSeconds: row.interval_seconds,
      enabled: row.enabled === 1,
    });
  }
}

async function requireSource(db: Executor, id: string): Promise<SourceRow> {
  const row = await findSource(db, id);
  if (row === undefined) throw new NotFoundError(`Advisory source ${id}`);
  return row;
}

export async function listSources(ctx: ServerContext): Promise<AdvisorySource[]> {
  const remotes = new Map(
    (await listSourceUrls(ctx.database.db)).map((row) => [row.source_id, row]),
  );
  return (await listSourceRows(ctx.database.db)).map((row) => sourceOf(row, remotes.get(row.id)));
}

export async function getSource(ctx: ServerContext, id: string): Promise<AdvisorySource> {
  const row = await requireSource(ctx.database.db, id);
  return sourceOf(row, await findSourceUrl(ctx.database.db, id));
}

/** A 409 when another source already has `name` (names are how users refer to sources). */
export async function requireFreeName(db: Executor, name: string): Promise<void> {
  if ((await findSourceByName(db, name)) !== undefined) {
    throw new ConflictError(`An advisory source named ${name} exists already`);
  }
}

/** The row of a source about to be created: never synced yet; `path` is its path or its URL. */
export function newSourceRow(
  ctx: ServerContext,
  input: Pick<AdvisorySourceInput, 'name' | 'kind' | 'intervalSeconds' | 'enabled'>,
  path: string,
): SourceRow {
  const now = timestamp(ctx.clock);
  return {
    id: randomUUID(),
    name: input.name,
    kind: input.kind,
    path,
    interval_seconds: input.intervalSeconds,
    enabled: input.enabled ? 1 : 0,
    created_at: now,
    updated_at: now,
    last_sync_at: null,
    last_sync_state: null,
    last_sync_run_id: null,
  };
}

/**
 * Store a new source (with a url source's download state) and its schedule, audited, in one
 * transaction; a name already taken is a 409.
 */
export async function insertNewSource(
  ctx: ServerContext,
  source: RequestSource,
  row: SourceRow,
  remote?: SourceUrlRow,
): Promise<AdvisorySource> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    await requireFreeName(trx, row.name);
    await insertSource(trx, row);
    if (remote !== undefined) await insertSourceUrl(trx, remote);
    await keepSchedule(trx, ctx, row);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'advisory-source.created',
      subjectType: 'advisory-source',
      subjectId: row.id,
      after: sourceOf(row, remote),
    });
  });
  return sourceOf(row, remote);
}

export async function createSource(
  ctx: ServerContext,
  input: Omit<AdvisorySourceInput, 'path' | 'url' | 'checksumUrl'> & { path: string },
  source: RequestSource,
): Promise<AdvisorySource> {
  await checkPath(ctx, input.kind, input.path);
  return insertNewSource(ctx, source, newSourceRow(ctx, input, input.path));
}

export async function updateSource(
  ctx: ServerContext,
  id: string,
  patch: AdvisorySourcePatch,
  source: RequestSource,
): Promise<AdvisorySource> {
  const { database, clock } = ctx;
  const current = await requireSource(database.db, id);
  if (patch.path !== undefined) {
    await checkPath(ctx, current.kind as AdvisorySourceKind, patch.path);
  }
  const after = await database.db.transaction().execute(async (trx) => {
    const before = await requireSource(trx, id);
    if (patch.name !== undefined && patch.name !== before.name)
      await requireFreeName(trx, patch.name);
    const updated = await updateSourceRow(trx, id, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.path !== undefined && { path: patch.path }),
      ...(patch.intervalSeconds !== undefined && { interval_seconds: patch.intervalSeconds }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
      updated_at: timestamp(clock),
    });
    if (updated === undefined) throw new NotFoundError(`Advisory source ${id}`);
    await keepSchedule(trx, ctx, updated);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'advisory-source.updated',
      subjectType: 'advisory-source',
      subjectId: id,
      before: sourceOf(before),
      after: sourceOf(updated),
    });
    return updated;
  });
  return sourceOf(after);
}

/** Delete a source with its runs, its schedule and the advisories it last wrote. */
export async function deleteSource(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<void> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const before = await requireSource(trx, id);
    const advisories = await deleteSourceRows(trx, id);
    if (advisories > 0) await bumpDataVersion(trx);
    await removeSchedule(trx, scheduleIdOf(id));
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'advisory-source.deleted',
      subjectType: 'advisory-source',
      subjectId: id,
      before: { ...sourceOf(before), advisories },
    });
  });
}

/** Enqueue a sync; a sync of this source already queued or running is returned instead. */
export async function requestSync(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<SyncRequested> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    await requireSource(trx, id);
    const payload = { sourceId: id };
    const existing = await activeJob(trx, syncJobKind, payload);
    if (existing !== undefined) return { jobId: existing.id, alreadyQueued: true };
    const jobId = await enqueueJob(trx, clock, {
      kind: syncJobKind,
      payload,
      createdBy: source.actor.id,
    });
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'advisory-source.sync-requested',
      subjectType: 'advisory-source',
      subjectId: id,
      after: { jobId },
    });
    return { jobId, alreadyQueued: false };
  });
}

export async function listSyncRuns(ctx: ServerContext, query: SyncRunQuery): Promise<SyncRunList> {
  const rows = await listSyncRunRows(ctx.database.db, query);
  return {
    runs: rows.slice(0, query.limit).map(syncRunOf),
    nextOffset: rows.length > query.limit ? query.offset + query.limit : null,
  };
}

export async function getSyncRun(ctx: ServerContext, id: string): Promise<SyncRun> {
  const row = await findSyncRun(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Sync run ${id}`);
  return syncRunOf(row);
}

export async function searchAdvisories(
  ctx: ServerContext,
  query: AdvisoryQuery,
): Promise<AdvisoryList> {
  const rows = await searchAdvisoryRows(ctx.database.db, query);
  const page = rows.slice(0, query.limit);
  return {
    advisories: page.map((row) => ({
      id: row.id,
      modified: row.modified,
      published: row.published,
      withdrawn: row.withdrawn,
      summary: row.summary,
      aliases: JSON.parse(row.aliases_json) as string[],
      cves: JSON.parse(row.cves_json) as string[],
      sourceId: row.source_id,
    })),
    nextAfter: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getAdvisory(ctx: ServerContext, id: string): Promise<AdvisoryDetail> {
  const row = await findAdvisory(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Advisory ${id}`);
  const cves = JSON.parse(row.cves_json) as string[];
  const facts = await factsOf(ctx.database.db, cves);
  return {
    sourceId: row.source_id,
    advisory: JSON.parse(row.record_json) as Record<string, unknown>,
    facts: cves.flatMap((cve) => {
      const fact = facts.get(cve);
      return fact === undefined ? [] : [{ ...fact }];
    }),
  };
}

export { isOsvKind };

// --- for the findings context ----------------------------------------------------------

const indexCache = new WeakMap<Database, { version: number; index: Promise<AdvisoryIndex> }>();

async function buildIndex(database: Database): Promise<AdvisoryIndex> {
  const records: OsvRecord[] = [];
  for await (const record of activeRecords(database.db)) records.push(record);
  return buildAdvisoryIndex(records);
}

/**
 * The matcher's index over every stored, non-withdrawn advisory. Cached per database and
 * data version (bumped by every sync batch that changes something), so reconciles between
 * syncs share one index. A sync committing while the index loads leaves it keyed by the
 * older version: the next call reloads, never the other way round.
 */
export async function loadAdvisoryIndex(database: Database): Promise<AdvisoryIndex> {
  const version = await dataVersion(database.db);
  const cached = indexCache.get(database);
  if (cached?.version === version) return cached.index;
  const index = buildIndex(database);
  indexCache.set(database, { version, index });
  index.catch(() => {
    if (indexCache.get(database)?.index === index) indexCache.delete(database);
  });
  return index;
}

/** Stored enrichment facts of these CVEs (the ones nothing is known about are absent). */
export async function factsForCves(
  database: Database,
  cves: Iterable<string>,
): Promise<Map<string, VulnerabilityFacts>> {
  return factsOf(database.db, [...cves]);
}
