/** The auth API through real HTTP (fastify.inject) on both databases. */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { ServerConfig } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import type { Role } from './permissions.ts';
import { permissions, rolePermissions, roles } from './permissions.ts';
import { sha256 } from './secrets.ts';
import { testClock } from '@patchgate/testing';

const start = '2026-11-22T09:00:00.000Z';
const hour = 60 * 60 * 1000;
const day = 24 * hour;
const adminPassword = 'correct horse battery staple';

const movableClock = () => testClock(start);

interface Session {
  readonly cookie: string;
  readonly csrfToken: string;
  /** Headers for a state-changing call of this session. */
  readonly headers: { cookie: string; 'x-csrf-token': string };
}

const problem = (status: number, code: string, detail: unknown) => ({
  type: `/problems/${code}`,
  title: expect.any(String) as unknown,
  status,
  code,
  detail,
  instance: expect.any(String) as unknown,
});

describe.each(testDatabases())('auth API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setUp(
    options: { secureCookies?: boolean; trustProxy?: ServerConfig['trustProxy'] } = {},
  ) {
    const clock = movableClock();
    database = await open();
    // Slowed logins record their delay instead of waiting: no sleeps in tests.
    const delays: number[] = [];
    built = await testApp(
      database,
      clock,
      {
        secureCookies: options.secureCookies === true,
        trustProxy: options.trustProxy ?? false,
      },
      {
        auth: {
          sleep: (ms) => {
            delays.push(ms);
            return Promise.resolve();
          },
        },
      },
    );
    return { server: built.app, clock, db: database.db, delays };
  }

  type Server = App['app'];

  async function bootstrap(server: Server): Promise<LightMyRequestResponse> {
    return server.inject({
      method: 'POST',
      url: '/api/v1/bootstrap',
      payload: { username: 'admin', password: adminPassword, displayName: 'The Admin' },
    });
  }

  async function login(
    server: Server,
    username: string,
    password: string,
    remoteAddress = '127.0.0.1',
  ): Promise<LightMyRequestResponse> {
    return server.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username, password },
      remoteAddress,
    });
  }

  async function session(server: Server, username: string, password: string): Promise<Session> {
    const response = await login(server, username, password);
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'patchgate_session')?.value ?? '';
    const csrfToken = response.json<{ csrfToken: string }>().csrfToken;
    return {
      cookie,
      csrfToken,
      headers: { cookie: `patchgate_session=${cookie}`, 'x-csrf-token': csrfToken },
    };
  }

  async function admin(server: Server): Promise<Session> {
    expect((await bootstrap(server)).statusCode).toBe(201);
    return session(server, 'admin', adminPassword);
  }

  async function createUser(
    server: Server,
    as: Session,
    username: string,
    userRoles: Role[],
  ): Promise<{ id: string }> {
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: as.headers,
      payload: {
        username,
        displayName: username,
        password: `${username}-password-1`,
        roles: userRoles,
      },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>();
  }

  async function auditEvents(server: Server, as: Session) {
    const response = await server.inject({
      url: '/api/v1/audit/events?limit=1000',
      headers: { cookie: as.headers.cookie },
    });
    expect(response.statusCode).toBe(200);
    return response.json<{
      events: {
        action: string;
        actor: { type: string; name: string };
        subject: { type: string; id: string | null };
        before: unknown;
        after: unknown;
      }[];
    }>().events;
  }

  describe('bootstrap', () => {
    it.skipIf(skip !== undefined)('creates the first admin once, then answers 409', async () => {
      const { server, db } = await setUp();
      const first = await bootstrap(server);
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({
        id: expect.any(String) as unknown,
        username: 'admin',
        displayName: 'The Admin',
        roles: ['admin'],
        disabled: false,
        createdAt: start,
        updatedAt: start,
        lastLoginAt: null,
      });
      const second = await server.inject({
        method: 'POST',
        url: '/api/v1/bootstrap',
        payload: { username: 'other', password: adminPassword, displayName: 'Other' },
      });
      expect(second.statusCode).toBe(409);
      expect(second.json()).toEqual(
        problem(409, 'conflict', 'Patchgate already has users: log in instead'),
      );
      const users = await db.selectFrom('users').select(['username', 'password_hash']).execute();
      expect(users).toEqual([
        {
          username: 'admin',
          // scrypt, with the cost the server is configured with (2^10 in tests; 2^17 by default)
          password_hash: expect.stringMatching(/^scrypt\$1024\$8\$1\$/) as unknown,
        },
      ]);
    });

    it.skipIf(skip !== undefined).each([
      {
        payload: { username: 'admin', password: 'short-pass', displayName: 'A' },
        field: 'body.password',
        message:
          'The password must be at least 12 characters long (it has 10; spaces around or repeated between words do not count)',
      },
      {
        payload: { username: 'admin', password: `  short-pass${' '.repeat(12)}`, displayName: 'A' },
        field: 'body.password',
        message: expect.stringMatching(/it has 10;/) as unknown,
      },
      {
        payload: { username: 'admin', password: 'Password123456!', displayName: 'A' },
        field: 'body.password',
        message:
          'The password is one of the most common passwords (or one with digits or symbols added): choose another',
      },
      {
        payload: { username: 'Admin!', password: adminPassword, displayName: 'A' },
        field: 'body.username',
        message: expect.stringMatching(/lower-case/) as unknown,
      },
      {
        payload: { username: 'admin', password: adminPassword, displayName: '' },
        field: 'body.displayName',
        message: expect.any(String) as unknown,
      },
      {
        payload: { username: 'admin', password: adminPassword, displayName: 'A', roles: ['admin'] },
        field: 'body',
        message: expect.stringMatching(/roles/) as unknown,
      },
    ])('rejects $field with a 422 naming it ($message)', async ({ payload, field, message }) => {
      const { server } = await setUp();
      const response = await server.inject({ method: 'POST', url: '/api/v1/bootstrap', payload });
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        status: 422,
        code: 'validation_failed',
        errors: [{ field, message }],
      });
    });
  });

  describe('sessions', () => {
    it.skipIf(skip !== undefined).each([
      { secureCookies: false, secure: {} },
      { secureCookies: true, secure: { secure: true } },
    ])(
      'logs in with an HttpOnly SameSite=Strict cookie (secureCookies $secureCookies)',
      async ({ secureCookies, secure }) => {
        const { server, db } = await setUp({ secureCookies });
        await bootstrap(server);
        const response = await login(server, 'ADMIN ', adminPassword);
        expect(response.statusCode).toBe(200);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.cookies).toEqual([
          {
            name: 'patchgate_session',
            value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
            maxAge: 43200,
            path: '/',
            httpOnly: true,
            sameSite: 'Strict',
            ...secure,
          },
        ]);
        const body = response.json<{ csrfToken: string; user: { id: string } }>();
        expect(body).toEqual({
          user: {
            id: expect.any(String) as unknown,
            username: 'admin',
            displayName: 'The Admin',
            roles: ['admin'],
            permissions: [...permissions],
          },
          csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
        });
        // The database holds the cookie's hash, never the cookie.
        const cookie = response.cookies[0]?.value ?? '';
        expect(
          await db.selectFrom('sessions').select(['id', 'user_id', 'expires_at']).execute(),
        ).toEqual([
          { id: sha256(cookie), user_id: body.user.id, expires_at: '2026-11-22T21:00:00.000Z' },
        ]);
        const current = await server.inject({
          url: '/api/v1/session',
          headers: { cookie: `patchgate_session=${cookie}` },
        });
        expect(current.json()).toEqual(body);
      },
    );

    it.skipIf(skip !== undefined)(
      'needs the CSRF header for state changes of a session',
      async () => {
        const { server } = await setUp();
        const as = await admin(server);
        const payload = { name: 'ci', scopes: ['assets:read'] };
        const cases = [
          { headers: { cookie: as.headers.cookie }, status: 403 },
          { headers: { ...as.headers, 'x-csrf-token': 'wrong' }, status: 403 },
          { headers: as.headers, status: 201 },
        ];
        const statuses = [];
        for (const { headers } of cases) {
          const response = await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers,
            payload,
          });
          statuses.push(response.statusCode);
        }
        expect(statuses).toEqual(cases.map((c) => c.status));
        const forbidden = await server.inject({
          method: 'DELETE',
          url: '/api/v1/session',
          headers: { cookie: as.headers.cookie },
        });
        expect(forbidden.json()).toEqual(
          problem(403, 'forbidden', 'Missing or wrong x-csrf-token header'),
        );
      },
    );

    it.skipIf(skip !== undefined)(
      'logs out: deletes the session and clears the cookie',
      async () => {
        const { server, db } = await setUp();
        const as = await admin(server);
        const response = await server.inject({
          method: 'DELETE',
          url: '/api/v1/session',
          headers: as.headers,
        });
        expect(response.statusCode).toBe(204);
        expect(response.cookies).toEqual([
          expect.objectContaining({
            name: 'patchgate_session',
            value: '',
            path: '/',
            httpOnly: true,
          }),
        ]);
        expect(response.cookies[0]?.expires?.getTime()).toBe(0);
        expect(await db.selectFrom('sessions').selectAll().execute()).toEqual([]);
        const after = await server.inject({
          url: '/api/v1/session',
          headers: { cookie: as.headers.cookie },
        });
        expect(after.statusCode).toBe(401);
        // A token has no session to end.
        const caller = await testCaller(database as Database, ['viewer']);
        const tokenLogout = await server.inject({
          method: 'DELETE',
          url: '/api/v1/session',
          headers: caller.headers,
        });
        expect(tokenLogout.json()).toEqual(
          problem(
            409,
            'conflict',
            'An API token has no session to end; revoke it with DELETE /api/v1/tokens/{id}',
          ),
        );
      },
    );

    it.skipIf(skip !== undefined)(
      'ends a session 12 hours after login however active',
      async () => {
        const { server, clock } = await setUp();
        const as = await admin(server);
        clock.advance(12 * hour - 1);
        expect(
          (await server.inject({ url: '/api/v1/session', headers: { cookie: as.headers.cookie } }))
            .statusCode,
        ).toBe(200);
        clock.advance(1);
        expect(
          (await server.inject({ url: '/api/v1/session', headers: { cookie: as.headers.cookie } }))
            .statusCode,
        ).toBe(401);
      },
    );

    it.skipIf(skip !== undefined)(
      'answers one 401 for a wrong password and an unknown user, and audits both',
      async () => {
        const { server } = await setUp();
        const as = await admin(server);
        const attempts = [
          ['admin', 'wrong password!'],
          ['nobody', adminPassword],
        ] as const;
        for (const [username, password] of attempts) {
          const response = await login(server, username, password);
          expect(response.statusCode).toBe(401);
          expect(response.json()).toEqual(
            problem(401, 'unauthorized', 'Wrong username or password'),
          );
          expect(response.cookies).toEqual([]);
        }
        const failed = (await auditEvents(server, as)).filter(
          (e) => e.action === 'user.login_failed',
        );
        expect(failed).toEqual([
          expect.objectContaining({
            actor: expect.objectContaining({ type: 'system', name: 'anonymous' }) as unknown,
            subject: { type: 'user', id: expect.any(String) as unknown },
            before: null,
            after: { username: 'admin', reason: 'wrong_password' },
          }),
          expect.objectContaining({
            subject: { type: 'user', id: null },
            after: { username: 'nobody', reason: 'unknown_user' },
          }),
        ]);
      },
    );

    it.skipIf(skip !== undefined)(
      'throttles after 10 failures in 15 minutes, per IP and username, until the window passes',
      async () => {
        const { server, clock } = await setUp();
        await bootstrap(server);
        const statuses = [];
        for (let i = 0; i < 10; i++) {
          statuses.push((await login(server, 'admin', `wrong password ${i}`)).statusCode);
          clock.advance(1000);
        }
        expect(statuses).toEqual(Array.from({ length: 10 }, () => 401));
        // Even the right password is refused now: the guesser learns nothing more.
        const throttled = await login(server, 'admin', adminPassword);
        expect(throttled.statusCode).toBe(429);
        expect(throttled.headers['retry-after']).toBe('890');
        expect(throttled.json()).toEqual(
          problem(429, 'too_many_requests', 'Too many failed logins; try again in 890 seconds'),
        );
        // The same account from another address is not locked out.
        expect((await login(server, 'admin', adminPassword, '10.1.2.3')).statusCode).toBe(200);
        clock.advance(890 * 1000 - 1);
        expect((await login(server, 'admin', adminPassword)).statusCode).toBe(429);
        clock.advance(1);
        // The first failure left the window: one more attempt is allowed.
        expect((await login(server, 'admin', adminPassword)).statusCode).toBe(200);
      },
    );

    it.skipIf(skip !== undefined)(
      "re-tries issue 7's lock-out: 100 failures from 10 addresses slow the account, its owner still gets in",
      async () => {
        const { server, delays } = await setUp();
        const as = await admin(server);
        const statuses = new Map<number, number>();
        for (let address = 1; address <= 10; address++) {
          for (let attempt = 0; attempt < 10; attempt++) {
            const { statusCode } = await login(
              server,
              'admin',
              `guess ${address}.${attempt}`,
              `203.0.113.${address}`,
            );
            statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
          }
        }
        // Every guess was checked (and failed); none locked the account.
        expect(Object.fromEntries(statuses)).toEqual({ 401: 100 });
        // An attacking address that keeps going on this account is refused (its pair is spent)…
        const refused = await login(server, 'admin', 'guess again', '203.0.113.1');
        expect(refused.statusCode).toBe(429);
        expect(refused.headers['retry-after']).toBe('900');
        // …while the owner, from a fresh address, gets in: slowed by the capped delay, not locked.
        const owner = await login(server, 'admin', adminPassword, '198.51.100.7');
        expect(owner.statusCode).toBe(200);
        expect(delays.at(-1)).toBe(3000);
        // The delay grew 200 ms per failure after the tenth, up to its 3 s cap.
        expect(delays.slice(0, 16)).toEqual([
          200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000, 2200, 2400, 2600, 2800, 3000,
          3000,
        ]);
        const events = await auditEvents(server, await session(server, 'admin', adminPassword));
        const failed = events.filter((e) => e.action === 'user.login_failed');
        expect(failed).toHaveLength(100);
        expect(failed.at(-1)?.after).toEqual({
          username: 'admin',
          reason: 'wrong_password',
          delayedMs: 3000,
        });
        expect(events.filter((e) => e.action === 'user.login_throttled')).toEqual([
          expect.objectContaining({
            actor: expect.objectContaining({ type: 'system', name: 'anonymous' }) as unknown,
            subject: { type: 'user', id: null },
            after: {
              username: 'admin',
              scope: 'address_and_account',
              retryAfterSeconds: 900,
              unauditedSincePrevious: 0,
            },
          }),
        ]);
        expect(JSON.stringify(events)).not.toMatch(/guess/);
        void as;
      },
    );

    it.skipIf(skip !== undefined)(
      'lets no more than 10 parallel guesses from one address through',
      async () => {
        const { server } = await setUp();
        await bootstrap(server);
        const answers = await Promise.all(
          Array.from({ length: 30 }, (_, i) => login(server, 'admin', `parallel guess ${i}`)),
        );
        const statuses = answers.map((r) => r.statusCode).sort();
        expect(statuses.filter((s) => s === 401)).toHaveLength(10);
        expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      },
    );

    it.skipIf(skip !== undefined).each([
      { trustProxy: false, limitedBy: 'the socket address (X-Forwarded-For ignored)' },
      { trustProxy: true, limitedBy: 'the forwarded address' },
    ])('throttles by $limitedBy when trustProxy is $trustProxy', async ({ trustProxy }) => {
      const { server } = await setUp({ trustProxy });
      await bootstrap(server);
      const attempt = (forwardedFor: string, password = 'wrong password!') =>
        server.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username: 'admin', password },
          remoteAddress: '10.0.0.1',
          headers: { 'x-forwarded-for': forwardedFor },
        });
      for (let i = 0; i < 10; i++) await attempt('198.51.100.1');
      // A different forwarded address: a new client behind a trusted proxy, a spoofed header
      // (still the same socket) otherwise.
      const next = await attempt('198.51.100.2', adminPassword);
      expect(next.statusCode).toBe(trustProxy ? 200 : 429);
    });

    it.skipIf(skip !== undefined).each([
      { trustProxy: true, proto: 'https', secure: true },
      { trustProxy: true, proto: 'http', secure: false },
      { trustProxy: false, proto: 'https', secure: false },
    ])(
      'marks the cookie Secure=$secure for X-Forwarded-Proto $proto when trustProxy is $trustProxy',
      async ({ trustProxy, proto, secure }) => {
        const { server } = await setUp({ trustProxy });
        await bootstrap(server);
        const response = await server.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { username: 'admin', password: adminPassword },
          headers: { 'x-forwarded-proto': proto },
        });
        expect(response.statusCode).toBe(200);
        expect(response.cookies[0]?.secure === true).toBe(secure);
      },
    );
  });

  describe('users', () => {
    it.skipIf(skip !== undefined)(
      'creates, lists, gets, updates and resets passwords',
      async () => {
        const { server, clock } = await setUp();
        const as = await admin(server);
        clock.advance(1000);
        const created = await server.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: as.headers,
          payload: {
            username: 'olga',
            displayName: 'Olga Operator',
            password: 'olga-password-1',
            roles: ['operator'],
          },
        });
        expect(created.statusCode).toBe(201);
        const olga = created.json<{ id: string }>();
        const olgaAt = '2026-11-22T09:00:01.000Z';
        expect(olga).toEqual({
          id: expect.any(String) as unknown,
          username: 'olga',
          displayName: 'Olga Operator',
          roles: ['operator'],
          disabled: false,
          createdAt: olgaAt,
          updatedAt: olgaAt,
          lastLoginAt: null,
        });

        const duplicate = await server.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: as.headers,
          payload: {
            username: 'olga',
            displayName: 'Again',
            password: 'olga-password-1',
            roles: ['viewer'],
          },
        });
        expect(duplicate.json()).toEqual(problem(409, 'conflict', 'The username olga is taken'));

        const list = await server.inject({
          url: '/api/v1/users?sort=createdAt&order=desc&limit=1',
          headers: as.headers,
        });
        expect(list.json()).toEqual({ users: [olga], total: 2, limit: 1, offset: 0 });
        const page2 = await server.inject({
          url: '/api/v1/users?sort=username&offset=1',
          headers: as.headers,
        });
        expect(page2.json()).toEqual({ users: [olga], total: 2, limit: 100, offset: 1 });

        expect(
          (await server.inject({ url: `/api/v1/users/${olga.id}`, headers: as.headers })).json(),
        ).toEqual(olga);

        clock.advance(1000);
        const updated = await server.inject({
          method: 'PATCH',
          url: `/api/v1/users/${olga.id}`,
          headers: as.headers,
          payload: { displayName: 'Olga O.', roles: ['operator', 'auditor'] },
        });
        expect(updated.json()).toEqual({
          ...olga,
          displayName: 'Olga O.',
          roles: ['operator', 'auditor'],
          updatedAt: '2026-11-22T09:00:02.000Z',
        });

        const olgaSession = await session(server, 'olga', 'olga-password-1');
        const reset = await server.inject({
          method: 'POST',
          url: `/api/v1/users/${olga.id}/password`,
          headers: as.headers,
          payload: { password: 'a brand new password' },
        });
        expect(reset.statusCode).toBe(204);
        // A reset ends the user's sessions; the old password no longer works, the new one does.
        expect(
          (
            await server.inject({
              url: '/api/v1/session',
              headers: { cookie: olgaSession.headers.cookie },
            })
          ).statusCode,
        ).toBe(401);
        expect((await login(server, 'olga', 'olga-password-1')).statusCode).toBe(401);
        expect((await login(server, 'olga', 'a brand new password')).statusCode).toBe(200);
      },
    );

    it.skipIf(skip !== undefined).each([
      { method: 'GET', url: '/api/v1/users/not-a-uuid', payload: undefined, field: 'params.id' },
      {
        method: 'GET',
        url: '/api/v1/users?limit=501',
        payload: undefined,
        field: 'querystring.limit',
      },
      {
        method: 'GET',
        url: '/api/v1/users?sort=password',
        payload: undefined,
        field: 'querystring.sort',
      },
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'x', displayName: 'X', password: 'long enough pw', roles: ['root'] },
        field: 'body.roles[0]',
      },
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'x', displayName: 'X', password: 'long enough pw', roles: [] },
        field: 'body.roles',
      },
      {
        method: 'PATCH',
        url: '/api/v1/users/00000000-0000-4000-8000-000000000000',
        payload: {},
        field: 'body',
      },
      {
        method: 'POST',
        url: '/api/v1/users/00000000-0000-4000-8000-000000000000/password',
        payload: { password: 'short' },
        field: 'body.password',
      },
    ] as const)(
      'answers 422 naming $field ($method $url)',
      async ({ method, url, payload, field }) => {
        const { server } = await setUp();
        const as = await admin(server);
        const response = await server.inject({
          method,
          url,
          headers: as.headers,
          ...(payload !== undefined && { payload }),
        });
        expect(response.statusCode).toBe(422);
        expect(
          response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field),
        ).toContain(field);
      },
    );

    it.skipIf(skip !== undefined).each([
      { change: { disabled: true }, detail: 'You cannot disable yourself' },
      { change: { roles: ['viewer'] }, detail: 'You cannot remove your own admin role' },
    ])('refuses $detail with 409', async ({ change, detail }) => {
      const { server } = await setUp();
      const as = await admin(server);
      const me = (await server.inject({ url: '/api/v1/session', headers: as.headers })).json<{
        user: { id: string };
      }>();
      const response = await server.inject({
        method: 'PATCH',
        url: `/api/v1/users/${me.user.id}`,
        headers: as.headers,
        payload: change,
      });
      expect(response.json()).toEqual(problem(409, 'conflict', detail));
    });

    it.skipIf(skip !== undefined)('answers 404 for an unknown user', async () => {
      const { server } = await setUp();
      const as = await admin(server);
      const response = await server.inject({
        url: '/api/v1/users/00000000-0000-4000-8000-000000000000',
        headers: as.headers,
      });
      expect(response.json()).toEqual(problem(404, 'not_found', 'The user was not found'));
    });

    it.skipIf(skip !== undefined)('disabling a user ends their sessions and tokens', async () => {
      const { server, db } = await setUp();
      const as = await admin(server);
      const { id } = await createUser(server, as, 'vera', ['viewer']);
      const vera = await session(server, 'vera', 'vera-password-1');
      const token = (
        await server.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: vera.headers,
          payload: { name: 't', scopes: ['assets:read'] },
        })
      ).json<{ token: string }>().token;
      const disabled = await server.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: as.headers,
        payload: { disabled: true },
      });
      expect(disabled.json()).toMatchObject({ disabled: true });
      expect(
        (await server.inject({ url: '/api/v1/session', headers: { cookie: vera.headers.cookie } }))
          .statusCode,
      ).toBe(401);
      expect(
        (
          await server.inject({
            url: '/api/v1/session',
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode,
      ).toBe(401);
      expect(
        await db.selectFrom('sessions').select('user_id').where('user_id', '=', id).execute(),
      ).toEqual([]);
      expect(
        await db.selectFrom('api_tokens').select('revoked_at').where('user_id', '=', id).execute(),
      ).toEqual([{ revoked_at: start }]);
      expect((await login(server, 'vera', 'vera-password-1')).statusCode).toBe(401);
    });
  });

  describe('API tokens', () => {
    it.skipIf(skip !== undefined)(
      'shows a token once, stores only its hash, lists it without the secret',
      async () => {
        const { server, db } = await setUp();
        const as = await admin(server);
        const response = await server.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: as.headers,
          payload: { name: 'ci', scopes: ['tokens:own', 'assets:read'] },
        });
        expect(response.statusCode).toBe(201);
        expect(response.headers['cache-control']).toBe('no-store');
        const created = response.json<{ id: string; token: string; userId: string }>();
        const listed = {
          id: expect.any(String) as unknown,
          userId: expect.any(String) as unknown,
          name: 'ci',
          prefix: created.token.slice(0, 12),
          // In the canonical order, whatever order they were asked in.
          scopes: ['assets:read', 'tokens:own'],
          createdAt: start,
          expiresAt: '2027-02-20T09:00:00.000Z',
          lastUsedAt: null,
          revokedAt: null,
          parentTokenId: null,
        };
        expect(created).toEqual({
          ...listed,
          token: expect.stringMatching(/^pgt_[A-Za-z0-9_-]{43}$/) as unknown,
        });

        const rows = await db.selectFrom('api_tokens').selectAll().execute();
        expect(rows.map((r) => r.token_hash)).toEqual([sha256(created.token)]);
        expect(JSON.stringify(rows)).not.toContain(created.token);

        const bearer = { authorization: `Bearer ${created.token}` };
        const list = await server.inject({ url: '/api/v1/tokens', headers: bearer });
        expect(list.json()).toEqual({
          tokens: [{ ...listed, lastUsedAt: start }],
          total: 1,
          limit: 100,
          offset: 0,
        });
        expect(list.body).not.toContain(created.token);
        // A token caller gets its user and its scoped permissions, and no CSRF token.
        expect((await server.inject({ url: '/api/v1/session', headers: bearer })).json()).toEqual({
          user: {
            id: created.userId,
            username: 'admin',
            displayName: 'The Admin',
            roles: ['admin'],
            permissions: ['assets:read', 'tokens:own'],
          },
        });
      },
    );

    it.skipIf(skip !== undefined)(
      'limits a token to its scopes where a session of its user passes',
      async () => {
        const { server } = await setUp();
        const as = await admin(server);
        const token = (
          await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers: as.headers,
            payload: { name: 'ro', scopes: ['assets:read'] },
          })
        ).json<{ token: string }>().token;
        expect(
          (await server.inject({ url: '/api/v1/users', headers: as.headers })).statusCode,
        ).toBe(200);
        const scoped = await server.inject({
          url: '/api/v1/users',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(scoped.json()).toEqual(
          problem(403, 'forbidden', 'This needs the users:manage permission'),
        );
      },
    );

    it.skipIf(skip !== undefined)('refuses scopes beyond your own and bad lifetimes', async () => {
      const { server } = await setUp();
      const operator = await testCaller(database as Database, ['operator']);
      const cases = [
        {
          payload: { name: 'x', scopes: ['assets:write', 'users:manage'] },
          field: 'body.scopes[1]',
        },
        {
          payload: { name: 'x', scopes: ['assets:read'], expiresInDays: 0 },
          field: 'body.expiresInDays',
        },
        {
          payload: { name: 'x', scopes: ['assets:read'], expiresInDays: 366 },
          field: 'body.expiresInDays',
        },
        { payload: { name: 'x', scopes: [] }, field: 'body.scopes' },
        { payload: { name: 'x', scopes: ['assets:read'], secret: 'mine' }, field: 'body' },
      ];
      const fields = [];
      for (const { payload } of cases) {
        const response = await server.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: operator.headers,
          payload,
        });
        expect(response.statusCode).toBe(422);
        fields.push(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field));
      }
      expect(fields).toEqual(cases.map((c) => [c.field]));
    });

    it.skipIf(skip !== undefined)('answers 401 for an expired or revoked token', async () => {
      const { server, clock } = await setUp();
      const as = await admin(server);
      const create = async (expiresInDays: number) =>
        (
          await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers: as.headers,
            payload: { name: 't', scopes: ['tokens:own'], expiresInDays },
          })
        ).json<{ id: string; token: string }>();
      const shortLived = await create(1);
      const revoked = await create(30);
      const use = async (token: string) =>
        (
          await server.inject({
            url: '/api/v1/session',
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode;
      expect([await use(shortLived.token), await use(revoked.token)]).toEqual([200, 200]);
      // A token revokes itself (tokens:own), and revoking twice changes nothing.
      const bearer = { authorization: `Bearer ${revoked.token}` };
      expect(
        (
          await server.inject({
            method: 'DELETE',
            url: `/api/v1/tokens/${revoked.id}`,
            headers: bearer,
          })
        ).statusCode,
      ).toBe(204);
      expect(
        (
          await server.inject({
            method: 'DELETE',
            url: `/api/v1/tokens/${revoked.id}`,
            headers: as.headers,
          })
        ).statusCode,
      ).toBe(204);
      clock.advance(day);
      expect([await use(shortLived.token), await use(revoked.token)]).toEqual([401, 401]);
    });

    it.skipIf(skip !== undefined)(
      "lets admins see and revoke anyone's tokens, others only their own",
      async () => {
        const { server } = await setUp();
        const as = await admin(server);
        const viewer = await testCaller(database as Database, ['viewer']);
        const mine = (
          await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers: as.headers,
            payload: { name: 'admin', scopes: ['tokens:own'] },
          })
        ).json<{ id: string; userId: string }>();
        const viewerTokens = await server.inject({
          url: `/api/v1/tokens?userId=${viewer.userId}`,
          headers: as.headers,
        });
        expect(viewerTokens.json()).toMatchObject({
          total: 1,
          tokens: [{ userId: viewer.userId, name: 'test' }],
        });
        const peek = await server.inject({
          url: `/api/v1/tokens?userId=${mine.userId}`,
          headers: viewer.headers,
        });
        expect(peek.json()).toEqual(
          problem(
            403,
            'forbidden',
            "Listing another user's tokens needs the users:manage permission",
          ),
        );
        const revokeOthers = await server.inject({
          method: 'DELETE',
          url: `/api/v1/tokens/${mine.id}`,
          headers: viewer.headers,
        });
        expect(revokeOthers.json()).toEqual(problem(404, 'not_found', 'The token was not found'));
        const viewerTokenId = viewerTokens.json<{ tokens: { id: string }[] }>().tokens[0]?.id ?? '';
        expect(
          (
            await server.inject({
              method: 'DELETE',
              url: `/api/v1/tokens/${viewerTokenId}`,
              headers: as.headers,
            })
          ).statusCode,
        ).toBe(204);
        expect(
          (await server.inject({ url: '/api/v1/session', headers: viewer.headers })).statusCode,
        ).toBe(401);
      },
    );

    it.skipIf(skip !== undefined)(
      "re-tries issue 7's token attack: a child never outlives, out-scopes or survives its parent",
      async () => {
        const { server, db } = await setUp();
        const as = await admin(server);
        const mint = (headers: Record<string, string>, payload: object) =>
          server.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload });
        const parent = (
          await mint(as.headers, {
            name: 'one day',
            scopes: ['tokens:own', 'assets:read'],
            expiresInDays: 1,
          })
        ).json<{ id: string; token: string; expiresAt: string }>();
        const asParent = { authorization: `Bearer ${parent.token}` };
        // The attack: a 1-day token asks for a 1-year token. It gets one that ends with its parent.
        const childResponse = await mint(asParent, {
          name: 'one year?',
          scopes: ['tokens:own', 'assets:read'],
          expiresInDays: 365,
        });
        expect(childResponse.statusCode).toBe(201);
        const child = childResponse.json<{
          id: string;
          token: string;
          expiresAt: string;
          parentTokenId: string;
        }>();
        expect([child.expiresAt, child.parentTokenId]).toEqual([parent.expiresAt, parent.id]);
        // Out-scoping: the admin may manage users, the parent token may not, so neither may its child.
        const wider = await mint(asParent, { name: 'wider', scopes: ['users:manage'] });
        expect(wider.statusCode).toBe(422);
        const asChild = { authorization: `Bearer ${child.token}` };
        const grandchild = (
          await mint(asChild, { name: 'grandchild', scopes: ['assets:read'] })
        ).json<{ id: string; token: string }>();
        const use = async (token: string) =>
          (
            await server.inject({
              url: '/api/v1/session',
              headers: { authorization: `Bearer ${token}` },
            })
          ).statusCode;
        expect([await use(child.token), await use(grandchild.token)]).toEqual([200, 200]);
        // Revoking the parent revokes its descendants, recursively, in one audited change.
        const revoke = await server.inject({
          method: 'DELETE',
          url: `/api/v1/tokens/${parent.id}`,
          headers: as.headers,
        });
        expect(revoke.statusCode).toBe(204);
        expect([
          await use(parent.token),
          await use(child.token),
          await use(grandchild.token),
        ]).toEqual([401, 401, 401]);
        const revokedAt = await db
          .selectFrom('api_tokens')
          .select(['id', 'revoked_at'])
          .where('id', 'in', [parent.id, child.id, grandchild.id])
          .execute();
        expect(revokedAt.map((r) => r.revoked_at)).toEqual([start, start, start]);
        const revocation = (await auditEvents(server, as)).find(
          (e) => e.action === 'token.revoked',
        );
        expect(revocation?.after).toMatchObject({
          id: parent.id,
          descendantsRevoked: [child.id, grandchild.id],
        });
      },
    );

    it.skipIf(skip !== undefined)(
      'refuses a child whose ancestor ended, even if the revocation did not cascade',
      async () => {
        const { server, db, clock } = await setUp();
        const as = await admin(server);
        const parent = (
          await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers: as.headers,
            payload: { name: 'p', scopes: ['tokens:own'], expiresInDays: 2 },
          })
        ).json<{ id: string; token: string }>();
        const child = (
          await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers: { authorization: `Bearer ${parent.token}` },
            payload: { name: 'c', scopes: ['tokens:own'] },
          })
        ).json<{ id: string; token: string }>();
        const use = async () =>
          (
            await server.inject({
              url: '/api/v1/session',
              headers: { authorization: `Bearer ${child.token}` },
            })
          ).statusCode;
        expect(await use()).toBe(200);
        await db
          .updateTable('api_tokens')
          .set({ revoked_at: start })
          .where('id', '=', parent.id)
          .execute();
        expect(await use()).toBe(401);
        await db
          .updateTable('api_tokens')
          .set({ revoked_at: null })
          .where('id', '=', parent.id)
          .execute();
        expect(await use()).toBe(200);
        clock.advance(2 * day);
        expect(await use()).toBe(401);
      },
    );

    it.skipIf(skip !== undefined)(
      "a password reset ends the user's sessions and revokes their API tokens",
      async () => {
        const { server, db } = await setUp();
        const as = await admin(server);
        const { id } = await createUser(server, as, 'rita', ['viewer']);
        const rita = await session(server, 'rita', 'rita-password-1');
        const token = (
          await server.inject({
            method: 'POST',
            url: '/api/v1/tokens',
            headers: rita.headers,
            payload: { name: 'laptop', scopes: ['assets:read'] },
          })
        ).json<{ token: string }>().token;
        const reset = await server.inject({
          method: 'POST',
          url: `/api/v1/users/${id}/password`,
          headers: as.headers,
          payload: { password: 'a completely new passphrase' },
        });
        expect(reset.statusCode).toBe(204);
        const statuses = [
          (
            await server.inject({
              url: '/api/v1/session',
              headers: { cookie: rita.headers.cookie },
            })
          ).statusCode,
          (
            await server.inject({
              url: '/api/v1/session',
              headers: { authorization: `Bearer ${token}` },
            })
          ).statusCode,
        ];
        expect(statuses).toEqual([401, 401]);
        expect(
          await db
            .selectFrom('api_tokens')
            .select('revoked_at')
            .where('user_id', '=', id)
            .execute(),
        ).toEqual([{ revoked_at: start }]);
        const event = (await auditEvents(server, as)).find(
          (e) => e.action === 'user.password_reset',
        );
        expect(event?.after).toMatchObject({ sessionsEnded: 1, tokensRevoked: 1 });
      },
    );
  });

  describe('roles and permissions', () => {
    it.skipIf(skip !== undefined).each(roles.map((role) => ({ role })))(
      'GET /api/v1/permissions tells a $role what it may do',
      async ({ role }) => {
        const { server } = await setUp();
        const caller = await testCaller(database as Database, [role]);
        const response = await server.inject({
          url: '/api/v1/permissions',
          headers: caller.headers,
        });
        expect(response.json()).toEqual({
          roles: [role],
          permissions: permissions.filter((p) => rolePermissions[role].includes(p)),
          ...(role === 'admin' && { rolePermissions }),
        });
      },
    );

    const matrix: { role: Role; method: 'GET' | 'POST'; url: string; status: number }[] = [
      { role: 'viewer', method: 'GET', url: '/api/v1/users', status: 403 },
      { role: 'viewer', method: 'GET', url: '/api/v1/audit/events', status: 403 },
      { role: 'viewer', method: 'GET', url: '/api/v1/tokens', status: 200 },
      { role: 'auditor', method: 'GET', url: '/api/v1/audit/events', status: 200 },
      { role: 'auditor', method: 'GET', url: '/api/v1/users', status: 403 },
      { role: 'security_analyst', method: 'GET', url: '/api/v1/audit/verification', status: 200 },
      { role: 'operator', method: 'GET', url: '/api/v1/audit/events', status: 403 },
      { role: 'approver', method: 'POST', url: '/api/v1/users', status: 403 },
      { role: 'change_manager', method: 'GET', url: '/api/v1/audit/events', status: 200 },
      { role: 'admin', method: 'GET', url: '/api/v1/users', status: 200 },
      { role: 'admin', method: 'POST', url: '/api/v1/users', status: 201 },
    ];
    it.skipIf(skip !== undefined).each(matrix)(
      '$role $method $url → $status',
      async ({ role, method, url, status }) => {
        const { server } = await setUp();
        const caller = await testCaller(database as Database, [role]);
        const response = await server.inject({
          method,
          url,
          headers: caller.headers,
          ...(method === 'POST' && {
            payload: {
              username: 'new-user',
              displayName: 'New',
              password: 'new-user-password',
              roles: ['viewer'],
            },
          }),
        });
        expect(response.statusCode).toBe(status);
      },
    );
  });

  it.skipIf(skip !== undefined)(
    'audits every change, never with a secret, in a chain that verifies',
    async () => {
      const { server } = await setUp();
      const as = await admin(server);
      await login(server, 'admin', 'not the password');
      const { id } = await createUser(server, as, 'ann', ['auditor']);
      await server.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: as.headers,
        payload: { disabled: true },
      });
      await server.inject({
        method: 'POST',
        url: `/api/v1/users/${id}/password`,
        headers: as.headers,
        payload: { password: 'another fine password' },
      });
      const token = (
        await server.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: as.headers,
          payload: { name: 'ci', scopes: ['audit:read'] },
        })
      ).json<{ id: string; token: string }>();
      await server.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${token.id}`,
        headers: as.headers,
      });
      await server.inject({ method: 'DELETE', url: '/api/v1/session', headers: as.headers });
      const auditor = await session(server, 'admin', adminPassword);

      const events = await auditEvents(server, auditor);
      expect(events.map((e) => [e.action, e.actor.name, e.subject.type])).toEqual([
        ['user.bootstrapped', 'anonymous', 'user'],
        ['user.login', 'admin', 'user'],
        ['user.login_failed', 'anonymous', 'user'],
        ['user.created', 'admin', 'user'],
        ['user.updated', 'admin', 'user'],
        ['user.password_reset', 'admin', 'user'],
        ['token.created', 'admin', 'api_token'],
        ['token.revoked', 'admin', 'api_token'],
        ['user.logout', 'admin', 'user'],
        ['user.login', 'admin', 'user'],
      ]);
      const disabling = events[4];
      expect([disabling?.before, disabling?.after]).toEqual([
        expect.objectContaining({ username: 'ann', disabled: false }),
        expect.objectContaining({
          username: 'ann',
          disabled: true,
          sessionsEnded: 0,
          tokensRevoked: 0,
        }),
      ]);
      const text = JSON.stringify(events);
      for (const secret of [
        adminPassword,
        'not the password',
        'ann-password-1',
        'another fine password',
        token.token,
        as.cookie,
        'scrypt$',
      ]) {
        expect(text).not.toContain(secret);
      }
      const verification = await server.inject({
        url: '/api/v1/audit/verification',
        headers: { cookie: auditor.headers.cookie },
      });
      expect(verification.json()).toMatchObject({
        ok: true,
        events: 10,
        lastHash: expect.any(String) as unknown,
      });
    },
  );

  it.skipIf(skip !== undefined)('documents every auth route in the OpenAPI document', async () => {
    const { server } = await setUp();
    const doc = (await server.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'post /api/v1/bootstrap',
        'post /api/v1/session',
        'get /api/v1/session',
        'delete /api/v1/session',
        'get /api/v1/permissions',
        'post /api/v1/users',
        'get /api/v1/users',
        'get /api/v1/users/{id}',
        'patch /api/v1/users/{id}',
        'post /api/v1/users/{id}/password',
        'post /api/v1/tokens',
        'get /api/v1/tokens',
        'delete /api/v1/tokens/{id}',
      ]),
    );
  });
});
