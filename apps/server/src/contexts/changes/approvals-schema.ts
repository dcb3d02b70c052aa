/** The approval API's zod schemas: strict inputs (unknown keys rejected), every field described. */
import { ApprovalPolicyRules, ApprovalQuorum, ApproverGroupName } from '@patchgate/changes';
import { z } from 'zod';

const userRef = z.string().min(1).max(255).describe('a user, by username or id');
const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ApiUserRef = z
  .object({
    id: z.string(),
    username: z.string().nullable().describe('null when the user no longer exists'),
    displayName: z.string().nullable(),
  })
  .describe('a user');
export type ApiUserRef = z.infer<typeof ApiUserRef>;

export const ApiApproverGroup = z
  .object({
    id: z.string(),
    name: z.string().describe('how approval policies refer to the group'),
    description: z.string(),
    emergency: z.boolean().describe('one member approves an emergency change'),
    members: z.array(ApiUserRef),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('An approver group');
export type ApiApproverGroup = z.infer<typeof ApiApproverGroup>;

export const ApproverGroupList = z.object({ groups: z.array(ApiApproverGroup) });
export type ApproverGroupList = z.infer<typeof ApproverGroupList>;

export const ApproverGroupParams = z.strictObject({
  group: z.string().min(1).max(100).describe('approver group name or id'),
});
export type ApproverGroupParams = z.infer<typeof ApproverGroupParams>;

export const CreateApproverGroupBody = z.strictObject({
  name: ApproverGroupName,
  description: z.string().max(500).default('').describe('what the group is for'),
  emergency: z.boolean().default(false).describe('an emergency approver group'),
});
export type CreateApproverGroupBody = z.infer<typeof CreateApproverGroupBody>;

export const UpdateApproverGroupBody = z
  .strictObject({
    description: z.string().max(500).optional().describe('what the group is for'),
    emergency: z.boolean().optional().describe('an emergency approver group'),
  })
  .refine((b) => b.description !== undefined || b.emergency !== undefined, {
    message: 'give description or emergency',
  });
export type UpdateApproverGroupBody = z.infer<typeof UpdateApproverGroupBody>;

export const ApproverGroupMembersBody = z
  .strictObject({
    add: z.array(userRef).max(100).default([]).describe('users to add'),
    remove: z.array(userRef).max(100).default([]).describe('users to remove'),
  })
  .refine((b) => b.add.length + b.remove.length > 0, { message: 'give add or remove' });
export type ApproverGroupMembersBody = z.infer<typeof ApproverGroupMembersBody>;

export const ApiApprovalPolicy = z
  .object({
    version: z.number().int().describe('increases with each stored policy'),
    rules: ApprovalPolicyRules,
    createdAt: z.string(),
    createdBy: ApiUserRef.nullable().describe('null for the seeded default'),
  })
  .describe('The approval policy in force: the first rule matching a change decides');
export type ApiApprovalPolicy = z.infer<typeof ApiApprovalPolicy>;

export const PutApprovalPolicyBody = z.strictObject({
  rules: ApprovalPolicyRules,
});
export type PutApprovalPolicyBody = z.infer<typeof PutApprovalPolicyBody>;

export const ApiDelegation = z
  .object({
    id: z.string(),
    from: ApiUserRef.describe('whose approvals are delegated (the person away)'),
    to: ApiUserRef.describe('who decides for them'),
    startsAt: z.string().describe('inclusive'),
    endsAt: z.string().describe('exclusive'),
    reason: z.string(),
    active: z.boolean().describe('in force now (inside its window, not revoked)'),
    createdAt: z.string(),
    createdBy: ApiUserRef,
    revokedAt: z.string().nullable(),
    revokedBy: ApiUserRef.nullable(),
  })
  .describe('A delegation of approvals while someone is away');
export type ApiDelegation = z.infer<typeof ApiDelegation>;

export const DelegationList = z.object({ delegations: z.array(ApiDelegation) });
export type DelegationList = z.infer<typeof DelegationList>;

export const DelegationListQuery = z.strictObject({
  user: userRef.optional().describe('only delegations from or to this user (username or id)'),
  ended: booleanText
    .optional()
    .describe('true: also list delegations whose window has ended and revoked ones'),
});
export type DelegationListQuery = z.infer<typeof DelegationListQuery>;

export const CreateDelegationBody = z.strictObject({
  from: userRef
    .optional()
    .describe('whose approvals (default: the caller; another user needs changes:manage)'),
  to: userRef.describe('who decides for them'),
  startsAt: z.iso.datetime({ offset: true }).describe('start of the window (ISO 8601)'),
  endsAt: z.iso
    .datetime({ offset: true })
    .describe('end of the window (ISO 8601, exclusive); at most one year after the start'),
  reason: z.string().max(500).default('').describe('why (holiday, leave…)'),
});
export type CreateDelegationBody = z.infer<typeof CreateDelegationBody>;

export const DelegationIdParams = z.strictObject({
  id: z.uuid().describe('delegation id'),
});
export type DelegationIdParams = z.infer<typeof DelegationIdParams>;

const StageDecision = z.object({
  approverId: z.string(),
  onBehalfOf: z.string().nullable().describe('whose approval, when given as a delegate'),
  comment: z.string().nullable(),
  at: z.string(),
});

/** A change's approval status, for the changes context's responses. */
export const ApiApprovalStatus = z
  .object({
    changeId: z.string(),
    planVersion: z.number().int(),
    ruleId: z.string().describe('the policy rule that decided'),
    complete: z.boolean(),
    rejected: z.boolean(),
    currentStage: z.number().int().nullable().describe('the stage waiting for decisions'),
    autoApproved: z
      .boolean()
      .describe("approved by the system: the standard template's criteria hold"),
    retrospectiveReviewRequired: z.boolean(),
    stages: z.array(
      z.object({
        stage: z.number().int(),
        name: z.string(),
        groups: z.array(z.object({ id: z.string().nullable(), name: z.string() })),
        quorum: ApprovalQuorum,
        required: z.number().int(),
        approvals: z.array(StageDecision),
        rejections: z.array(StageDecision),
        satisfied: z.boolean(),
        eligibleApproverIds: z.array(z.string()),
        unreachable: z.string().nullable(),
        freezeOverride: z
          .boolean()
          .describe(
            'the extra stage of a schedule overriding a freeze: nobody who approved another stage counts',
          ),
      }),
    ),
  })
  .describe("Where a change's approval stands");
export type ApiApprovalStatus = z.infer<typeof ApiApprovalStatus>;
