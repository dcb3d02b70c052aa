/**
 * The `advisories.sync` job: read a source whole (OSV through `loadAdvisories`, enrichment
 * through `loadEnrichment`), then store it as a delta in batches, one transaction each, with
 * progress. Crash safety: a killed process leaves only whole batches; the re-claimed job
 * (its lease lapsed) reads the source again, finds those batches unchanged and stores the
 * rest, so it ends in the same state as an uninterrupted run.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { OsvRecord } from '@patchgate/osv';
import { loadAdvisories } from '@patchgate/osv/node';
import type { VulnerabilityFacts } from '@patchgate/sources';
import { loadEnrichment } from '@patchgate/sources/node';
import { z } from 'zod';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { publishEvent } from '../../events/index.ts';
import type { JobExecution } from '../jobs/index.ts';
import type { BatchCounts, SourceRow } from './repository.ts';
import {
  bumpDataVersion,
  findSource,
  findSourceUrl,
  findSyncRunByJob,
  insertSyncRun,
  storeAdvisoryBatch,
  storeFactsBatch,
  updateSource,
  updateSyncRun,
} from './repository.ts';
import type { AdvisorySourceKind, SyncCounts, SyncDownload, SyncError } from './schema.ts';
import type { Fetched, UrlSyncOptions } from './url-sync.ts';
import { fetchUrlSource } from './url-sync.ts';
import { confineSourcePath } from './paths.ts';

export const syncJobKind = 'advisories.sync';
export const defaultBatchSize = 250;
/** Errors kept on a run: enough to diagnose, bounded for a feed where everything fails. */
export const errorSampleSize = 20;

export const SyncPayload = z.object({ sourceId: z.string().min(1) });
export type SyncPayload = z.infer<typeof SyncPayload>;

export interface SyncOptions extends UrlSyncOptions {
  readonly batchSize?: number;
  /** Called after each committed batch (1-based); tests throw here to simulate a crash. */
  readonly afterBatch?: (batch: number) => void | Promise<void>;
}

export interface SyncResult {
  readonly sourceId: string;
  readonly runId?: string;
  readonly counts?: SyncCounts;
  /** A url source's download: downloaded, not-modified or unchanged. */
  readonly download?: SyncDownload['status'];
  /** Set when there was nothing to do (the source was deleted). */
  readonly skipped?: string;
}

const osvKinds: ReadonlySet<AdvisorySourceKind> = new Set(['osv-directory', 'osv-file', 'osv-zip']);

export function isOsvKind(kind: string): boolean {
  return osvKinds.has(kind as AdvisorySourceKind);
}

type Loaded =
  | { readonly type: 'osv'; readonly items: OsvRecord[]; readonly errors: SyncError[] }
  | { readonly type: 'facts'; readonly items: VulnerabilityFacts[]; readonly errors: SyncError[] };

/**
 * A sync refused because the source's path now lies outside the allowed roots (a symbolic
 * link swapped after creation, a root removed from the configuration) or no longer exists.
 * Its message is the run's error: it names no file content and no path outside the roots.
 */
export class SourcePathRefused extends Error {
  override readonly name = 'SourcePathRefused';
}

/**
 * The file a sync reads: a path source's own path, confined to the allowed roots again at every
 * sync (the file system changes), or a url source's verified download, which the server itself
 * wrote into its per-run download folder (that folder is then the only root).
 */
async function confinedInput(
  ctx: ServerContext,
  source: SourceRow,
  download: string | undefined,
): Promise<{ path: string; roots: readonly string[] }> {
  if (download !== undefined) return { path: download, roots: [dirname(download)] };
  const confined = await confineSourcePath(ctx, source.path);
  if (!confined.ok) {
    throw new SourcePathRefused(
      confined.reason === 'missing'
        ? 'the source path no longer exists'
        : 'refused: the source path is not inside an allowed advisory root',
    );
  }
  return { path: confined.path, roots: ctx.config.advisoryFiles.roots };
}

async function load(
  ctx: ServerContext,
  source: SourceRow,
  download: string | undefined,
): Promise<Loaded> {
  const input = await confinedInput(ctx, source, download);
  const { maxEntryBytes, maxTotalBytes, maxEntries } = ctx.config.advisoryFiles;
  const confinement = {
    roots: input.roots,
    zipLimits: { maxEntryBytes, maxTotalBytes, maxEntries },
  };
  if (isOsvKind(source.kind)) {
    const result = await loadAdvisories([input.path], confinement);
    return {
      type: 'osv',
      items: [...result.records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      errors: result.errors.map((e) => ({
        origin: e.id === undefined ? e.origin : `${e.origin} (${e.id})`,
        message: e.reason,
      })),
    };
  }
  const result = await loadEnrichment([input.path], {
    ...confinement,
    kind: source.kind as 'kev' | 'epss' | 'cve5' | 'nvd',
  });
  return {
    type: 'facts',
    items: [...result.facts.values()].sort((a, b) => (a.cve < b.cve ? -1 : a.cve > b.cve ? 1 : 0)),
    errors: result.errors.map((e) => ({ origin: e.origin, message: e.message })),
  };
}

const zeroCounts = (): SyncCounts => ({
  read: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  withdrawn: 0,
  errors: 0,
});

function add(counts: SyncCounts, batch: BatchCounts): SyncCounts {
  return {
    ...counts,
    new: counts.new + batch.new,
    updated: counts.updated + batch.updated,
    unchanged: counts.unchanged + batch.unchanged,
    withdrawn: counts.withdrawn + batch.withdrawn,
  };
}

/** Start (or, on a later attempt of the same job, restart) the job's sync run. */
async function beginRun(ctx: ServerContext, job: JobExecution, sourceId: string): Promise<string> {
  const { database, clock } = ctx;
  const now = timestamp(clock);
  const existing = await findSyncRunByJob(database.db, job.id);
  const fresh = {
    attempt: job.attempt,
    state: 'running',
    started_at: now,
    finished_at: null,
    counts_json: JSON.stringify(zeroCounts()),
    errors_json: '[]',
    error: null,
    download_json: null,
  };
  if (existing !== undefined) {
    await updateSyncRun(database.db, existing.id, fresh);
    return existing.id;
  }
  const id = randomUUID();
  await insertSyncRun(database.db, { id, source_id: sourceId, job_id: job.id, ...fresh });
  return id;
}

/** Run one sync: the body of the `advisories.sync` job handler. */
export async function syncSource(
  ctx: ServerContext,
  job: JobExecution,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const { database, clock } = ctx;
  const { sourceId } = SyncPayload.parse(job.payload);
  const source = await findSource(database.db, sourceId);
  if (source === undefined) return { sourceId, skipped: 'the source no longer exists' };
  const runId = await beginRun(ctx, job, sourceId);
  const remote = await findSourceUrl(database.db, sourceId);
  let counts = zeroCounts();
  let errors: SyncError[] = [];
  let fetched: Fetched | undefined;
  try {
    if (remote !== undefined)
      fetched = await fetchUrlSource(ctx, job, source, remote, runId, options);
    // A url source with nothing new (304, or the same bytes) applies nothing: an empty read.
    const file = fetched === undefined ? source.path : fetched.file;
    if (file !== undefined) await job.progress(0, 0, `reading ${fetched ? 'the download' : file}`);
    const loaded: Loaded =
      file === undefined
        ? { type: 'osv', items: [], errors: [] }
        : await load(ctx, source, fetched?.file);
    errors = loaded.errors.slice(0, errorSampleSize);
    if (
      fetched !== undefined &&
      file !== undefined &&
      loaded.items.length === 0 &&
      loaded.errors.length > 0
    ) {
      throw new Error(
        `the download holds no readable ${source.kind} data (${loaded.errors.length} errors; see the run's error sample); nothing was applied`,
      );
    }
    counts = { ...counts, read: loaded.items.length, errors: loaded.errors.length };
    const total = loaded.items.length;
    const batchSize = options.batchSize ?? defaultBatchSize;
    let changed = false;
    for (let start = 0, batch = 1; start < total; start += batchSize, batch++) {
      job.signal.throwIfAborted();
      const now = timestamp(clock);
      const stored = await database.db.transaction().execute(async (trx) => {
        const result =
          loaded.type === 'osv'
            ? await storeAdvisoryBatch(
                trx,
                loaded.items.slice(start, start + batchSize),
                sourceId,
                now,
              )
            : await storeFactsBatch(trx, loaded.items.slice(start, start + batchSize), now);
        if (result.new + result.updated > 0) await bumpDataVersion(trx);
        await updateSyncRun(trx, runId, {
          counts_json: JSON.stringify(add(counts, result)),
          errors_json: JSON.stringify(errors),
        });
        return result;
      });
      counts = add(counts, stored);
      changed ||= stored.new + stored.updated > 0;
      const done = Math.min(total, start + batchSize);
      await job.progress(done, total, `stored ${done} of ${total}`);
      await options.afterBatch?.(batch);
    }
    const finished = timestamp(clock);
    await database.db.transaction().execute(async (trx) => {
      await updateSyncRun(trx, runId, {
        state: 'succeeded',
        finished_at: finished,
        counts_json: JSON.stringify(counts),
        errors_json: JSON.stringify(errors),
        download_json: fetched === undefined ? null : JSON.stringify(fetched.download),
      });
      await fetched?.commit(trx);
      await updateSource(trx, sourceId, {
        last_sync_at: finished,
        last_sync_state: 'succeeded',
        last_sync_run_id: runId,
      });
      // A later attempt may follow one that committed batches before it died: changed too.
      await publishEvent(trx, clock, 'advisories.sync-completed', {
        sourceId,
        runId,
        changed: changed || job.attempt > 1,
      });
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: systemActor,
        action: 'advisory-source.synced',
        subjectType: 'advisory-source',
        subjectId: sourceId,
        after: {
          runId,
          jobId: job.id,
          counts,
          ...(fetched !== undefined && { download: fetched.download }),
        },
      });
    });
    return {
      sourceId,
      runId,
      counts,
      ...(fetched !== undefined && { download: fetched.download.status }),
    };
  } catch (error) {
    const cancelled = job.signal.aborted && job.signal.reason === 'cancelled';
    const finished = timestamp(clock);
    await database.db.transaction().execute(async (trx) => {
      await updateSyncRun(trx, runId, {
        state: cancelled ? 'cancelled' : 'failed',
        finished_at: finished,
        counts_json: JSON.stringify(counts),
        errors_json: JSON.stringify(errors),
        error: error instanceof Error ? error.message : String(error),
      });
      await updateSource(trx, sourceId, {
        last_sync_at: finished,
        last_sync_state: cancelled ? 'cancelled' : 'failed',
        last_sync_run_id: runId,
      });
    });
    throw error;
  } finally {
    await fetched?.cleanup();
  }
}
