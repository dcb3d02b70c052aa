/**
 * Typed queries on `jobs` and `job_schedules`. The claim is the one statement that must be
 * exactly-once across processes: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent
 * claimers pass over a row another transaction is taking; on SQLite the single writer
 * serialises the UPDATE, so the same statement without the locking clause is enough.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { JobScheduleTable, JobTable } from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type JobRow = Selectable<JobTable>;
export type ScheduleRow = Selectable<JobScheduleTable>;

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

export interface ClaimInput {
  readonly kinds: readonly string[];
  readonly workerId: string;
  readonly now: string;
  readonly lockedUntil: string;
}

/**
 * Take the oldest due job of one of `kinds`: a queued one whose `run_after` has come, or a
 * running one whose lease lapsed (its worker died). Returns the claimed row, or undefined.
 */
export async function claimJob(
  db: Kysely<DatabaseSchema>,
  dialect: Dialect,
  input: ClaimInput,
): Promise<JobRow | undefined> {
  if (input.kinds.length === 0) return undefined;
  const claim = async (executor: Executor) => {
    let candidate = executor
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', [...input.kinds])
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', input.now)]),
          eb.and([eb('state', '=', 'running'), eb('locked_until', '<', input.now)]),
        ]),
      )
      .orderBy('run_after')
      .orderBy('created_at')
      .orderBy('id')
      .limit(1);
    if (dialect === 'postgres') candidate = candidate.forUpdate().skipLocked();
    return executor
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        locked_by: input.workerId,
        locked_until: input.lockedUntil,
        attempts: eb('attempts', '+', 1),
        started_at: input.now,
        updated_at: input.now,
      }))
      .where('id', '=', candidate)
      .returningAll()
      .executeTakeFirst();
  };
  // On SQLite the single UPDATE is its own (write-locked) transaction: one writer at a time.
  return claim(db);
}

/** Renew the lease and write progress; undefined when the lease is no longer ours. */
export async function renewLease(
  db: Executor,
  input: {
    id: string;
    workerId: string;
    now: string;
    lockedUntil: string;
    progressJson?: string;
  },
): Promise<{ cancelRequested: boolean } | undefined> {
  const row = await db
    .updateTable('jobs')
    .set({
      locked_until: input.lockedUntil,
      updated_at: input.now,
      ...(input.progressJson !== undefined && { progress_json: input.progressJson }),
    })
    .where('id', '=', input.id)
    .where('locked_by', '=', input.workerId)
    .where('state', '=', 'running')
    .returning('cancel_requested')
    .executeTakeFirst();
  return row === undefined ? undefined : { cancelRequested: row.cancel_requested === 1 };
}

/**
 * Move a job this worker holds to its next state. The `locked_by` guard makes a worker that
 * lost its lease (it stalled, another took the job) unable to overwrite the new holder's work.
 */
export async function finishJob(
  db: Executor,
  id: string,
  workerId: string,
  changes: Partial<Omit<JobRow, 'id'>>,
): Promise<JobRow | undefined> {
  return db
    .updateTable('jobs')
    .set({ locked_by: null, locked_until: null, ...changes })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}

export async function findJob(db: Executor, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface JobFilter {
  readonly kind?: string | undefined;
  readonly state?: JobState | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Newest first; one row more than asked, so the caller knows whether a next page exists. */
export async function listJobs(db: Executor, filter: JobFilter): Promise<JobRow[]> {
  let query = db
    .selectFrom('jobs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .offset(filter.offset);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return query.execute();
}

/** The oldest job of this kind with exactly this payload in one of `states`, if any. */
async function oldestJobIn(
  db: Executor,
  kind: string,
  payloadJson: string,
  states: readonly JobRow['state'][],
): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', kind)
    .where('payload_json', '=', payloadJson)
    .where('state', 'in', [...states])
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** The queued or running job of this kind with exactly this payload, if any. */
export function findActiveJob(
  db: Executor,
  kind: string,
  payloadJson: string,
): Promise<JobRow | undefined> {
  return oldestJobIn(db, kind, payloadJson, ['queued', 'running']);
}

/** The oldest still-queued (not yet claimed) job of this kind with exactly this payload. */
export function findQueuedJob(
  db: Executor,
  kind: string,
  payloadJson: string,
): Promise<JobRow | undefined> {
  return oldestJobIn(db, kind, payloadJson, ['queued']);
}

export async function dueSchedules(db: Executor, now: string): Promise<ScheduleRow[]> {
  return db
    .selectFrom('job_schedules')
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .execute();
}

/**
 * Advance a schedule from the due time this process saw to the next one. Only one process
 * sees its `next_run_at` unchanged, so only one enqueues for that due time.
 */
export async function advanceSchedule(
  db: Executor,
  id: string,
  seenNextRunAt: string,
  nextRunAt: string,
): Promise<boolean> {
  const result = await db
    .updateTable('job_schedules')
    .set({ next_run_at: nextRunAt })
    .where('id', '=', id)
    .where('next_run_at', '=', seenNextRunAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setScheduleLastJob(db: Executor, id: string, jobId: string): Promise<void> {
  await db.updateTable('job_schedules').set({ last_job_id: jobId }).where('id', '=', id).execute();
}

export async function upsertScheduleRow(db: Executor, row: ScheduleRow): Promise<void> {
  await db
    .insertInto('job_schedules')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        kind: row.kind,
        payload_json: row.payload_json,
        interval_seconds: row.interval_seconds,
        next_run_at: row.next_run_at,
        enabled: row.enabled,
      }),
    )
    .execute();
}

export async function findSchedule(db: Executor, id: string): Promise<ScheduleRow | undefined> {
  return db.selectFrom('job_schedules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteScheduleRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('job_schedules').where('id', '=', id).execute();
}

/** For tests and diagnostics: how many jobs are in each state. */
export async function countJobsByState(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['state', sql<string | number>`count(*)`.as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
