/** The agents context's background job: expiring tasks nobody came for. */
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType } from '../jobs/index.ts';
import { expireOverdueTasks } from './agent-service.ts';

export const agentJobs = {
  expireTasks: defineJobType('agents.expire-tasks', z.object({})),
};

/** How often queued tasks past their notAfter are expired (main.ts schedules it). */
export const expireTasksIntervalSeconds = 60;

export function registerAgentJobs(runner: Pick<JobRunner, 'handle'>, ctx: ServerContext): void {
  runner.handle(agentJobs.expireTasks, () => expireOverdueTasks(ctx));
}
