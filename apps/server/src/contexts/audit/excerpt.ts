/**
 * An excerpt of the audit chain with its proof (issue 11: the change report): the events about
 * some subjects with their `hash` and `prev_hash`, each hash recomputed from the stored event
 * (so an edited event shows), and the whole chain verified up to its head (so a removed or
 * reordered event shows: every later `prev_hash` would break).
 */
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { ChainVerification } from './audit-log.ts';
import { verifyAuditChain } from './audit-log.ts';
import { eventHash } from './chain.ts';

type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface ChainedEvent {
  readonly seq: number;
  readonly occurredAt: string;
  readonly action: string;
  readonly actorType: string;
  readonly actorName: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly prevHash: string;
  readonly hash: string;
  /** The stored hash equals the hash recomputed from the stored event and its prev_hash. */
  readonly hashVerified: boolean;
}

export interface AuditExcerpt {
  readonly events: readonly ChainedEvent[];
  /** The whole chain from its first event (verifyAuditChain). */
  readonly chain: ChainVerification;
}

/** The events about these subjects at or before `upTo` (ISO; all when absent), oldest first. */
export async function auditExcerptOf(
  db: Executor,
  subjects: readonly { readonly type: string; readonly ids: readonly string[] }[],
  upTo?: string,
): Promise<AuditExcerpt> {
  const wanted = subjects.filter((s) => s.ids.length > 0);
  const chain = await verifyAuditChain(db);
  if (wanted.length === 0) return { events: [], chain };
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .where((eb) =>
      eb.or(
        wanted.map((s) =>
          eb.and([eb('subject_type', '=', s.type), eb('subject_id', 'in', [...s.ids])]),
        ),
      ),
    );
  if (upTo !== undefined) query = query.where('occurred_at', '<=', upTo);
  const rows = await query.orderBy('seq').execute();
  const parse = (text: string | null): unknown =>
    text === null ? null : (JSON.parse(text) as unknown);
  return {
    chain,
    events: rows.map((row) => {
      const { hash, ...fields } = row;
      const seq = Number(row.seq);
      return {
        seq,
        occurredAt: row.occurred_at,
        action: row.action,
        actorType: row.actor_type,
        actorName: row.actor_name,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        before: parse(row.before_json),
        after: parse(row.after_json),
        prevHash: row.prev_hash,
        hash,
        hashVerified: eventHash({ ...fields, seq }) === hash,
      };
    }),
  };
}
