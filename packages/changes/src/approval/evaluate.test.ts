import { describe, expect, it } from 'vitest';
import type {
  ApprovalDecision,
  ApprovalInput,
  ApprovalSubject,
  ApproverGroup,
  Delegation,
} from './evaluate.ts';
import {
  autoApprovalApplies,
  checkApprover,
  evaluateApproval,
  systemApproverId,
} from './evaluate.ts';
import type { ApprovalRuleInput } from './policy.ts';
import { ApprovalPolicyRules, defaultApprovalRules } from './policy.ts';

const now = '2026-12-06T10:00:00.000Z';
const rules = ApprovalPolicyRules.parse(defaultApprovalRules);

const groups: ApproverGroup[] = [
  { id: 'g-so', name: 'service-owners', emergency: false, members: ['owner1', 'owner2', 'req'] },
  { id: 'g-cab', name: 'cab', emergency: false, members: ['cab1', 'cab2', 'cab3', 'impl', 'req'] },
  { id: 'g-em', name: 'emergency', emergency: true, members: ['em1', 'em2', 'req'] },
];

const subject: ApprovalSubject = {
  changeId: 'c1',
  planVersion: 2,
  type: 'normal',
  risk: 'high',
  environments: ['production'],
  groups: ['web'],
  assetIds: ['a1'],
  requesterId: 'req',
  implementerId: 'impl',
};

let seq = 0;
function decision(
  approverId: string,
  stage: number,
  extra: Partial<ApprovalDecision> = {},
): ApprovalDecision {
  seq++;
  return {
    approverId,
    onBehalfOf: null,
    stage,
    planVersion: 2,
    decision: 'approved',
    comment: null,
    at: `2026-12-06T09:${String(seq % 60).padStart(2, '0')}:00.000Z`,
    ...extra,
  };
}

function input(over: Partial<ApprovalInput> = {}): ApprovalInput {
  return { rules, subject, groups, decisions: [], delegations: [], now, ...over };
}

const away: Delegation = {
  fromUserId: 'owner1',
  toUserId: 'deputy',
  startsAt: '2026-12-01T00:00:00.000Z',
  endsAt: '2026-12-10T00:00:00.000Z',
  revokedAt: null,
};

describe('policy rules (first match wins)', () => {
  it.each([
    [{ type: 'emergency', risk: 'high', environments: ['production'] }, 'emergency'],
    [{ type: 'standard', risk: 'low', environments: ['test'] }, 'standard'],
    [{ type: 'normal', risk: 'low', environments: ['production', 'test'] }, 'normal-production'],
    [{ type: 'normal', risk: 'moderate', environments: ['staging'] }, 'normal-elevated-risk'],
    [{ type: 'normal', risk: 'high', environments: [] }, 'normal-elevated-risk'],
    [{ type: 'normal', risk: 'low', environments: ['staging'] }, 'default'],
  ] as const)('%o → rule %s', (facts, ruleId) => {
    const status = evaluateApproval(input({ subject: { ...subject, ...facts } }));
    expect(status.ruleId).toBe(ruleId);
  });

  it('matches asset groups when any asset is in one', () => {
    const custom = ApprovalPolicyRules.parse([
      { id: 'db', match: { assetGroups: ['db', 'ledger'] }, stages: [stage('cab', 'all')] },
      { id: 'rest', stages: [stage('service-owners', 'any')] },
    ]);
    expect(
      evaluateApproval(input({ rules: custom, subject: { ...subject, groups: ['web', 'db'] } }))
        .ruleId,
    ).toBe('db');
    expect(
      evaluateApproval(input({ rules: custom, subject: { ...subject, groups: ['web'] } })).ruleId,
    ).toBe('rest');
  });

  it.each([
    [[], 'Too small'],
    [
      [{ id: 'x', match: { types: ['normal'] }, stages: [stage('cab', 'any')] }],
      'the last rule must match every change',
    ],
    [
      [
        { id: 'x', stages: [stage('cab', 'any')] },
        { id: 'x', stages: [stage('cab', 'any')] },
      ],
      'duplicate rule id',
    ],
    [
      [{ id: 'x', autoApprove: true, stages: [stage('cab', 'any')] }],
      'only a rule matching standard changes alone',
    ],
    [[{ id: 'x', stages: [] }], 'Too small'],
    [
      [{ id: 'x', stages: [{ name: 's', groups: ['cab'], quorum: { kind: 'count', count: 0 } }] }],
      'Too small',
    ],
    [[{ id: 'x', extra: 1, stages: [stage('cab', 'any')] }], 'Unrecognized key'],
  ])('refuses the policy %j', (raw, message) => {
    const parsed = ApprovalPolicyRules.safeParse(raw);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });
});

function stage(group: string, kind: 'any' | 'all' | number, name = group) {
  return {
    name,
    groups: [group],
    quorum: typeof kind === 'number' ? { kind: 'count' as const, count: kind } : { kind },
  };
}

describe('quorum kinds', () => {
  const oneStage = (kind: 'any' | 'all' | number) =>
    ApprovalPolicyRules.parse([{ id: 'only', stages: [stage('cab', kind)] }]);
  it.each([
    // CAB eligible members: cab1, cab2, cab3 (impl and req are barred).
    ['any', [], false, 1],
    ['any', ['cab1'], true, 1],
    [2, ['cab1'], false, 2],
    [2, ['cab1', 'cab2'], true, 2],
    [3, ['cab1', 'cab2', 'cab3'], true, 3],
    ['all', ['cab1', 'cab2'], false, 3],
    ['all', ['cab1', 'cab2', 'cab3'], true, 3],
  ] as const)(
    '%s with approvals from %j → satisfied %s (needs %d)',
    (kind, approvers, satisfied, required) => {
      const status = evaluateApproval(
        input({ rules: oneStage(kind), decisions: approvers.map((a) => decision(a, 1)) }),
      );
      expect(status.stages[0]).toMatchObject({ satisfied, required, unreachable: null });
      expect(status.complete).toBe(satisfied);
      expect(status.currentStage).toBe(satisfied ? null : 1);
    },
  );

  it('an N-of quorum larger than the eligible members is flagged unreachable', () => {
    const status = evaluateApproval(input({ rules: oneStage(4) }));
    expect(status.stages[0]?.unreachable).toBe('needs 4 approvers but cab have 3 eligible');
  });

  it('an empty group is unreachable, never vacuously satisfied (all)', () => {
    const status = evaluateApproval(
      input({
        rules: oneStage('all'),
        groups: groups.map((g) => (g.name === 'cab' ? { ...g, members: ['req'] } : g)),
      }),
    );
    expect(status.stages[0]).toMatchObject({
      satisfied: false,
      unreachable: 'no eligible member in cab',
    });
  });

  it('lists who may still approve the current stage (members, their delegates, duties separated)', () => {
    const status = evaluateApproval(input({ decisions: [decision('owner2', 1)], delegations: [] }));
    expect(status.currentStage).toBe(2);
    expect(status.stages[1]?.eligibleApproverIds).toEqual(['cab1', 'cab2', 'cab3']);
    const early = evaluateApproval(input({ delegations: [away] }));
    expect(early.stages[0]?.eligibleApproverIds).toEqual(['deputy', 'owner1', 'owner2']);
    expect(early.stages[1]?.eligibleApproverIds).toEqual([]);
  });
});

describe('stage ordering', () => {
  it('walks the stages in order: service owner, then two of the CAB', () => {
    const steps: [ApprovalDecision[], number | null, boolean][] = [
      [[], 1, false],
      [[decision('owner1', 1)], 2, false],
      [[decision('owner1', 1), decision('cab1', 2)], 2, false],
      [[decision('owner1', 1), decision('cab1', 2), decision('cab2', 2)], null, true],
    ];
    for (const [decisions, currentStage, complete] of steps) {
      expect(evaluateApproval(input({ decisions }))).toMatchObject({
        currentStage,
        complete,
        rejected: false,
      });
    }
  });

  it('refuses a later stage approver while an earlier stage is open', () => {
    expect(checkApprover(input(), { actorId: 'cab1', decision: 'approved' })).toEqual({
      ok: false,
      reason: 'Stage 1 (service owner) must be decided first; you approve stage 2',
    });
  });

  it('does not complete when a later stage has approvals but an earlier one does not', () => {
    const status = evaluateApproval(
      input({ decisions: [decision('cab1', 2), decision('cab2', 2)] }),
    );
    expect(status).toMatchObject({ complete: false, currentStage: 1 });
  });

  it('one rejection in the current stage rejects the change', () => {
    const status = evaluateApproval(
      input({
        decisions: [
          decision('owner1', 1),
          decision('cab1', 2, { decision: 'rejected', comment: 'no rollback' }),
        ],
      }),
    );
    expect(status).toMatchObject({ rejected: true, complete: false, currentStage: null });
    expect(
      checkApprover(
        input({ decisions: [decision('owner1', 1, { decision: 'rejected', comment: 'x' })] }),
        { actorId: 'owner2', decision: 'approved' },
      ),
    ).toEqual({
      ok: false,
      reason: 'Change c1 is already rejected',
    });
  });

  it('refuses decisions once approved', () => {
    const decisions = [decision('owner1', 1), decision('cab1', 2), decision('cab2', 2)];
    expect(checkApprover(input({ decisions }), { actorId: 'cab3', decision: 'approved' })).toEqual({
      ok: false,
      reason: 'Change c1 is already approved',
    });
  });
});

describe('separation of duties', () => {
  const requesterDelegates: Delegation = { ...away, fromUserId: 'req', toUserId: 'owner9' };
  const implDelegates: Delegation = { ...away, fromUserId: 'impl', toUserId: 'cab9' };
  const requesterIsDelegate: Delegation = { ...away, fromUserId: 'owner1', toUserId: 'req' };
  const implIsDelegate: Delegation = { ...away, fromUserId: 'owner1', toUserId: 'impl' };
  it.each([
    ['the requester, a member of the stage group', input(), 'req', 'you requested this change'],
    [
      'the implementer',
      input({ decisions: [decision('owner1', 1)] }),
      'impl',
      'you implement this change',
    ],
    [
      'the requester through another group (CAB, stage 2)',
      input({ decisions: [decision('owner1', 1)] }),
      'req',
      'you requested this change',
    ],
    [
      'the requester through the emergency group',
      input({ subject: { ...subject, type: 'emergency' } }),
      'req',
      'you requested this change',
    ],
    [
      'the requester as a delegate of a member',
      input({ delegations: [requesterIsDelegate] }),
      'req',
      'you requested this change',
    ],
    [
      'the implementer as a delegate of a member',
      input({ delegations: [implIsDelegate] }),
      'impl',
      'you implement this change',
    ],
    [
      'a delegate acting for the requester',
      input({ delegations: [requesterDelegates] }),
      'owner9',
      'you hold a delegation from the requester or the implementer',
    ],
    [
      'a delegate acting for the implementer',
      input({ decisions: [decision('owner1', 1)], delegations: [implDelegates] }),
      'cab9',
      'you hold a delegation from the requester or the implementer',
    ],
  ])('refuses %s', (_what, given, actorId, reason) => {
    const check = checkApprover(given, { actorId, decision: 'approved' });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toContain(reason);
  });

  it('does not count decisions that slipped past the check (requester, implementer, their delegates)', () => {
    const decisions = [
      decision('req', 1),
      decision('owner9', 1, { onBehalfOf: 'req' }),
      decision('impl', 1),
    ];
    const status = evaluateApproval(
      input({ decisions, delegations: [{ ...away, fromUserId: 'req', toUserId: 'owner9' }] }),
    );
    expect(status.stages[0]).toMatchObject({ approvals: [], satisfied: false });
  });

  it('leaves the requester and the implementer out of an all quorum and of the eligible list', () => {
    const all = ApprovalPolicyRules.parse([{ id: 'all', stages: [stage('cab', 'all')] }]);
    const status = evaluateApproval(
      input({ rules: all, decisions: ['cab1', 'cab2', 'cab3'].map((a) => decision(a, 1)) }),
    );
    expect(status.complete).toBe(true);
    const pending = evaluateApproval(input({ rules: all }));
    expect(pending.stages[0]?.eligibleApproverIds).toEqual(['cab1', 'cab2', 'cab3']);
  });

  describe('one person counts once per stage', () => {
    it.each([
      ['the same approver twice', [decision('cab1', 2), decision('cab1', 2)], 1],
      [
        'a member, then a delegate for them',
        [decision('cab1', 2), decision('deputy', 2, { onBehalfOf: 'cab1' })],
        1,
      ],
      [
        'a delegate for a member, then the delegate for themself',
        [decision('deputy', 2, { onBehalfOf: 'cab1' }), decision('deputy', 2)],
        1,
      ],
      [
        'a delegate, then the member themself',
        [decision('deputy', 2, { onBehalfOf: 'cab1' }), decision('cab1', 2)],
        1,
      ],
      ['two distinct members', [decision('cab1', 2), decision('cab2', 2)], 2],
    ])('%s → %d approval(s)', (_what, stage2, count) => {
      const delegations: Delegation[] = [{ ...away, fromUserId: 'cab1', toUserId: 'deputy' }];
      const status = evaluateApproval(
        input({ decisions: [decision('owner1', 1), ...stage2], delegations }),
      );
      expect(status.stages[1]?.approvals).toHaveLength(count);
    });

    it.each([
      [
        'an approver who already decided',
        [decision('cab1', 2)],
        'cab1',
        'You (or someone acting for you) already decided stage 2 (CAB) of plan version 2',
      ],
      [
        'a delegate whose giver already decided',
        [decision('cab1', 2)],
        'deputy',
        'The person you act for has already decided stage 2 (CAB)',
      ],
      [
        'a member whose delegate already decided for them',
        [decision('deputy', 2, { onBehalfOf: 'cab1' })],
        'cab1',
        'You (or someone acting for you) already decided stage 2 (CAB) of plan version 2',
      ],
    ])('refuses %s', (_what, stage2, actorId, reason) => {
      const delegations: Delegation[] = [{ ...away, fromUserId: 'cab1', toUserId: 'deputy' }];
      const check = checkApprover(
        input({ decisions: [decision('owner1', 1), ...stage2], delegations }),
        {
          actorId,
          decision: 'approved',
        },
      );
      expect(check).toEqual({ ok: false, reason });
    });
  });

  it('an approver may decide a new stage after deciding an earlier one', () => {
    const both = ApprovalPolicyRules.parse([
      { id: 'two', stages: [stage('cab', 'any', 'first'), stage('cab', 'any', 'second')] },
    ]);
    expect(
      checkApprover(input({ rules: both, decisions: [decision('cab1', 1)] }), {
        actorId: 'cab1',
        decision: 'approved',
      }),
    ).toEqual({
      ok: true,
      stage: 2,
      onBehalfOf: null,
    });
  });

  it('refuses someone in no group of the stage', () => {
    expect(checkApprover(input(), { actorId: 'stranger', decision: 'approved' })).toEqual({
      ok: false,
      reason:
        'You are not an approver of stage 1 (service owner): it needs a member of service-owners or their delegate',
    });
  });

  it.each([
    [undefined, false],
    ['', false],
    ['  ', false],
    ['backup plan missing', true],
  ])('a rejection with comment %j → allowed %s', (comment, ok) => {
    const check = checkApprover(input(), { actorId: 'owner1', decision: 'rejected', comment });
    expect(check.ok).toBe(ok);
    if (!check.ok) expect(check.reason).toBe('A rejection needs a comment saying why');
  });
});

describe('delegation windows', () => {
  it.each([
    ['before the window', '2026-11-30T23:59:59.999Z', false],
    ['at its start', '2026-12-01T00:00:00.000Z', true],
    ['inside', now, true],
    ['at its end (exclusive)', '2026-12-10T00:00:00.000Z', false],
    ['after', '2026-12-11T00:00:00.000Z', false],
  ])('a delegate acting %s → allowed %s', (_what, at, ok) => {
    const check = checkApprover(input({ now: at, delegations: [away] }), {
      actorId: 'deputy',
      decision: 'approved',
    });
    expect(check.ok).toBe(ok);
    if (ok) expect(check).toEqual({ ok: true, stage: 1, onBehalfOf: 'owner1' });
  });

  it('a revoked delegation stops at its revocation', () => {
    const revoked = { ...away, revokedAt: '2026-12-05T00:00:00.000Z' };
    expect(
      checkApprover(input({ delegations: [revoked] }), { actorId: 'deputy', decision: 'approved' })
        .ok,
    ).toBe(false);
    // A decision made before the revocation still counts.
    const status = evaluateApproval(
      input({
        delegations: [revoked],
        decisions: [
          decision('deputy', 1, { onBehalfOf: 'owner1', at: '2026-12-04T00:00:00.000Z' }),
        ],
      }),
    );
    expect(status.stages[0]?.satisfied).toBe(true);
  });

  it('a delegated decision outside the window is not counted', () => {
    const status = evaluateApproval(
      input({
        delegations: [away],
        decisions: [
          decision('deputy', 1, { onBehalfOf: 'owner1', at: '2026-12-12T00:00:00.000Z' }),
        ],
      }),
    );
    expect(status.stages[0]?.satisfied).toBe(false);
  });

  it('a delegation from someone outside the stage gives no right', () => {
    const outsider = { ...away, fromUserId: 'stranger' };
    expect(
      checkApprover(input({ delegations: [outsider] }), { actorId: 'deputy', decision: 'approved' })
        .ok,
    ).toBe(false);
  });

  it('is not transitive', () => {
    const chain = [away, { ...away, fromUserId: 'deputy', toUserId: 'deputy2' }];
    expect(
      checkApprover(input({ delegations: chain }), { actorId: 'deputy2', decision: 'approved' }).ok,
    ).toBe(false);
  });

  it('a member who delegated may still decide themself', () => {
    expect(
      checkApprover(input({ delegations: [away] }), { actorId: 'owner1', decision: 'approved' }),
    ).toEqual({
      ok: true,
      stage: 1,
      onBehalfOf: null,
    });
  });
});

describe('plan-version staleness', () => {
  it.each([
    ['all on the current version', [2, 2, 2], true],
    ['the service owner on an older version', [1, 2, 2], false],
    ['a CAB member on an older version', [2, 1, 2], false],
    ['a decision on a newer version (never counted for this one)', [2, 3, 2], false],
  ])('%s → complete %s', (_what, [v1, v2, v3], complete) => {
    const decisions = [
      decision('owner1', 1, { planVersion: v1 }),
      decision('cab1', 2, { planVersion: v2 }),
      decision('cab2', 2, { planVersion: v3 }),
    ];
    expect(evaluateApproval(input({ decisions })).complete).toBe(complete);
  });

  it('an approver of an older version may decide again', () => {
    expect(
      checkApprover(input({ decisions: [decision('owner1', 1, { planVersion: 1 })] }), {
        actorId: 'owner1',
        decision: 'approved',
      }),
    ).toEqual({ ok: true, stage: 1, onBehalfOf: null });
  });

  it('a rejection of an older version no longer rejects', () => {
    const decisions = [
      decision('owner1', 1, { planVersion: 1, decision: 'rejected', comment: 'no' }),
    ];
    expect(evaluateApproval(input({ decisions }))).toMatchObject({
      rejected: false,
      currentStage: 1,
    });
  });
});

describe('emergency and standard paths', () => {
  it('an emergency change needs one member of the emergency group and a retrospective review', () => {
    const emergency = { ...subject, type: 'emergency' as const };
    const before = evaluateApproval(input({ subject: emergency }));
    expect(before).toMatchObject({
      ruleId: 'emergency',
      currentStage: 1,
      retrospectiveReviewRequired: true,
    });
    expect(
      checkApprover(input({ subject: emergency }), { actorId: 'cab1', decision: 'approved' }).ok,
    ).toBe(false);
    const after = evaluateApproval(input({ subject: emergency, decisions: [decision('em1', 1)] }));
    expect(after).toMatchObject({ complete: true, retrospectiveReviewRequired: true });
  });

  it('a normal change needs no retrospective review', () => {
    expect(evaluateApproval(input()).retrospectiveReviewRequired).toBe(false);
  });

  const standard = { ...subject, type: 'standard' as const, risk: 'low' as const };
  it.each([
    [
      { ok: true, failures: [] },
      { ok: true, ruleId: 'standard' },
    ],
    [
      { ok: false, failures: ['3 assets, at most 2'] },
      { ok: false, reason: 'template criteria do not hold: 3 assets, at most 2' },
    ],
  ])('auto-approval with criteria %j → %j', (criteria, expected) => {
    expect(autoApprovalApplies(rules, standard, criteria)).toEqual(expected);
  });

  it('only standard changes under an auto-approving rule are auto-approved', () => {
    expect(autoApprovalApplies(rules, subject, { ok: true, failures: [] })).toEqual({
      ok: false,
      reason: 'only standard changes are auto-approved',
    });
    const noAuto = ApprovalPolicyRules.parse([{ id: 'all', stages: [stage('cab', 'any')] }]);
    expect(autoApprovalApplies(noAuto, standard, { ok: true, failures: [] })).toEqual({
      ok: false,
      reason: 'policy rule all does not auto-approve',
    });
  });

  it('a system decision on the current plan version approves a standard change; on an old one it does not', () => {
    const system = decision(systemApproverId, 1, { comment: 'template criteria hold' });
    expect(evaluateApproval(input({ subject: standard, decisions: [system] }))).toMatchObject({
      complete: true,
      autoApproved: true,
      currentStage: null,
    });
    const stale = { ...system, planVersion: 1 };
    expect(evaluateApproval(input({ subject: standard, decisions: [stale] }))).toMatchObject({
      complete: false,
      autoApproved: false,
      currentStage: 1,
    });
  });

  it('a standard change whose criteria fail takes the stages (one service owner or CAB member)', () => {
    const status = evaluateApproval(input({ subject: standard, decisions: [decision('cab3', 1)] }));
    expect(status).toMatchObject({ complete: true, autoApproved: false });
  });

  it('a custom rule may ask any change for a retrospective review', () => {
    const custom: ApprovalRuleInput[] = [
      { id: 'r', retrospectiveReview: true, stages: [stage('cab', 'any')] },
    ];
    expect(
      evaluateApproval(input({ rules: ApprovalPolicyRules.parse(custom) }))
        .retrospectiveReviewRequired,
    ).toBe(true);
  });
});

describe('approvals ahead of the window', () => {
  it('have no time limit other than delegations: a decision weeks before the start counts', () => {
    const early = decision('owner1', 1, { at: '2026-01-01T00:00:00.000Z' });
    expect(evaluateApproval(input({ decisions: [early] })).currentStage).toBe(2);
  });
});

it('reports the whole status of a half-approved change', () => {
  const decisions = [
    decision('deputy', 1, { onBehalfOf: 'owner1', at: '2026-12-06T09:00:00.000Z' }),
  ];
  expect(evaluateApproval(input({ decisions, delegations: [away] }))).toEqual({
    changeId: 'c1',
    planVersion: 2,
    ruleId: 'normal-production',
    complete: false,
    rejected: false,
    currentStage: 2,
    autoApproved: false,
    retrospectiveReviewRequired: false,
    stages: [
      {
        stage: 1,
        name: 'service owner',
        groups: [{ id: 'g-so', name: 'service-owners' }],
        quorum: { kind: 'any' },
        required: 1,
        approvals: [
          {
            approverId: 'deputy',
            onBehalfOf: 'owner1',
            comment: null,
            at: '2026-12-06T09:00:00.000Z',
          },
        ],
        rejections: [],
        satisfied: true,
        eligibleApproverIds: [],
        unreachable: null,
        freezeOverride: false,
      },
      {
        stage: 2,
        name: 'CAB',
        groups: [{ id: 'g-cab', name: 'cab' }],
        quorum: { kind: 'count', count: 2 },
        required: 2,
        approvals: [],
        rejections: [],
        satisfied: false,
        eligibleApproverIds: ['cab1', 'cab2', 'cab3'],
        unreachable: null,
        freezeOverride: false,
      },
    ],
  });
});
