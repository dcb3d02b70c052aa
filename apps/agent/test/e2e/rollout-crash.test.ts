/**
 * Durable rollouts through real processes: (d) `kill -9` of the server in the middle of a
 * rollout (right after the first wave's host was patched), then a restart on the same data
 * directory / database and port: the rollout resumes and completes, no host is patched twice
 * (one install task per host for the change, one upgrade in each root's apt history), none is
 * forgotten — on SQLite and on PostgreSQL; (e) two replicas on one PostgreSQL database behind
 * a small balancer: the replica driving the rollout (the only one running when it started) is
 * killed with SIGKILL after the first wave, the other takes the rollout's lease over and
 * finishes it. Servers run with 5-second leases so a takeover happens within seconds.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { ServerDatabase, ServerProcess } from '../../../server/test/server-process.ts';
import { freshServerDatabase } from '../../../server/test/server-process.ts';
import { LabApi } from '../../../cli/src/lab-world.ts';
import type { LabWorld } from './harness.ts';
import {
  aptHistory,
  changeFor,
  dpkgVersion,
  e2eSkipReason,
  freePort,
  labWorld,
  rolloutIn,
  spawnServer,
  startBalancer,
  startRollout,
  tasksByHost,
  until,
} from './harness.ts';

const skip = e2eSkipReason();
if (skip !== undefined) console.warn(`SKIP rollouts surviving the server: ${skip}`);
const postgresUrl = inject('postgresUrl');
const targets = [
  { name: 'sqlite' as const, skip },
  {
    name: 'postgres' as const,
    skip: skip ?? (postgresUrl === null ? inject('postgresMissing') : undefined),
  },
];

const layout = [
  { name: 'lab-web-01', wave: 1 },
  { name: 'lab-app-01', wave: 2 },
  { name: 'lab-db-01', wave: 3 },
];

/** Every host at 1.1, upgraded exactly once, with exactly one install task of the change. */
async function patchedOnce(world: LabWorld, database: ServerDatabase, rolloutId: string) {
  const tasks = await tasksByHost(database);
  for (const host of layout) {
    expect(dpkgVersion(world.root(host.name)), host.name).toBe('1.1');
    expect(aptHistory(world.root(host.name)), host.name).toEqual([
      'Install: pg-demo-service:amd64 (1.0)',
      'Upgrade: pg-demo-service:amd64 (1.0, 1.1)',
    ]);
    const installs = (tasks.get(host.name) ?? []).filter(
      (t) => t.kind === 'install' && t.rolloutId === rolloutId,
    );
    expect(installs.length, host.name).toBe(1);
  }
}

describe('rollouts survive the server', () => {
  let database: ServerDatabase | undefined;
  let world: LabWorld | undefined;
  const extra: ServerProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const server of extra.splice(0)) await server.stop();
    await world?.close();
    await database?.remove();
    world = undefined;
    database = undefined;
  });

  for (const { name, skip: why } of targets)
    it.skipIf(why !== undefined)(
      `(d) kill -9 mid-rollout on ${name}: resumes after a restart, no host patched twice, none forgotten`,
      async () => {
        database = await freshServerDatabase(name, postgresUrl);
        world = await labWorld(database, layout);
        const { org, lab } = world;
        const change = await changeFor(org, layout, '1.1', world.root('lab-web-01'));
        const rollout = await startRollout(org, change.id);
        // The first wave's host is patched: the rollout is under way. Kill -9 now.
        await until('lab-web-01 at 1.1', 60_000, () =>
          dpkgVersion(world?.root('lab-web-01') ?? '') === '1.1' ? true : undefined,
        );
        await lab.server.kill();
        expect(dpkgVersion(world.root('lab-db-01'))).toBe('1.0');
        lab.server = await lab.start();
        const done = await rolloutIn(
          org.people.requester,
          rollout.id,
          ['completed', 'halted', 'rolled_back'],
          120_000,
        );
        expect(done.phase).toBe('completed');
        await patchedOnce(world, database, rollout.id);
      },
    );

  it.skipIf(targets[1]?.skip !== undefined)(
    '(e) two replicas on one PostgreSQL: the driving one is killed, the other finishes the rollout',
    async () => {
      database = await freshServerDatabase('postgres', postgresUrl);
      const upstreams: string[] = [];
      world = await labWorld(database, layout, {
        agentServer: async (lab) => {
          upstreams.push(lab.server.url);
          const balancer = await startBalancer(() => upstreams);
          closers.push(balancer.close);
          return balancer.url;
        },
      });
      const { org, lab } = world;
      const change = await changeFor(org, layout, '1.1', world.root('lab-web-01'));
      const rollout = await startRollout(org, change.id);
      await until('lab-web-01 at 1.1', 60_000, () =>
        dpkgVersion(world?.root('lab-web-01') ?? '') === '1.1' ? true : undefined,
      );
      // Replica B joins; A, which has driven the rollout alone so far, dies.
      const replica = await spawnServer(database, await freePort());
      extra.push(replica);
      upstreams.push(replica.url);
      await lab.server.kill();
      upstreams.splice(0, 1);
      const viaReplica = new LabApi(replica.url, org.people.requester.token);
      const done = await rolloutIn(
        viaReplica,
        rollout.id,
        ['completed', 'halted', 'rolled_back'],
        120_000,
      );
      expect(done.phase).toBe('completed');
      await patchedOnce(world, database, rollout.id);
    },
  );
});
