/** The jobs API's schemas: strict inputs, every field described (they become the OpenAPI document). */
import { z } from 'zod';
import { jobStates } from './repository.ts';

export const JobState = z
  .enum(jobStates)
  .describe('queued, running, succeeded, failed or cancelled');
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z
  .object({
    done: z.number().describe('units done so far'),
    total: z.number().describe('units in all (0 when unknown)'),
    message: z.string().optional().describe('what the job is doing'),
  })
  .describe('Progress the job last reported');
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z
  .object({
    id: z.string().describe('job id (UUID)'),
    kind: z.string().describe('what the job does, e.g. advisories.sync'),
    state: JobState,
    payload: z.unknown().describe('the job input, as enqueued'),
    attempts: z.number().int().describe('attempts started so far'),
    maxAttempts: z.number().int().describe('attempts allowed before the job fails'),
    progress: JobProgress.nullable(),
    result: z.unknown().nullable().describe('what the job returned, when it succeeded'),
    error: z.string().nullable().describe('the last attempt’s error'),
    runAfter: z.string().describe('not run before this time (retries back off), ISO 8601 UTC'),
    lockedBy: z.string().nullable().describe('the worker running it'),
    lockedUntil: z.string().nullable().describe('when that worker’s lease lapses'),
    cancelRequested: z.boolean().describe('a cancellation was asked for'),
    createdBy: z.string().nullable().describe('user id of who enqueued it (null: the system)'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
    startedAt: z.string().nullable().describe('start of the latest attempt, ISO 8601 UTC'),
    finishedAt: z.string().nullable().describe('ISO 8601 UTC'),
  })
  .describe('A background job');
export type Job = z.infer<typeof Job>;

export const JobListQuery = z.strictObject({
  kind: z.string().min(1).max(200).optional().describe('only jobs of this kind'),
  state: JobState.optional().describe('only jobs in this state'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size, at most 200'),
  offset: z.coerce.number().int().min(0).default(0).describe('jobs to skip (newest first)'),
});
export type JobListQuery = z.infer<typeof JobListQuery>;

export const JobList = z.object({
  jobs: z.array(Job).describe('newest first'),
  nextOffset: z.number().int().nullable().describe('offset of the next page, null on the last'),
});
export type JobList = z.infer<typeof JobList>;

export const JobParams = z.strictObject({ id: z.uuid().describe('job id') });
export type JobParams = z.infer<typeof JobParams>;
