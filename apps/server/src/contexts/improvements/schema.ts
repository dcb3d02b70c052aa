/** The improvement loop's API shapes (zod, OpenAPI): trends, recommendations, actions. */
import { z } from 'zod';

export const recommendationStates = ['open', 'accepted', 'dismissed', 'resolved'] as const;
export type RecommendationState = (typeof recommendationStates)[number];
export const actionStates = ['open', 'done', 'cancelled'] as const;
export type ActionState = (typeof actionStates)[number];
export const actionSources = ['review', 'recommendation', 'manual'] as const;

const day = z.iso.date().describe('a day, YYYY-MM-DD');

/** A change counted as evidence. */
export const EvidenceChange = z.object({
  id: z.string(),
  number: z.string().describe('CHG-0001'),
  title: z.string(),
  at: z.string().describe('when its rollout facts were recorded (or its review written)'),
  note: z.string().describe('what about it counts, e.g. "2 hosts failed in wave canary"'),
});
export type EvidenceChange = z.infer<typeof EvidenceChange>;

export const Evidence = z
  .object({
    period: z.object({ from: day, to: day }),
    counts: z.record(z.string(), z.number()).describe('the figures the rule compared'),
    changes: z.array(EvidenceChange).describe('the changes counted'),
    facts: z.record(z.string(), z.unknown()).describe('other facts (window, template, team…)'),
  })
  .describe('what the recommendation is based on');
export type Evidence = z.infer<typeof Evidence>;

export const TestWave = z.object({
  name: z.string(),
  environments: z.array(z.string()),
  bakeMinutes: z.number().int(),
});

export const RecommendationAction = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('lengthen-window'),
      windowId: z.string(),
      windowName: z.string(),
      byMinutes: z.number().int().min(1),
    }),
    z.object({
      kind: z.literal('add-test-wave'),
      template: z.string().describe('the standard-change template'),
      wave: TestWave,
    }),
    z.object({
      kind: z.literal('follow-up'),
      title: z.string(),
      owner: z.string().nullable(),
      dueInDays: z.number().int().min(1),
    }),
  ])
  .describe('what accepting does: a window or template edit, or a follow-up action');
export type RecommendationAction = z.infer<typeof RecommendationAction>;

export const Recommendation = z
  .object({
    id: z.string(),
    rule: z
      .string()
      .describe('canary-failures, window-overrun, failure-cause, group-failures, sla-drop'),
    subjectKey: z.string().describe('one open recommendation per subject'),
    title: z.string(),
    detail: z.string(),
    evidence: Evidence,
    action: RecommendationAction,
    state: z.enum(recommendationStates),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    reason: z.string().nullable(),
    applied: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('what accepting changed: ids, before and after'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('a recommendation with the evidence behind it');
export type Recommendation = z.infer<typeof Recommendation>;

export const RecommendationList = z.object({ recommendations: z.array(Recommendation) });

export const RecommendationQuery = z.strictObject({
  state: z.enum(recommendationStates).optional().describe('only these (none: every state)'),
});

export const IdParams = z.strictObject({ id: z.uuid().describe('the id') });

export const AcceptBody = z.strictObject({
  reason: z.string().trim().min(1).max(2000).optional().describe('why (optional, audited)'),
});
export const DismissBody = z.strictObject({
  reason: z
    .string()
    .max(2000)
    .optional()
    .describe('why it is dismissed: required (a missing or blank reason is a 400), audited'),
});

export const RefreshResult = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    resolved: z.number().int(),
    actionsFromReviews: z.number().int().describe('follow-ups of reviews newly tracked'),
    open: z.number().int().describe('open recommendations after the refresh'),
  })
  .describe('what a refresh did');
export type RefreshResult = z.infer<typeof RefreshResult>;

export const ImprovementAction = z
  .object({
    id: z.string(),
    source: z.enum(actionSources),
    changeId: z.string().nullable(),
    recommendationId: z.string().nullable(),
    title: z.string(),
    owner: z.string().nullable(),
    dueDate: z.string().nullable(),
    state: z.enum(actionStates),
    note: z.string().nullable(),
    overdue: z.boolean().describe('open and past its due date'),
    closedBy: z.string().nullable(),
    closedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('a follow-up action tracked to closure');
export type ImprovementAction = z.infer<typeof ImprovementAction>;

export const ActionList = z.object({ actions: z.array(ImprovementAction) });
export const ActionQuery = z.strictObject({
  state: z.enum(actionStates).optional().describe('only these (none: every state)'),
});

const owner = z.string().trim().min(1).max(200);
const note = z.string().trim().min(1).max(4000);

export const ActionCreateBody = z.strictObject({
  title: z.string().trim().min(1).max(1000).describe('what is to be done'),
  owner: owner.optional().describe('who does it'),
  dueDate: day.optional(),
  changeId: z.uuid().optional().describe('the change it follows up'),
  note: note.optional(),
});
export type ActionCreateBody = z.infer<typeof ActionCreateBody>;

export const ActionPatchBody = z
  .strictObject({
    state: z.enum(actionStates).optional().describe('done or cancelled closes it; open reopens'),
    owner: owner.nullable().optional(),
    dueDate: day.nullable().optional(),
    note: note.optional().describe('replaces the note'),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'give at least one field' });
export type ActionPatchBody = z.infer<typeof ActionPatchBody>;

export const TrendsQuery = z.strictObject({
  from: day.optional().describe('first day (default: 90 days before to)'),
  to: day.optional().describe('last day (default: today)'),
});

const ChangeRef = z.object({ id: z.string(), number: z.string() });

export const ReviewTrends = z
  .object({
    period: z.object({ from: day, to: day }),
    changes: z.number().int().describe('changes with rollout facts or a review in the period'),
    failedChanges: z.number().int().describe('changes with a host failure or a rollback'),
    failureCauses: z.array(
      z.object({
        cause: z.string().describe('kind and step of the failure'),
        kind: z.string(),
        step: z.string().nullable(),
        failures: z.number().int(),
        changes: z.array(ChangeRef),
      }),
    ),
    packages: z.array(
      z.object({
        package: z.string(),
        changes: z.number().int(),
        failedChanges: z.number().int(),
        failedInFirstWave: z.number().int(),
        failureRate: z.number().nullable(),
        failed: z.array(ChangeRef),
      }),
    ),
    assetGroups: z.array(
      z.object({
        group: z.string(),
        changes: z.number().int(),
        failedChanges: z.number().int(),
        hostFailures: z.number().int(),
        failureRate: z.number().nullable(),
        failed: z.array(ChangeRef),
      }),
    ),
    waves: z.array(
      z.object({
        wave: z.string(),
        position: z.number().int().describe('0: the first wave'),
        changes: z.number().int().describe('changes that ran a wave of this name'),
        caught: z.number().int().describe('changes whose wave stopped on a failure'),
        hostFailures: z.number().int(),
        caughtIn: z.array(ChangeRef),
      }),
    ),
    windows: z.array(
      z.object({
        windowId: z.string().nullable().describe('null: the changes ran outside any window'),
        windowName: z.string(),
        durationMinutes: z.number().int().nullable(),
        changes: z.number().int(),
        overruns: z.number().int(),
        maxOverrunMinutes: z.number().nullable(),
        overran: z.array(ChangeRef.extend({ overrunMinutes: z.number() })),
      }),
    ),
  })
  .describe('what the reviews of the period have in common');
export type ReviewTrends = z.infer<typeof ReviewTrends>;
