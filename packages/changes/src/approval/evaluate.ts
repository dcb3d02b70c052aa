/**
 * Where a change's approval stands, and whether a given person may decide it now. Pure: the
 * server passes the policy, the groups with their members, the decisions, the delegations and
 * the time. The rules (readme.md, ADR 0029):
 *
 * - Stages are decided in order; only the first unsatisfied stage (the current one) takes
 *   decisions. One rejection by an eligible approver of the current stage rejects the change.
 * - Separation of duties: the requester and the implementer never approve their own change —
 *   not as members of any group, not as someone's delegate, and nobody approves on their behalf
 *   through a delegation they gave. They are not counted in an `all` quorum either.
 * - One person counts once per stage: neither the acting person nor the person they act for
 *   may already have counted in that stage.
 * - A decision counts only for the plan version it was given on; a new plan version needs new
 *   decisions. Withdrawn decisions (the server marks them) are not passed in.
 * - A delegation (from, to, window) lets its delegate decide on behalf of its giver while the
 *   window is open at the decision's time.
 * - A schedule that overrides a freeze adds the rule's freeze-override stage after the others
 *   (default: one CAB member); whoever approved an earlier stage, themselves or through a
 *   delegate, does not count there (an extra pair of eyes), and auto-approval never satisfies it.
 * - Standard changes under an auto-approving rule are approved by one system decision when the
 *   template criteria hold. Emergency changes (or rules saying so) need a retrospective review.
 */
import type { ChangeType, RiskLevel } from '../vocabulary.ts';
import type { ApprovalQuorum, ApprovalRule, ApprovalStage } from './policy.ts';
import { matchRule, ruleStages } from './policy.ts';

/** The approver id of decisions the system makes (standard auto-approval). */
export const systemApproverId = 'system';

/** What is being approved: a change at one plan version, with the facts policies match on. */
export interface ApprovalSubject {
  readonly changeId: string;
  /** Decisions are tied to it: one given on an older plan version does not count. */
  readonly planVersion: number;
  readonly type: ChangeType;
  readonly risk: RiskLevel;
  readonly environments: readonly string[];
  /** Asset groups of the assets in scope. */
  readonly groups: readonly string[];
  readonly assetIds: readonly string[];
  readonly requesterId: string;
  readonly implementerId: string | null;
  /**
   * The freezes the change's schedule overrides (names or ids; an emergency change scheduled
   * into a freeze that lets emergencies override it). Non-empty: the rule's freeze-override
   * stage is added after its stages. Absent or empty: none.
   */
  readonly freezeOverride?: readonly string[];
}

export interface ApproverGroup {
  readonly id: string;
  readonly name: string;
  readonly emergency: boolean;
  /** User ids. */
  readonly members: readonly string[];
}

export type ApprovalDecisionKind = 'approved' | 'rejected';

export interface ApprovalDecision {
  readonly id?: string;
  /** Who acted (a user id, or `systemApproverId`). */
  readonly approverId: string;
  /** Whose approval this is, when the approver acted as a delegate; else null. */
  readonly onBehalfOf: string | null;
  readonly stage: number;
  readonly planVersion: number;
  readonly decision: ApprovalDecisionKind;
  readonly comment: string | null;
  /** ISO 8601. */
  readonly at: string;
}

export interface Delegation {
  readonly id?: string;
  /** The person who is away. */
  readonly fromUserId: string;
  /** The person deciding for them. */
  readonly toUserId: string;
  /** ISO 8601, inclusive. */
  readonly startsAt: string;
  /** ISO 8601, exclusive. */
  readonly endsAt: string;
  /** When it was revoked (ISO 8601), or null. */
  readonly revokedAt: string | null;
}

/** The template criteria result the caller computed (`checkTemplateCriteria`). */
export interface CriteriaResult {
  readonly ok: boolean;
  readonly failures: readonly string[];
}

export interface ApprovalInput {
  readonly rules: readonly ApprovalRule[];
  readonly subject: ApprovalSubject;
  readonly groups: readonly ApproverGroup[];
  readonly decisions: readonly ApprovalDecision[];
  readonly delegations: readonly Delegation[];
  /** ISO 8601. */
  readonly now: string;
  /** Standard changes: whether the template's auto-approval criteria hold. */
  readonly templateCriteria?: CriteriaResult;
}

export interface StageDecision {
  readonly approverId: string;
  readonly onBehalfOf: string | null;
  readonly comment: string | null;
  readonly at: string;
}

export interface StageStatus {
  /** 1-based. */
  readonly stage: number;
  readonly name: string;
  readonly groups: readonly { readonly id: string | null; readonly name: string }[];
  readonly quorum: ApprovalQuorum;
  /** How many distinct approvals the stage needs (`all`: every eligible member). */
  readonly required: number;
  readonly approvals: readonly StageDecision[];
  readonly rejections: readonly StageDecision[];
  readonly satisfied: boolean;
  /** Who may still approve this stage now (members and their active delegates, duties separated). */
  readonly eligibleApproverIds: readonly string[];
  /** Why the stage can never be satisfied as the groups stand (too few eligible members), or null. */
  readonly unreachable: string | null;
  /**
   * The extra stage of a schedule that overrides a freeze: its approvers must not have counted
   * in another stage of the change (an extra pair of eyes), and no auto-approval satisfies it.
   */
  readonly freezeOverride: boolean;
}

export interface ApprovalStatus {
  readonly changeId: string;
  readonly planVersion: number;
  /** The policy rule that decided. */
  readonly ruleId: string;
  readonly complete: boolean;
  readonly rejected: boolean;
  /** The stage waiting for decisions (1-based), or null when complete or rejected. */
  readonly currentStage: number | null;
  readonly stages: readonly StageStatus[];
  /** Approved by the system because the standard template's criteria hold. */
  readonly autoApproved: boolean;
  /** Emergency path: the change needs a retrospective review before it can close. */
  readonly retrospectiveReviewRequired: boolean;
}

export type ApproverCheck =
  | { readonly ok: true; readonly stage: number; readonly onBehalfOf: string | null }
  | { readonly ok: false; readonly reason: string };

function delegationCovers(d: Delegation, at: string): boolean {
  return d.startsAt <= at && at < d.endsAt && (d.revokedAt === null || at < d.revokedAt);
}

/** The requester and the implementer: the people who may never approve this change. */
function conflicted(subject: ApprovalSubject): Set<string> {
  const ids = new Set([subject.requesterId]);
  if (subject.implementerId !== null) ids.add(subject.implementerId);
  return ids;
}

function stageMembers(
  groupNames: readonly string[],
  groups: readonly ApproverGroup[],
): Set<string> {
  const members = new Set<string>();
  for (const name of groupNames) {
    for (const id of groups.find((g) => g.name === name)?.members ?? []) members.add(id);
  }
  return members;
}

function requiredCount(quorum: ApprovalQuorum, eligibleMembers: number): number {
  if (quorum.kind === 'any') return 1;
  if (quorum.kind === 'count') return quorum.count;
  return Math.max(eligibleMembers, 1);
}

interface Counted {
  readonly approvals: StageDecision[];
  readonly rejections: StageDecision[];
  /** Principals (whose approval) and actors that have counted. */
  readonly people: Set<string>;
  /** Principals that approved (for the `all` quorum). */
  readonly approvingPrincipals: Set<string>;
}

/**
 * The decisions of one stage that count: current plan version, a member (or a delegate acting
 * for a member while the delegation covered the decision's time), duties separated, one person
 * once. The evaluation re-checks what `checkApprover` checked, so a decision that slipped in
 * some other way (or a group change since) is not counted.
 */
function countStage(
  input: ApprovalInput,
  stage: number,
  members: ReadonlySet<string>,
  barred: ReadonlySet<string>,
): Counted {
  const counted: Counted = {
    approvals: [],
    rejections: [],
    people: new Set(),
    approvingPrincipals: new Set(),
  };
  const ordered = input.decisions
    .filter((d) => d.stage === stage && d.planVersion === input.subject.planVersion)
    .toSorted((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const d of ordered) {
    if (d.approverId === systemApproverId) continue;
    const principal = d.onBehalfOf ?? d.approverId;
    if (barred.has(d.approverId) || barred.has(principal)) continue;
    if (!members.has(principal)) continue;
    if (
      d.onBehalfOf !== null &&
      !input.delegations.some(
        (del) =>
          del.fromUserId === d.onBehalfOf &&
          del.toUserId === d.approverId &&
          delegationCovers(del, d.at),
      )
    )
      continue;
    if (counted.people.has(principal) || counted.people.has(d.approverId)) continue;
    if (d.decision === 'rejected' && (d.comment === null || d.comment.trim() === '')) continue;
    counted.people.add(principal);
    counted.people.add(d.approverId);
    const entry = {
      approverId: d.approverId,
      onBehalfOf: d.onBehalfOf,
      comment: d.comment,
      at: d.at,
    };
    if (d.decision === 'approved') {
      counted.approvals.push(entry);
      counted.approvingPrincipals.add(principal);
    } else counted.rejections.push(entry);
  }
  return counted;
}

interface PlannedStage {
  /** 1-based. */
  readonly stage: number;
  readonly definition: ApprovalStage;
  readonly freezeOverride: boolean;
  readonly members: ReadonlySet<string>;
  /** Who may not count here: the requester and the implementer; for a freeze override also everyone who approved an earlier stage. */
  readonly barred: ReadonlySet<string>;
  readonly counted: Counted;
  /** People who approved an earlier stage (themselves or through a delegate), and which. */
  readonly earlierStageOf: ReadonlyMap<string, number>;
}

/** The change's stages in order (the rule's, then a freeze override's), each with its decisions counted. */
function stagePlan(input: ApprovalInput, rule: ApprovalRule): PlannedStage[] {
  const duties = conflicted(input.subject);
  const overrides = (input.subject.freezeOverride?.length ?? 0) > 0;
  const earlier = new Map<string, number>();
  return ruleStages(rule, overrides).map(({ definition, freezeOverride }, index) => {
    const stage = index + 1;
    const earlierStageOf = new Map(earlier);
    const members = stageMembers(definition.groups, input.groups);
    const barred = freezeOverride ? new Set([...duties, ...earlierStageOf.keys()]) : duties;
    const counted = countStage(input, stage, members, barred);
    for (const a of counted.approvals)
      for (const id of [a.approverId, a.onBehalfOf])
        if (id !== null && !earlier.has(id)) earlier.set(id, stage);
    return { stage, definition, freezeOverride, members, barred, counted, earlierStageOf };
  });
}

/** Who could still act in a stage now: members and their active delegates, minus the barred and the counted. */
function eligibleNow(
  input: ApprovalInput,
  members: ReadonlySet<string>,
  barred: ReadonlySet<string>,
  counted: Counted,
): string[] {
  const eligible = new Set<string>();
  for (const member of members) {
    if (barred.has(member) || counted.people.has(member)) continue;
    eligible.add(member);
    for (const d of input.delegations) {
      if (d.fromUserId === member && delegationCovers(d, input.now) && !barred.has(d.toUserId)) {
        if (!counted.people.has(d.toUserId)) eligible.add(d.toUserId);
      }
    }
  }
  return [...eligible].sort();
}

function retrospective(rule: ApprovalRule, subject: ApprovalSubject): boolean {
  return rule.retrospectiveReview ?? subject.type === 'emergency';
}

export function evaluateApproval(input: ApprovalInput): ApprovalStatus {
  const { subject } = input;
  const rule = matchRule(input.rules, subject);
  if (rule === undefined) {
    // A stored policy always ends in a catch-all; an unvalidated one that does not fails closed.
    return {
      changeId: subject.changeId,
      planVersion: subject.planVersion,
      ruleId: '(none)',
      complete: false,
      rejected: false,
      currentStage: null,
      stages: [],
      autoApproved: false,
      retrospectiveReviewRequired: subject.type === 'emergency',
    };
  }
  const autoApproved =
    rule.autoApprove &&
    subject.type === 'standard' &&
    input.decisions.some(
      (d) =>
        d.approverId === systemApproverId &&
        d.planVersion === subject.planVersion &&
        d.decision === 'approved',
    );
  const stages: StageStatus[] = [];
  let open = true;
  let rejected = false;
  let currentStage: number | null = null;
  stagePlan(input, rule).forEach(
    ({ stage, definition, freezeOverride, members, barred, counted }) => {
      const eligibleMembers = [...members].filter((m) => !barred.has(m)).length;
      const required = requiredCount(definition.quorum, eligibleMembers);
      // The system's standard-template approval satisfies the rule's stages, never a freeze override.
      const auto = autoApproved && !freezeOverride;
      const satisfied =
        auto ||
        (definition.quorum.kind === 'all'
          ? eligibleMembers > 0 &&
            [...members].every((m) => barred.has(m) || counted.approvingPrincipals.has(m))
          : counted.approvals.length >= required);
      if (counted.rejections.length > 0 && open && !auto) rejected = true;
      const current = open && !rejected && !satisfied;
      if (current) currentStage = stage;
      if (!satisfied) open = false;
      const unreachable = satisfied
        ? null
        : eligibleMembers === 0
          ? `no eligible member in ${definition.groups.join(', ')}`
          : eligibleMembers < required
            ? `needs ${required} approvers but ${definition.groups.join(', ')} ${eligibleMembers === 1 ? 'has' : 'have'} ${eligibleMembers} eligible`
            : null;
      stages.push({
        stage,
        name: definition.name,
        groups: definition.groups.map((name) => ({
          id: input.groups.find((g) => g.name === name)?.id ?? null,
          name,
        })),
        quorum: definition.quorum,
        required,
        approvals: counted.approvals,
        rejections: counted.rejections,
        satisfied,
        eligibleApproverIds: current ? eligibleNow(input, members, barred, counted) : [],
        unreachable,
        freezeOverride,
      });
    },
  );
  const complete = !rejected && stages.every((s) => s.satisfied);
  return {
    changeId: subject.changeId,
    planVersion: subject.planVersion,
    ruleId: rule.id,
    complete,
    rejected,
    currentStage: complete || rejected ? null : currentStage,
    stages,
    autoApproved,
    retrospectiveReviewRequired: retrospective(rule, subject),
  };
}

export interface ApproverRequest {
  readonly actorId: string;
  readonly decision: ApprovalDecisionKind;
  readonly comment?: string | null;
}

/**
 * May `actorId` record `decision` on the change now? Returns the stage it applies to and, when
 * the actor acts as a delegate, whose approval it is. The reasons are meant for people (409).
 */
export function checkApprover(input: ApprovalInput, request: ApproverRequest): ApproverCheck {
  const { subject } = input;
  const { actorId } = request;
  const refuse = (reason: string): ApproverCheck => ({ ok: false, reason });
  if (actorId === systemApproverId)
    return refuse('the system does not decide through checkApprover');
  if (actorId === subject.requesterId)
    return refuse(
      'Separation of duties: you requested this change, so someone else must decide it',
    );
  if (actorId === subject.implementerId)
    return refuse(
      'Separation of duties: you implement this change, so someone else must decide it',
    );
  if (request.decision === 'rejected' && (request.comment ?? '').trim() === '')
    return refuse('A rejection needs a comment saying why');
  const status = evaluateApproval(input);
  if (status.rejected) return refuse(`Change ${subject.changeId} is already rejected`);
  if (status.complete) return refuse(`Change ${subject.changeId} is already approved`);
  const current = status.currentStage;
  const rule = matchRule(input.rules, subject);
  const plan = rule === undefined ? [] : stagePlan(input, rule);
  const open = current === null ? undefined : plan[current - 1];
  if (current === null || open === undefined)
    return refuse('No approval stage is open for this change (its policy rule matched nothing)');
  const { definition, members, barred, counted } = open;
  if (counted.people.has(actorId))
    return refuse(
      `You (or someone acting for you) already decided stage ${current} (${definition.name}) of plan version ${subject.planVersion}`,
    );
  const delegatesFor = input.delegations.some(
    (d) => d.toUserId === actorId && delegationCovers(d, input.now) && members.has(d.fromUserId),
  );
  if (open.freezeOverride && barred.has(actorId) && (members.has(actorId) || delegatesFor))
    return refuse(
      `The freeze override needs an extra approver: you (or someone you acted for) already approved stage ${open.earlierStageOf.get(actorId) ?? '?'} of this change`,
    );
  if (members.has(actorId)) return { ok: true, stage: current, onBehalfOf: null };
  // Not a member: maybe a delegate of one, while the delegation is open.
  const givers = input.delegations
    .filter(
      (d) => d.toUserId === actorId && delegationCovers(d, input.now) && members.has(d.fromUserId),
    )
    .map((d) => d.fromUserId);
  const forOthers = givers.filter((giver) => !barred.has(giver));
  const duties = conflicted(subject);
  if (open.freezeOverride && forOthers.length === 0 && givers.some((g) => !duties.has(g)))
    return refuse(
      'The freeze override needs an extra approver: everyone you act for already approved another stage of this change',
    );
  if (givers.length > 0 && forOthers.length === 0)
    return refuse(
      'Separation of duties: you hold a delegation from the requester or the implementer of this change, which cannot approve it',
    );
  const giver = forOthers.find((g) => !counted.people.has(g));
  if (giver !== undefined) return { ok: true, stage: current, onBehalfOf: giver };
  if (forOthers.length > 0)
    return refuse(
      `The person you act for has already decided stage ${current} (${definition.name})`,
    );
  const laterStage = plan.findIndex(
    (s) => s.stage > current && stageMembers(s.definition.groups, input.groups).has(actorId),
  );
  if (laterStage >= 0)
    return refuse(
      `Stage ${current} (${definition.name}) must be decided first; you approve stage ${laterStage + 1}`,
    );
  return refuse(
    `You are not an approver of stage ${current} (${definition.name}): it needs a member of ${definition.groups.join(', ')} or their delegate`,
  );
}

/** Whether a standard change may be auto-approved now (the system decision to record). */
export function autoApprovalApplies(
  rules: readonly ApprovalRule[],
  subject: ApprovalSubject,
  criteria: CriteriaResult,
): { ok: true; ruleId: string } | { ok: false; reason: string } {
  const rule = matchRule(rules, subject);
  if (subject.type !== 'standard')
    return { ok: false, reason: 'only standard changes are auto-approved' };
  if (rule === undefined || !rule.autoApprove)
    return { ok: false, reason: `policy rule ${rule?.id ?? '(none)'} does not auto-approve` };
  if (!criteria.ok)
    return { ok: false, reason: `template criteria do not hold: ${criteria.failures.join('; ')}` };
  return { ok: true, ruleId: rule.id };
}
