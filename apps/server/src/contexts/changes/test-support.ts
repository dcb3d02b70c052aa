/**
 * Test support for the change context: a real app on a real database with the repository's
 * example Debian host and its findings (reconciled from the real example advisories), a second
 * asset with an uploaded inventory, and users in the approver groups the default policy names.
 */
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { reconcileAsset } from '../findings/reconcile.ts';
import {
  exampleAdvisories,
  exampleInventory,
  manualClock,
  memoryInputs,
  plainAsset,
} from '../findings/test-support.ts';
import type { ChangeDetail } from './schema.ts';

export const hostId = '00000000-0000-4000-8000-000000000001';

export interface ChangeWorld {
  readonly app: App['app'];
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

export async function changeWorld(open: () => Promise<Database>): Promise<ChangeWorld> {
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
export const normalPlans = {
  testPlan: {
    summary: 'Smoke test on staging first.',
    steps: [{ description: 'Open the front page', expectedResult: 'HTTP 200' }],
  },
  deploymentPlan: {
    estimatedMinutes: 60,
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
};

type Inject = App['app']['inject'];

/** `method url` as `caller`, expecting `status`; returns the parsed body. */
export async function call<T = ChangeDetail>(
  app: { inject: Inject },
  caller: TestCaller,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  status: number,
  payload?: unknown,
): Promise<T> {
  const response = await app.inject({
    method,
    url,
    headers: caller.headers,
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  if (response.statusCode !== status)
    throw new Error(
      `${method} ${url}: expected ${status}, got ${response.statusCode} ${response.body}`,
    );
  return response.json<T>();
}
