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
export type {
  ChangePlansInput,
  DefaultDeploymentPlan,
  ParsePlansResult,
  PlanValidation,
  ResolvedWave,
  RolloutEstimate,
} from './plans.ts';
export {
  amountOf,
  Attachment,
  BackupPlan,
  ChangePlans,
  CommunicationMessage,
  CommunicationPlan,
  communicationAudiences,
  CountOrPercent,
  DeploymentPlan,
  DEFAULT_MINUTES_PER_ASSET,
  defaultDeploymentPlan,
  estimateRollout,
  formatIssues,
  formatPath,
  HealthCheck,
  MAX_PLANS_DOCUMENT_CHARS,
  PlanAssetSelector,
  parsePlansDocument,
  plansApiVersion,
  resolveWaves,
  Ring,
  Roles,
  RollbackPlan,
  RollbackStep,
  rollbackTriggers,
  TestEvidence,
  TestPlan,
  validatePlans,
  Wave,
} from './plans.ts';
export type {
  FindingPriority,
  RestartKind,
  RiskAssessment,
  RiskFactor,
  RiskFactorId,
  RiskInputs,
} from './risk.ts';
export {
  assessRisk,
  findingPriorities,
  overrideRisk,
  restartKinds,
  riskFactorIds,
  riskLevelFor,
  riskThresholds,
} from './risk.ts';
export type {
  AvailableUpdate,
  DerivedPatches,
  DerivePatchesOptions,
  Patch,
  PatchFinding,
  UnpatchableFinding,
} from './patches.ts';
export { derivePatches } from './patches.ts';
export type { TemplateCheck, TemplateFacts } from './templates.ts';
export {
  checkTemplateCriteria,
  firstWaveIsNonProduction,
  globMatches,
  securityUpdatesTemplate,
  StandardTemplate,
  TemplateCriteria,
} from './templates.ts';
export { FollowUpAction, PostImplementationReview } from './review.ts';
export type { ChangeContent, MaterialField } from './edits.ts';
export { materialChanges, materialFields } from './edits.ts';
export * from './approval/index.ts';
export * from './autopilot/index.ts';
