/**
 * The demo's history on both databases: seeded once, the dashboard's SLA weeks and the
 * change list have data that looks like a patch programme's, everything written is audited as
 * demo history, the audit chain still verifies, and a second run adds nothing.
 */
import { testClock } from '@patchgate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../test/app.ts';
import { testCaller } from '../../test/auth.ts';
import { testDatabases } from '../../test/databases.ts';
import type { App } from '../app.ts';
import type { ServerContext } from '../context.ts';
import { verifyAuditChain } from '../contexts/audit/index.ts';
import { buildReport, computeMetrics, metricTrend } from '../contexts/reports/index.ts';
import type { Database } from '../db/database.ts';
import { demoHistoryDays, historyAssets, planDemoHistory, seedDemoHistory } from './history.ts';
import { defaultPolicy } from '@patchgate/policy';

const NOW = '2026-12-06T10:00:00.000Z'; // a Sunday

interface SlaWeek {
  weekStart: string;
  counted: number;
  met: number;
  compliance: number | null;
}

describe.each(testDatabases())('the demo history on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: (App & { context: ServerContext }) | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  it.skipIf(skip !== undefined)(
    'fills the dashboard and the changes with about 90 days, audited, once',
    async () => {
      database = await open();
      built = await testApp(database, testClock(NOW));
      const ctx = built.context;
      // The demo's people (apps/cli/src/demo.ts creates them through the API).
      const admin = await testCaller(database, ['admin'], 'admin');
      for (const [name, role] of [
        ['maria.keller', 'change_manager'],
        ['jonas.weber', 'approver'],
        ['aisha.khan', 'approver'],
        ['tom.berg', 'operator'],
      ] as const)
        await testCaller(database, [role], name);

      const first = await seedDemoHistory(ctx);
      expect(first).toMatchObject({ added: true, assets: historyAssets.length, days: 90 });
      expect(first.findings).toBeGreaterThan(150);
      expect(first.exceptions).toBeGreaterThanOrEqual(4);
      expect(first.changes).toBeGreaterThan(25);
      // A snapshot of each of the 90 ended days (at least the `all` scope each).
      expect(first.snapshots).toBeGreaterThanOrEqual(90);

      // The dashboard: every one of the 12 SLA weeks but at most the current one has decided
      // findings, mostly met; some findings are open and overdue.
      const response = await built.app.inject({ url: '/api/v1/dashboard', headers: admin.headers });
      expect(response.statusCode).toBe(200);
      const dashboard = response.json<{
        findings: { open: number; overdue: number; overdueByTeam: { team: string | null }[] };
        sla: { weeks: SlaWeek[] };
      }>();
      const weeks = dashboard.sla.weeks;
      expect(weeks).toHaveLength(12);
      expect(weeks.filter((w) => w.counted > 0).length).toBeGreaterThanOrEqual(11);
      const counted = weeks.reduce((sum, w) => sum + w.counted, 0);
      const met = weeks.reduce((sum, w) => sum + w.met, 0);
      expect(met / counted).toBeGreaterThan(0.6);
      expect(met / counted).toBeLessThan(0.98);
      expect(dashboard.findings.open).toBeGreaterThan(0);
      expect(dashboard.findings.overdue).toBeGreaterThan(0);
      expect(dashboard.findings.overdueByTeam.length).toBeGreaterThan(0);

      // The changes: each type, ended in every way, numbered in the order they were made.
      const list = await built.app.inject({
        url: '/api/v1/changes?limit=200',
        headers: admin.headers,
      });
      expect(list.statusCode).toBe(200);
      const changes = list.json<{
        changes: { id: string; number: string; type: string; state: string; createdAt: string }[];
      }>().changes;
      expect(changes).toHaveLength(first.changes);
      expect(new Set(changes.map((c) => c.type))).toEqual(
        new Set(['standard', 'normal', 'emergency']),
      );
      const states = new Set(changes.map((c) => c.state));
      expect(states).toContain('closed');
      // Not every change is implemented: some are cancelled or rejected.
      expect(states.has('cancelled') || states.has('rejected')).toBe(true);
      const byNumber = [...changes].sort((a, b) => a.number.localeCompare(b.number));
      expect(byNumber.map((c) => c.createdAt)).toEqual(
        [...byNumber.map((c) => c.createdAt)].sort(),
      );
      const db = database.db;
      const transitions = await db.selectFrom('change_transitions').select(['action']).execute();
      const actions = new Set(transitions.map((t) => t.action));
      for (const action of ['create', 'submit', 'assess', 'approve', 'start', 'complete', 'close'])
        expect(actions).toContain(action);
      expect([...actions].some((a) => a === 'fail' || a === 'roll-back')).toBe(true);
      const facts = await db.selectFrom('change_review_facts').select(['facts_json']).execute();
      const parsed = facts.map(
        (f) => JSON.parse(f.facts_json) as { overrunMinutes: number; failures: unknown[] },
      );
      expect(parsed.some((f) => f.overrunMinutes > 0)).toBe(true);
      expect(parsed.some((f) => f.failures.length > 0)).toBe(true);
      const reviews = await db.selectFrom('change_reviews').select(['follow_ups_json']).execute();
      expect(reviews.some((r) => (JSON.parse(r.follow_ups_json) as unknown[]).length > 0)).toBe(
        true,
      );
      const decisions = await db
        .selectFrom('approval_decisions')
        .select(['approver_name'])
        .execute();
      expect(new Set(decisions.map((d) => d.approver_name))).toEqual(
        new Set(['system', 'maria.keller', 'jonas.weber', 'aisha.khan']),
      );

      // The metrics of the last 90 days: plausible figures, none missing.
      const metrics = await computeMetrics(ctx, {
        period: { from: '2026-09-08', to: '2026-12-06' },
        scope: {},
      });
      const { remediation: r, changes: m } = metrics;
      expect(r.slaCompliance.ratio).not.toBeNull();
      expect(r.slaCompliance.ratio ?? 0).toBeGreaterThan(0.6);
      expect(r.slaCompliance.ratio ?? 1).toBeLessThan(0.98);
      expect(r.timeToRemediateDays.all.count).toBeGreaterThan(100);
      expect(r.timeToRemediateDays.all.mean ?? 0).toBeGreaterThan(1);
      expect(r.timeToRemediateDays.all.mean ?? 99).toBeLessThan(60);
      expect(r.timeToTriageDays.all.count).toBeGreaterThan(20);
      expect(r.overdueFindings).toBeGreaterThan(0);
      expect(r.exceptions.active).toBeGreaterThan(0);
      expect(m.changeSuccessRate ?? 0).toBeGreaterThan(0.6);
      expect(m.changeSuccessRate ?? 1).toBeLessThan(1);
      expect(m.rollbackRate ?? 0).toBeGreaterThan(0);
      expect(m.rollbackRate ?? 1).toBeLessThan(0.3);
      expect(m.byType.standard * m.byType.normal * m.byType.emergency).toBeGreaterThan(0);
      expect(m.windowOverruns).toBeGreaterThan(0);
      expect(m.failuresPerWave.some((w) => w.failures > 0)).toBe(true);
      expect(m.leadTimeDays.count).toBeGreaterThan(20);

      // The trends from the snapshots: every day of the 90 has its figures.
      for (const metric of [
        'remediation.slaCompliance',
        'remediation.openFindings',
        'changes.changeSuccessRate',
      ]) {
        const trend = await metricTrend(ctx, {
          metric,
          scope: {},
          from: '2026-09-07',
          to: '2026-12-05',
        });
        expect(trend).toHaveLength(90);
        // The first days have no 30 days of history behind them yet: most days have a value.
        expect(trend.filter((p) => p.value !== null).length, metric).toBeGreaterThan(75);
      }

      // Audited as demo history, by its contexts; the chain holds.
      const events = await db
        .selectFrom('audit_events')
        .select(['action', 'actor_name', 'after_json'])
        .where('actor_name', '=', 'demo history')
        .execute();
      expect(events.filter((e) => e.action === 'change.history-imported')).toHaveLength(
        first.changes,
      );
      expect(events.filter((e) => e.action === 'findings.history-imported')).toHaveLength(1);
      expect(events.filter((e) => e.action === 'metrics.snapshots-backfilled')).toHaveLength(1);
      expect(
        events
          .filter((e) => e.action === 'asset.imported')
          .map((e) => JSON.parse(e.after_json ?? '{}') as unknown),
      ).toEqual([
        { created: historyAssets.length, updated: 0, unchanged: 0, total: historyAssets.length },
      ]);
      for (const e of events.filter((x) => x.action.endsWith('history-imported')))
        expect(JSON.parse(e.after_json ?? '{}')).toMatchObject({
          history: true,
          note: expect.stringContaining('demo data') as unknown,
        });
      expect((await verifyAuditChain(db)).ok).toBe(true);

      // A change report on a history change: its per-host results come from the review's facts
      // (the rollout's own record is not imported), and it says so.
      const rolledOut = await db
        .selectFrom('change_review_facts')
        .select('change_id')
        .orderBy('recorded_at', 'desc')
        .executeTakeFirstOrThrow();
      const report = await buildReport(ctx, { type: 'change', change: rolledOut.change_id });
      const hosts = report.sections
        .flatMap((section) => section.blocks)
        .find((b) => b.kind === 'table' && b.name === 'hosts');
      expect(hosts?.kind === 'table' ? hosts.rows.length : 0).toBeGreaterThan(0);
      expect(hosts?.kind === 'table' ? hosts.rows[0]?.['after'] : null).toMatch(/\S+ \S+/);
      expect(report.warnings.join(' ')).toContain("only its review's facts");

      // A second start adds nothing.
      const auditCount = (await db.selectFrom('audit_events').select('seq').execute()).length;
      const findingCount = (await db.selectFrom('findings').select('id').execute()).length;
      const second = await seedDemoHistory(ctx);
      expect(second).toEqual({
        added: false,
        assets: 0,
        findings: 0,
        exceptions: 0,
        changes: 0,
        snapshots: 0,
        days: 90,
      });
      expect((await db.selectFrom('audit_events').select('seq').execute()).length).toBe(auditCount);
      expect((await db.selectFrom('findings').select('id').execute()).length).toBe(findingCount);
    },
    120_000,
  );
});

describe('planDemoHistory', () => {
  const input = {
    now: new Date(NOW),
    days: demoHistoryDays,
    assetIds: new Map(historyAssets.map((a, i) => [a.name, `asset-${i}`])),
    people: Object.fromEntries(
      ['admin', 'maria.keller', 'jonas.weber', 'aisha.khan', 'tom.berg'].map((u) => [
        u,
        { id: `id-${u}`, name: u },
      ]),
    ) as Parameters<typeof planDemoHistory>[0]['people'],
    policy: defaultPolicy,
  };

  it('is the same plan from the same input (a seeded generator)', () => {
    expect(planDemoHistory(input)).toEqual(planDemoHistory(input));
  });

  it('has the patterns the improvement loop looks for: openssl failing in the canary, the database window overrun', () => {
    const plan = planDemoHistory(input);
    const opensslInCanary = plan.changes.filter(
      (c) =>
        c.reviewFacts !== undefined &&
        c.reviewFacts.waves[0]?.name === 'canary' &&
        c.patches.some((p) => p.packageName === 'openssl' || p.packageName === 'libssl3'),
    );
    const failedInCanary = opensslInCanary.filter((c) =>
      c.reviewFacts?.failures.some((f) => f.wave === 'canary'),
    );
    expect(failedInCanary.length).toBeGreaterThanOrEqual(2);
    expect(failedInCanary.length).toBeLessThan(opensslInCanary.length);
    const dbOverruns = plan.changes.filter(
      (c) =>
        (c.reviewFacts?.overrunMinutes ?? 0) > 0 && c.assets.every((a) => a.groups.includes('db')),
    );
    expect(dbOverruns.length).toBeGreaterThanOrEqual(3);
  });

  it('stays within the period and never fixes before first seen', () => {
    const plan = planDemoHistory(input);
    const from = new Date(Date.parse(NOW) - (demoHistoryDays + 6) * 86_400_000).toISOString();
    for (const f of plan.findings) {
      expect(f.firstSeenAt >= from && f.firstSeenAt < NOW).toBe(true);
      if (f.fixedAt !== null) expect(f.fixedAt >= f.firstSeenAt && f.fixedAt < NOW).toBe(true);
    }
    for (const c of plan.changes)
      for (const t of c.transitions) expect(t.at < NOW && t.at >= c.createdAt).toBe(true);
    // The assets with an inventory hold no open historical finding (a reconcile would close it).
    const reporting = new Set(historyAssets.filter((a) => a.reporting).map((a) => a.name));
    expect(plan.findings.filter((f) => reporting.has(f.asset.name) && f.fixedAt === null)).toEqual(
      [],
    );
  });
});
