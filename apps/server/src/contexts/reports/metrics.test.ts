/**
 * computeMetrics and metricRows on both databases: the hand-checked organisation of
 * metrics-test-support.ts, read through the other contexts' exports, in a scope, and as of a
 * past instant that later data does not move.
 */
import { testClock } from '@patchgate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { ValidationError } from '../../http/problems.ts';
import { computeMetrics, metricRows } from './index.ts';
import { metricsWorld, novemberEnd, novemberPeriod } from './metrics-test-support.ts';

describe.each(testDatabases())('metrics on $name', ({ open, skip }) => {
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
    return { ctx: app.context, world, clock, db: database };
  }

  it.skipIf(skip !== undefined)('computes every figure of November as of its end', async () => {
    const { ctx } = await setup();
    const set = await computeMetrics(ctx, { period: novemberPeriod, scope: {} });
    expect(set.asOf).toBe(novemberEnd);
    const r = set.remediation;
    expect(r.openFindings).toBe(2);
    expect(r.openByPriority).toEqual({ P1: 0, P2: 1, P3: 0, P4: 1, P5: 0 });
    expect(r.openByAge).toEqual({ d0_7: 0, d8_30: 1, d31_90: 1, d91_180: 0, d181plus: 0 });
    expect(r.overdueFindings).toBe(1);
    expect(r.kevOpen).toBe(0);
    expect(r.slaCompliance).toEqual({ met: 1, missed: 2, counted: 3, ratio: 1 / 3 });
    expect(r.slaComplianceByTeam).toEqual([
      { key: 'data', met: 0, missed: 1, counted: 1, ratio: 0 },
      { key: 'web', met: 1, missed: 1, counted: 2, ratio: 0.5 },
    ]);
    expect(r.slaComplianceByEnvironment.map((e) => [e.key, e.ratio])).toEqual([
      ['production', 0.5],
      ['staging', 0],
    ]);
    expect(r.slaComplianceByAssetGroup.map((e) => [e.key, e.counted])).toEqual([
      ['(none)', 1],
      ['dmz', 2],
    ]);
    expect(r.slaComplianceByPolicy).toEqual([
      { key: 'default', met: 1, missed: 2, counted: 3, ratio: 1 / 3 },
    ]);
    expect(r.timeToTriageDays.all).toEqual({ count: 1, mean: 1, p90: 1 });
    expect(r.timeToRemediateDays.all).toEqual({ count: 2, mean: 14, p90: 24 });
    expect(r.patchLatencyDays).toEqual({ count: 0, mean: null, p90: null });
    expect(r.exceptions).toMatchObject({
      active: 1,
      expiringWithin30Days: 0,
      requestedPending: 0,
      ageing: { d0_7: 0, d8_30: 1, d31_90: 0, d91_180: 0, d181plus: 0 },
    });
    const c = set.changes;
    expect(c.closedChanges).toBe(3);
    expect(c.byType).toEqual({ standard: 1, normal: 1, emergency: 1 });
    expect(c.byOutcome).toEqual({ succeeded: 1, failed: 0, rolled_back: 1, cancelled: 1 });
    expect(c.changeSuccessRate).toBe(0.5);
    expect(c.rollbackRate).toBe(0.5);
    expect(c.emergencyShare).toBe(1 / 3);
    expect(c.plannedDurationMinutes).toEqual({ count: 1, mean: 120, p90: 120 });
    expect(c.actualDurationMinutes).toEqual({ count: 1, mean: 145, p90: 145 });
    expect(c.windowOverruns).toBe(1);
    expect(c.failuresPerWave).toEqual([
      { wave: 'all', hosts: 1, failures: 1 },
      { wave: 'canary', hosts: 1, failures: 0 },
    ]);
    expect(c.leadTimeDays).toEqual({ count: 1, mean: 4, p90: 4 });
    expect(set.coverage).toEqual({
      assets: 3,
      reportingWindowDays: 7,
      assetsReporting: 1,
      assetsReportingRatio: 1 / 3,
      staleAgents: 1,
      assetsWithoutWindow: 2,
      assetsWithoutOwner: 1,
    });
  });

  it.skipIf(skip !== undefined)('narrows every figure to a scope', async () => {
    const { ctx, db } = await setup();
    const web = await computeMetrics(ctx, { period: novemberPeriod, scope: { team: 'web' } });
    expect(web.scope).toEqual({ team: 'web' });
    expect(web.remediation.openFindings).toBe(1);
    expect(web.remediation.slaCompliance).toEqual({ met: 1, missed: 1, counted: 2, ratio: 0.5 });
    expect(web.changes.closedChanges).toBe(1);
    expect(web.changes.changeSuccessRate).toBe(1);
    expect(web.coverage).toMatchObject({ assets: 1, assetsReporting: 1, staleAgents: 0 });
    const staging = await computeMetrics(ctx, {
      period: novemberPeriod,
      scope: { environment: 'staging', assetGroup: 'dmz' },
    });
    expect(staging.remediation.openFindings).toBe(0);
    expect(staging.remediation.slaCompliance.ratio).toBeNull();
    expect(staging.changes.changeSuccessRate).toBeNull();
    expect(staging.coverage.assetsReportingRatio).toBeNull();

    // A change with no asset in its scope counts for all assets only.
    const bare = (await computeMetrics(ctx, { period: novemberPeriod, scope: {} })).changes;
    await db.db
      .insertInto('change_requests')
      .values({
        id: 'bare',
        number: 99,
        title: 'no assets',
        description: '',
        type: 'normal',
        state: 'cancelled',
        risk_level: 'low',
        risk_score: 0,
        risk_factors_json: '{}',
        risk_override: null,
        risk_override_reason: null,
        template_id: null,
        template_version: null,
        requester_id: null,
        requester_name: 'someone',
        implementer_id: null,
        implementer_name: null,
        plan_version: 1,
        plans_json: '{}',
        scheduled_start: null,
        scheduled_end: null,
        freeze_override_json: null,
        created_by_rule: null,
        created_reason: null,
        created_at: '2026-11-01T00:00:00.000Z',
        updated_at: '2026-11-01T00:00:00.000Z',
      })
      .execute();
    await db.db
      .insertInto('change_transitions')
      .values({
        id: 'bare-1',
        change_id: 'bare',
        seq: 1,
        from_state: 'draft',
        to_state: 'cancelled',
        action: 'cancel',
        actor_type: 'user',
        actor_id: null,
        actor_name: 'someone',
        reason: null,
        at: '2026-11-02T00:00:00.000Z',
      })
      .execute();
    const all = (await computeMetrics(ctx, { period: novemberPeriod, scope: {} })).changes;
    expect(all.closedChanges).toBe(bare.closedChanges + 1);
    expect(all.byOutcome.cancelled).toBe(bare.byOutcome.cancelled + 1);
    const webAgain = await computeMetrics(ctx, { period: novemberPeriod, scope: { team: 'web' } });
    expect(webAgain.changes.closedChanges).toBe(1);
  });

  it.skipIf(skip !== undefined)(
    'gives the same figures for a past asOf after later data arrives',
    async () => {
      const { ctx, world, db } = await setup();
      const query = { period: { from: '2026-11-01', to: '2026-11-15' }, scope: {} };
      const before = await computeMetrics(ctx, query);
      expect(before.asOf).toBe('2026-11-15T23:59:59.999Z');
      // f3 is still open on the 15th (fixed on the 25th), f2 too; f5 has no due date.
      expect(before.remediation.openFindings).toBe(3);
      expect(before.changes.byOutcome).toEqual({
        succeeded: 1,
        failed: 0,
        rolled_back: 1,
        cancelled: 0,
      });
      // Later: f2 fixed, triaged again, a new change transition, a late exception.
      await db.db
        .updateTable('findings')
        .set({ state: 'fixed', fixed_at: '2026-11-16T00:00:00.000Z' })
        .where('id', '=', world.findings.f2 ?? '')
        .execute();
      await db.db
        .updateTable('change_requests')
        .set({ state: 'closed' })
        .where('id', '=', world.changes.c2 ?? '')
        .execute();
      expect(await computeMetrics(ctx, query)).toEqual(before);
      // …while the month's figures moved.
      const month = await computeMetrics(ctx, { period: novemberPeriod, scope: {} });
      expect(month.remediation.openFindings).toBe(1);
    },
  );

  it.skipIf(skip !== undefined)('lists the rows each figure counts, a page at a time', async () => {
    const { ctx, world } = await setup();
    const q = { period: novemberPeriod, scope: {} };
    const sla = await metricRows(ctx, { ...q, metric: 'remediation.slaCompliance' });
    expect(sla).toMatchObject({ kind: 'findings', total: 3, nextCursor: null, key: null });
    expect(sla.rows.map((r) => [r.id, r.slaMet])).toEqual([
      [world.findings.f1, true],
      [world.findings.f2, false],
      [world.findings.f3, false],
    ]);
    const first = await metricRows(ctx, { ...q, metric: 'coverage.assets', limit: 2 });
    expect(first).toMatchObject({ kind: 'assets', total: 3, nextCursor: '2' });
    expect(first.rows.map((r) => r.name)).toEqual(['db-1', 'lone-1']);
    const second = await metricRows(ctx, {
      ...q,
      metric: 'coverage.assets',
      limit: 2,
      cursor: first.nextCursor ?? '',
    });
    expect(second.rows.map((r) => r.name)).toEqual(['web-1']);
    expect(second.nextCursor).toBeNull();
    const byTeam = await metricRows(ctx, {
      ...q,
      metric: 'remediation.slaComplianceByTeam',
      key: 'data',
    });
    expect(byTeam.rows.map((r) => r.id)).toEqual([world.findings.f3]);
    const changes = await metricRows(ctx, {
      ...q,
      metric: 'changes.byOutcome',
      key: 'rolled_back',
    });
    expect(changes).toMatchObject({ kind: 'changes', total: 1 });
    expect(changes.rows[0]).toMatchObject({ id: world.changes.c2, number: 'CHG-0002' });
    const stale = await metricRows(ctx, { ...q, metric: 'coverage.staleAgents' });
    expect(stale).toMatchObject({ kind: 'agents', total: 1 });
    await expect(metricRows(ctx, { ...q, metric: 'remediation.nope' })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      metricRows(ctx, { ...q, metric: 'remediation.openByPriority', key: 'P9' }),
    ).rejects.toThrow(/not one of/);
    await expect(
      computeMetrics(ctx, { period: { from: '2026-12-01', to: '2026-11-01' }, scope: {} }),
    ).rejects.toThrow(ValidationError);
  });
});
