/**
 * Appending to and verifying the audit log. Every state change that matters appends an event
 * in the same transaction as the change itself: the change and its record commit together or
 * not at all.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { ChainedFields } from './chain.ts';
import { canonicalJson, eventHash, genesisHash } from './chain.ts';
import type { AuditEventTable } from './tables.ts';

export interface AuditActor {
  readonly type: 'user' | 'token' | 'system' | 'agent';
  readonly id: string | null;
  readonly name: string;
}

export const systemActor: AuditActor = { type: 'system', id: null, name: 'system' };

export interface AuditEventInput {
  readonly actor: AuditActor;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly requestId?: string | null;
  readonly ip?: string | null;
}

/** A lock id for the chain head (PostgreSQL advisory lock; SQLite serialises writers anyway). */
const chainLock = 0x50474155; // "PGAU"

type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** Append one event. Call it inside the transaction that makes the change it records. */
export async function appendAuditEvent(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  input: AuditEventInput,
): Promise<AuditEventTable> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${chainLock})`.execute(trx);
  const head = await trx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const fields: ChainedFields = {
    seq: (head?.seq ?? 0) + 1,
    id: randomUUID(),
    occurred_at: timestamp(clock),
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    actor_name: input.actor.name,
    action: input.action,
    subject_type: input.subjectType,
    subject_id: input.subjectId ?? null,
    before_json: input.before === undefined ? null : canonicalJson(input.before),
    after_json: input.after === undefined ? null : canonicalJson(input.after),
    request_id: input.requestId ?? null,
    ip: input.ip ?? null,
    prev_hash: head?.hash ?? genesisHash,
  };
  const event = { ...fields, hash: eventHash(fields) };
  await trx.insertInto('audit_events').values(event).execute();
  return event;
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly lastHash: string;
  /** The first event that does not chain, and why. */
  readonly brokenAt?: { readonly seq: number; readonly reason: string };
}

/**
 * Recompute the chain, in order, in batches: the whole of it, or (`from`, a head already
 * trusted, e.g. a verified checkpoint) only the events after it. `events` counts from 1 either
 * way: it is the last event that verifies.
 */
export async function verifyAuditChain(
  db: Executor,
  batchSize = 2000,
  from?: { readonly seq: number; readonly hash: string },
): Promise<ChainVerification> {
  let previous = from?.hash ?? genesisHash;
  let expectedSeq = (from?.seq ?? 0) + 1;
  let events = from?.seq ?? 0;
  for (;;) {
    const batch = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of batch) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) {
        return {
          ok: false,
          events,
          lastHash: previous,
          brokenAt: {
            seq: expectedSeq,
            reason: `event ${expectedSeq} is missing (next is ${seq})`,
          },
        };
      }
      if (row.prev_hash !== previous) {
        return {
          ok: false,
          events,
          lastHash: previous,
          brokenAt: { seq, reason: 'prev_hash does not match the previous event' },
        };
      }
      const { hash, ...fields } = row;
      if (eventHash({ ...fields, seq }) !== hash) {
        return {
          ok: false,
          events,
          lastHash: previous,
          brokenAt: { seq, reason: 'hash does not match the event' },
        };
      }
      previous = hash;
      expectedSeq++;
      events++;
    }
    if (batch.length < batchSize) return { ok: true, events, lastHash: previous };
  }
}

/** The events about some subjects (oldest first), for other contexts' history views. */
export interface SubjectEvent {
  readonly seq: number;
  readonly occurredAt: string;
  readonly action: string;
  readonly actorType: string;
  readonly actorName: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

export async function auditEventsOf(
  db: Executor,
  subjects: readonly { readonly type: string; readonly ids: readonly string[] }[],
): Promise<SubjectEvent[]> {
  const wanted = subjects.filter((s) => s.ids.length > 0);
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('audit_events')
    .select([
      'seq',
      'occurred_at',
      'action',
      'actor_type',
      'actor_name',
      'subject_type',
      'subject_id',
      'before_json',
      'after_json',
    ])
    .where((eb) =>
      eb.or(
        wanted.map((s) =>
          eb.and([eb('subject_type', '=', s.type), eb('subject_id', 'in', [...s.ids])]),
        ),
      ),
    )
    .orderBy('seq')
    .execute();
  const parse = (text: string | null): unknown =>
    text === null ? null : (JSON.parse(text) as unknown);
  return rows.map((row) => ({
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    action: row.action,
    actorType: row.actor_type,
    actorName: row.actor_name,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    before: parse(row.before_json),
    after: parse(row.after_json),
  }));
}
