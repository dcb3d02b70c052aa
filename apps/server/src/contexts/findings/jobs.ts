/**
 * Background jobs of the findings context: reconcile one asset (after an inventory upload),
 * reconcile every asset (after an advisory sync), expire lapsed exceptions (scheduled).
 */
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import type { FindingInputs } from './inputs.ts';
import type { ReconcileOptions } from './reconcile.ts';
import { reconcileAll, reconcileAsset } from './reconcile.ts';
import { expireExceptions } from './service.ts';

/** The part of the jobs runtime's JobRunner these handlers need. */
export interface FindingJob {
  readonly id: string;
  readonly payload: unknown;
  readonly signal: AbortSignal;
  progress(done: number, total: number, message?: string): Promise<void>;
}
export interface FindingJobRunner {
  register(kind: string, handler: (job: FindingJob) => Promise<unknown>): void;
}

export const findingJobKinds = {
  reconcileAsset: 'findings.reconcile-asset',
  reconcileAll: 'findings.reconcile-all',
  expireExceptions: 'findings.expire-exceptions',
} as const;

/** How often the expiry job should run (a `job_schedules` row the composition root adds). */
export const expireExceptionsIntervalSeconds = 3600;

const ReconcileAssetPayload = z.object({ assetId: z.string().min(1) });

export function registerFindingJobs(
  runner: FindingJobRunner,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  inputs: FindingInputs,
  options: Pick<ReconcileOptions, 'policy'> = {},
): void {
  runner.register(findingJobKinds.reconcileAsset, async (job) => {
    // A malformed payload is a bug in whoever enqueued it: fail the job, loudly.
    const { assetId } = ReconcileAssetPayload.parse(job.payload);
    return reconcileAsset(ctx.database, ctx.clock, inputs, assetId, options);
  });
  runner.register(findingJobKinds.reconcileAll, async (job) =>
    reconcileAll(ctx.database, ctx.clock, inputs, {
      ...options,
      signal: job.signal,
      onProgress: (done, total) => job.progress(done, total, 'assets reconciled'),
    }),
  );
  runner.register(findingJobKinds.expireExceptions, async () =>
    expireExceptions(ctx.database, ctx.clock),
  );
}
