import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { systemActor } from '../audit/index.ts';
import { enqueueJob } from './queue.ts';
import { countJobsByState, findJob } from './repository.ts';
import type { JobExecution } from './runner.ts';
import { defaultBackoffSeconds, JobRunner, nextRunAt } from './runner.ts';
import { cancelJob, getJob, upsertSchedule } from './service.ts';
import type { SettableClock } from './test-support.ts';
import { contextOf, secondHandle, settableClock } from './test-support.ts';

const options = { workerId: 'worker-a', concurrency: 2, leaseSeconds: 60, pollMs: 1000 };

describe('defaultBackoffSeconds', () => {
  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [8, 3600],
    [20, 3600],
  ])('attempt %i waits %i s', (attempt, seconds) => {
    expect(defaultBackoffSeconds(attempt)).toBe(seconds);
  });
});

describe('nextRunAt', () => {
  it.each([
    ['2026-01-01T00:00:00.000Z', 60, '2026-01-01T00:00:30.000Z', '2026-01-01T00:01:00.000Z'],
    // Down for a day: the missed runs are not caught up, the next is one interval from now.
    ['2026-01-01T00:00:00.000Z', 60, '2026-01-02T00:00:00.000Z', '2026-01-02T00:01:00.000Z'],
  ])('after %s every %i s at %s → %s', (previous, interval, now, expected) => {
    expect(nextRunAt(previous, interval, now)).toBe(expected);
  });
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(testDatabases())('job runner on $name', ({ open, skip }) => {
  let database: Database | undefined;
  const extra: Database[] = [];
  afterEach(async () => {
    for (const handle of extra.splice(0)) await handle.close();
    await database?.close();
    database = undefined;
  });

  async function setup(clock: SettableClock = settableClock()) {
    database = await open();
    const ctx = contextOf(database, clock);
    return { db: database.db, ctx, clock, runner: new JobRunner(ctx, options) };
  }

  it.skipIf(skip !== undefined)('runs a job, storing its progress and result', async () => {
    const { db, ctx, clock, runner } = await setup();
    runner.register('test.double', async (job) => {
      await job.progress(1, 2, 'half way');
      return { doubled: (job.payload as { n: number }).n * 2 };
    });
    const id = await enqueueJob(db, clock, { kind: 'test.double', payload: { n: 21 } });
    expect(await runner.runOnce()).toEqual({
      id,
      kind: 'test.double',
      attempt: 1,
      state: 'succeeded',
    });
    expect(await runner.runOnce()).toBeUndefined();
    const now = clock.now().toISOString();
    expect(await getJob(ctx, id)).toEqual({
      id,
      kind: 'test.double',
      state: 'succeeded',
      payload: { n: 21 },
      attempts: 1,
      maxAttempts: 3,
      progress: { done: 1, total: 2, message: 'half way' },
      result: { doubled: 42 },
      error: null,
      runAfter: now,
      lockedBy: null,
      lockedUntil: null,
      cancelRequested: false,
      createdBy: null,
      createdAt: now,
      updatedAt: now,
      startedAt: now,
      finishedAt: now,
    });
  });

  it.skipIf(skip !== undefined)(
    'claims an urgent kind before older bulk work, oldest first otherwise',
    async () => {
      database = await open();
      const clock = settableClock();
      const ctx = contextOf(database, clock);
      const runner = new JobRunner(ctx, { ...options, urgentKinds: ['test.urgent'] });
      const ran: string[] = [];
      for (const kind of ['test.bulk', 'test.urgent'])
        runner.register(kind, (job) => {
          ran.push(`${kind} ${String((job.payload as { n: number }).n)}`);
          return Promise.resolve(null);
        });
      for (const n of [1, 2]) {
        await enqueueJob(database.db, clock, { kind: 'test.bulk', payload: { n } });
        clock.advance(1);
      }
      await enqueueJob(database.db, clock, { kind: 'test.urgent', payload: { n: 3 } });
      while ((await runner.runOnce()) !== undefined);
      expect(ran).toEqual(['test.urgent 3', 'test.bulk 1', 'test.bulk 2']);
    },
  );

  it.skipIf(skip !== undefined)(
    'retries with exponential backoff, then fails and audits it',
    async () => {
      const { db, clock, runner } = await setup();
      let calls = 0;
      runner.register('test.flaky', () => {
        calls++;
        return Promise.reject(new Error(`boom ${calls}`));
      });
      const id = await enqueueJob(db, clock, { kind: 'test.flaky', payload: null });
      const steps: [number, unknown][] = [];
      for (const wait of [0, 30, 60]) {
        clock.advance(wait - 1);
        // One second early, nothing is due.
        if (wait > 0) expect(await runner.runOnce()).toBeUndefined();
        clock.advance(1);
        const outcome = await runner.runOnce();
        const row = await findJob(db, id);
        steps.push([wait, { outcome, runAfter: row?.run_after, state: row?.state }]);
      }
      const at = (seconds: number) =>
        new Date(Date.parse('2026-11-22T09:00:00.000Z') + seconds * 1000).toISOString();
      expect(steps).toEqual([
        [
          0,
          {
            outcome: { id, kind: 'test.flaky', attempt: 1, state: 'queued', error: 'boom 1' },
            runAfter: at(30),
            state: 'queued',
          },
        ],
        [
          30,
          {
            outcome: { id, kind: 'test.flaky', attempt: 2, state: 'queued', error: 'boom 2' },
            runAfter: at(90),
            state: 'queued',
          },
        ],
        [
          60,
          {
            outcome: { id, kind: 'test.flaky', attempt: 3, state: 'failed', error: 'boom 3' },
            runAfter: at(90),
            state: 'failed',
          },
        ],
      ]);
      const audit = await db
        .selectFrom('audit_events')
        .select(['action', 'subject_id', 'actor_type', 'after_json'])
        .execute();
      expect(audit).toEqual([
        {
          action: 'job.failed',
          subject_id: id,
          actor_type: systemActor.type,
          after_json: '{"attempts":3,"error":"boom 3","state":"failed"}',
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    're-claims a job whose lease lapsed (its worker was killed), not a live one',
    async () => {
      const { db, clock, runner } = await setup();
      const seen: number[] = [];
      runner.register('test.resume', (job) => {
        seen.push(job.attempt);
        return Promise.resolve('done');
      });
      const lapsed = await enqueueJob(db, clock, { kind: 'test.resume', payload: 1 });
      const live = await enqueueJob(db, clock, { kind: 'test.resume', payload: 2 });
      const later = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);
      for (const [id, until] of [
        [lapsed, later(-1)],
        [live, later(30)],
      ] as const) {
        await db
          .updateTable('jobs')
          .set({
            state: 'running',
            attempts: 1,
            locked_by: 'killed-worker',
            locked_until: until.toISOString(),
          })
          .where('id', '=', id)
          .execute();
      }
      expect(await runner.runOnce()).toEqual({
        id: lapsed,
        kind: 'test.resume',
        attempt: 2,
        state: 'succeeded',
      });
      expect(await runner.runOnce()).toBeUndefined();
      expect(seen).toEqual([2]);
      expect((await findJob(db, live))?.locked_by).toBe('killed-worker');
    },
  );

  it.skipIf(skip !== undefined)(
    'cancels: a queued job at once, a running one through its AbortSignal',
    async () => {
      const { db, ctx, clock, runner } = await setup();
      const started = deferred();
      runner.register('test.long', async (job: JobExecution) => {
        started.resolve();
        for (let i = 0; !job.signal.aborted; i++) {
          await job.progress(i, 0, 'working');
          await new Promise((resolve) => setImmediate(resolve));
        }
        throw new Error(`stopped: ${String(job.signal.reason)}`);
      });
      const who = { actor: { type: 'user' as const, id: 'u-1', name: 'alice' } };
      const queued = await enqueueJob(db, clock, { kind: 'test.long', payload: 'q' });
      expect(await cancelJob(ctx, queued, who)).toMatchObject({
        state: 'cancelled',
        cancelRequested: true,
      });

      const running = await enqueueJob(db, clock, { kind: 'test.long', payload: 'r' });
      const outcome = runner.runOnce();
      await started.promise;
      expect(await cancelJob(ctx, running, who)).toMatchObject({
        state: 'running',
        cancelRequested: true,
      });
      expect(await outcome).toEqual({
        id: running,
        kind: 'test.long',
        attempt: 1,
        state: 'cancelled',
      });
      const audit = await db
        .selectFrom('audit_events')
        .select(['action', 'subject_id', 'actor_name'])
        .orderBy('seq')
        .execute();
      expect(audit).toEqual([
        { action: 'job.cancelled', subject_id: queued, actor_name: 'alice' },
        { action: 'job.cancel-requested', subject_id: running, actor_name: 'alice' },
        { action: 'job.cancelled', subject_id: running, actor_name: 'system' },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'releases a running job on shutdown without counting the attempt',
    async () => {
      const { db, clock, runner } = await setup();
      const started = deferred();
      runner.register('test.slow', async (job) => {
        started.resolve();
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
        throw new Error('interrupted');
      });
      const id = await enqueueJob(db, clock, { kind: 'test.slow', payload: null });
      const outcome = runner.runOnce();
      await started.promise;
      await runner.stop(10);
      expect(await outcome).toEqual({ id, kind: 'test.slow', attempt: 1, state: 'released' });
      expect(await findJob(db, id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        locked_by: null,
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'enqueues a due schedule once, even with two servers racing',
    async () => {
      const { db, ctx, clock, runner } = await setup();
      const other = secondHandle(ctx.database);
      extra.push(other);
      const otherRunner = new JobRunner(contextOf(other, clock), {
        ...options,
        workerId: 'worker-b',
      });
      await db.transaction().execute((trx) =>
        upsertSchedule(trx, clock, {
          id: 'test.tick:1',
          kind: 'test.tick',
          payload: { source: 1 },
          intervalSeconds: 600,
          enabled: true,
        }),
      );
      const first = await Promise.all([
        runner.enqueueDueSchedules(),
        otherRunner.enqueueDueSchedules(),
        runner.enqueueDueSchedules(),
      ]);
      expect(first.flat()).toHaveLength(1);
      expect(await runner.enqueueDueSchedules()).toEqual([]);
      // Due again, but the previous job has not run yet: the schedule advances, no pile-up.
      clock.advance(600);
      expect(await runner.enqueueDueSchedules()).toEqual([]);
      runner.register('test.tick', () => Promise.resolve(null));
      await runner.runOnce();
      clock.advance(600);
      const second = await Promise.all([
        runner.enqueueDueSchedules(),
        otherRunner.enqueueDueSchedules(),
      ]);
      expect(second.flat()).toHaveLength(1);
      expect(await countJobsByState(db)).toEqual({ queued: 1, succeeded: 1 });
      const schedule = await db.selectFrom('job_schedules').selectAll().executeTakeFirst();
      expect(schedule).toEqual({
        id: 'test.tick:1',
        kind: 'test.tick',
        payload_json: '{"source":1}',
        interval_seconds: 600,
        next_run_at: '2026-11-22T09:30:00.000Z',
        enabled: 1,
        last_job_id: second.flat()[0],
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'runs each of 20 jobs exactly once with two runners on separate connections',
    async () => {
      const { db, ctx, clock, runner } = await setup();
      const other = secondHandle(ctx.database);
      extra.push(other);
      const otherRunner = new JobRunner(contextOf(other, clock), {
        ...options,
        workerId: 'worker-b',
      });
      const runs = new Map<string, string[]>();
      const handler = (worker: string) => async (job: JobExecution) => {
        runs.set(job.id, [...(runs.get(job.id) ?? []), worker]);
        await new Promise((resolve) => setImmediate(resolve));
        return worker;
      };
      runner.register('test.race', handler('a'));
      otherRunner.register('test.race', handler('b'));
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push(await enqueueJob(db, clock, { kind: 'test.race', payload: i }));
      }
      const drain = async (r: JobRunner) => {
        while ((await r.runOnce()) !== undefined);
      };
      await Promise.all([runner, otherRunner, runner, otherRunner, runner, otherRunner].map(drain));
      expect([...runs.keys()].sort()).toEqual([...ids].sort());
      expect([...runs.values()].every((workers) => workers.length === 1)).toBe(true);
      expect(await countJobsByState(db)).toEqual({ succeeded: 20 });
    },
  );
});
