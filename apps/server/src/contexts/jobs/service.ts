/**
 * The jobs context's rules: reading jobs, cancelling and retrying them (audited with who
 * asked), and the schedules other contexts keep (an advisory source's sync interval).
 */
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { ConflictError, NotFoundError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import type { Executor, JobRow } from './repository.ts';
import {
  deleteScheduleRow,
  findActiveJob,
  findJob,
  findSchedule,
  listJobs as listJobRows,
  upsertScheduleRow,
} from './repository.ts';
import type { Job, JobList, JobListQuery, JobProgress } from './schema.ts';

export type { RequestSource };

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function jobOf(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state as Job['state'],
    payload: parseJson(row.payload_json),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    progress: parseJson(row.progress_json) as JobProgress | null,
    result: parseJson(row.result_json),
    error: row.error,
    runAfter: row.run_after,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    cancelRequested: row.cancel_requested === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export async function getJob(ctx: ServerContext, id: string): Promise<Job> {
  const row = await findJob(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Job ${id}`);
  return jobOf(row);
}

export async function listJobs(ctx: ServerContext, query: JobListQuery): Promise<JobList> {
  const rows = await listJobRows(ctx.database.db, query);
  const more = rows.length > query.limit;
  return {
    jobs: rows.slice(0, query.limit).map(jobOf),
    nextOffset: more ? query.offset + query.limit : null,
  };
}

const finished = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * A queued job is cancelled at once; a running one gets `cancel_requested`, its handler's
 * signal aborts at the next heartbeat or progress report, and the runner records `cancelled`.
 */
export async function cancelJob(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<Job> {
  const { database, clock } = ctx;
  const row = await database.db.transaction().execute(async (trx) => {
    const before = await findJob(trx, id);
    if (before === undefined) throw new NotFoundError(`Job ${id}`);
    if (finished.has(before.state)) {
      throw new ConflictError(`Job ${id} is already ${before.state}`);
    }
    const now = timestamp(clock);
    const queued = before.state === 'queued';
    const after = await trx
      .updateTable('jobs')
      .set({
        cancel_requested: 1,
        updated_at: now,
        ...(queued && { state: 'cancelled', finished_at: now }),
      })
      .where('id', '=', id)
      .where('state', '=', before.state)
      .returningAll()
      .executeTakeFirst();
    if (after === undefined) throw new ConflictError(`Job ${id} changed state; try again`);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: queued ? 'job.cancelled' : 'job.cancel-requested',
      subjectType: 'job',
      subjectId: id,
      before: { state: before.state, cancelRequested: before.cancel_requested === 1 },
      after: { state: after.state, cancelRequested: true },
    });
    return after;
  });
  return jobOf(row);
}

/** Run a failed (or cancelled) job again from scratch: attempts reset, due now. */
export async function retryJob(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<Job> {
  const { database, clock } = ctx;
  const row = await database.db.transaction().execute(async (trx) => {
    const before = await findJob(trx, id);
    if (before === undefined) throw new NotFoundError(`Job ${id}`);
    if (before.state !== 'failed' && before.state !== 'cancelled') {
      throw new ConflictError(
        `Only a failed or cancelled job can be retried; ${id} is ${before.state}`,
      );
    }
    const now = timestamp(clock);
    const after = await trx
      .updateTable('jobs')
      .set({
        state: 'queued',
        attempts: 0,
        cancel_requested: 0,
        run_after: now,
        finished_at: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('state', '=', before.state)
      .returningAll()
      .executeTakeFirst();
    if (after === undefined) throw new ConflictError(`Job ${id} changed state; try again`);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'job.retried',
      subjectType: 'job',
      subjectId: id,
      before: { state: before.state, attempts: before.attempts, error: before.error },
      after: { state: after.state, attempts: 0 },
    });
    return after;
  });
  return jobOf(row);
}

export interface ScheduleInput {
  /** Stable id chosen by the owner, e.g. `advisories.sync:<source id>`. */
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly intervalSeconds: number;
  readonly enabled: boolean;
}

/**
 * Create or change a schedule inside the caller's transaction. A new schedule is due at once;
 * a changed interval counts from now; otherwise the next due time is kept.
 */
export async function upsertSchedule(
  db: Executor,
  clock: Clock,
  input: ScheduleInput,
): Promise<void> {
  const current = await findSchedule(db, input.id);
  const now = clock.now();
  const next =
    current === undefined
      ? now.toISOString()
      : current.interval_seconds === input.intervalSeconds
        ? current.next_run_at
        : new Date(now.getTime() + input.intervalSeconds * 1000).toISOString();
  await upsertScheduleRow(db, {
    id: input.id,
    kind: input.kind,
    payload_json: JSON.stringify(input.payload ?? null),
    interval_seconds: input.intervalSeconds,
    next_run_at: next,
    enabled: input.enabled ? 1 : 0,
    last_job_id: current?.last_job_id ?? null,
  });
}

export async function removeSchedule(db: Executor, id: string): Promise<void> {
  await deleteScheduleRow(db, id);
}

/** The queued or running job of `kind` with exactly this payload: to avoid enqueuing twice. */
export async function activeJob(
  db: Executor,
  kind: string,
  payload: unknown,
): Promise<Job | undefined> {
  const row = await findActiveJob(db, kind, JSON.stringify(payload ?? null));
  return row === undefined ? undefined : jobOf(row);
}
