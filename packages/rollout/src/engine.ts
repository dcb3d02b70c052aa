/**
 * The rollout engine: a pure state machine `(state, event) → { state, commands }`. The server
 * persists the state and turns commands into agent tasks and notifications; the agent executes
 * them and its results come back as events. No clock (time is in the events), no I/O. The state is
 * plain JSON, so it can be stored as it is and replayed.
 *
 * Idempotent: an event that does not apply (a repeated or stale result, a release of a wave that
 * is not waiting) returns the very same state and no command, so a restarted server replaying its
 * events never installs a host twice.
 *
 * Cost: an event costs what it touches. The state is never copied whole: `step` copies the
 * top-level record, and on first write the touched wave records, the touched chunk of host
 * records and the touched host records (copy-on-write; the previous state stays valid and
 * unchanged). Per-wave counters and a start cursor replace scans over the hosts.
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
  /** How many of the wave's hosts are in each state (kept by `step`; no scan per event). */
  counts: Record<HostState, number>;
  /** Every host before this index of `hosts` has left `pending` (where the next start looks). */
  cursor: number;
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
  /**
   * The host records, in wave order, in chunks of `chunkSize` (a touched host copies its chunk,
   * not every host). Read them with `hostOf` / `hostsOf`.
   */
  readonly hostChunks: HostRecord[][];
  readonly chunkSize: number;
  /** Host id → position in the chunks (fixed at the start; shared by every later state). */
  readonly hostIndex: Record<string, number>;
  /** Roll-backs asked and not answered (`requested` or `awaiting-install`). */
  outstandingRollbacks: number;
  /** Hosts whose roll-back failed. */
  failedRollbacks: number;
  /** Hosts whose checks were inconclusive (asked again on resume). */
  inconclusiveHosts: string[];
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

const emptyCounts = (): Record<HostState, number> => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  rolled_back: 0,
  skipped: 0,
});

/** A rollout of `plan` over `assets`, not started: the first tick inside a window starts it. */
export function startRollout(
  plan: DeploymentPlan,
  assets: readonly AssetFacts[],
  options: RolloutOptions = {},
): RolloutState {
  const records: HostRecord[] = [];
  const hostIndex: Record<string, number> = {};
  const waves = resolveWaves(plan, assets).map((resolved, index): WaveRecord => {
    const ids: string[] = [];
    for (const asset of resolved.assets) {
      // An asset lands in one wave only (the first that claims it).
      if (Object.hasOwn(hostIndex, asset.id)) continue;
      hostIndex[asset.id] = records.length;
      ids.push(asset.id);
      records.push({
        host: asset.id,
        name: asset.name,
        wave: index,
        state: 'pending',
        checks: 'none',
        rollback: 'none',
        startedAt: null,
        finishedAt: null,
      });
    }
    return {
      name: resolved.wave.name,
      state: 'pending',
      hosts: ids,
      counts: { ...emptyCounts(), pending: ids.length },
      cursor: 0,
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
  // √n records per chunk: a touched host copies one chunk and the list of chunks, both ~√n.
  const chunkSize = Math.max(16, Math.ceil(Math.sqrt(records.length)));
  const hostChunks: HostRecord[][] = [];
  for (let i = 0; i < records.length; i += chunkSize)
    hostChunks.push(records.slice(i, i + chunkSize));
  return {
    state: 'pending',
    waves,
    hostChunks,
    chunkSize,
    hostIndex,
    outstandingRollbacks: 0,
    failedRollbacks: 0,
    inconclusiveHosts: [],
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

/** The record of host `id` (an asset id), if it is in the rollout. */
export function hostOf(state: RolloutState, id: string): HostRecord | undefined {
  if (!Object.hasOwn(state.hostIndex, id)) return undefined;
  const position = state.hostIndex[id] ?? 0;
  return state.hostChunks[Math.floor(position / state.chunkSize)]?.[position % state.chunkSize];
}

/** Every host record, in wave order. */
export function hostsOf(state: RolloutState): HostRecord[] {
  return state.hostChunks.flat();
}

/**
 * Hosts of a wave counted against its disruption budget: started and not (yet) passed their
 * checks — running, failed, or rolled back.
 */
export function disruptedHosts(state: RolloutState, wave: number): string[] {
  return (state.waves[wave]?.hosts ?? []).filter((id) => {
    const host = hostOf(state, id);
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One step's working copy: the top-level record is copied at once; waves, chunks and host
 * records are copied on their first write and written in place after that.
 */
class Draft {
  readonly s: Mutable<RolloutState>;
  private readonly waveCopied = new Set<number>();
  private readonly chunkCopied = new Set<number>();
  private readonly hostCopied = new Set<string>();
  private wavesCopied = false;
  private chunksCopied = false;

  constructor(base: RolloutState) {
    this.s = { ...base };
  }

  host(id: string): Readonly<HostRecord> | undefined {
    return hostOf(this.s, id);
  }

  /** A writable record of host `id` (which must exist). */
  private editHost(id: string): HostRecord {
    const position = this.s.hostIndex[id] ?? 0;
    const chunkIndex = Math.floor(position / this.s.chunkSize);
    if (!this.chunksCopied) {
      this.s.hostChunks = [...this.s.hostChunks];
      this.chunksCopied = true;
    }
    const chunks = this.s.hostChunks;
    if (!this.chunkCopied.has(chunkIndex)) {
      chunks[chunkIndex] = [...(chunks[chunkIndex] ?? [])];
      this.chunkCopied.add(chunkIndex);
    }
    const chunk = chunks[chunkIndex] ?? [];
    const offset = position % this.s.chunkSize;
    if (!this.hostCopied.has(id)) {
      chunk[offset] = { ...(chunk[offset] as HostRecord) };
      this.hostCopied.add(id);
    }
    return chunk[offset] as HostRecord;
  }

  wave(index: number): Readonly<WaveRecord> | undefined {
    return this.s.waves[index];
  }

  /** A writable record of wave `index` (which must exist). */
  editWave(index: number): WaveRecord {
    if (!this.wavesCopied) {
      this.s.waves = [...this.s.waves];
      this.wavesCopied = true;
    }
    if (!this.waveCopied.has(index)) {
      const wave = this.s.waves[index] as WaveRecord;
      this.s.waves[index] = { ...wave, counts: { ...wave.counts } };
      this.waveCopied.add(index);
    }
    return this.s.waves[index] as WaveRecord;
  }

  /** Change a host's fields; its wave's counters and the rollout's indexes follow. */
  setHost(
    id: string,
    change: Partial<Pick<HostRecord, 'state' | 'checks' | 'rollback' | 'startedAt' | 'finishedAt'>>,
  ): void {
    const before = this.host(id);
    if (before === undefined) return;
    const host = this.editHost(id);
    if (change.state !== undefined && change.state !== before.state) {
      const counts = this.editWave(before.wave).counts;
      counts[before.state] -= 1;
      counts[change.state] += 1;
    }
    if (change.rollback !== undefined && change.rollback !== before.rollback) {
      const outstanding = (r: HostRecord['rollback']) =>
        r === 'requested' || r === 'awaiting-install' ? 1 : 0;
      this.s.outstandingRollbacks += outstanding(change.rollback) - outstanding(before.rollback);
      this.s.failedRollbacks +=
        (change.rollback === 'failed' ? 1 : 0) - (before.rollback === 'failed' ? 1 : 0);
    }
    if (change.checks !== undefined && change.checks !== before.checks) {
      if (change.checks === 'inconclusive')
        this.s.inconclusiveHosts = [...this.s.inconclusiveHosts, id];
      else if (before.checks === 'inconclusive')
        this.s.inconclusiveHosts = this.s.inconclusiveHosts.filter((h) => h !== id);
    }
    Object.assign(host, change);
  }
}

/** Apply one event. A no-op returns the same state object and no command. */
export function step(state: RolloutState, event: RolloutEvent): StepResult {
  const draft = new Draft(state);
  const commands: RolloutCommand[] = [];
  const applied = apply(draft, event, commands);
  return applied ? { state: draft.s, commands } : { state, commands: [] };
}

function apply(d: Draft, event: RolloutEvent, out: RolloutCommand[]): boolean {
  const s = d.s;
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
      advance(d, at, out);
      return !same || out.length > 0;
    }
    case 'host-result': {
      const host = d.host(event.host);
      if (host?.state !== 'running' || host.checks !== 'none') return false;
      const wave = d.wave(host.wave);
      if (wave === undefined) return false;
      if (host.rollback === 'awaiting-install') {
        // Halted while the install ran: it is undone now, whatever its outcome.
        d.setHost(host.host, {
          state: event.outcome === 'succeeded' ? 'succeeded' : 'failed',
          finishedAt: at,
          rollback: 'requested',
        });
        out.push({
          type: 'roll-back',
          hosts: [host.host],
          steps: s.rollbackSteps,
          reason: s.reason ?? 'rollback',
        });
        return true;
      }
      if (event.outcome === 'failed') {
        hostFailed(d, host.host, at, 'failure-threshold', out);
      } else if (
        wave.healthChecks.length > 0 &&
        !isTerminal(s.state) &&
        s.state !== 'rolling_back'
      ) {
        d.setHost(host.host, { checks: 'requested' });
        out.push({
          type: 'run-health-checks',
          host: host.host,
          wave: wave.name,
          checks: wave.healthChecks,
        });
      } else {
        d.setHost(host.host, { state: 'succeeded', finishedAt: at });
      }
      advance(d, at, out);
      return true;
    }
    case 'health': {
      if (event.host !== undefined) {
        const host = d.host(event.host);
        if (host?.state !== 'running' || host.checks !== 'requested' || host.rollback !== 'none')
          return false;
        if (event.verdict === 'pass') {
          d.setHost(host.host, { state: 'succeeded', checks: 'none', finishedAt: at });
        } else if (event.verdict === 'fail') {
          d.setHost(host.host, { checks: 'none' });
          hostFailed(d, host.host, at, 'health-check-failure', out);
        } else {
          d.setHost(host.host, { checks: 'inconclusive' });
          pause(d, `health checks of ${host.name} inconclusive`, out);
        }
        advance(d, at, out);
        return true;
      }
      const index = s.waves.findIndex((w) => w.name === event.wave);
      const wave = d.wave(index);
      if (wave?.checks !== 'requested' || wave.state !== 'baking') return false;
      if (event.verdict === 'pass') d.editWave(index).checks = 'passed';
      else if (event.verdict === 'fail') {
        d.editWave(index).checks = 'failed';
        waveFailed(
          d,
          index,
          at,
          `health checks of wave ${wave.name} failed`,
          'health-check-failure',
          out,
        );
      } else {
        d.editWave(index).checks = 'inconclusive';
        pause(d, `health checks of wave ${wave.name} inconclusive`, out);
      }
      advance(d, at, out);
      return true;
    }
    case 'rollback-result': {
      const host = d.host(event.host);
      if (host?.rollback !== 'requested') return false;
      if (event.outcome === 'succeeded')
        d.setHost(host.host, { state: 'rolled_back', rollback: 'none', finishedAt: at });
      else d.setHost(host.host, { rollback: 'failed', finishedAt: at });
      finishRollback(d, at, out);
      return true;
    }
    case 'host-offline': {
      const host = d.host(event.host);
      if (s.offlineHosts !== 'skip' || host?.state !== 'pending' || isTerminal(s.state))
        return false;
      d.setHost(host.host, { state: 'skipped', finishedAt: at });
      advance(d, at, out);
      return true;
    }
    case 'gate-released': {
      const wave = d.wave(s.current);
      if (
        wave?.name !== event.wave ||
        wave.state !== 'awaiting_gate' ||
        s.state !== 'awaiting_gate'
      )
        return false;
      const edited = d.editWave(s.current);
      edited.releasedBy = event.by;
      edited.state = 'pending';
      s.state = 'running';
      advance(d, at, out);
      return true;
    }
    case 'pause': {
      if (!['pending', 'running', 'baking', 'awaiting_gate'].includes(s.state)) return false;
      pause(d, event.reason ?? `paused by ${event.by}`, out);
      return true;
    }
    case 'resume': {
      if (s.state !== 'paused') return false;
      resume(d, out);
      out.push({ type: 'notify', kind: 'resumed', detail: `by ${event.by}` });
      advance(d, at, out);
      return true;
    }
    case 'abort': {
      if (isTerminal(s.state) || s.state === 'rolling_back') return false;
      s.state = 'aborted';
      s.reason = event.reason ?? `aborted by ${event.by}`;
      const wave = d.wave(s.current);
      if (wave !== undefined && !isTerminal(wave.state) && wave.state !== 'pending') {
        const edited = d.editWave(s.current);
        edited.state = 'aborted';
        edited.finishedAt = at;
      }
      for (let index = 0; index < s.waves.length; index++) {
        const w = d.wave(index);
        if (w === undefined || (w.counts.pending === 0 && w.counts.running === 0)) continue;
        for (const id of w.hosts) {
          const host = d.host(id);
          if (host?.state === 'pending') d.setHost(id, { state: 'skipped' });
          // Checks still asked for are not waited for: the host keeps what it reported.
          else if (host?.state === 'running' && host.checks !== 'none')
            d.setHost(id, { state: 'succeeded', checks: 'none', finishedAt: at });
        }
      }
      out.push({ type: 'notify', kind: 'aborted', detail: s.reason });
      return true;
    }
    case 'rollback': {
      if (s.state === 'rolling_back' || s.state === 'rolled_back') return false;
      const waves = s.waves
        .map((_, i) => i)
        .filter((i) => {
          const counts = d.wave(i)?.counts;
          return counts !== undefined && counts.running + counts.succeeded + counts.failed > 0;
        });
      if (waves.length === 0) return false;
      beginRollback(d, waves, event.reason ?? `rolled back by ${event.by}`, at, out);
      return true;
    }
  }
}

/** Hosts of wave `index` that were started and are not rolled back. */
function startedHosts(d: Draft, index: number): Readonly<HostRecord>[] {
  return (d.wave(index)?.hosts ?? [])
    .map((id) => d.host(id))
    .filter(
      (h): h is HostRecord =>
        h !== undefined &&
        (h.state === 'running' || h.state === 'succeeded' || h.state === 'failed'),
    );
}

function hostFailed(
  d: Draft,
  id: string,
  at: string,
  trigger: string,
  out: RolloutCommand[],
): void {
  d.setHost(id, { state: 'failed', finishedAt: at });
  const index = d.host(id)?.wave ?? -1;
  const wave = d.wave(index);
  if (wave === undefined) return;
  const failed = wave.counts.failed;
  if (failed - wave.acceptedFailures <= wave.failureThreshold) return;
  if (!['running', 'baking', 'paused', 'awaiting_gate'].includes(d.s.state)) return;
  waveFailed(
    d,
    index,
    at,
    `${failed} failed in wave ${wave.name}, budget ${wave.failureThreshold}`,
    trigger,
    out,
  );
}

/** The wave's budget is exceeded (or its checks failed): its onFailure decides. */
function waveFailed(
  d: Draft,
  index: number,
  at: string,
  reason: string,
  trigger: string,
  out: RolloutCommand[],
): void {
  const s = d.s;
  const wave = d.wave(index);
  if (wave === undefined) return;
  const failed = wave.counts.failed;
  if (wave.onFailure === 'continue') {
    const accepted = Math.max(wave.acceptedFailures, failed - wave.failureThreshold);
    if (accepted !== wave.acceptedFailures) d.editWave(index).acceptedFailures = accepted;
    out.push({ type: 'notify', kind: 'budget-exceeded', wave: wave.name, detail: reason });
    return;
  }
  if (wave.onFailure === 'pause') {
    if (s.state !== 'paused') pause(d, reason, out);
    else s.reason = reason;
    return;
  }
  if (!s.rollbackTriggers.includes(trigger)) {
    // The rollback plan does not undo on this trigger: stop and wait for a person.
    s.state = 'halted';
    s.reason = `${reason}; the rollback plan does not roll back on ${trigger}`;
    d.editWave(index).state = 'halted';
    out.push({ type: 'notify', kind: 'halted', wave: wave.name, detail: s.reason });
    return;
  }
  out.push({ type: 'notify', kind: 'halted', wave: wave.name, detail: reason });
  beginRollback(d, [index], reason, at, out);
}

function beginRollback(
  d: Draft,
  waves: number[],
  reason: string,
  at: string,
  out: RolloutCommand[],
): void {
  const s = d.s;
  s.state = 'rolling_back';
  s.reason = reason;
  s.resumeTo = null;
  const now: string[] = [];
  for (const index of waves) {
    if (d.wave(index) === undefined) continue;
    d.editWave(index).state = 'rolling_back';
    for (const host of startedHosts(d, index)) {
      if (host.state === 'running' && host.checks === 'none')
        d.setHost(host.host, { rollback: 'awaiting-install' });
      else {
        if (host.state === 'running')
          // Installed, checks outstanding: their verdict no longer matters.
          d.setHost(host.host, { state: 'succeeded', checks: 'none', finishedAt: at });
        d.setHost(host.host, { rollback: 'requested' });
        now.push(host.host);
      }
    }
  }
  for (let index = 0; index < s.waves.length; index++) {
    const wave = d.wave(index);
    if (wave === undefined || wave.counts.pending === 0) continue;
    for (const id of wave.hosts)
      if (d.host(id)?.state === 'pending') d.setHost(id, { state: 'skipped' });
    // Nothing in the wave can start now.
    d.editWave(index).cursor = wave.hosts.length;
  }
  out.push({ type: 'notify', kind: 'rolling-back', detail: reason });
  if (now.length > 0) out.push({ type: 'roll-back', hosts: now, steps: s.rollbackSteps, reason });
  finishRollback(d, at, out);
}

/** When no roll-back is outstanding: rolled back, or halted if any host could not be. */
function finishRollback(d: Draft, at: string, out: RolloutCommand[]): void {
  const s = d.s;
  if (s.state !== 'rolling_back' || s.outstandingRollbacks > 0) return;
  // Reached once per rollback: scanning the hosts here is not a per-event cost.
  const failed = s.failedRollbacks > 0 ? hostsOf(s).filter((h) => h.rollback === 'failed') : [];
  for (let index = 0; index < s.waves.length; index++) {
    const wave = d.wave(index);
    if (wave?.state !== 'rolling_back') continue;
    const edited = d.editWave(index);
    edited.state = wave.hosts.some((id) => d.host(id)?.rollback === 'failed')
      ? 'halted'
      : 'rolled_back';
    edited.finishedAt = at;
  }
  s.state = failed.length > 0 ? 'halted' : 'rolled_back';
  if (failed.length > 0) {
    s.reason = `roll-back failed on ${failed.map((h) => h.name).join(', ')}`;
    out.push({ type: 'notify', kind: 'rollback-failed', detail: s.reason });
  } else out.push({ type: 'notify', kind: 'rolled-back', detail: s.reason ?? undefined });
}

function pause(d: Draft, reason: string, out: RolloutCommand[]): void {
  const s = d.s;
  if (s.state === 'paused') {
    s.reason = reason;
    return;
  }
  s.resumeTo = s.state;
  s.state = 'paused';
  s.reason = reason;
  const wave = d.wave(s.current);
  if (wave !== undefined && ['running', 'baking', 'awaiting_gate'].includes(wave.state)) {
    const edited = d.editWave(s.current);
    edited.resumeTo = wave.state;
    edited.state = 'paused';
  }
  out.push({ type: 'notify', kind: 'paused', wave: wave?.name, detail: reason });
}

function resume(d: Draft, out: RolloutCommand[]): void {
  const s = d.s;
  s.state = s.resumeTo ?? 'running';
  s.resumeTo = null;
  s.reason = null;
  const current = d.wave(s.current);
  if (current?.state === 'paused') {
    const edited = d.editWave(s.current);
    edited.state = current.resumeTo ?? 'running';
    edited.resumeTo = null;
  }
  for (let index = 0; index < s.waves.length; index++) {
    const w = d.wave(index);
    if (w === undefined) continue;
    // Resuming accepts the failures that paused the wave; one more pauses it again.
    const accepted = Math.max(w.acceptedFailures, w.counts.failed - w.failureThreshold);
    if (accepted !== w.acceptedFailures) d.editWave(index).acceptedFailures = accepted;
    if (w.checks === 'inconclusive') {
      d.editWave(index).checks = 'requested';
      out.push({ type: 'run-health-checks', wave: w.name, checks: w.healthChecks });
    }
  }
  // In wave order, as they were started.
  const inconclusive = [...s.inconclusiveHosts].sort(
    (a, b) => (s.hostIndex[a] ?? 0) - (s.hostIndex[b] ?? 0),
  );
  for (const id of inconclusive) {
    const host = d.host(id);
    if (host === undefined) continue;
    d.setHost(id, { checks: 'requested' });
    const w = d.wave(host.wave);
    out.push({
      type: 'run-health-checks',
      host: id,
      wave: w?.name ?? '',
      checks: w?.healthChecks ?? [],
    });
  }
}

/** Move the rollout as far as the facts allow: start hosts, finish waves, bake, open gates. */
function advance(d: Draft, at: string, out: RolloutCommand[]): void {
  const s = d.s;
  for (;;) {
    if (!['running', 'baking', 'awaiting_gate'].includes(s.state)) return;
    const index = s.current;
    const wave = d.wave(index);
    if (wave === undefined) {
      s.state = 'completed';
      s.reason = null;
      out.push({ type: 'notify', kind: 'completed' });
      return;
    }
    if (wave.state === 'pending') {
      if (wave.gate === 'manual' && wave.releasedBy === null) {
        d.editWave(index).state = 'awaiting_gate';
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
      const edited = d.editWave(index);
      edited.state = 'running';
      edited.startedAt = at;
      out.push({ type: 'notify', kind: 'wave-started', wave: wave.name });
      continue;
    }
    if (wave.state === 'awaiting_gate') {
      s.state = 'awaiting_gate';
      return;
    }
    if (wave.state === 'running') {
      s.state = 'running';
      let running = wave.counts.running;
      const mayStart = s.window.insideWindow && s.window.acceptsNewWork;
      let cursor = wave.cursor;
      while (mayStart && running < wave.concurrency && cursor < wave.hosts.length) {
        const id = wave.hosts[cursor] ?? '';
        cursor += 1;
        if (d.host(id)?.state !== 'pending') continue;
        d.setHost(id, { state: 'running', startedAt: at });
        running += 1;
        out.push({ type: 'install', host: id, wave: wave.name });
      }
      if (cursor !== wave.cursor) d.editWave(index).cursor = cursor;
      const counts = d.wave(index)?.counts ?? wave.counts;
      if (counts.pending > 0 || counts.running > 0) return;
      const edited = d.editWave(index);
      edited.state = 'baking';
      // An empty wave has nothing to watch or check.
      edited.bakeUntil = addMinutes(at, wave.hosts.length > 0 ? wave.bakeMinutes : 0);
      if (wave.hosts.length === 0) edited.checks = 'passed';
      continue;
    }
    if (wave.state === 'baking') {
      s.state = 'baking';
      if (wave.bakeUntil !== null && Date.parse(at) < Date.parse(wave.bakeUntil)) return;
      if (wave.healthChecks.length > 0 && wave.checks === 'none') {
        d.editWave(index).checks = 'requested';
        out.push({ type: 'run-health-checks', wave: wave.name, checks: wave.healthChecks });
        return;
      }
      if (wave.checks === 'requested' || wave.checks === 'inconclusive') return;
      const edited = d.editWave(index);
      edited.state = 'completed';
      edited.finishedAt = at;
      out.push({ type: 'notify', kind: 'wave-completed', wave: wave.name });
      s.current += 1;
      continue;
    }
    return;
  }
}
