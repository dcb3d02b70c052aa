/**
 * The improvement loop's public face (issue 11, ADR 0046): its routes, its daily job, and the
 * reads the reports and the web use.
 */
export { registerImprovementRoutes } from './routes.ts';
export {
  improvementJobs,
  improvementRefreshIntervalSeconds,
  registerImprovementJobs,
} from './jobs.ts';
export { listActions, listRecommendations, refreshRecommendations, trendsFor } from './service.ts';
export type { Candidate } from './rules.ts';
export type { ImprovementAction, Recommendation, ReviewTrends } from './schema.ts';
