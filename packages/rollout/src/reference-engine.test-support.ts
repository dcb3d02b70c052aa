/**
 * TEST ORACLE ONLY (not exported): the first version of the engine, which copies the whole state
 * on every event. `engine.test.ts` checks that the copy-on-write engine emits the same commands
 * and reaches the same host and wave states for random event sequences.
 *
 * The rollout engine: a pure state machine `(state, event) → { state, commands }`. The server
 * persists the state and turns commands into agent tasks and notifications; the agent executes
 * them and its results come back as events. No clock (time is in the events), no I/O. The state is
 * plain JSON, so it can be stored as it is and replayed.
 *
 * Idempotent: an event that does not apply (a repeated or stale result, a release of a wave that
 * is not waiting) returns the very same state and no command, so a restarted server replaying its
 * events never installs a host twice.
 */
import type { DeploymentPlan, HealthCheck, RollbackPlan, RollbackStep } from '@patchgate/changes';
import { resolveWaves } from '@patchgate/changes';
import type { AssetFacts } from '@patchgate/model';

export const hostStates = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'rolled_back',
  'skipped',
] as const;
export type HostState = (typeof hostStates)[number];

export const rolloutPhases = [
  'pending',
  'running',
  'baking',
  'awaiting_gate',
  'paused',
  'halted',
  'rolling_back',
  'completed',
  'rolled_back',
  'aborted',
] as const;
export type RolloutPhase = (typeof rolloutPhases)[number];

/** Phases where the rollout makes no more progress; only a `rollback` leaves completed or aborted. */
export const terminalPhases: readonly RolloutPhase[] = ['completed', 'rolled_back', 'aborted'];

export const notifyKinds = [
  'started',
  'wave-started',
  'wave-completed',
  'awaiting-gate',
  'paused',
  'resumed',
  'budget-exceeded',
  'halted',
  'rolling-back',
  'rolled-back',
  'rollback-failed',
  'completed',
  'aborted',
] as const;
export type NotifyKind = (typeof notifyKinds)[number];

export interface HostRecord {
  /** The asset's id (what commands name). */
  readonly host: string;
  readonly name: string;
  /** Index of the host's wave in `RolloutState.waves`. */
  readonly wave: number;
  state: HostState;
  /** Install done, health checks asked and not answered (or inconclusive). */
  checks: 'none' | 'requested' | 'inconclusive';
  /** Roll-back asked and not answered; `awaiting-install`: asked while the install ran. */
  rollback: 'none' | 'awaiting-install' | 'requested' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WaveRecord {
  readonly name: string;
  state: RolloutPhase;
  /** Host ids, in the order they are started. */
  readonly hosts: string[];
  readonly concurrency: number;
  readonly failureThreshold: number;
  readonly bakeMinutes: number;
  /** Days after the rollout's start before the wave may start (its ring's offset). */
  readonly offsetDays: number;
  readonly gate: 'auto' | 'manual';
  readonly onFailure: 'pause' | 'rollback' | 'continue';
  readonly healthChecks: HealthCheck[];
  /** Failures a person accepted (by resuming) or `continue` let pass: not counted again. */
  acceptedFailures: number;
  /** The wave's own checks after its bake. */
  checks: 'none' | 'requested' | 'inconclusive' | 'passed' | 'failed';
  releasedBy: string | null;
  startedAt: string | null;
  bakeUntil: string | null;
  finishedAt: string | null;
  /** The wave's state before a pause. */
  resumeTo: RolloutPhase | null;
}

export interface RolloutState {
  state: RolloutPhase;
  readonly waves: WaveRecord[];
  readonly hosts: Record<string, HostRecord>;
  /** Index of the wave being worked on. */
  current: number;
  readonly rollbackSteps: RollbackStep[];
  /** Offline hosts not yet started: skipped, or waited for (their install queues for them). */
  readonly offlineHosts: 'skip' | 'wait';
  /** What may start a rollback by itself (the rollback plan's triggers). */
  readonly rollbackTriggers: string[];
  /** The last tick's window facts: no host starts outside a window or after its cutoff. */
  window: { insideWindow: boolean; acceptsNewWork: boolean };
  now: string | null;
  /** When the first tick inside a window started the rollout (ring offsets count from it). */
  startedAt: string | null;
  /** Why the rollout is paused or halted. */
  reason: string | null;
  resumeTo: RolloutPhase | null;
}

export type RolloutEvent =
  | {
      readonly type: 'tick';
      readonly now: string;
      readonly insideWindow: boolean;
      readonly acceptsNewWork: boolean;
    }
  | {
      readonly type: 'host-result';
      readonly host: string;
      readonly outcome: 'succeeded' | 'failed';
      readonly at: string;
    }
  | {
      readonly type: 'health';
      readonly host?: string;
      readonly wave?: string;
      readonly verdict: 'pass' | 'fail' | 'inconclusive';
      readonly at: string;
    }
  | {
      readonly type: 'rollback-result';
      readonly host: string;
      readonly outcome: 'succeeded' | 'failed';
      readonly at: string;
    }
  | { readonly type: 'host-offline'; readonly host: string; readonly at: string }
  | {
      readonly type: 'gate-released';
      readonly wave: string;
      readonly by: string;
      readonly at: string;
    }
  | { readonly type: 'pause'; readonly by: string; readonly at: string; readonly reason?: string }
  | { readonly type: 'resume'; readonly by: string; readonly at: string }
  | { readonly type: 'abort'; readonly by: string; readonly at: string; readonly reason?: string }
  | {
      readonly type: 'rollback';
      readonly by: string;
      readonly at: string;
      readonly reason?: string;
    };

export type RolloutCommand =
  | { readonly type: 'install'; readonly host: string; readonly wave: string }
  | {
      readonly type: 'run-health-checks';
      /** Absent: the wave's checks after its bake. */
      readonly host?: string;
      readonly wave: string;
      readonly checks: HealthCheck[];
    }
  | {
      readonly type: 'roll-back';
      readonly hosts: string[];
      readonly steps: RollbackStep[];
      readonly reason: string;
    }
  | {
      readonly type: 'notify';
      readonly kind: NotifyKind;
      readonly wave?: string;
      readonly detail?: string;
    };

export interface StepResult {
  readonly state: RolloutState;
  readonly commands: RolloutCommand[];
}

export interface RolloutOptions {
  /** The change's rollback plan; without one, the built-in exact-version downgrade, any trigger. */
  readonly rollbackPlan?: RollbackPlan;
  /** A host reported offline before it starts: `skip` it, or `wait` for it (the default). */
  readonly offlineHosts?: 'skip' | 'wait';
}

/** The built-in rollback: install the exact versions recorded before the change. */
export const defaultRollbackSteps: RollbackStep[] = [{ kind: 'downgrade' }];

/** A rollout of `plan` over `assets`, not started: the first tick inside a window starts it. */
export function startRollout(
  plan: DeploymentPlan,
  assets: readonly AssetFacts[],
  options: RolloutOptions = {},
): RolloutState {
  const hosts: Record<string, HostRecord> = {};
  const waves = resolveWaves(plan, assets).map((resolved, index): WaveRecord => {
    for (const asset of resolved.assets)
      hosts[asset.id] = {
        host: asset.id,
        name: asset.name,
        wave: index,
        state: 'pending',
        checks: 'none',
        rollback: 'none',
        startedAt: null,
        finishedAt: null,
      };
    return {
      name: resolved.wave.name,
      state: 'pending',
      hosts: resolved.assets.map((a) => a.id),
      concurrency: resolved.concurrency,
      failureThreshold: resolved.failureThreshold,
      bakeMinutes: resolved.wave.bakeMinutes,
      offsetDays: resolved.offsetDays,
      gate: resolved.wave.gate,
      onFailure: resolved.wave.onFailure,
      healthChecks: resolved.wave.healthChecks,
      acceptedFailures: 0,
      checks: 'none',
      releasedBy: null,
      startedAt: null,
      bakeUntil: null,
      finishedAt: null,
      resumeTo: null,
    };
  });
  return {
    state: 'pending',
    waves,
    hosts,
    current: 0,
    rollbackSteps: options.rollbackPlan?.steps ?? defaultRollbackSteps,
    offlineHosts: options.offlineHosts ?? 'wait',
    rollbackTriggers: options.rollbackPlan?.triggers ?? [
      'health-check-failure',
      'failure-threshold',
      'manual',
    ],
    window: { insideWindow: false, acceptsNewWork: false },
    now: null,
    startedAt: null,
    reason: null,
    resumeTo: null,
  };
}

/**
 * Hosts of a wave counted against its disruption budget: started and not (yet) passed their
 * checks — running, failed, or rolled back.
 */
export function disruptedHosts(state: RolloutState, wave: number): string[] {
  return (state.waves[wave]?.hosts ?? []).filter((id) => {
    const host = state.hosts[id];
    return (
      host !== undefined &&
      host.state !== 'pending' &&
      host.state !== 'succeeded' &&
      host.state !== 'skipped'
    );
  });
}

const addMinutes = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

const timeOf = (event: RolloutEvent): string => (event.type === 'tick' ? event.now : event.at);

const isTerminal = (phase: RolloutPhase): boolean => terminalPhases.includes(phase);

/** Apply one event. A no-op returns the same state object and no command. */
export function step(state: RolloutState, event: RolloutEvent): StepResult {
  const next = structuredClone(state);
  const commands: RolloutCommand[] = [];
  const applied = apply(next, event, commands);
  return applied ? { state: next, commands } : { state, commands: [] };
}

function apply(s: RolloutState, event: RolloutEvent, out: RolloutCommand[]): boolean {
  const at = timeOf(event);
  switch (event.type) {
    case 'tick': {
      const same =
        s.now === event.now &&
        s.window.insideWindow === event.insideWindow &&
        s.window.acceptsNewWork === event.acceptsNewWork;
      s.now = event.now;
      s.window = { insideWindow: event.insideWindow, acceptsNewWork: event.acceptsNewWork };
      if (s.state === 'pending' && event.insideWindow && event.acceptsNewWork) {
        s.state = 'running';
        s.startedAt = event.now;
        out.push({ type: 'notify', kind: 'started' });
      }
      advance(s, at, out);
      return !same || out.length > 0;
    }
    case 'host-result': {
      const host = s.hosts[event.host];
      if (host?.state !== 'running' || host.checks !== 'none') return false;
      const wave = s.waves[host.wave];
      if (wave === undefined) return false;
      if (host.rollback === 'awaiting-install') {
        // Halted while the install ran: it is undone now, whatever its outcome.
        host.state = event.outcome === 'succeeded' ? 'succeeded' : 'failed';
        host.finishedAt = at;
        host.rollback = 'requested';
        out.push({
          type: 'roll-back',
          hosts: [host.host],
          steps: s.rollbackSteps,
          reason: s.reason ?? 'rollback',
        });
        return true;
      }
      if (event.outcome === 'failed') {
        hostFailed(s, host, at, 'failure-threshold', out);
      } else if (
        wave.healthChecks.length > 0 &&
        !isTerminal(s.state) &&
        s.state !== 'rolling_back'
      ) {
        host.checks = 'requested';
        out.push({
          type: 'run-health-checks',
          host: host.host,
          wave: wave.name,
          checks: wave.healthChecks,
        });
      } else {
        host.state = 'succeeded';
        host.finishedAt = at;
      }
      advance(s, at, out);
      return true;
    }
    case 'health': {
      if (event.host !== undefined) {
        const host = s.hosts[event.host];
        if (host?.state !== 'running' || host.checks !== 'requested' || host.rollback !== 'none')
          return false;
        if (event.verdict === 'pass') {
          host.state = 'succeeded';
          host.checks = 'none';
          host.finishedAt = at;
        } else if (event.verdict === 'fail') {
          host.checks = 'none';
          hostFailed(s, host, at, 'health-check-failure', out);
        } else {
          host.checks = 'inconclusive';
          pause(s, `health checks of ${host.name} inconclusive`, out);
        }
        advance(s, at, out);
        return true;
      }
      const index = s.waves.findIndex((w) => w.name === event.wave);
      const wave = s.waves[index];
      if (wave?.checks !== 'requested' || wave.state !== 'baking') return false;
      if (event.verdict === 'pass') wave.checks = 'passed';
      else if (event.verdict === 'fail') {
        wave.checks = 'failed';
        waveFailed(
          s,
          index,
          at,
          `health checks of wave ${wave.name} failed`,
          'health-check-failure',
          out,
        );
      } else {
        wave.checks = 'inconclusive';
        pause(s, `health checks of wave ${wave.name} inconclusive`, out);
      }
      advance(s, at, out);
      return true;
    }
    case 'rollback-result': {
      const host = s.hosts[event.host];
      if (host?.rollback !== 'requested') return false;
      if (event.outcome === 'succeeded') {
        host.state = 'rolled_back';
        host.rollback = 'none';
      } else host.rollback = 'failed';
      host.finishedAt = at;
      finishRollback(s, at, out);
      return true;
    }
    case 'host-offline': {
      const host = s.hosts[event.host];
      if (s.offlineHosts !== 'skip' || host?.state !== 'pending' || isTerminal(s.state))
        return false;
      host.state = 'skipped';
      host.finishedAt = at;
      advance(s, at, out);
      return true;
    }
    case 'gate-released': {
      const wave = s.waves[s.current];
      if (
        wave?.name !== event.wave ||
        wave.state !== 'awaiting_gate' ||
        s.state !== 'awaiting_gate'
      )
        return false;
      wave.releasedBy = event.by;
      wave.state = 'pending';
      s.state = 'running';
      advance(s, at, out);
      return true;
    }
    case 'pause': {
      if (!['pending', 'running', 'baking', 'awaiting_gate'].includes(s.state)) return false;
      pause(s, event.reason ?? `paused by ${event.by}`, out);
      return true;
    }
    case 'resume': {
      if (s.state !== 'paused') return false;
      resume(s, out);
      out.push({ type: 'notify', kind: 'resumed', detail: `by ${event.by}` });
      advance(s, at, out);
      return true;
    }
    case 'abort': {
      if (isTerminal(s.state) || s.state === 'rolling_back') return false;
      s.state = 'aborted';
      s.reason = event.reason ?? `aborted by ${event.by}`;
      const wave = s.waves[s.current];
      if (wave !== undefined && !isTerminal(wave.state) && wave.state !== 'pending') {
        wave.state = 'aborted';
        wave.finishedAt = at;
      }
      for (const host of Object.values(s.hosts)) {
        if (host.state === 'pending') host.state = 'skipped';
        // Checks still asked for are not waited for: the host keeps what it reported.
        if (host.state === 'running' && host.checks !== 'none') {
          host.state = 'succeeded';
          host.checks = 'none';
          host.finishedAt = at;
        }
      }
      out.push({ type: 'notify', kind: 'aborted', detail: s.reason });
      return true;
    }
    case 'rollback': {
      if (s.state === 'rolling_back' || s.state === 'rolled_back') return false;
      const waves = s.waves.map((_, i) => i).filter((i) => startedHosts(s, i).length > 0);
      if (waves.length === 0) return false;
      beginRollback(s, waves, event.reason ?? `rolled back by ${event.by}`, at, out);
      return true;
    }
  }
}

/** Hosts of wave `index` that were started and are not rolled back. */
function startedHosts(s: RolloutState, index: number): HostRecord[] {
  return (s.waves[index]?.hosts ?? [])
    .map((id) => s.hosts[id])
    .filter(
      (h): h is HostRecord =>
        h !== undefined &&
        (h.state === 'running' || h.state === 'succeeded' || h.state === 'failed'),
    );
}

function hostFailed(
  s: RolloutState,
  host: HostRecord,
  at: string,
  trigger: string,
  out: RolloutCommand[],
): void {
  host.state = 'failed';
  host.finishedAt = at;
  const wave = s.waves[host.wave];
  if (wave === undefined) return;
  const failed = wave.hosts.filter((id) => s.hosts[id]?.state === 'failed').length;
  if (failed - wave.acceptedFailures <= wave.failureThreshold) return;
  if (!['running', 'baking', 'paused', 'awaiting_gate'].includes(s.state)) return;
  waveFailed(
    s,
    host.wave,
    at,
    `${failed} failed in wave ${wave.name}, budget ${wave.failureThreshold}`,
    trigger,
    out,
  );
}

/** The wave's budget is exceeded (or its checks failed): its onFailure decides. */
function waveFailed(
  s: RolloutState,
  index: number,
  at: string,
  reason: string,
  trigger: string,
  out: RolloutCommand[],
): void {
  const wave = s.waves[index];
  if (wave === undefined) return;
  const failed = wave.hosts.filter((id) => s.hosts[id]?.state === 'failed').length;
  if (wave.onFailure === 'continue') {
    wave.acceptedFailures = Math.max(wave.acceptedFailures, failed - wave.failureThreshold);
    out.push({ type: 'notify', kind: 'budget-exceeded', wave: wave.name, detail: reason });
    return;
  }
  if (wave.onFailure === 'pause') {
    if (s.state !== 'paused') pause(s, reason, out);
    else s.reason = reason;
    return;
  }
  if (!s.rollbackTriggers.includes(trigger)) {
    // The rollback plan does not undo on this trigger: stop and wait for a person.
    s.state = 'halted';
    s.reason = `${reason}; the rollback plan does not roll back on ${trigger}`;
    wave.state = 'halted';
    out.push({ type: 'notify', kind: 'halted', wave: wave.name, detail: s.reason });
    return;
  }
  out.push({ type: 'notify', kind: 'halted', wave: wave.name, detail: reason });
  beginRollback(s, [index], reason, at, out);
}

function beginRollback(
  s: RolloutState,
  waves: number[],
  reason: string,
  at: string,
  out: RolloutCommand[],
): void {
  s.state = 'rolling_back';
  s.reason = reason;
  s.resumeTo = null;
  const now: string[] = [];
  for (const index of waves) {
    const wave = s.waves[index];
    if (wave === undefined) continue;
    wave.state = 'rolling_back';
    for (const host of startedHosts(s, index)) {
      if (host.state === 'running' && host.checks === 'none') host.rollback = 'awaiting-install';
      else {
        if (host.state === 'running') {
          // Installed, checks outstanding: their verdict no longer matters.
          host.state = 'succeeded';
          host.checks = 'none';
          host.finishedAt = at;
        }
        host.rollback = 'requested';
        now.push(host.host);
      }
    }
  }
  for (const host of Object.values(s.hosts)) if (host.state === 'pending') host.state = 'skipped';
  out.push({ type: 'notify', kind: 'rolling-back', detail: reason });
  if (now.length > 0) out.push({ type: 'roll-back', hosts: now, steps: s.rollbackSteps, reason });
  finishRollback(s, at, out);
}

/** When no roll-back is outstanding: rolled back, or halted if any host could not be. */
function finishRollback(s: RolloutState, at: string, out: RolloutCommand[]): void {
  if (s.state !== 'rolling_back') return;
  const hosts = Object.values(s.hosts);
  if (hosts.some((h) => h.rollback === 'requested' || h.rollback === 'awaiting-install')) return;
  const failed = hosts.filter((h) => h.rollback === 'failed');
  const phase: RolloutPhase = failed.length > 0 ? 'halted' : 'rolled_back';
  for (const wave of s.waves)
    if (wave.state === 'rolling_back') {
      wave.state = wave.hosts.some((id) => s.hosts[id]?.rollback === 'failed')
        ? 'halted'
        : 'rolled_back';
      wave.finishedAt = at;
    }
  s.state = phase;
  if (failed.length > 0) {
    s.reason = `roll-back failed on ${failed.map((h) => h.name).join(', ')}`;
    out.push({ type: 'notify', kind: 'rollback-failed', detail: s.reason });
  } else out.push({ type: 'notify', kind: 'rolled-back', detail: s.reason ?? undefined });
}

function pause(s: RolloutState, reason: string, out: RolloutCommand[]): void {
  if (s.state === 'paused') {
    s.reason = reason;
    return;
  }
  s.resumeTo = s.state;
  s.state = 'paused';
  s.reason = reason;
  const wave = s.waves[s.current];
  if (wave !== undefined && ['running', 'baking', 'awaiting_gate'].includes(wave.state)) {
    wave.resumeTo = wave.state;
    wave.state = 'paused';
  }
  out.push({ type: 'notify', kind: 'paused', wave: wave?.name, detail: reason });
}

function resume(s: RolloutState, out: RolloutCommand[]): void {
  s.state = s.resumeTo ?? 'running';
  s.resumeTo = null;
  s.reason = null;
  const wave = s.waves[s.current];
  if (wave?.state === 'paused') {
    wave.state = wave.resumeTo ?? 'running';
    wave.resumeTo = null;
  }
  for (const w of s.waves) {
    // Resuming accepts the failures that paused the wave; one more pauses it again.
    const failed = w.hosts.filter((id) => s.hosts[id]?.state === 'failed').length;
    w.acceptedFailures = Math.max(w.acceptedFailures, failed - w.failureThreshold);
    if (w.checks === 'inconclusive') {
      w.checks = 'requested';
      out.push({ type: 'run-health-checks', wave: w.name, checks: w.healthChecks });
    }
  }
  for (const host of Object.values(s.hosts))
    if (host.checks === 'inconclusive') {
      host.checks = 'requested';
      const w = s.waves[host.wave];
      out.push({
        type: 'run-health-checks',
        host: host.host,
        wave: w?.name ?? '',
        checks: w?.healthChecks ?? [],
      });
    }
}

/** Move the rollout as far as the facts allow: start hosts, finish waves, bake, open gates. */
function advance(s: RolloutState, at: string, out: RolloutCommand[]): void {
  for (;;) {
    if (!['running', 'baking', 'awaiting_gate'].includes(s.state)) return;
    const wave = s.waves[s.current];
    if (wave === undefined) {
      s.state = 'completed';
      s.reason = null;
      out.push({ type: 'notify', kind: 'completed' });
      return;
    }
    if (wave.state === 'pending') {
      if (wave.gate === 'manual' && wave.releasedBy === null) {
        wave.state = 'awaiting_gate';
        s.state = 'awaiting_gate';
        out.push({ type: 'notify', kind: 'awaiting-gate', wave: wave.name });
        return;
      }
      const notBefore =
        s.startedAt === null ? null : addMinutes(s.startedAt, wave.offsetDays * 1440);
      if (notBefore !== null && Date.parse(at) < Date.parse(notBefore)) {
        // A later ring waits for its day (then for its assets' window, from the ticks).
        s.state = 'running';
        return;
      }
      wave.state = 'running';
      wave.startedAt = at;
      out.push({ type: 'notify', kind: 'wave-started', wave: wave.name });
      continue;
    }
    if (wave.state === 'awaiting_gate') {
      s.state = 'awaiting_gate';
      return;
    }
    if (wave.state === 'running') {
      s.state = 'running';
      const hosts = wave.hosts.map((id) => s.hosts[id]).filter((h) => h !== undefined);
      let running = hosts.filter((h) => h.state === 'running').length;
      const mayStart = s.window.insideWindow && s.window.acceptsNewWork;
      for (const host of hosts) {
        if (!mayStart || running >= wave.concurrency) break;
        if (host.state !== 'pending') continue;
        host.state = 'running';
        host.startedAt = at;
        running += 1;
        out.push({ type: 'install', host: host.host, wave: wave.name });
      }
      if (hosts.some((h) => h.state === 'pending' || h.state === 'running')) return;
      wave.state = 'baking';
      // An empty wave has nothing to watch or check.
      wave.bakeUntil = addMinutes(at, hosts.length > 0 ? wave.bakeMinutes : 0);
      if (hosts.length === 0) wave.checks = 'passed';
      continue;
    }
    if (wave.state === 'baking') {
      s.state = 'baking';
      if (wave.bakeUntil !== null && Date.parse(at) < Date.parse(wave.bakeUntil)) return;
      if (wave.healthChecks.length > 0 && wave.checks === 'none') {
        wave.checks = 'requested';
        out.push({ type: 'run-health-checks', wave: wave.name, checks: wave.healthChecks });
        return;
      }
      if (wave.checks === 'requested' || wave.checks === 'inconclusive') return;
      wave.state = 'completed';
      wave.finishedAt = at;
      out.push({ type: 'notify', kind: 'wave-completed', wave: wave.name });
      s.current += 1;
      continue;
    }
    return;
  }
}
