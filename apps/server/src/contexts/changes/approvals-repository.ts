/**
 * Typed queries on the approval tables (approvals-tables.ts). Rows become records here; the
 * API shapes live in approvals-schema.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ApprovalDecision, Delegation } from '@patchgate/changes';
import type { DatabaseSchema } from '../../db/schema.ts';
import type {
  ApprovalDecisionTable,
  ApproverGroupTable,
  DelegationTable,
} from './approvals-tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface GroupRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly emergency: boolean;
  readonly members: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PolicyRecord {
  readonly version: number;
  readonly rules: unknown;
  readonly createdAt: string;
  readonly createdBy: string | null;
}

export interface DelegationRecord extends Delegation {
  readonly id: string;
  readonly reason: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedBy: string | null;
}

export interface DecisionRecord extends ApprovalDecision {
  readonly id: string;
  readonly changeId: string;
  readonly approverName: string;
  readonly delegationId: string | null;
}

function toGroup(row: ApproverGroupTable, members: readonly string[]): GroupRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    emergency: Number(row.emergency) !== 0,
    members,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listGroups(db: Executor): Promise<GroupRecord[]> {
  const rows = await db.selectFrom('approver_groups').selectAll().orderBy('name').execute();
  const members = await db
    .selectFrom('approver_group_members')
    .select(['group_id', 'user_id'])
    .orderBy('added_at')
    .orderBy('user_id')
    .execute();
  return rows.map((row) =>
    toGroup(
      row,
      members.filter((m) => m.group_id === row.id).map((m) => m.user_id),
    ),
  );
}

/** A group by name or id. */
export async function findGroup(db: Executor, ref: string): Promise<GroupRecord | undefined> {
  const row = await db
    .selectFrom('approver_groups')
    .selectAll()
    .where((eb) => eb.or([eb('name', '=', ref), eb('id', '=', ref)]))
    .orderBy('name')
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const members = await db
    .selectFrom('approver_group_members')
    .select('user_id')
    .where('group_id', '=', row.id)
    .orderBy('added_at')
    .orderBy('user_id')
    .execute();
  return toGroup(
    row,
    members.map((m) => m.user_id),
  );
}

export async function insertGroup(db: Executor, row: ApproverGroupTable): Promise<void> {
  await db.insertInto('approver_groups').values(row).execute();
}

export async function updateGroup(
  db: Executor,
  id: string,
  changes: Partial<Pick<ApproverGroupTable, 'description' | 'emergency' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('approver_groups').set(changes).where('id', '=', id).execute();
}

export async function deleteGroup(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('approver_group_members').where('group_id', '=', id).execute();
  await db.deleteFrom('approver_groups').where('id', '=', id).execute();
}

export async function addMembers(
  db: Executor,
  groupId: string,
  userIds: readonly string[],
  now: string,
): Promise<void> {
  const current = new Set(
    (
      await db
        .selectFrom('approver_group_members')
        .select('user_id')
        .where('group_id', '=', groupId)
        .execute()
    ).map((r) => r.user_id),
  );
  const fresh = [...new Set(userIds)].filter((id) => !current.has(id));
  if (fresh.length === 0) return;
  await db
    .insertInto('approver_group_members')
    .values(fresh.map((user_id) => ({ group_id: groupId, user_id, added_at: now })))
    .execute();
}

export async function removeMembers(
  db: Executor,
  groupId: string,
  userIds: readonly string[],
): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .deleteFrom('approver_group_members')
    .where('group_id', '=', groupId)
    .where('user_id', 'in', [...userIds])
    .execute();
}

export async function currentPolicy(db: Executor): Promise<PolicyRecord | undefined> {
  const row = await db
    .selectFrom('approval_policies')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        version: Number(row.version),
        rules: JSON.parse(row.rules_json) as unknown,
        createdAt: row.created_at,
        createdBy: row.created_by,
      };
}

export async function insertPolicy(
  db: Executor,
  version: number,
  rules: unknown,
  now: string,
  by: string | null,
): Promise<void> {
  await db
    .insertInto('approval_policies')
    .values({ version, rules_json: JSON.stringify(rules), created_at: now, created_by: by })
    .execute();
}

function toDelegation(row: DelegationTable): DelegationRecord {
  return {
    id: row.id,
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    reason: row.reason,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

export async function listDelegations(
  db: Executor,
  filter: { userId?: string; endsAfter?: string; includeRevoked?: boolean } = {},
): Promise<DelegationRecord[]> {
  let query = db.selectFrom('delegations').selectAll();
  if (filter.userId !== undefined) {
    const userId = filter.userId;
    query = query.where((eb) =>
      eb.or([eb('from_user_id', '=', userId), eb('to_user_id', '=', userId)]),
    );
  }
  if (filter.endsAfter !== undefined) query = query.where('ends_at', '>', filter.endsAfter);
  if (filter.includeRevoked !== true) query = query.where('revoked_at', 'is', null);
  const rows = await query.orderBy('starts_at').orderBy('id').execute();
  return rows.map(toDelegation);
}

export async function getDelegation(
  db: Executor,
  id: string,
): Promise<DelegationRecord | undefined> {
  const row = await db
    .selectFrom('delegations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toDelegation(row);
}

export async function insertDelegation(db: Executor, row: DelegationTable): Promise<void> {
  await db.insertInto('delegations').values(row).execute();
}

export async function revokeDelegation(
  db: Executor,
  id: string,
  now: string,
  by: string,
): Promise<void> {
  await db
    .updateTable('delegations')
    .set({ revoked_at: now, revoked_by: by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

function toDecision(row: ApprovalDecisionTable): DecisionRecord {
  return {
    id: row.id,
    changeId: row.change_id,
    planVersion: Number(row.plan_version),
    stage: Number(row.stage),
    approverId: row.approver_id,
    approverName: row.approver_name,
    onBehalfOf: row.on_behalf_of,
    delegationId: row.delegation_id,
    decision: row.decision === 'rejected' ? 'rejected' : 'approved',
    comment: row.comment,
    at: row.decided_at,
  };
}

/** The decisions on a change that still stand (not withdrawn), oldest first. */
export async function standingDecisions(db: Executor, changeId: string): Promise<DecisionRecord[]> {
  const rows = await db
    .selectFrom('approval_decisions')
    .selectAll()
    .where('change_id', '=', changeId)
    .where('withdrawn_at', 'is', null)
    .orderBy('decided_at')
    .orderBy('id')
    .execute();
  return rows.map(toDecision);
}

export async function insertDecision(db: Executor, row: ApprovalDecisionTable): Promise<void> {
  await db.insertInto('approval_decisions').values(row).execute();
}

/** Mark every standing decision on a change withdrawn; returns the ids. */
export async function withdrawDecisions(
  db: Executor,
  changeId: string,
  now: string,
  reason: string,
): Promise<string[]> {
  const ids = (await standingDecisions(db, changeId)).map((d) => d.id);
  if (ids.length === 0) return [];
  await db
    .updateTable('approval_decisions')
    .set({ withdrawn_at: now, withdrawn_reason: reason })
    .where('change_id', '=', changeId)
    .where('withdrawn_at', 'is', null)
    .execute();
  return ids;
}
