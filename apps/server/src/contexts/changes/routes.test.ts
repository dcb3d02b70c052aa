import type { ChangePlansInput } from '@patchgate/changes';
import { schemeForEcosystem } from '@patchgate/versioning';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { reconcileAsset } from '../findings/index.ts';
import {
  exampleAdvisories,
  exampleInventory,
  manualClock,
  memoryInputs,
  plainAsset,
} from '../findings/test-support.ts';
import type { ApiChange, ChangeDetail, ChangeList } from './schema.ts';
import { call, rolloutPlans } from './test-support.ts';
import type { ChangeExport, ExportVerification } from './export.ts';
import { createChange, describeChange, scheduledChanges } from './index.ts';
import { systemActor } from '../audit/index.ts';

/**
 * The world of these tests: a real app on a real database with the repository's example Debian
 * host and its findings (reconciled from the real example advisories), a second asset with an
 * uploaded inventory, and users in the approver groups the default policy names.
 */
type TestApp = Awaited<ReturnType<typeof testApp>>['app'];

const hostId = '00000000-0000-4000-8000-000000000001';

interface ChangeWorld {
  readonly app: TestApp;
  readonly database: Database;
  readonly clock: ReturnType<typeof manualClock>;
  /** operator: changes:request and changes:implement. */
  readonly requester: TestCaller;
  /** change_manager: request, approve, manage. */
  readonly manager: TestCaller;
  /** In the service-owners group. */
  readonly owner: TestCaller;
  /** Two CAB members. */
  readonly cab1: TestCaller;
  readonly cab2: TestCaller;
  /** In the emergency group. */
  readonly emergency: TestCaller;
  readonly viewer: TestCaller;
  readonly admin: TestCaller;
  close(): Promise<void>;
}

async function changeWorld(open: () => Promise<Database>): Promise<ChangeWorld> {
  const database = await open();
  const clock = manualClock('2026-12-01T09:00:00.000Z');
  const { index, facts } = await exampleAdvisories();
  const inputs = memoryInputs(index, facts);
  inputs.setAsset({
    ...plainAsset(hostId, 'debian-host', ['linux', 'web']),
    context: { exposure: 'internet', environment: 'production', criticality: 'high', tags: [] },
  });
  inputs.setInventory(hostId, {
    snapshotId: 's1',
    takenAt: '2026-12-01T08:00:00.000Z',
    inventory: exampleInventory('host'),
  });
  await reconcileAsset(database, clock, inputs, hostId);
  await database.db
    .insertInto('assets')
    .values({
      id: hostId,
      name: 'debian-host',
      kind: 'host',
      os_release: 'Debian:12',
      environment: 'production',
      criticality: 'high',
      exposure: 'internet',
      owner_team: 'web-team',
      tags_json: '[]',
      groups_json: '["linux","web"]',
      maintenance_window: null,
      created_at: '2026-12-01T08:00:00.000Z',
      updated_at: '2026-12-01T08:00:00.000Z',
      current_snapshot_id: null,
    })
    .execute();
  const built = await testApp(database, clock);
  const app = built.app;
  const requester = await testCaller(database, ['operator'], 'rita-requester');
  const manager = await testCaller(database, ['change_manager'], 'max-manager');
  const owner = await testCaller(database, ['approver'], 'olga-owner');
  const cab1 = await testCaller(database, ['approver'], 'carl-cab');
  const cab2 = await testCaller(database, ['approver'], 'cora-cab');
  const emergency = await testCaller(database, ['approver'], 'emil-emergency');
  const viewer = await testCaller(database, ['viewer'], 'vera-viewer');
  const admin = await testCaller(database, ['admin'], 'ada-admin');

  for (const [group, users] of [
    ['service-owners', [owner, manager]],
    ['cab', [cab1, cab2, manager]],
    ['emergency', [emergency]],
  ] as const) {
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/approver-groups/${group}/members`,
      headers: admin.headers,
      payload: { add: users.map((u) => u.username) },
    });
    if (response.statusCode !== 200)
      throw new Error(`adding ${group} members: ${response.statusCode} ${response.body}`);
  }

  // web-02: a staging host with an uploaded inventory (openssl), no findings.
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/assets',
    headers: admin.headers,
    payload: {
      name: 'web-02',
      osRelease: 'Debian:12',
      environment: 'production',
      criticality: 'medium',
      groups: ['web'],
    },
  });
  if (created.statusCode !== 201) throw new Error(`web-02: ${created.body}`);
  const upload = await app.inject({
    method: 'POST',
    url: '/api/v1/assets/web-02/snapshots',
    headers: admin.headers,
    payload: {
      packages: [
        { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' },
        { ecosystem: 'Debian:12', name: 'nginx', version: '1.22.1-9' },
      ],
    },
  });
  if (upload.statusCode !== 201) throw new Error(`web-02 snapshot: ${upload.body}`);

  return {
    app,
    database,
    clock,
    requester,
    manager,
    owner,
    cab1,
    cab2,
    emergency,
    viewer,
    admin,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A plans document valid for normal and emergency changes on web-02 / debian-host. */
const normalPlans = {
  testPlan: {
    summary: 'Smoke test on staging first.',
    steps: [{ description: 'Open the front page', expectedResult: 'HTTP 200' }],
  },
  ...rolloutPlans,
} satisfies ChangePlansInput;

interface Problem {
  status: number;
  code: string;
  detail: string;
}

describe.each(testDatabases())('change requests API on $name', ({ open, skip }) => {
  let world: ChangeWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function setUp() {
    world = await changeWorld(open);
    return world;
  }

  /** A normal change on web-02 (production) by `rita-requester`, with valid plans. */
  async function draft(w: ChangeWorld, overrides: Record<string, unknown> = {}) {
    return call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
      title: 'openssl on web-02',
      patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
      plans: normalPlans,
      ...overrides,
    });
  }

  async function refused(
    w: ChangeWorld,
    caller: ChangeWorld['requester'],
    method: 'POST' | 'PUT' | 'PATCH',
    url: string,
    payload: unknown,
    status = 409,
  ): Promise<Problem> {
    return call<Problem>(w.app, caller, method, url, status, payload);
  }

  /** Submit, then the default policy's production path: service owner, then two of the CAB. */
  async function approved(w: ChangeWorld, id: string) {
    await call(w.app, w.requester, 'POST', `/api/v1/changes/${id}/submit`, 200, {});
    await call(w.app, w.owner, 'POST', `/api/v1/changes/${id}/approve`, 200, {});
    await call(w.app, w.cab1, 'POST', `/api/v1/changes/${id}/approve`, 200, { comment: 'ok' });
    return call(w.app, w.cab2, 'POST', `/api/v1/changes/${id}/approve`, 200, {});
  }

  it.skipIf(skip !== undefined)(
    'creates by hand: pinned, fixed-by-findings and latest patches; 422s name the field',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      expect(change).toMatchObject({
        number: 'CHG-0001',
        state: 'draft',
        type: 'normal',
        planVersion: 1,
        requester: { name: 'rita-requester' },
        counts: { assets: 1, patches: 1, findings: 0 },
        createdBy: { rule: null, reason: null },
      });
      const detail = await call(w.app, w.viewer, 'GET', '/api/v1/changes/CHG-0001', 200);
      expect(detail.patches).toEqual([
        {
          assetId: detail.assets[0]?.id,
          assetName: 'web-02',
          ecosystem: 'Debian:12',
          package: 'openssl',
          fromVersion: '3.0.15-1~deb12u1',
          toVersion: '3.0.17-1~deb12u2',
          mode: 'pinned',
          origin: null,
        },
      ]);
      expect(detail.history).toMatchObject([
        { from: null, to: 'draft', action: 'create', actor: { name: 'rita-requester' } },
      ]);
      expect(detail.planCheck).toEqual({ ok: true, errors: [] });

      const latest = await call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
        title: 'nginx',
        patches: [{ asset: 'web-02', package: 'nginx' }],
      });
      const latestDetail = await call(w.app, w.viewer, 'GET', `/api/v1/changes/${latest.id}`, 200);
      expect(latestDetail.patches[0]).toMatchObject({ toVersion: null, mode: 'latest' });
      // No plans given: the default deployment plan for its assets, not yet valid for a normal change.
      expect(latestDetail.plans.deploymentPlan?.waves.length).toBeGreaterThan(0);
      expect(latestDetail.planCheck.ok).toBe(false);

      const cases: [unknown, string][] = [
        [{ title: 'x', patches: [{ asset: 'nope', package: 'openssl' }] }, 'body.patches[0].asset'],
        [
          { title: 'x', patches: [{ asset: 'web-02', package: 'left-pad' }] },
          'body.patches[0].package',
        ],
        [{ title: 'x' }, 'body.patches'],
        [{ title: 'x', findings: { package: 'no-such-package' } }, 'body.findings'],
        [
          { title: 'x', findings: { ids: ['00000000-0000-4000-8000-00000000dead'] } },
          'body.findings.ids',
        ],
      ];
      for (const [payload, field] of cases) {
        const problem = await call<Problem & { errors: { field: string }[] }>(
          w.app,
          w.requester,
          'POST',
          '/api/v1/changes',
          422,
          payload,
        );
        expect(problem.errors.map((e) => e.field)).toContain(field);
      }
      await call(w.app, w.viewer, 'POST', '/api/v1/changes', 403, { title: 'x', patches: [] });
      await call(w.app, w.viewer, 'GET', '/api/v1/changes/CHG-0404', 404);
    },
  );

  it.skipIf(skip !== undefined)(
    'creates from findings: the lowest fixed version closing every linked finding',
    async () => {
      const w = await setUp();
      // package=curl names the source package too: libcurl4 & co. (source curl) are patched.
      const all = await call<{
        findings: {
          id: string;
          fixedVersions: string[];
          advisory: { cves: string[] };
          package: { name: string; sourceName: string | null };
        }[];
      }>(w.app, w.viewer, 'GET', `/api/v1/findings?asset=debian-host&limit=500`, 200);
      const ofCurl = all.findings.filter(
        (f) => f.package.name === 'curl' || f.package.sourceName === 'curl',
      );
      const binaries = [...new Set(ofCurl.map((f) => f.package.name))].sort();
      expect(binaries).toContain('libcurl4');
      expect(binaries).toContain('curl');
      const findings = { findings: ofCurl.filter((f) => f.package.name === 'curl') };
      expect(findings.findings.length).toBeGreaterThan(1);
      const change = await call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
        title: 'curl on debian-host',
        findings: { package: 'curl', asset: 'debian-host' },
      });
      expect(change.counts).toEqual({
        assets: 1,
        patches: binaries.length,
        findings: ofCurl.length,
      });
      const detail = await call(w.app, w.viewer, 'GET', `/api/v1/changes/${change.id}`, 200);
      expect(detail.assets).toMatchObject([
        { id: hostId, name: 'debian-host', environment: 'production', owner: 'web-team' },
      ]);
      expect(detail.patches.map((p) => p.package).sort()).toEqual(binaries);
      expect(detail.patches.find((p) => p.package === 'curl')).toMatchObject({
        assetId: hostId,
        package: 'curl',
        fromVersion: '7.88.1-10+deb12u14',
        mode: 'fixed',
      });
      // Every linked finding is closed by the target: no fixed version of any is above it.
      const target = detail.patches.find((p) => p.package === 'curl')?.toVersion ?? '';
      expect(target).not.toBe('');
      const dpkg = schemeForEcosystem('Debian:12');
      if (dpkg === undefined) throw new Error('no Debian version scheme');
      const cmp = (a: string, b: string) => {
        const pa = dpkg.parse(a);
        const pb = dpkg.parse(b);
        if (!pa.ok || !pb.ok) throw new Error(`unparseable ${a} or ${b}`);
        return dpkg.compareParsed(pa.value, pb.value);
      };
      const lowestFixes = findings.findings.map(
        (f) => f.fixedVersions.filter((v) => cmp(v, '7.88.1-10+deb12u14') > 0).sort(cmp)[0] ?? '',
      );
      // Every finding is closed by the target, and the target is the highest of their lowest fixes.
      for (const fix of lowestFixes) expect(cmp(target, fix)).toBeGreaterThanOrEqual(0);
      expect(lowestFixes).toContain(target);
      expect(new Set(detail.findings.map((f) => f.findingId))).toEqual(
        new Set(ofCurl.map((f) => f.id)),
      );
      expect(detail.findings.flatMap((f) => f.cves).sort()).toEqual(
        ofCurl.flatMap((f) => f.advisory.cves).sort(),
      );
      expect(detail.risk.factors.length).toBeGreaterThan(0);

      // By ids: the same findings.
      const byIds = await call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
        title: 'curl by ids',
        findings: { ids: findings.findings.map((f) => f.id) },
      });
      expect(byIds.counts.findings).toBe(findings.findings.length);
      // libcurl4 by its own name: its findings only.
      const lib = await call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
        title: 'libcurl4',
        findings: { package: 'libcurl4', asset: 'debian-host' },
      });
      expect(lib.counts).toMatchObject({
        patches: 1,
        findings: ofCurl.filter((f) => f.package.name === 'libcurl4').length,
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'submit → approvals (no self-approval, stages in order) → schedule → start → complete → close',
    async () => {
      const w = await setUp();
      const change = await call<ApiChange>(w.app, w.manager, 'POST', '/api/v1/changes', 201, {
        title: 'openssl by the change manager',
        patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
        plans: normalPlans,
      });
      const url = `/api/v1/changes/${change.id}`;
      // Approving a draft is refused by state.
      const early = await refused(w, w.owner, 'POST', `${url}/approve`, {});
      expect(early.detail).toMatch(/only in authorise/);

      const submitted = await call(w.app, w.manager, 'POST', `${url}/submit`, 200, {});
      expect(submitted.state).toBe('authorise');
      expect(submitted.history.map((t) => `${t.action}:${t.to}`)).toEqual([
        'create:draft',
        'submit:submitted',
        'assess:authorise',
      ]);
      const agenda = await call<{ changes: ChangeDetail[] }>(
        w.app,
        w.viewer,
        'GET',
        '/api/v1/changes/agenda',
        200,
      );
      expect(agenda.changes.map((c) => c.id)).toEqual([change.id]);

      // The requester may not approve their own change, though a member of both groups.
      const self = await refused(w, w.manager, 'POST', `${url}/approve`, {});
      expect(self.detail).toMatch(/separation of duties/i);
      // Stage order: the CAB cannot approve before the service owner.
      await call(w.app, w.owner, 'POST', `${url}/approve`, 200, {});
      await call(w.app, w.cab1, 'POST', `${url}/approve`, 200, {});
      const done = await call(w.app, w.cab2, 'POST', `${url}/approve`, 200, {});
      expect(done.state).toBe('authorise');
      expect(done.approvals.complete).toBe(true);

      // Approvals complete, no schedule: scheduling moves it on.
      const scheduled = await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-05T22:00:00Z',
      });
      expect(scheduled).toMatchObject({
        state: 'scheduled',
        schedule: { start: '2026-12-05T22:00:00.000Z', end: '2026-12-05T23:00:00.000Z' },
      });
      const notYet = await refused(w, w.requester, 'POST', `${url}/start`, {});
      expect(notYet.detail).toMatch(/scheduled start has not been reached/);
      w.clock.set('2026-12-05T22:00:00.000Z');
      expect((await call(w.app, w.requester, 'POST', `${url}/start`, 200, {})).state).toBe(
        'implementing',
      );
      expect((await call(w.app, w.requester, 'POST', `${url}/complete`, 200, {})).state).toBe(
        'review',
      );
      const closed = await call(w.app, w.requester, 'POST', `${url}/close`, 200, {});
      expect(closed.state).toBe('closed');
      expect(closed.history.map((t) => t.action)).toEqual([
        'create',
        'submit',
        'assess',
        'schedule',
        'start',
        'complete',
        'close',
      ]);
      const again = await refused(w, w.requester, 'POST', `${url}/cancel`, { reason: 'x' });
      expect(again.detail).toMatch(/cannot cancel a change in state closed/);
      // Every transition is in the audit log.
      const audit = await w.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', '=', change.id)
        .orderBy('seq')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining([
          'change.created',
          'change.submit',
          'change.assess',
          'change_approval.approved',
          'change.scheduled',
          'change.schedule',
          'change.start',
          'change.complete',
          'change.close',
        ]),
      );
      const events = await w.database.db
        .selectFrom('jobs')
        .select('payload_json')
        .where('kind', '=', 'event:change.state-changed')
        .execute();
      expect(
        events
          .map((e) => JSON.parse(e.payload_json) as { changeId: string; action: string })
          .filter((e) => e.changeId === change.id)
          .map((e) => e.action),
      ).toEqual(['create', 'submit', 'assess', 'schedule', 'start', 'complete', 'close']);
    },
  );

  it.skipIf(skip !== undefined)(
    'refuses a start in the past (beyond a minute of grace) with a 422 naming body.start',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}/schedule`;
      // The clock is 2026-12-01T09:00Z.
      const past = await refused(
        w,
        w.requester,
        'POST',
        url,
        { start: '2026-11-30T22:00:00Z' },
        422,
      );
      expect(past.detail).toBe(
        'body.start: 2026-11-30T22:00:00.000Z is in the past (it is 2026-12-01T09:00:00.000Z); give a start from now on',
      );
      await refused(w, w.requester, 'POST', url, { start: '2026-12-01T08:58:59Z' }, 422);
      expect(
        (await call(w.app, w.viewer, 'GET', `/api/v1/changes/${change.id}`, 200)).schedule,
      ).toBeNull();
      // Within the grace (the time it took to send it): taken.
      const now = await call(w.app, w.requester, 'POST', url, 200, {
        start: '2026-12-01T08:59:30Z',
      });
      expect(now.schedule?.start).toBe('2026-12-01T08:59:30.000Z');
    },
  );

  it.skipIf(skip !== undefined)(
    'edits title, description (until implementation) and type (drafts only), audited',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}`;
      const edited = await call(w.app, w.requester, 'PATCH', url, 200, {
        title: 'openssl on web-02, urgent',
        description: 'CVE-2026-42766 is exploited',
        type: 'emergency',
        reason: 'exploited in the wild',
      });
      expect(edited).toMatchObject({
        title: 'openssl on web-02, urgent',
        description: 'CVE-2026-42766 is exploited',
        type: 'emergency',
        state: 'draft',
        planVersion: 1,
      });
      // Nothing to change, a template on a non-standard type, an unknown template: refused.
      await refused(w, w.requester, 'PATCH', url, {}, 422);
      await refused(w, w.requester, 'PATCH', url, { type: 'normal', template: 'x' }, 422);
      await refused(w, w.requester, 'PATCH', url, { template: 'nope' }, 422);
      await call(w.app, w.viewer, 'PATCH', url, 403, { title: 'mine' });
      await call(w.app, w.requester, 'PATCH', '/api/v1/changes/CHG-0404', 404, { title: 'x' });
      await call(w.app, w.requester, 'PATCH', url, 200, { type: 'normal' });
      const approvedChange = await approved(w, change.id);
      expect(approvedChange.approvals.complete).toBe(true);
      // After approval: the title is not material, approvals stand; the type is refused.
      const retitled = await call(w.app, w.requester, 'PATCH', url, 200, { title: 'openssl' });
      expect(retitled).toMatchObject({
        title: 'openssl',
        state: 'authorise',
        approvals: { complete: true },
      });
      const typed = await refused(w, w.requester, 'PATCH', url, { type: 'emergency' });
      expect(typed.detail).toBe(
        'CHG-0001: the type and template can only be edited in draft (state is authorise); revise it back to draft first',
      );
      await call(w.app, w.requester, 'POST', `${url}/cancel`, 200, { reason: 'superseded' });
      const closed = await refused(w, w.requester, 'PATCH', url, { title: 'again' });
      expect(closed.detail).toBe('CHG-0001: cannot edit a change in state cancelled');
      const audit = await w.database.db
        .selectFrom('audit_events')
        .select(['action', 'before_json', 'after_json'])
        .where('subject_id', '=', change.id)
        .where('action', '=', 'change.edited')
        .orderBy('seq')
        .execute();
      expect(
        audit.map((a): unknown[] => [
          JSON.parse(a.before_json ?? 'null') as unknown,
          JSON.parse(a.after_json ?? 'null') as unknown,
        ]),
      ).toEqual([
        [
          { title: 'openssl on web-02', description: '', type: 'normal' },
          {
            title: 'openssl on web-02, urgent',
            description: 'CVE-2026-42766 is exploited',
            type: 'emergency',
            reason: 'exploited in the wild',
          },
        ],
        [{ type: 'emergency' }, { type: 'normal' }],
        [{ title: 'openssl on web-02, urgent' }, { title: 'openssl' }],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'the approval completing the last stage of a scheduled change schedules it',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}`;
      await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-05T22:00:00Z',
        end: '2026-12-05T23:30:00Z',
      });
      const done = await approved(w, change.id);
      expect(done.state).toBe('scheduled');
      expect(done.history.at(-1)).toMatchObject({ action: 'approve', to: 'scheduled' });
    },
  );

  it.skipIf(skip !== undefined)(
    'a material edit after approval withdraws the approvals and returns to authorise',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}`;
      await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-05T22:00:00Z',
      });
      expect((await approved(w, change.id)).state).toBe('scheduled');

      const edited = await call(w.app, w.requester, 'PUT', `${url}/plans`, 200, {
        plans: { ...normalPlans, backupPlan: { packageSelection: true, restore: 'reinstall' } },
        reason: 'add a backup plan',
      });
      expect(edited).toMatchObject({ state: 'authorise', planVersion: 2 });
      expect(edited.history.at(-1)?.reason).toBe('material edit: plans changed');
      // The same plans again: nothing material, no new version.
      const same = await call(w.app, w.requester, 'PUT', `${url}/plans`, 200, {
        plans: { ...normalPlans, backupPlan: { packageSelection: true, restore: 'reinstall' } },
      });
      expect(same.planVersion).toBe(2);
      expect(edited.history.at(-1)).toMatchObject({
        action: 'withdraw-approvals',
        from: 'scheduled',
        to: 'authorise',
      });
      expect(edited.planVersions.map((v) => v.version)).toEqual([1, 2]);
      expect(edited.planVersions[0]?.hash).not.toBe(edited.planVersions[1]?.hash);
      expect(edited.approvals).toMatchObject({ complete: false, planVersion: 2 });

      // Approving again (version 2) schedules it again; rescheduling withdraws once more.
      const again = await call(w.app, w.owner, 'POST', `${url}/approve`, 200, {});
      expect(again.state).toBe('authorise');
      await call(w.app, w.cab1, 'POST', `${url}/approve`, 200, {});
      expect((await call(w.app, w.cab2, 'POST', `${url}/approve`, 200, {})).state).toBe(
        'scheduled',
      );
      const moved = await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-06T22:00:00Z',
      });
      expect(moved).toMatchObject({ state: 'authorise', planVersion: 3 });
      // A draft's edit withdraws nothing.
      const other = await draft(w);
      const plain = await call(
        w.app,
        w.requester,
        'PUT',
        `/api/v1/changes/${other.id}/plans`,
        200,
        {
          plans: { ...normalPlans, roles: { implementer: 'rita' } },
        },
      );
      expect(plain.history.map((t) => t.action)).toEqual(['create']);
    },
  );

  it.skipIf(skip !== undefined)(
    'reject needs a comment; a rejected change can be reopened; cancel needs a reason',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}`;
      await call(w.app, w.requester, 'POST', `${url}/submit`, 200, {});
      await call(w.app, w.owner, 'POST', `${url}/reject`, 422, {});
      const rejected = await call(w.app, w.owner, 'POST', `${url}/reject`, 200, {
        comment: 'no test evidence',
      });
      expect(rejected.state).toBe('rejected');
      expect(rejected.history.at(-1)).toMatchObject({
        action: 'reject',
        reason: 'no test evidence',
      });
      await refused(w, w.requester, 'POST', `${url}/submit`, {});
      const reopen = await refused(w, w.requester, 'POST', `${url}/reopen`, {});
      expect(reopen.detail).toMatch(/reason is required/);
      expect(
        (await call(w.app, w.requester, 'POST', `${url}/reopen`, 200, { reason: 'adding tests' }))
          .state,
      ).toBe('draft');
      const cancel = await refused(w, w.requester, 'POST', `${url}/cancel`, {});
      expect(cancel.detail).toMatch(/reason is required to cancel/);
      expect(
        (await call(w.app, w.requester, 'POST', `${url}/cancel`, 200, { reason: 'superseded' }))
          .state,
      ).toBe('cancelled');
      // A submitted change can be sent back to draft with a reason.
      const other = await draft(w, { title: 'revise me' });
      const otherUrl = `/api/v1/changes/${other.id}`;
      await call(w.app, w.requester, 'POST', `${otherUrl}/submit`, 200, {});
      await refused(w, w.requester, 'POST', `${otherUrl}/revise`, {});
      const revised = await call(w.app, w.requester, 'POST', `${otherUrl}/revise`, 200, {
        reason: 'wrong package',
      });
      expect(revised.history.at(-1)).toMatchObject({
        action: 'revise',
        from: 'authorise',
        to: 'draft',
        reason: 'wrong package',
      });
      // Submitting without a rollback plan is refused with the state machine's reason.
      const bare = await draft(w, { plans: { deploymentPlan: normalPlans.deploymentPlan } });
      const problem = await refused(
        w,
        w.requester,
        'POST',
        `/api/v1/changes/${bare.id}/submit`,
        {},
      );
      expect(problem.detail).toMatch(/needs a rollback plan/);
      const unchanged = await call(w.app, w.viewer, 'GET', `/api/v1/changes/${bare.id}`, 200);
      expect(unchanged.state).toBe('draft');
    },
  );

  it.skipIf(skip !== undefined)(
    'emergency: one emergency approver; fail and roll back; no close without the review',
    async () => {
      const w = await setUp();
      const change = await draft(w, { type: 'emergency', title: 'KEV on web-02' });
      const url = `/api/v1/changes/${change.id}`;
      await call(w.app, w.requester, 'POST', `${url}/submit`, 200, {});
      await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-01T10:00:00Z',
      });
      const ok = await call(w.app, w.emergency, 'POST', `${url}/approve`, 200, {});
      expect(ok.state).toBe('scheduled');
      w.clock.set('2026-12-01T10:05:00.000Z');
      await call(w.app, w.requester, 'POST', `${url}/start`, 200, {});
      expect((await call(w.app, w.requester, 'POST', `${url}/fail`, 200, {})).state).toBe('failed');
      const noReason = await refused(w, w.requester, 'POST', `${url}/roll-back`, {});
      expect(noReason.detail).toMatch(/reason is required to roll-back/);
      const rolled = await call(w.app, w.requester, 'POST', `${url}/roll-back`, 200, {
        reason: 'health check failed',
      });
      expect(rolled.state).toBe('rolled_back');
      await refused(w, w.requester, 'POST', `${url}/close`, {});
      // An empty review is refused: it would let the emergency change close unreviewed.
      const empty = await call<{ detail: string }>(
        w.app,
        w.requester,
        'PUT',
        `${url}/review`,
        422,
        {},
      );
      expect(empty.detail).toMatch(/the review is empty/);
      await refused(w, w.requester, 'POST', `${url}/close`, {});
      const reviewed = await call(w.app, w.requester, 'PUT', `${url}/review`, 200, {
        wentWell: 'rollback took 4 minutes',
        didNotGoWell: 'the health check was missing on one host',
        incidents: ['INC-1'],
        lessons: 'add health checks to every wave',
        followUps: [{ action: 'add health checks', owner: 'web-team', dueAt: '2026-12-15' }],
      });
      expect(reviewed.state).toBe('review');
      expect(reviewed.review).toMatchObject({
        incidents: ['INC-1'],
        followUps: [
          { action: 'add health checks', owner: 'web-team', dueAt: '2026-12-15', done: false },
        ],
        author: { name: 'rita-requester' },
      });
      // Nor may an empty review overwrite the written one.
      await call(w.app, w.requester, 'PUT', `${url}/review`, 422, { lessons: '  ' });
      expect((await call(w.app, w.viewer, 'GET', url, 200)).review).toMatchObject({
        lessons: 'add health checks to every wave',
      });
      expect((await call(w.app, w.requester, 'POST', `${url}/close`, 200, {})).state).toBe(
        'closed',
      );

      // An emergency change that completed cannot close without its review either.
      const second = await draft(w, { type: 'emergency', title: 'second' });
      const url2 = `/api/v1/changes/${second.id}`;
      await call(w.app, w.requester, 'POST', `${url2}/submit`, 200, {});
      await call(w.app, w.requester, 'POST', `${url2}/schedule`, 200, {
        start: '2026-12-01T11:00:00Z',
      });
      await call(w.app, w.emergency, 'POST', `${url2}/approve`, 200, {});
      w.clock.set('2026-12-01T11:00:00.000Z');
      await call(w.app, w.requester, 'POST', `${url2}/start`, 200, {});
      await call(w.app, w.requester, 'POST', `${url2}/complete`, 200, {});
      const refusal = await refused(w, w.requester, 'POST', `${url2}/close`, {});
      expect(refusal.detail).toMatch(
        /emergency change cannot close without its post-implementation review/,
      );
      await call(w.app, w.viewer, 'PUT', `${url2}/review`, 403, {});
    },
  );

  it.skipIf(skip !== undefined)(
    'separation of duties through the plan: its roles.implementer does not approve',
    async () => {
      const w = await setUp();
      const change = await draft(w, {
        plans: { ...normalPlans, roles: { implementer: 'olga-owner' } },
      });
      const url = `/api/v1/changes/${change.id}`;
      await call(w.app, w.requester, 'POST', `${url}/submit`, 200, {});
      const problem = await refused(w, w.owner, 'POST', `${url}/approve`, {});
      expect(problem.detail).toBe(
        'Separation of duties: the plan names you as its implementer (roles.implementer), so someone else must decide it',
      );
      await refused(w, w.owner, 'POST', `${url}/reject`, { comment: 'no' });
      const detail = await call(w.app, w.viewer, 'GET', url, 200);
      expect(detail.state).toBe('authorise');
      expect(detail.approvals.stages[0]?.approvals).toEqual([]);
    },
  );

  it.skipIf(skip !== undefined)('overrides risk with a reason (audited)', async () => {
    const w = await setUp();
    const change = await draft(w);
    const url = `/api/v1/changes/${change.id}`;
    await call(w.app, w.requester, 'PUT', `${url}/risk`, 403, { level: 'low', reason: 'x' });
    await call(w.app, w.manager, 'PUT', `${url}/risk`, 422, { level: 'low' });
    const overridden = await call(w.app, w.manager, 'PUT', `${url}/risk`, 200, {
      level: 'high',
      reason: 'payment hosts',
    });
    expect(overridden.risk).toMatchObject({
      level: 'high',
      assessed: change.risk.assessed,
      override: { level: 'high', reason: 'payment hosts' },
    });
    const list = await call<ChangeList>(w.app, w.viewer, 'GET', '/api/v1/changes?risk=high', 200);
    expect(list.changes.map((c) => c.id)).toEqual([change.id]);
  });

  it.skipIf(skip !== undefined)(
    'lists by asset, text and every sort (asc/desc), the keyset pages matching the whole list',
    async () => {
      const w = await setUp();
      const made: ApiChange[] = [];
      const specs = [
        { title: 'openssl on web-02', description: 'Routine' },
        { title: 'Kernel 100% update', description: 'reboot_window needed' },
        { title: 'curl on debian-host', description: 'CVE-2025-10148 FIX' },
        { title: 'nginx', description: 'Web tier' },
        { title: 'curl again', description: 'second pass' },
      ];
      for (const [i, spec] of specs.entries()) {
        w.clock.set(`2026-12-01T09:0${i}:00.000Z`);
        made.push(
          await (spec.title.startsWith('curl')
            ? call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
                ...spec,
                findings: { package: 'curl', asset: 'debian-host' },
              })
            : draft(w, spec)),
        );
      }
      // Risk overrides and schedules spread the other sorts (scheduled as the calendar would).
      await call(w.app, w.manager, 'PUT', `/api/v1/changes/${made[3]!.id}/risk`, 200, {
        level: 'low',
        reason: 'static files only',
      });
      await call(w.app, w.manager, 'PUT', `/api/v1/changes/${made[0]!.id}/risk`, 200, {
        level: 'high',
        reason: 'payment hosts',
      });
      for (const [i, start] of [
        [1, '2026-12-10T20:00:00.000Z'],
        [4, '2026-12-08T20:00:00.000Z'],
      ] as const)
        await w.database.db
          .updateTable('change_requests')
          .set({ scheduled_start: start, scheduled_end: start.replace('T20', 'T22') })
          .where('id', '=', made[i]!.id)
          .execute();
      const list = async (query: string) => {
        const ids: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: ChangeList = await call<ChangeList>(
            w.app,
            w.viewer,
            'GET',
            `/api/v1/changes?${query}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
            200,
          );
          ids.push(...page.changes.map((c) => c.number));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null && pages < 20);
        return ids;
      };
      const [n0, n1, n2, n3, n4] = made.map((c) => c.number);

      // The asset's changes: only those whose scope includes it.
      const debianHost = await call<{ id: string }>(
        w.app,
        w.viewer,
        'GET',
        '/api/v1/assets/debian-host',
        200,
      );
      expect(await list(`assetId=${debianHost.id}`)).toEqual([n4, n2]);
      expect(await list('assetId=no-such-asset')).toEqual([]);
      // Text: title, description, any case; the number as CHG-0003 or 3; % and _ literally.
      expect(await list('q=CURL')).toEqual([n4, n2]);
      expect(await list('q=fix')).toEqual([n2]);
      expect(await list('q=100%25')).toEqual([n1]);
      expect(await list('q=10%25')).toEqual([]);
      expect(await list('q=reboot_window')).toEqual([n1]);
      expect(await list('q=reboot%5Fw')).toEqual([n1]);
      expect(await list('q=rebootXwindow')).toEqual([]);
      expect(await list(`q=${n3}`)).toEqual([n3]);
      expect(await list('q=chg-4')).toEqual([n3]);
      // A bare number: that change, and any whose text holds the digits (CVE-2025-10148).
      expect(await list(`q=${Number(n3!.slice(4))}`)).toEqual([n3, n2]);
      expect(await list('q=curl&state=draft&assetId=' + debianHost.id)).toEqual([n4, n2]);

      // Every sort, both ways: page by page equals the whole list in that order.
      const all = await call<ChangeList>(w.app, w.viewer, 'GET', '/api/v1/changes?limit=500', 200);
      const rank = { low: 0, moderate: 1, high: 2 } as const;
      const keyOf: Record<string, (c: ApiChange, order: string) => string | number> = {
        created: (c) => c.createdAt,
        number: (c) => c.number,
        risk: (c) => rank[c.risk.level],
        scheduled: (c, order) => c.schedule?.start ?? (order === 'asc' ? '9999' : ''),
      };
      for (const sort of ['created', 'number', 'risk', 'scheduled'])
        for (const order of ['asc', 'desc']) {
          const expected = [...all.changes]
            .sort((a, b) => {
              const [x, y] = [keyOf[sort]!(a, order), keyOf[sort]!(b, order)];
              const byKey = x < y ? -1 : x > y ? 1 : 0;
              const byNumber = a.number < b.number ? -1 : 1;
              return (order === 'asc' ? 1 : -1) * (byKey || byNumber);
            })
            .map((c) => c.number);
          expect({ sort, order, ids: await list(`sort=${sort}&order=${order}`) }).toEqual({
            sort,
            order,
            ids: expected,
          });
        }
      // The risk order really is by level (low < moderate < high), not alphabetical.
      const byRisk = await list('sort=risk&order=asc');
      expect(byRisk[0]).toBe(n3);
      expect(byRisk.at(-1)).toBe(n0);
      // Scheduled first (earliest first), then the unscheduled.
      expect((await list('sort=scheduled&order=asc')).slice(0, 2)).toEqual([n4, n1]);
      // A cursor of another sort is refused, not misread.
      const first = await call<ChangeList>(
        w.app,
        w.viewer,
        'GET',
        '/api/v1/changes?sort=number&limit=1',
        200,
      );
      await call(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes?sort=created&cursor=${first.nextCursor}`,
        422,
      );
      await call(w.app, w.viewer, 'GET', '/api/v1/changes?sort=title', 422);
      await call(w.app, w.viewer, 'GET', '/api/v1/changes?order=up', 422);
    },
  );

  it.skipIf(skip !== undefined)('lists newest first with keyset pages and filters', async () => {
    const w = await setUp();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      w.clock.set(`2026-12-01T09:0${i}:00.000Z`);
      ids.push((await draft(w, { title: `change ${i}` })).id);
    }
    await call(w.app, w.requester, 'POST', `/api/v1/changes/${ids[1]}/cancel`, 200, {
      reason: 'not needed',
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ChangeList = await call<ChangeList>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
        200,
      );
      seen.push(...page.changes.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].reverse());
    const drafts = await call<ChangeList>(
      w.app,
      w.viewer,
      'GET',
      '/api/v1/changes?state=draft',
      200,
    );
    expect(drafts.changes.map((c) => c.id)).toEqual([ids[4], ids[3], ids[2], ids[0]]);
    await call(w.app, w.viewer, 'GET', '/api/v1/changes?cursor=bogus', 422);
    await call(w.app, w.viewer, 'GET', '/api/v1/changes?state=nope', 422);
  });

  it.skipIf(skip !== undefined)(
    'exports the whole history and reads it back; an altered export fails its checks',
    async () => {
      const w = await setUp();
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}`;
      await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-05T22:00:00Z',
      });
      await approved(w, change.id);
      await call(w.app, w.requester, 'PUT', `${url}/plans`, 200, {
        plans: { ...normalPlans, roles: { onCall: { name: 'bob', contact: 'x1234' } } },
        reason: 'on-call contact added',
      });
      await call(w.app, w.owner, 'POST', `${url}/approve`, 200, {});

      const document = await call<ChangeExport>(w.app, w.viewer, 'GET', `${url}/export`, 200);
      expect(document).toMatchObject({
        format: 'patchgate.change-export',
        formatVersion: 1,
        change: { id: change.id, state: 'authorise', planVersion: 2 },
      });
      expect(document.planVersions.map((v) => v.version)).toEqual([1, 2]);
      // Who approved what version: three on version 1 (withdrawn), one on version 2.
      expect(
        document.approvals
          .map((a) => [a['planVersion'], a['approverName'], a['withdrawnAt'] !== null])
          .sort(),
      ).toEqual([
        [1, 'carl-cab', true],
        [1, 'cora-cab', true],
        [1, 'olga-owner', true],
        [2, 'olga-owner', false],
      ]);
      expect(document.audit.map((e) => e.action)).toContain('change_approval.withdrawn');

      const verified = await call<ExportVerification>(
        w.app,
        w.viewer,
        'POST',
        '/api/v1/changes/verify-export',
        200,
        document,
      );
      expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
      expect(verified.ok).toBe(true);

      const forged = structuredClone(document);
      (forged.approvals[0] as Record<string, unknown>)['approverName'] = 'someone-else';
      const bad = await call<ExportVerification>(
        w.app,
        w.viewer,
        'POST',
        '/api/v1/changes/verify-export',
        200,
        forged,
      );
      expect(bad.ok).toBe(false);
      expect(bad.checks.find((c) => c.name === 'digest')).toMatchObject({ ok: false });
      await call(w.app, w.viewer, 'POST', '/api/v1/changes/verify-export', 422, {
        ...document,
        formatVersion: 9,
      });
    },
  );
  it.skipIf(skip !== undefined)(
    'scheduling: a freeze is refused (emergency may override when allowed); conflicts; next slot',
    async () => {
      const w = await setUp();
      // Nightly window 22:00–02:00 UTC for web-02; a freeze on 5 December; an emergency-only
      // freeze on 6 December.
      await call(w.app, w.admin, 'POST', '/api/v1/calendar/windows', 201, {
        name: 'nightly',
        rrule: 'FREQ=DAILY',
        dtstart: '2026-11-01T22:00',
        timeZone: 'UTC',
        durationMinutes: 240,
        cutoffMinutes: 30,
        selector: { names: ['web-02'] },
      });
      await call(w.app, w.admin, 'POST', '/api/v1/calendar/freezes', 201, {
        name: 'year-end sale',
        start: '2026-12-05T00:00:00Z',
        end: '2026-12-06T00:00:00Z',
      });
      await call(w.app, w.admin, 'POST', '/api/v1/calendar/freezes', 201, {
        name: 'board meeting',
        start: '2026-12-06T00:00:00Z',
        end: '2026-12-07T00:00:00Z',
        allowEmergency: true,
      });
      const change = await draft(w);
      const url = `/api/v1/changes/${change.id}`;
      const frozen = await refused(w, w.requester, 'POST', `${url}/schedule`, {
        start: '2026-12-05T22:00:00Z',
      });
      expect(frozen.detail).toMatch(/cannot be scheduled into a freeze: .*year-end sale/);
      const notEmergency = await refused(w, w.requester, 'POST', `${url}/schedule`, {
        start: '2026-12-06T22:00:00Z',
        overrideFreeze: true,
      });
      expect(notEmergency.detail).toMatch(/board meeting.*only an emergency change may override/);
      const unchanged = await call(w.app, w.viewer, 'GET', url, 200);
      expect(unchanged.schedule).toBeNull();

      // Outside the window: scheduled, with the conflict listed (and approvals missing).
      const outside = await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-03T12:00:00Z',
      });
      expect(outside.conflicts.map((c) => c.kind).sort()).toEqual([
        'approval-missing-before-start',
        'outside-window',
      ]);
      const listed = await call<{ conflicts: { kind: string }[] }>(
        w.app,
        w.viewer,
        'GET',
        `${url}/conflicts`,
        200,
      );
      expect(listed.conflicts.map((c) => c.kind).sort()).toEqual(
        outside.conflicts.map((c) => c.kind).sort(),
      );
      // The next slot: the first nightly window after now (1 December 09:00) with no freeze.
      const slot = await call<{ start: string; end: string }>(
        w.app,
        w.viewer,
        'GET',
        `${url}/next-slot`,
        200,
      );
      expect(slot).toEqual({
        start: '2026-12-01T22:00:00.000Z',
        end: '2026-12-01T23:00:00.000Z',
        reason: null,
      });
      // Another change on web-02 in the same night conflicts with the first.
      await call(w.app, w.requester, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-01T22:00:00Z',
      });
      // A submitted change holds its assets (a draft does not).
      await call(w.app, w.requester, 'POST', `${url}/submit`, 200, {});
      const second = await draft(w, { title: 'second' });
      const overlapping = await call(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${second.id}/schedule`,
        200,
        { start: '2026-12-01T22:30:00Z' },
      );
      expect(overlapping.conflicts.map((c) => c.kind)).toContain('asset-in-overlapping-change');
      const after = await call<{ start: string }>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${second.id}/next-slot`,
        200,
      );
      // Right after the first change ends, still inside the window before its cutoff.
      expect(after.start).toBe('2026-12-01T23:00:00.000Z');

      // An emergency change may enter the board-meeting freeze when it asks to; audited.
      const urgent = await draft(w, { type: 'emergency', title: 'urgent' });
      const urgentUrl = `/api/v1/changes/${urgent.id}`;
      const ask = await refused(w, w.requester, 'POST', `${urgentUrl}/schedule`, {
        start: '2026-12-06T22:00:00Z',
      });
      expect(ask.detail).toMatch(
        /schedule again with overrideFreeze \(the CLI's --override-freeze\)/,
      );
      const overridden = await call(w.app, w.requester, 'POST', `${urgentUrl}/schedule`, 200, {
        start: '2026-12-06T22:00:00Z',
        overrideFreeze: true,
        reason: 'KEV exploited in the wild',
      });
      expect(overridden.schedule?.start).toBe('2026-12-06T22:00:00.000Z');
      expect(overridden.conflicts.find((c) => c.kind === 'in-freeze')).toMatchObject({
        emergencyOverrideAllowed: true,
      });
      // The calendar shows the scheduled changes.
      const calendar = await call<{ changes?: { title: string }[] }>(
        w.app,
        w.viewer,
        'GET',
        '/api/v1/calendar?from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z',
        200,
      );
      expect(JSON.stringify(calendar)).toContain('CHG-0001 openssl on web-02');
    },
  );

  it.skipIf(skip !== undefined)(
    'an emergency change overriding a freeze needs the extra freeze-override approval before it is scheduled',
    async () => {
      const w = await setUp();
      // carl-cab is in cab and, for this test, in emergency too: he may approve one stage only.
      await call(w.app, w.admin, 'POST', '/api/v1/approver-groups/emergency/members', 200, {
        add: [w.cab1.username],
      });
      await call(w.app, w.admin, 'POST', '/api/v1/calendar/freezes', 201, {
        name: 'board meeting',
        start: '2026-12-06T00:00:00Z',
        end: '2026-12-07T00:00:00Z',
        allowEmergency: true,
      });
      // Requested by max-manager (a CAB member himself), who may not approve it.
      const urgent = await call<ApiChange>(w.app, w.manager, 'POST', '/api/v1/changes', 201, {
        title: 'urgent',
        type: 'emergency',
        patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
        plans: normalPlans,
      });
      const url = `/api/v1/changes/${urgent.id}`;
      const submitted = await call(w.app, w.manager, 'POST', `${url}/submit`, 200, {});
      expect(submitted.approvals.stages.map((s) => s.name)).toEqual(['emergency approver']);
      // The emergency approver approves ahead of the schedule: complete, waiting for a window.
      const first = await call(w.app, w.cab1, 'POST', `${url}/approve`, 200, {});
      expect(first).toMatchObject({ state: 'authorise', approvals: { complete: true } });

      // Scheduled into the freeze: the override is recorded and the approval gains its stage.
      const overridden = await call(w.app, w.manager, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-06T22:00:00Z',
        overrideFreeze: true,
        reason: 'KEV exploited in the wild',
      });
      expect(overridden).toMatchObject({
        state: 'authorise',
        freezeOverride: {
          freezes: [{ name: 'board meeting' }],
          by: { id: w.manager.userId, name: 'max-manager' },
          at: '2026-12-01T09:00:00.000Z',
          reason: 'KEV exploited in the wild',
        },
        approvals: { complete: false, currentStage: 2 },
      });
      expect(
        overridden.approvals.stages.map((s) => [s.name, s.freezeOverride, s.satisfied]),
      ).toEqual([
        ['emergency approver', false, true],
        ['freeze override', true, false],
      ]);
      // Eligible: the CAB without max (the requester) and carl (who approved stage 1).
      expect(overridden.approvals.stages[1]?.eligibleApproverIds).toEqual([w.cab2.userId]);
      const asked = await w.database.db
        .selectFrom('jobs')
        .select('payload_json')
        .where('kind', '=', 'event:change.approval-requested')
        .execute();
      expect(
        asked.map((j) => JSON.parse(j.payload_json) as { changeId: string; stage: number }),
      ).toContainEqual(expect.objectContaining({ changeId: urgent.id, stage: 2 }));

      // Separation of duties holds in the extra stage; the stage-1 approver is not extra eyes.
      const own = await refused(w, w.manager, 'POST', `${url}/approve`, {});
      expect(own.detail).toMatch(/Separation of duties: you requested this change/);
      const twice = await refused(w, w.cab1, 'POST', `${url}/approve`, {});
      expect(twice.detail).toMatch(/freeze override needs an extra approver/);
      const notYet = await call(w.app, w.viewer, 'GET', url, 200);
      expect(notYet.state).toBe('authorise');
      // A CAB member approves the override: now it is scheduled.
      const done = await call(w.app, w.cab2, 'POST', `${url}/approve`, 200, {
        comment: 'override accepted',
      });
      expect(done).toMatchObject({ state: 'scheduled', approvals: { complete: true } });

      // The override is in the audit log, beside the schedule and both approvals.
      const audit = await w.database.db
        .selectFrom('audit_events')
        .select(['action', 'after_json'])
        .where('subject_id', '=', urgent.id)
        .orderBy('seq')
        .execute();
      const overrideEvent = audit.find((a) => a.action === 'change.freeze-overridden');
      expect(JSON.parse(overrideEvent?.after_json ?? '{}')).toMatchObject({
        freezes: [{ name: 'board meeting' }],
        reason: 'KEV exploited in the wild',
      });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining([
          'change.scheduled',
          'change.freeze-overridden',
          'change_approval.approved',
          'change.approve',
        ]),
      );

      // Rescheduled out of the freeze: the override is gone with the approvals (material edit).
      const moved = await call(w.app, w.manager, 'POST', `${url}/schedule`, 200, {
        start: '2026-12-08T22:00:00Z',
      });
      expect(moved).toMatchObject({ state: 'authorise', freezeOverride: null });
      expect(moved.approvals.stages.map((s) => s.name)).toEqual(['emergency approver']);
    },
  );

  it.skipIf(skip !== undefined)(
    'standard changes: a versioned template, auto-approved when its criteria hold',
    async () => {
      const w = await setUp();
      const templates = await call<{ templates: { name: string; version: number }[] }>(
        w.app,
        w.viewer,
        'GET',
        '/api/v1/change-templates',
        200,
      );
      expect(templates.templates).toMatchObject([
        { name: 'security-updates-non-production', version: 1 },
      ]);
      await call(w.app, w.requester, 'PUT', '/api/v1/change-templates/web-openssl', 403, {});
      const saved = await call<{ version: number }>(
        w.app,
        w.manager,
        'PUT',
        '/api/v1/change-templates/web-openssl',
        200,
        {
          description: 'openssl on the web tier',
          criteria: {
            onlySecurityOrigin: false,
            maxAssets: 5,
            maxRisk: 'high',
            packages: { allow: ['openssl'] },
          },
          defaultPlans: normalPlans,
        },
      );
      expect(saved.version).toBe(1);
      const standard = await call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
        title: 'openssl, standard',
        template: 'web-openssl',
        patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
      });
      expect(standard).toMatchObject({
        type: 'standard',
        template: { id: 'web-openssl', version: 1 },
      });
      const submitted = await call(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${standard.id}/submit`,
        200,
        {},
      );
      expect(submitted.state).toBe('authorise');
      expect(submitted.approvals).toMatchObject({ complete: true, autoApproved: true });
      // A later version of the template does not change the version this change recorded.
      const v2 = await call<{ version: number }>(
        w.app,
        w.manager,
        'PUT',
        '/api/v1/change-templates/web-openssl',
        200,
        { description: 'v2', criteria: { maxAssets: 1, packages: { allow: ['nginx'] } } },
      );
      expect(v2.version).toBe(2);
      expect(
        await call(w.app, w.viewer, 'GET', '/api/v1/change-templates/web-openssl', 200),
      ).toMatchObject({
        name: 'web-openssl',
        version: 2,
        description: 'v2',
        createdBy: 'max-manager',
      });
      await call(w.app, w.viewer, 'GET', '/api/v1/change-templates/nope', 404);
      // Outside the criteria (nginx is not allowed by version 1): submit is refused.
      const outside = await call<ApiChange>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
        title: 'openssl and nginx, standard v2',
        template: 'web-openssl',
        patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
        plans: normalPlans,
      });
      const problem = await refused(
        w,
        w.requester,
        'POST',
        `/api/v1/changes/${outside.id}/submit`,
        {},
      );
      expect(problem.detail).toMatch(
        /template's criteria are not met; submit it as a normal change/,
      );
      // …which the draft can now become: the type edited, the template dropped, then submitted.
      const normal = await call(w.app, w.requester, 'PATCH', `/api/v1/changes/${outside.id}`, 200, {
        type: 'normal',
        reason: 'outside the template',
      });
      expect(normal).toMatchObject({ type: 'normal', template: null, state: 'draft' });
      expect(
        (await call(w.app, w.requester, 'POST', `/api/v1/changes/${outside.id}/submit`, 200, {}))
          .state,
      ).toBe('authorise');
      // And back to standard with a template: only a draft's type changes.
      const tooLate = await refused(w, w.requester, 'PATCH', `/api/v1/changes/${outside.id}`, {
        template: 'web-openssl',
      });
      expect(tooLate.detail).toMatch(
        /the type and template can only be edited in draft \(state is authorise\)/,
      );
      await call(w.app, w.requester, 'POST', '/api/v1/changes', 422, {
        title: 'x',
        template: 'nope',
        patches: [{ asset: 'web-02', package: 'openssl' }],
      });
    },
  );
  it.skipIf(skip !== undefined)(
    'createChange for the autopilot, describeChange for notifications, scheduledChanges for the calendar',
    async () => {
      const w = await setUp();
      const made = await createChange(
        w.database,
        w.clock,
        { title: 'nightly curl', findings: { package: 'curl' }, plans: normalPlans },
        { actor: systemActor, rule: { id: 'rule-nightly', reason: 'security updates, nightly' } },
      );
      expect(made).toMatchObject({
        number: 'CHG-0001',
        state: 'draft',
        requester: { id: null, name: 'system' },
        createdBy: { rule: 'rule-nightly', reason: 'security updates, nightly' },
      });
      await expect(
        createChange(w.database, w.clock, { title: '' }, { actor: systemActor }),
      ).rejects.toThrow(/body.title/);
      const detail = await call(w.app, w.viewer, 'GET', `/api/v1/changes/${made.id}`, 200);
      expect(detail.history).toMatchObject([
        { action: 'create', actor: { type: 'system' }, reason: 'security updates, nightly' },
      ]);
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${made.id}/submit`, 200, {});
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${made.id}/schedule`, 200, {
        start: '2026-12-02T22:00:00Z',
      });
      const brief = await describeChange(w.database, 'CHG-0001');
      expect(brief).toMatchObject({
        id: made.id,
        number: 'CHG-0001',
        state: 'authorise',
        windowStart: '2026-12-02T22:00:00.000Z',
        windowEnd: '2026-12-02T23:00:00.000Z',
        assets: [{ name: 'debian-host', ownerTeam: 'web-team' }],
        ownerTeams: ['web-team'],
        createdByRule: 'rule-nightly',
        link: `/api/v1/changes/${made.id}`,
      });
      // The service owner's stage waits: its members may decide.
      expect([...(brief?.pendingApproverIds ?? [])].sort()).toEqual(
        [w.owner.userId, w.manager.userId].sort(),
      );
      expect(await describeChange(w.database, 'CHG-0999')).toBeUndefined();
      const calendar = await scheduledChanges(
        w.database,
        new Date('2026-12-02T00:00:00Z'),
        new Date('2026-12-03T00:00:00Z'),
      );
      expect(calendar).toEqual([
        {
          id: made.id,
          title: 'CHG-0001 nightly curl',
          start: new Date('2026-12-02T22:00:00.000Z'),
          end: new Date('2026-12-02T23:00:00.000Z'),
          assetNames: ['debian-host'],
          assetIds: [hostId],
          state: 'authorise',
          url: `/api/v1/changes/${made.id}`,
        },
      ]);
      expect(
        await scheduledChanges(
          w.database,
          new Date('2026-12-03T00:00:00Z'),
          new Date('2026-12-04T00:00:00Z'),
        ),
      ).toEqual([]);
    },
  );
});
