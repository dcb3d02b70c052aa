/**
 * The extra approval of a schedule that overrides a freeze (readme.md, ADR 0033): the rule's
 * freeze-override stage (default: one CAB member) after its stages, separation of duties as in
 * every stage, and an extra pair of eyes: whoever approved an earlier stage does not count.
 */
import { describe, expect, it } from 'vitest';
import type {
  ApprovalDecision,
  ApprovalInput,
  ApprovalSubject,
  ApproverGroup,
  Delegation,
} from './evaluate.ts';
import { checkApprover, evaluateApproval, systemApproverId } from './evaluate.ts';
import {
  ApprovalPolicyRules,
  defaultApprovalRules,
  defaultFreezeOverrideStage,
  policyGroupNames,
  ruleStages,
} from './policy.ts';

const now = '2026-12-24T10:00:00.000Z';
const rules = ApprovalPolicyRules.parse(defaultApprovalRules);

const groups: ApproverGroup[] = [
  { id: 'g-em', name: 'emergency', emergency: true, members: ['em1', 'both', 'req'] },
  { id: 'g-cab', name: 'cab', emergency: false, members: ['cab1', 'cab2', 'both', 'req', 'impl'] },
  { id: 'g-sec', name: 'security', emergency: false, members: ['sec1', 'sec2', 'sec3'] },
];

const subject: ApprovalSubject = {
  changeId: 'c9',
  planVersion: 3,
  type: 'emergency',
  risk: 'high',
  environments: ['production'],
  groups: ['web'],
  assetIds: ['a1'],
  requesterId: 'req',
  implementerId: 'impl',
  freezeOverride: ['Year-end freeze'],
};

let minute = 0;
function decided(
  approverId: string,
  stage: number,
  extra: Partial<ApprovalDecision> = {},
): ApprovalDecision {
  minute++;
  return {
    approverId,
    onBehalfOf: null,
    stage,
    planVersion: 3,
    decision: 'approved',
    comment: null,
    at: `2026-12-24T09:${String(minute).padStart(2, '0')}:00.000Z`,
    ...extra,
  };
}

function delegation(fromUserId: string, toUserId: string): Delegation {
  return {
    fromUserId,
    toUserId,
    startsAt: '2026-12-20T00:00:00.000Z',
    endsAt: '2027-01-05T00:00:00.000Z',
    revokedAt: null,
  };
}

function input(over: Partial<ApprovalInput> = {}): ApprovalInput {
  return { rules, subject, groups, decisions: [], delegations: [], now, ...over };
}

describe('the freeze-override stage', () => {
  it.each([
    ['emergency into a freeze', subject, ['emergency approver', 'freeze override']],
    ['emergency outside any freeze', { ...subject, freezeOverride: [] }, ['emergency approver']],
    ['no freezeOverride field', { ...subject, freezeOverride: undefined }, ['emergency approver']],
    [
      'a normal change (rule normal-production)',
      { ...subject, type: 'normal' as const },
      ['service owner', 'CAB', 'freeze override'],
    ],
  ])('%s → stages %j', (_what, facts, names) => {
    const status = evaluateApproval(input({ subject: facts }));
    expect(status.stages.map((s) => s.name)).toEqual(names);
    expect(status.stages.map((s) => s.freezeOverride)).toEqual(
      names.map((n) => n === 'freeze override'),
    );
  });

  it('defaults to one member of cab, decided after the rule’s own stages', () => {
    const [emergencyRule] = rules;
    expect(defaultFreezeOverrideStage).toEqual({
      name: 'freeze override',
      groups: ['cab'],
      quorum: { kind: 'any' },
    });
    expect(ruleStages(emergencyRule!, true).map((s) => s.definition.name)).toEqual([
      'emergency approver',
      'freeze override',
    ]);
    expect(ruleStages(emergencyRule!, false)).toHaveLength(1);
  });

  it('a rule names its own freeze-override stage (data, not code)', () => {
    const custom = ApprovalPolicyRules.parse([
      {
        id: 'emergency',
        match: { types: ['emergency'] },
        stages: [{ name: 'emergency approver', groups: ['emergency'], quorum: { kind: 'any' } }],
        freezeOverride: {
          name: 'security officers',
          groups: ['security'],
          quorum: { kind: 'count', count: 2 },
        },
      },
      { id: 'rest', stages: [{ name: 'cab', groups: ['cab'], quorum: { kind: 'any' } }] },
    ]);
    expect(policyGroupNames(custom)).toEqual(['cab', 'emergency', 'security']);
    const decisions = [decided('em1', 1), decided('sec1', 2)];
    const half = evaluateApproval(input({ rules: custom, decisions }));
    expect(half.stages[1]).toMatchObject({
      name: 'security officers',
      required: 2,
      satisfied: false,
      eligibleApproverIds: ['sec2', 'sec3'],
    });
    const done = evaluateApproval(
      input({ rules: custom, decisions: [...decisions, decided('sec3', 2)] }),
    );
    expect(done.complete).toBe(true);
  });

  it('the default policy names cab for every rule’s freeze override', () => {
    expect(policyGroupNames(rules)).toEqual(['cab', 'emergency', 'service-owners']);
  });

  it('refuses a malformed freeze-override stage', () => {
    const parsed = ApprovalPolicyRules.safeParse([
      {
        id: 'x',
        stages: [{ name: 'a', groups: ['cab'], quorum: { kind: 'any' } }],
        freezeOverride: { name: 'f', groups: [], quorum: { kind: 'any' } },
      },
    ]);
    expect(parsed.success).toBe(false);
  });
});

describe('evaluation with a freeze override', () => {
  it.each<[string, ApprovalDecision[], Delegation[], object]>([
    ['nothing decided', [], [], { complete: false, currentStage: 1 }],
    [
      'the emergency approver alone is not enough',
      [decided('em1', 1)],
      [],
      { complete: false, currentStage: 2, eligible: ['both', 'cab1', 'cab2'] },
    ],
    [
      'emergency approver, then a CAB member',
      [decided('em1', 1), decided('cab1', 2)],
      [],
      { complete: true, currentStage: null },
    ],
    [
      'one person in both groups does not approve both stages',
      [decided('both', 1), decided('both', 2)],
      [],
      { complete: false, currentStage: 2, eligible: ['cab1', 'cab2'] },
    ],
    [
      'one person in both groups, then another CAB member',
      [decided('both', 1), decided('cab2', 2)],
      [],
      { complete: true, currentStage: null },
    ],
    [
      'the requester (a CAB member) does not count',
      [decided('em1', 1), decided('req', 2)],
      [],
      { complete: false, currentStage: 2 },
    ],
    [
      'the implementer (a CAB member) does not count',
      [decided('em1', 1), decided('impl', 2)],
      [],
      { complete: false, currentStage: 2 },
    ],
    [
      'a delegate who approved stage 1 for em1 does not approve stage 2 for cab1',
      [decided('deputy', 1, { onBehalfOf: 'em1' }), decided('deputy', 2, { onBehalfOf: 'cab1' })],
      [delegation('em1', 'deputy'), delegation('cab1', 'deputy')],
      { complete: false, currentStage: 2, eligible: ['both', 'cab1', 'cab2'] },
    ],
    [
      'a delegate of the requester does not approve the override',
      [decided('em1', 1), decided('deputy', 2, { onBehalfOf: 'req' })],
      [delegation('req', 'deputy')],
      { complete: false, currentStage: 2 },
    ],
    [
      'the system never approves the override (fail closed)',
      [decided('em1', 1), decided(systemApproverId, 2)],
      [],
      { complete: false, currentStage: 2 },
    ],
    [
      'a rejection of the override, with a comment, rejects the change',
      [
        decided('em1', 1),
        decided('cab1', 2, { decision: 'rejected', comment: 'wait for January' }),
      ],
      [],
      { complete: false, rejected: true, currentStage: null },
    ],
    [
      'approvals of an older plan version do not count',
      [decided('em1', 1), decided('cab1', 2, { planVersion: 2 })],
      [],
      { complete: false, currentStage: 2 },
    ],
  ])('%s', (_what, decisions, delegations, expected) => {
    const status = evaluateApproval(input({ decisions, delegations }));
    const { eligible, ...rest } = expected as { eligible?: string[] };
    expect(status).toMatchObject({ rejected: false, ...rest });
    if (eligible !== undefined) expect(status.stages[1]?.eligibleApproverIds).toEqual(eligible);
  });

  it('a standard change auto-approved by its template still needs the override approved', () => {
    const standard = { ...subject, type: 'standard' as const, risk: 'low' as const };
    const auto = decided(systemApproverId, 1, { comment: 'standard change' });
    const status = evaluateApproval(input({ subject: standard, decisions: [auto] }));
    expect(status).toMatchObject({ autoApproved: true, complete: false, currentStage: 2 });
    expect(status.stages.map((s) => s.satisfied)).toEqual([true, false]);
  });
});

describe('who may decide the freeze override', () => {
  it.each<[string, string, ApprovalDecision[], Delegation[], RegExp | number]>([
    ['the requester', 'req', [decided('em1', 1)], [], /you requested this change/],
    ['the implementer', 'impl', [decided('em1', 1)], [], /you implement this change/],
    [
      'a CAB member before the emergency approver',
      'cab1',
      [],
      [],
      /Stage 1 \(emergency approver\) must be decided first; you approve stage 2/,
    ],
    ['a CAB member after the emergency approver', 'cab1', [decided('em1', 1)], [], 2],
    [
      'the emergency approver, not in cab',
      'em1',
      [decided('em1', 1)],
      [],
      /not an approver of stage 2 \(freeze override\)/,
    ],
    [
      'the emergency approver who is also in cab',
      'both',
      [decided('both', 1)],
      [],
      /needs an extra approver: you .* already approved stage 1/,
    ],
    [
      'a delegate of cab1 who approved stage 1 for em1',
      'deputy',
      [decided('deputy', 1, { onBehalfOf: 'em1' })],
      [delegation('em1', 'deputy'), delegation('cab1', 'deputy')],
      /needs an extra approver/,
    ],
    [
      'a delegate of the member who approved stage 1',
      'deputy',
      [decided('both', 1)],
      [delegation('both', 'deputy')],
      /everyone you act for already approved another stage/,
    ],
    [
      'a delegate of the requester',
      'deputy',
      [decided('em1', 1)],
      [delegation('req', 'deputy')],
      /delegation from the requester or the implementer/,
    ],
  ])('%s (%s)', (_what, actorId, decisions, delegations, expected) => {
    const check = checkApprover(input({ decisions, delegations }), {
      actorId,
      decision: 'approved',
    });
    if (typeof expected === 'number')
      expect(check).toEqual({ ok: true, stage: expected, onBehalfOf: null });
    else expect(check.ok ? 'allowed' : check.reason).toMatch(expected);
  });
});
