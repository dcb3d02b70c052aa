/**
 * The autopilot API's schemas. A rule's definition is @patchgate/changes'
 * `AutopilotRuleDefinition` (strict, every field described), the one copy the planner, the
 * stored rows and the API share.
 */
import { z } from 'zod';
import { AutopilotRuleDefinition } from '@patchgate/changes';

export { AutopilotRuleDefinition };

export const AutopilotRuleParams = z.strictObject({
  id: z.string().min(1).max(100).describe('the rule id'),
});

export const AutopilotRule = z
  .object({
    id: z.string().describe('the rule id'),
    definition: AutopilotRuleDefinition.describe('what the rule does'),
    paused: z.boolean().describe('true: the rule neither runs on its schedule nor on request'),
    pausedReason: z.string().nullable().describe('why it was paused (by someone or by itself)'),
    pausedAt: z.string().nullable().describe('when, ISO 8601 UTC'),
    lastRunAt: z.string().nullable().describe('when it last ran on its schedule'),
    nextRunAt: z
      .string()
      .nullable()
      .describe(
        'when it is next due on its schedule, ISO 8601 UTC: the start of the UTC period after its last scheduled run (its creation when it has not run yet); it runs at the first hourly check from then. Null while paused',
      ),
    lastChangeId: z.string().nullable().describe('the last change it created'),
    createdBy: z.string().nullable().describe('the user who created it'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
  })
  .describe('an autopilot rule');
export type AutopilotRule = z.infer<typeof AutopilotRule>;

export const AutopilotRuleList = z.object({
  rules: z.array(AutopilotRule).describe('every rule, by name'),
});
export type AutopilotRuleList = z.infer<typeof AutopilotRuleList>;

export const PauseBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional().describe('why (default: paused by hand)'),
});

export const ResumeBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional().describe('why it may run again'),
});

const Item = z
  .object({
    kind: z.enum(['finding', 'update']).describe('a finding or an available update'),
    id: z.string().describe('finding id, or asset:package:version for an update'),
    assetId: z.string().describe('the asset'),
    assetName: z.string().describe('its name'),
    packageName: z.string().describe('the package'),
    targetVersion: z.string().nullable().describe('the version that fixes it, when known'),
    advisoryId: z.string().optional().describe('the advisory (findings)'),
    kev: z.boolean().optional().describe('known exploited (findings)'),
  })
  .describe('one item a rule selected');

export const AutopilotRunChange = z
  .object({
    changeId: z.string().describe('the change created'),
    number: z
      .string()
      .optional()
      .describe('its number (CHG-0001); absent in runs recorded before numbers were kept'),
    groupKey: z.string().describe('window id|asset group'),
    title: z.string().describe('its title'),
    reason: z.string().describe('which rule made it and why'),
    items: z.array(Item).describe('what it carries'),
    state: z
      .string()
      .describe(
        'its state when the run finished: draft, authorise (submitted, awaiting approval) or scheduled',
      ),
    schedule: z
      .object({
        start: z.string().describe('ISO 8601 UTC'),
        end: z.string().describe('ISO 8601 UTC'),
      })
      .nullable()
      .describe('the slot the run scheduled it in (its next feasible slot), or null'),
    note: z
      .string()
      .nullable()
      .describe(
        "why it stopped short of the rule's stage (submit refused, no feasible slot) or waits for approvals",
      ),
  })
  .describe('a change a run created');

export const AutopilotRunState = z.enum(['queued', 'running', 'succeeded', 'failed']);

export const AutopilotRun = z
  .object({
    id: z.string().describe('the run id'),
    ruleId: z.string().describe('the rule'),
    trigger: z.enum(['schedule', 'manual']).describe('its schedule, or run-now'),
    requestedBy: z.string().nullable().describe('who asked (run-now)'),
    state: AutopilotRunState.describe('queued → running → succeeded | failed'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    startedAt: z.string().nullable().describe('ISO 8601 UTC'),
    finishedAt: z.string().nullable().describe('ISO 8601 UTC'),
    createdChanges: z.array(AutopilotRunChange).describe('the changes it created'),
    heldBack: z
      .array(
        z.object({
          item: Item,
          reason: z.string().describe('why, e.g. the cool-down'),
          eligibleOn: z.string().nullable().describe('when the cool-down ends (YYYY-MM-DD)'),
        }),
      )
      .describe('items held back, with the reason'),
    skipped: z
      .array(z.object({ item: Item, reason: z.string().describe('why') }))
      .describe('items skipped, with the reason (already in an open change…)'),
    error: z.string().nullable().describe('why the run failed'),
  })
  .describe('one run of an autopilot rule');
export type AutopilotRun = z.infer<typeof AutopilotRun>;

export const AutopilotRunQuery = z.strictObject({
  rule: z.string().min(1).max(100).optional().describe('only this rule’s runs (id or name)'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('at most this many'),
});

export const AutopilotRunList = z.object({
  runs: z.array(AutopilotRun).describe('newest first'),
});
export type AutopilotRunList = z.infer<typeof AutopilotRunList>;
