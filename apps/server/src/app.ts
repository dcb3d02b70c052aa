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
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Histogram } from 'prom-client';
import { fastifyTrustProxy } from './config.ts';
import type { ServerContext } from './context.ts';
import { registerAdvisoryRoutes } from './contexts/advisories/index.ts';
import type { AgentRouteOptions } from './contexts/agents/index.ts';
import { authenticateAgent, registerAgentRoutes } from './contexts/agents/index.ts';
import { registerAuditRoutes } from './contexts/audit/index.ts';
import type { AuthRouteOptions } from './contexts/auth/index.ts';
import { registerAuthRoutes } from './contexts/auth/index.ts';
import { registerCalendarRoutes } from './contexts/calendar/index.ts';
import { registerDashboardRoutes } from './contexts/dashboard/index.ts';
import { registerMetricRoutes } from './contexts/reports/index.ts';
import {
  registerApprovalRoutes,
  registerAutopilotRoutes,
  registerChangeRoutes,
  scheduledChanges,
} from './contexts/changes/index.ts';
import { registerFindingRoutes } from './contexts/findings/index.ts';
import { registerImprovementRoutes } from './contexts/improvements/index.ts';
import {
  registerAvailableUpdateRoutes,
  registerInventoryRoutes,
} from './contexts/inventory/index.ts';
import { registerJobRoutes } from './contexts/jobs/index.ts';
import { registerNotificationRoutes } from './contexts/notifications/index.ts';
import { registerReportRoutes } from './contexts/reports/index.ts';
import { registerRolloutRoutes } from './contexts/rollouts/index.ts';
import { registerPreflightRoutes } from './contexts/rollouts/index.ts';
import { registerAccessControl } from './http/access.ts';
import { frameworkErrors, registerErrorHandler } from './http/error-handler.ts';
import { registerProblemRoutes } from './http/problem-routes.ts';
import {
  openApiTransform,
  openApiTransformObject,
  registerRouteConventions,
  securitySchemes,
} from './http/route-conventions.ts';
import { registerOpsRoutes } from './ops/routes.ts';
import { registerDocsPolicy, registerWebUi, strictContentSecurityPolicy } from './http/web-ui.ts';
import { serverVersion } from './version.ts';

export interface App {
  readonly app: FastifyInstance;
  /** Readiness answers 503 once draining starts (graceful shutdown). */
  readonly state: { draining: boolean };
}

export interface AppOptions {
  /** Login throttling limits and how a slowed login waits (tests record instead of waiting). */
  readonly auth?: AuthRouteOptions;
  /** Enrolment throttling and long-poll timing (tests lower them). */
  readonly agents?: AgentRouteOptions;
}

export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    genReqId: () => crypto.randomUUID(),
    // Small by default; the upload and import routes declare `bodyLimit: maxUploadBytes`.
    bodyLimit: ctx.config.maxBodyBytes,
    // Which proxies' X-Forwarded-* headers to believe (PATCHGATE_TRUST_PROXY; none by default).
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    frameworkErrors,
  });
  const state = { draining: false };
  // Before any route: every route after this is checked (operationId) and recorded (405).
  const routes = registerRouteConventions(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app, { allowedMethods: (path) => routes.allowedMethods(path) });
  // JSON routes read JSON only: a text/plain body is a 415, not a string failing validation.
  // (The inventory upload reads any media type in its own scope.)
  app.removeContentTypeParser('text/plain');

  // The strict policy on every response (the web UI has no inline script or style); only the
  // interactive API docs at /docs get 'unsafe-inline' (web-ui.ts).
  await app.register(helmet, { contentSecurityPolicy: false });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('content-security-policy', strictContentSecurityPolicy);
    done();
  });
  registerDocsPolicy(app);
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
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'The server this document is served by' }],
      components: { securitySchemes },
      // Each operation states its own (route-conventions.ts); this is the default.
      security: [{ session: [], csrf: [] }, { token: [] }],
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  // Authorize holds the session's CSRF token (or an API token) for the page's life only: not
  // persisted, so no credential is left in the browser's storage.
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

  registerAccessControl(app, ctx.database, ctx.clock, {
    authenticateAgent: (credential) => authenticateAgent(ctx.database, ctx.clock, credential),
  });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () =>
    app.swagger(),
  );
  registerProblemRoutes(app);
  registerOpsRoutes(app, ctx, state);
  registerAuditRoutes(app, ctx);
  registerAuthRoutes(app, ctx, options.auth);
  registerJobRoutes(app, ctx);
  registerInventoryRoutes(app, ctx);
  registerAvailableUpdateRoutes(app, ctx);
  registerAdvisoryRoutes(app, ctx);
  registerFindingRoutes(app, ctx);
  registerChangeRoutes(app, ctx);
  registerApprovalRoutes(app, ctx);
  registerCalendarRoutes(app, ctx, { scheduledChanges });
  registerAutopilotRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerRolloutRoutes(app, ctx);
  registerAgentRoutes(app, ctx, options.agents);
  registerPreflightRoutes(app, ctx);
  registerDashboardRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerImprovementRoutes(app, ctx);
  registerMetricRoutes(app, ctx);
  registerWebUi(app, ctx.config.webRoot);
  return { app, state };
}
