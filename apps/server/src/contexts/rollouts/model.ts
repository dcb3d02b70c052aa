/** The rollouts context's vocabulary: options, host task keys and the actors of events. */
import { terminalPhases } from '@patchgate/rollout';

/** Chosen when a rollout starts (the plans have no field for them). */
export interface RolloutRunOptions {
  /** Hosts offline (or without an agent) before they start: skip them, or wait for them. */
  readonly offlineHosts: 'skip' | 'wait';
  /** Reboot a host when its install leaves /run/reboot-required. */
  readonly reboot: 'never' | 'if-required';
}

export const defaultRunOptions: RolloutRunOptions = { offlineHosts: 'wait', reboot: 'never' };

export const hostTaskKinds = ['install', 'health-check', 'rollback'] as const;
export type HostTaskKind = (typeof hostTaskKinds)[number];

/** `waiting-agent`: the host has no agent yet (retried every tick); `cancelled`: not needed. */
export const hostTaskStates = ['waiting-agent', 'queued', 'finished', 'cancelled'] as const;
export type HostTaskState = (typeof hostTaskStates)[number];

/**
 * The host task's key, also the agent task's idempotency key: deterministic, so a transaction
 * re-run after a crash or a conflict asks for the very same task (`enqueueTask` returns it).
 */
export function hostTaskKey(
  rolloutId: string,
  assetId: string,
  kind: HostTaskKind,
  attempt: number,
  wave?: string,
): string {
  return wave === undefined
    ? `${rolloutId}:${assetId}:${kind}:${attempt}`
    : `${rolloutId}:${assetId}:${kind}:${wave}:${attempt}`;
}

/** Phases the driver ticks (terminal ones wait for a person's rollback, not for time). */
export function isActivePhase(phase: string): boolean {
  return !(terminalPhases as readonly string[]).includes(phase) && phase !== 'halted';
}

export const isTerminalPhase = (phase: string): boolean =>
  (terminalPhases as readonly string[]).includes(phase);

/** How long the agent may take to start a task before it expires (and counts as failed). */
export const taskLifetimeMs = {
  install: 6 * 3600_000,
  'health-check': 3600_000,
  rollback: 6 * 3600_000,
} as const satisfies Record<HostTaskKind, number>;
