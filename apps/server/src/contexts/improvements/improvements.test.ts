/**
 * The improvement loop on both databases, through the API, with hand-made fixtures: changes
 * made through the changes API, their rollout facts recorded through the changes context's
 * `prefillReview` (what the rollouts context does when a rollout ends), a review written by the
 * implementer, a maintenance window and a standard template made through their APIs.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { registerJobs } from '../../main.ts';
import { enqueueTyped, JobRunner } from '../jobs/index.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { verifyAuditChain } from '../audit/index.ts';
import type { ApiChange, ReviewFacts } from '../changes/index.ts';
import { prefillReview } from '../changes/index.ts';
import { call, rolloutPlans } from '../changes/test-support.ts';
import { manualClock } from '../findings/test-support.ts';
import type { ImprovementAction, Recommendation, ReviewTrends } from './index.ts';
import { improvementJobs } from './index.ts';

type TestApp = Awaited<ReturnType<typeof testApp>>['app'];

interface World {
  readonly app: TestApp;
  readonly context: ServerContext;
  readonly database: Database;
  readonly clock: ReturnType<typeof manualClock>;
  readonly admin: TestCaller;
  /** change_manager: improvements:manage, changes:manage, calendar:manage. */
  readonly manager: TestCaller;
  /** security_analyst: reports:read only. */
  readonly analyst: TestCaller;
  /** operator: requests and implements changes. */
  readonly operator: TestCaller;
  readonly emergency: TestCaller;
  /** viewer: not even reports:read. */
  readonly viewer: TestCaller;
  readonly assetIds: Record<string, string>;
  close(): Promise<void>;
}

const hosts = [
  { name: 'web-01', environment: 'production', groups: ['web'], owner: 'web-team' },
  { name: 'db-01', environment: 'production', groups: ['db'], owner: 'db-team' },
] as const;

async function world(open: () => Promise<Database>): Promise<World> {
  const database = await open();
  const clock = manualClock('2026-11-01T08:00:00.000Z');
  const { app, context } = await testApp(database, clock);
  const admin = await testCaller(database, ['admin'], 'ada-admin');
  const manager = await testCaller(database, ['change_manager'], 'max-manager');
  const analyst = await testCaller(database, ['security_analyst'], 'ann-analyst');
  const operator = await testCaller(database, ['operator'], 'otto-operator');
  const emergency = await testCaller(database, ['approver'], 'emil-emergency');
  const viewer = await testCaller(database, ['viewer'], 'vera-viewer');
  await call(app, admin, 'POST', '/api/v1/approver-groups/emergency/members', 200, {
    add: [emergency.username],
  });
  const assetIds: Record<string, string> = {};
  for (const host of hosts) {
    const made = await call<{ id: string }>(app, admin, 'POST', '/api/v1/assets', 201, {
      name: host.name,
      osRelease: 'Debian:12',
      environment: host.environment,
      criticality: 'medium',
      groups: host.groups,
      owner: host.owner,
    });
    assetIds[host.name] = made.id;
    await call(app, admin, 'POST', `/api/v1/assets/${host.name}/snapshots`, 201, {
      packages: [
        { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' },
        { ecosystem: 'Debian:12', name: 'postgresql-15', version: '15.8-0+deb12u1' },
      ],
    });
  }
  return {
    app,
    context,
    database,
    clock,
    admin,
    manager,
    analyst,
    operator,
    emergency,
    viewer,
    assetIds,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

interface FactsInput {
  readonly host: (typeof hosts)[number]['name'];
  readonly assetId: string;
  readonly waves: readonly string[];
  /** The wave a host failed in, with the failure's kind and step. */
  readonly failure?: { wave: string; kind: string; step: string | null };
  readonly planned?: { start: string; end: string };
  readonly overrunMinutes?: number;
}

/** Review facts as the rollouts context records them, by hand. */
function facts(input: FactsInput, recordedAt: string): ReviewFacts {
  const planned = input.planned ?? { start: null, end: null };
  const overrun = input.overrunMinutes ?? null;
  const actualEnd =
    input.planned === undefined || overrun === null
      ? null
      : new Date(Date.parse(input.planned.end) + overrun * 60_000).toISOString();
  const host = (outcome: string) => ({
    assetId: input.assetId,
    assetName: input.host,
    outcome,
    before: [{ name: 'openssl', version: '3.0.15-1~deb12u1' }],
    after: [{ name: 'openssl', version: '3.0.17-1~deb12u2' }],
    versionsConfirmed: true,
    rebootPending: false,
  });
  return {
    rolloutId: `rollout-${recordedAt}`,
    outcome: input.failure === undefined ? 'completed' : 'halted',
    planned,
    actual: { start: planned.start, end: actualEnd },
    startDelayMinutes: input.planned === undefined ? null : 0,
    overrunMinutes: overrun,
    waves: input.waves.map((name, i) => ({
      name,
      state: input.failure?.wave === name ? 'failed' : 'succeeded',
      hosts: i === 0 ? [host(input.failure?.wave === name ? 'failed' : 'succeeded')] : [],
    })),
    failures:
      input.failure === undefined
        ? []
        : [
            {
              assetId: input.assetId,
              assetName: input.host,
              wave: input.failure.wave,
              taskId: null,
              kind: input.failure.kind,
              step: input.failure.step,
              detail: `${input.failure.kind} failed`,
              log: ['exit status 1'],
            },
          ],
    rollbacks: [],
    findings: { linked: 0, closed: 0, closedByChange: 0, dueMet: 0, dueMissed: 0, items: [] },
    recordedAt,
  };
}

/** A finding as the findings context stores it (past times: the service stamps "now"). */
function findingRow(
  asset: { id: string; name: string },
  over: Partial<DatabaseSchema['findings']>,
): DatabaseSchema['findings'] {
  const id = randomUUID();
  return {
    id,
    asset_id: asset.id,
    ecosystem: 'Debian:12',
    package_name: `pkg-${id.slice(0, 6)}`,
    package_version: '1.0',
    source_name: null,
    advisory_id: `DSA-${id.slice(0, 8)}`,
    advisory_summary: null,
    aliases_json: '[]',
    match_json: '{}',
    state: 'open',
    first_seen_at: '2026-10-01T00:00:00.000Z',
    last_seen_at: '2026-10-01T00:00:00.000Z',
    snapshot_id: null,
    fixed_at: null,
    reopened_at: null,
    priority: 'P2',
    due_date: null,
    due_key: over.due_date ?? '9999-12-31',
    severity: 'high',
    kev: 0,
    epss: null,
    epss_key: -1,
    decision_json: JSON.stringify({ explanation: { policy: { name: 'default' } } }),
    asset_name: asset.name,
    environment: 'production',
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
    fixed_by_change_id: null,
    updated_at: '2026-10-01T00:00:00.000Z',
    ...over,
  };
}

describe.each(testDatabases())('the improvement loop on $name', ({ open, skip }) => {
  let current: World | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  /** A change through the API, then its rollout's facts recorded at `at`. */
  async function changeWithFacts(
    w: World,
    body: Record<string, unknown>,
    input: Omit<FactsInput, 'assetId'>,
    at: string,
  ): Promise<ApiChange> {
    w.clock.set(at);
    const change = await call<ApiChange>(w.app, w.operator, 'POST', '/api/v1/changes', 201, body);
    const assetId = w.assetIds[input.host] ?? '';
    await w.database.db
      .transaction()
      .execute((trx) =>
        prefillReview(
          trx,
          w.database.dialect,
          w.clock,
          change.id,
          facts({ ...input, assetId }, at),
        ),
      );
    return change;
  }

  const patch = (asset: string, pkg: string) => ({
    patches: [
      {
        asset,
        package: pkg,
        toVersion: pkg === 'openssl' ? '3.0.17-1~deb12u2' : '15.10-0+deb12u1',
      },
    ],
  });

  async function auditActions(w: World, subjectId: string): Promise<string[]> {
    const rows = await w.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', subjectId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.action);
  }

  it.skipIf(skip !== undefined)(
    'openssl failed in the canary 2 of 5 times: the recommendation, its evidence, accepting edits the template',
    async () => {
      const w = (current = await world(open));
      await call(w.app, w.manager, 'PUT', '/api/v1/change-templates/openssl-updates', 200, {
        description: 'openssl security updates',
        criteria: { onlySecurityOrigin: false, maxRisk: 'high' },
        defaultPlans: {
          deploymentPlan: {
            waves: [
              {
                name: 'canary',
                share: 1,
                healthChecks: [{ kind: 'http', url: 'http://localhost/healthz' }],
              },
              { name: 'rest' },
            ],
          },
        },
      });
      const numbers: string[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const failed = i === 1 || i === 3;
        const change = await changeWithFacts(
          w,
          { title: `openssl ${i}`, template: 'openssl-updates', ...patch('web-01', 'openssl') },
          {
            host: 'web-01',
            waves: ['canary', 'rest'],
            ...(failed && { failure: { wave: 'canary', kind: 'health-check', step: 'http' } }),
          },
          `2026-11-0${i + 2}T10:00:00.000Z`,
        );
        numbers.push(change.number);
        ids.push(change.id);
      }
      w.clock.set('2026-11-20T08:00:00.000Z');

      // Readers read, only improvements:manage refreshes.
      await call(w.app, w.analyst, 'POST', '/api/v1/recommendations/refresh', 403);
      await call(w.app, w.viewer, 'GET', '/api/v1/recommendations', 403);
      const refreshed = await call<{ created: number; open: number }>(
        w.app,
        w.manager,
        'POST',
        '/api/v1/recommendations/refresh',
        200,
      );
      expect(refreshed).toMatchObject({ created: 1, updated: 0, resolved: 0, open: 1 });

      const { recommendations } = await call<{ recommendations: Recommendation[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/recommendations?state=open',
        200,
      );
      expect(recommendations.map((r) => r.subjectKey)).toEqual(['canary-failures:openssl']);
      const rec = recommendations[0] as Recommendation;
      expect(rec.title).toBe(
        'Changes to openssl failed in the canary wave 2 of 5 times: add a test wave to the template openssl-updates',
      );
      expect(rec.evidence.counts).toEqual({ changes: 5, failedInFirstWave: 2 });
      expect(rec.evidence.period).toEqual({ from: '2026-08-22', to: '2026-11-20' });
      expect(rec.evidence.changes.map((c) => c.number)).toEqual(numbers);
      expect(rec.evidence.changes.map((c) => c.note)).toEqual([
        'first wave canary passed',
        '1 host failed in first wave canary: health-check at http',
        'first wave canary passed',
        '1 host failed in first wave canary: health-check at http',
        'first wave canary passed',
      ]);
      expect(rec.action).toEqual({
        kind: 'add-test-wave',
        template: 'openssl-updates',
        wave: { name: 'test', environments: ['test', 'development', 'staging'], bakeMinutes: 60 },
      });

      // A second refresh with nothing new changes nothing (one open per subject).
      expect(
        await call(w.app, w.manager, 'POST', '/api/v1/recommendations/refresh', 200),
      ).toMatchObject({ created: 0, updated: 0, resolved: 0, open: 1 });

      // Trends: the package and the canary wave.
      const trends = await call<ReviewTrends>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/review-trends?from=2026-11-01&to=2026-11-30',
        200,
      );
      expect(trends.changes).toBe(5);
      expect(trends.failedChanges).toBe(2);
      expect(trends.packages).toEqual([
        {
          package: 'openssl',
          changes: 5,
          failedChanges: 2,
          failedInFirstWave: 2,
          failureRate: 0.4,
          failed: [1, 3].map((i) => ({ id: ids[i], number: numbers[i] })),
        },
      ]);
      expect(trends.waves.map((x) => [x.wave, x.position, x.changes, x.caught])).toEqual([
        ['canary', 0, 5, 2],
        ['rest', 1, 5, 0],
      ]);
      expect(trends.failureCauses.map((c) => [c.cause, c.failures, c.changes.length])).toEqual([
        ['health-check at http', 2, 2],
      ]);
      expect(trends.assetGroups.map((g) => [g.group, g.changes, g.failedChanges])).toEqual([
        ['web', 5, 2],
      ]);
      await call(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/review-trends?from=2026-12-01&to=2026-11-01',
        422,
      );

      // Dismissing needs a reason; a lower role may not decide.
      const url = `/api/v1/recommendations/${rec.id}`;
      await call(w.app, w.manager, 'POST', `${url}/dismiss`, 400, {});
      await call(w.app, w.manager, 'POST', `${url}/dismiss`, 400, { reason: '   ' });
      await call(w.app, w.analyst, 'POST', `${url}/accept`, 403, {});
      await call(w.app, w.operator, 'POST', `${url}/dismiss`, 403, { reason: 'no' });
      await call(
        w.app,
        w.manager,
        'POST',
        '/api/v1/recommendations/00000000-0000-4000-8000-000000000009/accept',
        404,
        {},
      );

      const accepted = await call<Recommendation>(w.app, w.manager, 'POST', `${url}/accept`, 200, {
        reason: 'two canary failures are too many',
      });
      expect(accepted).toMatchObject({
        state: 'accepted',
        decidedBy: 'max-manager',
        reason: 'two canary failures are too many',
        applied: {
          kind: 'add-test-wave',
          template: 'openssl-updates',
          before: { version: 1, waves: ['canary', 'rest'] },
          after: { version: 2, waves: ['test', 'canary', 'rest'] },
        },
      });
      const template = await call<{
        version: number;
        defaultPlans: {
          deploymentPlan: {
            waves: {
              name: string;
              selector?: unknown;
              healthChecks: unknown[];
              bakeMinutes: number;
            }[];
          };
        };
      }>(w.app, w.analyst, 'GET', '/api/v1/change-templates/openssl-updates', 200);
      expect(template.version).toBe(2);
      expect(template.defaultPlans.deploymentPlan.waves[0]).toMatchObject({
        name: 'test',
        selector: { environments: ['test', 'development', 'staging'] },
        bakeMinutes: 60,
        healthChecks: [{ kind: 'http', url: 'http://localhost/healthz' }],
      });
      await call(w.app, w.manager, 'POST', `${url}/accept`, 409, {});
      await call(w.app, w.manager, 'POST', `${url}/dismiss`, 409, { reason: 'late' });
      expect(await auditActions(w, rec.id)).toEqual(['improvement.recommendation-accepted']);
      expect(await auditActions(w, 'openssl-updates')).toEqual([
        'change_template.saved',
        'change_template.saved',
      ]);

      // The decision stands until newer evidence: a refresh does not reopen the subject…
      expect(
        await call(w.app, w.manager, 'POST', '/api/v1/recommendations/refresh', 200),
      ).toMatchObject({ created: 0, open: 0 });
      // …until another change fails in its canary after the decision.
      await changeWithFacts(
        w,
        { title: 'openssl 5', template: 'openssl-updates', ...patch('web-01', 'openssl') },
        {
          host: 'web-01',
          waves: ['canary', 'rest'],
          failure: { wave: 'canary', kind: 'install', step: 'apt-get' },
        },
        '2026-11-21T10:00:00.000Z',
      );
      expect(
        await call(w.app, w.manager, 'POST', '/api/v1/recommendations/refresh', 200),
      ).toMatchObject({ created: 1, open: 1 });
      const again = await call<{ recommendations: Recommendation[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/recommendations?state=open',
        200,
      );
      expect(again.recommendations.map((r) => r.title)).toEqual([
        'Changes to openssl failed in the canary wave 3 of 6 times: add a test wave to the template openssl-updates',
      ]);
      // Accepting it again finds the test wave already there: 409, nothing changes.
      await call(
        w.app,
        w.manager,
        'POST',
        `/api/v1/recommendations/${again.recommendations[0]?.id ?? ''}/accept`,
        409,
        {},
      );
      expect(
        (
          await call<{ version: number }>(
            w.app,
            w.analyst,
            'GET',
            '/api/v1/change-templates/openssl-updates',
            200,
          )
        ).version,
      ).toBe(2);
      // It stays open; dismissed with a reason, audited.
      const reopened = again.recommendations[0] as Recommendation;
      const dismissed = await call<Recommendation>(
        w.app,
        w.manager,
        'POST',
        `/api/v1/recommendations/${reopened.id}/dismiss`,
        200,
        { reason: 'the test wave is in place since version 2' },
      );
      expect(dismissed).toMatchObject({
        state: 'dismissed',
        decidedBy: 'max-manager',
        reason: 'the test wave is in place since version 2',
        applied: null,
      });
      expect(await auditActions(w, reopened.id)).toEqual(['improvement.recommendation-dismissed']);
      expect((await verifyAuditChain(w.database.db)).ok).toBe(true);
    },
  );

  it.skipIf(skip !== undefined)(
    'a window that overran 3 times is lengthened; recurring causes become follow-ups; review follow-ups are tracked to closure',
    async () => {
      const w = (current = await world(open));
      const window = await call<{ id: string; durationMinutes: number }>(
        w.app,
        w.manager,
        'POST',
        '/api/v1/calendar/windows',
        201,
        {
          name: 'db-sunday',
          rrule: 'FREQ=WEEKLY;BYDAY=SU',
          dtstart: '2026-09-06T22:00',
          timeZone: 'UTC',
          durationMinutes: 120,
          selector: { groups: ['db'] },
        },
      );
      // Four changes in the Sunday window on db-01, three overrunning (10, 25, 20 minutes), the
      // same three failing at the same step; two clean changes on web-01 outside any window.
      const sundays = ['2026-11-08', '2026-11-15', '2026-11-22', '2026-11-29'];
      const overruns = [10, 25, 20, 0];
      const db: string[] = [];
      const dbIds: string[] = [];
      for (const [i, day] of sundays.entries()) {
        const overrun = overruns[i] ?? 0;
        const change = await changeWithFacts(
          w,
          { title: `postgres ${day}`, ...patch('db-01', 'postgresql-15') },
          {
            host: 'db-01',
            waves: ['all'],
            planned: {
              start: `${day}T22:00:00.000Z`,
              end: `${day}T24:00:00.000Z`.replace('T24:00', 'T23:59'),
            },
            overrunMinutes: overrun,
            ...(overrun > 0 && {
              failure: { wave: 'all', kind: 'install', step: 'apt-get install' },
            }),
          },
          `${day}T23:59:00.000Z`,
        );
        db.push(change.number);
        dbIds.push(change.id);
      }
      for (const day of ['2026-11-10', '2026-11-12'])
        await changeWithFacts(
          w,
          { title: `openssl ${day}`, ...patch('web-01', 'openssl') },
          {
            host: 'web-01',
            waves: ['all'],
            planned: { start: `${day}T12:00:00.000Z`, end: `${day}T13:00:00.000Z` },
            overrunMinutes: 0,
          },
          `${day}T13:00:00.000Z`,
        );

      // A review with a follow-up, written by the implementer of an emergency change.
      w.clock.set('2026-11-30T09:00:00.000Z');
      const emergencyChange = await call<ApiChange>(
        w.app,
        w.operator,
        'POST',
        '/api/v1/changes',
        201,
        {
          title: 'KEV on db-01',
          type: 'emergency',
          ...patch('db-01', 'postgresql-15'),
          plans: rolloutPlans,
        },
      );
      const curl = `/api/v1/changes/${emergencyChange.id}`;
      await call(w.app, w.operator, 'POST', `${curl}/submit`, 200, {});
      await call(w.app, w.operator, 'POST', `${curl}/schedule`, 200, {
        start: '2026-11-30T10:00:00Z',
      });
      await call(w.app, w.emergency, 'POST', `${curl}/approve`, 200, {});
      w.clock.set('2026-11-30T10:01:00.000Z');
      await call(w.app, w.operator, 'POST', `${curl}/start`, 200, {});
      await call(w.app, w.operator, 'POST', `${curl}/complete`, 200, {});
      await call(w.app, w.operator, 'PUT', `${curl}/review`, 200, {
        wentWell: 'done in ten minutes',
        lessons: 'replication lag was not watched',
        followUps: [
          { action: 'add a replica lag check', owner: 'db-team', dueAt: '2026-12-15' },
          { action: 'document the failover', owner: 'db-team', dueAt: '2026-12-05', done: true },
        ],
      });

      w.clock.set('2026-12-01T06:00:00.000Z');
      expect(await call(w.app, w.manager, 'POST', '/api/v1/recommendations/refresh', 200)).toEqual({
        created: 2,
        updated: 0,
        resolved: 0,
        actionsFromReviews: 2,
        open: 2,
      });
      const { recommendations } = await call<{ recommendations: Recommendation[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/recommendations',
        200,
      );
      const byKey = new Map(recommendations.map((r) => [r.subjectKey, r]));
      // db: 3 of 4 changes failed, overall 3 of 6 (50 %): not twice as often, no group rule.
      expect([...byKey.keys()].sort()).toEqual([
        'failure-cause:install at apt-get install',
        `window-overrun:${window.id}`,
      ]);
      const overrun = byKey.get(`window-overrun:${window.id}`) as Recommendation;
      expect(overrun.title).toBe('Window db-sunday overran 3 times: lengthen it by 30 minutes');
      expect(overrun.evidence.counts).toEqual({
        changes: 4,
        overruns: 3,
        maxOverrunMinutes: 25,
        durationMinutes: 120,
      });
      expect(overrun.evidence.changes.map((c) => c.number)).toEqual(db.slice(0, 3));
      expect(overrun.action).toEqual({
        kind: 'lengthen-window',
        windowId: window.id,
        windowName: 'db-sunday',
        byMinutes: 30,
      });

      const trends = await call<ReviewTrends>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/review-trends?to=2026-12-01',
        200,
      );
      expect(trends.period).toEqual({ from: '2026-09-02', to: '2026-12-01' });
      expect(trends.windows).toEqual([
        {
          windowId: window.id,
          windowName: 'db-sunday',
          durationMinutes: 120,
          changes: 4,
          overruns: 3,
          maxOverrunMinutes: 25,
          overran: db
            .slice(0, 3)
            .map((number, i) => ({ id: dbIds[i], number, overrunMinutes: overruns[i] })),
        },
        {
          windowId: null,
          windowName: '(outside any window)',
          durationMinutes: null,
          changes: 2,
          overruns: 0,
          maxOverrunMinutes: null,
          overran: [],
        },
      ]);

      // Accepting lengthens the window through the calendar, audited there and here.
      w.clock.set('2026-12-01T07:00:00.000Z');
      const accepted = await call<Recommendation>(
        w.app,
        w.manager,
        'POST',
        `/api/v1/recommendations/${overrun.id}/accept`,
        200,
        {},
      );
      expect(accepted.applied).toEqual({
        kind: 'lengthen-window',
        windowId: window.id,
        before: { durationMinutes: 120 },
        after: { durationMinutes: 150 },
      });
      expect(
        (
          await call<{ durationMinutes: number }>(
            w.app,
            w.analyst,
            'GET',
            `/api/v1/calendar/windows/${window.id}`,
            200,
          )
        ).durationMinutes,
      ).toBe(150);
      expect(await auditActions(w, window.id)).toEqual([
        'calendar.window-created',
        'calendar.window-updated',
      ]);

      // The recurring cause: accepting it opens a follow-up action.
      const cause = byKey.get('failure-cause:install at apt-get install') as Recommendation;
      expect(cause.evidence.counts).toEqual({ changes: 3, failures: 3 });
      const fromCause = await call<Recommendation>(
        w.app,
        w.manager,
        'POST',
        `/api/v1/recommendations/${cause.id}/accept`,
        200,
        { reason: 'the mirror again' },
      );
      const actionId = (fromCause.applied as { actionId: string }).actionId;
      expect(fromCause.applied).toEqual({
        kind: 'follow-up',
        actionId,
        before: null,
        after: { actionId },
      });
      expect(await auditActions(w, cause.id)).toEqual(['improvement.recommendation-accepted']);
      expect(await auditActions(w, actionId)).toEqual(['improvement.action-created']);

      // Follow-ups from the review, tracked to closure.
      const openActions = await call<{ actions: ImprovementAction[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/improvement-actions?state=open',
        200,
      );
      expect(openActions.actions).toEqual([
        expect.objectContaining({
          id: actionId,
          source: 'recommendation',
          recommendationId: cause.id,
          changeId: dbIds[0],
          title: 'Find and remove the cause of recurring install at apt-get install failures',
          owner: null,
          dueDate: '2026-12-15',
          state: 'open',
        }),
        expect.objectContaining({
          source: 'review',
          changeId: emergencyChange.id,
          title: 'add a replica lag check',
          owner: 'db-team',
          dueDate: '2026-12-15',
          state: 'open',
          overdue: false,
        }),
      ]);
      const done = await call<{ actions: ImprovementAction[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/improvement-actions?state=done',
        200,
      );
      expect(done.actions.map((a) => a.title)).toEqual(['document the failover']);
      const action = openActions.actions[1] as ImprovementAction;
      const aurl = `/api/v1/improvement-actions/${action.id}`;
      await call(w.app, w.analyst, 'PATCH', aurl, 403, { state: 'done' });
      await call(w.app, w.manager, 'PATCH', aurl, 422, { dueDate: '15/12/2026' });
      await call(w.app, w.manager, 'PATCH', aurl, 422, {});
      w.clock.set('2026-12-16T09:00:00.000Z');
      expect(
        (
          await call<ImprovementAction>(w.app, w.manager, 'PATCH', aurl, 200, {
            note: 'waiting for monitoring',
          })
        ).overdue,
      ).toBe(true);
      const closed = await call<ImprovementAction>(w.app, w.manager, 'PATCH', aurl, 200, {
        state: 'done',
      });
      expect(closed).toMatchObject({
        state: 'done',
        closedBy: 'max-manager',
        closedAt: '2026-12-16T09:00:00.000Z',
        overdue: false,
        note: 'waiting for monitoring',
      });
      await call(w.app, w.manager, 'PATCH', aurl, 409, { state: 'cancelled' });
      expect(await auditActions(w, action.id)).toEqual([
        'improvement.action-updated',
        'improvement.action-closed',
      ]);

      // By hand; a refresh does not track the review's follow-ups twice.
      await call(w.app, w.analyst, 'POST', '/api/v1/improvement-actions', 403, { title: 'x' });
      const manual = await call<ImprovementAction>(
        w.app,
        w.manager,
        'POST',
        '/api/v1/improvement-actions',
        201,
        {
          title: 'Add a second DB window',
          owner: 'db-team',
          dueDate: '2027-01-10',
        },
      );
      expect(manual).toMatchObject({ source: 'manual', state: 'open', changeId: null });
      await call(
        w.app,
        w.manager,
        'PATCH',
        '/api/v1/improvement-actions/00000000-0000-4000-8000-000000000009',
        404,
        { state: 'done' },
      );
      w.clock.set('2026-12-17T09:00:00.000Z');
      expect(
        await call(w.app, w.manager, 'POST', '/api/v1/recommendations/refresh', 200),
      ).toMatchObject({
        created: 0,
        actionsFromReviews: 0,
      });
      expect((await verifyAuditChain(w.database.db)).ok).toBe(true);
    },
  );

  it.skipIf(skip !== undefined)(
    'P2 SLA compliance of a team fell from 100 % to 40 %: the recommendation from the metrics, accepted as a follow-up',
    async () => {
      const w = (current = await world(open));
      // The jobs the world's uploads queued (reconciling the assets) run first: a reconcile
      // would settle the hand-written findings below.
      const runner = new JobRunner(w.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerJobs(runner, w.context);
      const drain = async () => {
        const outcomes = [];
        for (let i = 0; i < 50; i++) {
          const outcome = await runner.runOnce();
          if (outcome === undefined) return outcomes;
          outcomes.push(outcome);
        }
        throw new Error('the job queue does not drain');
      };
      await drain();
      const web = { id: w.assetIds['web-01'] ?? '', name: 'web-01' };
      const fixed = (due: string, on: string) =>
        findingRow(web, { due_date: due, state: 'fixed', fixed_at: `${on}T12:00:00.000Z` });
      const rows = [
        // The 30 days before (3 Oct – 1 Nov): 6 of 6 fixed by their due date.
        ...Array.from({ length: 6 }, () => fixed('2026-10-20', '2026-10-15')),
        // The last 30 days (2 Nov – 1 Dec): 2 on time, 1 late, 2 still open past 10 Nov.
        fixed('2026-11-10', '2026-11-05'),
        fixed('2026-11-10', '2026-11-05'),
        fixed('2026-11-10', '2026-11-20'),
        findingRow(web, { due_date: '2026-11-10' }),
        findingRow(web, { due_date: '2026-11-10' }),
        // Another team's and another priority's findings do not move team web-team's P2 figure.
        findingRow({ id: w.assetIds['db-01'] ?? '', name: 'db-01' }, { due_date: '2026-11-10' }),
        findingRow(web, { priority: 'P3', due_date: '2026-11-10' }),
      ];
      await w.database.db.insertInto('findings').values(rows).execute();

      // The daily job refreshes, as the system.
      w.clock.set('2026-12-01T06:00:00.000Z');
      await enqueueTyped(w.database.db, w.clock, improvementJobs.refresh, {});
      const outcomes = await drain();
      expect(outcomes.filter((o) => o.kind === 'improvements.refresh').map((o) => o.state)).toEqual(
        ['succeeded'],
      );
      const refreshed = await w.database.db
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_name'])
        .where('action', '=', 'improvement.recommendations-refreshed')
        .execute();
      expect(refreshed).toEqual([
        { actor_type: 'system', actor_name: 'improvements daily refresh' },
      ]);
      const { recommendations } = await call<{ recommendations: Recommendation[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/recommendations?state=open',
        200,
      );
      expect(recommendations).toHaveLength(1);
      const rec = recommendations[0] as Recommendation;
      expect(rec).toMatchObject({
        rule: 'sla-drop',
        subjectKey: 'sla-drop:web-team:P2',
        title: 'P2 SLA compliance fell from 100 % to 40 % for team web-team: 2 overdue',
      });
      expect(rec.evidence.period).toEqual({ from: '2026-10-03', to: '2026-12-01' });
      expect(rec.evidence.counts).toEqual({
        previousMet: 6,
        previousCounted: 6,
        previousPercent: 100,
        currentMet: 2,
        currentCounted: 5,
        currentPercent: 40,
        overdue: 2,
      });
      expect(rec.evidence.facts).toMatchObject({
        team: 'web-team',
        priority: 'P2',
        previous: { from: '2026-10-03', to: '2026-11-01' },
        current: { from: '2026-11-02', to: '2026-12-01' },
      });

      const accepted = await call<Recommendation>(
        w.app,
        w.manager,
        'POST',
        `/api/v1/recommendations/${rec.id}/accept`,
        200,
        {},
      );
      const actionId = (accepted.applied as { actionId: string }).actionId;
      const { actions } = await call<{ actions: ImprovementAction[] }>(
        w.app,
        w.analyst,
        'GET',
        '/api/v1/improvement-actions?state=open',
        200,
      );
      expect(actions).toEqual([
        expect.objectContaining({
          id: actionId,
          source: 'recommendation',
          recommendationId: rec.id,
          changeId: null,
          title: "Find why team web-team's P2 findings miss their due dates (2 overdue)",
          owner: 'web-team',
          dueDate: '2026-12-15',
        }),
      ]);
      // The decision holds for the period it was made in.
      w.clock.set('2026-12-02T06:00:00.000Z');
      expect(
        await call(w.app, w.manager, 'POST', '/api/v1/recommendations/refresh', 200),
      ).toMatchObject({ created: 0, open: 0 });
    },
  );
});
