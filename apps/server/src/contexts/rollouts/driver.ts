/**
 * The rollout driver (started by main.ts): every tick it starts the scheduled changes whose
 * start has come, then drives each active rollout whose lease it holds — window facts from the
 * calendar, offline hosts from the agents, tasks waiting for an agent retried, tasks past their
 * deadline read back — and feeds the engine a `tick`. The lease is a conditional UPDATE on the
 * rollout's row (owner, expiry), renewed every tick: two replicas never drive one rollout, and
 * when one dies its leases expire and another takes over. Task results do not need the lease:
 * they are applied wherever they arrive, with the version check.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RolloutEvent, RolloutState } from '@patchgate/rollout';
import { hostOf } from '@patchgate/rollout';
import type { ServerContext } from '../../context.ts';
import { ConflictError } from '../../http/problems.ts';
import { agentTask } from '../agents/index.ts';
import { dueScheduledChanges } from '../changes/index.ts';
import * as repo from './repository.ts';
import { applyEvents, retryWaitingTask, startChangeRollout, systemSource } from './service.ts';
import type { RolloutTable } from './tables.ts';
import { finishHostTask } from './task-results.ts';
import { offlineEvents, tickEvent } from './windows.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock' | 'logger'>;

export interface DriverOptions {
  /** Milliseconds between ticks (default 5 s). */
  readonly tickMs?: number;
  /** A lease lasts this long without renewal (default: three ticks, at least 15 s). */
  readonly leaseMs?: number;
  /** This replica's name in the leases (default host:pid:random). */
  readonly owner?: string;
  /** Start the timer (default true); tests call `tick()` themselves. */
  readonly autoStart?: boolean;
}

export interface RolloutDriver {
  /** One tick now (what the timer does); resolves when it is done. */
  tick(): Promise<void>;
  /** Stop ticking, wait for a tick in flight, release this replica's leases. */
  stop(): Promise<void>;
  readonly owner: string;
}

export function startRolloutDriver(ctx: Ctx, options: DriverOptions = {}): RolloutDriver {
  const tickMs = options.tickMs ?? 5000;
  const leaseMs = options.leaseMs ?? Math.max(15_000, tickMs * 3);
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = async (): Promise<void> => {
    if (running !== undefined) return running;
    running = (async () => {
      try {
        await startDueChanges(ctx);
        for (const { id } of await repo.activeRolloutIds(ctx.database.db)) {
          if (stopped) break;
          const now = ctx.clock.now();
          const held = await repo.acquireLease(
            ctx.database.db,
            id,
            owner,
            now.toISOString(),
            new Date(now.getTime() + leaseMs).toISOString(),
          );
          if (!held) continue;
          try {
            await driveRollout(ctx, id);
          } catch (error) {
            ctx.logger.error({ err: error, rolloutId: id }, 'rollout tick failed');
          }
        }
      } catch (error) {
        ctx.logger.error({ err: error }, 'rollout driver tick failed');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, tickMs);
    timer.unref();
  };
  if (options.autoStart !== false) schedule();

  return {
    owner,
    tick,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      await repo.releaseLease(ctx.database.db, owner).catch(() => undefined);
    },
  };
}

/** Scheduled changes whose start has come get their rollout (the change → implementing). */
async function startDueChanges(ctx: Ctx): Promise<void> {
  for (const changeId of await dueScheduledChanges(ctx.database.db, ctx.clock.now())) {
    const existing = (await repo.rolloutsOfChange(ctx.database.db, changeId)).some(
      (r) => r.dry_run === 0,
    );
    if (existing) continue;
    try {
      const id = await startChangeRollout(ctx, changeId, {}, systemSource);
      ctx.logger.info({ changeId, rolloutId: id }, 'scheduled change started');
    } catch (error) {
      // Another replica won, or the change may not start (approvals withdrawn…): next tick.
      if (error instanceof ConflictError)
        ctx.logger.debug({ changeId, reason: error.message }, 'scheduled change not started');
      else throw error;
    }
  }
}

/** One tick of one rollout (the caller holds its lease). */
export async function driveRollout(ctx: Ctx, id: string): Promise<void> {
  const row = await repo.rolloutRow(ctx.database.db, id);
  if (row === undefined) return;
  const state = JSON.parse(row.state_json) as RolloutState;
  const tick = await tickEvent(ctx, row, state);
  const offline = await offlineEvents(ctx, row, state);
  await applyEvents(ctx, id, async (trx, current, fresh) => {
    const at = tick.type === 'tick' ? tick.now : ctx.clock.now().toISOString();
    const events: RolloutEvent[] = [...offline];
    events.push(...(await waitingTasks(ctx, trx, fresh, current, at)));
    events.push(...(await overdueTasks(trx, fresh, at)));
    events.push(tick);
    return events;
  });
}

/** Tasks that waited for an agent: queue them now, or give up on an install no longer wanted. */
async function waitingTasks(
  ctx: Ctx,
  trx: Parameters<Parameters<typeof applyEvents>[2]>[0],
  row: RolloutTable,
  state: RolloutState,
  at: string,
): Promise<RolloutEvent[]> {
  const events: RolloutEvent[] = [];
  for (const task of await repo.hostTasksInState(trx, row.id, 'waiting-agent')) {
    const host = hostOf(state, task.asset_id);
    const unwanted =
      task.kind === 'install' &&
      (host?.rollback === 'awaiting-install' || ['aborted', 'rolled_back'].includes(state.state));
    if (unwanted) {
      // Never installed: it fails now (so a rollback waiting for it can finish).
      await repo.updateHostTask(trx, task.key, { state: 'cancelled', finished_at: at });
      events.push({ type: 'host-result', host: task.asset_id, outcome: 'failed', at });
      continue;
    }
    const wave = state.waves.find((w) => w.name === task.wave);
    await retryWaitingTask(ctx, trx, row, task, wave?.healthChecks ?? [], state.rollbackSteps);
  }
  return events;
}

/** Queued tasks past their deadline: read the agent task (a missed event, or expired). */
async function overdueTasks(
  trx: Parameters<Parameters<typeof applyEvents>[2]>[0],
  row: RolloutTable,
  at: string,
): Promise<RolloutEvent[]> {
  const events: RolloutEvent[] = [];
  for (const task of await repo.hostTasksInState(trx, row.id, 'queued')) {
    if (task.not_after > at || task.agent_task_id === null) continue;
    const agent = await agentTask(trx, task.agent_task_id);
    if (agent === undefined) continue;
    if (['queued', 'delivered'].includes(agent.state) && agent.notAfter > at) continue;
    const outcome =
      agent.state === 'succeeded'
        ? 'succeeded'
        : agent.state === 'failed'
          ? 'failed'
          : agent.state === 'rejected'
            ? 'rejected'
            : 'expired';
    events.push(...(await finishHostTask(trx, task, outcome, at)));
  }
  return events;
}

/**
 * `PATCHGATE_ROLLOUT_TICK_MS` (default 5000, 100–60000) and `PATCHGATE_ROLLOUT_LEASE_MS`
 * (default max(15 s, three ticks)): how often the driver ticks and how long a replica's lease
 * outlives its last renewal. A bad value is refused at start.
 */
export function rolloutDriverSettings(env: NodeJS.ProcessEnv): DriverOptions {
  const read = (name: string, min: number, max: number): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name}: expected whole milliseconds from ${min} to ${max}, got "${text}"`);
    return value;
  };
  const tickMs = read('PATCHGATE_ROLLOUT_TICK_MS', 100, 60_000);
  const leaseMs = read('PATCHGATE_ROLLOUT_LEASE_MS', 1000, 3_600_000);
  return {
    ...(tickMs !== undefined && { tickMs }),
    ...(leaseMs !== undefined && { leaseMs }),
  };
}
