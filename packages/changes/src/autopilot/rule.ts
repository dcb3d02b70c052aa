/**
 * An autopilot rule: what it selects (findings by priority/KEV/policy, or available updates by
 * origin), on which assets, how it groups them into changes, how long a fixed version must have
 * been released before it is used (the cool-down, Renovate's `minimumReleaseAge`), which change
 * type or standard template the changes get, their deployment rings and how often the rule runs.
 * One zod schema: the server validates stored definitions and API input with it.
 */
import { z } from 'zod';
import { criticalities, environments, exposures } from '@patchgate/model';

/** Finding priorities, P1 (fix now) … P5 (track), as @patchgate/policy names them. */
export const autopilotPriorities = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type AutopilotPriority = (typeof autopilotPriorities)[number];

/**
 * How often a rule runs: `hourly`; `nightly` once per UTC day; `weekly` once per ISO week
 * (weeks start on Monday, UTC); `monthly` once per calendar month (UTC). The changes it makes
 * are then scheduled into each asset group's maintenance window, whatever the cadence.
 */
export const autopilotSchedules = ['hourly', 'nightly', 'weekly', 'monthly'] as const;
export type AutopilotSchedule = (typeof autopilotSchedules)[number];

/** `security`: only updates offered by a security archive; `all`: every available update. */
export const updateOrigins = ['security', 'all'] as const;
export type UpdateOrigin = (typeof updateOrigins)[number];

/**
 * How far a run carries each change it creates: `draft` stops at the draft (a person submits
 * it); `submit` submits it (a standard change whose template criteria hold is auto-approved, a
 * normal or emergency one goes to the CAB); `schedule` (the default) also schedules it at the
 * next feasible slot of its assets' windows, after the first ring's offset, outside freezes.
 */
export const autopilotStages = ['draft', 'submit', 'schedule'] as const;
export type AutopilotStage = (typeof autopilotStages)[number];

const name = z.string().trim().min(1).max(100);
const names = (what: string) =>
  z
    .array(z.string().trim().min(1).max(100))
    .max(50)
    .optional()
    .describe(`${what} (any of them matches)`);

export const AutopilotSelector = z
  .strictObject({
    names: names('asset names or ids'),
    environments: z.array(z.enum(environments)).max(4).optional().describe('environments'),
    criticalities: z.array(z.enum(criticalities)).max(4).optional().describe('criticalities'),
    exposures: z.array(z.enum(exposures)).max(3).optional().describe('exposures'),
    teams: names('owner teams'),
    tags: names('tags'),
    groups: names('asset groups'),
  })
  .describe('which assets: every field given must hold, within a field any value; {} = all');

export const FindingSelection = z
  .strictObject({
    kind: z.literal('findings'),
    priorities: z
      .array(z.enum(autopilotPriorities))
      .min(1)
      .max(5)
      .describe('findings of these priorities'),
    kevOnly: z
      .boolean()
      .default(false)
      .describe('only findings whose vulnerability is in CISA KEV (known exploited)'),
    policies: z
      .array(z.string().trim().min(1).max(100))
      .max(20)
      .default([])
      .describe(
        "only findings decided by these policy ids or policy rule ids (the decision's explanation); empty: any",
      ),
  })
  .describe('open findings with a fixed version');

export const UpdateSelection = z
  .strictObject({
    kind: z.literal('updates'),
    origin: z.enum(updateOrigins).describe('security: from a security archive only; all: every'),
  })
  .describe("the assets' available updates, from their latest report");

export const AutopilotSelection = z
  .discriminatedUnion('kind', [FindingSelection, UpdateSelection])
  .describe('what the rule turns into changes');
export type AutopilotSelection = z.infer<typeof AutopilotSelection>;

/** The change each planned group becomes. */
export const autopilotChangeTypes = ['standard', 'normal', 'emergency'] as const;

export const AutopilotRuleDefinition = z
  .strictObject({
    name: name.describe('a name people recognise, unique'),
    selection: AutopilotSelection,
    scope: AutopilotSelector,
    coolDownDays: z
      .number()
      .int()
      .min(0)
      .max(365)
      .default(0)
      .describe(
        'minimum age in days of the fixed version before it is used (release date); KEV bypasses it',
      ),
    type: z.enum(autopilotChangeTypes).describe('the type of the changes it creates'),
    template: name
      .optional()
      .describe('the standard change template (required with type standard, refused otherwise)'),
    rings: z
      .array(z.number().int().min(0).max(90))
      .min(1)
      .max(10)
      .default([0])
      .describe('deployment rings as day offsets from the first window, ascending, e.g. 0,3,7'),
    schedule: z.enum(autopilotSchedules).default('nightly').describe('how often it runs'),
    stage: z
      .enum(autopilotStages)
      .default('schedule')
      .describe(
        'how far a run carries each change: draft (stop there), submit (submit it: standard auto-approved, others to the CAB), schedule (also schedule it at its next feasible slot; default)',
      ),
  })
  .superRefine((rule, issues) => {
    if (rule.type === 'standard' && rule.template === undefined)
      issues.addIssue({
        code: 'custom',
        path: ['template'],
        message: 'a standard change needs its template',
      });
    if (rule.type !== 'standard' && rule.template !== undefined)
      issues.addIssue({
        code: 'custom',
        path: ['template'],
        message: `a template is for standard changes, not ${rule.type}`,
      });
    if (rule.rings.some((ring, i) => i > 0 && ring <= (rule.rings[i - 1] ?? -1)))
      issues.addIssue({
        code: 'custom',
        path: ['rings'],
        message: 'rings must be strictly ascending day offsets, e.g. 0,3,7',
      });
  })
  .describe('an autopilot rule');
export type AutopilotRuleDefinition = z.output<typeof AutopilotRuleDefinition>;
export type AutopilotRuleInput = z.input<typeof AutopilotRuleDefinition>;

/** A rule as the planner sees it: its definition, its id and its pause switch. */
export interface AutopilotRule extends AutopilotRuleDefinition {
  readonly id: string;
  readonly paused: boolean;
}

/**
 * Is a rule with this cadence due at `now`, given when it last ran on its schedule? Periods are
 * UTC calendar periods, so a nightly rule runs once per day whatever hour the job fires.
 */
export function isRuleDue(
  schedule: AutopilotSchedule,
  lastRunAt: string | null,
  now: Date,
): boolean {
  if (lastRunAt === null) return true;
  return periodOf(schedule, new Date(lastRunAt)) !== periodOf(schedule, now);
}

function periodOf(schedule: AutopilotSchedule, at: Date): string {
  const iso = at.toISOString();
  switch (schedule) {
    case 'hourly':
      return iso.slice(0, 13);
    case 'nightly':
      return iso.slice(0, 10);
    case 'monthly':
      return iso.slice(0, 7);
    case 'weekly': {
      // The Monday starting the ISO week (UTC).
      const day = (at.getUTCDay() + 6) % 7;
      const monday = new Date(
        Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - day),
      );
      return monday.toISOString().slice(0, 10);
    }
  }
}
