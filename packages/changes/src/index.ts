/** @patchgate/changes: change requests as data (see readme.md). */
export type { ChangeState, ChangeType, RiskLevel } from './vocabulary.ts';
export {
  changeStates,
  changeTypes,
  isChangeState,
  isChangeType,
  isRiskLevel,
  riskLevels,
} from './vocabulary.ts';
export type { ChangeAction, TransitionFacts, TransitionResult } from './state-machine.ts';
export {
  allowedActions,
  changeActions,
  isChangeAction,
  terminalStates,
  transition,
  transitionTable,
} from './state-machine.ts';
