/**
 * The verify part's listeners and schedule (main.ts wires them; ADR 0039): a pre-flight when a
 * change is submitted; pre-flight results and install verifications as agents report tasks;
 * pending reboots compared with heartbeats; the review pre-filled when a rollout ends.
 */
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import type { Subscriber } from '../../events/index.ts';
import { ApiError } from '../../http/problems.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType } from '../jobs/index.ts';
import { systemActor } from '../audit/index.ts';
import { onPreflightTaskFinished, requestPreflight } from './preflight.ts';
import { checkReboots, onInstallTaskFinished } from './verification.ts';
import type { ReadRollout } from './review.ts';
import { prefillReviewOf, reviewEndingKinds } from './review.ts';

const id = z.string().min(1);

export const verificationJobs = {
  preflightOnSubmit: defineJobType('rollouts.preflight-on-submit', z.object({ changeId: id })),
  taskFinished: defineJobType(
    'rollouts.verify-task-finished',
    z.object({
      taskId: id,
      agentId: id,
      assetId: id,
      kind: z.string(),
      outcome: z.enum(['succeeded', 'failed', 'rejected']),
      rolloutId: id.nullable(),
    }),
  ),
  rebootCheck: defineJobType('rollouts.reboot-check', z.object({})),
  prefillReview: defineJobType(
    'rollouts.prefill-review',
    z.object({ rolloutId: id, changeId: id, kind: z.string() }),
  ),
};

/** `change.state-changed` → a pre-flight when the change is submitted. */
export const preflightOnSubmit: Subscriber<
  'change.state-changed',
  z.output<typeof verificationJobs.preflightOnSubmit.payload>
> = {
  id: verificationJobs.preflightOnSubmit.kind,
  job: verificationJobs.preflightOnSubmit,
  payload: ({ changeId, to }) => (to === 'submitted' ? { changeId } : undefined),
};

/** `agent.task-finished` → pre-flight results and install verifications. */
export const verifyTaskFinished: Subscriber<
  'agent.task-finished',
  z.output<typeof verificationJobs.taskFinished.payload>
> = {
  id: verificationJobs.taskFinished.kind,
  job: verificationJobs.taskFinished,
  payload: (data) =>
    data.kind === 'preflight' || (data.kind === 'install' && data.outcome === 'succeeded')
      ? { ...data }
      : undefined,
};

/** `rollout.progressed` → the review pre-filled when the rollout ends. */
export const prefillReviewOnRolloutEnd: Subscriber<
  'rollout.progressed',
  z.output<typeof verificationJobs.prefillReview.payload>
> = {
  id: verificationJobs.prefillReview.kind,
  job: verificationJobs.prefillReview,
  payload: ({ rolloutId, changeId, kind }) =>
    reviewEndingKinds.includes(kind) ? { rolloutId, changeId, kind } : undefined,
};

export function registerVerificationJobs(
  runner: Pick<JobRunner, 'handle'>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  options: { readonly readRollout?: ReadRollout } = {},
): void {
  runner.handle(verificationJobs.preflightOnSubmit, async (job) => {
    try {
      await requestPreflight(ctx, job.payload.changeId, 'submitted', { actor: systemActor });
    } catch (error) {
      // A change gone, over or without hosts has nothing to pre-flight: not a job failure.
      if (error instanceof ApiError && (error.status === 404 || error.status === 409)) return;
      throw error;
    }
  });
  runner.handle(verificationJobs.taskFinished, async (job) => {
    await onPreflightTaskFinished(ctx, job.payload);
    await onInstallTaskFinished(ctx, job.payload);
  });
  runner.handle(verificationJobs.rebootCheck, async () => {
    await checkReboots(ctx);
  });
  runner.handle(verificationJobs.prefillReview, async (job) => {
    await prefillReviewOf(ctx, job.payload, options.readRollout);
  });
}
