/** Putting work on the durable queue: in the caller's transaction, so it commits with the change. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { DatabaseSchema } from '../../db/schema.ts';

export interface NewJob {
  /** A pre-chosen id (a schedule records the job it enqueues); default a new UUID. */
  readonly id?: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly maxAttempts?: number;
  /** ISO timestamp; default now. */
  readonly runAfter?: string;
  readonly createdBy?: string | null;
  /** With a pre-chosen id: do nothing when a job with that id exists (idempotent delivery). */
  readonly ifAbsent?: boolean;
}

export async function enqueueJob(
  db: Kysely<DatabaseSchema> | Transaction<DatabaseSchema>,
  clock: Clock,
  job: NewJob,
): Promise<string> {
  const id = job.id ?? randomUUID();
  const now = timestamp(clock);
  const insert = db.insertInto('jobs').values({
    id,
    kind: job.kind,
    payload_json: JSON.stringify(job.payload ?? null),
    state: 'queued',
    attempts: 0,
    max_attempts: job.maxAttempts ?? 3,
    progress_json: null,
    result_json: null,
    error: null,
    run_after: job.runAfter ?? now,
    locked_by: null,
    locked_until: null,
    cancel_requested: 0,
    created_by: job.createdBy ?? null,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
  });
  await (
    job.ifAbsent === true ? insert.onConflict((oc) => oc.column('id').doNothing()) : insert
  ).execute();
  return id;
}
