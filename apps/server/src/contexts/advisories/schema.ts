/** The advisories API's schemas: strict inputs, every field described (they become OpenAPI). */
import { z } from 'zod';

/** OSV data (a directory tree, one file, a zip export) or an enrichment source. */
export const advisorySourceKinds = [
  'osv-directory',
  'osv-file',
  'osv-zip',
  'kev',
  'epss',
  'cve5',
  'nvd',
] as const;
export const AdvisorySourceKind = z
  .enum(advisorySourceKinds)
  .describe(
    'osv-directory, osv-file, osv-zip (OSV records); kev, epss, cve5, nvd (enrichment facts)',
  );
export type AdvisorySourceKind = z.infer<typeof AdvisorySourceKind>;

export const syncRunStates = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export const SyncRunState = z.enum(syncRunStates).describe('running, succeeded, failed, cancelled');
export type SyncRunState = z.infer<typeof SyncRunState>;

const name = z.string().trim().min(1).max(200).describe('unique display name');
const path = z
  .string()
  .min(1)
  .max(4096)
  .describe(
    'file or directory on the server host, inside an allowed advisory root (server configuration); a relative path starts at <dataDir>/advisories',
  );
const intervalSeconds = z
  .number()
  .int()
  .min(60)
  .max(30 * 24 * 3600)
  .nullable()
  .describe('sync every this many seconds (60 s to 30 days); null: only on request');
const enabled = z.boolean().describe('whether the schedule runs');
const url = z
  .string()
  .min(1)
  .max(2048)
  .describe(
    'https URL the source is downloaded from (its host must be allowed: the catalogue’s hosts and PATCHGATE_DOWNLOAD_ALLOWED_HOSTS)',
  );
const checksumUrl = z
  .string()
  .min(1)
  .max(2048)
  .nullable()
  .describe('a sha256sum-style file the download is checked against, if the publisher has one');

export const AdvisorySourceInput = z
  .strictObject({
    name,
    kind: AdvisorySourceKind,
    path: path.optional(),
    url: url.optional(),
    checksumUrl: checksumUrl.optional(),
    intervalSeconds: intervalSeconds.default(null),
    enabled: enabled.default(true),
  })
  .superRefine((input, ctx) => {
    if ((input.path === undefined) === (input.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'give either path or url' });
    }
    if (input.checksumUrl != null && input.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['checksumUrl'], message: 'only for a url source' });
    }
  });
export type AdvisorySourceInput = z.infer<typeof AdvisorySourceInput>;

export const AdvisorySourcePatch = z.strictObject({
  name: name.optional(),
  path: path.optional(),
  url: url.optional(),
  checksumUrl: checksumUrl.optional(),
  intervalSeconds: intervalSeconds.optional(),
  enabled: enabled.optional(),
});
export type AdvisorySourcePatch = z.infer<typeof AdvisorySourcePatch>;

export const SourceDownloadState = z
  .object({
    etag: z.string().nullable().describe('ETag of the applied body, sent as If-None-Match'),
    lastModified: z
      .string()
      .nullable()
      .describe('Last-Modified of the applied body, sent as If-Modified-Since'),
    sha256: z.string().nullable().describe('SHA-256 of the applied body'),
    bytes: z.number().nullable().describe('size of the applied body'),
    appliedAt: z.string().nullable().describe('when a body was last applied, ISO 8601 UTC'),
    checkedAt: z.string().nullable().describe('when the URL was last asked, ISO 8601 UTC'),
  })
  .describe('What a URL source last downloaded and applied');
export type SourceDownloadState = z.infer<typeof SourceDownloadState>;

export const AdvisorySource = z
  .object({
    id: z.string().describe('source id (UUID)'),
    name: z.string().describe('unique display name'),
    kind: AdvisorySourceKind,
    path: z.string().describe('file or directory on the server host; the URL of a url source'),
    url: z.string().nullable().describe('where a url source is downloaded from; null: a path'),
    checksumUrl: z.string().nullable().describe('checksum file of a url source'),
    catalogueId: z
      .string()
      .nullable()
      .describe('the built-in catalogue entry the source was enabled from'),
    download: SourceDownloadState.nullable().describe('null for a path source'),
    intervalSeconds: z.number().int().nullable().describe('sync interval; null: on request'),
    enabled: z.boolean().describe('whether the schedule runs'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
    lastSync: z
      .object({
        at: z.string().describe('when the last sync finished, ISO 8601 UTC'),
        state: SyncRunState,
        runId: z.string().describe('the sync run'),
      })
      .nullable()
      .describe('the last finished sync, if any'),
  })
  .describe('Where advisories or enrichment facts are read from');
export type AdvisorySource = z.infer<typeof AdvisorySource>;

export const AdvisorySourceList = z.object({ sources: z.array(AdvisorySource) });
export type AdvisorySourceList = z.infer<typeof AdvisorySourceList>;

export const IdParams = z.strictObject({ id: z.uuid().describe('id (UUID)') });
export type IdParams = z.infer<typeof IdParams>;

export const SyncRequested = z.object({
  jobId: z.string().describe('the advisories.sync job; follow it at /api/v1/jobs/{jobId}'),
  alreadyQueued: z.boolean().describe('true when a sync of this source was already queued'),
});
export type SyncRequested = z.infer<typeof SyncRequested>;

export const SyncCounts = z
  .object({
    read: z.number().int().describe('records (or CVEs) read from the source'),
    new: z.number().int().describe('stored for the first time'),
    updated: z.number().int().describe('replaced because they changed'),
    unchanged: z.number().int().describe('already stored as read'),
    withdrawn: z.number().int().describe('stored in this run and withdrawn'),
    errors: z.number().int().describe('files or records that could not be read'),
  })
  .describe('What a sync run did');
export type SyncCounts = z.infer<typeof SyncCounts>;

export const SyncError = z.object({
  origin: z.string().describe('file (or archive!entry) and record'),
  message: z.string().describe('why it was skipped'),
});
export type SyncError = z.infer<typeof SyncError>;

export const downloadStatuses = ['downloaded', 'not-modified', 'unchanged'] as const;

export const SyncDownload = z
  .object({
    url: z.string().describe('the URL asked'),
    finalUrl: z.string().describe('where the answer came from after redirects'),
    status: z
      .enum(downloadStatuses)
      .describe(
        'downloaded (a new body, applied); not-modified (HTTP 304: nothing downloaded or applied); unchanged (the same bytes as last applied: not applied again)',
      ),
    bytes: z.number().nullable().describe('bytes downloaded'),
    sha256: z.string().nullable().describe('SHA-256 of the body'),
    etag: z.string().nullable().describe('the answer’s ETag'),
    lastModified: z.string().nullable().describe('the answer’s Last-Modified'),
    verified: z.array(z.string()).describe('integrity checks that passed'),
    attempts: z.number().int().describe('requests made, retries included'),
  })
  .describe('What the run of a url source downloaded');
export type SyncDownload = z.infer<typeof SyncDownload>;

export const SyncRun = z
  .object({
    id: z.string().describe('sync run id'),
    sourceId: z.string().describe('the source synced'),
    jobId: z.string().describe('the job that ran it'),
    attempt: z.number().int().describe('the job attempt these counts belong to'),
    state: SyncRunState,
    startedAt: z.string().describe('ISO 8601 UTC'),
    finishedAt: z.string().nullable().describe('ISO 8601 UTC'),
    counts: SyncCounts,
    errors: z.array(SyncError).describe('a sample of the errors (at most 20)'),
    error: z.string().nullable().describe('why the run failed'),
    download: SyncDownload.nullable().describe('url sources: what was downloaded'),
  })
  .describe('One sync of a source');
export type SyncRun = z.infer<typeof SyncRun>;

export const SyncRunQuery = z.strictObject({
  sourceId: z.uuid().optional().describe('only runs of this source'),
  state: SyncRunState.optional().describe('only runs in this state'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size, at most 200'),
  offset: z.coerce.number().int().min(0).default(0).describe('runs to skip (newest first)'),
});
export type SyncRunQuery = z.infer<typeof SyncRunQuery>;

export const SyncRunList = z.object({
  runs: z.array(SyncRun).describe('newest first'),
  nextOffset: z.number().int().nullable().describe('offset of the next page, null on the last'),
});
export type SyncRunList = z.infer<typeof SyncRunList>;

export const AdvisoryQuery = z
  .strictObject({
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('an advisory id or alias (CVE, GHSA…)'),
    ecosystem: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('OSV ecosystem, exactly as advisories name it: Go, PyPI, Debian:12…'),
    package: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe('package name (needs ecosystem); spelled as the ecosystem compares names'),
    after: z.string().min(1).max(200).optional().describe('cursor: advisories after this id'),
    limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size, at most 200'),
  })
  .superRefine((query, ctx) => {
    if (query.package !== undefined && query.ecosystem === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ecosystem'],
        message: 'a package search needs its ecosystem',
      });
    }
  });
export type AdvisoryQuery = z.infer<typeof AdvisoryQuery>;

export const AdvisorySummary = z
  .object({
    id: z.string().describe('OSV id'),
    modified: z.string().describe('when the record last changed (RFC 3339)'),
    published: z.string().nullable().describe('RFC 3339'),
    withdrawn: z.string().nullable().describe('set when the record no longer claims anything'),
    summary: z.string().nullable().describe('one-line summary'),
    aliases: z.array(z.string()).describe('the same vulnerability elsewhere'),
    cves: z.array(z.string()).describe('the CVEs it is about'),
    sourceId: z.string().describe('the source that last wrote it'),
  })
  .describe('An advisory in search results');
export type AdvisorySummary = z.infer<typeof AdvisorySummary>;

export const AdvisoryList = z.object({
  advisories: z.array(AdvisorySummary).describe('in id order'),
  nextAfter: z.string().nullable().describe('cursor of the next page, null on the last'),
});
export type AdvisoryList = z.infer<typeof AdvisoryList>;

export const AdvisoryParams = z.strictObject({
  id: z.string().min(1).max(200).describe('OSV id'),
});
export type AdvisoryParams = z.infer<typeof AdvisoryParams>;

export const AdvisoryDetail = z.object({
  sourceId: z.string().describe('the source that last wrote it'),
  advisory: z.record(z.string(), z.unknown()).describe('the OSV record as read'),
  facts: z
    .array(z.record(z.string(), z.unknown()))
    .describe('enrichment facts (KEV, EPSS, CVSS, SSVC) of its CVEs, in CVE order'),
});
export type AdvisoryDetail = z.infer<typeof AdvisoryDetail>;

// --- the built-in catalogue ------------------------------------------------------------

export const CatalogueEntry = z
  .object({
    id: z.string().describe('catalogue id, e.g. osv-debian, cisa-kev, first-epss'),
    name: z.string().describe('the name of the source it becomes'),
    kind: AdvisorySourceKind,
    url: z.string().describe('where it is downloaded from'),
    intervalSeconds: z.number().int().describe('sync interval once enabled'),
    publisher: z.string().describe('who publishes the data'),
    licence: z.string().describe('the data’s licence'),
    integrity: z.string().describe('what the publisher offers to check a download'),
    sourceId: z.string().nullable().describe('the source enabled from it; null: never enabled'),
    enabled: z.boolean().describe('whether that source exists and its schedule runs'),
  })
  .describe('A public feed the server can keep itself current from');
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

export const CatalogueList = z.object({
  entries: z.array(CatalogueEntry).describe('every built-in feed; all off until enabled'),
});
export type CatalogueList = z.infer<typeof CatalogueList>;

export const CatalogueParams = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .describe('catalogue id'),
});
export type CatalogueParams = z.infer<typeof CatalogueParams>;

export const CatalogueEnableInput = z
  .strictObject({
    sync: z.boolean().default(true).describe('queue a first sync now (default true)'),
    intervalSeconds: intervalSeconds.optional().describe('override the catalogue’s interval'),
  })
  .default({ sync: true });
export type CatalogueEnableInput = z.infer<typeof CatalogueEnableInput>;

export const CatalogueEnabled = z.object({
  source: AdvisorySource,
  created: z.boolean().describe('true when the source was created now'),
  jobId: z.string().nullable().describe('the first sync, when one was queued'),
});
export type CatalogueEnabled = z.infer<typeof CatalogueEnabled>;
