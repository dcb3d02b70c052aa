/** Operations: liveness, readiness (public), Prometheus metrics (metrics:read or an option). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';

export function registerOpsRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  state: { draining: boolean },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getLiveness',
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  api.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'Readiness: the database answers and the server is not shutting down',
        response: {
          200: z.object({ status: z.literal('ready'), database: z.string() }),
          503: z.object({ status: z.literal('unavailable'), reason: z.string() }),
        },
      },
    },
    async (_request, reply) => {
      if (state.draining)
        return reply.status(503).send({ status: 'unavailable' as const, reason: 'shutting down' });
      try {
        await sql`SELECT 1`.execute(ctx.database.db);
        return { status: 'ready' as const, database: ctx.database.dialect };
      } catch (error) {
        ctx.logger.warn({ err: error }, 'readiness check failed');
        return reply
          .status(503)
          .send({ status: 'unavailable' as const, reason: 'database unreachable' });
      }
    },
  );

  // Metrics reveal the routes in use, request rates and the process's internals: a Prometheus
  // scraper sends a token with the metrics:read scope, unless the operator exposes them.
  app.get(
    '/metrics',
    {
      config: { access: ctx.config.metricsPublic ? 'public' : 'metrics:read' },
      schema: {
        operationId: 'getMetrics',
        tags: ['operations'],
        summary: 'Prometheus metrics, in the text exposition format',
        response: {
          200: {
            description: 'The metrics',
            content: {
              'text/plain': { schema: z.string().describe('Prometheus text format 0.0.4') },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.type(ctx.metrics.contentType);
      return ctx.metrics.metrics();
    },
  );
}
