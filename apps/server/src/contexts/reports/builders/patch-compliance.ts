/**
 * The patch compliance report of a period and scope: the remediation figures of
 * `computeMetrics` (ADR 0043: the same figures as the API, the dashboard's SLA rule over a
 * period), SLA compliance per priority, policy, team, environment and asset group, the overdue
 * findings and the exceptions, each list from `metricRows` (the rows the figures count).
 */
import { priorities } from '@patchgate/policy';
import type { KeyedSla, MetricSet, SlaFigure } from '@patchgate/metrics';
import type { Cell, ReportDocument, ReportFigure } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import { computeMetrics, metricRows } from '../metrics.ts';
import type { Progress, Resolved } from './common.ts';
import {
  col,
  figureBlock,
  figureValues,
  inputsOf,
  scopeText,
  statusOfRatio,
  table,
} from './common.ts';
import { findingsData } from './findings-data.ts';

/** The SLA target the figures are coloured against (90 %, the dashboard's). */
export const slaTarget = 0.9;

const round = (value: number | null, digits = 1) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

const slaRow = (key: string, s: SlaFigure): Record<string, Cell> => ({
  key,
  met: s.met,
  missed: s.missed,
  counted: s.counted,
  ratio: s.ratio,
});

const slaColumns = (label: string) => [
  col('key', label),
  col('met', 'Met', 'right'),
  col('missed', 'Missed', 'right'),
  col('counted', 'Counted', 'right'),
  col('ratio', 'Compliance', 'right'),
];

const keyed = (rows: readonly KeyedSla[]) => rows.map((r) => slaRow(r.key, r));

/** The headline remediation figures of a MetricSet under their report names. */
export function remediationFigures(set: MetricSet): ReportFigure[] {
  const r = set.remediation;
  return [
    { name: 'openFindings', label: 'Open findings', value: r.openFindings, unit: 'count' },
    {
      name: 'overdueFindings',
      label: 'Overdue',
      value: r.overdueFindings,
      unit: 'count',
      status: r.overdueFindings === 0 ? 'good' : 'bad',
    },
    { name: 'kevOpen', label: 'Open and known exploited (KEV)', value: r.kevOpen, unit: 'count' },
    {
      name: 'kevInternetFacing',
      label: 'KEV on internet-facing assets',
      value: r.kevInternetFacing,
      unit: 'count',
      status: r.kevInternetFacing === 0 ? 'good' : 'bad',
    },
    {
      name: 'slaCompliance',
      label: 'SLA compliance',
      value: r.slaCompliance.ratio,
      unit: 'ratio',
      status: statusOfRatio(r.slaCompliance.ratio, slaTarget),
      note:
        r.slaCompliance.ratio === null
          ? 'no finding with a due date was fixed or fell due in the period'
          : `${r.slaCompliance.met} of ${r.slaCompliance.counted} fixed by their due date`,
    },
    { name: 'slaMet', label: 'Fixed by the due date', value: r.slaCompliance.met, unit: 'count' },
    {
      name: 'slaMissed',
      label: 'Missed the due date',
      value: r.slaCompliance.missed,
      unit: 'count',
    },
    {
      name: 'mttrDays',
      label: 'Mean time to remediate',
      value: round(r.timeToRemediateDays.all.mean),
      unit: 'days',
      note: `p90 ${round(r.timeToRemediateDays.all.p90) ?? '—'} days over ${r.timeToRemediateDays.all.count} fixes`,
    },
    {
      name: 'mttrP90Days',
      label: 'Time to remediate, p90',
      value: round(r.timeToRemediateDays.all.p90),
      unit: 'days',
    },
    {
      name: 'timeToTriageDays',
      label: 'Mean time to triage',
      value: round(r.timeToTriageDays.all.mean),
      unit: 'days',
    },
    {
      name: 'patchLatencyDays',
      label: 'Patch latency (published → fixed everywhere)',
      value: round(r.patchLatencyDays.mean),
      unit: 'days',
    },
    {
      name: 'exceptionsActive',
      label: 'Active exceptions',
      value: r.exceptions.active,
      unit: 'count',
    },
    {
      name: 'exceptionsExpiringWithin30Days',
      label: 'Exceptions expiring within 30 days',
      value: r.exceptions.expiringWithin30Days,
      unit: 'count',
    },
    {
      name: 'exceptionsPending',
      label: 'Exceptions awaiting a decision',
      value: r.exceptions.requestedPending,
      unit: 'count',
    },
    {
      name: 'exceptionMeanAgeDays',
      label: 'Mean exception age',
      value: round(r.exceptions.meanAgeDays),
      unit: 'days',
    },
  ];
}

export async function buildPatchCompliance(
  ctx: Pick<ServerContext, 'database' | 'clock' | 'config'>,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
): Promise<ReportDocument> {
  const warnings: string[] = [];
  const period = resolved.period;
  if (period === null)
    throw new Error('patch-compliance needs a period (resolveRequest checks it)');
  progress(0, 4, 'reading findings');
  const data = await findingsData(ctx, resolved, warnings);
  progress(1, 4, 'computing the metrics');
  const query = { period, scope: resolved.scope, asOf: resolved.dataAsOf };
  const set = await computeMetrics(ctx, query);
  progress(2, 4, 'listing overdue findings and exceptions');
  const overdue = await metricRows(ctx, {
    ...query,
    metric: 'remediation.overdueFindings',
    limit: 1000,
  });
  const sla = await metricRows(ctx, { ...query, metric: 'remediation.slaCompliance', limit: 1000 });
  const active = await metricRows(ctx, {
    ...query,
    metric: 'remediation.exceptions.active',
    limit: 1000,
  });
  const pending = await metricRows(ctx, {
    ...query,
    metric: 'remediation.exceptions.requestedPending',
    limit: 1000,
  });
  progress(3, 4, 'writing the report');
  const r = set.remediation;
  if (r.slaCompliance.counted === 0 && data.findings.length > 0)
    warnings.push(
      `No finding with a due date was fixed or fell due between ${period.from} and ${period.to}, so SLA compliance is not computed (shown as —, never 0 %). Widen the period, or check that ${data.policy.name} sets due dates.`,
    );
  if (overdue.total > overdue.rows.length)
    warnings.push(`The overdue list shows the first ${overdue.rows.length} of ${overdue.total}.`);
  const figures = remediationFigures(set);
  const findingColumns = [
    col('assetName', 'Asset'),
    col('packageName', 'Package'),
    col('advisoryId', 'Advisory'),
    col('priority', 'Priority'),
    col('dueDate', 'Due'),
    col('firstSeenAt', 'First seen'),
    col('team', 'Team'),
    col('environment', 'Environment'),
    col('kev', 'KEV'),
  ];
  const slaCsvColumns = [...findingColumns, col('fixedAt', 'Fixed'), col('slaMet', 'SLA met')];
  const exceptionColumns = [
    col('findingId', 'Finding'),
    col('advisoryId', 'Advisory'),
    col('owner', 'Owner'),
    col('state', 'State'),
    col('requestedAt', 'Requested'),
    col('decidedAt', 'Decided'),
    col('expiresAt', 'Expires'),
    col('ageDays', 'Age (days)', 'right'),
  ];
  progress(4, 4, 'done');
  return {
    type: 'patch-compliance',
    title: 'Patch compliance',
    subtitle: `${period.from} to ${period.to} — ${scopeText(resolved.scope)}`,
    inputs: inputsOf(resolved, data.policy),
    generatedAt,
    figures: { ...figureValues(figures), remediation: r, coverage: set.coverage },
    sections: [
      {
        title: 'Summary',
        blocks: [
          {
            kind: 'text',
            text: `Patch compliance for ${scopeText(resolved.scope)} from ${period.from} to ${period.to}, data as of ${resolved.dataAsOf}, due dates from ${data.policy.name}. A finding counts towards SLA compliance when it was fixed in the period or fell due in it unfixed; it met the SLA when fixed on or before its due date. Target ${slaTarget * 100} %.`,
          },
          figureBlock(figures),
          {
            kind: 'chart',
            chart: 'bar',
            title: 'SLA compliance by priority',
            unit: 'ratio',
            target: slaTarget,
            series: [
              {
                name: 'SLA compliance',
                points: priorities.map((p) => ({ x: p, y: r.slaComplianceByPriority[p].ratio })),
              },
            ],
          },
        ],
      },
      {
        title: 'SLA compliance',
        blocks: [
          table(
            'slaByPriority',
            'By priority',
            slaColumns('Priority'),
            priorities.map((p) => slaRow(p, r.slaComplianceByPriority[p])),
            'No finding counted.',
          ),
          table(
            'slaByPolicy',
            'By policy',
            slaColumns('Policy'),
            keyed(r.slaComplianceByPolicy),
            'No finding counted.',
          ),
          table(
            'slaByTeam',
            'By team',
            slaColumns('Team'),
            keyed(r.slaComplianceByTeam),
            'No finding counted.',
          ),
          table(
            'slaByEnvironment',
            'By environment',
            slaColumns('Environment'),
            keyed(r.slaComplianceByEnvironment),
            'No finding counted.',
          ),
          table(
            'slaByAssetGroup',
            'By asset group',
            slaColumns('Asset group'),
            keyed(r.slaComplianceByAssetGroup),
            'No finding counted.',
          ),
          table(
            'openByPriority',
            'Open and overdue by priority',
            [
              col('priority', 'Priority'),
              col('open', 'Open', 'right'),
              col('overdue', 'Overdue', 'right'),
            ],
            priorities.map((p) => ({
              priority: p,
              open: r.openByPriority[p],
              overdue: r.overdueByPriority[p],
            })),
            'No open finding.',
          ),
        ],
      },
      {
        title: 'Overdue findings',
        blocks: [
          table(
            'overdue',
            'Open past their due date',
            findingColumns,
            overdue.rows,
            'No open finding is past its due date.',
          ),
        ],
      },
      {
        title: 'Exceptions',
        blocks: [
          table(
            'exceptionsActive',
            'Active (approved, unexpired)',
            exceptionColumns,
            active.rows,
            'No active exception.',
          ),
          table(
            'exceptionsPending',
            'Awaiting a decision',
            exceptionColumns,
            pending.rows,
            'No exception awaits a decision.',
          ),
        ],
      },
      {
        title: 'Findings counted for SLA compliance',
        blocks: [
          table(
            'slaFindings',
            'Each finding counted, and whether it met its due date',
            slaCsvColumns,
            sla.rows,
            'No finding was counted.',
          ),
        ],
      },
    ],
    csv: { columns: slaCsvColumns, rows: sla.rows },
    warnings,
  };
}
