/** The jobs context's public face: enqueue (in a caller's transaction), the runner, schedules. */
export type { NewJob } from './queue.ts';
export { enqueueJob } from './queue.ts';
export type { Enqueued, EnqueueOptions, JobType } from './typed.ts';
export { defineJobType, enqueueTyped, parsePayload } from './typed.ts';
export type {
  AbortReason,
  JobExecution,
  JobHandler,
  JobOutcome,
  JobRunnerOptions,
  TypedJobHandler,
} from './runner.ts';
export { defaultBackoffSeconds, JobRunner } from './runner.ts';
export type { Job, JobState } from './schema.ts';
export type { RequestSource, ScheduleInput } from './service.ts';
export type { Executor } from './repository.ts';
export { activeJob, getJob, removeSchedule, upsertSchedule } from './service.ts';
export { registerJobRoutes } from './routes.ts';
