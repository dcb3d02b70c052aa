/**
 * `patchgate server --demo` builds its lab: four real agents in sandbox roots come online, a
 * change for pg-demo-service 1.1 is approved and scheduled, and stopping the server stops the
 * agents. Runs the built CLI as a real process (root, dpkg and apt needed: else it skips).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { labHosts, labUnavailable } from './lab.ts';
import { LabApi, loginToken } from './lab-world.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = `${repoRoot}apps/cli/bin/patchgate.js`;

function skipReason(): string | undefined {
  const why = labUnavailable();
  if (why !== undefined) return why;
  const app = readFileSync(`${repoRoot}apps/server/src/app.ts`, 'utf8');
  if (!app.includes('registerAgentRoutes')) return 'the server has no agent routes yet';
  if (!app.includes('registerRolloutRoutes')) return 'the server has no rollout routes yet';
  return undefined;
}
const skip = skipReason();
if (skip !== undefined) console.warn(`SKIP demo lab: ${skip}`);

const work = mkdtempSync(join(tmpdir(), 'patchgate-demo-lab-'));
let server: ChildProcess | undefined;
afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)('the demo lab', () => {
  it('starts agents in sandbox roots, its approved change rolls out to every host, stops with the server', async () => {
    const built = spawnSync(process.execPath, [`${repoRoot}apps/cli/build.mjs`], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    server = spawn(
      process.execPath,
      [bin, 'server', '--port', '0', '--data-dir', join(work, 'data'), '--demo'],
      {
        env: {
          ...process.env,
          PATCHGATE_CONFIG_DIR: join(work, 'config'),
          PATCHGATE_LOG_LEVEL: 'warn',
          // Scheduled now: the server starts the lab's change itself, the test watches it.
          PATCHGATE_DEMO_LAB_START_MINUTES: '0',
          PATCHGATE_ROLLOUT_TICK_MS: '500',
        },
      },
    );
    const banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      server?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/See a host: .*\n|Demo lab not .*\n/.test(out)) resolve(out);
      });
      server?.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    });
    expect(banner).toMatch(/Demo lab ready: 4 agents/);
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1] ?? '';
    const password = /Log in as admin with password (\S+)/.exec(banner)?.[1] ?? '';
    const change = /"npx patchgate rollouts start (CHG-\d+)"/.exec(banner)?.[1] ?? '';
    expect(change).not.toBe('');

    const admin = new LabApi(url, await loginToken(url, 'admin', password));
    const { agents } = await admin.get<{ agents: { name: string; online: boolean }[] }>(
      '/api/v1/agents',
    );
    expect(
      agents
        .filter((a) => a.online)
        .map((a) => a.name)
        .sort(),
    ).toEqual(labHosts.map((h) => h.name).sort());
    const version = (host: string) =>
      spawnSync(
        'dpkg-query',
        [`--admindir=${join(work, 'data', 'lab', host)}/var/lib/dpkg`, '-W', 'pg-demo-service'],
        { encoding: 'utf8' },
      ).stdout.trim();
    // Scheduled now, the change may already be rolling out: each host is at 1.0 or 1.1.
    for (const host of labHosts) expect(version(host.name)).toMatch(/^pg-demo-service\t1\.[01]$/);
    // The newcomer's rollout: the change starts at its scheduled start and reaches every host.
    let phase = '';
    for (let i = 0; i < 240 && phase !== 'completed' && phase !== 'rolled_back'; i++) {
      const reply = await admin.call('GET', `/api/v1/rollouts?change=${change}`);
      const rollouts = (reply.body as { rollouts?: { phase: string }[] } | null)?.rollouts ?? [];
      phase = rollouts[0]?.phase ?? '';
      if (phase !== 'completed') await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(phase).toBe('completed');
    for (const host of labHosts) expect(version(host.name)).toBe('pg-demo-service\t1.1');

    // Stopping the server stops the lab's agents.
    const agentPids = spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((pid) => pid !== '');
    expect(agentPids.length).toBeGreaterThanOrEqual(labHosts.length);
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    for (const pid of agentPids) expect(() => process.kill(Number(pid), 0)).toThrow();
  }, 180_000);
});
