/**
 * Access control, enforced for every route: a route that does not declare what it needs
 * (`config.access`) fails at start-up, so no route can be added without a permission check.
 *
 * Everything is decided in `onRequest`, before Fastify reads or validates the body: an
 * anonymous or forbidden caller is answered 401/403 without the server spending a byte of
 * body parsing on it (and a forbidden caller learns nothing from validation errors). Who the
 * caller is and what it may do is the auth context's business, asked through its index.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Principal, Requirement } from '../contexts/auth/index.ts';
import { authenticate, authorize, csrfHeader, sessionCookie } from '../contexts/auth/index.ts';
import { ForbiddenError, UnauthorizedError } from './problems.ts';

/**
 * `public`: anyone; `authenticated`: any caller; a permission; or `{ anyOf: [...] }` when any
 * one of several permissions will do; `agent`: an enrolled host agent, by its own credential
 * (`Authorization: Bearer pga_…`), never a user (docs/adr/0035-agent-protocol.md).
 */
export type Access = 'public' | 'agent' | Requirement;

/** The agent calling an `agent` route, resolved before its body is read. */
export interface AgentCaller {
  readonly agentId: string;
  readonly assetId: string;
  readonly name: string;
}

/** Resolves an agent credential (`pga_…`); undefined when unknown or revoked. */
export type AgentAuthenticator = (credential: string) => Promise<AgentCaller | undefined>;

export interface AccessControlOptions {
  /** The agents context's credential check (wired by app.ts); agent routes answer 401 without. */
  readonly authenticateAgent?: AgentAuthenticator;
}

const agentCredentialPattern = /^Bearer\s+(pga_\S+)$/i;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    agent?: AgentCaller;
  }
}

/** The agent calling an `agent` route, or a 401. */
export function requireAgent(request: FastifyRequest): AgentCaller {
  if (request.agent === undefined) throw new UnauthorizedError('Send the agent credential');
  return request.agent;
}

/** The caller, or a 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new UnauthorizedError();
  return request.principal;
}

/** A route and what it needs, as declared: the access table (tests walk it). */
export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

const accessTables = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route registered on this app so far, with its declared access. */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return accessTables.get(app) ?? [];
}

export function registerAccessControl(
  app: FastifyInstance,
  database: Database,
  clock: Clock,
  options: AccessControlOptions = {},
): void {
  const table: DeclaredRoute[] = [];
  accessTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    // Fastify adds HEAD routes for GETs with the same config; documentation routes are static.
    if (access === undefined) {
      if (route.url.startsWith('/docs')) return;
      throw new Error(`route ${route.method.toString()} ${route.url} declares no config.access`);
    }
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    // Public routes and unmatched URLs (404) need no caller: no credential is even looked up,
    // so /healthz and /readyz never wait on (or fail with) the database for a cookie.
    if (access === undefined || access === 'public') return;
    if (access === 'agent') {
      // Agents authenticate with their own credential only: no cookie, no user token.
      const credential = agentCredentialPattern.exec(request.headers.authorization ?? '')?.[1];
      if (credential === undefined)
        throw new UnauthorizedError(
          'The Authorization header must be "Bearer pga_…" (the agent credential)',
        );
      const agent = await options.authenticateAgent?.(credential);
      if (agent === undefined)
        throw new UnauthorizedError('The agent credential is unknown or revoked: enrol again');
      request.agent = agent;
      return;
    }
    const authentication = await authenticate(database, clock, {
      authorization: request.headers.authorization,
      // @fastify/cookie parses cookies in its own onRequest hook, registered before this one.
      sessionCookie: request.cookies[sessionCookie],
    });
    if (authentication.status === 'rejected') throw new UnauthorizedError(authentication.message);
    if (authentication.status === 'authenticated') request.principal = authentication.principal;
    const sent = request.headers[csrfHeader];
    const decision = authorize(request.principal, access, {
      method: request.method,
      csrfHeader: typeof sent === 'string' ? sent : undefined,
    });
    if (decision.status === 'unauthenticated') throw new UnauthorizedError();
    if (decision.status === 'forbidden') throw new ForbiddenError(decision.message);
  });
}
