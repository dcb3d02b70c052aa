/**
 * Rollouts end to end through real processes: a `patchgate server` and 3–4 `patchgate agent
 * run` processes, each on a sandbox root where real apt installed pg-demo-service 1.0 from the
 * test repository. A change is set up through the API (requester ≠ approvers, scheduled in a
 * window open now) and started; what happened is read from the roots (dpkg-query, dpkg's file
 * list times, apt's history) and from the server's rollout detail.
 *
 * (a) 1.1 reaches every host, wave by wave; (b) 1.2 breaks the health check: the first wave
 * halts, its host is rolled back to exactly 1.0, later waves are never touched; (c) 1.3's
 * postinst fails: rolled back too. The crash and replica cases are in rollout-crash.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDatabase } from '../../../server/test/server-process.ts';
import { freshServerDatabase } from '../../../server/test/server-process.ts';
import type { LabWorld } from './harness.ts';
import {
  aptHistory,
  changeFor,
  dpkgVersion,
  e2eSkipReason,
  installedAt,
  labWorld,
  rolloutIn,
  startRollout,
  tasksByHost,
} from './harness.ts';

const skip = e2eSkipReason();
if (skip !== undefined) console.warn(`SKIP agent rollouts end to end: ${skip}`);

describe.skipIf(skip !== undefined)('rollouts through real agents (SQLite)', () => {
  let database: ServerDatabase | undefined;
  let current: LabWorld | undefined;
  afterEach(async () => {
    await current?.close();
    await database?.remove();
    current = undefined;
    database = undefined;
  });

  async function world(layout: readonly { name: string; wave: number }[]) {
    database = await freshServerDatabase('sqlite', null);
    current = await labWorld(database, layout);
    return current;
  }

  it('(a) a healthy change (1.1) reaches every host, wave by wave', async () => {
    const layout = [
      { name: 'lab-web-01', wave: 1 },
      { name: 'lab-web-02', wave: 2 },
      { name: 'lab-app-01', wave: 2 },
      { name: 'lab-db-01', wave: 3 },
    ];
    const { org, root } = await world(layout);
    const change = await changeFor(org, layout, '1.1', root('lab-web-01'));
    const rollout = await startRollout(org, change.id);
    const done = await rolloutIn(
      org.people.requester,
      rollout.id,
      ['completed', 'halted', 'rolled_back'],
      120_000,
    );
    expect(done.phase).toBe('completed');
    // Each host's backup manifest (the package selection before the change) reached the server.
    const backups = (done.waves ?? []).flatMap((w) => w.hosts ?? []).map((h) => h.backup);
    expect(backups).toHaveLength(layout.length);
    for (const backup of backups) expect(backup?.packages).toBeGreaterThanOrEqual(1);
    for (const host of layout) {
      expect(dpkgVersion(root(host.name))).toBe('1.1');
      expect(aptHistory(root(host.name))).toEqual([
        'Install: pg-demo-service:amd64 (1.0)',
        'Upgrade: pg-demo-service:amd64 (1.0, 1.1)',
      ]);
    }
    // Wave by wave: every host of a wave was installed before any host of the next.
    const times = (wave: number) =>
      layout.filter((h) => h.wave === wave).map((h) => installedAt(root(h.name)));
    expect(Math.max(...times(1))).toBeLessThan(Math.min(...times(2)));
    expect(Math.max(...times(2))).toBeLessThan(Math.min(...times(3)));
  });

  it('(b) 1.2 breaks the health check: halts in the first wave, rolls that host back to exactly 1.0, never touches later waves', async () => {
    const layout = [
      { name: 'lab-web-01', wave: 1 },
      { name: 'lab-web-02', wave: 2 },
      { name: 'lab-db-01', wave: 3 },
    ];
    const { org, root } = await world(layout);
    const change = await changeFor(org, layout, '1.2', root('lab-web-01'));
    const rollout = await startRollout(org, change.id);
    const done = await rolloutIn(
      org.people.requester,
      rollout.id,
      ['rolled_back', 'halted', 'completed'],
      120_000,
    );
    expect(done.phase).toBe('rolled_back');
    expect(dpkgVersion(root('lab-web-01'))).toBe('1.0');
    expect(aptHistory(root('lab-web-01'))).toEqual([
      'Install: pg-demo-service:amd64 (1.0)',
      'Upgrade: pg-demo-service:amd64 (1.0, 1.2)',
      'Downgrade: pg-demo-service:amd64 (1.2, 1.0)',
    ]);
    for (const name of ['lab-web-02', 'lab-db-01']) {
      expect(dpkgVersion(root(name))).toBe('1.0');
      expect(aptHistory(root(name))).toEqual(['Install: pg-demo-service:amd64 (1.0)']);
    }
    // No task of the rollout was ever queued for the later waves' agents (the pre-flight of
    // the submitted change simulated the install on every host: apt-get -s changes nothing).
    const tasks = await tasksByHost(database as ServerDatabase);
    expect(tasks.get('lab-web-01')?.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['install', 'health-check', 'rollback']),
    );
    for (const name of ['lab-web-02', 'lab-db-01'])
      expect((tasks.get(name) ?? []).filter((t) => t.rolloutId === rollout.id)).toEqual([]);
  });

  it('(c) 1.3 fails in its postinst: the host is rolled back to 1.0, later waves untouched', async () => {
    const layout = [
      { name: 'lab-web-01', wave: 1 },
      { name: 'lab-web-02', wave: 2 },
      { name: 'lab-db-01', wave: 2 },
    ];
    const { org, root } = await world(layout);
    const change = await changeFor(org, layout, '1.3', root('lab-web-01'));
    const rollout = await startRollout(org, change.id);
    const done = await rolloutIn(
      org.people.requester,
      rollout.id,
      ['rolled_back', 'halted', 'completed'],
      120_000,
    );
    expect(done.phase).toBe('rolled_back');
    expect(dpkgVersion(root('lab-web-01'))).toBe('1.0');
    for (const name of ['lab-web-02', 'lab-db-01']) {
      expect(dpkgVersion(root(name))).toBe('1.0');
      expect(aptHistory(root(name))).toEqual(['Install: pg-demo-service:amd64 (1.0)']);
    }
  });
});
