import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../test/app.ts';
import type { TestCaller } from '../../test/auth.ts';
import { testCaller } from '../../test/auth.ts';
import { testDatabases } from '../../test/databases.ts';
import type { App } from '../app.ts';
import type { ServerConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { problemCodes, problemTypes } from './problems.ts';

const asset = { name: 'web-01', kind: 'host', environment: 'production' };

describe.each(testDatabases())('HTTP semantics on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup(
    config: Partial<ServerConfig> = {},
  ): Promise<{ app: FastifyInstance; admin: TestCaller }> {
    database = await open();
    built = await testApp(database, undefined, config);
    return { app: built.app, admin: await testCaller(database, ['admin']) };
  }

  /** A problem+json answer with the framework's internals nowhere in it. */
  function expectProblem(
    response: { statusCode: number; headers: Record<string, unknown>; body: string },
    status: number,
    code: string,
  ) {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).not.toMatch(/FST_|fastify/i);
    expect(JSON.parse(response.body)).toMatchObject({ status, code, type: `/problems/${code}` });
  }

  it.skipIf(skip !== undefined)(
    'answers a wrong method on a known path with 405 and Allow',
    async () => {
      const { app, admin } = await setup();
      const put = await app.inject({
        method: 'PUT',
        url: '/api/v1/assets',
        headers: admin.headers,
      });
      expectProblem(put, 405, 'method_not_allowed');
      expect(put.headers.allow).toBe('GET, HEAD, POST');

      const anonymous = await app.inject({ method: 'DELETE', url: '/healthz' });
      expectProblem(anonymous, 405, 'method_not_allowed');
      expect(anonymous.headers.allow).toBe('GET, HEAD');

      const patch = await app.inject({ method: 'POST', url: '/api/v1/assets/some-id' });
      expectProblem(patch, 405, 'method_not_allowed');
      expect(patch.headers.allow).toBe('DELETE, GET, HEAD, PATCH');

      expectProblem(await app.inject('/api/v1/nothing-here'), 404, 'not_found');
      // A file the documentation's static route does not have is missing, not a wrong method.
      expectProblem(await app.inject('/docs/static/nothing.js'), 404, 'not_found');
    },
  );

  it.skipIf(skip !== undefined)(
    'answers a body it does not read with 415 and a malformed one with 400',
    async () => {
      const { app, admin } = await setup();
      const text = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: { ...admin.headers, 'content-type': 'text/plain' },
        payload: JSON.stringify(asset),
      });
      expectProblem(text, 415, 'unsupported_media_type');
      expect(text.json<{ detail: string }>().detail).toMatch(/"text\/plain".*application\/json/);

      const form = await app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'username=a&password=b',
      });
      expectProblem(form, 415, 'unsupported_media_type');

      const malformed = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        payload: '{"name": "web-01",',
      });
      expectProblem(malformed, 400, 'bad_request');

      const empty = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        payload: '',
      });
      expectProblem(empty, 400, 'bad_request');

      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: admin.headers,
        payload: asset,
      });
      expect(created.statusCode).toBe(201);
    },
  );

  it.skipIf(skip !== undefined)(
    'refuses a NUL character in any input with 422 (PostgreSQL cannot store one)',
    async () => {
      const { app, admin } = await setup();
      const param = await app.inject({ url: '/api/v1/advisories/%00', headers: admin.headers });
      expectProblem(param, 422, 'validation_failed');
      expect(param.json()).toMatchObject({ errors: [{ field: 'params.id' }] });
      const query = await app.inject({ url: '/api/v1/assets?q=a%00', headers: admin.headers });
      expect(query.statusCode).toBe(422);
      const body = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: admin.headers,
        payload: { ...asset, name: 'web\u000001' },
      });
      expectProblem(body, 422, 'validation_failed');
      expect(body.json()).toMatchObject({ errors: [{ field: 'body.name' }] });
    },
  );

  it.skipIf(skip !== undefined)(
    'limits bodies to 1 MiB by default and to the upload limit on uploads, naming the limit',
    async () => {
      const { app, admin } = await setup({ maxUploadBytes: 3 * 1024 * 1024 });
      const twoMiB = JSON.stringify({ ...asset, owner: 'x'.repeat(2 * 1024 * 1024) });
      // An admin's write, and an anonymous login (a public route: no authentication first).
      for (const [url, headers] of [
        ['/api/v1/assets', admin.headers],
        ['/api/v1/session', {}],
      ] as const) {
        const tooLarge = await app.inject({
          method: 'POST',
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: twoMiB,
        });
        expectProblem(tooLarge, 413, 'payload_too_large');
        expect(tooLarge.json()).toMatchObject({
          limit: 1024 * 1024,
          detail: "The request body is larger than this route's limit of 1 MiB (1048576 bytes)",
        });
      }

      const id = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/assets',
          headers: admin.headers,
          payload: asset,
        })
      ).json<{ id: string }>().id;
      const status = 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n';
      const upload = (size: number) =>
        app.inject({
          method: 'POST',
          url: `/api/v1/assets/${id}/inventory`,
          headers: { ...admin.headers, 'content-type': 'text/plain' },
          payload: status + '#'.repeat(size - status.length),
        });
      // 2 MiB: over the default, under this server's upload limit.
      expect((await upload(2 * 1024 * 1024)).statusCode).toBeLessThan(500);
      expect((await upload(2 * 1024 * 1024)).statusCode).not.toBe(413);
      const tooLarge = await upload(3 * 1024 * 1024 + 1);
      expectProblem(tooLarge, 413, 'payload_too_large');
      expect(tooLarge.json<{ limit: number }>().limit).toBe(3 * 1024 * 1024);
    },
  );

  it.skipIf(skip !== undefined)(
    'serves every problem type at its type URI, as HTML for a browser',
    async () => {
      const { app } = await setup();
      const missing = await app.inject('/api/v1/nothing-here');
      const type = missing.json<{ type: string }>().type;
      const page = await app.inject(type);
      expect(page.statusCode).toBe(200);
      expect(page.json()).toMatchObject({ code: 'not_found', status: 404, title: 'Not found' });

      const html = await app.inject({
        url: '/problems/payload_too_large',
        headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      });
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.body).toContain('<h1>413 Request body too large</h1>');

      const list = (await app.inject('/problems')).json<{ problemTypes: { code: string }[] }>();
      expect(list.problemTypes.map((t) => t.code)).toEqual(problemCodes);
      for (const code of problemCodes) {
        const answer = await app.inject(`/problems/${code}`);
        expect(answer.json(), code).toMatchObject({ status: problemTypes[code].status });
      }
      expectProblem(await app.inject('/problems/no_such_problem'), 404, 'not_found');
    },
  );

  it.skipIf(skip !== undefined)('serves the interactive documentation and its assets', async () => {
    const { app } = await setup();
    const docs = await app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    const css = await app.inject('/docs/static/swagger-ui.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });
});
