import { describe, expect, it } from 'vitest';
import type { ChangeAction, TransitionFacts } from './state-machine.ts';
import { allowedActions, changeActions, isChangeAction, transition } from './state-machine.ts';
import type { ChangeState } from './vocabulary.ts';
import { changeStates } from './vocabulary.ts';

/** Every guard satisfied: only the state decides. */
const all: TransitionFacts = {
  type: 'normal',
  hasScope: true,
  plansValid: true,
  rollbackPlanPresent: true,
  riskAssessed: true,
  templateCriteriaMet: true,
  approvalsComplete: true,
  scheduleSet: true,
  windowOpen: true,
  reviewPresent: true,
  implementationFailed: false,
  reasonGiven: true,
};

/** Written out by hand (not derived from the table) so that a changed table fails here. */
const allowed: Record<ChangeState, Partial<Record<ChangeAction, ChangeState>>> = {
  draft: { submit: 'submitted', cancel: 'cancelled' },
  submitted: {
    assess: 'authorise',
    revise: 'draft',
    reject: 'rejected',
    cancel: 'cancelled',
  },
  authorise: {
    approve: 'scheduled',
    schedule: 'scheduled',
    'withdraw-approvals': 'authorise',
    revise: 'draft',
    reject: 'rejected',
    cancel: 'cancelled',
  },
  scheduled: { 'withdraw-approvals': 'authorise', cancel: 'cancelled', start: 'implementing' },
  implementing: { complete: 'review', fail: 'failed', 'roll-back': 'rolled_back' },
  review: { close: 'closed' },
  closed: {},
  rejected: { reopen: 'draft' },
  cancelled: {},
  failed: { 'roll-back': 'rolled_back', review: 'review' },
  rolled_back: { review: 'review' },
};

const fromStates: Record<ChangeAction, string> = {
  submit: 'draft',
  assess: 'submitted',
  approve: 'authorise',
  schedule: 'authorise',
  'withdraw-approvals': 'authorise, scheduled',
  revise: 'submitted, authorise',
  reject: 'submitted, authorise',
  reopen: 'rejected',
  cancel: 'draft, submitted, authorise, scheduled',
  start: 'scheduled',
  complete: 'implementing',
  fail: 'implementing',
  'roll-back': 'implementing, failed',
  review: 'failed, rolled_back',
  close: 'review',
};

const pairs = changeStates.flatMap((state) =>
  changeActions.map((action) => [state, action] as const),
);

describe('change state machine', () => {
  it('has the documented actions', () => {
    expect(changeActions).toEqual([
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
    ]);
    expect(pairs).toHaveLength(11 * 15);
    expect(isChangeAction('roll-back')).toBe(true);
    expect(isChangeAction('rollback')).toBe(false);
    expect(isChangeAction('toString')).toBe(false);
  });

  it.each(pairs)('%s + %s', (state, action) => {
    const to = allowed[state][action];
    expect(transition(state, action, all)).toEqual(
      to === undefined
        ? {
            ok: false,
            reason: `cannot ${action} a change in state ${state} (only from ${fromStates[action]})`,
          }
        : { ok: true, to },
    );
  });

  it.each(changeStates)('allowedActions(%s) with every guard satisfied', (state) => {
    expect(allowedActions(state, all)).toEqual(Object.keys(allowed[state]));
  });

  it.each<[ChangeState, ChangeAction, Partial<TransitionFacts>, string]>([
    ['draft', 'submit', { hasScope: false }, 'the change has no assets in scope'],
    ['draft', 'cancel', { reasonGiven: false }, 'a reason is required to cancel'],
    ['submitted', 'assess', { hasScope: false }, 'the change has no assets in scope'],
    [
      'submitted',
      'assess',
      { rollbackPlanPresent: false },
      'a normal change needs a rollback plan (rollbackPlan: its triggers and steps, e.g. a downgrade to the exact prior versions; give it with the plans)',
    ],
    [
      'submitted',
      'assess',
      { type: 'emergency', rollbackPlanPresent: false },
      'an emergency change needs a rollback plan (rollbackPlan: its triggers and steps, e.g. a downgrade to the exact prior versions; give it with the plans)',
    ],
    ['submitted', 'assess', { plansValid: false }, 'the plans are not valid'],
    ['submitted', 'assess', { riskAssessed: false }, 'risk has not been assessed'],
    [
      'submitted',
      'assess',
      { type: 'standard', templateCriteriaMet: false },
      "the standard template's criteria are not met; submit it as a normal change",
    ],
    ['submitted', 'reject', { reasonGiven: false }, 'a reason is required to reject'],
    ['submitted', 'revise', { reasonGiven: false }, 'a reason is required to revise'],
    ['authorise', 'approve', { approvalsComplete: false }, 'approvals are not complete'],
    ['authorise', 'approve', { scheduleSet: false }, 'no schedule is set'],
    ['authorise', 'schedule', { approvalsComplete: false }, 'approvals are not complete'],
    ['authorise', 'schedule', { scheduleSet: false }, 'no schedule is set'],
    ['scheduled', 'start', { approvalsComplete: false }, 'approvals are not complete'],
    ['scheduled', 'start', { scheduleSet: false }, 'no schedule is set'],
    ['scheduled', 'start', { windowOpen: false }, 'the scheduled start has not been reached'],
    ['implementing', 'roll-back', { reasonGiven: false }, 'a reason is required to roll-back'],
    ['rejected', 'reopen', { reasonGiven: false }, 'a reason is required to reopen'],
    [
      'review',
      'close',
      { type: 'emergency', reviewPresent: false },
      'an emergency change cannot close without its post-implementation review',
    ],
    [
      'review',
      'close',
      { implementationFailed: true, reviewPresent: false },
      'a failed or rolled-back change cannot close without its post-implementation review',
    ],
  ])('%s + %s refused when %j', (state, action, facts, reason) => {
    expect(transition(state, action, { ...all, ...facts })).toEqual({ ok: false, reason });
  });

  it.each<[ChangeState, ChangeAction, Partial<TransitionFacts>, ChangeState]>([
    // A standard change needs no rollback plan; its template decides.
    ['submitted', 'assess', { type: 'standard', rollbackPlanPresent: false }, 'authorise'],
    // A normal change that completed may close without a review form.
    ['review', 'close', { reviewPresent: false }, 'closed'],
    // Facts a guard does not read do not matter.
    ['implementing', 'complete', { reasonGiven: false, windowOpen: false }, 'review'],
    ['scheduled', 'withdraw-approvals', { approvalsComplete: false }, 'authorise'],
  ])('%s + %s allowed when %j', (state, action, facts, to) => {
    expect(transition(state, action, { ...all, ...facts })).toEqual({ ok: true, to });
  });

  it('refuses an action it does not know', () => {
    expect(transition('draft', 'toString' as ChangeAction, all)).toEqual({
      ok: false,
      reason: 'unknown action toString',
    });
  });

  it('offers only what the facts allow', () => {
    expect(allowedActions('authorise', { ...all, approvalsComplete: false })).toEqual([
      'withdraw-approvals',
      'revise',
      'reject',
      'cancel',
    ]);
    expect(allowedActions('scheduled', { ...all, windowOpen: false, reasonGiven: false })).toEqual([
      'withdraw-approvals',
    ]);
  });
});
