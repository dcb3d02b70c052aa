/**
 * What the activity stream (the dashboard context's `GET /api/v1/live`) reads of the audit log:
 * the newest seq, and the events after a seq with only the columns the stream may show (never
 * the actor or the before/after details), narrowed to the subject types a caller may read.
 */
import type { Database } from '../../db/database.ts';

export interface ActivityEvent {
  readonly seq: number;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly at: string;
}

/** Which events a reader gets: all, or these subject types (and its own personal subjects). */
export type ActivityFilter =
  | { readonly all: true }
  | {
      readonly all: false;
      readonly types: readonly string[];
      /** Types whose subject id is a user id: that user's own events of these types. */
      readonly ownTypes: readonly string[];
      readonly userId: string;
    };

/** The last event's seq (0 for an empty log). */
export async function lastActivitySeq(database: Pick<Database, 'db'>): Promise<number> {
  const row = await database.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * Events after `after` (and up to `upTo` when given), oldest first, at most `limit`: only the
 * columns the stream may show.
 */
export async function activityAfter(
  database: Pick<Database, 'db'>,
  after: number,
  filter: ActivityFilter,
  limit: number,
  upTo?: number,
): Promise<ActivityEvent[]> {
  let query = database.db
    .selectFrom('audit_events')
    .select(['seq', 'action', 'subject_type', 'subject_id', 'occurred_at'])
    .where('seq', '>', after);
  if (upTo !== undefined) query = query.where('seq', '<=', upTo);
  if (!filter.all) {
    const { types, ownTypes, userId } = filter;
    query = query.where((eb) =>
      eb.or([
        ...(types.length > 0 ? [eb('subject_type', 'in', [...types])] : []),
        ...(ownTypes.length > 0
          ? [eb.and([eb('subject_type', 'in', [...ownTypes]), eb('subject_id', '=', userId)])]
          : []),
      ]),
    );
  }
  const rows = await query.orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    at: r.occurred_at,
  }));
}
