/**
 * The job `agent.task-finished` is delivered as (events/subscriptions.ts: one job per event,
 * its id derived from the event, so a redelivery after a crash adds nothing): it runs
 * `onTaskFinished` on whichever replica picks it up.
 */
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType, parsePayload } from '../jobs/index.ts';
import { onTaskFinished } from './task-results.ts';

export const rolloutJobs = {
  taskFinished: defineJobType(
    'rollouts.task-finished',
    z.object({
      taskId: z.string().min(1),
      agentId: z.string().min(1),
      assetId: z.string().min(1),
      kind: z.string(),
      outcome: z.enum(['succeeded', 'failed', 'rejected']),
      rolloutId: z.string().nullable(),
    }),
  ),
};

export function registerRolloutJobs(
  runner: Pick<JobRunner, 'register'>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
): void {
  runner.register(rolloutJobs.taskFinished.kind, async (job) => {
    const data = parsePayload(rolloutJobs.taskFinished, job.payload);
    await onTaskFinished(ctx, data);
    return { taskId: data.taskId };
  });
}
