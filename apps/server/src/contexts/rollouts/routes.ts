/**
 * Rollouts API: start a change's rollout (or a dry run), list, detail, a person's commands
 * (pause, resume, abort, roll back, release a manual gate; audited; a command the engine does
 * not apply now is a 409 with the phase and reason) and the live stream of a rollout's
 * progress as server-sent events.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { NotFoundError, Problem } from '../../http/problems.ts';
import { lastEventId, openEventStream } from '../../http/sse.ts';
import { auditSource } from '../audit/index.ts';
import { taskEvents } from '../agents/index.ts';
import { isTerminalPhase } from './model.ts';
import * as repo from './repository.ts';
import { eventRecord, listRollouts, rolloutDetail, rolloutRowOf } from './detail.ts';
import {
  ChangeRefParams,
  RolloutActionBody,
  RolloutDetail,
  RolloutIdParams,
  RolloutList,
  RolloutListQuery,
  StartRolloutBody,
  WaveParams,
} from './schema.ts';
import type { RolloutAction } from './service.ts';
import { actOnRollout, startChangeRollout } from './service.ts';

const tags = ['rollouts'];
const refusals = { 404: Problem, 409: Problem };

/** How often the event stream polls the database (any replica writes the events). */
export const streamPollMs = 1000;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const heartbeatMs = 15_000;

async function detailOr404(ctx: ServerContext, ref: string) {
  const detail = await rolloutDetail(ctx.database.db, ref);
  if (detail === undefined) throw new NotFoundError(`The rollout "${ref}"`);
  return detail;
}

async function idOf(ctx: ServerContext, ref: string): Promise<string> {
  const row = await rolloutRowOf(ctx.database.db, ref);
  if (row === undefined) throw new NotFoundError(`The rollout "${ref}"`);
  return row.id;
}

export interface RolloutRouteOptions {
  /** The stream's poll interval (tests shorten it). */
  readonly streamPollMs?: number;
  readonly heartbeatMs?: number;
}

export function registerRolloutRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: RolloutRouteOptions = {},
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/v1/changes/:id/rollout',
    {
      config: { access: 'changes:implement' },
      schema: {
        operationId: 'startRollout',
        tags,
        summary:
          'Start the change’s rollout now (the change → implementing), or a dry run that simulates every task',
        params: ChangeRefParams,
        body: StartRolloutBody,
        response: { 201: RolloutDetail, ...refusals },
      },
    },
    async (request, reply) => {
      const id = await startChangeRollout(
        ctx,
        request.params.id,
        request.body,
        auditSource(request),
      );
      return reply.status(201).send(await detailOr404(ctx, id));
    },
  );

  api.get(
    '/api/v1/rollouts',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listRollouts',
        tags,
        summary: 'List rollouts, newest first, keyset-paginated',
        querystring: RolloutListQuery,
        response: { 200: RolloutList },
      },
    },
    async (request) => listRollouts(ctx.database.db, request.query),
  );

  api.get(
    '/api/v1/rollouts/:id',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getRollout',
        tags,
        summary:
          'One rollout (by id or by its change): waves, hosts, per-host tasks and outcomes, versions before and after, times',
        params: RolloutIdParams,
        response: { 200: RolloutDetail, 404: Problem },
      },
    },
    async (request) => detailOr404(ctx, request.params.id),
  );

  const actions: Record<RolloutAction, string> = {
    pause: 'Pause: no new host starts until resumed',
    resume: 'Resume a paused rollout (accepts the failures so far; asks inconclusive checks again)',
    abort: 'Abort: no new host starts, ever; what was installed stays',
    rollback: 'Roll back every host the rollout started, to its exact prior versions',
  };
  for (const [action, summary] of Object.entries(actions) as [RolloutAction, string][]) {
    api.post(
      `/api/v1/rollouts/:id/${action}`,
      {
        config: { access: 'changes:implement' },
        schema: {
          operationId: `${action}Rollout`,
          tags,
          summary,
          params: RolloutIdParams,
          body: RolloutActionBody,
          response: { 200: RolloutDetail, ...refusals },
        },
      },
      async (request) => {
        const id = await idOf(ctx, request.params.id);
        await actOnRollout(ctx, id, action, auditSource(request), request.body.reason);
        return detailOr404(ctx, id);
      },
    );
  }

  api.post(
    '/api/v1/rollouts/:id/waves/:wave/release',
    {
      config: { access: 'changes:implement' },
      schema: {
        operationId: 'releaseRolloutWave',
        tags,
        summary: 'Release the manual gate of the wave that waits for it',
        params: WaveParams,
        body: RolloutActionBody,
        response: { 200: RolloutDetail, ...refusals },
      },
    },
    async (request) => {
      const id = await idOf(ctx, request.params.id);
      await actOnRollout(
        ctx,
        id,
        { release: request.params.wave },
        auditSource(request),
        request.body.reason,
      );
      return detailOr404(ctx, id);
    },
  );

  api.get(
    '/api/v1/rollouts/:id/events',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'streamRolloutEvents',
        tags,
        summary:
          'Live progress as server-sent events: `progress` (each engine event with its commands and phase), `task-log` (agent task log lines), `end` (a terminal phase); heartbeat comments',
        params: RolloutIdParams,
        querystring: z.strictObject({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .describe('resume after this progress seq (also read from Last-Event-ID)'),
        }),
        response: {
          200: z.string().describe('text/event-stream'),
          404: Problem,
        },
      },
    },
    async (request, reply) => {
      const id = await idOf(ctx, request.params.id);
      await streamEvents(ctx, request, reply, id, {
        pollMs: options.streamPollMs ?? streamPollMs,
        heartbeatMs: options.heartbeatMs ?? heartbeatMs,
        after: request.query.after ?? lastEventId(request) ?? 0,
      });
    },
  );
}

/**
 * Poll the database (so any replica's writes show) and write what is new: progress events,
 * then log lines of the rollout's agent tasks; end with `end` once the rollout is terminal
 * (or halted) and everything has been sent.
 */
async function streamEvents(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: { hijack(): void; raw: ServerResponse },
  id: string,
  o: { pollMs: number; heartbeatMs: number; after: number },
): Promise<void> {
  const stream = openEventStream(request, reply, 'patchgate rollout events');
  let after = o.after;
  const logSeq = new Map<string, number>();
  try {
    while (!stream.closed) {
      for (const row of await repo.eventsAfter(ctx.database.db, id, after)) {
        stream.send('progress', eventRecord(row), Number(row.seq));
        after = Number(row.seq);
      }
      for (const task of await repo.hostTasksOf(ctx.database.db, id)) {
        if (task.agent_task_id === null) continue;
        const seen = logSeq.get(task.agent_task_id);
        if (task.state === 'finished' && seen === -2) continue;
        const lines = await taskEvents(
          ctx.database.db,
          task.agent_task_id,
          seen === undefined || seen < 0 ? undefined : seen,
        );
        for (const line of lines) {
          stream.send('task-log', {
            taskKey: task.key,
            assetId: task.asset_id,
            kind: task.kind,
            ...line,
          });
          logSeq.set(task.agent_task_id, line.seq);
        }
        // A finished task's lines are all in: stop asking for them.
        if (task.state === 'finished' && lines.length === 0) logSeq.set(task.agent_task_id, -2);
      }
      const row = await repo.rolloutRow(ctx.database.db, id);
      if (row === undefined || isTerminalPhase(row.phase) || row.phase === 'halted') {
        const rest = await repo.eventsAfter(ctx.database.db, id, after);
        for (const r of rest) stream.send('progress', eventRecord(r), Number(r.seq));
        stream.send('end', { phase: row?.phase ?? 'gone', reason: row?.reason ?? null });
        break;
      }
      stream.heartbeat(o.heartbeatMs);
      await stream.wait(o.pollMs);
    }
  } catch (error) {
    ctx.logger.error({ err: error, rolloutId: id }, 'rollout event stream failed');
  } finally {
    stream.end();
  }
}
