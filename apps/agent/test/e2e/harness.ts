/**
 * The end-to-end harness: a real `patchgate server` process (the built CLI, SQLite or
 * PostgreSQL), real agent processes (`patchgate agent run`) each in its own sandbox root with
 * pg-demo-service 1.0 installed by real apt from the test repository, and a change set up
 * through the API as a team would (lab-world: requester ≠ approvers, a window open now).
 * Nothing is mocked; what is asserted is read from the roots' dpkg databases and apt logs.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { LabPeople } from '../../../cli/src/lab-world.ts';
import {
  approvedChange,
  createLabPeople,
  LabApi,
  openWindowNow,
  startRolloutNow,
} from '../../../cli/src/lab-world.ts';
import type { ServerDatabase, ServerProcess } from '../../../server/test/server-process.ts';
import {
  adminToken,
  buildCli,
  repoRoot,
  startServerProcess,
} from '../../../server/test/server-process.ts';
import type { TestRepository } from '../fixtures/test-repo.ts';
import { buildTestRepository, healthCheckFor, installBase } from '../fixtures/test-repo.ts';

export const cliBin = `${repoRoot}apps/cli/bin/patchgate.js`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `check` until it returns a value (not undefined), or fail naming `what`. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

let built: { ok: boolean; stderr: string } | undefined;

/**
 * Why these tests cannot run here, or undefined: they need root (dpkg writes ownership and
 * runs maintainer scripts), dpkg-deb/dpkg-scanpackages/apt-get, the CLI bundle with the
 * `agent` verb, and a server with the agent and rollout routes.
 */
export function e2eSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (dpkg in sandbox roots)';
  for (const tool of ['dpkg-deb', 'dpkg-scanpackages', 'apt-get', 'dpkg-query']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `${tool} is not installed (apt-get install dpkg-dev apt)`;
  }
  built ??= buildCli();
  if (!built.ok) return `the CLI does not build: ${built.stderr.slice(0, 300)}`;
  const help = spawnSync(process.execPath, [cliBin, 'agent', 'run', '--help'], {
    encoding: 'utf8',
  });
  if (help.status !== 0) return 'the CLI has no `patchgate agent run` (the agent is missing)';
  const source = (path: string) =>
    existsSync(`${repoRoot}${path}`) ? readFileSync(`${repoRoot}${path}`, 'utf8') : '';
  const app = source('apps/server/src/app.ts');
  if (!app.includes('registerAgentRoutes')) return 'the server has no agent routes yet';
  if (!app.includes('registerRolloutRoutes')) return 'the server has no rollout routes yet';
  return undefined;
}

/** A running server and an admin client on it; restartable on the same database. */
export interface LabServer {
  server: ServerProcess;
  readonly database: ServerDatabase;
  readonly admin: LabApi;
  /** Start another process on the same database (a restart after a kill, or a replica). */
  start(): Promise<ServerProcess>;
}

/** A free TCP port on the loopback (the server restarts on it, so agents find it again). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * `patchgate server --port <port>` on the database, resolved once it listens: a fixed port, so
 * agents keep their --server URL across a restart; a fast rollout tick and a short lease.
 */
export function spawnServer(database: ServerDatabase, port: number): Promise<ServerProcess> {
  return startServerProcess(database, {
    leaseSeconds: 3,
    port,
    env: { PATCHGATE_ROLLOUT_TICK_MS: '250', PATCHGATE_ROLLOUT_LEASE_MS: '5000' },
  });
}

export async function startLabServer(database: ServerDatabase): Promise<LabServer> {
  const port = await freePort();
  const server = await spawnServer(database, port);
  const admin = new LabApi(server.url, await adminToken(server.url));
  return {
    server,
    database,
    admin,
    start: () => spawnServer(database, port),
  };
}

/**
 * A minimal load balancer in front of server replicas: each request goes to the first
 * upstream that accepts the connection, in turn (a killed replica's requests fail over).
 */
export async function startBalancer(
  upstreams: () => readonly string[],
): Promise<{ url: string; close: () => Promise<void> }> {
  let turn = 0;
  const proxy = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const targets = upstreams();
      const attempt = (n: number) => {
        if (n >= targets.length) {
          res.writeHead(502).end();
          return;
        }
        const target = new URL(req.url ?? '/', targets[(turn + n) % targets.length]);
        const out = httpRequest(
          target,
          { method: req.method, headers: { ...req.headers, host: target.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        out.on('error', () => {
          if (!res.headersSent) attempt(n + 1);
          else res.destroy();
        });
        out.end(body);
      };
      turn++;
      attempt(0);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

/** A real agent process on one sandbox root. */
export interface AgentProcess {
  readonly name: string;
  readonly root: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `patchgate agent run --server … --enroll-token … --name … --root …` (or another binary). */
export function startAgent(
  serverUrl: string,
  token: string,
  name: string,
  root: string,
  command?: readonly string[],
): AgentProcess {
  command ??= [process.execPath, cliBin, 'agent'];
  const [exe, ...pre] = command as [string, ...string[]];
  const child = spawn(
    exe,
    [...pre, 'run', '--server', serverUrl, '--enroll-token', token, '--name', name, '--root', root],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    root,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The sandbox hosts of a lab: a root each, with pg-demo-service 1.0 installed by apt. */
export interface LabHosts {
  readonly dir: string;
  readonly repo: TestRepository;
  readonly roots: ReadonlyMap<string, string>;
  remove(): void;
}

export async function sandboxHosts(names: readonly string[]): Promise<LabHosts> {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-e2e-'));
  const repo = await buildTestRepository(join(dir, 'repo'));
  const roots = new Map<string, string>();
  for (const name of names) {
    const root = join(dir, name);
    await installBase(root, repo);
    roots.set(name, root);
  }
  return { dir, repo, roots, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The installed version of pg-demo-service in a root, as `dpkg-query -W` prints it. */
export function dpkgVersion(root: string, name = 'pg-demo-service'): string | null {
  const result = spawnSync(
    'dpkg-query',
    [`--admindir=${root}/var/lib/dpkg`, '-W', '-f', '${db:Status-Abbrev}|${Version}', name],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) return null;
  const [status = '', version = ''] = result.stdout.split('|');
  return status.startsWith('ii') ? version : `${status.trim()} ${version}`;
}

/** When dpkg last (re)wrote the package's file list in the root: its install time, in ms. */
export function installedAt(root: string, name = 'pg-demo-service'): number {
  const list = `${root}/var/lib/dpkg/info/${name}.list`;
  return existsSync(list) ? statSync(list).mtimeMs : Number.NaN;
}

/** The apt history of the root: one entry per apt run that changed pg-demo-service. */
export function aptHistory(root: string, name = 'pg-demo-service'): string[] {
  const file = `${root}/var/log/apt/history.log`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\n\s*\n/)
    .map((entry) => /^(Install|Upgrade|Downgrade|Remove): (.*)$/m.exec(entry))
    .filter((m): m is RegExpExecArray => m !== null && (m[2] ?? '').includes(`${name}:`))
    .map((m) => `${m[1] ?? ''}: ${m[2] ?? ''}`);
}

/** One task the server queued for an agent, as its table holds it. */
export interface QueuedTask {
  readonly host: string;
  readonly kind: string;
  readonly state: string;
  readonly changeId: string | null;
  readonly rolloutId: string | null;
  readonly idempotencyKey: string;
  readonly delivered: boolean;
}

/** Every agent task in the server's database, by host name (read with the test's own handle). */
export async function tasksByHost(database: ServerDatabase): Promise<Map<string, QueuedTask[]>> {
  const handle = database.open();
  try {
    const result = await sql<{
      host: string;
      kind: string;
      state: string;
      change_id: string | null;
      rollout_id: string | null;
      idempotency_key: string;
      delivered_at: string | null;
    }>`select a.name as host, t.kind, t.state, t.change_id, t.rollout_id, t.idempotency_key, t.delivered_at
       from agent_tasks t join agents a on a.id = t.agent_id order by t.created_at`.execute(
      handle.db,
    );
    const byHost = new Map<string, QueuedTask[]>();
    for (const row of result.rows) {
      const list = byHost.get(row.host) ?? [];
      list.push({
        host: row.host,
        kind: row.kind,
        state: row.state,
        changeId: row.change_id,
        rolloutId: row.rollout_id,
        idempotencyKey: row.idempotency_key,
        delivered: row.delivered_at !== null,
      });
      byHost.set(row.host, list);
    }
    return byHost;
  } finally {
    await handle.close();
  }
}

/** Everything a lab test needs on the server side: people, hosts' assets, a token, a window. */
export interface LabOrg {
  readonly people: LabPeople;
  readonly enrolToken: string;
}

/**
 * Hosts as assets in one group per wave (`wave-1`, …), people with separation of duties, a
 * window open now over those groups, and one enrolment token for every agent.
 */
export async function prepareOrg(
  admin: LabApi,
  hosts: readonly { name: string; wave: number }[],
): Promise<LabOrg> {
  await admin.post(
    '/api/v1/assets/import',
    hosts.map((h) => ({
      name: h.name,
      kind: 'host',
      osRelease: 'Debian:12',
      environment: 'staging',
      criticality: 'low',
      exposure: 'internal',
      tags: [],
      groups: [`wave-${h.wave}`],
    })),
  );
  const people = await createLabPeople(admin, 'e2e');
  const waves = [...new Set(hosts.map((h) => h.wave))];
  await openWindowNow(admin, 'e2e window', { groups: waves.map((w) => `wave-${w}`) });
  const token = await admin.post<{ token: string }>('/api/v1/enrolment-tokens', {
    description: 'e2e',
    uses: hosts.length * 2,
    expiresInSeconds: 3600,
  });
  return { people, enrolToken: token.token };
}

/** A change for pg-demo-service `version` on the hosts, waves by group, health-checked. */
export async function changeFor(
  org: LabOrg,
  hosts: readonly { name: string; wave: number }[],
  version: string,
  anyRoot: string,
) {
  const waves = [...new Set(hosts.map((h) => h.wave))].sort((a, b) => a - b);
  return approvedChange(
    org.people,
    {
      title: `pg-demo-service ${version}`,
      description: 'An end-to-end rollout through real agents.',
      patches: hosts.map((h) => ({
        asset: h.name,
        package: 'pg-demo-service',
        toVersion: version,
      })),
      plans: {
        testPlan: {
          summary: 'The service health file says ok.',
          steps: [{ description: 'health check', expectedResult: 'ok' }],
        },
        deploymentPlan: {
          estimatedMinutes: 30,
          waves: waves.map((w) => ({
            name: `wave-${w}`,
            selector: { groups: [`wave-${w}`] },
            concurrency: 1,
            failureThreshold: 0,
            bakeMinutes: 0,
            gate: 'auto',
            onFailure: 'rollback',
            healthChecks: [healthCheckFor(anyRoot)],
          })),
        },
        rollbackPlan: {
          triggers: ['health-check-failure', 'failure-threshold', 'manual'],
          steps: [{ kind: 'downgrade' }],
        },
      },
    },
    0,
  );
}

export interface RolloutView {
  readonly id: string;
  readonly phase: string;
  readonly waves?: readonly {
    readonly hosts?: readonly {
      readonly name?: string;
      readonly assetName?: string;
      readonly backup?: { readonly backupId: string; readonly packages: number } | null;
    }[];
  }[];
}

export async function startRollout(org: LabOrg, changeId: string): Promise<RolloutView> {
  return startRolloutNow(org.people.requester, changeId);
}

/** Wait until the rollout is in one of `states`; returns its detail. */
export function rolloutIn(
  api: LabApi,
  id: string,
  states: readonly string[],
  timeoutMs = 60_000,
): Promise<RolloutView> {
  return until(`rollout ${id} to be ${states.join('|')}`, timeoutMs, async () => {
    const reply = await api.call('GET', `/api/v1/rollouts/${id}`);
    if (reply.status !== 200) return undefined;
    const view = reply.body as RolloutView;
    return states.includes(view.phase) ? view : undefined;
  });
}

/** Every agent's asset is linked and online (agents list). */
export function agentsOnline(admin: LabApi, names: readonly string[], timeoutMs = 30_000) {
  return until(`agents ${names.join(', ')} online`, timeoutMs, async () => {
    const reply = await admin.call('GET', '/api/v1/agents');
    if (reply.status !== 200) return undefined;
    const body = reply.body as { agents?: { name: string; online: boolean }[] };
    const online = new Set((body.agents ?? []).filter((a) => a.online).map((a) => a.name));
    return names.every((n) => online.has(n)) ? true : undefined;
  });
}

/** A running lab: server, sandbox hosts at 1.0, their agents online, the org ready. */
export interface LabWorld {
  readonly lab: LabServer;
  readonly hosts: LabHosts;
  readonly org: LabOrg;
  readonly agents: AgentProcess[];
  readonly root: (name: string) => string;
  readonly close: () => Promise<void>;
}

/**
 * Start a server on `database`, make the hosts' roots, the org, and one agent per host
 * talking to `agentServer(lab)` (default: the server itself; a balancer for replicas).
 */
export async function labWorld(
  database: ServerDatabase,
  layout: readonly { name: string; wave: number }[],
  options: {
    agentServer?: (lab: LabServer) => Promise<string> | string;
    agentCommand?: (name: string, root: string) => readonly string[] | undefined;
    /** Runs once the roots hold pg-demo-service 1.0, before the agents start. */
    prepareRoots?: (hosts: LabHosts) => Promise<void> | void;
  } = {},
): Promise<LabWorld> {
  const lab = await startLabServer(database);
  const hosts = await sandboxHosts(layout.map((h) => h.name));
  const agents: AgentProcess[] = [];
  const close = async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await lab.server.stop();
    hosts.remove();
  };
  try {
    await options.prepareRoots?.(hosts);
    const org = await prepareOrg(lab.admin, layout);
    const url = (await options.agentServer?.(lab)) ?? lab.server.url;
    for (const host of layout) {
      const root = hosts.roots.get(host.name) ?? '';
      agents.push(
        startAgent(url, org.enrolToken, host.name, root, options.agentCommand?.(host.name, root)),
      );
    }
    await agentsOnline(
      lab.admin,
      layout.map((h) => h.name),
    ).catch((error: unknown) => {
      throw new Error(
        `${(error as Error).message}\n${agents.map((a) => `${a.name}: ${a.output().slice(-2000)}`).join('\n')}`,
      );
    });
    return { lab, hosts, org, agents, root: (name) => hosts.roots.get(name) ?? '', close };
  } catch (error) {
    await close();
    throw error;
  }
}
