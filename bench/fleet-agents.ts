/**
 * The fleet simulator of `npm run bench -- fleet`: N virtual agents in one process, each
 * speaking the real agent protocol (`@patchgate/agent-protocol`) over real HTTP to a real
 * server: enrolment with a one-time token, heartbeats, a dpkg status inventory, long-polls for
 * tasks. A task is answered at once (no dpkg here): install → succeeded (1.0 → target),
 * health-check → pass, preflight → ok, rollback → restored, rescan → a fresh inventory. Every
 * envelope's Ed25519 signature is verified against the keys pinned at enrolment, and the
 * payload must name this agent and be unexpired, exactly as the real agent checks, before it is
 * answered; a bad envelope counts as an error (target: zero).
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';
import { Agent as HttpAgent, request } from 'node:http';
import type {
  EnrolRequest,
  Heartbeat,
  ResultData,
  TaskPayload as TaskPayloadType,
  TaskResult,
} from '@patchgate/agent-protocol';
import {
  agentRoutes,
  EnrolResponse,
  HeartbeatResponse,
  protocolHeader,
  protocolVersion,
  TaskPayload,
  TaskPoll,
} from '@patchgate/agent-protocol';

/** The calls whose latency is measured, one series each. */
export const callKinds = [
  'enrol',
  'heartbeat',
  'inventory',
  'poll',
  'result',
] as const satisfies readonly string[];
export type CallKind = (typeof callKinds)[number];

/** Latencies (ms) per call kind, and the errors seen (first few kept verbatim). */
export class CallLog {
  readonly times = new Map<CallKind, number[]>();
  errors = 0;
  /** Calls sent again after a reset keep-alive socket (not errors: the server never saw them). */
  retried = 0;
  readonly errorSamples: string[] = [];
  /** Set while the fleet stops: the long-polls it cuts are not errors. */
  stopping = false;

  record(kind: CallKind, ms: number): void {
    const list = this.times.get(kind) ?? [];
    list.push(ms);
    this.times.set(kind, list);
  }

  error(what: string): void {
    if (this.stopping) return;
    this.errors++;
    if (this.errorSamples.length < 5) this.errorSamples.push(what.slice(0, 300));
  }

  /** p-th percentile of the given kinds together (all kinds when none given). */
  percentile(p: number, kinds: readonly CallKind[] = callKinds): number {
    const all = kinds.flatMap((kind) => this.times.get(kind) ?? []).sort((a, b) => a - b);
    if (all.length === 0) return Number.NaN;
    return all[Math.min(all.length - 1, Math.max(0, Math.ceil((p / 100) * all.length) - 1))] ?? 0;
  }

  count(kinds: readonly CallKind[] = callKinds): number {
    return kinds.reduce((sum, kind) => sum + (this.times.get(kind)?.length ?? 0), 0);
  }
}

interface Reply {
  readonly status: number;
  readonly text: string;
}

/** One HTTP call on a shared keep-alive pool; resolves with the status and body text. */
function call(
  pool: HttpAgent,
  base: URL,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method,
        agent: pool,
        headers: {
          ...headers,
          ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A small realistic dpkg status file: the service the rollouts patch (at `serviceVersion`) and
 * a dozen base packages of a Debian 12 host, as `/var/lib/dpkg/status` holds them.
 */
export function dpkgStatus(serviceVersion: string): string {
  const base: [string, string, string, string][] = [
    ['base-files', '12.4+deb12u8', 'amd64', 'required'],
    ['bash', '5.2.15-2+b7', 'amd64', 'required'],
    ['coreutils', '9.1-1', 'amd64', 'required'],
    ['dpkg', '1.21.22', 'amd64', 'required'],
    ['libc6', '2.36-9+deb12u9', 'amd64', 'required'],
    ['libssl3', '3.0.15-1~deb12u1', 'amd64', 'optional'],
    ['openssl', '3.0.15-1~deb12u1', 'amd64', 'optional'],
    ['openssh-server', '1:9.2p1-2+deb12u3', 'amd64', 'optional'],
    ['curl', '7.88.1-10+deb12u8', 'amd64', 'optional'],
    ['libcurl4', '7.88.1-10+deb12u8', 'amd64', 'optional'],
    ['systemd', '252.33-1~deb12u1', 'amd64', 'important'],
    ['tzdata', '2024b-0+deb12u1', 'all', 'required'],
  ];
  const stanza = (name: string, version: string, arch: string, priority: string) =>
    `Package: ${name}\nStatus: install ok installed\nPriority: ${priority}\nSection: admin\n` +
    `Installed-Size: 1024\nMaintainer: Debian <debian@example.org>\nArchitecture: ${arch}\n` +
    `Version: ${version}\nDescription: ${name}\n`;
  return (
    [
      ...base.map(([n, v, a, p]) => stanza(n, v, a, p)),
      stanza('pg-demo-service', serviceVersion, 'all', 'optional'),
    ].join('\n') + '\n'
  );
}

export interface FleetOptions {
  /** Servers to talk to; agent n uses `servers[n % servers.length]` (replicas share a database). */
  readonly servers: readonly string[];
  readonly log: CallLog;
  /** The simulated long-poll wait (the server's pollSeconds is used when smaller). */
  readonly maxWaitSeconds: number;
}

/** What one virtual agent did with the tasks it got, for the bench's checks. */
export interface TaskCounts {
  install: number;
  healthCheck: number;
  other: number;
  /** Install tasks for a key already applied (must stay 0: no host patched twice). */
  repeatedInstalls: number;
}

/** One virtual agent: its name, its credential after enrolment, its pinned keys, its package. */
export class VirtualAgent {
  agentId = '';
  assetId = '';
  private credential = '';
  private readonly keys = new Map<string, KeyObject>();
  private pollSeconds = 20;
  heartbeatSeconds = 60;
  /** Server clock minus ours, measured at enrolment and on every answer carrying serverTime. */
  private skewMs = 0;
  serviceVersion = '1.0';
  readonly counts: TaskCounts = { install: 0, healthCheck: 0, other: 0, repeatedInstalls: 0 };
  private readonly applied = new Set<string>();
  private readonly base: URL;

  constructor(
    readonly name: string,
    private readonly pool: HttpAgent,
    server: string,
    private readonly options: FleetOptions,
  ) {
    this.base = new URL(server);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      [protocolHeader]: String(protocolVersion),
      ...(this.credential !== '' && { authorization: `Bearer ${this.credential}` }),
      ...extra,
    };
  }

  /** One timed call; a non-2xx answer or a transport error is logged and returns undefined. */
  private async timed(
    kind: CallKind,
    method: 'GET' | 'POST',
    path: string,
    body?: { type: string; text: string },
  ): Promise<Reply | undefined> {
    const started = performance.now();
    const send = () =>
      call(
        this.pool,
        this.base,
        method,
        path,
        this.headers(body === undefined ? {} : { 'content-type': body.type }),
        body?.text,
      );
    try {
      // A keep-alive socket the server closed as idle just as it was reused fails at once with
      // ECONNRESET: the request never reached the server, so it is sent again (as the agent's
      // client retries), once.
      const reply = await send().catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET' || this.options.log.stopping) throw error;
        this.options.log.retried++;
        return send();
      });
      const ms = performance.now() - started;
      if (reply.status < 200 || reply.status > 299) {
        this.options.log.error(`${this.name} ${kind}: ${reply.status} ${reply.text}`);
        return undefined;
      }
      this.options.log.record(kind, ms);
      return reply;
    } catch (error) {
      this.options.log.error(`${this.name} ${kind}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private json(value: unknown) {
    return { type: 'application/json', text: JSON.stringify(value) };
  }

  async enrol(token: string): Promise<boolean> {
    const body: EnrolRequest = {
      token,
      name: this.name,
      hostname: this.name,
      os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      architecture: 'amd64',
      agentVersion: 'fleet-sim',
      packageManagers: ['apt'],
    };
    const reply = await this.timed('enrol', 'POST', agentRoutes.enrol, this.json(body));
    if (reply === undefined) return false;
    const parsed = EnrolResponse.safeParse(JSON.parse(reply.text));
    if (!parsed.success) {
      this.options.log.error(`${this.name} enrol: unexpected answer ${parsed.error.message}`);
      return false;
    }
    const enrolled = parsed.data;
    this.agentId = enrolled.agentId;
    this.assetId = enrolled.assetId;
    this.credential = enrolled.credential;
    this.pollSeconds = enrolled.pollSeconds;
    this.heartbeatSeconds = enrolled.heartbeatSeconds;
    this.skewMs = Date.parse(enrolled.serverTime) - Date.now();
    for (const key of enrolled.signingKeys)
      this.keys.set(key.keyId, createPublicKey(key.publicKey));
    return true;
  }

  async heartbeat(): Promise<boolean> {
    const body: Heartbeat = {
      sentAt: new Date().toISOString(),
      agentVersion: 'fleet-sim',
      bootId: `boot-${this.name}`,
      rebootRequired: false,
      rebootPackages: [],
      servicesNeedingRestart: [],
      queuedResults: 0,
      runningTaskId: null,
    };
    const reply = await this.timed('heartbeat', 'POST', agentRoutes.heartbeat, this.json(body));
    if (reply === undefined) return false;
    const parsed = HeartbeatResponse.safeParse(JSON.parse(reply.text));
    if (!parsed.success) {
      this.options.log.error(`${this.name} heartbeat: unexpected answer`);
      return false;
    }
    this.skewMs = Date.parse(parsed.data.serverTime) - Date.now();
    return true;
  }

  async inventory(): Promise<boolean> {
    const reply = await this.timed('inventory', 'POST', agentRoutes.inventory, {
      type: 'text/plain',
      text: dpkgStatus(this.serviceVersion),
    });
    return reply !== undefined;
  }

  /**
   * One long-poll: wait up to `waitSeconds` for tasks, answer each. Only polls answered at once
   * (tasks were waiting) are timed as latency: the others measure the wait, not the server.
   */
  async poll(waitSeconds: number): Promise<number> {
    const wait = Math.min(waitSeconds, this.pollSeconds, this.options.maxWaitSeconds);
    const started = performance.now();
    let reply: Reply;
    const send = () =>
      call(this.pool, this.base, 'GET', `${agentRoutes.tasks}?waitSeconds=${wait}`, this.headers());
    try {
      // As in timed(): a reused keep-alive socket the server had just closed is sent again once.
      reply = await send().catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET' || this.options.log.stopping) throw error;
        this.options.log.retried++;
        return send();
      });
    } catch (error) {
      this.options.log.error(`${this.name} poll: ${(error as Error).message}`);
      return 0;
    }
    const ms = performance.now() - started;
    if (reply.status !== 200) {
      this.options.log.error(`${this.name} poll: ${reply.status} ${reply.text}`);
      return 0;
    }
    const parsed = TaskPoll.safeParse(JSON.parse(reply.text));
    if (!parsed.success) {
      this.options.log.error(`${this.name} poll: unexpected answer`);
      return 0;
    }
    this.skewMs = Date.parse(parsed.data.serverTime) - Date.now();
    // A long-poll's time is the wait for work; only an immediate poll measures the server.
    if (wait === 0) this.options.log.record('poll', ms);
    for (const envelope of parsed.data.tasks) {
      const task = this.open(envelope);
      if (task !== undefined) await this.answer(task);
    }
    return parsed.data.tasks.length;
  }

  /** Verify an envelope as the real agent does; undefined (and an error) when it fails. */
  private open(envelope: TaskPoll['tasks'][number]): TaskPayloadType | undefined {
    const key = this.keys.get(envelope.keyId);
    if (key === undefined) {
      this.options.log.error(`${this.name} task ${envelope.taskId}: unknown key ${envelope.keyId}`);
      return undefined;
    }
    const valid = verify(
      null,
      Buffer.from(envelope.payload, 'utf8'),
      key,
      Buffer.from(envelope.signature, 'base64'),
    );
    if (!valid) {
      this.options.log.error(`${this.name} task ${envelope.taskId}: bad signature`);
      return undefined;
    }
    const parsed = TaskPayload.safeParse(JSON.parse(envelope.payload));
    if (!parsed.success) {
      this.options.log.error(`${this.name} task ${envelope.taskId}: bad payload`);
      return undefined;
    }
    const task = parsed.data;
    if (task.agentId !== this.agentId || task.taskId !== envelope.taskId) {
      this.options.log.error(`${this.name} task ${envelope.taskId}: not for this agent`);
      return undefined;
    }
    if (Date.parse(task.notAfter) < Date.now() + this.skewMs) {
      this.options.log.error(`${this.name} task ${envelope.taskId}: expired`);
      return undefined;
    }
    return task;
  }

  private resultData(task: TaskPayloadType): ResultData {
    switch (task.kind) {
      case 'install': {
        const before = task.packages.map((p) => ({ name: p.name, version: this.serviceVersion }));
        this.serviceVersion = task.packages[0]?.version ?? this.serviceVersion;
        return {
          kind: 'install',
          simulation: null,
          before,
          after: task.packages.map((p) => ({ name: p.name, version: p.version })),
          backup: null,
          rebootRequired: false,
          rebooted: false,
        };
      }
      case 'health-check':
        return {
          kind: 'health-check',
          verdict: 'pass',
          checks: task.checks.map((check) => ({
            name: check.name ?? check.kind,
            kind: check.kind,
            passed: true,
            attempts: 1,
          })),
        };
      case 'preflight':
        return {
          kind: 'preflight',
          ok: true,
          simulation: {
            install: [],
            upgrade: task.packages.map((p) => ({
              name: p.name,
              from: this.serviceVersion,
              to: p.version,
            })),
            downgrade: [],
            remove: [],
            held: [],
            newDependencies: [],
            servicesNeedingRestart: [],
            problems: [],
          },
        };
      case 'rollback': {
        const restored = (task.packages ?? []).map((p) => ({ name: p.name, version: p.version }));
        const service = restored.find((p) => p.name === 'pg-demo-service');
        if (service?.version != null) this.serviceVersion = service.version;
        return { kind: 'rollback', restored, pathsRestored: [] };
      }
      case 'rescan':
        return { kind: 'rescan' };
    }
  }

  private async answer(task: TaskPayloadType): Promise<void> {
    if (task.kind === 'install') {
      this.counts.install++;
      if (this.applied.has(task.idempotencyKey)) this.counts.repeatedInstalls++;
      this.applied.add(task.idempotencyKey);
    } else if (task.kind === 'health-check') this.counts.healthCheck++;
    else this.counts.other++;
    const startedAt = new Date().toISOString();
    const data = this.resultData(task);
    if (task.kind === 'rescan') await this.inventory();
    const result: TaskResult = {
      idempotencyKey: task.idempotencyKey,
      outcome: 'succeeded',
      startedAt,
      finishedAt: new Date().toISOString(),
      steps: [],
      data,
      dryRun: task.dryRun,
    };
    await this.timed(
      'result',
      'POST',
      agentRoutes.taskResult.replace(':taskId', encodeURIComponent(task.taskId)),
      this.json(result),
    );
  }
}

/** Run `work` over `items` with at most `limit` in flight. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The fleet: N agents named `fleet-00001`…, one keep-alive pool per server. */
export class Fleet {
  readonly agents: VirtualAgent[];
  private readonly pools: HttpAgent[];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    size: number,
    readonly options: FleetOptions,
  ) {
    this.pools = options.servers.map(
      () => new HttpAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096 }),
    );
    this.agents = Array.from({ length: size }, (_, n) => {
      const server = n % options.servers.length;
      return new VirtualAgent(
        fleetHostName(n),
        this.pools[server] as HttpAgent,
        options.servers[server] as string,
        options,
      );
    });
  }

  /**
   * Background life while a rollout runs: the first `pollers` agents long-poll without pause
   * and answer tasks; every agent heart-beats at its heartbeatSeconds, spread evenly.
   */
  startLiving(pollers: number, heartbeats: boolean): void {
    this.running = true;
    this.options.log.stopping = false;
    const pollingAgents = this.agents.slice(0, pollers);
    this.loops = pollingAgents.map(async (agent) => {
      while (this.running) {
        const before = this.options.log.errors;
        await agent.poll(this.options.maxWaitSeconds);
        // After an error, wait a little (as the real agent backs off) instead of spinning.
        if (this.options.log.errors > before && this.running) await sleep(1000);
      }
    });
    if (heartbeats) {
      this.loops.push(
        (async () => {
          const period = (this.agents[0]?.heartbeatSeconds ?? 60) * 1000;
          const gap = period / Math.max(1, this.agents.length);
          let n = 0;
          while (this.running) {
            const agent = this.agents[n % this.agents.length];
            n++;
            if (agent !== undefined) void agent.heartbeat();
            await sleep(gap);
          }
        })(),
      );
    }
  }

  /** Stop the loops; long-polls in flight are cut (their sockets destroyed). */
  async stop(): Promise<void> {
    this.running = false;
    this.options.log.stopping = true;
    for (const pool of this.pools) pool.destroy();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  close(): void {
    for (const pool of this.pools) pool.destroy();
  }
}

export function fleetHostName(n: number): string {
  return `fleet-${String(n + 1).padStart(5, '0')}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
