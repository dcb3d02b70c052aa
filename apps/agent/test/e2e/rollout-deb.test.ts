/**
 * (f) The agent as a host gets it: the `.deb` that `npm run build:agent-deb` makes (a Node
 * single executable, no nodejs needed) is installed with the real dpkg into lab-web-01's
 * sandbox root, and `<root>/usr/bin/patchgate-agent run …` is that host's agent in a rollout
 * next to an agent run from the CLI. Skipped, saying why, when the package cannot be built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDatabase } from '../../../server/test/server-process.ts';
import { freshServerDatabase, repoRoot } from '../../../server/test/server-process.ts';
import type { LabWorld } from './harness.ts';
import {
  aptHistory,
  changeFor,
  dpkgVersion,
  e2eSkipReason,
  labWorld,
  rolloutIn,
  startRollout,
} from './harness.ts';

function debSkipReason(): string | undefined {
  const why = e2eSkipReason();
  if (why !== undefined) return why;
  if (!existsSync(`${repoRoot}apps/agent/packaging/build-deb.mjs`))
    return 'the agent has no .deb build (apps/agent/packaging/build-deb.mjs)';
  if (!existsSync(`${repoRoot}node_modules/postject/dist/cli.js`))
    return 'postject is not installed (npm install)';
  return undefined;
}
const skip = debSkipReason();
if (skip !== undefined) console.warn(`SKIP the .deb agent in a rollout: ${skip}`);

describe.skipIf(skip !== undefined)('the agent installed from its .deb', () => {
  let database: ServerDatabase | undefined;
  let world: LabWorld | undefined;
  afterEach(async () => {
    await world?.close();
    await database?.remove();
  });

  it('(f) patches its host in a rollout, next to an agent run from the CLI', async () => {
    const built = spawnSync(process.execPath, [`${repoRoot}apps/agent/packaging/build-deb.mjs`], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    const { deb } = JSON.parse(built.stdout.trim().split('\n').at(-1) ?? '{}') as { deb: string };
    const layout = [
      { name: 'lab-web-01', wave: 1 },
      { name: 'lab-app-01', wave: 2 },
    ];
    database = await freshServerDatabase('sqlite', null);
    world = await labWorld(database, layout, {
      prepareRoots: (hosts) => {
        const root = hosts.roots.get('lab-web-01') ?? '';
        const installed = spawnSync(
          'dpkg',
          [
            `--root=${root}`,
            '--force-script-chrootless',
            '--force-not-root',
            `--log=${root}/var/log/dpkg.log`,
            '-i',
            deb,
          ],
          { encoding: 'utf8' },
        );
        expect(installed.status, installed.stderr).toBe(0);
      },
      agentCommand: (name, root) =>
        name === 'lab-web-01' ? [`${root}/usr/bin/patchgate-agent`] : undefined,
    });
    const root = world.root('lab-web-01');
    expect(dpkgVersion(root, 'patchgate-agent')).not.toBeNull();
    const change = await changeFor(world.org, layout, '1.1', root);
    const rollout = await startRollout(world.org, change.id);
    const done = await rolloutIn(
      world.org.people.requester,
      rollout.id,
      ['completed', 'halted', 'rolled_back'],
      120_000,
    );
    expect(done.phase).toBe('completed');
    for (const host of layout) {
      expect(dpkgVersion(world.root(host.name))).toBe('1.1');
      expect(aptHistory(world.root(host.name))).toContain(
        'Upgrade: pg-demo-service:amd64 (1.0, 1.1)',
      );
    }
  }, 300_000);
});
