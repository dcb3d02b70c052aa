/** Autopilot rules and the planning of one run (see readme.md). */
export type {
  AutopilotCandidate,
  AutopilotPlan,
  CandidateWindow,
  FindingCandidate,
  HeldBackItem,
  PlannedChange,
  PlannedItem,
  SkippedItem,
  UpdateCandidate,
} from './plan.ts';
export { assetGroupOf, planAutopilotRun, selects } from './plan.ts';
export type {
  AutopilotPriority,
  AutopilotRule,
  AutopilotRuleInput,
  AutopilotSchedule,
  AutopilotStage,
  UpdateOrigin,
} from './rule.ts';
export {
  AutopilotRuleDefinition,
  AutopilotSelection,
  AutopilotSelector,
  autopilotChangeTypes,
  autopilotPriorities,
  autopilotSchedules,
  autopilotStages,
  FindingSelection,
  isRuleDue,
  UpdateSelection,
  updateOrigins,
} from './rule.ts';
