/**
 * Approval policies as data: an ordered list of rules, each matched by change type, risk,
 * environment and asset group, each naming the stages of approval a matching change needs.
 * The first rule that matches decides (like a firewall's rule list: the order is the
 * precedence, and what a rule means never depends on the rules after it); the last rule must
 * match every change, so no change is ever left without approvers (fail closed).
 * See readme.md and docs/adr/0029-approval-policies-separation-of-duties.md.
 */
import { environments } from '@patchgate/model';
import { z } from 'zod';
import { changeTypes, riskLevels } from '../vocabulary.ts';
import type { ChangeType, RiskLevel } from '../vocabulary.ts';

/** An approver group's name as a policy refers to it: stable, human-readable. */
export const ApproverGroupName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"')
  .describe('approver group name (lower-case letters, digits, ".", "_", "-")');

/** How many of a stage's approvers must approve. */
export const ApprovalQuorum = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('any').describe('any one eligible approver') }),
    z.strictObject({
      kind: z.literal('count').describe('at least `count` distinct approvers'),
      count: z.number().int().min(1).max(50).describe('how many distinct approvers'),
    }),
    z.strictObject({
      kind: z
        .literal('all')
        .describe('every member of the groups (except the requester and the implementer)'),
    }),
  ])
  .describe('quorum: any one, N of the groups, or all of them');
export type ApprovalQuorum = z.infer<typeof ApprovalQuorum>;

export const ApprovalStage = z
  .strictObject({
    name: z.string().min(1).max(100).describe('what the stage is, e.g. "service owner" or "CAB"'),
    groups: z
      .array(ApproverGroupName)
      .min(1)
      .max(10)
      .describe('approver groups whose members may approve this stage (the union of them)'),
    quorum: ApprovalQuorum,
  })
  .describe('one stage of approval; stages are decided in order');
export type ApprovalStage = z.infer<typeof ApprovalStage>;

export const ApprovalMatch = z
  .strictObject({
    types: z.array(z.enum(changeTypes)).min(1).optional().describe('change types (absent: any)'),
    risks: z.array(z.enum(riskLevels)).min(1).optional().describe('risk levels (absent: any)'),
    environments: z
      .array(z.enum(environments))
      .min(1)
      .optional()
      .describe('matches when any asset in scope is in one of these environments (absent: any)'),
    assetGroups: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(50)
      .optional()
      .describe('matches when any asset in scope is in one of these asset groups (absent: any)'),
  })
  .describe('what a rule applies to: every given field must match (absent fields match all)');
export type ApprovalMatch = z.infer<typeof ApprovalMatch>;

export const ApprovalRule = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9._-]*$/)
      .describe('rule id, unique in the policy (shown in the approval status)'),
    description: z.string().max(500).default('').describe('why this rule exists'),
    match: ApprovalMatch.default({}),
    autoApprove: z
      .boolean()
      .default(false)
      .describe(
        'standard changes only: approved by the system when the template criteria hold; the stages apply when they do not',
      ),
    retrospectiveReview: z
      .boolean()
      .optional()
      .describe('the change needs a retrospective review (default: true for emergency changes)'),
    stages: z.array(ApprovalStage).min(1).max(5).describe('the stages, in order'),
    freezeOverride: ApprovalStage.optional().describe(
      "the extra stage, decided after the others, when the change's schedule overrides a freeze (absent: one member of cab)",
    ),
  })
  .describe('one approval rule');
export type ApprovalRule = z.infer<typeof ApprovalRule>;
export type ApprovalRuleInput = z.input<typeof ApprovalRule>;

export const ApprovalPolicyRules = z
  .array(ApprovalRule)
  .min(1)
  .max(100)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.id))
        ctx.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `duplicate rule id "${rule.id}"`,
        });
      seen.add(rule.id);
      if (
        rule.autoApprove &&
        !(rule.match.types?.length === 1 && rule.match.types[0] === 'standard')
      )
        ctx.addIssue({
          code: 'custom',
          path: [index, 'autoApprove'],
          message:
            'only a rule matching standard changes alone (types: [standard]) may auto-approve',
        });
    });
    const last = rules.at(-1);
    if (last !== undefined && !isCatchAll(last.match))
      ctx.addIssue({
        code: 'custom',
        path: [rules.length - 1, 'match'],
        message:
          'the last rule must match every change (an empty match), so no change is left without approvers',
      });
  })
  .describe('the rules in order: the first that matches a change decides');
export type ApprovalPolicyRules = z.infer<typeof ApprovalPolicyRules>;

function isCatchAll(match: ApprovalMatch): boolean {
  return (
    match.types === undefined &&
    match.risks === undefined &&
    match.environments === undefined &&
    match.assetGroups === undefined
  );
}

/** What a rule is matched against: the change's facts, not its id. */
export interface PolicyFacts {
  readonly type: ChangeType;
  readonly risk: RiskLevel;
  /** The environments of the assets in scope (any order, duplicates allowed). */
  readonly environments: readonly string[];
  /** The asset groups of the assets in scope. */
  readonly groups: readonly string[];
}

export function ruleMatches(rule: ApprovalRule, facts: PolicyFacts): boolean {
  const { match } = rule;
  const overlaps = (wanted: readonly string[] | undefined, have: readonly string[]) =>
    wanted === undefined || have.some((value) => wanted.includes(value));
  return (
    (match.types === undefined || match.types.includes(facts.type)) &&
    (match.risks === undefined || match.risks.includes(facts.risk)) &&
    overlaps(match.environments, facts.environments) &&
    overlaps(match.assetGroups, facts.groups)
  );
}

/** The first rule that matches (a valid policy's last rule always does). */
export function matchRule(
  rules: readonly ApprovalRule[],
  facts: PolicyFacts,
): ApprovalRule | undefined {
  return rules.find((rule) => ruleMatches(rule, facts));
}

/**
 * The extra stage a change needs when its schedule overrides a freeze (an emergency change
 * scheduled into a freeze that lets emergencies override it), for rules that do not name their
 * own `freezeOverride`: one member of the CAB, who has not approved another stage of the change.
 */
export const defaultFreezeOverrideStage: ApprovalStage = {
  name: 'freeze override',
  groups: ['cab'],
  quorum: { kind: 'any' },
};

/** The stage a rule asks when the change's schedule overrides a freeze. */
export function freezeOverrideStage(rule: ApprovalRule): ApprovalStage {
  return rule.freezeOverride ?? defaultFreezeOverrideStage;
}

/**
 * The stages a change matched by `rule` needs, in order: the rule's own, then — when the
 * change's schedule overrides a freeze — the freeze-override stage (last, so the other
 * stages keep their numbers).
 */
export function ruleStages(
  rule: ApprovalRule,
  overridesFreeze: boolean,
): { readonly definition: ApprovalStage; readonly freezeOverride: boolean }[] {
  const stages = rule.stages.map((definition) => ({ definition, freezeOverride: false }));
  return overridesFreeze
    ? [...stages, { definition: freezeOverrideStage(rule), freezeOverride: true }]
    : stages;
}

/**
 * Every group name a policy refers to, the freeze-override stages' included (the default's
 * `cab` for rules without their own): to check they exist before a policy is stored, and that a
 * group the policy needs is not deleted.
 */
export function policyGroupNames(rules: readonly ApprovalRule[]): string[] {
  return [
    ...new Set(
      rules.flatMap((r) => [
        ...r.stages.flatMap((s) => s.groups),
        ...freezeOverrideStage(r).groups,
      ]),
    ),
  ].sort();
}

/**
 * The policy a new installation starts with (seeded by the server's migration 0014):
 * standard → auto-approved when the template criteria hold, else one service owner or CAB
 * member; emergency → one member of the emergency group; normal changes touching production,
 * or of moderate/high risk → a service owner, then two of the CAB; other normal changes
 * (low risk, not production) → one service owner or CAB member.
 */
export const defaultApprovalRules: readonly ApprovalRuleInput[] = [
  {
    id: 'emergency',
    description: 'Emergency changes: one member of the emergency group; reviewed afterwards.',
    match: { types: ['emergency'] },
    retrospectiveReview: true,
    stages: [{ name: 'emergency approver', groups: ['emergency'], quorum: { kind: 'any' } }],
  },
  {
    id: 'standard',
    description:
      "Standard changes: approved by the system when the template's criteria hold; otherwise one service owner or CAB member.",
    match: { types: ['standard'] },
    autoApprove: true,
    stages: [
      { name: 'service owner or CAB', groups: ['service-owners', 'cab'], quorum: { kind: 'any' } },
    ],
  },
  {
    id: 'normal-production',
    description: 'Normal changes touching production: a service owner, then two of the CAB.',
    match: { types: ['normal'], environments: ['production'] },
    stages: [
      { name: 'service owner', groups: ['service-owners'], quorum: { kind: 'any' } },
      { name: 'CAB', groups: ['cab'], quorum: { kind: 'count', count: 2 } },
    ],
  },
  {
    id: 'normal-elevated-risk',
    description: 'Normal changes of moderate or high risk: a service owner, then two of the CAB.',
    match: { types: ['normal'], risks: ['moderate', 'high'] },
    stages: [
      { name: 'service owner', groups: ['service-owners'], quorum: { kind: 'any' } },
      { name: 'CAB', groups: ['cab'], quorum: { kind: 'count', count: 2 } },
    ],
  },
  {
    id: 'default',
    description:
      'Everything else (low-risk normal changes off production): one service owner or CAB member.',
    stages: [
      { name: 'service owner or CAB', groups: ['service-owners', 'cab'], quorum: { kind: 'any' } },
    ],
  },
];

/** The groups the default policy names, as the migration seeds them. */
export const defaultApproverGroups = [
  {
    name: 'service-owners',
    description: 'Owners of the services the assets run',
    emergency: false,
  },
  { name: 'cab', description: 'Change advisory board', emergency: false },
  {
    name: 'emergency',
    description: 'Emergency change approvers (one suffices; a retrospective review follows)',
    emergency: true,
  },
] as const;
