/**
 * Advisory sources by URL and the built-in catalogue (docs/adr/0021-advisory-sources-by-url.md).
 * A url source is an `advisory_sources` row whose path is its URL, plus its download state in
 * `advisory_source_urls`. URLs must be https (http only when PATCHGATE_DOWNLOAD_ALLOW_HTTP)
 * on an allowed host (the catalogue's, and PATCHGATE_DOWNLOAD_ALLOWED_HOSTS): the API cannot
 * point the server at an internal address. Nothing is fetched until a source is added or a
 * catalogue entry enabled, and PATCHGATE_DOWNLOADS=off refuses both.
 */
import { timestamp } from '../../clock.ts';
import type { ServerConfig } from '../../config.ts';
import type { ServerContext } from '../../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { catalogue, catalogueHosts, findCatalogueEntry } from './catalogue.ts';
import type { UrlPolicy } from './download.ts';
import { checkUrl, DownloadError } from './download.ts';
import type { SourceUrlRow } from './repository.ts';
import {
  findSource,
  findSourceUrl,
  findSourceUrlByCatalogue,
  listSources as listSourceRows,
  listSourceUrls,
  updateSource as updateSourceRow,
  updateSourceUrl,
} from './repository.ts';
import type {
  AdvisorySource,
  AdvisorySourceKind,
  AdvisorySourcePatch,
  CatalogueEnabled,
  CatalogueEnableInput,
  CatalogueList,
} from './schema.ts';
import type { RequestSource } from './service.ts';
import {
  insertNewSource,
  keepSchedule,
  newSourceRow,
  requestSync,
  requireFreeName,
  sourceOf,
} from './service.ts';

export interface UrlSourceInput {
  readonly name: string;
  readonly kind: AdvisorySourceKind;
  readonly url: string;
  readonly checksumUrl?: string | null | undefined;
  readonly intervalSeconds: number | null;
  readonly enabled: boolean;
}

export function urlPolicy(config: ServerConfig): UrlPolicy {
  return {
    allowHttp: config.downloads.allowHttp,
    allowedHosts: [...catalogueHosts, ...config.downloads.allowedHosts],
  };
}

function requireDownloads(config: ServerConfig): void {
  if (!config.downloads.enabled)
    throw new ConflictError('Downloads are turned off on this server (PATCHGATE_DOWNLOADS=off)');
}

function checkInput(
  config: ServerConfig,
  kind: AdvisorySourceKind,
  url: string,
  checksumUrl: string | null | undefined,
) {
  if (kind === 'osv-directory') {
    throw new ValidationError('A URL names one file: use osv-zip or osv-file', [
      { field: 'body.kind', message: 'osv-directory cannot be downloaded' },
    ]);
  }
  const policy = urlPolicy(config);
  for (const [field, value] of [
    ['body.url', url],
    ['body.checksumUrl', checksumUrl],
  ] as const) {
    if (value === undefined || value === null) continue;
    try {
      checkUrl(value, policy);
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      throw new ValidationError(`${field.slice(5)}: ${error.message}`, [
        { field, message: error.message },
      ]);
    }
  }
}

/** Add a url source (from the API, or from the catalogue with its id). */
export async function createUrlSource(
  ctx: ServerContext,
  input: UrlSourceInput,
  source: RequestSource,
  catalogueId: string | null = null,
): Promise<AdvisorySource> {
  const { config } = ctx;
  requireDownloads(config);
  checkInput(config, input.kind, input.url, input.checksumUrl);
  const row = newSourceRow(ctx, input, input.url);
  const remote: SourceUrlRow = {
    source_id: row.id,
    url: input.url,
    checksum_url: input.checksumUrl ?? null,
    catalogue_id: catalogueId,
    etag: null,
    last_modified: null,
    sha256: null,
    bytes: null,
    applied_at: null,
    checked_at: null,
  };
  return insertNewSource(ctx, source, row, remote);
}

/**
 * Change a source when the patch concerns a URL (or the source is a url source); undefined
 * when it is a path source's business (service.ts#updateSource).
 */
export async function updateUrlSource(
  ctx: ServerContext,
  id: string,
  patch: AdvisorySourcePatch,
  source: RequestSource,
): Promise<AdvisorySource | undefined> {
  const { database, clock, config } = ctx;
  const current = await findSourceUrl(database.db, id);
  if (current === undefined) {
    if (patch.url === undefined && patch.checksumUrl === undefined) return undefined;
    if ((await findSource(database.db, id)) === undefined)
      throw new NotFoundError(`Advisory source ${id}`);
    throw new ValidationError('A path source cannot become a url source: add a new source', [
      { field: 'body.url', message: 'only for a url source' },
    ]);
  }
  if (patch.path !== undefined) {
    throw new ValidationError('A url source has a url, not a path', [
      { field: 'body.path', message: 'not for a url source' },
    ]);
  }
  const before = await findSource(database.db, id);
  if (before === undefined) throw new NotFoundError(`Advisory source ${id}`);
  if (patch.url !== undefined || patch.checksumUrl !== undefined) {
    requireDownloads(config);
    checkInput(
      config,
      before.kind as AdvisorySourceKind,
      patch.url ?? current.url,
      patch.checksumUrl,
    );
  }
  return database.db.transaction().execute(async (trx) => {
    if (patch.name !== undefined && patch.name !== before.name)
      await requireFreeName(trx, patch.name);
    const urlChanged = patch.url !== undefined && patch.url !== current.url;
    const updated = await updateSourceRow(trx, id, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.url !== undefined && { path: patch.url }),
      ...(patch.intervalSeconds !== undefined && { interval_seconds: patch.intervalSeconds }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
      updated_at: timestamp(clock),
    });
    if (updated === undefined) throw new NotFoundError(`Advisory source ${id}`);
    // A new URL is a new feed: forget the validators, so its first answer is applied.
    const changes: Partial<SourceUrlRow> = {
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.checksumUrl !== undefined && { checksum_url: patch.checksumUrl }),
      ...(urlChanged && { etag: null, last_modified: null, sha256: null, bytes: null }),
    };
    if (Object.keys(changes).length > 0) await updateSourceUrl(trx, id, changes);
    const remote = { ...current, ...changes };
    await keepSchedule(trx, ctx, updated);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'advisory-source.updated',
      subjectType: 'advisory-source',
      subjectId: id,
      before: sourceOf(before, current),
      after: sourceOf(updated, remote),
    });
    return sourceOf(updated, remote);
  });
}

// --- the catalogue ---------------------------------------------------------------------

export async function listCatalogue(ctx: ServerContext): Promise<CatalogueList> {
  const db = ctx.database.db;
  const byCatalogue = new Map(
    (await listSourceUrls(db)).flatMap((row) =>
      row.catalogue_id === null ? [] : [[row.catalogue_id, row.source_id] as const],
    ),
  );
  const enabled = new Set(
    (await listSourceRows(db)).filter((row) => row.enabled === 1).map((row) => row.id),
  );
  return {
    entries: catalogue.map((entry) => {
      const sourceId = byCatalogue.get(entry.id) ?? null;
      return { ...entry, sourceId, enabled: sourceId !== null && enabled.has(sourceId) };
    }),
  };
}

function requireEntry(id: string) {
  const entry = findCatalogueEntry(id);
  if (entry === undefined) throw new NotFoundError(`Catalogue entry ${id}`);
  return entry;
}

/**
 * Enable a catalogue feed: create its source (or switch the existing one back on), with the
 * catalogue's schedule, and queue a first sync unless asked not to. Audited as the source's
 * creation or update, with the catalogue id.
 */
export async function enableCatalogueEntry(
  ctx: ServerContext,
  id: string,
  input: CatalogueEnableInput,
  who: RequestSource,
): Promise<CatalogueEnabled> {
  const entry = requireEntry(id);
  requireDownloads(ctx.config);
  const existing = await findSourceUrlByCatalogue(ctx.database.db, id);
  let created = false;
  let source: AdvisorySource;
  if (existing === undefined) {
    source = await createUrlSource(
      ctx,
      {
        name: entry.name,
        kind: entry.kind,
        url: entry.url,
        intervalSeconds: input.intervalSeconds ?? entry.intervalSeconds,
        enabled: true,
      },
      who,
      entry.id,
    );
    created = true;
  } else {
    const updated = await updateUrlSource(
      ctx,
      existing.source_id,
      {
        enabled: true,
        ...(input.intervalSeconds !== undefined && { intervalSeconds: input.intervalSeconds }),
      },
      who,
    );
    if (updated === undefined) throw new NotFoundError(`Advisory source ${existing.source_id}`);
    source = updated;
  }
  const jobId = input.sync ? (await requestSync(ctx, source.id, who)).jobId : null;
  return { source, created, jobId };
}

/** Switch a catalogue feed's schedule off; its data stays (delete the source to drop it). */
export async function disableCatalogueEntry(
  ctx: ServerContext,
  id: string,
  who: RequestSource,
): Promise<AdvisorySource> {
  requireEntry(id);
  const existing = await findSourceUrlByCatalogue(ctx.database.db, id);
  if (existing === undefined) throw new NotFoundError(`An enabled source of catalogue entry ${id}`);
  const updated = await updateUrlSource(ctx, existing.source_id, { enabled: false }, who);
  if (updated === undefined) throw new NotFoundError(`Advisory source ${existing.source_id}`);
  return updated;
}
