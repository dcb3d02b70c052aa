/** The dashboard API's zod schemas: every field described (the OpenAPI document reads them). */
import { priorities } from '@patchgate/policy';
import { z } from 'zod';
import { dueSoonDays, slaTarget } from './model.ts';

/**
 * The query parameters of `GET /api/v1/findings` selecting the findings a figure counts (the
 * web UI's `/findings?…` takes the same keys). `exact: false` when the list has no filter for
 * this figure and the parameters select a superset (said in `note`).
 */
export const FindingsFilter = z
  .strictObject({
    query: z
      .record(z.string(), z.string())
      .describe(
        'query parameters of GET /api/v1/findings (comma-separated lists as the list takes)',
      ),
    exact: z
      .boolean()
      .describe('true: the list with these parameters shows exactly the findings counted'),
    note: z.string().nullable().describe('when not exact: what the parameters cannot express'),
  })
  .describe('where the figure leads: the findings list filtered to what it counts');
export type FindingsFilter = z.infer<typeof FindingsFilter>;

const Cell = z.strictObject({
  count: z.int().describe('open findings'),
  filter: FindingsFilter,
});

export const PriorityRow = z.strictObject({
  priority: z.enum(priorities),
  total: z.int().describe('open findings of this priority'),
  overdue: Cell.describe('due date before today (UTC)'),
  dueSoon: Cell.describe(`due today or within the next ${dueSoonDays - 1} days`),
  later: Cell.describe(`due in ${dueSoonDays} days or more`),
  noDueDate: Cell.describe('no due date set by the policy'),
  filter: FindingsFilter,
});

export const OverdueByTeam = z.strictObject({
  team: z.string().nullable().describe("the asset's owner team (inventory `owner`); null: none"),
  count: z.int().describe('overdue open findings on assets of this team'),
  assets: z.array(z.string()).describe('names of the assets these findings are on, sorted'),
  filter: FindingsFilter,
  assetsQuery: z
    .record(z.string(), z.string())
    .nullable()
    .describe("query parameters of GET /api/v1/assets listing the team's assets (null: no team)"),
});

export const OverdueByEnvironment = z.strictObject({
  environment: z.string().nullable().describe('the asset environment; null: unknown'),
  count: z.int().describe('overdue open findings on assets of this environment'),
  filter: FindingsFilter,
});

export const KevFinding = z.strictObject({
  id: z.string().describe('finding id'),
  assetId: z.string(),
  assetName: z.string(),
  advisoryId: z.string(),
  packageName: z.string(),
  priority: z.enum(priorities),
  dueDate: z.string().nullable().describe('YYYY-MM-DD'),
  overdue: z.boolean(),
});

export const SlaWeek = z.strictObject({
  weekStart: z.string().describe('Monday (UTC), YYYY-MM-DD'),
  weekEnd: z.string().describe('the next Monday, exclusive'),
  counted: z.int().describe('findings decided in the week (see sla)'),
  met: z.int().describe('of those, fixed on or before their due date'),
  compliance: z.number().nullable().describe('met / counted (0–1); null when nothing was counted'),
  filter: FindingsFilter,
});

export const slaDefinition =
  'Per ISO week (Monday–Sunday, UTC), the last 12 weeks with the current one last. A finding with a due date is counted in week W when it was fixed in W (the day of fixedAt), or when its due date is in W, has passed (before today) and it was not fixed by then (still unfixed, or fixed later). It met the SLA when it is fixed and fixedAt is on or before its due date. Unfixed findings settled by triage (not_affected, false_positive, resolved) or accepted by an exception now are not counted. compliance = met / counted. Computed from the stored findings only (due_date, state, fixed_at, triage, acceptance); a finding fixed late counts in two weeks: missed where it fell due, late where it was fixed.';

export const ChangeThisWeek = z.strictObject({
  id: z.string(),
  number: z.string().describe('CHG-0042'),
  title: z.string(),
  state: z.string(),
  start: z.string().describe('scheduled start (ISO 8601)'),
  end: z.string().describe('scheduled end (ISO 8601)'),
  assets: z.int().describe('assets in scope'),
});

export const RunningRollout = z.strictObject({
  id: z.string(),
  changeId: z.string(),
  changeNumber: z.string(),
  changeTitle: z.string(),
  phase: z
    .string()
    .describe('pending, running, baking, awaiting_gate, paused, halted, rolling_back'),
  currentWave: z.string().nullable(),
  hostsDone: z.int().describe('hosts finished (succeeded, failed, skipped, rolled back)'),
  hostsTotal: z.int(),
  progress: z.number().describe('hostsDone / hostsTotal (0–1); 0 with no hosts'),
  startedAt: z.string().nullable(),
});

export const SilentAgent = z.strictObject({
  agentId: z.string(),
  assetId: z.string(),
  name: z.string(),
  lastSeenAt: z.string().nullable().describe('null: never seen since enrolment'),
});

export const Dashboard = z.strictObject({
  generatedAt: z.string().describe('server time of the figures (ISO 8601)'),
  today: z.string().describe('the UTC day "overdue" and "due soon" count from'),
  findings: z.strictObject({
    open: z
      .int()
      .describe(
        'open findings: open or reopened, not accepted by an exception, not settled by triage (the list’s default status open,reopened)',
      ),
    filter: FindingsFilter,
    overdue: z.int().describe('open findings due before today'),
    byPriority: z.array(PriorityRow).describe('P1 … P5, each split by due status'),
    overdueByTeam: z.array(OverdueByTeam).describe('most overdue first'),
    overdueByEnvironment: z.array(OverdueByEnvironment).describe('most overdue first'),
    kevInternet: z
      .strictObject({
        count: z.int().describe('open findings in CISA KEV on internet-facing assets'),
        filter: FindingsFilter,
        top: z.array(KevFinding).describe('the 10 most urgent (priority, then due date)'),
      })
      .describe('known exploited vulnerabilities on assets with exposure internet'),
    assets: z.int().describe('assets in the inventory (0: nothing to show yet)'),
  }),
  sla: z
    .strictObject({
      target: z.number().describe(`the share to reach (${slaTarget})`),
      definition: z.string(),
      weeks: z.array(SlaWeek),
    })
    .describe(slaDefinition),
  changes: z
    .strictObject({
      weekStart: z.string().describe('Monday 00:00 UTC of the current week'),
      weekEnd: z.string().describe('the next Monday 00:00 UTC (exclusive)'),
      count: z.int(),
      items: z.array(ChangeThisWeek).describe('earliest first'),
    })
    .optional()
    .describe(
      'changes (submitted, authorise, scheduled, implementing) whose schedule overlaps this week; only with changes:read',
    ),
  rollouts: z
    .strictObject({
      count: z.int().describe('rollouts listed (at most 20 per unfinished phase are read)'),
      items: z.array(RunningRollout).describe('newest first, at most 20'),
    })
    .optional()
    .describe('rollouts not finished (not dry runs); only with changes:read'),
  agents: z
    .strictObject({
      total: z.int().describe('enrolled agents (not revoked)'),
      notReporting: z.array(SilentAgent).describe('not seen within three heartbeats, oldest first'),
    })
    .optional()
    .describe('agents not reporting; only with agents:read'),
});
export type Dashboard = z.infer<typeof Dashboard>;
