/** The findings API's zod schemas: strict inputs (unknown keys rejected), every field described. */
import { criticalities, environments, exposures } from '@patchgate/model';
import { priorities } from '@patchgate/policy';
import { z } from 'zod';
import {
  detectionStates,
  dueStatuses,
  exceptionStates,
  findingStatuses,
  triageJustifications,
  triageStates,
} from './model.ts';
import { findingSorts } from './repository.ts';

/** `a,b,c` → [a, b, c], each one of `values`: a query parameter that takes several values. */
function commaList<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z
    .string()
    .transform((text) => text.split(',').map((v) => v.trim()))
    .pipe(z.array(z.enum(values)).min(1))
    .describe(`${what}: one or more of ${values.join(', ')}, comma-separated`);
}

const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');
const calendarDate = z.iso.date();

export const FindingIdParams = z.strictObject({
  id: z.uuid().describe('finding id'),
});
export type FindingIdParams = z.infer<typeof FindingIdParams>;

export const ExceptionIdParams = z.strictObject({
  id: z.uuid().describe('exception id'),
});
export type ExceptionIdParams = z.infer<typeof ExceptionIdParams>;

const filterFields = {
  asset: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('only findings on this asset, by name or id (an unknown one is a 422)'),
  assetId: z.string().min(1).optional().describe('only findings on this asset (id or name)'),
  group: z.string().min(1).optional().describe('only findings on assets of this group'),
  ownerTeam: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("only findings on assets this team owns (the asset's owner, exact)"),
  noOwnerTeam: booleanText
    .optional()
    .describe('true: only findings on assets without an owner team'),
  environment: commaList(
    [...environments, 'none'],
    'asset environment; none: the asset has no environment recorded',
  ).optional(),
  criticality: commaList(criticalities, 'asset criticality').optional(),
  exposure: commaList(exposures, 'asset exposure').optional(),
  priority: commaList(priorities, 'priority').optional(),
  status: commaList(
    [...findingStatuses, 'all'],
    'status (one per finding: fixed, else accepted, else a settled triage state, else open/reopened); all: every status. The list defaults to open,reopened unless status, state, triage, accepted or actionable is given',
  ).optional(),
  state: commaList(detectionStates, 'detection state').optional(),
  triage: commaList(
    [...triageStates, 'none'],
    'triage (VEX) state; none: never triaged',
  ).optional(),
  accepted: booleanText
    .optional()
    .describe('true: covered by an approved, unexpired exception; false: not covered'),
  actionable: booleanText
    .optional()
    .describe(
      'true: open or reopened, not accepted, not triaged as not affected/false positive/resolved',
    ),
  dueBefore: calendarDate.optional().describe('due date before this day (YYYY-MM-DD)'),
  overdue: booleanText.optional().describe('true: open or reopened and due before today'),
  due: commaList(
    dueStatuses,
    'due status by the due date alone, relative to today (UTC): overdue (before today), soon (today up to today + 6), later (today + 7 or after), none (no due date)',
  ).optional(),
  kev: booleanText.optional().describe('true: in CISA KEV; false: not'),
  epssMin: z.coerce.number().min(0).max(1).optional().describe('EPSS score at least this (0–1)'),
  package: z.string().min(1).optional().describe('exact package name'),
  advisory: z
    .string()
    .min(1)
    .optional()
    .describe('advisory id or one of its aliases (CVE-…, GHSA-…)'),
};

export const FindingSummaryQuery = z.strictObject({
  ...filterFields,
  groups: booleanText
    .optional()
    .describe(
      'true: also count (asset, source package, advisory) groups (groups, groupsByPriority): two grouped queries more',
    ),
});
export type FindingSummaryQuery = z.infer<typeof FindingSummaryQuery>;

export const FindingListQuery = z.strictObject({
  ...filterFields,
  sort: z
    .enum(findingSorts)
    .default('priority')
    .describe(
      'priority (then due date, most urgent first), due (earliest first), epss (highest first), first_seen (newest first)',
    ),
  cursor: z.string().min(1).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size, at most 500'),
  wholeGroups: booleanText
    .optional()
    .describe(
      'true: extend the page (by at most 200 findings) so the findings of one (asset, source package, advisory) are not split across pages',
    ),
});
export type FindingListQuery = z.infer<typeof FindingListQuery>;

const Decision = z
  .object({
    priority: z.enum(priorities),
    dueDate: z.string().nullable(),
    timeline: z.string(),
    ssvcOutcome: z.string().optional(),
    severity: z.string(),
    drivingCve: z.string().optional(),
    explanation: z.object({
      policy: z.object({ id: z.string(), name: z.string(), version: z.string() }),
      rule: z.object({ id: z.string(), description: z.string() }),
      inputs: z.array(
        z.object({
          name: z.string(),
          value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
          source: z.string(),
          timestamp: z.string().optional(),
        }),
      ),
      due: z.string(),
      text: z.string(),
    }),
  })
  .describe("the policy's decision and why");

export const ApiFinding = z
  .object({
    id: z.string().describe('finding id'),
    asset: z
      .object({
        id: z.string(),
        name: z.string(),
        environment: z.string().nullable(),
        criticality: z.string().nullable(),
        exposure: z.string(),
        groups: z.array(z.string()),
        tags: z.array(z.string()),
      })
      .describe('the asset, as of the last reconcile'),
    package: z
      .object({
        ecosystem: z.string(),
        name: z.string(),
        version: z.string(),
        sourceName: z.string().nullable(),
        instances: z.array(
          z.object({
            version: z.string(),
            purl: z.string().optional(),
            location: z.string().optional(),
          }),
        ),
      })
      .describe('the installed package (every copy of that name on the asset)'),
    advisory: z
      .object({
        id: z.string(),
        aliases: z.array(z.string()),
        cves: z.array(z.string()),
        summary: z.string().nullable(),
      })
      .describe('the advisory'),
    match: z
      .object({
        ecosystem: z.string(),
        name: z.string(),
        version: z.string(),
        by: z.enum(['range', 'versions']),
        range: z.string().optional(),
        epochIgnored: z.literal(true).optional(),
      })
      .describe('how the matcher matched it'),
    fixedVersions: z.array(z.string()).describe('versions that fix it, lowest first'),
    state: z.enum(detectionStates).describe('detection state'),
    status: z
      .enum(findingStatuses)
      .describe(
        'where it stands: fixed, accepted (exception), not_affected/false_positive/resolved (VEX), or open/reopened (to act on)',
      ),
    firstSeenAt: z.string().describe('first detected (server clock)'),
    lastSeenAt: z.string().describe('taken-at of the last inventory it was seen in'),
    fixedAt: z.string().nullable(),
    fixedByChangeId: z
      .string()
      .nullable()
      .describe('the change whose verified install fixed it (evidence); null otherwise'),
    reopenedAt: z.string().nullable(),
    priority: z.enum(priorities),
    dueDate: z.string().nullable(),
    overdue: z.boolean().describe('open or reopened and due before today'),
    severity: z.string(),
    unknownSeverity: z
      .string()
      .nullable()
      .describe(
        "when the severity is unknown, how the finding's policy handled that (its rule, or that severity is not one of its inputs); null when known",
      ),
    kev: z.boolean(),
    epss: z.number().nullable(),
    triage: z
      .object({
        state: z.enum(triageStates),
        justification: z.enum(triageJustifications).nullable(),
        detail: z.string().nullable(),
        by: z.string().nullable(),
        at: z.string().nullable(),
      })
      .nullable()
      .describe('the VEX analysis, null until triaged'),
    accepted: z
      .object({ exceptionId: z.string(), until: z.string() })
      .nullable()
      .describe('the approved, unexpired exception accepting the risk'),
  })
  .describe('One finding: a package on an asset affected by an advisory');
export type ApiFinding = z.infer<typeof ApiFinding>;

export const ApiException = z
  .object({
    id: z.string(),
    findingId: z.string(),
    assetId: z.string(),
    advisoryId: z.string(),
    owner: z.string(),
    reason: z.string(),
    expiresAt: z.string(),
    state: z
      .enum(exceptionStates)
      .describe('effective state: an approved one past expiry is expired'),
    requestedBy: z.object({ id: z.string(), name: z.string() }),
    requestedAt: z.string(),
    decidedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    closedAt: z.string().nullable(),
    finding: z
      .object({
        assetName: z.string(),
        packageName: z.string(),
        packageVersion: z.string(),
        advisorySummary: z.string().nullable(),
        priority: z.enum(priorities),
      })
      .nullable()
      .describe(
        "the finding's asset and package as the findings list shows them now (null only if the finding cannot be read)",
      ),
  })
  .describe('A risk-acceptance exception');
export type ApiException = z.infer<typeof ApiException>;

export const HistoryEntry = z.object({
  at: z.string().describe('when'),
  action: z
    .string()
    .describe('finding.detected, finding.fixed, finding.triaged, finding_exception.approved…'),
  actor: z.string().nullable().describe('who (null: the reconcile)'),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const FindingDetail = ApiFinding.extend({
  decision: Decision,
  exceptions: z.array(ApiException),
  history: z
    .array(HistoryEntry)
    .describe('detection transitions and audited changes, oldest first'),
});
export type FindingDetail = z.infer<typeof FindingDetail>;

export const FindingList = z.object({
  findings: z.array(ApiFinding),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
});
export type FindingList = z.infer<typeof FindingList>;

export const FindingSummary = z.object({
  total: z.number().int().describe('findings matching the filters, in any state'),
  byState: z.record(z.enum(detectionStates), z.number().int()),
  byPriority: z
    .record(z.enum(priorities), z.number().int())
    .describe('actionable findings (open/reopened, not accepted, not triaged away) by priority'),
  groups: z
    .number()
    .int()
    .optional()
    .describe(
      'with groups=true: (asset, source package, advisory) groups matching the filters, in any state: what a table shows one row each',
    ),
  groupsByPriority: z
    .record(z.enum(priorities), z.number().int())
    .optional()
    .describe(
      'with groups=true: byPriority, one per (asset, source package, advisory) — the binaries of one source package (libssl3, libssl-dev, openssl) count once — by the group’s most urgent priority',
    ),
  accepted: z.number().int().describe('open or reopened and covered by an exception'),
  triagedAway: z
    .number()
    .int()
    .describe('open or reopened and triaged not_affected, false_positive or resolved'),
  overdue: z.number().int().describe('actionable and past due'),
});
export type FindingSummary = z.infer<typeof FindingSummary>;

export const TriageBody = z
  .strictObject({
    state: z.enum(triageStates).describe('CycloneDX VEX analysis state'),
    justification: z
      .enum(triageJustifications)
      .optional()
      .describe('CycloneDX justification; required when state is not_affected'),
    detail: z.string().max(4000).optional().describe('free-text analysis detail'),
  })
  .refine((b) => b.state !== 'not_affected' || b.justification !== undefined, {
    path: ['justification'],
    message: 'is required when state is not_affected',
  });
export type TriageBody = z.infer<typeof TriageBody>;

export const ExceptionRequestBody = z.strictObject({
  owner: z.string().min(1).max(200).describe('who owns the accepted risk (a team or person)'),
  reason: z.string().min(1).max(4000).describe('why the risk is accepted'),
  expiresAt: z.iso
    .datetime({ offset: true })
    .describe('when the acceptance ends (ISO 8601); at most one year ahead'),
});
export type ExceptionRequestBody = z.infer<typeof ExceptionRequestBody>;

export const ExceptionDecisionBody = z.strictObject({
  note: z.string().max(4000).optional().describe('why it was decided so'),
});
export type ExceptionDecisionBody = z.infer<typeof ExceptionDecisionBody>;

export const ExceptionListQuery = z.strictObject({
  state: commaList(exceptionStates, 'stored state').optional(),
  findingId: z.uuid().optional().describe('only exceptions of this finding'),
  cursor: z.string().min(1).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size, at most 500'),
});
export type ExceptionListQuery = z.infer<typeof ExceptionListQuery>;

export const ExceptionList = z.object({
  exceptions: z.array(ApiException),
  nextCursor: z.string().nullable(),
});
export type ExceptionList = z.infer<typeof ExceptionList>;
