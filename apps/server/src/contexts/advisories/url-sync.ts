/**
 * The download half of a url source's sync: fetch the URL (conditionally) into a directory
 * of this run under `<dataDir>/downloads/`, verified whole before anything reads it. sync.ts
 * then applies the file like a path source's and, in its final transaction, `commit`s the
 * new validators: a run that fails anywhere leaves the stored data and the validators as
 * they were, so the next sync downloads and applies again. The run's directory is removed
 * whatever happens (and stale ones of crashed runs at the next start).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { JobExecution } from '../jobs/index.ts';
import { createDispatcher, DownloadError, Downloader, size } from './download.ts';
import type { Executor, SourceRow, SourceUrlRow } from './repository.ts';
import { updateSourceUrl } from './repository.ts';
import type { SyncDownload } from './schema.ts';
import { urlPolicy } from './url-sources.ts';

export interface UrlSyncOptions {
  /** Waits between download retries; tests record the delays instead of waiting. */
  readonly downloadSleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface Fetched {
  readonly download: SyncDownload;
  /** The verified file to apply; undefined when there is nothing new (304 or same bytes). */
  readonly file: string | undefined;
  /** Record what was applied, in the run's final transaction. */
  commit(trx: Executor): Promise<void>;
  /** Remove the run's download directory. */
  cleanup(): Promise<void>;
}

/** What the loaders need to recognise the file: OSV by extension, the rest by content. */
function fileName(kind: string, url: string): string {
  const last = decodeURIComponent(new URL(url).pathname.split('/').at(-1) ?? '');
  const safe = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  if (kind === 'osv-zip')
    return safe.toLowerCase().endsWith('.zip') ? safe : `${safe || 'all'}.zip`;
  if (kind === 'osv-file') return /\.(json|ya?ml)$/i.test(safe) ? safe : `${safe || 'record'}.json`;
  return safe || `${kind}.data`;
}

/** The URL without its query (a signed URL's token stays out of errors and logs). */
const shown = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

export async function fetchUrlSource(
  ctx: ServerContext,
  job: JobExecution,
  source: SourceRow,
  remote: SourceUrlRow,
  runId: string,
  options: UrlSyncOptions = {},
): Promise<Fetched> {
  const { config, clock, database, logger } = ctx;
  if (!config.downloads.enabled)
    throw new Error('downloads are turned off on this server (PATCHGATE_DOWNLOADS=off)');
  const root = join(config.dataDir, 'downloads');
  await mkdir(root, { recursive: true });
  for (const stale of await readdir(root)) {
    if (stale.startsWith(`${source.id}-`))
      await rm(join(root, stale), { recursive: true, force: true });
  }
  const dir = join(root, `${source.id}-${runId}`);
  await mkdir(dir, { recursive: true });
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const file = join(dir, fileName(source.kind, remote.url));
  const { downloads } = config;
  const dispatcher = await createDispatcher({
    httpProxy: downloads.httpProxy,
    httpsProxy: downloads.httpsProxy,
    noProxy: downloads.noProxy,
    connectTimeoutMs: downloads.connectTimeoutSeconds * 1000,
    timeoutMs: downloads.timeoutSeconds * 1000,
  });
  const downloader = new Downloader({
    policy: urlPolicy(config),
    limits: {
      maxBytes: downloads.maxBytes,
      timeoutMs: downloads.timeoutSeconds * 1000,
      retries: downloads.retries,
    },
    dispatcher,
    ...(options.downloadSleep !== undefined && { sleep: options.downloadSleep }),
  });
  try {
    await job.progress(0, 0, `downloading ${shown(remote.url)}`);
    const outcome = await downloader.download({
      url: remote.url,
      validators: { etag: remote.etag, lastModified: remote.last_modified },
      destination: file,
      checksumUrl: remote.checksum_url,
      signal: job.signal,
      onProgress: (received, total) =>
        job.progress(
          received,
          total ?? 0,
          `downloading ${shown(remote.url)}: ${size(received)}${total === null ? '' : ` of ${size(total)}`}`,
        ),
      onRetry: (attempt, error, delayMs) =>
        logger.warn(
          { sourceId: source.id, url: shown(remote.url), attempt, reason: error.reason, delayMs },
          'advisory download failed; retrying',
        ),
    });
    const checkedAt = timestamp(clock);
    if (outcome.status === 'not-modified') {
      return {
        download: {
          url: remote.url,
          finalUrl: outcome.finalUrl,
          status: 'not-modified',
          bytes: null,
          sha256: null,
          etag: remote.etag,
          lastModified: remote.last_modified,
          verified: [],
          attempts: outcome.attempts,
        },
        file: undefined,
        commit: (trx) => updateSourceUrl(trx, source.id, { checked_at: checkedAt }),
        cleanup,
      };
    }
    // Some servers ignore conditional requests: the same bytes again are not applied again.
    const unchanged = remote.sha256 === outcome.sha256;
    return {
      download: {
        url: remote.url,
        finalUrl: outcome.finalUrl,
        status: unchanged ? 'unchanged' : 'downloaded',
        bytes: outcome.bytes,
        sha256: outcome.sha256,
        etag: outcome.etag,
        lastModified: outcome.lastModified,
        verified: outcome.verified,
        attempts: outcome.attempts,
      },
      file: unchanged ? undefined : file,
      commit: (trx) =>
        updateSourceUrl(trx, source.id, {
          etag: outcome.etag,
          last_modified: outcome.lastModified,
          sha256: outcome.sha256,
          bytes: outcome.bytes,
          checked_at: checkedAt,
          ...(!unchanged && { applied_at: timestamp(clock) }),
        }),
      cleanup,
    };
  } catch (error) {
    await cleanup();
    await updateSourceUrl(database.db, source.id, { checked_at: timestamp(clock) });
    if (error instanceof DownloadError && error.reason !== 'cancelled')
      throw new Error(`download of ${shown(remote.url)} failed: ${error.message}`, {
        cause: error,
      });
    throw error;
  } finally {
    await dispatcher.destroy();
  }
}
