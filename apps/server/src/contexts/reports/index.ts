/**
 * The reports context's public face (issue 11): metrics of a period and scope with their
 * drill-down rows and daily snapshots (metrics*.ts, snapshots*.ts; ADR 0043).
 */
export type { MetricQuery, MetricRows } from './metrics.ts';
export { computeMetrics, metricRows } from './metrics.ts';
export type { MetricTrend } from './snapshots.ts';
export {
  backfillSnapshots,
  metricJobs,
  metricSnapshotSchedule,
  metricTrend,
  metricTrendReport,
  registerMetricJobs,
  snapshotMissingDays,
} from './snapshots.ts';
export { registerMetricRoutes } from './metrics-routes.ts';
// Report builders (builders/): a request → a ReportDocument with its recorded inputs.
export type { ReportRequest } from './builders/build.ts';
export { buildReport } from './builders/build.ts';
export { requestOfInputs } from './builders/build.ts';
// Rendering (render.ts, pdf.ts; ADR 0044): a ReportDocument → the bytes of one format.
export type { RenderedReport, RenderReportOptions } from './render.ts';
export { closeReportRenderer, renderReport, reportFilename } from './render.ts';
export { PdfRendererUnavailableError } from './pdf.ts';
