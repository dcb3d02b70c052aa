/**
 * Autopilot rules through the real API and the real job runner on both databases: rules CRUD
 * and pause/resume (audited), run-now queueing a run that records its result, grouping into
 * one change per window and asset group, a version held back by its cool-down with the reason,
 * KEV bypassing it, idempotent runs, a failed change pausing its rule, and each change carried
 * to the rule's stage: submitted (auto-approved or awaiting the CAB) and scheduled at its next
 * feasible slot, freezes and ring offsets honoured, a refused submit noted in the run.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp, testClock } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { enqueueTyped, JobRunner } from '../jobs/index.ts';
import { registerJobs } from '../../main.ts';
import { autopilotJobs, nextDueAt } from './autopilot.ts';
import type { AutopilotRule, AutopilotRun } from './autopilot-schema.ts';

const now = '2026-11-22T02:00:00.000Z';

const daysAgo = (days: number) => new Date(Date.parse(now) - days * 86_400_000).toISOString();

/** apt list --upgradable output offering these packages (security archive unless told). */
function aptList(packages: readonly { name: string; version: string; security?: boolean }[]) {
  return [
    'Listing...',
    ...packages.map(
      (p) =>
        `${p.name}/${p.security === false ? 'stable' : 'stable-security'} ${p.version} amd64 [upgradable from: 0.1-1]`,
    ),
  ].join('\n');
}

describe('when a rule is next due', () => {
  // Sunday 22 November 2026, 02:00 UTC.
  const last = '2026-11-22T02:00:00.000Z';
  it('is the start of the UTC period after its last scheduled run', () => {
    expect(nextDueAt('hourly', last, now)).toBe('2026-11-22T03:00:00.000Z');
    expect(nextDueAt('nightly', last, now)).toBe('2026-11-23T00:00:00.000Z');
    // The ISO week of a Sunday ends that night: the next starts on Monday the 23rd.
    expect(nextDueAt('weekly', last, now)).toBe('2026-11-23T00:00:00.000Z');
    expect(nextDueAt('weekly', '2026-11-23T05:00:00.000Z', now)).toBe('2026-11-30T00:00:00.000Z');
    expect(nextDueAt('monthly', '2026-12-31T23:59:00.000Z', now)).toBe('2027-01-01T00:00:00.000Z');
  });
  it('is its creation while it has not run on its schedule', () => {
    expect(nextDueAt('weekly', null, '2026-11-20T10:00:00.000Z')).toBe('2026-11-20T10:00:00.000Z');
  });
});

describe.each(testDatabases())('autopilot on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setUp() {
    testClock.set(now);
    database = await open();
    const app = await testApp(database);
    built = app;
    const manager = await testCaller(database, ['change_manager'], 'carol');
    const operator = await testCaller(database, ['operator'], 'otto');
    const viewer = await testCaller(database, ['viewer'], 'vera');
    const runner = new JobRunner(app.context, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    registerJobs(runner, app.context);
    return {
      app: app.app,
      db: database,
      context: app.context,
      manager,
      operator,
      viewer,
      runner,
    };
  }

  type Setup = Awaited<ReturnType<typeof setUp>>;

  /** Run every queued job (events, their subscribers, runs) until none is left. */
  async function drain(runner: JobRunner) {
    for (let i = 0; i < 100; i++) if ((await runner.runOnce()) === undefined) return;
    throw new Error('the job queue does not drain');
  }

  async function asset(
    s: Setup,
    name: string,
    groups: string[],
    environment = 'staging',
  ): Promise<string> {
    const created = await s.app.inject({
      method: 'POST',
      url: '/api/v1/assets',
      headers: s.operator.headers,
      payload: { name, kind: 'host', environment, groups, osRelease: 'Debian:12' },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<{ id: string }>().id;
  }

  async function report(
    s: Setup,
    assetId: string,
    packages: readonly { name: string; version: string; security?: boolean }[],
    takenAt: string,
  ) {
    // The packages are installed (a change may only upgrade what the inventory has)…
    const inventory = await s.app.inject({
      method: 'POST',
      url: `/api/v1/assets/${assetId}/snapshots`,
      headers: s.operator.headers,
      payload: {
        takenAt,
        packages: packages.map((p) => ({ ecosystem: 'Debian:12', name: p.name, version: '0.1-1' })),
      },
    });
    expect(inventory.statusCode, inventory.body).toBe(201);
    // …and apt offers their upgrades.
    const posted = await s.app.inject({
      method: 'POST',
      url: `/api/v1/assets/${assetId}/available-updates?name=apt.txt&takenAt=${takenAt}`,
      headers: { ...s.operator.headers, 'content-type': 'text/plain' },
      payload: aptList(packages),
    });
    expect(posted.statusCode, posted.body).toBe(201);
  }

  async function window(s: Setup, name: string, rrule: string, dtstart: string, selector: object) {
    const created = await s.app.inject({
      method: 'POST',
      url: '/api/v1/calendar/windows',
      headers: s.manager.headers,
      payload: { name, rrule, dtstart, timeZone: 'Europe/Berlin', durationMinutes: 240, selector },
    });
    expect(created.statusCode, created.body).toBe(201);
  }

  async function createRule(s: Setup, body: object, caller: TestCaller = s.manager) {
    return s.app.inject({
      method: 'POST',
      url: '/api/v1/autopilot/rules',
      headers: caller.headers,
      payload: body,
    });
  }

  const securityRule = {
    name: 'staging-security',
    selection: { kind: 'updates', origin: 'security' },
    scope: { environments: ['staging'] },
    coolDownDays: 7,
    type: 'standard',
    template: 'security-updates-non-production',
    rings: [0, 3, 7],
    // These tests look at what the rule creates; how far it carries them is tested below.
    stage: 'draft',
  };

  async function runNow(s: Setup, rule: string): Promise<AutopilotRun> {
    const queued = await s.app.inject({
      method: 'POST',
      url: `/api/v1/autopilot/rules/${rule}/run`,
      headers: s.manager.headers,
    });
    expect(queued.statusCode, queued.body).toBe(202);
    const run = queued.json<AutopilotRun>();
    expect(run.state).toBe('queued');
    await drain(s.runner);
    const done = await s.app.inject({
      method: 'GET',
      url: `/api/v1/autopilot/runs/${run.id}`,
      headers: s.viewer.headers,
    });
    expect(done.statusCode, done.body).toBe(200);
    return done.json<AutopilotRun>();
  }

  async function auditActions(s: Setup, subjectId: string): Promise<string[]> {
    const rows = await s.db.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', subjectId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.action);
  }

  it.skipIf(skip !== undefined)(
    'keeps rules: create, read, replace, pause, resume, delete',
    async () => {
      const s = await setUp();
      const created = await createRule(s, securityRule);
      expect(created.statusCode, created.body).toBe(201);
      const rule = created.json<AutopilotRule>();
      expect(rule).toMatchObject({
        definition: { ...securityRule, schedule: 'nightly' },
        paused: false,
        createdBy: s.manager.userId,
      });
      expect((await createRule(s, securityRule)).statusCode).toBe(409);
      const invalid = await createRule(s, { ...securityRule, name: 'x', template: undefined });
      expect(invalid.statusCode).toBe(422);
      expect(invalid.body).toContain('a standard change needs its template');
      expect((await createRule(s, { ...securityRule, name: 'y' }, s.viewer)).statusCode).toBe(403);

      const byName = await s.app.inject({
        method: 'GET',
        url: '/api/v1/autopilot/rules/staging-security',
        headers: s.viewer.headers,
      });
      expect(byName.json<AutopilotRule>().id).toBe(rule.id);

      const replaced = await s.app.inject({
        method: 'PUT',
        url: `/api/v1/autopilot/rules/${rule.id}`,
        headers: s.manager.headers,
        payload: { ...securityRule, schedule: 'weekly' },
      });
      expect(replaced.json<AutopilotRule>().definition.schedule).toBe('weekly');

      const pause = (reason?: string) =>
        s.app.inject({
          method: 'POST',
          url: `/api/v1/autopilot/rules/${rule.id}/pause`,
          headers: s.manager.headers,
          payload: reason === undefined ? {} : { reason },
        });
      const paused = await pause('holiday season');
      expect(paused.json<AutopilotRule>()).toMatchObject({
        paused: true,
        pausedReason: 'holiday season',
      });
      expect((await pause()).statusCode).toBe(409);
      const refused = await s.app.inject({
        method: 'POST',
        url: `/api/v1/autopilot/rules/${rule.id}/run`,
        headers: s.manager.headers,
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json<{ detail: string }>().detail).toContain('resume it first');
      const resumed = await s.app.inject({
        method: 'POST',
        url: `/api/v1/autopilot/rules/${rule.id}/resume`,
        headers: s.manager.headers,
        payload: {},
      });
      expect(resumed.json<AutopilotRule>()).toMatchObject({ paused: false, pausedReason: null });

      const list = await s.app.inject({
        method: 'GET',
        url: '/api/v1/autopilot/rules',
        headers: s.viewer.headers,
      });
      expect(list.json<{ rules: AutopilotRule[] }>().rules.map((r) => r.definition.name)).toEqual([
        'staging-security',
      ]);
      const deleted = await s.app.inject({
        method: 'DELETE',
        url: `/api/v1/autopilot/rules/${rule.id}`,
        headers: s.manager.headers,
      });
      expect(deleted.statusCode).toBe(204);
      expect(await auditActions(s, rule.id)).toEqual([
        'autopilot.rule-created',
        'autopilot.rule-updated',
        'autopilot.rule-paused',
        'autopilot.rule-resumed',
        'autopilot.rule-deleted',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'groups updates into one change per window and asset group, holds back a young version, and a second run creates nothing',
    async () => {
      const s = await setUp();
      const web1 = await asset(s, 'web-01', ['web']);
      const web2 = await asset(s, 'web-02', ['web']);
      const api1 = await asset(s, 'api-01', ['api']);
      const db1 = await asset(s, 'db-01', ['db']);
      const prod = await asset(s, 'web-prod', ['web'], 'production');
      // Every staging asset has the nightly window; db assets also Sunday mornings, which
      // open first (2026-11-22 is a Sunday), so db-01 goes there.
      await window(s, 'staging nights', 'FREQ=DAILY', '2026-01-01T22:00', {
        environments: ['staging'],
      });
      await window(s, 'db sundays', 'FREQ=WEEKLY;BYDAY=SU', '2026-01-04T06:00', {
        groups: ['db'],
      });
      await report(s, web1, [{ name: 'libssl3', version: '3.0.15-1' }], daysAgo(10));
      await report(
        s,
        web2,
        [
          { name: 'libssl3', version: '3.0.15-1' },
          { name: 'vim', version: '9.0-2', security: false },
        ],
        daysAgo(10),
      );
      await report(s, api1, [{ name: 'libssl3', version: '3.0.15-1' }], daysAgo(10));
      // curl 8.0-2 first appears in a report taken two days ago: younger than the cool-down.
      await report(
        s,
        db1,
        [
          { name: 'libssl3', version: '3.0.15-1' },
          { name: 'curl', version: '8.0-2' },
        ],
        daysAgo(2),
      );
      await report(s, prod, [{ name: 'libssl3', version: '3.0.15-1' }], daysAgo(10));
      const rule = (await createRule(s, securityRule)).json<AutopilotRule>();

      const first = await runNow(s, rule.definition.name);
      expect(first.state, first.error ?? '').toBe('succeeded');
      expect(
        first.createdChanges
          .map((c) => ({
            title: c.title,
            items: c.items.map((i) => `${i.assetName} ${i.packageName} ${i.targetVersion ?? ''}`),
          }))
          .sort((a, b) => a.title.localeCompare(b.title)),
      ).toEqual([
        {
          title: 'Autopilot staging-security: api in staging nights (1 update)',
          items: ['api-01 libssl3 3.0.15-1'],
        },
        {
          title: 'Autopilot staging-security: db in db sundays (1 update)',
          items: ['db-01 libssl3 3.0.15-1'],
        },
        {
          title: 'Autopilot staging-security: web in staging nights (2 updates)',
          items: ['web-01 libssl3 3.0.15-1', 'web-02 libssl3 3.0.15-1'],
        },
      ]);
      const web = first.createdChanges.find((c) => c.title.includes(' web '));
      expect(web?.reason).toBe(
        `Autopilot rule "staging-security" (${rule.id}) selected available updates from a security archive: 2 updates on 2 assets (asset group web, maintenance window "staging nights"); cool-down of 7 days met; type standard (template security-updates-non-production), rings +0/+3/+7 days.`,
      );
      // The change itself, as the changes context holds it: made by the rule, with why.
      const shown = await s.app.inject({
        method: 'GET',
        url: `/api/v1/changes/${web?.changeId ?? ''}`,
        headers: s.viewer.headers,
      });
      expect(shown.statusCode, shown.body).toBe(200);
      const change = shown.json<{
        state: string;
        type: string;
        description: string;
        createdBy: { rule: string | null; reason: string | null };
        requester: { name: string };
        patches: { package: string; toVersion: string }[];
        plans: { deploymentPlan: { rings: { offsetDays: number; waves: string[] }[] } };
      }>();
      // The rule's rings +0/+3/+7 over the default plan's two waves (canary, non-critical).
      expect(change.plans.deploymentPlan.rings).toEqual([
        { name: 'ring-1', offsetDays: 0, waves: ['canary'] },
        { name: 'ring-2', offsetDays: 3, waves: ['non-critical'] },
      ]);
      expect(change).toMatchObject({
        state: 'draft',
        type: 'standard',
        description: web?.reason,
        createdBy: { rule: rule.id, reason: web?.reason },
        requester: { name: `autopilot rule staging-security (${rule.id})` },
      });
      expect(change.patches).toHaveLength(2);
      expect(change.patches.map((p) => [p.package, p.toVersion])).toEqual([
        ['libssl3', '3.0.15-1'],
        ['libssl3', '3.0.15-1'],
      ]);
      expect(first.heldBack).toEqual([
        {
          item: expect.objectContaining({ assetName: 'db-01', packageName: 'curl' }) as object,
          reason: `fixed version curl 8.0-2 released 2 days ago (first reported available ${daysAgo(2).slice(0, 10)}); cool-down 7 days, eligible on 2026-11-27`,
          eligibleOn: '2026-11-27',
        },
      ]);

      testClock.set('2026-11-22T03:00:00.000Z');
      const second = await runNow(s, rule.id);
      expect(second.createdChanges).toEqual([]);
      const changeOf = new Map(
        first.createdChanges.flatMap((c) => c.items.map((i) => [i.id, c.number] as const)),
      );
      expect(second.skipped.map((x) => x.reason)).toEqual(
        second.skipped.map(
          (x) => `already covered by open change ${changeOf.get(x.item.id) ?? '?'}`,
        ),
      );
      expect(second.skipped).toHaveLength(4);
      expect(second.heldBack).toHaveLength(1);

      // A change the rule made can be submitted as it stands: the default plan's canary rolls
      // back on failure, so the rule gives it the rollback plan that needs.
      const api = first.createdChanges.find((c) => c.title.includes(' api '));
      const submitted = await s.app.inject({
        method: 'POST',
        url: `/api/v1/changes/${api?.changeId ?? ''}/submit`,
        headers: s.manager.headers,
        payload: {},
      });
      expect(submitted.statusCode, submitted.body).toBe(200);
      expect(
        submitted.json<{ plans: { rollbackPlan: unknown }; planCheck: { ok: boolean } }>(),
      ).toMatchObject({
        plans: { rollbackPlan: { triggers: ['failure-threshold', 'manual'] } },
        planCheck: { ok: true },
      });

      const runs = await s.app.inject({
        method: 'GET',
        url: `/api/v1/autopilot/runs?rule=${rule.id}`,
        headers: s.viewer.headers,
      });
      expect(runs.json<{ runs: AutopilotRun[] }>().runs.map((r) => r.id)).toEqual([
        second.id,
        first.id,
      ]);
      expect(await auditActions(s, rule.id)).toEqual([
        'autopilot.rule-created',
        'autopilot.run-requested',
        'autopilot.change-created',
        'autopilot.change-created',
        'autopilot.change-created',
        'autopilot.run-succeeded',
        'autopilot.run-requested',
        'autopilot.run-succeeded',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'findings: KEV bypasses the cool-down; a failed change pauses the rule until resumed',
    async () => {
      const s = await setUp();
      const web1 = await asset(s, 'web-01', ['web']);
      const web2 = await asset(s, 'web-02', ['web']);
      await advisory(s.db, 'DSA-NEW-KEV', daysAgo(1));
      await advisory(s.db, 'DSA-NEW', daysAgo(1));
      await advisory(s.db, 'DSA-OLD', daysAgo(30));
      const kev = await finding(s.db, web1, 'web-01', 'DSA-NEW-KEV', 'openssl', 'P1', true);
      const young = await finding(s.db, web2, 'web-02', 'DSA-NEW', 'curl', 'P2', false);
      const old = await finding(s.db, web2, 'web-02', 'DSA-OLD', 'libc6', 'P2', false);
      await finding(s.db, web2, 'web-02', 'DSA-OLD', 'zlib', 'P4', false);
      const rule = (
        await createRule(s, {
          name: 'urgent-findings',
          selection: { kind: 'findings', priorities: ['P1', 'P2'] },
          scope: {},
          coolDownDays: 7,
          type: 'emergency',
          stage: 'draft',
        })
      ).json<AutopilotRule>();

      const run = await runNow(s, rule.id);
      expect(run.state, run.error ?? '').toBe('succeeded');
      expect(run.createdChanges.map((c) => c.items.map((i) => i.id).sort())).toEqual([
        [kev, old].sort(),
      ]);
      expect(run.createdChanges[0]?.reason).toContain('bypassed for 1 KEV finding');
      expect(run.heldBack.map((h) => [h.item.id, h.reason])).toEqual([
        [
          young,
          `fixed version curl 2.0-1 released 1 day ago (advisory DSA-NEW published ${daysAgo(1).slice(0, 10)}); cool-down 7 days, eligible on 2026-11-28`,
        ],
      ]);

      // The change goes the emergency way and fails: the rule pauses itself, with the reason.
      const changeId = run.createdChanges[0]?.changeId ?? '';
      const url = `/api/v1/changes/${changeId}`;
      const act = async (
        caller: TestCaller,
        method: 'POST' | 'PUT',
        path: string,
        body: object,
      ) => {
        const response = await s.app.inject({
          method,
          url: `${url}${path}`,
          headers: caller.headers,
          payload: body,
        });
        expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
      };
      const admin = await testCaller(s.db, ['admin'], 'ada');
      const emergency = await testCaller(s.db, ['approver'], 'emil');
      const members = await s.app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups/emergency/members',
        headers: admin.headers,
        payload: { add: ['emil'] },
      });
      expect(members.statusCode, members.body).toBe(200);
      await act(s.operator, 'PUT', '/plans', {
        plans: {
          testPlan: {
            summary: 'Smoke test.',
            steps: [{ description: 'curl', expectedResult: '200' }],
          },
          deploymentPlan: {
            waves: [
              {
                name: 'all',
                concurrency: 1,
                failureThreshold: 0,
                bakeMinutes: 10,
                gate: 'auto',
                onFailure: 'rollback',
                healthChecks: [{ kind: 'http', url: 'http://localhost/healthz' }],
              },
            ],
          },
          rollbackPlan: { triggers: ['health-check-failure'], steps: [{ kind: 'downgrade' }] },
        },
      });
      await act(s.operator, 'POST', '/submit', {});
      await act(s.operator, 'POST', '/schedule', { start: '2026-11-22T03:00:00Z' });
      await act(emergency, 'POST', '/approve', {});
      testClock.set('2026-11-22T03:05:00.000Z');
      await act(s.operator, 'POST', '/start', {});
      await act(s.operator, 'POST', '/fail', { reason: 'health check failed on web-01' });
      await drain(s.runner);
      const paused = await s.app.inject({
        method: 'GET',
        url: `/api/v1/autopilot/rules/${rule.id}`,
        headers: s.viewer.headers,
      });
      expect(paused.json<AutopilotRule>()).toMatchObject({
        paused: true,
        pausedReason: `change ${changeId} failed: health check failed on web-01; resume the rule once it is understood`,
      });
      const pausedAudit = await s.db.db
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_name'])
        .where('subject_id', '=', rule.id)
        .where('action', '=', 'autopilot.rule-paused')
        .executeTakeFirstOrThrow();
      expect(pausedAudit).toEqual({
        actor_type: 'system',
        actor_name: `autopilot rule urgent-findings (${rule.id})`,
      });

      // Resumed, it runs again: the failed change no longer covers its findings.
      const resumed = await s.app.inject({
        method: 'POST',
        url: `/api/v1/autopilot/rules/${rule.id}/resume`,
        headers: s.manager.headers,
        payload: { reason: 'fixed the health check' },
      });
      expect(resumed.statusCode).toBe(200);
      const again = await runNow(s, rule.id);
      expect(again.createdChanges.map((c) => c.items.map((i) => i.id).sort())).toEqual([
        [kev, old].sort(),
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'a change made by hand covers its packages until it ends',
    async () => {
      const s = await setUp();
      const web1 = await asset(s, 'web-01', ['web']);
      await report(s, web1, [{ name: 'libssl3', version: '3.0.15-1' }], daysAgo(10));
      const manual = await s.app.inject({
        method: 'POST',
        url: '/api/v1/changes',
        headers: s.operator.headers,
        payload: {
          title: 'libssl3 by hand',
          patches: [{ asset: 'web-01', package: 'libssl3', toVersion: '3.0.15-1' }],
        },
      });
      expect(manual.statusCode, manual.body).toBe(201);
      const { id: manualId, number: manualNumber } = manual.json<{ id: string; number: string }>();
      const rule = (
        await createRule(s, {
          ...securityRule,
          coolDownDays: 0,
          type: 'normal',
          template: undefined,
        })
      ).json<AutopilotRule>();
      const first = await runNow(s, rule.id);
      expect(first.createdChanges).toEqual([]);
      expect(first.skipped.map((x) => x.reason)).toEqual([
        `already covered by open change ${manualNumber}`,
      ]);
      const cancelled = await s.app.inject({
        method: 'POST',
        url: `/api/v1/changes/${manualId}/cancel`,
        headers: s.operator.headers,
        payload: { reason: 'the autopilot takes it' },
      });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      testClock.set('2026-11-22T03:00:00.000Z');
      const second = await runNow(s, rule.id);
      expect(second.createdChanges.map((c) => c.items.map((i) => i.packageName))).toEqual([
        ['libssl3'],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'the hourly job runs each rule once per its schedule period, never a paused one',
    async () => {
      const s = await setUp();
      const web1 = await asset(s, 'web-01', ['web']);
      await report(s, web1, [{ name: 'libssl3', version: '3.0.15-1' }], daysAgo(10));
      const nightly = (await createRule(s, securityRule)).json<AutopilotRule>();
      const paused = (
        await createRule(s, { ...securityRule, name: 'paused-one' })
      ).json<AutopilotRule>();
      await s.app.inject({
        method: 'POST',
        url: `/api/v1/autopilot/rules/${paused.id}/pause`,
        headers: s.manager.headers,
        payload: {},
      });
      const due = async () => {
        await s.db.db.transaction().execute(async (trx) => {
          await enqueueTyped(trx, testClock, autopilotJobs.runDue, {});
        });
        await drain(s.runner);
        return (
          await s.db.db
            .selectFrom('autopilot_runs')
            .select(['rule_id', 'trigger', 'state'])
            .orderBy('created_at')
            .execute()
        ).map((r) => `${r.rule_id === nightly.id ? 'nightly' : 'paused'} ${r.trigger} ${r.state}`);
      };
      expect(nightly.nextRunAt).toBe(nightly.createdAt);
      const ruleNow = async (id: string) =>
        (
          await s.app.inject({
            method: 'GET',
            url: `/api/v1/autopilot/rules/${id}`,
            headers: s.viewer.headers,
          })
        ).json<AutopilotRule>();
      expect(await due()).toEqual(['nightly schedule succeeded']);
      // Ran at 02:00 on the 22nd: next due at midnight, the start of the next UTC day.
      expect(await ruleNow(nightly.id)).toMatchObject({
        lastRunAt: now,
        nextRunAt: '2026-11-23T00:00:00.000Z',
      });
      expect((await ruleNow(paused.id)).nextRunAt).toBeNull();
      testClock.set('2026-11-22T23:00:00.000Z');
      expect(await due()).toEqual(['nightly schedule succeeded']);
      testClock.set('2026-11-23T00:30:00.000Z');
      expect(await due()).toEqual(['nightly schedule succeeded', 'nightly schedule succeeded']);
      expect((await ruleNow(nightly.id)).nextRunAt).toBe('2026-11-24T00:00:00.000Z');
    },
  );

  /** The change as the API shows it, with what these tests look at. */
  async function changeOf(s: Setup, id: string) {
    const shown = await s.app.inject({
      method: 'GET',
      url: `/api/v1/changes/${id}`,
      headers: s.viewer.headers,
    });
    expect(shown.statusCode, shown.body).toBe(200);
    return shown.json<{
      state: string;
      requester: { id: string | null; name: string };
      schedule: { start: string; end: string } | null;
      approvals: { complete: boolean; autoApproved: boolean; currentStage: number | null };
      history: { action: string; to: string; actor: { name: string } }[];
    }>();
  }

  /** One staging asset with libssl3 offered for 10 days and the nightly window (22:00 Berlin). */
  async function stagingWeb(s: Setup, environment = 'staging') {
    const web1 = await asset(s, 'web-01', ['web'], environment);
    await window(s, 'nights', 'FREQ=DAILY', '2026-01-01T22:00', {});
    await report(s, web1, [{ name: 'libssl3', version: '3.0.15-1' }], daysAgo(10));
    return web1;
  }

  // 2026-11-22 02:00 UTC is 03:00 in Berlin, after that night's window: the next one opens at
  // 22:00 Berlin, 21:00 UTC.
  const tonight = '2026-11-22T21:00:00.000Z';

  it.skipIf(skip !== undefined)(
    "a standard rule's change is submitted, auto-approved and scheduled in its window by the rule",
    async () => {
      const s = await setUp();
      await stagingWeb(s);
      const rule = { ...securityRule, stage: undefined }; // the default: schedule
      const created = (await createRule(s, rule)).json<AutopilotRule>();
      expect(created.definition.stage).toBe('schedule');
      const run = await runNow(s, created.id);
      expect(run.state, run.error ?? '').toBe('succeeded');
      const made = run.createdChanges[0];
      expect(made).toMatchObject({ state: 'scheduled', note: null });
      expect(made?.schedule?.start).toBe(tonight);
      const change = await changeOf(s, made?.changeId ?? '');
      const ruleActor = `autopilot rule staging-security (${created.id})`;
      expect(change).toMatchObject({
        state: 'scheduled',
        requester: { id: null, name: ruleActor },
        schedule: made?.schedule ?? {},
        approvals: { complete: true, autoApproved: true },
      });
      // Inside the window: 22:00–02:00 Berlin.
      expect(Date.parse(change.schedule?.end ?? '')).toBeLessThanOrEqual(
        Date.parse('2026-11-23T01:00:00.000Z'),
      );
      expect(change.history.map((h) => `${h.action}→${h.to} by ${h.actor.name}`)).toEqual([
        `create→draft by ${ruleActor}`,
        `submit→submitted by ${ruleActor}`,
        `assess→authorise by ${ruleActor}`,
        `schedule→scheduled by ${ruleActor}`,
      ]);
      const audited = await s.db.db
        .selectFrom('audit_events')
        .select(['action', 'actor_type', 'actor_name'])
        .where('subject_id', '=', made?.changeId ?? '')
        .where('action', 'in', ['change.submit', 'change.scheduled'])
        .orderBy('seq')
        .execute();
      expect(audited).toEqual([
        { action: 'change.submit', actor_type: 'system', actor_name: ruleActor },
        { action: 'change.scheduled', actor_type: 'system', actor_name: ruleActor },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    "a normal rule's change waits in authorise for the CAB, its approval requested and its slot set",
    async () => {
      const s = await setUp();
      await stagingWeb(s);
      const rule = (
        await createRule(s, {
          ...securityRule,
          type: 'normal',
          template: undefined,
          stage: 'schedule',
        })
      ).json<AutopilotRule>();
      const run = await runNow(s, rule.id);
      expect(run.state, run.error ?? '').toBe('succeeded');
      const made = run.createdChanges[0];
      expect(made).toMatchObject({
        state: 'authorise',
        schedule: { start: tonight },
        note: 'scheduled; waits in authorise for its approvals',
      });
      const change = await changeOf(s, made?.changeId ?? '');
      expect(change).toMatchObject({
        state: 'authorise',
        schedule: { start: tonight },
        approvals: { complete: false, autoApproved: false },
      });
      expect(change.approvals.currentStage).not.toBeNull();
      const requested = await s.db.db
        .selectFrom('jobs')
        .select('payload_json')
        .where('kind', '=', 'event:change.approval-requested')
        .execute();
      expect(
        requested.map((r) => (JSON.parse(r.payload_json) as { changeId: string }).changeId),
      ).toContain(made?.changeId);
    },
  );

  it.skipIf(skip !== undefined)(
    'a freeze in the way pushes the slot after it; the first ring offset moves the earliest start',
    async () => {
      const s = await setUp();
      await stagingWeb(s);
      const freeze = await s.app.inject({
        method: 'POST',
        url: '/api/v1/calendar/freezes',
        headers: s.manager.headers,
        payload: {
          name: 'release week',
          start: '2026-11-22T12:00:00Z',
          end: '2026-11-24T12:00:00Z',
          allowEmergency: true,
        },
      });
      expect(freeze.statusCode, freeze.body).toBe(201);
      const rule = { ...securityRule, stage: undefined }; // the default: schedule
      // An emergency change could override this freeze, but never by the rule's hand.
      const frozen = (
        await createRule(s, { ...rule, type: 'emergency', template: undefined })
      ).json<AutopilotRule>();
      const run = await runNow(s, frozen.id);
      expect(run.createdChanges[0]).toMatchObject({
        state: 'authorise',
        schedule: { start: '2026-11-24T21:00:00.000Z' },
      });
      const change = await changeOf(s, run.createdChanges[0]?.changeId ?? '');
      expect(change).toMatchObject({
        state: 'authorise',
        schedule: { start: '2026-11-24T21:00:00.000Z' },
      });

      // Rings 3,7: no start before three days from now (withRings keeps later rings relative).
      const cancelled = await s.app.inject({
        method: 'POST',
        url: `/api/v1/changes/${run.createdChanges[0]?.changeId ?? ''}/cancel`,
        headers: s.manager.headers,
        payload: { reason: 'let the ringed rule take it' },
      });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      testClock.set('2026-11-22T02:30:00.000Z');
      const ringed = (
        await createRule(s, { ...rule, name: 'ringed', rings: [3, 7] })
      ).json<AutopilotRule>();
      const second = await runNow(s, ringed.id);
      expect(second.createdChanges[0]).toMatchObject({
        state: 'scheduled',
        schedule: { start: '2026-11-25T21:00:00.000Z' },
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'a refused submit leaves the draft, with the reason in the run',
    async () => {
      const s = await setUp();
      // The template is for non-production assets: a production asset fails its criteria.
      await stagingWeb(s, 'production');
      const rule = { ...securityRule, stage: undefined }; // the default: schedule
      const created = (
        await createRule(s, { ...rule, scope: { environments: ['production'] } })
      ).json<AutopilotRule>();
      const run = await runNow(s, created.id);
      expect(run.state, run.error ?? '').toBe('succeeded');
      expect(run.error).toBeNull();
      const made = run.createdChanges[0];
      expect(made).toMatchObject({ state: 'draft', schedule: null });
      expect(made?.note).toMatch(/^not submitted: CHG-\d+: .*template's criteria/);
      const change = await changeOf(s, made?.changeId ?? '');
      expect(change).toMatchObject({ state: 'draft', schedule: null });
    },
  );
});

async function advisory(db: Database, id: string, published: string) {
  await db.db
    .insertInto('advisories')
    .values({
      id,
      modified: published,
      published,
      withdrawn: null,
      summary: null,
      aliases_json: '[]',
      cves_json: '[]',
      record_json: '{}',
      source_id: 'test',
      stored_at: published,
    })
    .execute();
}

/** A finding as the findings context stores it (its reconcile is tested there). */
async function finding(
  db: Database,
  assetId: string,
  assetName: string,
  advisoryId: string,
  packageName: string,
  priority: string,
  kev: boolean,
): Promise<string> {
  const id = randomUUID();
  await db.db
    .insertInto('findings')
    .values({
      id,
      asset_id: assetId,
      ecosystem: 'Debian:12',
      package_name: packageName,
      package_version: '1.0-1',
      source_name: packageName,
      advisory_id: advisoryId,
      advisory_summary: null,
      aliases_json: '[]',
      match_json: JSON.stringify({
        match: { ecosystem: 'Debian:12', name: packageName, version: '1.0-1', by: 'range' },
        fixedVersions: ['2.0-1'],
        cves: [],
        instances: [{ version: '1.0-1' }],
      }),
      state: 'open',
      first_seen_at: '2026-11-01T00:00:00.000Z',
      last_seen_at: '2026-11-01T00:00:00.000Z',
      snapshot_id: null,
      fixed_at: null,
      reopened_at: null,
      priority,
      due_date: null,
      due_key: '9999-12-31',
      severity: 'high',
      kev: kev ? 1 : 0,
      epss: null,
      epss_key: -1,
      decision_json: JSON.stringify({
        priority,
        explanation: { policy: { id: 'patchgate-default' }, rule: { id: kev ? 'kev' : 'cvss' } },
      }),
      asset_name: assetName,
      environment: 'staging',
      criticality: 'medium',
      exposure: 'unknown',
      groups_json: '["web"]',
      tags_json: '[]',
      triage_state: null,
      triage_justification: null,
      triage_detail: null,
      triage_by: null,
      triage_at: null,
      exception_id: null,
      accepted_until: null,
      updated_at: '2026-11-01T00:00:00.000Z',
    })
    .execute();
  return id;
}
