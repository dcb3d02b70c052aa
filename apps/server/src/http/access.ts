/**
 * Access control, enforced for every route: a route that does not declare what it needs
 * (`config.access`) fails at start-up, so no route can be added without a permission check.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Permission } from '../contexts/auth/permissions.ts';
import type { Principal } from '../contexts/auth/principal.ts';
import { principalFromSession, principalFromToken } from '../contexts/auth/principal.ts';
import { apiTokenPrefix, csrfHeader, sessionCookie } from '../contexts/auth/secrets.ts';
import { ForbiddenError, UnauthorizedError } from './problems.ts';

/** `public`: anyone; `authenticated`: any logged-in caller; otherwise the permission needed. */
export type Access = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The caller, or a 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new UnauthorizedError();
  return request.principal;
}

export function registerAccessControl(
  app: FastifyInstance,
  database: Database,
  clock: Clock,
): void {
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    // Fastify adds HEAD routes for GETs with the same config; documentation routes are static.
    if (access === undefined && !route.url.startsWith('/docs')) {
      throw new Error(`route ${route.method.toString()} ${route.url} declares no config.access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const token = match?.[1];
      if (token === undefined || !token.startsWith(apiTokenPrefix)) {
        throw new UnauthorizedError('The Authorization header must be "Bearer pgt_…"');
      }
      const principal = await principalFromToken(database, clock, token);
      if (principal === undefined)
        throw new UnauthorizedError('The API token is unknown, expired or revoked');
      request.principal = principal;
      return;
    }
    const cookie = request.cookies[sessionCookie];
    if (cookie !== undefined && cookie !== '') {
      const principal = await principalFromSession(database, clock, cookie);
      if (principal !== undefined) request.principal = principal;
    }
  });

  app.addHook('preHandler', (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return done();
    const principal = request.principal;
    if (principal === undefined) return done(new UnauthorizedError());
    // CSRF: a browser session changing state must echo its session's token in a header.
    if (principal.via === 'session' && unsafeMethods.has(request.method)) {
      const sent = request.headers[csrfHeader];
      if (typeof sent !== 'string' || sent !== principal.csrfToken) {
        return done(new ForbiddenError(`Missing or wrong ${csrfHeader} header`));
      }
    }
    if (access !== 'authenticated' && !principal.permissions.has(access)) {
      return done(new ForbiddenError(`This needs the ${access} permission`));
    }
    done();
  });
}
