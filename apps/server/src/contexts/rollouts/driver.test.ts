import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/databases.ts';
import { rolloutDetail } from './index.ts';
import type { RolloutWorld } from './test-support.ts';
import {
  T0,
  call,
  finishTask,
  hostTasks,
  nameOf,
  plansWith,
  rolloutWorld,
  scheduledChange,
  settle,
} from './test-support.ts';

const check = { kind: 'command', command: 'true' };
const minutes = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();

interface Problem {
  status: number;
  detail: string;
}

describe.each(testDatabases())('rollout driver on $name', ({ name, open, skip }) => {
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  const setUp = async (
    ...args: Parameters<typeof rolloutWorld> extends [unknown, ...infer R] ? R : never
  ) => {
    world = await rolloutWorld(open, ...args);
    return world;
  };

  const changeState = async (w: RolloutWorld, id: string) =>
    (await call<{ state: string }>(w.app, w.viewer, 'GET', `/api/v1/changes/${id}`, 200)).state;

  it.skipIf(skip !== undefined)(
    'starts a due change, runs its waves in order with host and wave checks, completes the change',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2', 'web-3', 'web-4'],
        plansWith([
          { name: 'canary', assets: ['web-1', 'web-2'], concurrency: 1, healthChecks: [check] },
          { name: 'rest', assets: ['web-3', 'web-4'], concurrency: 2, healthChecks: [check] },
        ]),
        minutes(10),
      );
      const driver = w.driver();
      await driver.tick();
      expect(await hostTasks(w)).toEqual([]); // not due yet
      w.clock.set(minutes(10));
      const answered = await settle(w, driver);
      const order = answered.map(
        (t) => `${t.kind}${t.scope === 'wave' ? '(wave)' : ''} ${nameOf(w, t.asset_id)}`,
      );
      // Wave two's hosts run together (concurrency 2): the order inside a pair is free.
      const pairs = [0, 2, 4, 6, 8, 10].map((i) => order.slice(i, i + 2).sort());
      expect(pairs).toEqual([
        ['install web-1', 'health-check web-1'].sort(),
        ['install web-2', 'health-check web-2'].sort(),
        ['health-check(wave) web-1', 'health-check(wave) web-2'],
        ['install web-3', 'install web-4'],
        ['health-check web-3', 'health-check web-4'],
        ['health-check(wave) web-3', 'health-check(wave) web-4'],
      ]);
      expect(order.slice(0, 4)).toEqual([
        'install web-1',
        'health-check web-1',
        'install web-2',
        'health-check web-2',
      ]);
      const detail = await rolloutDetail(w.database.db, changeId);
      expect(detail).toMatchObject({
        phase: 'completed',
        dryRun: false,
        change: { state: 'review' },
        waves: [
          { name: 'canary', state: 'completed', counts: { succeeded: 2 } },
          { name: 'rest', state: 'completed', counts: { succeeded: 2 } },
        ],
      });
      expect(detail?.waves[0]?.hosts[0]).toMatchObject({
        name: 'web-1',
        state: 'succeeded',
        before: [{ name: 'pg-demo-service', version: '1.0' }],
        after: [{ name: 'pg-demo-service', version: '1.1' }],
      });
      // The install task carries the exact version, signed for the host's agent.
      const install = await w.database.db
        .selectFrom('agent_tasks')
        .select(['payload', 'idempotency_key'])
        .where('kind', '=', 'install')
        .orderBy('created_at')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(install.payload)).toMatchObject({
        kind: 'install',
        packages: [{ name: 'pg-demo-service', version: '1.1' }],
        changeId,
        reboot: 'never',
      });
      expect(install.idempotency_key).toBe(`${detail?.id}:${w.hosts['web-1']}:install:1`);
      // Every notify went to the outbox as rollout.progressed, in the change's transaction.
      const progressed = await w.database.db
        .selectFrom('jobs')
        .select(['payload_json'])
        .where('kind', '=', 'event:rollout.progressed')
        .orderBy('created_at')
        .execute();
      expect(progressed.map((p) => (JSON.parse(p.payload_json) as { kind: string }).kind)).toEqual([
        'started',
        'wave-started',
        'wave-completed',
        'wave-started',
        'wave-completed',
        'completed',
      ]);
      expect(await changeState(w, changeId)).toBe('review');
      void name;
    },
  );
});
