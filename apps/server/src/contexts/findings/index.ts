/** The findings context's public face. */
export { databaseFindingInputs } from './database-inputs.ts';
export type { DueFinding } from './due.ts';
export { findingsDueBy } from './due.ts';
export type { CurrentInventory, FindingAsset, FindingInputs } from './inputs.ts';
export {
  expireExceptionsIntervalSeconds,
  findingJobKinds,
  findingJobs,
  registerFindingJobs,
} from './jobs.ts';
export type { ReconcileAllResult, ReconcileCounts, ReconcileOutcome } from './reconcile.ts';
export { reconcileAll, reconcileAsset } from './reconcile.ts';
export { expireExceptions } from './service.ts';
export { registerFindingRoutes } from './routes.ts';
export { findingsByIds, findingsMatching } from './reads.ts';
export type { FindingFilters } from './repository.ts';
export type { FindingStatus } from './model.ts';
export { findingStatuses } from './model.ts';
export type { ApiFinding } from './schema.ts';
export type { WorkQueueFinding } from './work-queue.ts';
export { workQueueFindings } from './work-queue.ts';
export type { FixClaimInput } from './fix-evidence.ts';
export { fixClaimHours, recordFixClaim } from './fix-evidence.ts';
// The reports context's reads (issue 11): findings with their times, decisions and exceptions.
export type { ReportDecision, ReportException, ReportFinding } from './report-reads.ts';
export { exceptionsForReport, findingsForReport } from './report-reads.ts';
export type {
  FindingHistoryImport,
  FindingHistoryResult,
  HistoricalException,
  HistoricalFinding,
  HistoricalFindingAsset,
} from './history.ts';
export { importFindingHistory } from './history.ts';
// What the reports context's metrics read (issue 11, ADR 0043).
export type { ExceptionMetricRow, FindingMetricRow } from './metric-reads.ts';
export { exceptionMetricRows, findingMetricRows } from './metric-reads.ts';
// The dashboard context's figures (read only).
export {
  kevInternetFindings,
  openFindingsByPriorityAndDue,
  overdueFindingsByAsset,
  slaFindingRows,
} from './dashboard-reads.ts';
