/**
 * The HTTP application: plugins, the error handler, access control, and every context's
 * routes. Built from its dependencies, so tests build it on any database with any clock.
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { Histogram } from 'prom-client';
import type { ServerContext } from './context.ts';
import { registerAdvisoryRoutes } from './contexts/advisories/index.ts';
import { registerAuditRoutes } from './contexts/audit/index.ts';
import { registerAuthRoutes } from './contexts/auth/index.ts';
import { registerFindingRoutes } from './contexts/findings/index.ts';
import { registerInventoryRoutes } from './contexts/inventory/index.ts';
import { registerJobRoutes } from './contexts/jobs/index.ts';
import { registerAccessControl } from './http/access.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { registerOpsRoutes } from './ops/routes.ts';
import { serverVersion } from './version.ts';

export interface App {
  readonly app: FastifyInstance;
  /** Readiness answers 503 once draining starts (graceful shutdown). */
  readonly state: { draining: boolean };
}

export async function buildApp(ctx: ServerContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 64 * 1024 * 1024,
    trustProxy: false,
  });
  const state = { draining: false };
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  await app.register(helmet, {
    // The interactive API docs need inline styles and scripts; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patchgate API',
        version: serverVersion,
        description:
          'From a published advisory to every affected host fixed, verified, documented and reviewed.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'patchgate_session' },
          token: { type: 'http', scheme: 'bearer', description: 'An API token, `pgt_…`' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const duration = new Histogram({
    name: 'patchgate_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [ctx.metrics],
  });
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  registerAccessControl(app, ctx.database, ctx.clock);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () =>
    app.swagger(),
  );
  registerOpsRoutes(app, ctx, state);
  registerAuditRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerInventoryRoutes(app, ctx);
  registerAdvisoryRoutes(app, ctx);
  registerFindingRoutes(app, ctx);
  return { app, state };
}
