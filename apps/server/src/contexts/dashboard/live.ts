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
import type { ActivityFilter } from '../audit/index.ts';
import { activityAfter, lastActivitySeq } from '../audit/index.ts';
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

/** The audit log's events a caller with these permissions may see (`audit:read`: all). */
export function activityScope(
  permissions: ReadonlySet<Permission>,
  userId: string,
): ActivityFilter {
  if (permissions.has('audit:read')) return { all: true };
  const types = Object.entries(subjectReadPermission)
    .filter(([, permission]) => permissions.has(permission))
    .map(([type]) => type);
  return { all: false, types, ownTypes: ownSubjectTypes, userId };
}

export async function streamActivity(
  ctx: Pick<ServerContext, 'database' | 'logger'>,
  request: FastifyRequest,
  reply: { hijack(): void; raw: ServerResponse },
  options: LiveOptions,
  scope: ActivityFilter,
): Promise<void> {
  // Where to start is read before the headers go out: a failure is still a problem+json.
  let after = lastEventId(request) ?? (await lastActivitySeq(ctx.database));
  const stream = openEventStream(request, reply, 'patchgate activity');
  const started = Date.now();
  try {
    while (!stream.closed && Date.now() - started < options.maxLifetimeMs) {
      // Up to the head as it is now (every event up to it is committed: appends hold the chain
      // lock to the end of their transaction), so a caller who sees few of the events moves on
      // past the others instead of scanning them again at every poll.
      const head = await lastActivitySeq(ctx.database);
      const events = await activityAfter(ctx.database, after, scope, batch, head);
      for (const event of events) {
        stream.send('activity', event, event.seq);
        after = event.seq;
      }
      // A full batch: more are waiting, read them now.
      if (events.length === batch) continue;
      after = Math.max(after, head);
      stream.heartbeat(options.heartbeatMs);
      await stream.wait(options.pollMs);
    }
  } catch (error) {
    ctx.logger.error({ err: error }, 'activity stream failed');
  } finally {
    stream.end();
  }
}
