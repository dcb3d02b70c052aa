/**
 * The demo lab of `patchgate server --demo`: a newcomer watches a real rollout. A local apt
 * repository with the test packages (pg-demo-service 1.0 … 1.3, built with dpkg-deb), four
 * sandbox roots under `<data-dir>/lab` (lab-web-01, lab-web-02, lab-app-01, lab-db-01) where
 * real apt installed pg-demo-service 1.0, and a real `patchgate agent run` in each, as child
 * processes of the server (stopped with it), enrolled with a demo enrolment token. On the
 * server: the lab's assets in groups (canary, web, app, db), a window open now, and a change
 * for pg-demo-service 1.1 in three waves, approved by the demo's CAB (not by its requester) and
 * scheduled inside that window, ready for `patchgate rollouts start`.
 *
 * The lab needs root (dpkg writes ownership and runs maintainer scripts) and dpkg-deb,
 * dpkg-scanpackages and apt-get; without them it says why and how to fix it, and the rest of
 * the demo goes on.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabPeople } from './lab-world.ts';
import { approvedChange, LabApi, loginToken, openWindowNow } from './lab-world.ts';

/**
 * Minutes from now to the lab change's scheduled start (PATCHGATE_DEMO_LAB_START_MINUTES, 0–60,
 * default 2): a change may not start before it, by command or by the server, which starts a due
 * scheduled change itself.
 */
export function labStartMinutes(env: Readonly<Record<string, string | undefined>>): number {
  const value = Number(env['PATCHGATE_DEMO_LAB_START_MINUTES'] ?? 2);
  return Number.isInteger(value) && value >= 0 && value <= 60 ? value : 2;
}

/** The lab's hosts and the wave each is patched in. */
export const labHosts = [
  { name: 'lab-web-01', group: 'lab-canary', wave: 'canary' },
  { name: 'lab-web-02', group: 'lab-web', wave: 'web and app' },
  { name: 'lab-app-01', group: 'lab-app', wave: 'web and app' },
  { name: 'lab-db-01', group: 'lab-db', wave: 'database' },
] as const;

const cliBin = fileURLToPath(new URL('../bin/patchgate.js', import.meta.url));

export interface LabIo {
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
}

export interface DemoLab {
  /** The change ready to start (CHG-…), when it was made. */
  readonly change?: string;
}

/** The lab's agent processes; once stopped, no new one starts. */
export class LabAgents {
  readonly children: ChildProcess[] = [];
  stopped = false;

  /** Stop the lab's agents (the server is stopping). */
  async stop(): Promise<void> {
    this.stopped = true;
    await stopAll(this.children);
  }
}

/** Why this machine cannot run the lab, with the fix; undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the lab needs Linux with dpkg and apt';
  if (process.getuid?.() !== 0)
    return 'the lab installs packages with dpkg into sandbox roots, which needs root: run the demo as root (e.g. sudo npx patchgate server --demo) or in a container';
  for (const [tool, pkg] of [
    ['dpkg-deb', 'dpkg'],
    ['dpkg-scanpackages', 'dpkg-dev'],
    ['apt-get', 'apt'],
  ] as const) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `${tool} is missing: apt-get install ${pkg}`;
  }
  return undefined;
}

function startLabAgent(
  agents: LabAgents,
  dir: string,
  serverUrl: string,
  token: string | undefined,
  name: string,
): void {
  if (agents.stopped) return;
  const log = createWriteStream(join(dir, `${name}.agent.log`), { flags: 'a' });
  const child = spawn(
    process.execPath,
    [
      cliBin,
      'agent',
      'run',
      '--server',
      serverUrl,
      ...(token === undefined ? [] : ['--enroll-token', token]),
      '--name',
      name,
      '--root',
      join(dir, name),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  agents.children.push(child);
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Wait until every lab agent is online; false after `timeoutMs`. */
async function labAgentsOnline(admin: LabApi, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await admin.call('GET', '/api/v1/agents');
    const agents = (reply.body as { agents?: { name: string; online: boolean }[] } | null)?.agents;
    const online = new Set((agents ?? []).filter((a) => a.online).map((a) => a.name));
    if (labHosts.every((h) => online.has(h.name))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Build the lab on a freshly seeded demo server (`people`: the admin requests, the demo's CAB
 * approves) or, on a later start with the lab already there, start its agents again (they
 * kept their credentials in their roots). Never throws: a failure is printed, the demo goes on.
 */
export async function startDemoLab(
  agents: LabAgents,
  serverUrl: string,
  dataDir: string,
  io: LabIo,
  seeded?: { admin: LabApi; approvers: readonly { username: string; password: string }[] },
): Promise<DemoLab> {
  const why = labUnavailable();
  const dir = join(dataDir, 'lab');
  if (why !== undefined) {
    io.stdout.write(`Demo lab not started: ${why}.\n`);
    return {};
  }
  try {
    if (seeded === undefined) {
      // A restart: the lab's agents come back with the credentials in their roots.
      if (!existsSync(join(dir, labHosts[0].name))) return {};
      for (const host of labHosts) startLabAgent(agents, dir, serverUrl, undefined, host.name);
      io.stdout.write(`Demo lab: ${labHosts.length} agents started again from ${dir}.\n`);
      return {};
    }
    const { admin } = seeded;
    mkdirSync(dir, { recursive: true });
    // The test repository and roots: the same packages the agent's end-to-end tests use.
    const { buildTestRepository, installBase, healthCheckFor } =
      await import('../../agent/test/fixtures/test-repo.ts');
    const repo = await buildTestRepository(join(dir, 'repo'));
    for (const host of labHosts) await installBase(join(dir, host.name), repo);

    await admin.post(
      '/api/v1/assets/import',
      labHosts.map((h) => ({
        name: h.name,
        kind: 'host',
        osRelease: 'Debian:12',
        // Development: none of the demo's own windows (web nightly, database Sunday, staging
        // office hours) applies, only the lab's window open now.
        environment: 'development',
        criticality: 'low',
        exposure: 'internal',
        owner: 'team-lab',
        tags: ['lab'],
        groups: ['lab', h.group],
      })),
      'lab assets',
    );
    const token = await admin.post<{ token: string }>(
      '/api/v1/enrolment-tokens',
      { description: 'demo lab', uses: labHosts.length, expiresInSeconds: 24 * 3600 },
      'lab enrolment token',
    );
    for (const host of labHosts) startLabAgent(agents, dir, serverUrl, token.token, host.name);
    if (!(await labAgentsOnline(admin, 60_000)))
      io.stdout.write(`Demo lab: not every agent came online; see ${dir}/*.agent.log\n`);
    await openWindowNow(admin, 'lab (open now)', { groups: ['lab'] });

    // The demo's CAB approves what the admin requests and implements.
    const approvers: LabApi[] = [];
    for (const person of seeded.approvers)
      approvers.push(
        new LabApi(serverUrl, await loginToken(serverUrl, person.username, person.password)),
      );
    const people: LabPeople = { requester: admin, requesterName: 'admin', approvers };
    const waves = [...new Set(labHosts.map((h) => h.wave))];
    const body = {
      title: 'pg-demo-service 1.1 on the lab',
      description:
        'The demo lab’s rollout: real agents install pg-demo-service 1.1 with apt in their sandbox roots, wave by wave, health-checked, rolled back on failure.',
      patches: labHosts.map((h) => ({
        asset: h.name,
        package: 'pg-demo-service',
        toVersion: '1.1',
      })),
      plans: {
        testPlan: {
          summary: 'The service’s health file says ok on every host.',
          steps: [{ description: 'pg-demo-service health check', expectedResult: 'ok' }],
        },
        deploymentPlan: {
          estimatedMinutes: 30,
          waves: waves.map((wave) => ({
            name: wave,
            assets: labHosts.filter((h) => h.wave === wave).map((h) => h.name),
            concurrency: 1,
            failureThreshold: 0,
            bakeMinutes: 0,
            gate: 'auto',
            onFailure: 'rollback',
            healthChecks: [healthCheckFor(join(dir, labHosts[0].name))],
          })),
        },
        rollbackPlan: {
          triggers: ['health-check-failure', 'failure-threshold', 'manual'],
          steps: [{ kind: 'downgrade' }],
        },
      },
    };
    const change = await approvedChange(people, body, labStartMinutes(process.env));
    const startAt = (change.start ?? new Date().toISOString()).slice(11, 19);
    io.stdout.write(
      `Demo lab ready: ${labHosts.length} agents (${labHosts.map((h) => h.name).join(', ')}) in sandbox roots under ${dir}, pg-demo-service 1.0 installed by apt.\n` +
        `  Change ${change.number} (pg-demo-service 1.1 in ${waves.length} waves: ${waves.join(' → ')}) is approved and scheduled for ${startAt} UTC, inside the open "lab" window.\n` +
        `  Watch a real rollout: "npx patchgate rollouts start ${change.number}" from ${startAt} (the server also starts it by itself then), and "npx patchgate rollouts watch ${change.number}".\n` +
        `  See a host: dpkg-query --admindir=${join(dir, 'lab-web-01')}/var/lib/dpkg -W pg-demo-service\n`,
    );
    return { change: change.number };
  } catch (error) {
    io.stdout.write(`Demo lab not ready: ${(error as Error).message}\n`);
    return {};
  }
}
