/**
 * The job runner: claims durable jobs from the `jobs` table, runs their handlers, renews the
 * lease while they run, retries failures with exponential backoff, honours cancellation and
 * enqueues due schedules. Several servers may run one each against the same database: the
 * claim (repository.ts) and the schedule guard make every job and every due time run once.
 *
 * Crash safety comes from the lease, not from the process: a worker that dies (kill -9) stops
 * renewing `locked_until`, the lease lapses, and any runner claims the job again as a new
 * attempt. Handlers must therefore be idempotent per attempt (the advisory sync is).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { enqueueJob } from './queue.ts';
import type { JobType } from './typed.ts';
import { parsePayload } from './typed.ts';
import type { JobRow } from './repository.ts';
import {
  advanceSchedule,
  claimJob,
  dueSchedules,
  findJob,
  finishJob,
  renewLease,
  setScheduleLastJob,
} from './repository.ts';

/** What a handler is given. */
export interface JobExecution {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  /** 1 for the first run, 2 for the first retry (or the re-claim after a lapsed lease)… */
  readonly attempt: number;
  /** Aborts on cancellation, on shutdown (the job is released) and when the lease was lost. */
  readonly signal: AbortSignal;
  /** Record progress (JSON on the job) and renew the lease; cheap enough to call per batch. */
  progress(done: number, total: number, message?: string): Promise<void>;
}

/** Returns the job's result (stored as JSON); throws to fail the attempt. */
export type JobHandler = (job: JobExecution) => Promise<unknown>;

/** A handler of a typed job: its payload parsed by the job type's schema. */
export type TypedJobHandler<P> = (job: JobExecution & { readonly payload: P }) => Promise<unknown>;

export interface JobRunnerOptions {
  /** Names this process in `locked_by`: host and pid, say. */
  readonly workerId: string;
  /** Jobs run at once by this runner. */
  readonly concurrency: number;
  /** How long a claim lasts without renewal; renewed every third of it. */
  readonly leaseSeconds: number;
  /** How often the loop looks for due jobs and schedules. */
  readonly pollMs: number;
  /** Seconds to wait before retry number `attempt` (default 30 s · 2^(attempt-1), at most 1 h). */
  readonly backoffSeconds?: (attempt: number) => number;
  /**
   * Kinds claimed before any other due job: work a person or a host is waiting on (a rollout's
   * next step after an agent's result) must not queue behind bulk work (10,000 first
   * inventories' reconciles). Oldest first within the lane, as outside it.
   */
  readonly urgentKinds?: readonly string[];
}

/** Why a running job's signal aborted. */
export const abortReasons = ['cancelled', 'shutdown', 'lease-lost'] as const;
export type AbortReason = (typeof abortReasons)[number];

export interface JobOutcome {
  readonly id: string;
  readonly kind: string;
  readonly attempt: number;
  /**
   * The state the job was left in by this attempt: `queued` means a retry was scheduled,
   * `released` that shutdown gave it back, `lost` that another worker holds it now.
   */
  readonly state: 'succeeded' | 'queued' | 'failed' | 'cancelled' | 'released' | 'lost';
  readonly error?: string;
}

export const defaultBackoffSeconds = (attempt: number): number =>
  Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));

function plusSeconds(clock: Clock, seconds: number): string {
  return new Date(clock.now().getTime() + seconds * 1000).toISOString();
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** The next due time after `previous` that is in the future (missed runs are not caught up). */
export function nextRunAt(previous: string, intervalSeconds: number, now: string): string {
  const next = Date.parse(previous) + intervalSeconds * 1000;
  const nowMs = Date.parse(now);
  return new Date(next > nowMs ? next : nowMs + intervalSeconds * 1000).toISOString();
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<JobOutcome>;
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private tickInFlight: Promise<void> | undefined;
  private stopping = false;
  private readonly backoff: (attempt: number) => number;

  constructor(
    private readonly ctx: ServerContext,
    private readonly options: JobRunnerOptions,
  ) {
    this.backoff = options.backoffSeconds ?? defaultBackoffSeconds;
  }

  register(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is already registered`);
    this.handlers.set(kind, handler);
  }

  /** Register the handler of a typed job: the payload is parsed before the handler runs. */
  handle<P>(type: JobType<P>, handler: TypedJobHandler<P>): void {
    this.register(type.kind, (job) =>
      handler({ ...job, payload: parsePayload(type, job.payload) }),
    );
  }

  get kinds(): readonly string[] {
    return [...this.handlers.keys()];
  }

  /** Poll until `stop()`. */
  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /**
   * Stop polling, give running jobs `graceMs` to finish, then abort them with `shutdown`:
   * they are released (back to `queued`, the attempt not counted) for another runner.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.tickInFlight;
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([all(), grace]);
    clearTimeout(graceTimer);
    if (first === 'timeout') {
      for (const running of this.running.values()) running.controller.abort('shutdown');
      await all();
    }
  }

  /** Claim and run at most one job (tests drive the runner with this instead of timers). */
  async runOnce(): Promise<JobOutcome | undefined> {
    const row = await this.claim();
    return row === undefined ? undefined : this.execute(row);
  }

  /** Enqueue one job for every due schedule, once per due time whatever the number of servers. */
  async enqueueDueSchedules(): Promise<string[]> {
    const { database, clock } = this.ctx;
    const now = timestamp(clock);
    const enqueued: string[] = [];
    for (const schedule of await dueSchedules(database.db, now)) {
      const next = nextRunAt(schedule.next_run_at, schedule.interval_seconds, now);
      await database.db.transaction().execute(async (trx) => {
        // The guard first: the write also takes SQLite's write lock before anything is read.
        if (!(await advanceSchedule(trx, schedule.id, schedule.next_run_at, next))) return;
        // A schedule whose previous job has not finished only advances: no pile-up.
        const previous =
          schedule.last_job_id === null ? undefined : await findJob(trx, schedule.last_job_id);
        if (previous?.state === 'queued' || previous?.state === 'running') return;
        const jobId = randomUUID();
        await enqueueJob(trx, clock, {
          id: jobId,
          kind: schedule.kind,
          payload: JSON.parse(schedule.payload_json) as unknown,
        });
        await setScheduleLastJob(trx, schedule.id, jobId);
        enqueued.push(jobId);
      });
    }
    return enqueued;
  }

  /** Tick now unless a tick is running (it claims what is queued) or the runner stops. */
  private wake(): void {
    if (this.stopping || this.tickInFlight !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.tickInFlight = this.tick().finally(() => {
        this.tickInFlight = undefined;
        this.schedule(this.options.pollMs);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.enqueueDueSchedules();
      while (!this.stopping && this.running.size < this.options.concurrency) {
        const row = await this.claim();
        if (row === undefined) break;
        // Runs in the background; `running` tracks it and stop() waits for it. When it ends,
        // the next job (often one it enqueued: an event's delivery) is claimed at once instead
        // of a poll interval later.
        void this.execute(row).finally(() => this.wake());
      }
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'job runner poll failed');
    }
  }

  private async claim(): Promise<JobRow | undefined> {
    const { database, clock } = this.ctx;
    const claimAmong = (kinds: readonly string[]) =>
      claimJob(database.db, database.dialect, {
        kinds,
        workerId: this.options.workerId,
        now: timestamp(clock),
        lockedUntil: plusSeconds(clock, this.options.leaseSeconds),
      });
    const urgent = (this.options.urgentKinds ?? []).filter((kind) => this.handlers.has(kind));
    return (urgent.length > 0 ? await claimAmong(urgent) : undefined) ?? claimAmong(this.kinds);
  }

  private execute(row: JobRow): Promise<JobOutcome> {
    const controller = new AbortController();
    const done = this.run(row, controller).finally(() => this.running.delete(row.id));
    this.running.set(row.id, { controller, done });
    return done;
  }

  private async run(row: JobRow, controller: AbortController): Promise<JobOutcome> {
    const { clock, logger } = this.ctx;
    const base = { id: row.id, kind: row.kind, attempt: row.attempts };
    if (row.cancel_requested === 1) return this.cancelled(row);
    if (row.attempts > row.max_attempts) {
      // Claimed again after its lease lapsed on the last allowed attempt.
      return this.failed(row, `the worker running attempt ${row.max_attempts} stopped`);
    }
    const handler = this.handlers.get(row.kind);
    if (handler === undefined) return this.failed(row, `no handler for ${row.kind}`);

    const renew = async (progressJson?: string) => {
      const lease = await renewLease(this.ctx.database.db, {
        id: row.id,
        workerId: this.options.workerId,
        now: timestamp(clock),
        lockedUntil: plusSeconds(clock, this.options.leaseSeconds),
        ...(progressJson !== undefined && { progressJson }),
      });
      if (lease === undefined) controller.abort('lease-lost');
      else if (lease.cancelRequested) controller.abort('cancelled');
    };
    const heartbeat = setInterval(
      () => {
        renew().catch((error: unknown) =>
          logger.warn({ err: error, jobId: row.id }, 'job lease renewal failed'),
        );
      },
      Math.max(50, (this.options.leaseSeconds * 1000) / 3),
    );
    heartbeat.unref();

    let result: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      const value = await handler({
        ...base,
        payload: JSON.parse(row.payload_json) as unknown,
        signal: controller.signal,
        progress: (done, total, message) =>
          renew(JSON.stringify({ done, total, ...(message !== undefined && { message }) })),
      });
      result = { ok: true, value };
    } catch (error) {
      result = { ok: false, error };
    } finally {
      clearInterval(heartbeat);
    }

    const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : null;
    if (reason === 'lease-lost') {
      logger.warn({ jobId: row.id, kind: row.kind }, 'job lease lost to another worker');
      return { ...base, state: 'lost' };
    }
    if (result.ok) {
      const now = timestamp(clock);
      const finished = await finishJob(this.ctx.database.db, row.id, this.options.workerId, {
        state: 'succeeded',
        result_json: JSON.stringify(result.value ?? null),
        error: null,
        finished_at: now,
        updated_at: now,
      });
      return { ...base, state: finished === undefined ? 'lost' : 'succeeded' };
    }
    if (reason === 'shutdown') {
      const now = timestamp(clock);
      await finishJob(this.ctx.database.db, row.id, this.options.workerId, {
        state: 'queued',
        attempts: Math.max(0, row.attempts - 1),
        run_after: now,
        updated_at: now,
      });
      return { ...base, state: 'released' };
    }
    const current = await findJob(this.ctx.database.db, row.id);
    if (reason === 'cancelled' || current?.cancel_requested === 1) return this.cancelled(row);
    const message = errorMessage(result.error);
    logger.warn(
      { jobId: row.id, kind: row.kind, attempt: row.attempts, err: result.error },
      'job attempt failed',
    );
    if (row.attempts < row.max_attempts) {
      const now = timestamp(clock);
      const finished = await finishJob(this.ctx.database.db, row.id, this.options.workerId, {
        state: 'queued',
        error: message,
        run_after: plusSeconds(clock, this.backoff(row.attempts)),
        updated_at: now,
      });
      return { ...base, state: finished === undefined ? 'lost' : 'queued', error: message };
    }
    return this.failed(row, message);
  }

  private async failed(row: JobRow, message: string): Promise<JobOutcome> {
    const { database, clock } = this.ctx;
    const base = { id: row.id, kind: row.kind, attempt: row.attempts };
    const now = timestamp(clock);
    const finished = await database.db.transaction().execute(async (trx) => {
      const done = await finishJob(trx, row.id, this.options.workerId, {
        state: 'failed',
        error: message,
        finished_at: now,
        updated_at: now,
      });
      if (done === undefined) return undefined;
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: systemActor,
        action: 'job.failed',
        subjectType: 'job',
        subjectId: row.id,
        before: { state: 'running', attempts: row.attempts },
        after: { state: 'failed', attempts: row.attempts, error: message },
      });
      return done;
    });
    return { ...base, state: finished === undefined ? 'lost' : 'failed', error: message };
  }

  private async cancelled(row: JobRow): Promise<JobOutcome> {
    const { database, clock } = this.ctx;
    const base = { id: row.id, kind: row.kind, attempt: row.attempts };
    const now = timestamp(clock);
    const finished = await database.db.transaction().execute(async (trx) => {
      const done = await finishJob(trx, row.id, this.options.workerId, {
        state: 'cancelled',
        finished_at: now,
        updated_at: now,
      });
      if (done === undefined) return undefined;
      // The request itself was audited (job.cancel-requested, with who asked); this is the stop.
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: systemActor,
        action: 'job.cancelled',
        subjectType: 'job',
        subjectId: row.id,
        before: { state: 'running', cancelRequested: true },
        after: { state: 'cancelled' },
      });
      return done;
    });
    return { ...base, state: finished === undefined ? 'lost' : 'cancelled' };
  }
}
