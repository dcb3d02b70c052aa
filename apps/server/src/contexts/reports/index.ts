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
// Report runs, schedules and delivery (docs/adr/0045-report-runs-schedules-delivery.md).
export type { ReportBuildRequest, ReportEngine, RenderedContent } from './service.ts';
export { reportCatalogue, reportContentPath } from './service.ts';
export { reportJobs, reportScheduleTickSeconds } from './jobs.ts';
export { registerReportJobs } from './jobs-handlers.ts';
export { registerReportRoutes } from './routes.ts';
export { reportAttachment } from './runs.ts';
// Rendering (render.ts, pdf.ts): JSON, CSV, HTML and PDF.
export type { RenderedReport, RenderReportOptions } from './render.ts';
export { closeReportRenderer, renderReport, reportFilename } from './render.ts';
export { PdfRendererUnavailableError } from './pdf.ts';
export { requestOfInputs } from './builders/build.ts';
