/**
 * Access control through the real app: every registered route checks a token's scopes, and
 * the answer (401/403) comes before the body is read or validated.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../test/app.ts';
import { testCaller } from '../../test/auth.ts';
import { testDatabases } from '../../test/databases.ts';
import type { App } from '../app.ts';
import type { Permission } from '../contexts/auth/index.ts';
import { permissions, requiredPermissions } from '../contexts/auth/index.ts';
import type { Database } from '../db/database.ts';
import { apiTokenPrefix, newSecret, sha256 } from '../contexts/auth/secrets.ts';
import type { DeclaredRoute } from './access.ts';
import { declaredRoutes } from './access.ts';
import { uiSections } from './web-ui.ts';

/** Routes anyone may call, by design; a new one must be added here knowingly. */
const publicRoutes = [
  'GET /healthz',
  'GET /readyz',
  'GET /openapi.json',
  'GET /problems',
  'GET /problems/:code',
  'POST /api/v1/bootstrap',
  'POST /api/v1/session',
  // Enrolment: the one-time enrolment token in the body is the credential, checked by the handler.
  'POST /api/v1/agent/enrol',
  // The .ics feed: its feed token (in the path) is the credential, checked by the handler.
  'GET /api/v1/calendar/feed/:token',
  // The web application's pages and files: the application logs in through the API.
  'GET /',
  ...uiSections.flatMap((section) => [`GET /${section}`, `GET /${section}/*`]),
];
/** Routes any authenticated caller may call, whatever its scopes (about the caller itself). */
const anyCallerRoutes = [
  'GET /api/v1/session',
  'DELETE /api/v1/session',
  'GET /api/v1/permissions',
  // The activity stream (contexts/dashboard): what changed, never the details.
  'GET /api/v1/live',
];

/** Routes only an enrolled agent may call, with its own credential (agentRoutes). */
const agentOnlyRoutes = [
  'POST /api/v1/agent/heartbeat',
  'POST /api/v1/agent/inventory',
  'POST /api/v1/agent/available-updates',
  'GET /api/v1/agent/tasks',
  'POST /api/v1/agent/tasks/:taskId/events',
  'POST /api/v1/agent/tasks/:taskId/result',
];

const key = (route: DeclaredRoute) => `${route.method} ${route.url}`;

describe.each(testDatabases())('access control on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setUp() {
    database = await open();
    built = await testApp(database);
    const admin = await testCaller(database, ['admin']);
    return { server: built.app, database, admin };
  }

  /** An API token of this admin with every scope but these. */
  async function tokenWithout(db: Database, userId: string, excluded: readonly Permission[]) {
    const token = newSecret(apiTokenPrefix);
    await db.db
      .insertInto('api_tokens')
      .values({
        id: randomUUID(),
        user_id: userId,
        name: 'scoped',
        token_hash: sha256(token),
        prefix: token.slice(0, 12),
        scopes_json: JSON.stringify(permissions.filter((p) => !excluded.includes(p))),
        created_at: '2026-11-22T08:00:00.000Z',
        expires_at: '2099-01-01T00:00:00.000Z',
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return { authorization: `Bearer ${token}` };
  }

  /** A concrete URL for a route pattern: every parameter a (well-formed, unknown) UUID. */
  const concrete = (url: string) =>
    url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');

  it.skipIf(skip !== undefined)(
    'declares access for every route, and only the listed ones are public or scope-free',
    async () => {
      const { server } = await setUp();
      const routes = declaredRoutes(server).filter((r) => r.method !== 'HEAD');
      expect(routes.length).toBeGreaterThan(40);
      // (/metrics is public only when the operator says so: PATCHGATE_METRICS_PUBLIC.)
      expect(
        routes
          .filter((r) => r.access === 'public')
          .map(key)
          .sort(),
      ).toEqual([...publicRoutes].sort());
      expect(
        routes
          .filter((r) => r.access === 'authenticated')
          .map(key)
          .sort(),
      ).toEqual([...anyCallerRoutes].sort());
      expect(
        routes
          .filter((r) => r.access === 'agent')
          .map(key)
          .sort(),
      ).toEqual([...agentOnlyRoutes].sort());
    },
  );

  it.skipIf(skip !== undefined)(
    "answers 403 on every route to a token without the route's scope, before the body",
    async () => {
      const { server, database: db, admin } = await setUp();
      const routes = declaredRoutes(server).filter(
        (r) => r.access !== 'public' && r.access !== 'authenticated' && r.access !== 'agent',
      );
      const answers: Record<string, number> = {};
      for (const route of routes) {
        const needed = requiredPermissions(
          route.access as Exclude<DeclaredRoute['access'], 'public' | 'agent'>,
        );
        const headers = await tokenWithout(db, admin.userId, needed);
        const response = await server.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: { ...headers, 'content-type': 'application/json' },
          // An invalid body: a route that validated before checking scopes would answer 422.
          ...(!['GET', 'HEAD', 'DELETE'].includes(route.method) && {
            payload: '{"not":"valid"}',
          }),
        });
        answers[key(route)] = response.statusCode;
      }
      expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, 403])));
      // The same admin with the scope gets past access control on a sample (its 404/422 are the
      // route's own answers), so the 403s above come from the scopes, not from the admin.
      const full = await tokenWithout(db, admin.userId, []);
      const users = await server.inject({ url: '/api/v1/users', headers: full });
      expect(users.statusCode).toBe(200);
    },
  );

  it.skipIf(skip !== undefined)(
    'refuses an exception revoke to a token scoped assets:read (issue 7)',
    async () => {
      const { server, database: db, admin } = await setUp();
      const headers = await tokenWithout(
        db,
        admin.userId,
        permissions.filter((p) => p !== 'assets:read'),
      );
      const response = await server.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${randomUUID()}/revoke`,
        headers,
        payload: { reason: 'no longer needed' },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json<{ detail: string }>().detail).toBe(
        'This needs one of the permissions exceptions:request, exceptions:approve',
      );
    },
  );

  it.skipIf(skip !== undefined)(
    'answers an anonymous 64 MiB body 401 without reading it',
    async () => {
      const { server } = await setUp();
      const total = 64 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let produced = 0;
      const body = new Readable({
        highWaterMark: chunk.length,
        read() {
          if (produced >= total) {
            this.push(null);
            return;
          }
          produced += chunk.length;
          this.push(chunk);
        },
      });
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: { 'content-type': 'application/json', 'content-length': String(total) },
        payload: body,
      });
      expect(response.statusCode).toBe(401);
      // At most what the stream buffers ahead of a reader that never came: not the body.
      expect(produced).toBeLessThanOrEqual(4 * chunk.length);
      body.destroy();
    },
  );

  it.skipIf(skip !== undefined)(
    'answers 403 before 422: a forbidden caller learns nothing from validation',
    async () => {
      const { server, database: db } = await setUp();
      const viewer = await testCaller(db, ['viewer']);
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: viewer.headers,
        payload: { username: 'NOT VALID', roles: 'nope' },
      });
      expect(response.statusCode).toBe(403);
      const anonymous = await server.inject({
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'NOT VALID' },
      });
      expect(anonymous.statusCode).toBe(401);
    },
  );
});
