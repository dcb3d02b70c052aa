import { describe, expect, it } from 'vitest';
import type { ChangeEventInput } from './model.ts';
import { isUrgent, notificationEventsOf } from './model.ts';
import { testChange } from './test-support.ts';

const state = (from: string | null, to: string): ChangeEventInput => ({
  name: 'change.state-changed',
  data: { changeId: 'c', from, to, action: 'x', actorId: null },
});

describe('change events → notification events', () => {
  it.each([
    [state(null, 'draft'), []],
    [state('draft', 'submitted'), ['submitted']],
    [state('submitted', 'authorise'), []],
    [state('authorise', 'rejected'), ['rejected']],
    [state('authorise', 'scheduled'), ['scheduled']],
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
    [
      {
        name: 'change.approval-decided',
        data: { changeId: 'c', stage: 1, decision: 'approved', approverId: 'u' },
      } satisfies ChangeEventInput,
      ['approved'],
    ],
    [
      {
        name: 'change.approval-decided',
        data: { changeId: 'c', stage: 1, decision: 'rejected', approverId: 'u' },
      } satisfies ChangeEventInput,
      [],
    ],
  ] as [ChangeEventInput, string[]][])('%j → %j', (event, expected) => {
    expect(notificationEventsOf(event)).toEqual(expected);
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
