/**
 * What the change screens share: the API's types (from the generated schema, never written by
 * hand), the actions a change offers by state and permission (the server's state machine,
 * `@patchgate/changes` transitionTable, decides again on every call), and who may decide it.
 */
import type { paths } from '../../api/client.ts';
import type { Permission, SessionUser } from '../../api/session.tsx';
import type { Tone } from '../../ui/badges.tsx';

export type ChangeDetail =
  paths['/api/v1/changes/{id}']['get']['responses']['200']['content']['application/json'];
export type ChangeSummary =
  paths['/api/v1/changes']['get']['responses']['200']['content']['application/json']['changes'][number];
export type ChangeState = ChangeDetail['state'];
export type ChangeType = ChangeDetail['type'];
export type RiskLevel = ChangeDetail['risk']['level'];
export type Plans = ChangeDetail['plans'];
export type PlansBody = NonNullable<
  paths['/api/v1/changes/{id}/plans']['put']['requestBody']['content']['application/json']['plans']
>;
export type ApprovalGroups =
  paths['/api/v1/approver-groups']['get']['responses']['200']['content']['application/json'];

export const changeStates: readonly ChangeState[] = [
  'draft',
  'submitted',
  'authorise',
  'scheduled',
  'implementing',
  'review',
  'closed',
  'rejected',
  'cancelled',
  'failed',
  'rolled_back',
];
export const changeTypes: readonly ChangeType[] = ['standard', 'normal', 'emergency'];
export const riskLevels: readonly RiskLevel[] = ['low', 'moderate', 'high'];

export const riskTone: Record<RiskLevel, Tone> = { low: 'low', moderate: 'medium', high: 'high' };

/** The state machine's actions that have their own endpoint and take an optional/required reason. */
export type SimpleAction =
  'submit' | 'start' | 'complete' | 'fail' | 'roll-back' | 'cancel' | 'close' | 'reopen' | 'revise';

export interface ActionSpec {
  readonly action: SimpleAction;
  readonly label: string;
  /** The states it may start from (transitionTable's `from`). */
  readonly from: readonly ChangeState[];
  readonly permission: Permission;
  /** The API refuses it without a reason. */
  readonly reasonRequired: boolean;
  readonly danger: boolean;
  /** What it does, said in the confirmation. */
  readonly explain: string;
}

/** In the order a person meets them; `from` mirrors `transitionTable` of @patchgate/changes. */
export const actionSpecs: readonly ActionSpec[] = [
  {
    action: 'submit',
    label: 'Submit',
    from: ['draft'],
    permission: 'changes:request',
    reasonRequired: false,
    danger: false,
    explain: 'The change is assessed (risk, plans, template) and sent for authorisation.',
  },
  {
    action: 'revise',
    label: 'Revise',
    from: ['submitted', 'authorise'],
    permission: 'changes:request',
    reasonRequired: true,
    danger: false,
    explain: 'The change goes back to draft for edits; approvals given so far are void.',
  },
  {
    action: 'start',
    label: 'Start',
    from: ['scheduled'],
    permission: 'changes:implement',
    reasonRequired: false,
    danger: false,
    explain: 'Implementation begins (the window must have opened).',
  },
  {
    action: 'complete',
    label: 'Complete',
    from: ['implementing'],
    permission: 'changes:implement',
    reasonRequired: false,
    danger: false,
    explain: 'Implementation finished as planned: the change goes to review.',
  },
  {
    action: 'fail',
    label: 'Mark failed',
    from: ['implementing'],
    permission: 'changes:implement',
    reasonRequired: false,
    danger: true,
    explain: 'Implementation failed and was not rolled back (yet).',
  },
  {
    action: 'roll-back',
    label: 'Roll back',
    from: ['implementing', 'failed'],
    permission: 'changes:implement',
    reasonRequired: true,
    danger: true,
    explain: 'Record that the rollback plan was executed.',
  },
  {
    action: 'close',
    label: 'Close',
    from: ['review'],
    permission: 'changes:implement',
    reasonRequired: false,
    danger: false,
    explain:
      'The review is done and the change is closed (emergency, failed and rolled-back changes need their review first).',
  },
  {
    action: 'reopen',
    label: 'Reopen',
    from: ['rejected'],
    permission: 'changes:request',
    reasonRequired: true,
    danger: false,
    explain: 'The rejected change becomes a draft again, to be revised and resubmitted.',
  },
  {
    action: 'cancel',
    label: 'Cancel change',
    from: ['draft', 'submitted', 'authorise', 'scheduled'],
    permission: 'changes:request',
    reasonRequired: true,
    danger: true,
    explain: 'Nobody wants the change any more; it cannot be resumed.',
  },
];

/** The simple actions this user is offered for a change in `state`. */
export function offeredActions(
  state: ChangeState,
  can: (permission: Permission) => boolean,
): ActionSpec[] {
  return actionSpecs.filter((spec) => spec.from.includes(state) && can(spec.permission));
}

/** States in which the change's schedule may be set or moved (`schedule`, or a material reschedule). */
export const schedulableStates: readonly ChangeState[] = ['authorise', 'scheduled'];
/** States whose plans may be edited (`PUT /plans`). */
export const plannableStates: readonly ChangeState[] = [
  'draft',
  'submitted',
  'authorise',
  'scheduled',
];

/** Where this user stands on deciding a change now (separation of duties made visible). */
export type DecisionStanding =
  | { readonly kind: 'not-open'; readonly why: string }
  | { readonly kind: 'requester' | 'implementer'; readonly why: string }
  | { readonly kind: 'decided'; readonly why: string }
  | { readonly kind: 'eligible'; readonly stage: string }
  | { readonly kind: 'not-eligible'; readonly why: string };

export function decisionStanding(
  change: Pick<ChangeDetail, 'state' | 'approvals' | 'requester' | 'implementer'>,
  user: Pick<SessionUser, 'id'>,
): DecisionStanding {
  const { approvals } = change;
  if (change.state !== 'authorise' || approvals.complete || approvals.rejected)
    return {
      kind: 'not-open',
      why: approvals.rejected
        ? 'The change was rejected.'
        : approvals.complete
          ? 'The approvals for this plan version are complete.'
          : `No decision is open in state ${change.state.replaceAll('_', ' ')}.`,
    };
  if (change.requester.id === user.id)
    return {
      kind: 'requester',
      why: 'Separation of duties: you requested this change, so someone else must decide it.',
    };
  if (change.implementer?.id === user.id)
    return {
      kind: 'implementer',
      why: 'Separation of duties: you implement this change, so someone else must decide it.',
    };
  const stage = approvals.stages.find((s) => s.stage === approvals.currentStage);
  if (stage === undefined) return { kind: 'not-open', why: 'No approval stage is open.' };
  const decided = [...stage.approvals, ...stage.rejections].some(
    (d) => d.approverId === user.id || d.onBehalfOf === user.id,
  );
  if (decided)
    return {
      kind: 'decided',
      why: `You already decided stage ${stage.stage} (${stage.name}) of plan version ${approvals.planVersion}.`,
    };
  if (!stage.eligibleApproverIds.includes(user.id))
    return {
      kind: 'not-eligible',
      why: `Stage ${stage.stage} (${stage.name}) needs a member of ${stage.groups.map((g) => g.name).join(', ')}.`,
    };
  return { kind: 'eligible', stage: `${stage.stage} (${stage.name})` };
}

/** user id → display name, from the approver groups' members. */
export function peopleByIdFrom(groups: ApprovalGroups | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const group of groups?.groups ?? [])
    for (const member of group.members)
      names.set(member.id, member.displayName ?? member.username ?? member.id);
  return names;
}

/** `2` or `25%` as the API takes a count-or-percentage. */
export function countOrPercent(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** `1 asset`, `3 assets`. */
export const plural = (count: number, noun: string, many = `${noun}s`): string =>
  `${count} ${count === 1 ? noun : many}`;

/** `2 assets, 7 patches, 91 findings`. */
export const scopeText = (counts: ChangeDetail['counts']): string =>
  [
    plural(counts.assets, 'asset'),
    plural(counts.patches, 'patch', 'patches'),
    plural(counts.findings, 'finding'),
  ].join(', ');
