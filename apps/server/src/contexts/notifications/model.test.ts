import { describe, expect, it } from 'vitest';
import type { ChangeEventInput } from './model.ts';
import { isUrgent, notificationEventsOf } from './model.ts';
import { testChange } from './test-support.ts';

const state = (from: string | null, to: string, action = 'x'): ChangeEventInput => ({
  name: 'change.state-changed',
  data: { changeId: 'c', from, to, action, actorId: null },
});
const decided = (stage: number, decision: 'approved' | 'rejected'): ChangeEventInput => ({
  name: 'change.approval-decided',
  data: { changeId: 'c', stage, decision, approverId: 'u' },
});

const rollout = (kind: string, wave?: string): ChangeEventInput => ({
  name: 'rollout.progressed',
  data: { rolloutId: 'r', changeId: 'c', kind, ...(wave !== undefined && { wave }) },
});

describe('rollout events → notification events', () => {
  it.each([
    [rollout('started'), ['rollout.started']],
    [rollout('wave-started', 'canary'), []],
    [rollout('wave-completed', 'canary'), ['rollout.wave-completed']],
    [rollout('awaiting-gate', 'canary'), ['rollout.paused']],
    [rollout('paused'), ['rollout.paused']],
    [rollout('halted', 'canary'), ['rollout.halted']],
    [rollout('budget-exceeded', 'canary'), ['rollout.halted']],
    [rollout('rolling-back'), []],
    [rollout('rolled-back'), ['rollout.rolled-back']],
    [rollout('rollback-failed'), ['rollout.halted']],
    [rollout('aborted'), ['rollout.halted']],
    [rollout('resumed'), []],
    [rollout('completed'), ['rollout.completed']],
    [rollout('constructor'), []],
    [rollout('toString'), []],
  ] as [ChangeEventInput, string[]][])('%j → %j', (event, expected) => {
    expect(notificationEventsOf(event)).toEqual(expected);
  });

  it('sends halts, pauses for a decision and rollbacks through quiet hours', () => {
    expect(
      (
        [
          'rollout.started',
          'rollout.wave-completed',
          'rollout.paused',
          'rollout.halted',
          'rollout.completed',
          'rollout.rolled-back',
        ] as const
      ).map((e) => isUrgent(e, testChange())),
    ).toEqual([false, false, true, true, false, true]);
  });
});

describe('change events → notification events', () => {
  it.each([
    [state(null, 'draft'), []],
    [state('draft', 'submitted'), ['submitted']],
    [state('submitted', 'authorise'), []],
    [state('authorise', 'rejected', 'reject'), ['rejected']],
    [state('submitted', 'rejected', 'reject'), ['rejected']],
    [state('authorise', 'scheduled', 'approve'), ['approved', 'scheduled']],
    [state('authorise', 'scheduled', 'schedule'), ['approved', 'scheduled']],
    [state('scheduled', 'authorise', 'withdraw-approvals'), []],
    [state('scheduled', 'implementing'), ['starting']],
    [state('implementing', 'review'), ['completed', 'review-due']],
    [state('implementing', 'failed'), ['failed']],
    [state('failed', 'rolled_back'), ['rolled-back']],
    [state('rolled_back', 'review'), ['review-due']],
    [state('review', 'closed'), []],
    [state('scheduled', 'cancelled'), []],
    [
      {
        name: 'change.approval-requested',
        data: { changeId: 'c', stage: 1, approverGroupIds: ['g'] },
      } satisfies ChangeEventInput,
      ['approval-needed'],
    ],
    [decided(1, 'approved'), ['approval-progress']],
    [decided(3, 'approved'), ['approval-progress']],
    [decided(1, 'rejected'), []],
  ] as [ChangeEventInput, string[]][])('%j → %j', (event, expected) => {
    expect(notificationEventsOf(event)).toEqual(expected);
  });

  it('says "approved" once for a three-stage approval, after the last stage; a rejection at once', () => {
    const approval = [
      decided(1, 'approved'),
      decided(2, 'approved'),
      decided(3, 'approved'),
      state('authorise', 'scheduled', 'approve'),
    ].map(notificationEventsOf);
    expect(approval).toEqual([
      ['approval-progress'],
      ['approval-progress'],
      ['approval-progress'],
      ['approved', 'scheduled'],
    ]);
    const rejection = [
      decided(1, 'approved'),
      decided(2, 'rejected'),
      state('authorise', 'rejected', 'reject'),
    ].map(notificationEventsOf);
    expect(rejection.flat()).toEqual(['approval-progress', 'rejected']);
  });

  it('treats emergency changes, failures and rollbacks as urgent (through quiet hours)', () => {
    expect([
      isUrgent('scheduled', testChange()),
      isUrgent('scheduled', testChange({ type: 'emergency' })),
      isUrgent('failed', testChange()),
      isUrgent('rolled-back', undefined),
    ]).toEqual([false, true, true, true]);
  });
});
