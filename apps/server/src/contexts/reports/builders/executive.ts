/**
 * The executive summary of a period and scope: the headline figures (exposure, SLA, time to
 * remediate, change success and rollback rates, coverage) and their trend, with charts.
 *
 * The trend is computed here with `computeMetrics` for each week of the period (each month
 * when the period is longer than 26 weeks), as of the end of that week (never after
 * dataAsOf), so a rebuild gives the same points. Beside it, the daily snapshots' trend
 * (`metricTrendReport`: each day the 30 days ending it) for the ended days of the period, with
 * the days that have no snapshot said (a backfill fills them; they are not in `figures`).
 */
import type { MetricPeriod, MetricSet } from '@patchgate/metrics';
import type { Cell, ReportDocument, ReportFigure } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import { computeMetrics } from '../metrics.ts';
import { maxSnapshotDays, metricTrendReport } from '../snapshots.ts';
import type { Progress, Resolved } from './common.ts';
import {
  addDays,
  col,
  daysBetween,
  endOfDay,
  figureBlock,
  figureValues,
  inputsOf,
  scopeText,
  statusOfRatio,
  table,
} from './common.ts';
import { findingsData } from './findings-data.ts';
import { remediationFigures, slaTarget } from './patch-compliance.ts';

/** The buckets of a trend: weeks (Monday…Sunday, clipped to the period), or months if long. */
export function trendBuckets(period: MetricPeriod): MetricPeriod[] {
  const out: MetricPeriod[] = [];
  if (daysBetween(period.from, period.to) <= 26 * 7) {
    let from = period.from;
    while (from <= period.to) {
      const weekday = (new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
      const sunday = addDays(from, 6 - weekday);
      const to = sunday < period.to ? sunday : period.to;
      out.push({ from, to });
      from = addDays(to, 1);
    }
    return out;
  }
  let from = period.from;
  while (from <= period.to) {
    const [y, m] = from.split('-').map(Number) as [number, number];
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const to = last < period.to ? last : period.to;
    out.push({ from, to });
    from = addDays(to, 1);
  }
  return out;
}

function changeFigures(set: MetricSet): ReportFigure[] {
  const c = set.changes;
  return [
    { name: 'closedChanges', label: 'Changes closed', value: c.closedChanges, unit: 'count' },
    {
      name: 'changeSuccessRate',
      label: 'Change success rate',
      value: c.changeSuccessRate,
      unit: 'ratio',
      status: statusOfRatio(c.changeSuccessRate, 0.95),
      ...(c.changeSuccessRate === null && { note: 'no change was implemented in the period' }),
    },
    { name: 'rollbackRate', label: 'Rollback rate', value: c.rollbackRate, unit: 'ratio' },
    { name: 'emergencyShare', label: 'Emergency changes', value: c.emergencyShare, unit: 'ratio' },
    { name: 'windowOverruns', label: 'Window overruns', value: c.windowOverruns, unit: 'count' },
    {
      name: 'assetsReportingRatio',
      label: `Assets reporting within ${set.coverage.reportingWindowDays} days`,
      value: set.coverage.assetsReportingRatio,
      unit: 'ratio',
      status: statusOfRatio(set.coverage.assetsReportingRatio, 0.95),
    },
    { name: 'staleAgents', label: 'Stale agents', value: set.coverage.staleAgents, unit: 'count' },
  ];
}

export async function buildExecutive(
  ctx: Pick<ServerContext, 'database' | 'clock' | 'config'>,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
): Promise<ReportDocument> {
  const warnings: string[] = [];
  const period = resolved.period;
  if (period === null) throw new Error('executive needs a period (resolveRequest checks it)');
  const buckets = trendBuckets(period);
  const total = buckets.length + 2;
  progress(0, total, 'reading findings');
  const data = await findingsData(ctx, resolved, warnings);
  progress(1, total, 'computing the metrics');
  const set = await computeMetrics(ctx, { period, scope: resolved.scope, asOf: resolved.dataAsOf });
  const trend: Record<string, Cell>[] = [];
  for (const [i, bucket] of buckets.entries()) {
    progress(2 + i, total, `trend ${bucket.from}`);
    const end = endOfDay(bucket.to);
    if (bucket.from > resolved.asOfDay) break;
    const point = await computeMetrics(ctx, {
      period: bucket,
      scope: resolved.scope,
      asOf: end < resolved.dataAsOf ? end : resolved.dataAsOf,
    });
    trend.push({
      from: bucket.from,
      to: bucket.to,
      openFindings: point.remediation.openFindings,
      overdueFindings: point.remediation.overdueFindings,
      slaCompliance: point.remediation.slaCompliance.ratio,
      fixed: point.remediation.timeToRemediateDays.all.count,
      closedChanges: point.changes.closedChanges,
      changeSuccessRate: point.changes.changeSuccessRate,
    });
  }
  // The daily snapshots of the ended days of the period (at most maxSnapshotDays).
  const lastDay =
    endOfDay(resolved.asOfDay) <= resolved.dataAsOf
      ? resolved.asOfDay
      : addDays(resolved.asOfDay, -1);
  const snapTo = lastDay < period.to ? lastDay : period.to;
  const earliest = addDays(snapTo, -(maxSnapshotDays - 1));
  const snapFrom = period.from > earliest ? period.from : earliest;
  const daily: Record<string, Cell>[] = [];
  let dailyNote = 'The period has no ended day by data-as-of.';
  if (snapFrom <= snapTo) {
    const trends = await Promise.all(
      (
        [
          ['openFindings', 'remediation.openFindings'],
          ['slaCompliance', 'remediation.slaCompliance'],
          ['changeSuccessRate', 'changes.changeSuccessRate'],
        ] as const
      ).map(async ([name, metric]) => ({
        name,
        trend: await metricTrendReport(ctx, {
          metric,
          scope: resolved.scope,
          from: snapFrom,
          to: snapTo,
        }),
      })),
    );
    const first = trends[0]?.trend;
    dailyNote = first?.note ?? dailyNote;
    for (const [i, point] of (first?.points ?? []).entries()) {
      const row: Record<string, Cell> = { day: point.day };
      for (const t of trends) row[t.name] = t.trend.points[i]?.value ?? null;
      daily.push(row);
    }
    if (first !== undefined && first.missingDays > 0) warnings.push(`Daily trend: ${first.note}.`);
  }
  if (set.changes.closedChanges === 0)
    warnings.push(
      `No change closed between ${period.from} and ${period.to} in scope (${scopeText(resolved.scope)}): the change figures are empty. Changes count once they end (completed, failed, rolled back or cancelled).`,
    );
  const figures = [...remediationFigures(set).slice(0, 9), ...changeFigures(set)];
  const series = (key: string, name: string) => ({
    name,
    points: trend.map((t) => ({ x: String(t['to']), y: (t[key] as number | null) ?? null })),
  });
  const trendColumns = [
    col('from', 'From'),
    col('to', 'To'),
    col('openFindings', 'Open', 'right'),
    col('overdueFindings', 'Overdue', 'right'),
    col('slaCompliance', 'SLA compliance', 'right'),
    col('fixed', 'Fixed', 'right'),
    col('closedChanges', 'Changes closed', 'right'),
    col('changeSuccessRate', 'Change success', 'right'),
  ];
  progress(total, total, 'done');
  return {
    type: 'executive',
    title: 'Executive summary',
    subtitle: `${period.from} to ${period.to} — ${scopeText(resolved.scope)}`,
    inputs: inputsOf(resolved, data.policy),
    generatedAt,
    figures: { ...figureValues(figures), trend },
    sections: [
      {
        title: 'Headline',
        blocks: [
          {
            kind: 'text',
            text: `${scopeText(resolved.scope)}, ${period.from} to ${period.to} (data as of ${resolved.dataAsOf}): ${set.remediation.openFindings} open findings, ${set.remediation.overdueFindings} overdue, ${set.remediation.kevOpen} known exploited. ${set.remediation.slaCompliance.ratio === null ? 'No SLA was due in the period.' : `${Math.round(set.remediation.slaCompliance.ratio * 100)} % of findings due were fixed on time (target ${slaTarget * 100} %).`} ${set.changes.closedChanges} changes closed${set.changes.changeSuccessRate === null ? '' : `, ${Math.round(set.changes.changeSuccessRate * 100)} % successful`}.`,
          },
          figureBlock(figures),
        ],
      },
      {
        title: 'Trends',
        blocks: [
          {
            kind: 'chart',
            chart: 'line',
            title: 'Open and overdue findings',
            unit: 'count',
            series: [series('openFindings', 'Open'), series('overdueFindings', 'Overdue')],
          },
          {
            kind: 'chart',
            chart: 'line',
            title: 'SLA compliance',
            unit: 'ratio',
            target: slaTarget,
            series: [series('slaCompliance', 'SLA compliance')],
          },
          {
            kind: 'chart',
            chart: 'bar',
            title: 'Changes by outcome',
            unit: 'count',
            series: [
              {
                name: 'Changes',
                points: Object.entries(set.changes.byOutcome).map(([x, y]) => ({ x, y })),
              },
            ],
          },
          {
            kind: 'chart',
            chart: 'line',
            title: 'Daily snapshots: open findings',
            unit: 'count',
            series: [
              {
                name: 'Open (daily snapshot)',
                points: daily.map((d) => ({
                  x: String(d['day']),
                  y: (d['openFindings'] as number | null) ?? null,
                })),
              },
            ],
          },
          {
            kind: 'chart',
            chart: 'line',
            title: 'Daily snapshots: SLA compliance over the 30 days ending each day',
            unit: 'ratio',
            target: slaTarget,
            series: [
              {
                name: 'SLA compliance (30 days)',
                points: daily.map((d) => ({
                  x: String(d['day']),
                  y: (d['slaCompliance'] as number | null) ?? null,
                })),
              },
            ],
          },
          table(
            'dailyTrend',
            'Daily snapshots',
            [
              col('day', 'Day'),
              col('openFindings', 'Open', 'right'),
              col('slaCompliance', 'SLA compliance (30 days)', 'right'),
              col('changeSuccessRate', 'Change success (30 days)', 'right'),
            ],
            daily,
            'No ended day in the period.',
            dailyNote,
          ),
          table(
            'trend',
            buckets.length > 0 && daysBetween(period.from, period.to) > 26 * 7
              ? 'By month'
              : 'By week',
            trendColumns,
            trend,
            'The period has not started by data-as-of.',
          ),
        ],
      },
    ],
    csv: { columns: trendColumns, rows: trend },
    warnings,
  };
}
