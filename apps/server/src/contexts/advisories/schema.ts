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

export const AdvisorySourceInput = z.strictObject({
  name,
  kind: AdvisorySourceKind,
  path,
  intervalSeconds: intervalSeconds.default(null),
  enabled: enabled.default(true),
});
export type AdvisorySourceInput = z.infer<typeof AdvisorySourceInput>;

export const AdvisorySourcePatch = z.strictObject({
  name: name.optional(),
  path: path.optional(),
  intervalSeconds: intervalSeconds.optional(),
  enabled: enabled.optional(),
});
export type AdvisorySourcePatch = z.infer<typeof AdvisorySourcePatch>;

export const AdvisorySource = z
  .object({
    id: z.string().describe('source id (UUID)'),
    name: z.string().describe('unique display name'),
    kind: AdvisorySourceKind,
    path: z.string().describe('file or directory on the server host'),
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
