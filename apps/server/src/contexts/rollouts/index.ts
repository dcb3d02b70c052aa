/** The rollouts context's public face. */

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
