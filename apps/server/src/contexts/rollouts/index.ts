/**
 * The rollouts context's public face (HELPERS.md seams; docs/adr/0038-durable-rollouts.md):
 * the routes, the driver main.ts starts, the listener of `agent.task-finished`, and the
 * rollout's detail that verification and the lab read.
 */
export type { RolloutRouteOptions } from './routes.ts';
export { registerRolloutRoutes } from './routes.ts';
export type { DriverOptions, RolloutDriver } from './driver.ts';
export { rolloutDriverSettings, startRolloutDriver } from './driver.ts';
export { onTaskFinished } from './task-results.ts';
export { rolloutDetail, listRollouts } from './detail.ts';
export type { RolloutDetail, RolloutSummary, RolloutHost, HostTask } from './schema.ts';
export type { RolloutRunOptions } from './model.ts';
export { rolloutJobs, registerRolloutJobs } from './jobs.ts';

// The verify part (preflight*.ts, verification*.ts, review*.ts; ADR 0039).
export type { PreflightReport } from './preflight-schema.ts';
export { onPreflightTaskFinished, preflightReport, requestPreflight } from './preflight.ts';
export { registerPreflightRoutes } from './preflight-routes.ts';
export { checkReboots, onInstallTaskFinished, rebootCheckIntervalSeconds } from './verification.ts';
export type { ReadRollout, RolloutRun } from './review.ts';
export { prefillReviewOf, reviewEndingKinds, reviewFactsOf } from './review.ts';
export {
  prefillReviewOnRolloutEnd,
  preflightOnSubmit,
  registerVerificationJobs,
  verificationJobs,
  verifyTaskFinished,
} from './verification-jobs.ts';
