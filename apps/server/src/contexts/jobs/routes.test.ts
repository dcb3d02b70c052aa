import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { enqueueJob } from './queue.ts';
import { JobRunner } from './runner.ts';
import { settableClock } from './test-support.ts';

describe.each(testDatabases())('jobs API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup() {
    database = await open();
    const clock = settableClock();
    const app = await testApp(database, clock);
    built = app;
    const runner = new JobRunner(app.context, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    runner.register('test.fail', () => Promise.reject(new Error('no luck')));
    const operator = await testCaller(database, ['operator']);
    const viewer = await testCaller(database, ['viewer']);
    return { db: database.db, server: app.app, clock, runner, operator, viewer };
  }

  it.skipIf(skip !== undefined)('lists with filters and pages, and reads one job', async () => {
    const { db, server, clock, viewer } = await setup();
    const ids: string[] = [];
    for (const kind of ['a.one', 'b.two', 'a.one']) {
      ids.push(await enqueueJob(db, clock, { kind, payload: { kind } }));
      clock.advance(1);
    }
    const list = async (query: string) => {
      const response = await server.inject({
        url: `/api/v1/jobs?${query}`,
        headers: viewer.headers,
      });
      const body = response.json<{ jobs: { id: string }[]; nextOffset: number | null }>();
      return { ids: body.jobs.map((j) => j.id), nextOffset: body.nextOffset };
    };
    expect(await list('')).toEqual({ ids: [ids[2], ids[1], ids[0]], nextOffset: null });
    expect(await list('kind=a.one')).toEqual({ ids: [ids[2], ids[0]], nextOffset: null });
    expect(await list('state=queued&limit=2')).toEqual({ ids: [ids[2], ids[1]], nextOffset: 2 });
    expect(await list('state=queued&limit=2&offset=2')).toEqual({
      ids: [ids[0]],
      nextOffset: null,
    });
    const one = await server.inject({ url: `/api/v1/jobs/${ids[1]}`, headers: viewer.headers });
    expect(one.json()).toMatchObject({ id: ids[1], kind: 'b.two', payload: { kind: 'b.two' } });
  });

  it.skipIf(skip !== undefined).each([
    ['/api/v1/jobs?state=sleeping', 'querystring.state'],
    ['/api/v1/jobs?limit=1000', 'querystring.limit'],
    ['/api/v1/jobs?colour=red', 'querystring'],
    ['/api/v1/jobs/not-a-uuid', 'params.id'],
  ])('answers 422 naming the field for %s', async (url, field) => {
    const { server, viewer } = await setup();
    const response = await server.inject({ url, headers: viewer.headers });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field, message: expect.any(String) as unknown }],
    });
  });

  it.skipIf(skip !== undefined)(
    'cancels and retries with jobs:manage, audited by whom; 404, 409, 403',
    async () => {
      const { db, server, clock, runner, operator, viewer } = await setup();
      const queued = await enqueueJob(db, clock, { kind: 'test.other', payload: null });
      const failing = await enqueueJob(db, clock, {
        kind: 'test.fail',
        payload: null,
        maxAttempts: 1,
      });
      expect(await runner.runOnce()).toMatchObject({ id: failing, state: 'failed' });
      const post = (url: string, headers = operator.headers) =>
        server.inject({ method: 'POST', url, headers });

      expect((await post(`/api/v1/jobs/${queued}/cancel`, viewer.headers)).statusCode).toBe(403);
      expect((await post(`/api/v1/jobs/${queued}/cancel`)).json()).toMatchObject({
        state: 'cancelled',
        cancelRequested: true,
      });
      expect((await post(`/api/v1/jobs/${queued}/cancel`)).json()).toMatchObject({
        status: 409,
        code: 'conflict',
      });
      expect((await post(`/api/v1/jobs/${randomUUID()}/cancel`)).statusCode).toBe(404);
      expect((await post(`/api/v1/jobs/${failing}/retry`)).json()).toMatchObject({
        id: failing,
        state: 'queued',
        attempts: 0,
        error: 'no luck',
      });
      expect((await post(`/api/v1/jobs/${failing}/retry`)).statusCode).toBe(409);

      const audit = await db
        .selectFrom('audit_events')
        .select(['action', 'subject_id', 'actor_name'])
        .orderBy('seq')
        .execute();
      expect(audit).toEqual([
        { action: 'job.failed', subject_id: failing, actor_name: 'system' },
        { action: 'job.cancelled', subject_id: queued, actor_name: operator.username },
        { action: 'job.retried', subject_id: failing, actor_name: operator.username },
      ]);
    },
  );
});
