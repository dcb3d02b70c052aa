/**
 * The approval tables of the changes context (migration 0014): approver groups and their
 * members, the approval policy's versions, delegations and the decisions given on changes.
 * Timestamps are ISO 8601 UTC text, booleans 0/1, JSON is text (docs/adr/0007-server-storage.md).
 * User ids belong to the auth context; they are copied here as ids (with a name for reading
 * the history after a user is gone), never joined.
 */
export interface ApproverGroupTable {
  id: string;
  /** Unique; how policies refer to the group. */
  name: string;
  description: string;
  /** 1: an emergency group (one member approves an emergency change). */
  emergency: number;
  created_at: string;
  updated_at: string;
}

export interface ApproverGroupMemberTable {
  group_id: string;
  user_id: string;
  added_at: string;
}

/** Every version of the approval policy is kept; the highest is in force. */
export interface ApprovalPolicyTable {
  version: number;
  /** JSON `ApprovalPolicyRules` (@patchgate/changes). */
  rules_json: string;
  created_at: string;
  /** The user who stored it, or null for the seeded default. */
  created_by: string | null;
}

export interface DelegationTable {
  id: string;
  /** Whose approvals are delegated (the person away). */
  from_user_id: string;
  to_user_id: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface ApprovalDecisionTable {
  id: string;
  change_id: string;
  plan_version: number;
  stage: number;
  /** The user who decided, or `system` (standard auto-approval). */
  approver_id: string;
  approver_name: string;
  /** The user whose approval this is when the approver acted as their delegate. */
  on_behalf_of: string | null;
  delegation_id: string | null;
  /** `approved` or `rejected`. */
  decision: string;
  comment: string | null;
  decided_at: string;
  /** Set when a material edit withdrew it (it then no longer counts). */
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
}

export interface ApprovalTables {
  approver_groups: ApproverGroupTable;
  approver_group_members: ApproverGroupMemberTable;
  approval_policies: ApprovalPolicyTable;
  delegations: DelegationTable;
  approval_decisions: ApprovalDecisionTable;
}
