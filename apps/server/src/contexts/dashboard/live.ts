/**
 * The activity stream (`GET /api/v1/live`): the audit log's new events as server-sent events,
 * each saying only what happened to which subject (`seq`, `action`, `subjectType`,
 * `subjectId`, `at`), never who did it or the before/after details. The web UI refetches what
 * shows that subject. Polls the database (any replica's writes show, on SQLite and
 * PostgreSQL alike), as the rollouts' event stream does.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { lastEventId, openEventStream } from '../../http/sse.ts';

/** How often the stream polls the audit log. */
export const livePollMs = 1000;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const liveHeartbeatMs = 15_000;
/** A connection ends after this long; EventSource reconnects and resumes (Last-Event-ID). */
export const liveMaxLifetimeMs = 10 * 60_000;
/** At most this many events per poll (a sync can audit thousands at once). */
const batch = 500;

export interface LiveOptions {
  readonly pollMs: number;
  readonly heartbeatMs: number;
  readonly maxLifetimeMs: number;
}

export interface ActivityEvent {
  readonly seq: number;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly at: string;
}

/** The last event's seq (0 for an empty log): where a stream without Last-Event-ID starts. */
export async function lastActivitySeq(ctx: Pick<ServerContext, 'database'>): Promise<number> {
  const row = await ctx.database.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Events after `after`, oldest first: only the columns the stream may show. */
export async function activityAfter(
  ctx: Pick<ServerContext, 'database'>,
  after: number,
  limit = batch,
): Promise<ActivityEvent[]> {
  const rows = await ctx.database.db
    .selectFrom('audit_events')
    .select(['seq', 'action', 'subject_type', 'subject_id', 'occurred_at'])
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    at: r.occurred_at,
  }));
}

export async function streamActivity(
  ctx: Pick<ServerContext, 'database' | 'logger'>,
  request: FastifyRequest,
  reply: { hijack(): void; raw: ServerResponse },
  options: LiveOptions,
): Promise<void> {
  // Where to start is read before the headers go out: a failure is still a problem+json.
  let after = lastEventId(request) ?? (await lastActivitySeq(ctx));
  const stream = openEventStream(request, reply, 'patchgate activity');
  const started = Date.now();
  try {
    while (!stream.closed && Date.now() - started < options.maxLifetimeMs) {
      const events = await activityAfter(ctx, after);
      for (const event of events) {
        stream.send('activity', event, event.seq);
        after = event.seq;
      }
      // A full batch: more are waiting, read them now.
      if (events.length === batch) continue;
      stream.heartbeat(options.heartbeatMs);
      await stream.wait(options.pollMs);
    }
  } catch (error) {
    ctx.logger.error({ err: error }, 'activity stream failed');
  } finally {
    stream.end();
  }
}
