/**
 * The agent's runtime: enrolment, the long-poll for signed tasks, one task at a time under its
 * timeout, the idempotency journal, the durable outbox, heartbeats and inventory reports.
 * What a task does on the host is the executors' business (`./executors`); the runtime never
 * runs a package manager itself.
 *
 * Three loops share one stop signal: the task loop (long-poll → verify → journal → execute →
 * outbox), the heartbeat loop, and the sender (outbox → server, strictly in order, waiting out
 * server outages). Host work — a task, an inventory collection — is serialised by one lock, so
 * two apt commands never run on one root at once.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type {
  Heartbeat,
  TaskEnvelope,
  TaskKind,
  TaskPayload,
  TaskResult,
} from '@patchgate/agent-protocol';
import { TaskResult as TaskResultSchema } from '@patchgate/agent-protocol';
import type { RetryPolicy } from './client.ts';
import {
  abortableSleep,
  AgentClient,
  AgentHttpError,
  AgentRevokedError,
  backoffDelay,
  defaultRetry,
} from './client.ts';
import type { Execution, ExecutionContext, Executors } from './executors/contract.ts';
import { Journal } from './journal.ts';
import { Outbox } from './outbox.ts';
import type { OutboxItem } from './outbox.ts';
import { ServerClock } from './server-clock.ts';
import type { AgentIdentity } from './state.ts';
import { loadIdentity, saveIdentity } from './state.ts';
import { TaskEventStream } from './task-events.ts';
import { verifyTask } from './verify.ts';

export type LogLevel = 'info' | 'warn' | 'error';
export type AgentLogger = (
  level: LogLevel,
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface AgentOptions {
  readonly server: string;
  readonly name: string;
  /** The host's root: `/` on a real host, a sandbox root in tests and trials. */
  readonly root: string;
  readonly stateDir: string;
  readonly enrollToken?: string | undefined;
  /** One round (queue, heartbeat, one poll, its tasks, queue again), then return. */
  readonly once?: boolean;
  /** Every task runs as a simulation (apt-get -s), whatever the server asked. */
  readonly dryRun?: boolean;
  readonly executors: Executors;
  readonly agentVersion: string;
  readonly log: AgentLogger;
  readonly fetch?: typeof fetch;
  readonly localNow?: () => number;
  readonly retry?: RetryPolicy;
  /** After a stop is asked, how long a running task may go on before it is aborted. */
  readonly stopGraceMs?: number;
  /** How often a running task's log lines are batched into the outbox. */
  readonly eventFlushMs?: number;
  /** The longest wait between retries while the server is unreachable (default 60 s). */
  readonly maxRetryDelayMs?: number;
  /** On stop, how long the outbox may still be sent (default 5 s); the rest waits on disk. */
  readonly finalFlushMs?: number;
  /** Long-poll wait override (tests); else the server's pollSeconds. */
  readonly pollSeconds?: number;
}

export type RunOutcome =
  | { readonly kind: 'stopped' }
  /** `--once`: the round finished; `queued` items are still waiting for the server. */
  | { readonly kind: 'once'; readonly tasks: number; readonly queued: number }
  | { readonly kind: 'revoked'; readonly message: string };

/** Thrown for problems the operator must fix (not enrolled, bad token…). */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

/** Tasks after which the host's packages may have changed: a fresh inventory follows. */
const changesInventory: ReadonlySet<TaskKind> = new Set(['install', 'rollback', 'rescan']);

/** Serialises host work (tasks and inventory collection). */
class HostLock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

export class AgentRuntime {
  readonly journal: Journal;
  readonly outbox: Outbox;
  readonly clock: ServerClock;
  readonly #options: AgentOptions;
  readonly #localNow: () => number;
  readonly #lock = new HostLock();
  #identity: AgentIdentity | undefined;
  #client: AgentClient | undefined;
  #runningTaskId: string | null = null;
  #inventoryQueued = false;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#localNow = options.localNow ?? Date.now;
    this.clock = new ServerClock(this.#localNow);
    this.journal = new Journal(options.stateDir);
    this.outbox = new Outbox(options.stateDir);
  }

  get identity(): AgentIdentity | undefined {
    return this.#identity;
  }

  /** Runs until `stop` aborts (or one round with `once`), or the server revokes the agent. */
  async run(stop: AbortSignal): Promise<RunOutcome> {
    const halt = new AbortController();
    const onStop = (): void => halt.abort(new Error('stopping'));
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) onStop();
    try {
      await this.#enrolled(halt.signal);
      this.#recover();
      if (this.#options.once === true) return await this.#once(halt.signal);
      const revoked = new Promise<RunOutcome>((resolve) => {
        this.#onRevoked = (error) => {
          halt.abort(error);
          resolve({ kind: 'revoked', message: error.message });
        };
      });
      const loops = Promise.all([
        this.#taskLoop(halt.signal, stop),
        this.#heartbeatLoop(halt.signal),
        this.#senderLoop(halt.signal),
      ]).then((): RunOutcome => ({ kind: 'stopped' }));
      const outcome = await Promise.race([loops, revoked]);
      if (outcome.kind === 'stopped') {
        // A task that finished during the stop leaves its result queued: one last short try.
        await this.#drain(AbortSignal.timeout(this.#options.finalFlushMs ?? 5_000));
      }
      return outcome;
    } catch (error) {
      if (error instanceof AgentRevokedError) return { kind: 'revoked', message: error.message };
      throw error;
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  }

  #onRevoked: (error: AgentRevokedError) => void = () => undefined;

  #fatal(error: unknown): boolean {
    if (error instanceof AgentRevokedError) {
      this.#options.log('error', error.message);
      this.#onRevoked(error);
      return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Enrolment

  async #enrolled(signal: AbortSignal): Promise<void> {
    const { options } = { options: this.#options };
    const stored = loadIdentity(options.stateDir);
    const clientOptions = {
      server: options.server,
      agentVersion: options.agentVersion,
      ...(options.fetch !== undefined && { fetch: options.fetch }),
      retry: options.retry ?? {
        ...defaultRetry,
        maxDelayMs: Math.min(defaultRetry.maxDelayMs, options.maxRetryDelayMs ?? Infinity),
      },
      localNow: this.#localNow,
      onServerTime: (serverTime: string, sentAtMs: number, receivedAtMs: number) =>
        this.clock.observe(serverTime, sentAtMs, receivedAtMs),
    };
    if (stored !== undefined) {
      if (options.enrollToken !== undefined)
        options.log('info', 'already enrolled: the enrolment token is not used again', {
          agentId: stored.agentId,
        });
      if (stored.server.replace(/\/+$/, '') !== options.server.replace(/\/+$/, ''))
        options.log('warn', 'the server address differs from the one the agent enrolled with', {
          enrolledWith: stored.server,
          now: options.server,
        });
      this.#identity = stored;
      this.#client = new AgentClient({ ...clientOptions, credential: stored.credential });
      return;
    }
    if (options.enrollToken === undefined || options.enrollToken === '')
      throw new AgentConfigError(
        `not enrolled yet (no ${options.stateDir}/agent.json): pass --enroll-token (or PATCHGATE_ENROLL_TOKEN) once`,
      );
    const client = new AgentClient(clientOptions);
    const facts = await options.executors.hostFacts(this.#hostContext(signal));
    let answer;
    try {
      answer = await client.enrol(
        {
          token: options.enrollToken,
          name: options.name,
          hostname: hostname().slice(0, 253),
          ...(facts.os !== undefined && { os: facts.os }),
          ...(facts.architecture !== undefined && { architecture: facts.architecture }),
          agentVersion: options.agentVersion,
          packageManagers: facts.packageManagers,
        },
        signal,
      );
    } catch (error) {
      if (error instanceof AgentRevokedError || error instanceof AgentHttpError)
        throw new AgentConfigError(
          `enrolment refused by ${options.server}: ${error instanceof AgentHttpError ? error.message : 'the enrolment token is unknown, used or expired'}`,
          { cause: error },
        );
      throw error;
    }
    const identity: AgentIdentity = {
      version: 1,
      server: options.server,
      agentId: answer.agentId,
      assetId: answer.assetId,
      assetName: answer.assetName,
      credential: answer.credential,
      signingKeys: answer.signingKeys,
      pollSeconds: answer.pollSeconds,
      heartbeatSeconds: answer.heartbeatSeconds,
      enrolledAt: new Date(this.#localNow()).toISOString(),
    };
    saveIdentity(options.stateDir, identity);
    options.log('info', 'enrolled', { agentId: answer.agentId, asset: answer.assetName });
    this.#identity = identity;
    client.credential = answer.credential;
    this.#client = client;
  }

  /** Keys started but never finished (the agent died mid-task): reported failed, not re-run. */
  #recover(): void {
    for (const entry of this.journal.recoverInterrupted(this.clock.now())) {
      this.#options.log('warn', 'a task was interrupted by an agent restart; reported failed', {
        taskId: entry.taskId,
        idempotencyKey: entry.idempotencyKey,
      });
      if (entry.result !== null)
        this.outbox.append({ type: 'result', taskId: entry.taskId, result: entry.result });
    }
  }

  // -------------------------------------------------------------------------------------------
  // --once

  async #once(signal: AbortSignal): Promise<RunOutcome> {
    const client = this.#requireClient();
    await this.#drain(signal);
    const answer = await client.heartbeat(await this.#heartbeat(signal), signal);
    if (answer.inventoryWanted) await this.#lock.run(() => this.#queueInventory(null, signal));
    await this.#drain(signal);
    const poll = await client.pollTasks(0, signal);
    for (const envelope of poll.tasks) {
      if (signal.aborted) break;
      await this.#lock.run(() => this.#runTask(envelope, signal, signal));
    }
    this.journal.prune(this.clock.now());
    await this.#drain(signal);
    return { kind: 'once', tasks: poll.tasks.length, queued: this.outbox.size };
  }

  /** Sends the outbox until it is empty or the server is unreachable. */
  async #drain(signal: AbortSignal): Promise<void> {
    for (;;) {
      const sent = await this.#sendOne(signal);
      if (sent !== 'sent') return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Loops

  async #taskLoop(halt: AbortSignal, stop: AbortSignal): Promise<void> {
    const client = this.#requireClient();
    let failures = 0;
    while (!halt.aborted) {
      try {
        const wait = this.#options.pollSeconds ?? this.#identity?.pollSeconds ?? 30;
        const poll = await client.pollTasks(wait, halt);
        failures = 0;
        for (const envelope of poll.tasks) {
          if (halt.aborted) break;
          // The task gets its own stop handling (a grace period), not the halt signal.
          await this.#lock.run(() => this.#runTask(envelope, stop, halt));
        }
        this.journal.prune(this.clock.now());
      } catch (error) {
        if (halt.aborted || this.#fatal(error)) return;
        failures += 1;
        this.#options.log('warn', 'polling for tasks failed; retrying', {
          error: (error as Error).message,
        });
        await abortableSleep(this.#retryDelay(failures), halt);
      }
    }
  }

  async #heartbeatLoop(halt: AbortSignal): Promise<void> {
    const client = this.#requireClient();
    while (!halt.aborted) {
      try {
        const answer = await client.heartbeat(await this.#heartbeat(halt), halt);
        if (answer.inventoryWanted && !this.#inventoryQueued)
          void this.#lock
            .run(() => this.#queueInventory(null, halt))
            .catch((error: unknown) =>
              this.#options.log('warn', 'collecting the inventory failed', {
                error: (error as Error).message,
              }),
            );
      } catch (error) {
        if (halt.aborted || this.#fatal(error)) return;
        this.#options.log('warn', 'heartbeat failed', { error: (error as Error).message });
      }
      await abortableSleep((this.#identity?.heartbeatSeconds ?? 60) * 1000, halt);
    }
  }

  async #senderLoop(halt: AbortSignal): Promise<void> {
    let failures = 0;
    while (!halt.aborted) {
      const sent = await this.#sendOne(halt);
      if (sent === 'sent') {
        failures = 0;
        continue;
      }
      if (sent === 'fatal') return;
      if (sent === 'empty') {
        await new Promise<void>((resolve) => {
          const off = this.outbox.onAppend(done);
          halt.addEventListener('abort', done, { once: true });
          function done(): void {
            off();
            halt.removeEventListener('abort', done);
            resolve();
          }
        });
        continue;
      }
      failures += 1;
      await abortableSleep(this.#retryDelay(failures), halt);
    }
  }

  #retryDelay(failures: number): number {
    const maxDelayMs = this.#options.maxRetryDelayMs ?? 60_000;
    return Math.max(
      Math.min(250, maxDelayMs),
      backoffDelay(
        Math.min(failures, 16),
        { attempts: 0, baseDelayMs: 1000, maxDelayMs },
        Math.random,
      ),
    );
  }

  /** Sends the oldest outbox item. */
  async #sendOne(signal: AbortSignal): Promise<'sent' | 'empty' | 'unreachable' | 'fatal'> {
    const queued = this.outbox.peek();
    if (queued === undefined) return 'empty';
    try {
      await this.#send(queued.item, signal);
      this.outbox.ack(queued.seq);
      if (queued.item.type === 'available-updates') this.#inventoryQueued = false;
      return 'sent';
    } catch (error) {
      if (this.#fatal(error)) return 'fatal';
      if (error instanceof AgentHttpError) {
        if (error.status === 409) {
          // The server already has it (a result sent twice is accepted once).
          this.outbox.ack(queued.seq);
          return 'sent';
        }
        this.#options.log('error', 'the server refused a queued item; set aside', {
          type: queued.item.type,
          taskId: queued.item.taskId,
          status: error.status,
          detail: error.detail,
        });
        this.outbox.setAside(queued.seq);
        return 'sent';
      }
      if (!signal.aborted)
        this.#options.log('warn', 'the server is unreachable; the outbox keeps the item', {
          type: queued.item.type,
          queued: this.outbox.size,
          error: (error as Error).message,
        });
      return 'unreachable';
    }
  }

  async #send(item: OutboxItem, signal: AbortSignal): Promise<void> {
    // One attempt: retries live in the sender loop (it waits as long as the outage lasts).
    const client = this.#requireClient().withRetry({ attempts: 1, baseDelayMs: 0, maxDelayMs: 0 });
    switch (item.type) {
      case 'events':
        return client.sendEvents(item.taskId, item.batch, signal);
      case 'result':
        return client.sendResult(item.taskId, item.result, signal);
      case 'inventory':
        return client.uploadInventory(item.body, item.taskId, signal);
      case 'available-updates':
        return client.uploadAvailableUpdates(item.body, item.taskId, signal);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Tasks

  /**
   * Verifies, journals and runs one task. `stop` is the operator's stop (a grace period then an
   * abort); `halt` also ends the run on revocation.
   */
  async #runTask(envelope: TaskEnvelope, stop: AbortSignal, halt: AbortSignal): Promise<void> {
    const { options } = { options: this.#options };
    const identity = this.#requireIdentity();
    const verification = verifyTask(envelope, {
      agentId: identity.agentId,
      keys: identity.signingKeys,
      serverNow: this.clock.now(),
    });
    const now = (): string => new Date(this.#localNow()).toISOString();
    if (!verification.ok) {
      options.log('warn', 'task rejected', {
        taskId: envelope.taskId,
        reason: verification.reason,
      });
      this.outbox.append({
        type: 'result',
        taskId: envelope.taskId,
        result: {
          idempotencyKey: verification.idempotencyKey,
          outcome: 'rejected',
          startedAt: now(),
          finishedAt: now(),
          steps: [],
          data: null,
          error: verification.reason.slice(0, 2000),
          dryRun: false,
        },
      });
      return;
    }
    const task = verification.task;
    const known = this.journal.get(task.idempotencyKey);
    if (known !== undefined) {
      if (known.state === 'finished' && known.result !== null) {
        options.log('info', 'task already done (same idempotency key): its result is sent again', {
          taskId: task.taskId,
          idempotencyKey: task.idempotencyKey,
        });
        this.outbox.append({ type: 'result', taskId: task.taskId, result: known.result });
      }
      return;
    }
    const dryRun = task.dryRun || options.dryRun === true;
    const startedAt = now();
    this.journal.begin({
      idempotencyKey: task.idempotencyKey,
      taskId: task.taskId,
      kind: task.kind,
      notAfter: task.notAfter,
      dryRun,
      startedAt,
    });
    this.#runningTaskId = task.taskId;
    options.log('info', 'task started', { taskId: task.taskId, kind: task.kind, dryRun });
    const events = new TaskEventStream(
      task.taskId,
      this.outbox,
      () => new Date(this.#localNow()),
      options.eventFlushMs ?? 1000,
    );
    const execution = await this.#execute({ ...task, dryRun }, events, stop, halt);
    events.close();
    if (execution === 'abandoned') {
      // The journal still says "started": the next start reports it interrupted.
      options.log('warn', 'task abandoned at stop; reported on the next start', {
        taskId: task.taskId,
      });
      return;
    }
    if (changesInventory.has(task.kind) && (!dryRun || task.kind === 'rescan')) {
      try {
        await this.#queueInventory(task.taskId, halt);
      } catch (error) {
        options.log('warn', 'collecting the inventory after the task failed', {
          taskId: task.taskId,
          error: (error as Error).message,
        });
      }
    }
    const result = this.#result(task.idempotencyKey, startedAt, now(), dryRun, execution);
    this.journal.finish(task.idempotencyKey, result);
    this.outbox.append({ type: 'result', taskId: task.taskId, result });
    this.#runningTaskId = null;
    options.log('info', 'task finished', { taskId: task.taskId, outcome: result.outcome });
  }

  async #execute(
    task: TaskPayload,
    events: TaskEventStream,
    stop: AbortSignal,
    halt: AbortSignal,
  ): Promise<Execution | 'abandoned'> {
    const controller = new AbortController();
    const timeoutMs = task.timeoutSeconds * 1000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`the task timed out after ${task.timeoutSeconds} s`));
    }, timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    let abandon: (() => void) | undefined;
    const abandoned = new Promise<'abandoned'>((resolve) => {
      abandon = () => resolve('abandoned');
    });
    let stopping = false;
    const onStop = (): void => {
      if (stopping) return;
      stopping = true;
      const grace = this.#options.stopGraceMs ?? 60_000;
      this.#options.log('info', 'stop asked: the running task may finish', {
        taskId: task.taskId,
        graceMs: grace,
      });
      graceTimer = setTimeout(() => {
        controller.abort(new Error('the agent is stopping'));
        // An executor that ignores the abort is left behind; the journal reports it.
        graceTimer = setTimeout(() => abandon?.(), 15_000);
      }, grace);
    };
    const stopSignals = [stop, halt];
    for (const signal of stopSignals) signal.addEventListener('abort', onStop, { once: true });
    if (stop.aborted || halt.aborted) onStop();
    const ctx: ExecutionContext = {
      root: this.#options.root,
      stateDir: this.#options.stateDir,
      log: (step, stream, line) => events.log(step, stream, line),
      signal: controller.signal,
      now: () => new Date(this.#localNow()),
    };
    const running = this.#options.executors.executeTask(task, ctx).then(
      (execution): Execution =>
        timedOut && execution.outcome === 'failed' && execution.error === undefined
          ? { ...execution, error: `the task timed out after ${task.timeoutSeconds} s` }
          : execution,
      (error: unknown): Execution => ({
        outcome: 'failed',
        steps: [],
        data: null,
        error: timedOut
          ? `the task timed out after ${task.timeoutSeconds} s`
          : `the executor failed: ${(error as Error).message ?? String(error)}`,
      }),
    );
    try {
      return await Promise.race([running, abandoned]);
    } finally {
      clearTimeout(timer);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      for (const signal of stopSignals) signal.removeEventListener('abort', onStop);
    }
  }

  #result(
    idempotencyKey: string,
    startedAt: string,
    finishedAt: string,
    dryRun: boolean,
    execution: Execution,
  ): TaskResult {
    const candidate = {
      idempotencyKey,
      outcome: execution.outcome,
      startedAt,
      finishedAt,
      steps: execution.steps,
      data: execution.data,
      ...(execution.error !== undefined && { error: execution.error.slice(0, 2000) }),
      dryRun,
    };
    const parsed = TaskResultSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    return {
      idempotencyKey,
      outcome: 'failed',
      startedAt,
      finishedAt,
      steps: [],
      data: null,
      error:
        `the executor's result is not a valid TaskResult (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}); outcome was ${execution.outcome}`.slice(
          0,
          2000,
        ),
      dryRun,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Reports

  /** Collects the inventory and available updates and queues them (call under the lock). */
  async #queueInventory(taskId: string | null, signal: AbortSignal): Promise<void> {
    const ctx = this.#hostContext(signal);
    const inventory = await this.#options.executors.collectInventory(ctx);
    const updates = await this.#options.executors.collectAvailableUpdates(ctx);
    // An empty package database (a fresh sandbox root) is not an inventory the server takes.
    if (inventory !== null && inventory.body.trim() !== '')
      this.outbox.append({
        type: 'inventory',
        taskId,
        format: inventory.format,
        body: inventory.body,
      });
    if (updates !== null && updates.trim() !== '')
      this.outbox.append({ type: 'available-updates', taskId, body: updates });
    this.#inventoryQueued = true;
  }

  async #heartbeat(signal: AbortSignal): Promise<Heartbeat> {
    const facts = await this.#options.executors.hostFacts(this.#hostContext(signal));
    return {
      sentAt: new Date(this.#localNow()).toISOString(),
      agentVersion: this.#options.agentVersion,
      ...(bootId() !== undefined && { bootId: bootId() }),
      rebootRequired: facts.rebootRequired,
      rebootPackages: facts.rebootPackages,
      servicesNeedingRestart: facts.servicesNeedingRestart,
      queuedResults: this.outbox.size,
      runningTaskId: this.#runningTaskId,
    };
  }

  #hostContext(signal: AbortSignal): ExecutionContext {
    return {
      root: this.#options.root,
      stateDir: this.#options.stateDir,
      log: (step, stream, line) => this.#options.log('info', line, { step, stream }),
      signal,
      now: () => new Date(this.#localNow()),
    };
  }

  #requireClient(): AgentClient {
    if (this.#client === undefined) throw new Error('not enrolled');
    return this.#client;
  }

  #requireIdentity(): AgentIdentity {
    if (this.#identity === undefined) throw new Error('not enrolled');
    return this.#identity;
  }
}

let cachedBootId: string | undefined | null = null;
/** The kernel's boot id: it changes on every boot, so the server sees reboots. */
function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 100);
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}
