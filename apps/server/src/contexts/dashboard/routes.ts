/**
 * Dashboard API: the figures of the web UI's dashboard in one call (`findings:read`; changes,
 * rollouts and agents only when the caller also reads those), and the activity stream the UI
 * refetches by (any logged-in caller; server-sent events).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { requirePrincipal } from '../../http/access.ts';
import { BadRequestError, Problem } from '../../http/problems.ts';
import type { LiveOptions } from './live.ts';
import {
  activityScope,
  liveHeartbeatMs,
  liveMaxLifetimeMs,
  livePollMs,
  streamActivity,
} from './live.ts';
import { Dashboard } from './schema.ts';
import { dashboard } from './service.ts';

const tags = ['dashboard'];

export type DashboardRouteOptions = Partial<LiveOptions>;

export function registerDashboardRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: DashboardRouteOptions = {},
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/dashboard',
    {
      config: { access: 'findings:read' },
      schema: {
        operationId: 'getDashboard',
        tags,
        summary:
          'The dashboard in one call: open findings by priority and due status, overdue by team and environment, SLA compliance per week, KEV on internet-facing assets; changes this week and running rollouts (with changes:read), agents not reporting (with agents:read). Every figure names the findings list filter it counts',
        response: { 200: Dashboard },
      },
    },
    async (request) => {
      const granted = request.principal?.permissions;
      return dashboard(ctx, {
        changes: granted?.has('changes:read') === true,
        agents: granted?.has('agents:read') === true,
      });
    },
  );

  api.get(
    '/api/v1/live',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'streamActivity',
        tags,
        summary:
          'What changes, live, as server-sent events (ask with Accept: text/event-stream, as EventSource does): `activity` events (id = the audit seq; data `{seq, action, subjectType, subjectId, at}`, never the details) about the subject types the caller may read (every event with audit:read), from the current end or after Last-Event-ID; heartbeat comments; a connection lasts at most 10 minutes (EventSource reconnects)',
        response: {
          200: z.string().describe('text/event-stream'),
          400: Problem,
          401: Problem,
        },
      },
    },
    async (request, reply) => {
      // A stream never ends by itself: only a client that asked for one gets it (a plain GET,
      // a link checker or a fuzzer gets an answer instead of a connection held open).
      if (!String(request.headers.accept ?? '').includes('text/event-stream'))
        throw new BadRequestError(
          'GET /api/v1/live is a server-sent event stream: ask with Accept: text/event-stream',
        );
      const principal = requirePrincipal(request);
      await streamActivity(
        ctx,
        request,
        reply,
        {
          pollMs: options.pollMs ?? livePollMs,
          heartbeatMs: options.heartbeatMs ?? liveHeartbeatMs,
          maxLifetimeMs: options.maxLifetimeMs ?? liveMaxLifetimeMs,
        },
        activityScope(principal.permissions, principal.id),
      );
    },
  );
}
