/**
 * The metrics API on both databases: the figures, the drill-down rows and the trend from
 * snapshots (backfilled, then kept by the job), reports:read only, 4xx problems for bad input.
 */
import { testClock } from '@patchgate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { JobRunner } from '../jobs/index.ts';
import {
  backfillSnapshots,
  metricTrend,
  registerMetricJobs,
  snapshotMissingDays,
} from './index.ts';
import { metricsWorld } from './metrics-test-support.ts';

describe.each(testDatabases())('metrics API on $name', ({ open, skip }) => {
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
    const clock = testClock('2026-10-01T00:00:00.000Z');
    const app = await testApp(database, clock);
    built = app;
    const admin = await testCaller(database, ['admin']);
    const world = await metricsWorld(database, app.app, clock, admin);
    clock.set('2026-12-06T12:00:00.000Z');
    const auditor = await testCaller(database, ['auditor']);
    const viewer = await testCaller(database, ['viewer']);
    const get = (who: { headers: Record<string, string> }, url: string) =>
      app.app.inject({ method: 'GET', url, headers: who.headers });
    return { ctx: app.context, world, clock, db: database, admin, auditor, viewer, get };
  }

  it.skipIf(skip !== undefined)(
    'answers the figures and their rows to reports:read, 403 to others, 422 for bad input',
    async () => {
      const { get, auditor, viewer, world } = await setup();
      const figures = await get(auditor, '/api/v1/metrics?from=2026-11-01&to=2026-11-30');
      expect(figures.statusCode, figures.body).toBe(200);
      const set = figures.json<{
        asOf: string;
        remediation: { openFindings: number; slaCompliance: { ratio: number } };
        changes: { changeSuccessRate: number };
      }>();
      expect(set.asOf).toBe('2026-11-30T23:59:59.999Z');
      expect(set.remediation.openFindings).toBe(2);
      expect(set.remediation.slaCompliance.ratio).toBeCloseTo(1 / 3);
      expect(set.changes.changeSuccessRate).toBe(0.5);

      const web = await get(auditor, '/api/v1/metrics?from=2026-11-01&to=2026-11-30&team=web');
      expect(web.json<{ remediation: { openFindings: number } }>().remediation.openFindings).toBe(
        1,
      );

      const rows = await get(
        auditor,
        '/api/v1/metrics/rows?metric=remediation.overdueFindings&from=2026-11-01&to=2026-11-30',
      );
      expect(rows.statusCode, rows.body).toBe(200);
      expect(rows.json()).toMatchObject({
        metric: 'remediation.overdueFindings',
        key: null,
        kind: 'findings',
        total: 1,
        nextCursor: null,
        rows: [{ id: world.findings.f2, priority: 'P2', dueDate: '2026-11-15', overdue: true }],
      });

      expect((await get(viewer, '/api/v1/metrics')).statusCode).toBe(403);
      expect((await get(viewer, '/api/v1/metrics/rows?metric=coverage.assets')).statusCode).toBe(
        403,
      );
      expect((await get(viewer, '/api/v1/metrics/trend?metric=coverage.assets')).statusCode).toBe(
        403,
      );
      for (const url of [
        '/api/v1/metrics?from=2026-12-01&to=2026-11-01',
        '/api/v1/metrics?from=yesterday',
        '/api/v1/metrics?asOf=soon',
        '/api/v1/metrics?colour=blue',
        '/api/v1/metrics/rows?metric=remediation.nope',
        '/api/v1/metrics/rows?metric=remediation.openByPriority',
        '/api/v1/metrics/rows?metric=remediation.openByPriority&key=P9',
        '/api/v1/metrics/rows?metric=coverage.assets&cursor=abc',
        '/api/v1/metrics/rows?metric=coverage.assets&limit=0',
        '/api/v1/metrics/trend?metric=remediation.slaCompliance&from=2026-01-01&to=2027-12-31',
        '/api/v1/metrics/trend',
      ]) {
        const response = await get(auditor, url);
        expect([url, response.statusCode]).toEqual([url, expect.any(Number)]);
        expect(response.statusCode, `${url}: ${response.body}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(500);
      }
    },
  );

  it.skipIf(skip !== undefined)(
    'backfills snapshots, serves the trend from them, and the job fills the missing days',
    async () => {
      const { ctx, get, auditor, db, clock } = await setup();
      const progress: [number, number][] = [];
      const written = await backfillSnapshots(ctx, {
        from: '2026-11-28',
        to: '2026-11-30',
        onProgress: (done, total) => progress.push([done, total]),
      });
      // 3 days × scopes all, team:web, team:data, environment:production, environment:staging, group:dmz.
      expect(written).toBe(18);
      expect(progress).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
      const audit = await db.db
        .selectFrom('audit_events')
        .select(['action', 'after_json'])
        .where('action', '=', 'metrics.snapshots-backfilled')
        .execute();
      expect(audit).toHaveLength(1);

      // The snapshot of the 30th is the 30 days ending it: November, as of its end.
      const trend = await get(
        auditor,
        '/api/v1/metrics/trend?metric=remediation.slaCompliance&from=2026-11-27&to=2026-11-30',
      );
      expect(trend.statusCode, trend.body).toBe(200);
      const body = trend.json<{
        points: { day: string; value: number | null }[];
        missingDays: number;
        note: string;
      }>();
      expect(body.points[0]).toEqual({ day: '2026-11-27', value: null });
      expect(body.points[3]?.value).toBeCloseTo(1 / 3);
      expect(body.missingDays).toBe(1);
      expect(body.note).toMatch(/1 of 4 days have no snapshot/);
      // 28 Nov (the 30 days from 30 Oct): f1 met; f2 and f3 (fixed late on the 25th) missed.
      expect(body.points[1]?.value).toBeCloseTo(1 / 3);

      const team = await metricTrend(ctx, {
        metric: 'remediation.openFindings',
        scope: { team: 'data' },
        from: '2026-11-29',
        to: '2026-11-30',
      });
      expect(team).toEqual([
        { day: '2026-11-29', value: 1 },
        { day: '2026-11-30', value: 1 },
      ]);
      const combined = await get(
        auditor,
        '/api/v1/metrics/trend?metric=remediation.openFindings&team=web&environment=production&from=2026-11-29&to=2026-11-30',
      );
      const combinedBody = combined.json<{ missingDays: number; note: string }>();
      expect(combinedBody.missingDays).toBe(2);
      expect(combinedBody.note).toMatch(/not for a combination/);

      // A snapshot is not moved by later data: the stored one stays as computed.
      const before = (
        await metricTrend(ctx, {
          metric: 'remediation.openFindings',
          scope: {},
          from: '2026-11-30',
          to: '2026-11-30',
        })
      )[0];
      expect(before).toEqual({ day: '2026-11-30', value: 2 });
      await db.db
        .updateTable('findings')
        .set({ state: 'fixed', fixed_at: '2026-12-03T00:00:00.000Z' })
        .where('state', '=', 'open')
        .execute();

      // The job: the ended days of the last week without a snapshot (1–5 December).
      const missing = await snapshotMissingDays(ctx);
      expect(missing).toEqual([
        '2026-12-01',
        '2026-12-02',
        '2026-12-03',
        '2026-12-04',
        '2026-12-05',
      ]);
      expect(await snapshotMissingDays(ctx)).toEqual([]);
      // Computed again after the fixes of 3 December, 30 November's figure is what it was.
      await backfillSnapshots(ctx, { from: '2026-11-30', to: '2026-11-30' });
      const open = await metricTrend(ctx, {
        metric: 'remediation.openFindings',
        scope: {},
        from: '2026-11-30',
        to: '2026-12-05',
      });
      // f6 is first seen on 1 December; every open finding is fixed on the 3rd.
      expect(open.map((p) => p.value)).toEqual([2, 3, 3, 0, 0, 0]);
      const december = await metricTrend(ctx, {
        metric: 'changes.closedChanges',
        scope: {},
        from: '2026-12-01',
        to: '2026-12-05',
      });
      // The 30 days ending 1 Dec hold CHG-0001 (2 Nov) to CHG-0004 (1 Dec); from the 2nd CHG-0001 has left.
      expect(december.map((p) => p.value)).toEqual([4, 3, 3, 3, 3]);
      clock.set('2026-12-06T12:00:00.000Z');
      await expect(
        backfillSnapshots(ctx, { from: '2026-12-01', to: '2026-12-06' }),
      ).rejects.toThrow(/has not ended yet/);
    },
  );

  it.skipIf(skip !== undefined)(
    'backfills through the API as a job (reports:manage), audited, 422 for a range not over',
    async () => {
      const { ctx, db, admin, auditor } = await setup();
      const post = (who: { headers: Record<string, string> }, payload: Record<string, string>) =>
        built!.app.inject({
          method: 'POST',
          url: '/api/v1/metrics/snapshots/backfill',
          headers: who.headers,
          payload,
        });
      expect((await post(auditor, { from: '2026-11-01', to: '2026-11-30' })).statusCode).toBe(403);
      for (const bad of [
        { from: '2026-11-01', to: '2026-12-06' },
        { from: '2026-11-30', to: '2026-11-01' },
        { from: '2024-01-01', to: '2026-11-30' },
      ]) {
        expect((await post(admin, bad)).statusCode).toBe(422);
      }
      expect((await post(admin, { from: 'soon', to: '2026-11-30' })).statusCode).toBe(422);
      const accepted = await post(admin, { from: '2026-11-29', to: '2026-11-30' });
      expect(accepted.statusCode, accepted.body).toBe(202);
      const { jobId, alreadyQueued } = accepted.json<{ jobId: string; alreadyQueued: boolean }>();
      expect(alreadyQueued).toBe(false);
      const again = await post(admin, { from: '2026-11-29', to: '2026-11-30' });
      expect(again.json()).toEqual({ jobId, alreadyQueued: true });

      const runner = new JobRunner(ctx, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerMetricJobs(runner, ctx);
      const outcome = await runner.runOnce();
      expect(outcome).toMatchObject({ id: jobId, state: 'succeeded' });
      const job = await built!.app.inject({ url: `/api/v1/jobs/${jobId}`, headers: admin.headers });
      expect(job.json()).toMatchObject({ state: 'succeeded', result: { snapshots: 12 } });
      const actions = await db.db
        .selectFrom('audit_events')
        .select(['action', 'actor_name'])
        .where('action', 'like', 'metrics.%')
        .orderBy('seq')
        .execute();
      expect(actions.map((a) => a.action)).toEqual([
        'metrics.backfill-requested',
        'metrics.snapshots-backfilled',
      ]);
      expect(new Set(actions.map((a) => a.actor_name)).size).toBe(1);
      const trend = await metricTrend(ctx, {
        metric: 'coverage.assets',
        scope: {},
        from: '2026-11-29',
        to: '2026-11-30',
      });
      expect(trend).toEqual([
        { day: '2026-11-29', value: 3 },
        { day: '2026-11-30', value: 3 },
      ]);
    },
  );
});
