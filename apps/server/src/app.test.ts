import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../test/databases.ts';
import type { App } from './app.ts';
import type { Database } from './db/database.ts';
import { testApp } from '../test/app.ts';
import { testCaller } from '../test/auth.ts';

describe.each(testDatabases())('HTTP basics on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function app() {
    database = await open();
    built = await testApp(database);
    return built.app;
  }

  it.skipIf(skip !== undefined)('answers liveness and readiness', async () => {
    const server = await app();
    expect((await server.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await server.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: database?.dialect });
  });

  it.skipIf(skip !== undefined)(
    'serves an OpenAPI 3.1 document and Prometheus metrics',
    async () => {
      const server = await app();
      const doc = (await server.inject('/openapi.json')).json<{
        openapi: string;
        paths: Record<string, unknown>;
      }>();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/healthz', '/readyz', '/api/v1/audit/events']),
      );
      await server.inject('/healthz');
      // /metrics needs the metrics:read scope (ops/routes.test.ts has the rest).
      const scraper = await testCaller(database as Database, ['operator']);
      const metrics = await server.inject({ url: '/metrics', headers: scraper.headers });
      expect(metrics.body).toContain('patchgate_http_request_duration_seconds_bucket');
      expect((await server.inject('/docs')).statusCode).toBeLessThan(400);
    },
  );

  it.skipIf(skip !== undefined)(
    'answers problem+json: 404, 401, and 422 naming the field',
    async () => {
      const server = await app();
      const missing = await server.inject('/api/v1/nothing-here');
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.json()).toMatchObject({ status: 404, code: 'not_found' });

      const anonymous = await server.inject('/api/v1/audit/events');
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({ status: 401, code: 'unauthorized' });

      const badToken = await server.inject({
        url: '/api/v1/audit/events',
        headers: { authorization: 'Bearer pgt_nope' },
      });
      expect(badToken.statusCode).toBe(401);
      expect(badToken.json<{ detail: string }>().detail).toMatch(/unknown, expired or revoked/);
    },
  );

  it.skipIf(skip !== undefined)('sets security headers', async () => {
    const server = await app();
    const response = await server.inject('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
