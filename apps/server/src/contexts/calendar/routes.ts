/**
 * Calendar API: maintenance windows and freezes (`calendar:read` to read, `calendar:manage` to
 * write, each write audited), the calendar over a range, the caller's feed token and the
 * `.ics` feed itself. The feed is `public` as a route: the token in its path is the
 * credential, checked in the handler, and grants reading the calendar only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { NotFoundError, Problem, UnauthorizedError } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import {
  CalendarQuery,
  CalendarView,
  ConflictList,
  ConflictQuery,
  SlotAnswer,
  SlotQuery,
  FeedParams,
  FeedToken,
  Freeze,
  FreezeInput,
  FreezeList,
  FreezePatch,
  IdParams,
  MaintenanceWindow,
  WindowInput,
  WindowList,
  WindowPatch,
} from './schema.ts';
import type { ScheduledChanges } from './service.ts';
import {
  calendarView,
  conflictsFor,
  nextSlot,
  createFeedToken,
  createFreeze,
  createWindow,
  deleteFreeze,
  deleteWindow,
  feedForToken,
  getFreeze,
  getWindow,
  listFreezes,
  listWindows,
  revokeFeedToken,
  updateFreeze,
  updateWindow,
} from './service.ts';

export interface CalendarRouteOptions {
  /** The scheduled changes over a range (the changes context's `scheduledChanges`). */
  readonly scheduledChanges: ScheduledChanges;
}

function callerId(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal === undefined) throw new UnauthorizedError();
  return principal.userId;
}

export function registerCalendarRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: CalendarRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['calendar'];

  api.get(
    '/api/v1/calendar/windows',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'listMaintenanceWindows',
        tags,
        summary: 'List maintenance windows, by name',
        response: { 200: WindowList },
      },
    },
    async () => ({ windows: await listWindows(ctx.database) }),
  );
  api.post(
    '/api/v1/calendar/windows',
    {
      config: { access: 'calendar:manage' },
      schema: {
        operationId: 'createMaintenanceWindow',
        tags,
        summary:
          'Create a maintenance window (RRULE in a time zone, duration, cutoff, asset selector)',
        body: WindowInput,
        response: { 201: MaintenanceWindow, 409: Problem },
      },
    },
    async (request, reply) => {
      const created = await createWindow(ctx, request.body, auditSource(request));
      return reply.code(201).send(created);
    },
  );
  api.get(
    '/api/v1/calendar/windows/:id',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'getMaintenanceWindow',
        tags,
        summary: 'One maintenance window',
        params: IdParams,
        response: { 200: MaintenanceWindow },
      },
    },
    (request) => getWindow(ctx.database, request.params.id),
  );
  api.patch(
    '/api/v1/calendar/windows/:id',
    {
      config: { access: 'calendar:manage' },
      schema: {
        operationId: 'updateMaintenanceWindow',
        tags,
        summary: 'Change a maintenance window',
        params: IdParams,
        body: WindowPatch,
        response: { 200: MaintenanceWindow, 409: Problem },
      },
    },
    (request) => updateWindow(ctx, request.params.id, request.body, auditSource(request)),
  );
  api.delete(
    '/api/v1/calendar/windows/:id',
    {
      config: { access: 'calendar:manage' },
      schema: {
        operationId: 'deleteMaintenanceWindow',
        tags,
        summary: 'Remove a maintenance window',
        params: IdParams,
        response: { 204: z.null().describe('removed') },
      },
    },
    async (request, reply) => {
      await deleteWindow(ctx, request.params.id, auditSource(request));
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/api/v1/calendar/freezes',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'listFreezes',
        tags,
        summary: 'List change freezes, by name',
        response: { 200: FreezeList },
      },
    },
    async () => ({ freezes: await listFreezes(ctx.database) }),
  );
  api.post(
    '/api/v1/calendar/freezes',
    {
      config: { access: 'calendar:manage' },
      schema: {
        operationId: 'createFreeze',
        tags,
        summary:
          'Create a change freeze: one-off (start, end) or recurring (RRULE), with exclusions',
        body: FreezeInput,
        response: { 201: Freeze, 409: Problem },
      },
    },
    async (request, reply) => {
      const created = await createFreeze(ctx, request.body, auditSource(request));
      return reply.code(201).send(created);
    },
  );
  api.get(
    '/api/v1/calendar/freezes/:id',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'getFreeze',
        tags,
        summary: 'One change freeze',
        params: IdParams,
        response: { 200: Freeze },
      },
    },
    (request) => getFreeze(ctx.database, request.params.id),
  );
  api.patch(
    '/api/v1/calendar/freezes/:id',
    {
      config: { access: 'calendar:manage' },
      schema: {
        operationId: 'updateFreeze',
        tags,
        summary: 'Change a change freeze',
        params: IdParams,
        body: FreezePatch,
        response: { 200: Freeze, 409: Problem },
      },
    },
    (request) => updateFreeze(ctx, request.params.id, request.body, auditSource(request)),
  );
  api.delete(
    '/api/v1/calendar/freezes/:id',
    {
      config: { access: 'calendar:manage' },
      schema: {
        operationId: 'deleteFreeze',
        tags,
        summary: 'Remove a change freeze',
        params: IdParams,
        response: { 204: z.null().describe('removed') },
      },
    },
    async (request, reply) => {
      await deleteFreeze(ctx, request.params.id, auditSource(request));
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/api/v1/calendar',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'getCalendar',
        tags,
        summary: 'Window occurrences, freezes and scheduled changes in a range',
        querystring: CalendarQuery,
        response: { 200: CalendarView },
      },
    },
    (request) => calendarView(ctx, request.query, options.scheduledChanges),
  );

  api.get(
    '/api/v1/calendar/conflicts',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'checkCalendarConflicts',
        tags,
        summary:
          'The conflicts a change over an interval on some assets would meet (windows, cutoffs, freezes, other changes)',
        querystring: ConflictQuery,
        response: { 200: ConflictList },
      },
    },
    (request) => conflictsFor(ctx, request.query, options.scheduledChanges),
  );
  api.get(
    '/api/v1/calendar/next-slot',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'nextCalendarSlot',
        tags,
        summary:
          'The earliest start at which every selected asset is in its window, outside freezes and free of other changes',
        querystring: SlotQuery,
        response: { 200: SlotAnswer },
      },
    },
    (request) => nextSlot(ctx, request.query, options.scheduledChanges),
  );

  api.post(
    '/api/v1/calendar/feed-token',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'createCalendarFeedToken',
        tags,
        summary: "Create (or rotate) the caller's calendar feed token; the secret is shown once",
        response: { 201: FeedToken },
      },
    },
    async (request, reply) => {
      const created = await createFeedToken(ctx, callerId(request), auditSource(request));
      return reply.code(201).send(created);
    },
  );
  api.delete(
    '/api/v1/calendar/feed-token',
    {
      config: { access: 'calendar:read' },
      schema: {
        operationId: 'revokeCalendarFeedToken',
        tags,
        summary: "Revoke the caller's calendar feed token",
        response: { 204: z.null().describe('revoked'), 404: Problem },
      },
    },
    async (request, reply) => {
      await revokeFeedToken(ctx, callerId(request), auditSource(request));
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/api/v1/calendar/feed/:token',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getCalendarFeed',
        tags,
        summary: 'The change calendar as iCalendar (RFC 5545), for calendar clients',
        description:
          'Public as a route: the feed token in the path is the credential (create one with createCalendarFeedToken). ' +
          'An unknown, revoked or malformed token is a 404. Shows a week back and 92 days ahead.',
        params: FeedParams,
        response: {
          200: {
            description: 'The calendar',
            content: { 'text/calendar': { schema: z.string().describe('RFC 5545 VCALENDAR') } },
          },
        },
      },
    },
    async (request, reply) => {
      const ics = await feedForToken(ctx, request.params.token, options.scheduledChanges);
      if (ics === undefined) throw new NotFoundError('The calendar feed');
      reply.header('cache-control', 'private, max-age=300');
      reply.header('referrer-policy', 'no-referrer');
      return reply.type('text/calendar; charset=utf-8').send(ics);
    },
  );
}
