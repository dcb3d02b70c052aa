/** /metrics: behind the metrics:read permission unless the operator exposes it. */
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../test/app.ts';
import { testCaller } from '../../test/auth.ts';
import { testDatabases } from '../../test/databases.ts';
import type { App } from '../app.ts';
import type { Database } from '../db/database.ts';

describe.each(testDatabases())('operations routes on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  it.skipIf(skip !== undefined)(
    'serves /metrics to metrics:read only, health and readiness to anyone',
    async () => {
      database = await open();
      built = await testApp(database);
      const server = built.app;
      const operator = await testCaller(database, ['operator']);
      const viewer = await testCaller(database, ['viewer']);
      const statuses = {
        anonymous: (await server.inject('/metrics')).statusCode,
        viewer: (await server.inject({ url: '/metrics', headers: viewer.headers })).statusCode,
        operator: (await server.inject({ url: '/metrics', headers: operator.headers })).statusCode,
        healthz: (await server.inject('/healthz')).statusCode,
        readyz: (await server.inject('/readyz')).statusCode,
      };
      expect(statuses).toEqual({
        anonymous: 401,
        viewer: 403,
        operator: 200,
        healthz: 200,
        readyz: 200,
      });
    },
  );

  it.skipIf(skip !== undefined)('serves /metrics to anyone when told to', async () => {
    database = await open();
    built = await testApp(database, undefined, { metricsPublic: true });
    const response = await built.app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('patchgate_http_request_duration_seconds');
  });
});
