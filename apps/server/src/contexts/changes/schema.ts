/** The change API's zod schemas: strict inputs (unknown keys rejected), every field described. */
import { ChangePlans, changeStates, changeTypes, riskLevels } from '@patchgate/changes';
import { criticalities, environments, exposures } from '@patchgate/model';
import { priorities } from '@patchgate/policy';
import { z } from 'zod';
import { findingStatuses } from '../findings/index.ts';
import { ApiApprovalStatus } from './approvals-schema.ts';
import { EvidenceRecord } from './evidence-schema.ts';
import { PreflightSummary, ReviewFacts } from './rollout-facts-schema.ts';
import { changeSorts, sortOrders } from './repository.ts';

/** `a,b,c` → [a, b, c], each one of `values`: a query parameter that takes several values. */
function commaList<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z
    .string()
    .max(500)
    .transform((text) => text.split(',').map((v) => v.trim()))
    .pipe(z.array(z.enum(values)).min(1))
    .describe(`${what}: one or more of ${values.join(', ')}, comma-separated`);
}

const text = (max: number) => z.string().trim().min(1).max(max);

export const patchModes = ['fixed', 'pinned', 'update', 'latest'] as const;
export type PatchMode = (typeof patchModes)[number];

/** `CHG-0042`, `42` or the change's id: everywhere a change is named. */
export const ChangeIdParams = z.strictObject({
  id: z.string().min(1).max(100).describe('change id, or its number (CHG-0042 or 42)'),
});
export type ChangeIdParams = z.infer<typeof ChangeIdParams>;

export const PatchRequest = z.strictObject({
  asset: text(255).describe('the asset, by name or id'),
  package: text(255).describe('the package name as installed'),
  toVersion: text(255)
    .optional()
    .describe(
      'target version; omitted: the lowest fixed version closing its findings, else the latest available',
    ),
});
export type PatchRequest = z.infer<typeof PatchRequest>;

/** The findings a change is made from: ids, or a filter as the findings list takes. */
export const FindingSelection = z
  .strictObject({
    ids: z.array(z.uuid()).min(1).max(1000).optional().describe('these findings'),
    priority: z.array(z.enum(priorities)).min(1).optional().describe('any of these priorities'),
    environment: z.array(z.enum(environments)).min(1).optional().describe('asset environments'),
    criticality: z.array(z.enum(criticalities)).min(1).optional().describe('asset criticalities'),
    exposure: z.array(z.enum(exposures)).min(1).optional().describe('asset exposures'),
    asset: text(255).optional().describe('one asset, by name or id'),
    group: text(100).optional().describe('assets of this group'),
    status: z
      .array(z.enum([...findingStatuses, 'all']))
      .min(1)
      .optional()
      .describe('finding statuses; default: the work queue (open, reopened)'),
    kev: z.boolean().optional().describe('true: only CISA KEV findings'),
    package: text(255)
      .optional()
      .describe(
        'exact package name: the binary package or its source package (curl: libcurl4 too)',
      ),
    advisory: text(255).optional().describe('advisory id or alias (CVE-…)'),
    dueBefore: z.iso.date().optional().describe('due before this day (YYYY-MM-DD)'),
  })
  .refine((s) => Object.keys(s).length > 0, { message: 'names no findings: give ids or a filter' })
  .describe('findings by ids, or by a filter like the findings list (both: both must hold)');
export type FindingSelection = z.infer<typeof FindingSelection>;

export const ChangeCreateBody = z
  .strictObject({
    title: text(200).describe('what the change does, in a line'),
    description: z.string().max(10_000).optional().describe('more about it'),
    type: z
      .enum(changeTypes)
      .optional()
      .describe('standard, normal or emergency; default standard with a template, else normal'),
    template: text(200)
      .optional()
      .describe('standard changes: the template, by name or id (its latest version)'),
    implementer: text(200)
      .optional()
      .describe('the user who will implement it, by username or id (may not approve it)'),
    patches: z
      .array(PatchRequest)
      .min(1)
      .max(1000)
      .optional()
      .describe('by hand: package → version per asset'),
    findings: FindingSelection.optional().describe('from findings: the patches that close them'),
    patchTarget: z
      .enum(['lowest-fix', 'available-update'])
      .default('lowest-fix')
      .describe(
        'from findings: lowest-fix (the lowest version closing every linked finding) or available-update (all pending updates the assets report, e.g. from the security repository)',
      ),
    plans: ChangePlans.optional().describe(
      'the plans; omitted: a default deployment plan from the assets',
    ),
  })
  .refine((b) => (b.patches === undefined) !== (b.findings === undefined), {
    path: ['patches'],
    message: 'give either patches (by hand) or findings, not both nor neither',
  });
export type ChangeCreateBody = z.infer<typeof ChangeCreateBody>;

export const PlansBody = z.strictObject({
  plans: ChangePlans.optional().describe('the new plans; omitted: keep the current ones'),
  patches: z
    .array(PatchRequest)
    .min(1)
    .max(1000)
    .optional()
    .describe('a new scope (replaces the patches and assets); omitted: keep them'),
  reason: z.string().max(2000).optional().describe('why the plan changed'),
});
export type PlansBody = z.infer<typeof PlansBody>;

export const ChangeEditBody = z
  .strictObject({
    title: text(200).optional().describe('the new title'),
    description: z.string().max(10_000).optional().describe('the new description'),
    type: z
      .enum(changeTypes)
      .optional()
      .describe('the new type (drafts only); leaving standard drops the template'),
    template: text(200)
      .optional()
      .describe('standard changes: the template, by name or id (its latest version; drafts only)'),
    reason: z.string().max(2000).optional().describe('why (kept in the audit log)'),
  })
  .refine(
    (b) =>
      b.title !== undefined ||
      b.description !== undefined ||
      b.type !== undefined ||
      b.template !== undefined,
    { message: 'changes nothing: give a title, description, type or template' },
  );
export type ChangeEditBody = z.infer<typeof ChangeEditBody>;

export const ActionBody = z.strictObject({
  reason: z.string().max(4000).optional().describe('why (kept in the history and audit log)'),
});
export type ActionBody = z.infer<typeof ActionBody>;

export const DecisionBody = z.strictObject({
  comment: z.string().max(4000).optional().describe('the approver’s comment; required to reject'),
});
export type DecisionBody = z.infer<typeof DecisionBody>;

export const ScheduleBody = z.strictObject({
  start: z.iso
    .datetime({ offset: true })
    .describe('when the change starts (ISO 8601); not in the past (a minute of grace)'),
  end: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('when it ends; default: start + the plan’s estimated duration (or 2 hours)'),
  overrideFreeze: z
    .boolean()
    .optional()
    .describe('emergency changes only: schedule into a freeze that allows emergency overrides'),
  reason: z.string().max(4000).optional().describe('why this time'),
});
export type ScheduleBody = z.infer<typeof ScheduleBody>;

export const RiskOverrideBody = z.strictObject({
  level: z.enum(riskLevels).describe('the level to use instead of the assessed one'),
  reason: text(4000).describe('why (required, audited)'),
});
export type RiskOverrideBody = z.infer<typeof RiskOverrideBody>;

const FollowUp = z.strictObject({
  action: text(1000).describe('what is to be done'),
  owner: text(200).describe('who does it'),
  dueAt: z.iso.date().describe('by when (YYYY-MM-DD)'),
  done: z.boolean().default(false).describe('done already'),
});

export const ReviewBody = z
  .strictObject({
    wentWell: z.string().max(10_000).default('').describe('what went well'),
    didNotGoWell: z.string().max(10_000).default('').describe('what did not'),
    incidents: z
      .array(text(1000))
      .max(100)
      .default([])
      .describe('incidents it caused or met (references)'),
    lessons: z.string().max(10_000).default('').describe('lessons learned'),
    followUps: z.array(FollowUp).max(100).default([]).describe('follow-up actions'),
  })
  // An empty review would erase the one written before and let an emergency change close
  // with nothing reviewed.
  .refine(
    (r) =>
      [r.wentWell, r.didNotGoWell, r.lessons].some((t) => t.trim() !== '') ||
      r.incidents.length > 0 ||
      r.followUps.length > 0,
    {
      message:
        'the review is empty: say at least what went well, what did not, the lessons, an incident or a follow-up',
    },
  );
export type ReviewBody = z.infer<typeof ReviewBody>;

export const ChangeListQuery = z.strictObject({
  state: commaList(changeStates, 'state').optional(),
  type: commaList(changeTypes, 'type').optional(),
  risk: commaList(riskLevels, 'effective risk level').optional(),
  assetId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('only changes whose scope includes this asset (its id)'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('text in the title or description (any case), or the number (CHG-0042 or 42)'),
  sort: z
    .enum(changeSorts)
    .default('created')
    .describe(
      'created (creation time), number, risk (effective level), scheduled (scheduled start; unscheduled changes last)',
    ),
  order: z.enum(sortOrders).default('desc').describe('asc or desc (default desc: newest first)'),
  cursor: z.string().min(1).max(500).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size, at most 500'),
});
export type ChangeListQuery = z.infer<typeof ChangeListQuery>;

const Person = z.object({ id: z.string().nullable(), name: z.string() });

const RiskFactor = z.object({
  id: z
    .string()
    .describe(
      'asset-count, criticality, environment, exposure, restart, test-evidence, history, urgency',
    ),
  label: z.string(),
  points: z.number().describe('its share of the score'),
  detail: z.string().describe('what was seen, in words'),
});

export const ApiChange = z
  .object({
    id: z.string(),
    number: z.string().describe('CHG-0042: how people name it'),
    title: z.string(),
    description: z.string(),
    type: z.enum(changeTypes),
    state: z.enum(changeStates),
    risk: z
      .object({
        level: z.enum(riskLevels).describe('the effective level (the override when there is one)'),
        assessed: z.enum(riskLevels).describe('the computed level'),
        score: z.number(),
        factors: z.array(RiskFactor).describe('why: each factor and its share'),
        explanation: z.string().describe('the assessment in one paragraph'),
        override: z.object({ level: z.enum(riskLevels), reason: z.string() }).nullable(),
      })
      .describe('risk with its explanation'),
    template: z.object({ id: z.string(), version: z.number().int() }).nullable(),
    requester: Person,
    implementer: Person.nullable(),
    planVersion: z.number().int().describe('the current plan version'),
    schedule: z.object({ start: z.string(), end: z.string() }).nullable(),
    freezeOverride: z
      .object({
        freezes: z
          .array(z.object({ id: z.string(), name: z.string() }))
          .describe('the freezes the schedule overrides'),
        by: Person.describe('who scheduled the change into them'),
        at: z.string(),
        reason: z.string().nullable(),
      })
      .nullable()
      .describe(
        "an emergency change's schedule overriding freezes that allow it: the approval then has its freeze-override stage (null: no freeze met)",
      ),
    createdBy: z
      .object({ rule: z.string().nullable(), reason: z.string().nullable() })
      .describe('the autopilot rule that made it (rule null: made by a person)'),
    counts: z.object({
      assets: z.number().int(),
      patches: z.number().int(),
      findings: z.number().int(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('A change request');
export type ApiChange = z.infer<typeof ApiChange>;

export const ChangeAsset = z.object({
  id: z.string(),
  name: z.string(),
  environment: z.string().nullable(),
  criticality: z.string(),
  exposure: z.string(),
  owner: z.string().nullable(),
  groups: z.array(z.string()),
  tags: z.array(z.string()),
});
export type ChangeAsset = z.infer<typeof ChangeAsset>;

export const ChangePatch = z.object({
  assetId: z.string(),
  assetName: z.string(),
  ecosystem: z.string(),
  package: z.string(),
  fromVersion: z.string().nullable(),
  toVersion: z.string().nullable().describe('null: the latest the package manager offers'),
  mode: z
    .enum(patchModes)
    .describe(
      'fixed: the lowest version closing its findings; pinned: asked for; update: the update the asset reports available; latest: whatever the package manager offers',
    ),
  origin: z
    .string()
    .nullable()
    .describe('the repository of the target, when the asset reported it (e.g. bookworm-security)'),
});
export type ChangePatch = z.infer<typeof ChangePatch>;

export const ChangeFinding = z.object({
  findingId: z.string(),
  assetId: z.string(),
  package: z.string(),
  advisoryIds: z.array(z.string()),
  cves: z.array(z.string()),
  priority: z.string(),
  kev: z.boolean(),
  dueDate: z.string().nullable(),
});
export type ChangeFinding = z.infer<typeof ChangeFinding>;

export const PlanVersion = z.object({
  version: z.number().int(),
  hash: z.string().describe('SHA-256 of the canonical JSON of the content'),
  author: Person,
  reason: z.string().nullable(),
  createdAt: z.string(),
});

export const Transition = z.object({
  from: z.string().nullable(),
  to: z.string(),
  action: z.string(),
  actor: Person.extend({ type: z.string() }),
  reason: z.string().nullable(),
  at: z.string(),
});
export type Transition = z.infer<typeof Transition>;

export const Review = z.object({
  wentWell: z.string(),
  didNotGoWell: z.string(),
  incidents: z.array(z.string()),
  lessons: z.string(),
  followUps: z.array(
    z.object({ action: z.string(), owner: z.string(), dueAt: z.string(), done: z.boolean() }),
  ),
  author: Person,
  updatedAt: z.string(),
});
export type Review = z.infer<typeof Review>;

export const Conflict = z.object({
  kind: z
    .string()
    .describe(
      'asset-in-overlapping-change, outside-window, in-freeze, window-too-short, approval-missing-before-start',
    ),
  assetId: z.string().optional().describe('the asset concerned'),
  otherChangeId: z.string().optional().describe('the other change holding the asset'),
  windowId: z.string().optional(),
  freezeId: z.string().optional(),
  emergencyOverrideAllowed: z
    .boolean()
    .optional()
    .describe('in-freeze: whether this (emergency) change may override the freeze'),
  message: z.string().describe('the reason, for a person'),
});
export type Conflict = z.infer<typeof Conflict>;

export const ChangeDetail = ApiChange.extend({
  assets: z.array(ChangeAsset),
  patches: z.array(ChangePatch),
  findings: z.array(ChangeFinding),
  plans: ChangePlans,
  planCheck: z
    .object({ ok: z.boolean(), errors: z.array(z.string()) })
    .describe('the plans validated for the change’s type (submit requires ok)'),
  planVersions: z.array(PlanVersion),
  approvals: ApiApprovalStatus.describe('the approval status of the current plan version'),
  conflicts: z.array(Conflict).describe('scheduling conflicts (empty when not scheduled)'),
  history: z.array(Transition).describe('state transitions, oldest first'),
  evidence: z
    .array(EvidenceRecord)
    .describe('test evidence recorded on the change, oldest first, with attached files’ hashes'),
  review: Review.nullable(),
  preflight: PreflightSummary.nullable().describe(
    'the latest pre-flight (null: none yet); failed means a host would remove a package or meets a conflict',
  ),
  reviewFacts: ReviewFacts.nullable().describe(
    'the review pre-filled from the rollout when it ended (null: no rollout ended yet)',
  ),
});
export type ChangeDetail = z.infer<typeof ChangeDetail>;

export const ChangeList = z.object({
  changes: z.array(ApiChange),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
});
export type ChangeList = z.infer<typeof ChangeList>;

export const ConflictList = z.object({
  schedule: z.object({ start: z.string(), end: z.string() }).nullable(),
  conflicts: z.array(Conflict),
});

export const NextSlot = z.object({
  start: z.string().nullable(),
  end: z.string().nullable(),
  reason: z.string().nullable().describe('why there is none (start and end null)'),
});

export const Agenda = z.object({
  changes: z.array(ChangeDetail).describe('awaiting a decision, by window then risk'),
});
