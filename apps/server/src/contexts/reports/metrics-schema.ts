/**
 * The metrics API's shapes (zod, OpenAPI): a `MetricSet` (@patchgate/metrics, names stable),
 * a figure's trend from the daily snapshots, and a figure's drill-down rows.
 */
import { metricNames } from '@patchgate/metrics';
import { z } from 'zod';

const day = z.iso.date().describe('a UTC day, YYYY-MM-DD');
const ratio = z.number().nullable().describe('0…1; null when nothing was counted');

const Sla = z.object({
  met: z.number().int(),
  missed: z.number().int(),
  counted: z.number().int(),
  ratio,
});
const KeyedSla = Sla.extend({
  key: z.string().describe('the team, environment, asset group or policy ("(none)" when not set)'),
});
const Duration = z.object({
  count: z.number().int(),
  mean: z.number().nullable(),
  p90: z.number().nullable().describe('nearest rank: one of the values'),
});
const perPriority = <T extends z.ZodType>(t: T) => z.object({ P1: t, P2: t, P3: t, P4: t, P5: t });
const Ages = z.object({
  d0_7: z.number().int(),
  d8_30: z.number().int(),
  d31_90: z.number().int(),
  d91_180: z.number().int(),
  d181plus: z.number().int(),
});
const Scope = z.object({
  team: z.string().optional(),
  environment: z.string().optional(),
  assetGroup: z.string().optional(),
});

export const MetricSetSchema = z
  .object({
    version: z.literal('metrics/1'),
    asOf: z.string().describe('the instant the figures describe'),
    period: z.object({ from: day, to: day }),
    scope: Scope,
    remediation: z.object({
      openFindings: z.number().int(),
      openByPriority: perPriority(z.number().int()),
      openByAge: Ages,
      overdueFindings: z.number().int(),
      overdueByPriority: perPriority(z.number().int()),
      kevOpen: z.number().int(),
      kevInternetFacing: z.number().int(),
      slaCompliance: Sla,
      slaComplianceByPriority: perPriority(Sla),
      slaComplianceByPolicy: z.array(KeyedSla).readonly(),
      slaComplianceByTeam: z.array(KeyedSla).readonly(),
      slaComplianceByEnvironment: z.array(KeyedSla).readonly(),
      slaComplianceByAssetGroup: z.array(KeyedSla).readonly(),
      timeToTriageDays: perPriority(Duration).extend({ all: Duration }),
      timeToRemediateDays: perPriority(Duration).extend({ all: Duration }),
      patchLatencyDays: Duration,
      exceptions: z.object({
        active: z.number().int(),
        expiringWithin30Days: z.number().int(),
        requestedPending: z.number().int(),
        ageing: Ages,
        meanAgeDays: z.number().nullable(),
      }),
    }),
    changes: z.object({
      closedChanges: z.number().int(),
      byType: z.object({
        standard: z.number().int(),
        normal: z.number().int(),
        emergency: z.number().int(),
      }),
      byOutcome: z.object({
        succeeded: z.number().int(),
        failed: z.number().int(),
        rolled_back: z.number().int(),
        cancelled: z.number().int(),
      }),
      changeSuccessRate: ratio,
      rollbackRate: ratio,
      emergencyShare: ratio,
      plannedDurationMinutes: Duration,
      actualDurationMinutes: Duration,
      windowOverruns: z.number().int(),
      failuresPerWave: z
        .array(z.object({ wave: z.string(), hosts: z.number().int(), failures: z.number().int() }))
        .readonly(),
      leadTimeDays: Duration,
    }),
    coverage: z.object({
      assets: z.number().int(),
      reportingWindowDays: z.number().int(),
      assetsReporting: z.number().int(),
      assetsReportingRatio: ratio,
      staleAgents: z.number().int(),
      assetsWithoutWindow: z.number().int(),
      assetsWithoutOwner: z.number().int(),
    }),
  })
  .describe('every figure of a period and scope, under stable names (docs/adr/0043)');

const scopeQuery = {
  team: z.string().min(1).max(200).optional().describe('only assets of this owner team'),
  environment: z.string().min(1).max(200).optional().describe('only assets in this environment'),
  assetGroup: z.string().min(1).max(200).optional().describe('only assets in this group'),
};

export const MetricsQuery = z.strictObject({
  from: day.optional().describe('first day (included); default: 29 days before to'),
  to: day.optional().describe('last day (included); default: today (UTC)'),
  asOf: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      'the instant the figures describe; default and at most the end of to, never after now',
    ),
  ...scopeQuery,
});

const metric = z
  .enum(metricNames as [string, ...string[]])
  .describe('a figure’s path in the MetricSet');
const key = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe(
    'for a keyed figure: a priority, age bucket, team, environment, group, policy, type, outcome or wave',
  );

export const MetricTrendQuery = z.strictObject({
  metric,
  key,
  from: day.optional().describe('first day; default: 89 days before to'),
  to: day.optional().describe('last day; default: yesterday (the last ended day)'),
  ...scopeQuery,
});

export const MetricTrendSchema = z.object({
  metric: z.string(),
  key: z.string().nullable(),
  points: z
    .array(
      z.object({
        day,
        value: z
          .number()
          .nullable()
          .describe(
            'the figure (a ratio, a count, a mean); null without a snapshot or nothing counted',
          ),
      }),
    )
    .readonly(),
  missingDays: z.number().int().describe('days without a snapshot'),
  note: z.string(),
});

export const MetricRowsQuery = MetricsQuery.extend({
  metric,
  key,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional()
    .describe('nextCursor of the previous page'),
});

export const MetricRowsSchema = z.object({
  metric: z.string(),
  key: z.string().nullable(),
  kind: z.enum(['findings', 'changes', 'assets', 'exceptions', 'agents', 'advisories']),
  asOf: z.string(),
  total: z.number().int(),
  rows: z
    .array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])))
    .readonly()
    .describe(
      'what the figure counts; every row has an id (finding, change, asset, exception, agent or advisory)',
    ),
  nextCursor: z.string().nullable(),
});

export const BackfillBody = z.strictObject({
  from: day.describe('first day (included)'),
  to: day.describe('last day (included); a day that has ended'),
});

export const BackfillRequested = z.object({
  jobId: z.string().describe('the reports.metric-backfill job; follow it at /api/v1/jobs/{jobId}'),
  alreadyQueued: z.boolean().describe('true when the same backfill was already queued'),
});
