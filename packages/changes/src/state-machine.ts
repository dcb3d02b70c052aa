/**
 * The change request's life as an explicit state machine (ITIL 4 change enablement; see
 * readme.md for the diagram and ADR 0026 for why it is data).
 *
 * `transition(from, action, facts)` is the only judge: the server asks it before every state
 * change and answers a refusal with 409 and the returned reason; UIs ask `allowedActions` which
 * buttons to show. Guards look only at `TransitionFacts`, which the caller computes from its
 * records (no clock here: "has the window started" is a fact the caller decides with its clock).
 *
 * Happy path: draft → submitted (assess) → authorise → scheduled → implementing → review → closed.
 * Ends: rejected (may be reopened as a draft), cancelled, closed. Implementing may end in failed or
 * rolled_back, both of which go to review. A material edit after an approval (scope, patches,
 * plans, schedule) is the `withdraw-approvals` action: back to authorise.
 */
import type { ChangeState, ChangeType } from './vocabulary.ts';

/**
 * Every action (in the order UIs list them); `transitionTable` gives each one the one state it
 * leads to and the states it may start from.
 *
 * - submit: the requester hands the draft in for assessment.
 * - assess: the change manager (or the server for standard changes) has assessed risk and plans;
 *   the change now awaits authorisation.
 * - approve: the decision that completed the approvals arrived while a schedule is set.
 * - schedule: a schedule was set on a change whose approvals are complete.
 * - withdraw-approvals: a material edit after an approval was given; approvals are void and the
 *   change awaits authorisation again.
 * - revise: the change is sent back to draft for edits (by its requester or the change manager).
 * - reject: an approver (or the change manager during assessment) refused it; a reason is needed.
 * - reopen: a rejected change becomes a draft again, to be revised and resubmitted.
 * - cancel: nobody wants it any more; not once implementation has started (fail or roll back).
 * - start: implementation begins (the window has opened).
 * - complete: implementation finished as planned; the change goes to review.
 * - fail: implementation failed and was not (yet) rolled back.
 * - roll-back: the rollback plan was executed (during implementation or after a failure).
 * - review: a failed or rolled-back change goes to its post-implementation review.
 * - close: the review is done; the change is closed.
 */
export const changeActions = [
  'submit',
  'assess',
  'approve',
  'schedule',
  'withdraw-approvals',
  'revise',
  'reject',
  'reopen',
  'cancel',
  'start',
  'complete',
  'fail',
  'roll-back',
  'review',
  'close',
] as const;
export type ChangeAction = (typeof changeActions)[number];

export const transitionTable = {
  submit: { from: ['draft'], to: 'submitted' },
  assess: { from: ['submitted'], to: 'authorise' },
  approve: { from: ['authorise'], to: 'scheduled' },
  schedule: { from: ['authorise'], to: 'scheduled' },
  'withdraw-approvals': { from: ['authorise', 'scheduled'], to: 'authorise' },
  revise: { from: ['submitted', 'authorise'], to: 'draft' },
  reject: { from: ['submitted', 'authorise'], to: 'rejected' },
  reopen: { from: ['rejected'], to: 'draft' },
  cancel: { from: ['draft', 'submitted', 'authorise', 'scheduled'], to: 'cancelled' },
  start: { from: ['scheduled'], to: 'implementing' },
  complete: { from: ['implementing'], to: 'review' },
  fail: { from: ['implementing'], to: 'failed' },
  'roll-back': { from: ['implementing', 'failed'], to: 'rolled_back' },
  review: { from: ['failed', 'rolled_back'], to: 'review' },
  close: { from: ['review'], to: 'closed' },
} as const satisfies Record<ChangeAction, { from: readonly ChangeState[]; to: ChangeState }>;

export const isChangeAction = (value: unknown): value is ChangeAction =>
  typeof value === 'string' && (changeActions as readonly string[]).includes(value);

/** States no action leaves. */
export const terminalStates = ['closed', 'cancelled'] as const satisfies readonly ChangeState[];

/** What the guards need to know, computed by the caller from its records at the moment of asking. */
export interface TransitionFacts {
  /** The change's type; emergency changes must be reviewed before they close. */
  readonly type: ChangeType;
  /** At least one asset is in scope. */
  readonly hasScope: boolean;
  /** `validatePlans(plans, type).ok`. */
  readonly plansValid: boolean;
  /** A rollback plan with at least one step is present (required for normal and emergency). */
  readonly rollbackPlanPresent: boolean;
  /** Risk has been assessed (computed, or overridden with a reason). */
  readonly riskAssessed: boolean;
  /** Standard changes only: the template's criteria hold (`checkTemplateCriteria(...).ok`). */
  readonly templateCriteriaMet: boolean;
  /** Every approval stage the policy requires has reached its quorum for the current plan version. */
  readonly approvalsComplete: boolean;
  /** A planned start and end are set. */
  readonly scheduleSet: boolean;
  /** The scheduled start has been reached (the caller's clock decides). */
  readonly windowOpen: boolean;
  /** The post-implementation review form has been filled. */
  readonly reviewPresent: boolean;
  /** The change went through failed or rolled_back; its review is then mandatory. */
  readonly implementationFailed: boolean;
  /** The actor gave a reason (required to reject, revise, reopen, cancel and roll back). */
  readonly reasonGiven: boolean;
}

export type TransitionResult =
  { readonly ok: true; readonly to: ChangeState } | { readonly ok: false; readonly reason: string };

const needsReason: ReadonlySet<ChangeAction> = new Set([
  'reject',
  'revise',
  'reopen',
  'cancel',
  'roll-back',
]);

/** The first guard that fails, or undefined when the action may proceed. */
function refusal(action: ChangeAction, f: TransitionFacts): string | undefined {
  if (needsReason.has(action) && !f.reasonGiven) return `a reason is required to ${action}`;
  switch (action) {
    case 'submit':
      return f.hasScope ? undefined : 'the change has no assets in scope';
    case 'assess':
      if (!f.hasScope) return 'the change has no assets in scope';
      if (f.type !== 'standard' && !f.rollbackPlanPresent)
        return `${f.type === 'emergency' ? 'an' : 'a'} ${f.type} change needs a rollback plan (rollbackPlan: its triggers and steps, e.g. a downgrade to the exact prior versions; give it with the plans)`;
      if (!f.plansValid) return 'the plans are not valid';
      if (!f.riskAssessed) return 'risk has not been assessed';
      if (f.type === 'standard' && !f.templateCriteriaMet)
        return "the standard template's criteria are not met; submit it as a normal change";
      return undefined;
    case 'approve':
    case 'schedule':
      if (!f.approvalsComplete) return 'approvals are not complete';
      if (!f.scheduleSet) return 'no schedule is set';
      return undefined;
    case 'start':
      if (!f.approvalsComplete) return 'approvals are not complete';
      if (!f.scheduleSet) return 'no schedule is set';
      if (!f.windowOpen) return 'the scheduled start has not been reached';
      return undefined;
    case 'close':
      if (!f.reviewPresent && f.type === 'emergency')
        return 'an emergency change cannot close without its post-implementation review';
      if (!f.reviewPresent && f.implementationFailed)
        return 'a failed or rolled-back change cannot close without its post-implementation review';
      return undefined;
    default:
      return undefined;
  }
}

export function transition(
  from: ChangeState,
  action: ChangeAction,
  facts: TransitionFacts,
): TransitionResult {
  // Callers validate actions at their edge; an unknown one (from untyped input) is still refused.
  if (!isChangeAction(action)) return { ok: false, reason: `unknown action ${String(action)}` };
  const rule = transitionTable[action] as { from: readonly ChangeState[]; to: ChangeState };
  if (!rule.from.includes(from)) {
    return {
      ok: false,
      reason: `cannot ${action} a change in state ${from} (only from ${rule.from.join(', ')})`,
    };
  }
  const reason = refusal(action, facts);
  return reason === undefined ? { ok: true, to: rule.to } : { ok: false, reason };
}

/** The actions `transition` would accept now, in `changeActions` order (for UIs and the CLI). */
export function allowedActions(state: ChangeState, facts: TransitionFacts): ChangeAction[] {
  return changeActions.filter((action) => transition(state, action, facts).ok);
}
