/**
 * The rollout's one write path: feed events to the engine (@patchgate/rollout), then persist
 * the new state, each applied event and every command's effect — agent tasks, notifications,
 * the change's moves, audit — in ONE transaction. The state row carries a version: a write
 * names the version it read, and a conflict (another replica, a task result, a person) re-runs
 * the whole transaction on the fresh state. Host tasks have deterministic keys (the agent
 * task's idempotency key), so a re-run queues nothing twice.
 */
import { randomUUID } from 'node:crypto';
import type { RolloutCommand, RolloutEvent, RolloutState } from '@patchgate/rollout';
import { hostOf, startRollout, step } from '@patchgate/rollout';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { publishEvent } from '../../events/index.ts';
import { ConflictError, NotFoundError } from '../../http/problems.ts';
import { enqueueTask } from '../agents/index.ts';
import type { AuditActor, RequestSource } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { resolveUserRef } from '../auth/index.ts';
import type { RolloutChange } from '../changes/index.ts';
import { applyChangeAction, changeForRollout } from '../changes/index.ts';
import type { HostTaskKind, RolloutRunOptions } from './model.ts';
import { defaultRunOptions, hostTaskKey, isTerminalPhase, taskLifetimeMs } from './model.ts';
import * as repo from './repository.ts';
import type { RolloutTable } from './tables.ts';
import { offlineEvents, tickEvent } from './windows.ts';
import { transactionRetryingDeadlocks } from '../../db/database.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;
type Trx = Transaction<DatabaseSchema>;

/** Thrown inside a transaction when the state row changed since it was read. */
class VersionConflict extends Error {}

/** How often a write is re-run on a version conflict before giving up with a 409. */
const maxAttempts = 8;

export const systemSource: RequestSource = { actor: systemActor };

/** What the engine's events are produced from, inside the transaction. */
export type EventSource = (
  trx: Trx,
  state: RolloutState,
  row: RolloutTable,
) => Promise<RolloutEvent[]>;

export interface ApplyResult {
  readonly row: RolloutTable;
  /** How many events changed the state. */
  readonly applied: number;
  /** Commands the engine emitted. */
  readonly commands: RolloutCommand[];
}

async function changeOf(trx: Trx, id: string): Promise<RolloutChange> {
  const change = await changeForRollout(trx, id);
  if (change === undefined) throw new NotFoundError(`The change "${id}"`);
  return change;
}

/**
 * Apply the events `produce` returns to rollout `id`, with their effects, in one transaction;
 * re-run on a version conflict. `produce` may also write (e.g. mark a host task finished): its
 * writes are rolled back with the rest on a conflict.
 */
export async function applyEvents(
  ctx: Ctx,
  id: string,
  produce: EventSource,
  by: RequestSource = systemSource,
  /** A person's command: when the engine applies nothing, this 409 (and nothing is written). */
  refusal?: (row: RolloutTable) => string,
): Promise<ApplyResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactionRetryingDeadlocks(ctx.database, async (trx) => {
        const result = await applyInTransaction(ctx, trx, id, produce, by);
        if (result.applied === 0 && refusal !== undefined)
          throw new ConflictError(refusal(result.row));
        return result;
      });
    } catch (error) {
      // A concurrent writer won: its version bump, or (PostgreSQL, before the bump is reached)
      // its event row with the same seq. Either way: read again and re-run.
      if (!(error instanceof VersionConflict) && !isUniqueViolation(error)) throw error;
      if (attempt >= maxAttempts)
        throw new ConflictError(`The rollout ${id} is changing too fast; try again`);
    }
  }
}

async function applyInTransaction(
  ctx: Ctx,
  trx: Trx,
  id: string,
  produce: EventSource,
  by: RequestSource,
): Promise<ApplyResult> {
  const row = await repo.rolloutRow(trx, id);
  if (row === undefined) throw new NotFoundError(`The rollout "${id}"`);
  const initial = JSON.parse(row.state_json) as RolloutState;
  const events = await produce(trx, initial, row);
  if (events.length === 0) return { row, applied: 0, commands: [] };
  // The change (its scope and patches) is read only when a command needs it (an install).
  let loaded: Promise<RolloutChange> | undefined;
  const change = () => (loaded ??= changeOf(trx, row.change_id));
  const options = JSON.parse(row.options_json) as RolloutRunOptions;
  let state = initial;
  let seq = await repo.lastEventSeq(trx, id);
  let applied = 0;
  const emitted: RolloutCommand[] = [];
  const queue = [...events];
  const now = ctx.clock.now().toISOString();
  for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
    const before = state;
    const result = step(state, event);
    if (result.state === before) continue;
    state = result.state;
    // A tick that only moved the clock is not worth a row (the driver ticks every few seconds).
    const meaningful =
      event.type !== 'tick' ||
      result.commands.length > 0 ||
      before.state !== state.state ||
      before.window.insideWindow !== state.window.insideWindow ||
      before.window.acceptsNewWork !== state.window.acceptsNewWork;
    if (!meaningful) continue;
    applied += 1;
    emitted.push(...result.commands);
    seq += 1;
    await repo.insertEvent(trx, {
      rollout_id: id,
      seq,
      event_json: JSON.stringify(event),
      commands_json: JSON.stringify(result.commands),
      phase: state.state,
      actor_type: by.actor.type,
      actor_id: by.actor.id,
      actor_name: by.actor.name,
      at: now,
    });
    const env: EffectEnv = { ctx, trx, row, change, options, state, by };
    for (const command of result.commands) queue.push(...(await effect(env, command)));
  }
  if (applied === 0) return { row, applied: 0, commands: [] };
  const values = {
    state_json: JSON.stringify(state),
    phase: state.state,
    reason: state.reason,
    started_at: row.started_at ?? state.startedAt,
    finished_at: isTerminalPhase(state.state) ? (row.finished_at ?? now) : null,
    updated_at: now,
  };
  if (!(await repo.updateRolloutState(trx, id, row.version, values))) throw new VersionConflict();
  if (row.dry_run === 0 && values.phase !== row.phase)
    await moveChange(ctx, trx, row, values.phase, state.reason);
  return { row: { ...row, ...values, version: row.version + 1 }, applied, commands: emitted };
}

/**
 * The change follows its rollout's end (ADR 0038): completed → complete (review); rolled back →
 * roll-back; aborted → fail; halted stays implementing for a person (roll back, or resume).
 * A move the change's state machine refuses (e.g. a completed change already in review) is
 * audited on the rollout and otherwise ignored: the hosts matter more than the record.
 */
async function moveChange(
  ctx: Ctx,
  trx: Trx,
  row: RolloutTable,
  phase: string,
  reason: string | null,
): Promise<void> {
  const action =
    phase === 'completed'
      ? 'complete'
      : phase === 'rolled_back'
        ? 'roll-back'
        : phase === 'aborted'
          ? 'fail'
          : undefined;
  if (action === undefined) return;
  const why = reason ?? `rollout ${phase.replace('_', ' ')}`;
  const moved = await applyChangeAction(ctx, trx, row.change_id, action, systemSource, why);
  if (!moved.ok)
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      actor: systemActor,
      action: 'rollout.change-not-moved',
      subjectType: 'rollout',
      subjectId: row.id,
      after: { action, reason: moved.reason },
    });
}

interface EffectEnv {
  readonly ctx: Ctx;
  readonly trx: Trx;
  readonly row: RolloutTable;
  /** The change, read on first use. */
  readonly change: () => Promise<RolloutChange>;
  readonly options: RolloutRunOptions;
  readonly state: RolloutState;
  readonly by: RequestSource;
}

/** One command's effect; returns the events it answers at once (e.g. nothing to check). */
async function effect(env: EffectEnv, command: RolloutCommand): Promise<RolloutEvent[]> {
  const at = env.ctx.clock.now().toISOString();
  switch (command.type) {
    case 'notify': {
      if (env.row.dry_run === 0)
        await publishEvent(env.trx, env.ctx.clock, 'rollout.progressed', {
          rolloutId: env.row.id,
          changeId: env.row.change_id,
          kind: command.kind,
          ...(command.wave !== undefined && { wave: command.wave }),
          ...(command.detail !== undefined && { detail: command.detail }),
        });
      await appendAuditEvent(env.trx, env.ctx.database.dialect, env.ctx.clock, {
        actor: env.by.actor,
        action: `rollout.${command.kind}`,
        subjectType: 'rollout',
        subjectId: env.row.id,
        after: {
          changeId: env.row.change_id,
          phase: env.state.state,
          ...(command.wave !== undefined && { wave: command.wave }),
          ...(command.detail !== undefined && { detail: command.detail }),
          ...(env.row.dry_run === 1 && { dryRun: true }),
        },
        ...(env.by.requestId !== undefined && { requestId: env.by.requestId }),
        ...(env.by.ip !== undefined && { ip: env.by.ip }),
      });
      return [];
    }
    case 'install': {
      const packages = (await env.change()).patches
        .filter((p) => p.assetId === command.host && p.toVersion !== null)
        .map((p) => ({ name: p.packageName, version: p.toVersion ?? '' }));
      const key = hostTaskKey(env.row.id, command.host, 'install', 1);
      if (packages.length === 0) {
        // Nothing exact to install (only `latest` patches): the host fails, visibly.
        await recordHostTask(env, command.host, command.wave, 'install', 'host', 1, key, null, at);
        await repo.updateHostTask(env.trx, key, {
          state: 'finished',
          outcome: 'failed',
          finished_at: at,
        });
        return [{ type: 'host-result', host: command.host, outcome: 'failed', at }];
      }
      await queueHostTask(env, command.host, command.wave, 'install', 'host', 1, key);
      return [];
    }
    case 'run-health-checks': {
      if (command.host !== undefined) {
        const attempt =
          (await repo.countHostTasks(env.trx, env.row.id, command.host, 'health-check', 'host')) +
          1;
        const key = hostTaskKey(env.row.id, command.host, 'health-check', attempt);
        const queued = await queueHostTask(
          env,
          command.host,
          command.wave,
          'health-check',
          'host',
          attempt,
          key,
          command.checks,
        );
        if (queued) return [];
        // The agent went away after the install: inconclusive, a person decides (a resume asks
        // again with a new attempt; this one is not retried).
        await repo.updateHostTask(env.trx, key, {
          state: 'finished',
          outcome: 'inconclusive',
          finished_at: at,
        });
        return [{ type: 'health', host: command.host, verdict: 'inconclusive', at }];
      }
      // The wave's own checks: one task per host of the wave that succeeded, one verdict.
      const wave = env.state.waves.find((w) => w.name === command.wave);
      const hosts = (wave?.hosts ?? []).filter((h) => hostOf(env.state, h)?.state === 'succeeded');
      if (hosts.length === 0) return [{ type: 'health', wave: command.wave, verdict: 'pass', at }];
      const attempt = (await repo.lastWaveCheckAttempt(env.trx, env.row.id, command.wave)) + 1;
      let missing = 0;
      for (const host of hosts) {
        const key = hostTaskKey(env.row.id, host, 'health-check', attempt, command.wave);
        const queued = await queueHostTask(
          env,
          host,
          command.wave,
          'health-check',
          'wave',
          attempt,
          key,
          command.checks,
        );
        if (!queued) {
          missing += 1;
          await repo.updateHostTask(env.trx, key, {
            state: 'finished',
            outcome: 'inconclusive',
            finished_at: at,
          });
        }
      }
      return missing === hosts.length
        ? [{ type: 'health', wave: command.wave, verdict: 'inconclusive', at }]
        : [];
    }
    case 'roll-back': {
      const answers: RolloutEvent[] = [];
      for (const host of command.hosts) {
        const install = await repo.hostTask(env.trx, hostTaskKey(env.row.id, host, 'install', 1));
        if (install?.agent_task_id === null || install?.agent_task_id === undefined) {
          // The install never reached the host: nothing to undo.
          if (install?.state === 'waiting-agent')
            await repo.updateHostTask(env.trx, install.key, {
              state: 'cancelled',
              finished_at: at,
            });
          answers.push({ type: 'rollback-result', host, outcome: 'succeeded', at });
          continue;
        }
        const attempt =
          (await repo.countHostTasks(env.trx, env.row.id, host, 'rollback', 'host')) + 1;
        const key = hostTaskKey(env.row.id, host, 'rollback', attempt);
        const wave = env.state.waves[hostOf(env.state, host)?.wave ?? -1]?.name ?? install.wave;
        await queueHostTask(env, host, wave, 'rollback', 'host', attempt, key, undefined, {
          installTaskId: install.agent_task_id,
          steps: command.steps,
        });
      }
      return answers;
    }
  }
}

async function recordHostTask(
  env: EffectEnv,
  host: string,
  wave: string,
  kind: HostTaskKind,
  scope: 'host' | 'wave',
  attempt: number,
  key: string,
  agentTaskId: string | null,
  at: string,
): Promise<void> {
  await repo.insertHostTask(env.trx, {
    key,
    rollout_id: env.row.id,
    asset_id: host,
    wave,
    kind,
    scope,
    attempt,
    agent_task_id: agentTaskId,
    state: agentTaskId === null ? 'waiting-agent' : 'queued',
    outcome: null,
    not_after: new Date(Date.parse(at) + taskLifetimeMs[kind]).toISOString(),
    created_at: at,
    finished_at: null,
  });
}

/** The agent task a host task asks for (the same every time: it is derived from the rows). */
export function taskSpecOf(
  /** Needed for an install only (its patches and backup plan). */
  change: RolloutChange | undefined,
  options: RolloutRunOptions,
  kind: HostTaskKind,
  host: string,
  extra: { checks?: unknown[]; installTaskId?: string; steps?: unknown[] },
) {
  switch (kind) {
    case 'install':
      return {
        kind: 'install' as const,
        packages: (change?.patches ?? [])
          .filter((p) => p.assetId === host && p.toVersion !== null)
          .map((p) => ({ name: p.packageName, version: p.toVersion ?? '' })),
        backup: change?.plans.backupPlan ?? null,
        reboot: options.reboot,
        allowRemovals: false,
      };
    case 'health-check':
      return { kind: 'health-check' as const, checks: extra.checks ?? [], observationSeconds: 0 };
    case 'rollback':
      return {
        kind: 'rollback' as const,
        installTaskId: extra.installTaskId ?? '',
        packages: null,
        steps: extra.steps ?? [],
      };
  }
}

/**
 * Record a host task and queue its agent task (idempotent by its key). False when the host
 * has no agent: the task waits for one (the driver retries it every tick).
 */
async function queueHostTask(
  env: EffectEnv,
  host: string,
  wave: string,
  kind: HostTaskKind,
  scope: 'host' | 'wave',
  attempt: number,
  key: string,
  checks?: unknown[],
  rollback?: { installTaskId: string; steps: unknown[] },
): Promise<boolean> {
  const at = env.ctx.clock.now().toISOString();
  const spec = taskSpecOf(
    kind === 'install' ? await env.change() : undefined,
    env.options,
    kind,
    host,
    {
      ...(checks !== undefined && { checks }),
      ...(rollback !== undefined && rollback),
    },
  );
  const queued = await enqueueTask(env.trx, env.ctx.clock, {
    assetId: host,
    idempotencyKey: key,
    changeId: env.row.change_id,
    rolloutId: env.row.id,
    dryRun: env.row.dry_run === 1,
    notAfter: new Date(Date.parse(at) + taskLifetimeMs[kind]),
    task: spec as Parameters<typeof enqueueTask>[2]['task'],
  });
  await recordHostTask(env, host, wave, kind, scope, attempt, key, queued?.taskId ?? null, at);
  return queued !== undefined;
}

/**
 * Retry a host task that waited for an agent: queue it now if the host has one. The task is
 * rebuilt from the same rows (change, options, the install it undoes), under the same key.
 */
export async function retryWaitingTask(
  ctx: Ctx,
  trx: Trx,
  row: RolloutTable,
  task: { key: string; asset_id: string; kind: string },
  checks: unknown[],
  steps: unknown[],
): Promise<string | undefined> {
  const change = await changeOf(trx, row.change_id);
  const options = JSON.parse(row.options_json) as RolloutRunOptions;
  let installTaskId: string | undefined;
  if (task.kind === 'rollback') {
    const install = await repo.hostTask(trx, hostTaskKey(row.id, task.asset_id, 'install', 1));
    installTaskId = install?.agent_task_id ?? undefined;
    if (installTaskId === undefined) return undefined;
  }
  const kind = task.kind as HostTaskKind;
  const queued = await enqueueTask(trx, ctx.clock, {
    assetId: task.asset_id,
    idempotencyKey: task.key,
    changeId: change.id,
    rolloutId: row.id,
    dryRun: row.dry_run === 1,
    notAfter: new Date(ctx.clock.now().getTime() + taskLifetimeMs[kind]),
    task: taskSpecOf(change, options, kind, task.asset_id, {
      checks,
      steps,
      ...(installTaskId !== undefined && { installTaskId }),
    }) as Parameters<typeof enqueueTask>[2]['task'],
  });
  if (queued === undefined) return undefined;
  await repo.updateHostTask(trx, task.key, { agent_task_id: queued.taskId, state: 'queued' });
  return queued.taskId;
}

// ---------------------------------------------------------------- starting

export interface StartInput {
  readonly dryRun?: boolean;
  readonly offlineHosts?: 'skip' | 'wait';
  readonly reboot?: 'never' | 'if-required';
  readonly reason?: string;
}

/**
 * Start the change's rollout: a real one moves the change to implementing (the state machine
 * decides: approved, scheduled, its start reached); a dry run leaves the change as it is and
 * queues only simulations. The first tick (at once) starts the hosts if the windows allow.
 */
export async function startChangeRollout(
  ctx: Ctx,
  changeRef: string,
  input: StartInput,
  by: RequestSource,
): Promise<string> {
  const found = await changeForRollout(ctx.database.db, changeRef);
  if (found === undefined) throw new NotFoundError(`The change "${changeRef}"`);
  const dryRun = input.dryRun ?? false;
  const options: RolloutRunOptions = {
    offlineHosts: input.offlineHosts ?? defaultRunOptions.offlineHosts,
    reboot: input.reboot ?? defaultRunOptions.reboot,
  };
  const id = await createRollout(ctx, found.id, changeRef, dryRun, options, input.reason, by);
  // The first tick at once (the window facts of now): hosts start without waiting for the driver.
  const row = await repo.rolloutRow(ctx.database.db, id);
  if (row !== undefined) {
    const state = JSON.parse(row.state_json) as RolloutState;
    const first = [...(await offlineEvents(ctx, row, state)), await tickEvent(ctx, row, state)];
    await applyEvents(ctx, id, () => Promise.resolve(first), by);
  }
  return id;
}

async function createRollout(
  ctx: Ctx,
  changeId: string,
  changeRef: string,
  dryRun: boolean,
  options: RolloutRunOptions,
  reason: string | undefined,
  by: RequestSource,
): Promise<string> {
  const input = { reason };
  try {
    return await transactionRetryingDeadlocks(ctx.database, async (trx) => {
      const change = await changeOf(trx, changeId);
      const plan = change.plans.deploymentPlan;
      if (plan === undefined)
        throw new ConflictError(`${change.number} has no deployment plan to roll out`);
      if (!dryRun) {
        const existing = (await repo.rolloutsOfChange(trx, change.id)).find((r) => r.dry_run === 0);
        if (existing !== undefined)
          throw new ConflictError(
            `${change.number} already has its rollout ${existing.id} (${existing.phase})`,
          );
        // A change a person already started by hand (implementing) gets its rollout as it is.
        if (change.state !== 'implementing') {
          const moved = await applyChangeAction(ctx, trx, change.id, 'start', by, input.reason);
          if (!moved.ok) throw new ConflictError(moved.reason);
        }
      } else if (!['authorise', 'scheduled', 'implementing'].includes(change.state))
        throw new ConflictError(
          `${change.number}: a dry run needs a change being authorised, scheduled or implemented (it is ${change.state})`,
        );
      const state = startRollout(plan, change.assets, {
        offlineHosts: options.offlineHosts,
        ...(change.plans.rollbackPlan !== undefined && { rollbackPlan: change.plans.rollbackPlan }),
      });
      const now = ctx.clock.now().toISOString();
      const id = randomUUID();
      await repo.insertRollout(trx, {
        id,
        change_id: change.id,
        live_change_id: dryRun ? null : change.id,
        dry_run: dryRun ? 1 : 0,
        state_json: JSON.stringify(state),
        phase: state.state,
        reason: null,
        version: 0,
        options_json: JSON.stringify(options),
        assets_json: JSON.stringify(change.assets),
        created_by: by.actor.id,
        created_by_name: by.actor.name,
        created_at: now,
        started_at: null,
        finished_at: null,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
      });
      await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
        actor: by.actor,
        action: 'rollout.create',
        subjectType: 'rollout',
        subjectId: id,
        after: {
          changeId: change.id,
          dryRun,
          options,
          ...(input.reason !== undefined && { reason: input.reason }),
        },
        ...(by.requestId !== undefined && { requestId: by.requestId }),
        ...(by.ip !== undefined && { ip: by.ip }),
      });
      return id;
    });
  } catch (error) {
    // Two replicas starting the same due change: the unique live_change_id lets one win.
    if (!dryRun && isUniqueViolation(error))
      throw new ConflictError(`The change ${changeRef} already has its rollout`);
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.message} ${(error as { code?: string }).code ?? ''}` : '';
  return /UNIQUE constraint failed|duplicate key value|23505|SQLITE_CONSTRAINT/.test(text);
}

// ---------------------------------------------------------------- people's commands

export const rolloutActions = ['pause', 'resume', 'abort', 'rollback'] as const;
export type RolloutAction = (typeof rolloutActions)[number];

/**
 * A person's command: the engine decides; a command it does not apply (wrong phase) is a 409
 * with the phase, nothing is written.
 */
export async function actOnRollout(
  ctx: Ctx,
  id: string,
  action: RolloutAction | { release: string },
  by: RequestSource,
  reason?: string,
): Promise<ApplyResult> {
  const at = ctx.clock.now().toISOString();
  const actor: AuditActor = by.actor;
  const name = actor.name;
  const event: RolloutEvent =
    typeof action === 'object'
      ? { type: 'gate-released', wave: action.release, by: name, at }
      : action === 'pause' || action === 'abort' || action === 'rollback'
        ? {
            type: action,
            by: name,
            at,
            ...(reason !== undefined && { reason: `${reason} (${name})` }),
          }
        : { type: 'resume', by: name, at };
  const what = typeof action === 'object' ? `release wave ${action.release}` : action;
  return applyEvents(
    ctx,
    id,
    async (trx, _state, row) => {
      if (typeof action === 'object') await refuseOtherReleaser(trx, row, by);
      await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
        actor,
        action: `rollout.${typeof action === 'object' ? 'release' : action}`,
        subjectType: 'rollout',
        subjectId: id,
        after: {
          ...(typeof action === 'object' && { wave: action.release }),
          ...(reason !== undefined && { reason }),
        },
        ...(by.requestId !== undefined && { requestId: by.requestId }),
        ...(by.ip !== undefined && { ip: by.ip }),
      });
      return [event];
    },
    by,
    (row) =>
      `The rollout cannot ${what} now: it is ${row.phase}${row.reason === null ? '' : ` (${row.reason})`}`,
  );
}

/**
 * A manual gate is released by the plan's implementer (roles.implementer) when the plan names
 * one; anyone with changes:implement otherwise.
 */
async function refuseOtherReleaser(trx: Trx, row: RolloutTable, by: RequestSource): Promise<void> {
  const change = await changeOf(trx, row.change_id);
  const named = change.plans.roles?.implementer;
  if (named === undefined) return;
  const user = await resolveUserRef(trx, named);
  if (user === undefined || user.id !== by.actor.id)
    throw new ConflictError(
      `${change.number}: the plan names ${named} as its implementer (roles.implementer), who releases its manual gates`,
    );
}
