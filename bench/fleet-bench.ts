/**
 * `npm run bench -- fleet [--agents 1000,10000] [--database sqlite,postgres] [--concurrency 16]
 * [--rollout-hosts 1000]`: the agent fleet at scale (issue 9). N virtual agents in this one
 * process (bench/fleet-agents.ts) speak the real protocol over real HTTP to a real `patchgate
 * server` process (the built CLI; SQLite, or two replicas on one PostgreSQL database with the
 * agents split between them): every agent enrols (one enrolment token with N uses), sends a
 * heartbeat and a small dpkg status inventory; then a change for pg-demo-service 1.0 → 1.1 over
 * 1,000 hosts in 4 waves (10, 90, 400, 500) is approved through the API and rolled out while
 * those hosts long-poll and answer their install and health-check tasks at once (signatures
 * verified) and every agent heart-beats in the background.
 *
 * Figures per phase: agent calls, their p50/p95 latency (during the rollout: results,
 * heartbeats and rescans; a long-poll's time is its wait for work, not the server's latency), wall time, the server's CPU time and
 * peak RSS (from /proc/<pid> of the server process, summed over replicas); the rollout's
 * completion time, tasks and errors (target: zero, and no host patched twice). The baseline of
 * every ratio is the first configuration of the run (SQLite with the smallest fleet).
 * Environment equivalents of the flags: PATCHGATE_BENCH_FLEET_AGENTS, …_DATABASES,
 * …_CONCURRENCY, …_ROLLOUT_HOSTS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  approvedChange,
  createLabPeople,
  LabApi,
  openWindowNow,
  startRolloutNow,
} from '../apps/cli/src/lab-world.ts';
import {
  findPostgresBinaries,
  startPostgresCluster,
} from '../apps/server/test/postgres-cluster.ts';
import type { ServerDatabase, ServerProcess } from '../apps/server/test/server-process.ts';
import {
  adminToken,
  buildCli,
  freshServerDatabase,
  startServerProcess,
} from '../apps/server/test/server-process.ts';
import type { CallKind } from './fleet-agents.ts';
import { CallLog, Fleet, fleetHostName, inBatches, sleep } from './fleet-agents.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
const count = (n: number) => Math.round(n).toLocaleString('en');

function flag(name: string, env: string, fallback: string): string {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at >= 0) {
    const arg = args[at] as string;
    return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[at + 1] ?? fallback);
  }
  return process.env[`PATCHGATE_BENCH_FLEET_${env}`] ?? fallback;
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { cpuSeconds: ticks / 100, rssBytes: rssKb * 1024 };
  } catch {
    return { cpuSeconds: 0, rssBytes: 0 };
  }
}

/** Samples the servers' RSS every 250 ms and their CPU time between start and stop. */
class ServerMeter {
  private cpuStart = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly pids: readonly number[]) {}

  private usage() {
    return this.pids
      .map(processUsage)
      .reduce(
        (a, b) => ({ cpuSeconds: a.cpuSeconds + b.cpuSeconds, rssBytes: a.rssBytes + b.rssBytes }),
        {
          cpuSeconds: 0,
          rssBytes: 0,
        },
      );
  }

  start(): void {
    const now = this.usage();
    this.cpuStart = now.cpuSeconds;
    this.peak = now.rssBytes;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, this.usage().rssBytes);
    }, 250);
  }

  stop(): { cpuSeconds: number; peakRssBytes: number } {
    clearInterval(this.timer);
    const now = this.usage();
    return {
      cpuSeconds: now.cpuSeconds - this.cpuStart,
      peakRssBytes: Math.max(this.peak, now.rssBytes),
    };
  }
}

interface PhaseFigures {
  readonly name: string;
  readonly calls: number;
  readonly p50: number;
  readonly p95: number;
  readonly wallMs: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly errors: number;
}

interface RunFigures {
  readonly label: string;
  readonly phases: readonly PhaseFigures[];
  readonly rolloutMs: number;
  readonly rolloutState: string;
  readonly installs: number;
  readonly repeatedInstalls: number;
  readonly hostsAt11: number;
  readonly errors: number;
}

const rolloutTimeoutMs =
  Number(process.env['PATCHGATE_BENCH_FLEET_ROLLOUT_TIMEOUT_S'] ?? 1800) * 1000;

const wavePlan = [
  { name: 'canary', share: 0.01, concurrency: 10 },
  { name: 'early', share: 0.09, concurrency: '50%' },
  { name: 'main', share: 0.4, concurrency: '50%' },
  { name: 'rest', share: 0.5, concurrency: '50%' },
] as const;

/** Which wave host n of the rollout's hosts is in (by the shares above). */
function waveOf(n: number, hosts: number): number {
  let edge = 0;
  for (const [index, wave] of wavePlan.entries()) {
    edge += Math.round(wave.share * hosts);
    if (n < edge) return index;
  }
  return wavePlan.length - 1;
}

async function runOne(
  label: string,
  database: ServerDatabase,
  replicas: number,
  agents: number,
  rolloutHosts: number,
  concurrency: number,
): Promise<RunFigures | undefined> {
  const servers: ServerProcess[] = [];
  let fleet: Fleet | undefined;
  try {
    // One replica first (it migrates), then the others on the same database.
    for (let r = 0; r < replicas; r++)
      servers.push(await startServerProcess(database, { leaseSeconds: 10 }));
    const url = servers[0]?.url ?? '';
    const admin = new LabApi(url, await adminToken(url));
    const probe = await admin.call('POST', '/api/v1/enrolment-tokens', {
      description: 'fleet bench',
      uses: agents,
      expiresInSeconds: 24 * 3600,
    });
    if (probe.status === 404) {
      say(`SKIP fleet: the server has no enrolment-token route (the agents context is missing)`);
      return undefined;
    }
    if (probe.status !== 201 && probe.status !== 200)
      throw new Error(`enrolment token: ${probe.status} ${JSON.stringify(probe.body)}`);
    const token = (probe.body as { token: string }).token;
    const hosts = Math.min(rolloutHosts, agents);

    // The rollout's hosts exist before their agents enrol (the agent links to the asset by
    // name), in one group per wave.
    const entries = Array.from({ length: hosts }, (_, n) => ({
      name: fleetHostName(n),
      kind: 'host',
      osRelease: 'Debian:12',
      environment: 'staging',
      criticality: 'low',
      exposure: 'internal',
      tags: [],
      groups: [`fleet-${wavePlan[waveOf(n, hosts)]?.name ?? 'rest'}`],
    }));
    for (let i = 0; i < entries.length; i += 500)
      await admin.post('/api/v1/assets/import', entries.slice(i, i + 500), 'asset import');

    const log = new CallLog();
    fleet = new Fleet(agents, {
      servers: servers.map((s) => s.url),
      log,
      maxWaitSeconds: 20,
    });
    const meter = new ServerMeter(servers.map((s) => s.child.pid ?? 0));
    const phases: PhaseFigures[] = [];
    const phase = async (name: string, kinds: readonly CallKind[], work: () => Promise<void>) => {
      const errorsBefore = log.errors;
      for (const kind of kinds) log.times.set(kind, []);
      meter.start();
      const started = performance.now();
      await work();
      const wallMs = performance.now() - started;
      const usage = meter.stop();
      const figures: PhaseFigures = {
        name,
        calls: log.count(kinds),
        p50: log.percentile(50, kinds),
        p95: log.percentile(95, kinds),
        wallMs,
        cpuSeconds: usage.cpuSeconds,
        peakRssBytes: usage.peakRssBytes,
        errors: log.errors - errorsBefore,
      };
      phases.push(figures);
      say(
        `${label}  ${name.padEnd(10)} ${count(figures.calls).padStart(7)} calls in ${(wallMs / 1000).toFixed(1)} s, ` +
          `p95 ${figures.p95.toFixed(1)} ms, server CPU ${usage.cpuSeconds.toFixed(1)} s, RSS ${mib(usage.peakRssBytes)}, errors ${figures.errors}`,
      );
    };
    const all = fleet.agents;
    await phase('enrol', ['enrol'], () => inBatches(all, concurrency, (a) => a.enrol(token)));
    const enrolled = all.filter((a) => a.agentId !== '');
    await phase('heartbeat', ['heartbeat'], () =>
      inBatches(enrolled, concurrency, (a) => a.heartbeat()),
    );
    await phase('inventory', ['inventory'], () =>
      inBatches(enrolled, concurrency, (a) => a.inventory()),
    );

    // The change: pg-demo-service 1.1 on the rollout's hosts, 4 waves by group, approved by
    // people other than its requester, scheduled inside a window open now.
    const people = await createLabPeople(admin, 'fleet');
    await openWindowNow(admin, 'fleet window', { groups: wavePlan.map((w) => `fleet-${w.name}`) });
    const change = await approvedChange(
      people,
      {
        title: `pg-demo-service 1.1 on ${count(hosts)} hosts`,
        description: 'The fleet benchmark’s rollout.',
        patches: entries.map((e) => ({
          asset: e.name,
          package: 'pg-demo-service',
          toVersion: '1.1',
        })),
        plans: {
          testPlan: {
            summary: 'The service answers its health check.',
            steps: [{ description: 'pg-demo-service --check', expectedResult: 'exit 0' }],
          },
          deploymentPlan: {
            estimatedMinutes: 60,
            waves: wavePlan.map((w) => ({
              name: w.name,
              selector: { groups: [`fleet-${w.name}`] },
              concurrency: w.concurrency,
              failureThreshold: 0,
              bakeMinutes: 0,
              gate: 'auto',
              onFailure: 'rollback',
              healthChecks: [
                { kind: 'command', name: 'service check', command: 'pg-demo-service --check' },
              ],
            })),
          },
          rollbackPlan: { triggers: ['health-check-failure'], steps: [{ kind: 'downgrade' }] },
        },
      },
      0,
    );

    say(`${label}  change ${change.number} approved and scheduled; starting its rollout`);
    let rolloutMs = 0;
    let state = 'not started';
    await phase('rollout', ['result', 'heartbeat', 'inventory'], async () => {
      fleet?.startLiving(hosts, true);
      const started = performance.now();
      const rollout = await startRolloutNow(people.requester, change.id);
      const deadline = Date.now() + rolloutTimeoutMs;
      let lastSaid = Date.now();
      for (;;) {
        const detail = await people.requester.get<{
          phase: string;
          currentWave: string | null;
          reason: string | null;
          waves: { name: string; counts: Record<string, number> }[];
        }>(`/api/v1/rollouts/${rollout.id}`);
        state = detail.phase;
        if (['completed', 'rolled_back', 'aborted', 'halted', 'paused'].includes(state)) {
          if (detail.reason !== null) state = `${state} (${detail.reason})`;
          break;
        }
        if (Date.now() > deadline) {
          state = `${state}: gave up after ${rolloutTimeoutMs / 1000} s`;
          if (process.env['PATCHGATE_BENCH_FLEET_DEBUG'] === '1')
            say(
              (
                await admin.get<{ jobs: { kind: string; state: string; error: unknown }[] }>(
                  '/api/v1/jobs?limit=200',
                )
              ).jobs
                .map((j) => `${j.kind} ${j.state} ${JSON.stringify(j.error)}`)
                .join('\n'),
            );
          if (process.env['PATCHGATE_BENCH_FLEET_DEBUG'] === '1')
            say(
              JSON.stringify(detail.waves.find((w) => w.name === detail.currentWave)).slice(
                0,
                6000,
              ),
            );
          break;
        }
        if (Date.now() - lastSaid > 10_000) {
          lastSaid = Date.now();
          const wave = detail.waves.find((w) => w.name === detail.currentWave);
          say(
            `${label}    … ${state}, wave ${detail.currentWave ?? '-'} ${JSON.stringify(wave?.counts ?? {})}, ` +
              `${log.errors} errors${log.errorSamples.length > 0 ? ` (first: ${log.errorSamples[0]})` : ''}`,
          );
        }
        await sleep(250);
      }
      rolloutMs = performance.now() - started;
      await fleet?.stop();
    });
    const rolled = all.slice(0, hosts);
    const installs = rolled.reduce((sum, a) => sum + a.counts.install, 0);
    const repeatedInstalls = rolled.reduce((sum, a) => sum + a.counts.repeatedInstalls, 0);
    const hostsAt11 = rolled.filter((a) => a.serviceVersion === '1.1').length;
    say(
      `${label}  rollout of ${change.number}: ${state} in ${(rolloutMs / 1000).toFixed(1)} s; ` +
        `${count(installs)} install tasks (${repeatedInstalls} repeated), ${count(hostsAt11)}/${count(hosts)} hosts at 1.1, ` +
        `errors ${log.errors} (${log.retried} calls sent again after a reset idle socket)${log.errorSamples.length > 0 ? `: ${log.errorSamples.join(' | ')}` : ''}`,
    );
    return {
      label,
      phases,
      rolloutMs,
      rolloutState: state,
      installs,
      repeatedInstalls,
      hostsAt11,
      errors: log.errors,
    };
  } finally {
    if (process.env['PATCHGATE_BENCH_FLEET_DEBUG'] === '1')
      for (const server of servers) say(server.stderr().slice(-4000));
    fleet?.close();
    for (const server of servers) await server.stop();
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function printTable(runs: readonly RunFigures[]): void {
  const base = runs[0];
  if (base === undefined) return;
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '—');
  say('');
  say(`fleet  figures (ratios against ${base.label}, measured in this run)`);
  say(
    `| run | phase | calls | p50 ms | p95 ms (ratio) | wall s | server CPU s (ratio) | server RSS peak (ratio) | errors |`,
  );
  say(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const run of runs) {
    for (const p of run.phases) {
      const b = base.phases.find((q) => q.name === p.name);
      say(
        `| ${run.label} | ${p.name} | ${count(p.calls)} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} (${ratio(p.p95, b?.p95 ?? 0)}) | ` +
          `${(p.wallMs / 1000).toFixed(1)} | ${p.cpuSeconds.toFixed(1)} (${ratio(p.cpuSeconds, b?.cpuSeconds ?? 0)}) | ` +
          `${mib(p.peakRssBytes)} (${ratio(p.peakRssBytes, b?.peakRssBytes ?? 0)}) | ${p.errors} |`,
      );
    }
  }
  say('');
  say(
    `| run | rollout | completion s (ratio) | install tasks | repeated | hosts at 1.1 | errors |`,
  );
  say(`| --- | --- | ---: | ---: | ---: | ---: | ---: |`);
  for (const run of runs)
    say(
      `| ${run.label} | ${run.rolloutState} | ${(run.rolloutMs / 1000).toFixed(1)} (${ratio(run.rolloutMs, base.rolloutMs)}) | ` +
        `${count(run.installs)} | ${run.repeatedInstalls} | ${count(run.hostsAt11)} | ${run.errors} |`,
    );
}

export async function benchFleet(): Promise<void> {
  const agentCounts = list(flag('agents', 'AGENTS', '1000,10000')).map(Number);
  const databases = list(flag('database', 'DATABASES', 'sqlite,postgres'));
  const concurrency = Number(flag('concurrency', 'CONCURRENCY', '16'));
  const rolloutHosts = Number(flag('rollout-hosts', 'ROLLOUT_HOSTS', '1000'));
  if (agentCounts.some((n) => !Number.isInteger(n) || n < 1) || !(concurrency >= 1)) {
    say('SKIP fleet: --agents takes counts like 1000,10000 and --concurrency a positive number');
    return;
  }
  // The rollout driver ticks often enough that waves follow each other within a second.
  process.env['PATCHGATE_ROLLOUT_TICK_MS'] ??= '500';
  const built = buildCli();
  if (!built.ok || !existsSync(`${root}apps/cli/dist/patchgate.mjs`)) {
    say(
      `SKIP fleet: the CLI bundle (the server) could not be built: ${built.stderr.slice(0, 500)}`,
    );
    return;
  }
  say(
    `fleet  agents ${agentCounts.map(count).join(', ')}; databases ${databases.join(', ')}; ` +
      `${concurrency} calls in flight while enrolling/reporting; rollout over ${count(rolloutHosts)} hosts in 4 waves`,
  );
  const runs: RunFigures[] = [];
  let cluster: ReturnType<typeof startPostgresCluster> | undefined;
  try {
    for (const name of databases) {
      if (name !== 'sqlite' && name !== 'postgres') {
        say(`SKIP fleet on ${name}: unknown database (sqlite, postgres)`);
        continue;
      }
      if (name === 'postgres' && cluster === undefined) {
        if (findPostgresBinaries() === undefined) {
          say(
            'SKIP fleet on postgres: PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql',
          );
          continue;
        }
        cluster = startPostgresCluster();
      }
      for (const agents of agentCounts) {
        const database = await freshServerDatabase(name, cluster?.url ?? null);
        try {
          const replicas = name === 'postgres' ? 2 : 1;
          const label = `${name}${replicas > 1 ? `×${replicas}` : ''} ${count(agents)}`;
          const run = await runOne(label, database, replicas, agents, rolloutHosts, concurrency);
          if (run === undefined) return;
          runs.push(run);
        } finally {
          await database.remove();
        }
      }
    }
  } finally {
    cluster?.stop();
  }
  printTable(runs);
}
