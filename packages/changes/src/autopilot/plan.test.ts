import { describe, expect, it } from 'vitest';
import type { AssetFacts } from '@patchgate/model';
import type { AutopilotCandidate, FindingCandidate, UpdateCandidate } from './plan.ts';
import { planAutopilotRun } from './plan.ts';
import type { AutopilotRule, AutopilotRuleInput } from './rule.ts';
import { AutopilotRuleDefinition, isRuleDue } from './rule.ts';

const now = new Date('2026-11-22T02:00:00.000Z');

const asset = (name: string, groups: string[], environment: AssetFacts['environment']) =>
  ({
    id: `id-${name}`,
    name,
    environment,
    criticality: 'medium',
    exposure: 'internal',
    team: null,
    tags: [],
    groups,
  }) satisfies AssetFacts;

const web1 = asset('web-01', ['web'], 'staging');
const web2 = asset('web-02', ['web'], 'staging');
const db1 = asset('db-01', ['db'], 'staging');
const prod = asset('web-prod', ['web'], 'production');
const night = { id: 'w-night', name: 'staging nights' };
const sunday = { id: 'w-sunday', name: 'Sunday morning' };

function update(a: AssetFacts, pkg: string, over: Partial<UpdateCandidate> = {}): UpdateCandidate {
  return {
    kind: 'update',
    id: `${a.id}:${pkg}:2.0`,
    asset: a,
    window: night,
    packageName: pkg,
    installedVersion: '1.0',
    targetVersion: '2.0',
    releasedAt: '2026-11-01T00:00:00.000Z',
    releasedAtSource: 'first seen offered',
    coveredBy: null,
    security: true,
    ...over,
  };
}

function finding(
  a: AssetFacts,
  id: string,
  over: Partial<FindingCandidate> = {},
): FindingCandidate {
  return {
    kind: 'finding',
    id,
    asset: a,
    window: night,
    packageName: 'openssl',
    installedVersion: '3.0.1',
    targetVersion: '3.0.2',
    releasedAt: '2026-11-01T00:00:00.000Z',
    releasedAtSource: 'advisory DSA-1 published',
    coveredBy: null,
    advisoryId: 'DSA-1',
    priority: 'P2',
    kev: false,
    policyId: 'patchgate-default',
    policyRuleId: 'kev',
    ...over,
  };
}

function rule(input: Partial<AutopilotRuleInput> = {}, paused = false): AutopilotRule {
  const parsed = AutopilotRuleDefinition.parse({
    name: 'nightly-security',
    selection: { kind: 'updates', origin: 'security' },
    scope: { environments: ['staging'] },
    coolDownDays: 7,
    type: 'standard',
    template: 'security-updates',
    ...input,
  });
  return { ...parsed, id: 'rule-1', paused };
}

const summary = (rule: AutopilotRule, candidates: AutopilotCandidate[]) => {
  const plan = planAutopilotRun(rule, candidates, now);
  return {
    changes: plan.changes.map((c) => ({
      groupKey: c.groupKey,
      assets: c.assets.map((a) => a.name),
      items: c.items.map((i) => i.id),
    })),
    heldBack: plan.heldBack.map((h) => h.item.id),
    skipped: plan.skipped.map((s) => s.item.id),
  };
};

describe('planAutopilotRun', () => {
  it.each<[string, AutopilotRule, AutopilotCandidate[], ReturnType<typeof summary>]>([
    [
      'groups by window and asset group, not one change per item',
      rule(),
      [
        update(web1, 'openssl'),
        update(web1, 'curl'),
        update(web2, 'openssl'),
        update(db1, 'openssl'),
        update(db1, 'libc6', { window: sunday }),
      ],
      {
        changes: [
          { groupKey: 'w-night|db', assets: ['db-01'], items: ['id-db-01:openssl:2.0'] },
          {
            groupKey: 'w-night|web',
            assets: ['web-01', 'web-02'],
            items: ['id-web-01:curl:2.0', 'id-web-01:openssl:2.0', 'id-web-02:openssl:2.0'],
          },
          { groupKey: 'w-sunday|db', assets: ['db-01'], items: ['id-db-01:libc6:2.0'] },
        ],
        heldBack: [],
        skipped: [],
      },
    ],
    [
      'ignores what the scope or the origin does not take',
      rule(),
      [update(prod, 'openssl'), update(web1, 'vim', { security: false })],
      { changes: [], heldBack: [], skipped: [] },
    ],
    [
      'origin all takes non-security updates',
      rule({ selection: { kind: 'updates', origin: 'all' } }),
      [update(web1, 'vim', { security: false })],
      {
        changes: [{ groupKey: 'w-night|web', assets: ['web-01'], items: ['id-web-01:vim:2.0'] }],
        heldBack: [],
        skipped: [],
      },
    ],
    [
      'holds back a version younger than the cool-down, and one of unknown date',
      rule(),
      [
        update(web1, 'openssl', { releasedAt: '2026-11-20T00:00:00.000Z' }),
        update(web1, 'curl', { releasedAt: null }),
        update(web2, 'openssl'),
      ],
      {
        changes: [
          { groupKey: 'w-night|web', assets: ['web-02'], items: ['id-web-02:openssl:2.0'] },
        ],
        heldBack: ['id-web-01:curl:2.0', 'id-web-01:openssl:2.0'],
        skipped: [],
      },
    ],
    [
      'KEV bypasses the cool-down, even with an unknown date',
      rule({ selection: { kind: 'findings', priorities: ['P1', 'P2'] } }),
      [
        finding(web1, 'f-kev', { kev: true, releasedAt: '2026-11-21T00:00:00.000Z' }),
        finding(web2, 'f-kev-undated', { kev: true, releasedAt: null }),
        finding(web2, 'f-young', { releasedAt: '2026-11-21T00:00:00.000Z' }),
        finding(web2, 'f-p4', { priority: 'P4' }),
      ],
      {
        changes: [
          {
            groupKey: 'w-night|web',
            assets: ['web-01', 'web-02'],
            items: ['f-kev', 'f-kev-undated'],
          },
        ],
        heldBack: ['f-young'],
        skipped: [],
      },
    ],
    [
      'KEV only and policy selection',
      rule({
        selection: { kind: 'findings', priorities: ['P1', 'P2'], kevOnly: true, policies: ['kev'] },
      }),
      [
        finding(web1, 'f-kev', { kev: true }),
        finding(web1, 'f-other-rule', { kev: true, policyRuleId: 'cvss' }),
        finding(web2, 'f-not-kev'),
      ],
      {
        changes: [{ groupKey: 'w-night|web', assets: ['web-01'], items: ['f-kev'] }],
        heldBack: [],
        skipped: [],
      },
    ],
    [
      'skips items already in an open change (idempotent) and ones without a fix',
      rule({ selection: { kind: 'findings', priorities: ['P2'] } }),
      [
        finding(web1, 'f-covered', { coveredBy: 'change-9' }),
        finding(web1, 'f-no-fix', { targetVersion: null }),
        finding(web2, 'f-new'),
      ],
      {
        changes: [{ groupKey: 'w-night|web', assets: ['web-02'], items: ['f-new'] }],
        heldBack: [],
        skipped: ['f-covered', 'f-no-fix'],
      },
    ],
    [
      'a paused rule plans nothing',
      rule({}, true),
      [update(web1, 'openssl')],
      { changes: [], heldBack: [], skipped: ['id-web-01:openssl:2.0'] },
    ],
    [
      'assets without a window or group still get a change of their own',
      rule(),
      [update(asset('lonely', [], 'staging'), 'openssl', { window: null })],
      {
        changes: [
          { groupKey: 'no-window|no-group', assets: ['lonely'], items: ['id-lonely:openssl:2.0'] },
        ],
        heldBack: [],
        skipped: [],
      },
    ],
  ])('%s', (_name, r, candidates, expected) => {
    expect(summary(r, candidates)).toEqual(expected);
  });

  it('says which rule made a change and why, and why an item is held back', () => {
    const plan = planAutopilotRun(
      rule({ selection: { kind: 'findings', priorities: ['P1', 'P2'] }, rings: [0, 3, 7] }),
      [
        finding(web1, 'f-kev', { kev: true, releasedAt: '2026-11-21T00:00:00.000Z' }),
        finding(web2, 'f-old'),
        finding(web2, 'f-young', {
          packageName: 'curl',
          targetVersion: '8.1',
          releasedAt: '2026-11-20T00:00:00.000Z',
        }),
      ],
      now,
    );
    expect(plan.changes).toEqual([
      {
        groupKey: 'w-night|web',
        window: night,
        assetGroup: 'web',
        title: 'Autopilot nightly-security: web in staging nights (2 findings)',
        assets: [
          { id: 'id-web-01', name: 'web-01' },
          { id: 'id-web-02', name: 'web-02' },
        ],
        items: [
          {
            kind: 'finding',
            id: 'f-kev',
            assetId: 'id-web-01',
            assetName: 'web-01',
            packageName: 'openssl',
            targetVersion: '3.0.2',
            advisoryId: 'DSA-1',
            kev: true,
          },
          {
            kind: 'finding',
            id: 'f-old',
            assetId: 'id-web-02',
            assetName: 'web-02',
            packageName: 'openssl',
            targetVersion: '3.0.2',
            advisoryId: 'DSA-1',
            kev: false,
          },
        ],
        findingIds: ['f-kev', 'f-old'],
        patches: [],
        type: 'standard',
        template: 'security-updates',
        rings: [0, 3, 7],
        reason:
          'Autopilot rule "nightly-security" (rule-1) selected findings of priority P1/P2: 2 findings on 2 assets (asset group web, maintenance window "staging nights"); cool-down of 7 days met, bypassed for 1 KEV finding; type standard (template security-updates), rings +0/+3/+7 days.',
      },
    ]);
    expect(plan.heldBack).toEqual([
      {
        item: {
          kind: 'finding',
          id: 'f-young',
          assetId: 'id-web-02',
          assetName: 'web-02',
          packageName: 'curl',
          targetVersion: '8.1',
          advisoryId: 'DSA-1',
          kev: false,
        },
        reason:
          'fixed version curl 8.1 released 2 days ago (advisory DSA-1 published 2026-11-20); cool-down 7 days, eligible on 2026-11-27',
        eligibleOn: '2026-11-27',
      },
    ]);
  });

  it('notes a KEV bypass only where the cool-down would have held the finding back', () => {
    const plan = planAutopilotRun(
      rule({ selection: { kind: 'findings', priorities: ['P1'] } }),
      [finding(web1, 'f-old-kev', { kev: true, priority: 'P1' })],
      now,
    );
    expect(plan.changes[0]?.reason).toContain('cool-down of 7 days met; type standard');
  });

  it('updates become patches, one per asset, package and version', () => {
    const plan = planAutopilotRun(rule({ coolDownDays: 0 }), [update(web1, 'openssl')], now);
    expect(plan.changes[0]?.patches).toEqual([
      { assetId: 'id-web-01', packageName: 'openssl', version: '2.0' },
    ]);
    expect(plan.changes[0]?.reason).toContain('no cool-down');
  });
});

describe('AutopilotRuleDefinition', () => {
  it.each([
    [{ type: 'standard', template: undefined }, 'a standard change needs its template'],
    [{ type: 'normal', template: 'x' }, 'a template is for standard changes, not normal'],
    [{ rings: [0, 7, 3] }, 'rings must be strictly ascending'],
    [{ coolDownDays: -1 }, 'Too small'],
    [{ selection: { kind: 'findings', priorities: [] } }, 'Too small'],
    [{ extra: 1 }, 'Unrecognized key'],
  ])('refuses %j', (over, message) => {
    const result = AutopilotRuleDefinition.safeParse({
      name: 'r',
      selection: { kind: 'updates', origin: 'security' },
      scope: {},
      type: 'standard',
      template: 't',
      ...over,
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });

  it('fills the defaults', () => {
    expect(
      AutopilotRuleDefinition.parse({
        name: 'r',
        selection: { kind: 'findings', priorities: ['P1'] },
        scope: {},
        type: 'emergency',
      }),
    ).toEqual({
      name: 'r',
      selection: { kind: 'findings', priorities: ['P1'], kevOnly: false, policies: [] },
      scope: {},
      coolDownDays: 0,
      type: 'emergency',
      rings: [0],
      schedule: 'nightly',
      stage: 'schedule',
    });
  });

  it('refuses an unknown stage', () => {
    const parsed = AutopilotRuleDefinition.safeParse({
      name: 'r',
      selection: { kind: 'updates', origin: 'all' },
      scope: {},
      type: 'normal',
      stage: 'approve',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['stage']);
  });
});

describe('isRuleDue', () => {
  it.each([
    ['nightly', null, '2026-11-22T02:00:00Z', true],
    ['nightly', '2026-11-22T00:10:00Z', '2026-11-22T23:59:00Z', false],
    ['nightly', '2026-11-21T23:59:00Z', '2026-11-22T00:00:00Z', true],
    ['hourly', '2026-11-22T01:59:00Z', '2026-11-22T02:00:00Z', true],
    // 2026-11-22 is a Sunday: the ISO week began on Monday 2026-11-16.
    ['weekly', '2026-11-16T00:00:00Z', '2026-11-22T23:00:00Z', false],
    ['weekly', '2026-11-22T23:00:00Z', '2026-11-23T00:00:00Z', true],
    ['monthly', '2026-11-01T00:00:00Z', '2026-11-30T23:00:00Z', false],
    ['monthly', '2026-11-30T23:00:00Z', '2026-12-01T00:00:00Z', true],
  ] as const)('%s last %s, now %s → %s', (schedule, last, at, due) => {
    expect(isRuleDue(schedule, last, new Date(at))).toBe(due);
  });
});
