/** The daily refresh of the recommendations (a job_schedules row main.ts keeps). */
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType } from '../jobs/index.ts';
import { refreshActor, refreshRecommendations } from './service.ts';

export const improvementJobs = {
  /** Daily: run the rules, refresh the recommendations, track the reviews' follow-ups. */
  refresh: defineJobType('improvements.refresh', z.object({})),
} as const;

export const improvementRefreshIntervalSeconds = 86_400;

export function registerImprovementJobs(
  runner: Pick<JobRunner, 'handle'>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
): void {
  runner.handle(improvementJobs.refresh, () => refreshRecommendations(ctx, refreshActor));
}
