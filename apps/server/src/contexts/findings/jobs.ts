/**
 * Background jobs of the findings context: reconcile one asset (after its inventory or its
 * attributes change, or it is deleted), reconcile every asset (after an advisory sync that
 * changed something), expire lapsed exceptions (scheduled). Other contexts never name these
 * jobs: they publish domain events, and the composition root subscribes these jobs to them.
 */
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType } from '../jobs/index.ts';
import type { FindingInputs } from './inputs.ts';
import type { ReconcileOptions } from './reconcile.ts';
import { reconcileAll, reconcileAsset } from './reconcile.ts';
import { expireExceptions } from './service.ts';

/** The findings context's job types, payload schemas included. */
export const findingJobs = {
  /** The asset id only: the job reads the current inventory when it runs (so it coalesces). */
  reconcileAsset: defineJobType(
    'findings.reconcile-asset',
    z.object({ assetId: z.string().min(1) }),
  ),
  /** `trigger`: what asked for it (an event name), for people reading the job list. */
  reconcileAll: defineJobType(
    'findings.reconcile-all',
    z.object({ trigger: z.string().optional() }),
  ),
  expireExceptions: defineJobType('findings.expire-exceptions', z.object({})),
} as const;

/** The kinds, for the job list and the schedule. */
export const findingJobKinds = {
  reconcileAsset: findingJobs.reconcileAsset.kind,
  reconcileAll: findingJobs.reconcileAll.kind,
  expireExceptions: findingJobs.expireExceptions.kind,
} as const;

/** How often the expiry job should run (a `job_schedules` row the composition root adds). */
export const expireExceptionsIntervalSeconds = 3600;

export function registerFindingJobs(
  runner: Pick<JobRunner, 'handle'>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  inputs: FindingInputs,
  options: Pick<ReconcileOptions, 'policy'> = {},
): void {
  runner.handle(findingJobs.reconcileAsset, async (job) =>
    reconcileAsset(ctx.database, ctx.clock, inputs, job.payload.assetId, options),
  );
  runner.handle(findingJobs.reconcileAll, async (job) =>
    reconcileAll(ctx.database, ctx.clock, inputs, {
      ...options,
      signal: job.signal,
      onProgress: (done, total) => job.progress(done, total, 'assets reconciled'),
    }),
  );
  runner.handle(findingJobs.expireExceptions, async () =>
    expireExceptions(ctx.database, ctx.clock),
  );
}
