/**
 * The reports context's public face (issue 11): metrics of a period and scope with their
 * drill-down rows and daily snapshots (metrics*.ts, snapshots*.ts; ADR 0043).
 */
export type { MetricQuery, MetricRows } from './metrics.ts';
export { computeMetrics, metricRows } from './metrics.ts';
