/**
 * What the rollout screens read from a rollout: its phases (the engine's, from the OpenAPI
 * document's types), which actions a phase allows, and the hosts done per wave. Pure.
 */
import type { paths } from '../../api/client.ts';

export type RolloutDetail =
  paths['/api/v1/rollouts/{id}']['get']['responses']['200']['content']['application/json'];
export type RolloutWave = RolloutDetail['waves'][number];
export type RolloutHost = RolloutWave['hosts'][number];
export type HostTask = RolloutHost['tasks'][number];
export type RolloutPhase = RolloutDetail['phase'];

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
] as const satisfies readonly RolloutPhase[];

export const terminalPhases: readonly RolloutPhase[] = ['completed', 'rolled_back', 'aborted'];

/** Whether the server still streams the rollout's progress (it ends the stream when halted too). */
export const isLive = (phase: RolloutPhase): boolean =>
  !terminalPhases.includes(phase) && phase !== 'halted';

export type RolloutAction = 'pause' | 'resume' | 'abort' | 'rollback' | 'release';

/**
 * The actions worth offering in a phase (the engine decides; a refused one is a 409 shown to
 * the person): pause while it moves, resume when paused or halted, abort until it ends, roll
 * back what ran, release a wave that waits at its manual gate.
 */
export function actionsFor(phase: RolloutPhase): RolloutAction[] {
  const actions: RolloutAction[] = [];
  if (['pending', 'running', 'baking', 'awaiting_gate'].includes(phase)) actions.push('pause');
  if (phase === 'paused' || phase === 'halted') actions.push('resume');
  if (phase === 'awaiting_gate') actions.push('release');
  if (!terminalPhases.includes(phase) && phase !== 'rolling_back') actions.push('abort');
  if (phase !== 'pending' && phase !== 'rolling_back' && phase !== 'rolled_back')
    actions.push('rollback');
  return actions;
}

const doneStates = new Set(['succeeded', 'failed', 'rolled_back', 'skipped']);

export interface WaveProgress {
  readonly done: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
}

export function waveProgress(wave: RolloutWave): WaveProgress {
  return {
    done: wave.hosts.filter((h) => doneStates.has(h.state)).length,
    total: wave.hosts.length,
    succeeded: wave.hosts.filter((h) => h.state === 'succeeded').length,
    failed: wave.hosts.filter((h) => h.state === 'failed' || h.state === 'rolled_back').length,
  };
}

export function rolloutProgress(detail: RolloutDetail): WaveProgress {
  return detail.waves.map(waveProgress).reduce(
    (sum, p) => ({
      done: sum.done + p.done,
      total: sum.total + p.total,
      succeeded: sum.succeeded + p.succeeded,
      failed: sum.failed + p.failed,
    }),
    { done: 0, total: 0, succeeded: 0, failed: 0 },
  );
}

/** `pg-demo-service 1.0` for a list of package versions ('—' when none). */
export function versionsText(
  packages: readonly { readonly name: string; readonly version: string | null }[],
): string {
  if (packages.length === 0) return '—';
  return packages.map((p) => `${p.name} ${p.version ?? '(not installed)'}`).join(', ');
}

/** A log line the event stream sent (`task-log`). */
export interface TaskLogLine {
  readonly taskKey: string;
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly step?: string;
  readonly stream?: string;
  readonly line?: string;
}
