/** Approval policies and their evaluation, with separation of duties (readme.md, ADR 0029). */
export type {
  ApprovalDecision,
  ApprovalDecisionKind,
  ApprovalInput,
  ApprovalStatus,
  ApprovalSubject,
  ApproverCheck,
  ApproverGroup,
  ApproverRequest,
  CriteriaResult,
  Delegation,
  StageDecision,
  StageStatus,
} from './evaluate.ts';
export {
  autoApprovalApplies,
  checkApprover,
  evaluateApproval,
  systemApproverId,
} from './evaluate.ts';
export type { ApprovalRuleInput, PolicyFacts } from './policy.ts';
export {
  ApprovalMatch,
  ApprovalPolicyRules,
  ApprovalQuorum,
  ApprovalRule,
  ApprovalStage,
  ApproverGroupName,
  defaultApprovalRules,
  defaultApproverGroups,
  defaultFreezeOverrideStage,
  freezeOverrideStage,
  matchRule,
  policyGroupNames,
  ruleMatches,
  ruleStages,
} from './policy.ts';
