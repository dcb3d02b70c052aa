/**
 * The shapes the reports screens read, from the generated OpenAPI schema: the MetricSet of
 * @patchgate/metrics with its trend and drill-down rows (h11/metrics), report runs, types and
 * schedules (h11/runs).
 */
import type { operations } from '../../api/client.ts';

export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
export const priorities: readonly Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

type Json<
  O extends keyof operations,
  C extends keyof operations[O]['responses'],
> = operations[O]['responses'][C] extends { content: { 'application/json': infer T } } ? T : never;

export type MetricSet = Json<'getMetricSet', 200>;
export type MetricScope = MetricSet['scope'];
export type SlaFigure = MetricSet['remediation']['slaCompliance'];
export type KeyedSla = MetricSet['remediation']['slaComplianceByTeam'][number];
export type DurationStats = MetricSet['remediation']['patchLatencyDays'];
export type MetricTrend = Json<'getMetricTrend', 200>;
export type MetricRows = Json<'getMetricRows', 200>;
export type RowKind = MetricRows['kind'];
/** A figure's name as the drill-down and trend routes take it (`remediation.openFindings`…). */
export type MetricName = NonNullable<operations['getMetricRows']['parameters']['query']>['metric'];

export type ReportTypeInfo = Json<'listReportTypes', 200>['types'][number];
export type ReportRun = Json<'getReport', 200>;
export type RunStatus = ReportRun['status'];
export type ReportSchedule = Json<'listReportSchedules', 200>['schedules'][number];
export type ScheduleBody = NonNullable<
  operations['createReportSchedule']['requestBody']
>['content']['application/json'];
export type GenerateBody = NonNullable<
  operations['generateReport']['requestBody']
>['content']['application/json'];
export type RelativePeriod = ReportSchedule['period'];
export const relativePeriods: readonly RelativePeriod[] = [
  'previous-day',
  'previous-week',
  'previous-month',
  'previous-quarter',
  'last-30-days',
  'last-90-days',
];
