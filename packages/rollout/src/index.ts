/** @patchgate/rollout: the rollout engine as a pure state machine (see readme.md). */
export type {
  HostRecord,
  HostState,
  NotifyKind,
  RolloutCommand,
  RolloutEvent,
  RolloutOptions,
  RolloutPhase,
  RolloutState,
  StepResult,
  WaveRecord,
} from './engine.ts';
export {
  defaultRollbackSteps,
  disruptedHosts,
  hostOf,
  hostsOf,
  hostStates,
  notifyKinds,
  rolloutPhases,
  startRollout,
  step,
  terminalPhases,
} from './engine.ts';
