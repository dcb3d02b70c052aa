/**
 * The activity stream (`GET /api/v1/live`): the audit log's new events as server-sent events,
 * each saying only what happened to which subject (`seq`, `action`, `subjectType`,
 * `subjectId`, `at`), never who did it or the before/after details, and only about subjects
 * the caller may read (`subjectReadPermission`; `audit:read` sees every event). The web UI refetches what
 * shows that subject. Polls the database (any replica's writes show, on SQLite and
 * PostgreSQL alike), as the rollouts' event stream does.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { lastEventId, openEventStream } from '../../http/sse.ts';
import type { Permission } from '../auth/index.ts';

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

/**
 * The permission that lets a caller read each subject type the server audits (`subjectType:` in
 * apps/server/src): a caller sees an event only when it may read that kind of subject. A type
 * not listed here (a new one) is seen only with `audit:read`, which sees every event.
 */
export const subjectReadPermission: Readonly<Record<string, Permission>> = {
  asset: 'assets:read',
  finding: 'findings:read',
  findings: 'findings:read',
  finding_exception: 'findings:read',
  'advisory-source': 'advisories:read',
  job: 'jobs:read',
  change: 'changes:read',
  change_template: 'changes:read',
  approval_policy: 'changes:read',
  approver_group: 'changes:read',
  delegation: 'changes:read',
  autopilot_rule: 'changes:read',
  rollout: 'changes:read',
  agent: 'agents:read',
  agent_task: 'agents:read',
  enrolment_token: 'agents:manage',
  'maintenance-window': 'calendar:read',
  'change-freeze': 'calendar:read',
  'notification-channel': 'notifications:manage',
  'notification-contact': 'notifications:manage',
  'notification-delivery': 'notifications:manage',
  'notification-subscription': 'notifications:manage',
  'notification-template': 'notifications:manage',
  report: 'reports:read',
  'report-schedule': 'reports:read',
  metric_snapshots: 'reports:read',
  'improvement-action': 'reports:read',
  'improvement-recommendation': 'reports:read',
  'improvement-recommendations': 'reports:read',
  user: 'users:manage',
  api_token: 'users:manage',
  'calendar-feed-token': 'users:manage',
};

/**
 * Subject types whose id is a user's id and which that user may see about themselves without
 * the type's permission (their own calendar feed token).
 */
const ownSubjectTypes: readonly string[] = ['calendar-feed-token'];

/** What a caller's stream may carry: every event, or these subject types (and its own). */
export type ActivityScope =
  | { readonly all: true }
  | { readonly all: false; readonly types: readonly string[]; readonly userId: string };

/** The scope of a caller with these permissions (`audit:read` sees every event). */
export function activityScope(permissions: ReadonlySet<Permission>, userId: string): ActivityScope {
  if (permissions.has('audit:read')) return { all: true };
  const types = Object.entries(subjectReadPermission)
    .filter(([, permission]) => permissions.has(permission))
    .map(([type]) => type);
  return { all: false, types, userId };
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
  scope: ActivityScope,
  limit = batch,
): Promise<ActivityEvent[]> {
  let query = ctx.database.db
    .selectFrom('audit_events')
    .select(['seq', 'action', 'subject_type', 'subject_id', 'occurred_at'])
    .where('seq', '>', after);
  if (!scope.all) {
    const { types, userId } = scope;
    query = query.where((eb) =>
      eb.or([
        ...(types.length > 0 ? [eb('subject_type', 'in', [...types])] : []),
        eb.and([eb('subject_type', 'in', [...ownSubjectTypes]), eb('subject_id', '=', userId)]),
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

export async function streamActivity(
  ctx: Pick<ServerContext, 'database' | 'logger'>,
  request: FastifyRequest,
  reply: { hijack(): void; raw: ServerResponse },
  options: LiveOptions,
  scope: ActivityScope,
): Promise<void> {
  // Where to start is read before the headers go out: a failure is still a problem+json.
  let after = lastEventId(request) ?? (await lastActivitySeq(ctx));
  const stream = openEventStream(request, reply, 'patchgate activity');
  const started = Date.now();
  try {
    while (!stream.closed && Date.now() - started < options.maxLifetimeMs) {
      const events = await activityAfter(ctx, after, scope);
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
