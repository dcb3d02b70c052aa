/**
 * The approval administration behind the routes: approver groups and their members, the
 * approval policy (every version kept), delegations. Every write is audited in its
 * transaction. Users are named through the auth context's directory (by username or id).
 */
import { randomUUID } from 'node:crypto';
import { ApprovalPolicyRules, policyGroupNames } from '@patchgate/changes';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { timestamp } from '../../clock.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../http/problems.ts';
import type { AuditEventInput, RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import type { DirectoryUser } from '../auth/index.ts';
import { resolveUserRef, usersByIds } from '../auth/index.ts';
import type { DelegationRecord, Executor, GroupRecord } from './approvals-repository.ts';
import {
  addMembers,
  currentPolicy,
  deleteGroup,
  findGroup,
  getDelegation,
  insertDelegation,
  insertGroup,
  insertPolicy,
  listDelegations,
  listGroups,
  removeMembers,
  revokeDelegation,
  updateGroup,
} from './approvals-repository.ts';
import type {
  ApiApprovalPolicy,
  ApiApproverGroup,
  ApiDelegation,
  ApiUserRef,
  ApproverGroupMembersBody,
  CreateApproverGroupBody,
  CreateDelegationBody,
  PutApprovalPolicyBody,
  UpdateApproverGroupBody,
} from './approvals-schema.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

/** Who acts, and whether they may manage approvals (changes:manage). */
export interface ApprovalActing extends RequestSource {
  readonly canManage: boolean;
}

/** Audit a write by `acting` in its transaction (actor, request id and address from `acting`). */
async function audit(
  ctx: Ctx,
  trx: Transaction<DatabaseSchema>,
  acting: RequestSource,
  event: Omit<AuditEventInput, 'actor' | 'requestId' | 'ip'>,
): Promise<void> {
  await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    ...event,
    actor: acting.actor,
    requestId: acting.requestId ?? null,
    ip: acting.ip ?? null,
  });
}

function userRef(id: string, users: ReadonlyMap<string, DirectoryUser>): ApiUserRef {
  const user = users.get(id);
  return { id, username: user?.username ?? null, displayName: user?.displayName ?? null };
}

async function toApiGroups(
  db: Executor,
  groups: readonly GroupRecord[],
): Promise<ApiApproverGroup[]> {
  const users = await usersByIds(
    db,
    groups.flatMap((g) => g.members),
  );
  return groups.map((g) => ({
    id: g.id,
    name: g.name,
    description: g.description,
    emergency: g.emergency,
    members: g.members
      .map((id) => userRef(id, users))
      .sort((a, b) => (a.username ?? '\uffff').localeCompare(b.username ?? '\uffff')),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
  }));
}

async function toApiGroup(db: Executor, group: GroupRecord): Promise<ApiApproverGroup> {
  const [api] = await toApiGroups(db, [group]);
  if (api === undefined) throw new Error('unreachable: one group in, one out');
  return api;
}

function groupAudit(group: GroupRecord | undefined) {
  return group === undefined
    ? undefined
    : {
        name: group.name,
        description: group.description,
        emergency: group.emergency,
        members: group.members,
      };
}

async function requireGroup(db: Executor, ref: string): Promise<GroupRecord> {
  const group = await findGroup(db, ref);
  if (group === undefined) throw new NotFoundError(`Approver group ${ref}`);
  return group;
}

export async function listApproverGroups(ctx: Ctx): Promise<ApiApproverGroup[]> {
  return toApiGroups(ctx.database.db, await listGroups(ctx.database.db));
}

export async function approverGroup(ctx: Ctx, ref: string): Promise<ApiApproverGroup> {
  return toApiGroup(ctx.database.db, await requireGroup(ctx.database.db, ref));
}

export async function createApproverGroup(
  ctx: Ctx,
  body: CreateApproverGroupBody,
  acting: RequestSource,
): Promise<ApiApproverGroup> {
  const now = timestamp(ctx.clock);
  return ctx.database.db.transaction().execute(async (trx) => {
    if ((await findGroup(trx, body.name)) !== undefined)
      throw new ConflictError(`An approver group named "${body.name}" already exists`);
    const id = randomUUID();
    await insertGroup(trx, {
      id,
      name: body.name,
      description: body.description,
      emergency: body.emergency ? 1 : 0,
      created_at: now,
      updated_at: now,
    });
    const group = await requireGroup(trx, id);
    await audit(ctx, trx, acting, {
      action: 'approver_group.created',
      subjectType: 'approver_group',
      subjectId: id,
      after: groupAudit(group),
    });
    return toApiGroup(trx, group);
  });
}

export async function updateApproverGroup(
  ctx: Ctx,
  ref: string,
  body: UpdateApproverGroupBody,
  acting: RequestSource,
): Promise<ApiApproverGroup> {
  const now = timestamp(ctx.clock);
  return ctx.database.db.transaction().execute(async (trx) => {
    const before = await requireGroup(trx, ref);
    if (body.emergency === false && before.emergency) {
      const policy = await currentPolicy(trx);
      const rules = ApprovalPolicyRules.safeParse(policy?.rules);
      const emergencyRules = rules.success
        ? rules.data.filter((r) => r.match.types?.length === 1 && r.match.types[0] === 'emergency')
        : [];
      if (emergencyRules.some((r) => r.stages.some((s) => s.groups.includes(before.name))))
        throw new ConflictError(
          `The approval policy's emergency rule names "${before.name}": it stays an emergency group`,
        );
    }
    await updateGroup(trx, before.id, {
      ...(body.description !== undefined && { description: body.description }),
      ...(body.emergency !== undefined && { emergency: body.emergency ? 1 : 0 }),
      updated_at: now,
    });
    const after = await requireGroup(trx, before.id);
    await audit(ctx, trx, acting, {
      action: 'approver_group.updated',
      subjectType: 'approver_group',
      subjectId: before.id,
      before: groupAudit(before),
      after: groupAudit(after),
    });
    return toApiGroup(trx, after);
  });
}

export async function deleteApproverGroup(
  ctx: Ctx,
  ref: string,
  acting: RequestSource,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const group = await requireGroup(trx, ref);
    const policy = await currentPolicy(trx);
    const rules = ApprovalPolicyRules.safeParse(policy?.rules);
    if (rules.success && policyGroupNames(rules.data).includes(group.name))
      throw new ConflictError(
        `The approval policy (version ${policy?.version ?? 0}) names the group "${group.name}"; change the policy first`,
      );
    await deleteGroup(trx, group.id);
    await audit(ctx, trx, acting, {
      action: 'approver_group.deleted',
      subjectType: 'approver_group',
      subjectId: group.id,
      before: groupAudit(group),
    });
  });
}

async function resolveUsers(
  db: Executor,
  refs: readonly string[],
  field: string,
): Promise<DirectoryUser[]> {
  const users: DirectoryUser[] = [];
  for (const [index, ref] of refs.entries()) {
    const user = await resolveUserRef(db, ref);
    if (user === undefined)
      throw new ValidationError(`No user has the name or id "${ref}"`, [
        { field: `${field}[${index}]`, message: 'names no user' },
      ]);
    users.push(user);
  }
  return users;
}

export async function changeApproverGroupMembers(
  ctx: Ctx,
  ref: string,
  body: ApproverGroupMembersBody,
  acting: RequestSource,
): Promise<ApiApproverGroup> {
  const now = timestamp(ctx.clock);
  return ctx.database.db.transaction().execute(async (trx) => {
    const before = await requireGroup(trx, ref);
    const add = await resolveUsers(trx, body.add, 'body.add');
    const remove = await resolveUsers(trx, body.remove, 'body.remove');
    const disabled = add.find((u) => u.disabled);
    if (disabled !== undefined)
      throw new ValidationError(`User ${disabled.username} is disabled`, [
        { field: 'body.add', message: `${disabled.username} is disabled` },
      ]);
    await addMembers(
      trx,
      before.id,
      add.map((u) => u.id),
      now,
    );
    await removeMembers(
      trx,
      before.id,
      remove.map((u) => u.id),
    );
    await updateGroup(trx, before.id, { updated_at: now });
    const after = await requireGroup(trx, before.id);
    await audit(ctx, trx, acting, {
      action: 'approver_group.members-changed',
      subjectType: 'approver_group',
      subjectId: before.id,
      before: groupAudit(before),
      after: groupAudit(after),
    });
    return toApiGroup(trx, after);
  });
}

export async function approvalPolicy(ctx: Ctx): Promise<ApiApprovalPolicy> {
  const db = ctx.database.db;
  const policy = await currentPolicy(db);
  if (policy === undefined) throw new NotFoundError('The approval policy');
  const users = await usersByIds(db, policy.createdBy === null ? [] : [policy.createdBy]);
  return {
    version: policy.version,
    rules: ApprovalPolicyRules.parse(policy.rules),
    createdAt: policy.createdAt,
    createdBy: policy.createdBy === null ? null : userRef(policy.createdBy, users),
  };
}

/** Store a new version of the policy; every group it names must exist (422 otherwise). */
export async function putApprovalPolicy(
  ctx: Ctx,
  body: PutApprovalPolicyBody,
  acting: RequestSource,
): Promise<ApiApprovalPolicy> {
  const now = timestamp(ctx.clock);
  await ctx.database.db.transaction().execute(async (trx) => {
    const groups = await listGroups(trx);
    const known = new Set(groups.map((g) => g.name));
    const missing = policyGroupNames(body.rules).filter((name) => !known.has(name));
    if (missing.length > 0)
      throw new ValidationError(`The policy names unknown approver groups: ${missing.join(', ')}`, [
        { field: 'body.rules', message: `unknown approver groups: ${missing.join(', ')}` },
      ]);
    // The emergency path is one approver from an emergency group: a rule for emergency changes
    // alone may name only groups flagged emergency in its stages (its freeze-override stage is
    // the extra approval of another group, e.g. the CAB: ADR 0033).
    const emergencyGroups = new Set(groups.filter((g) => g.emergency).map((g) => g.name));
    body.rules.forEach((rule, index) => {
      if (rule.match.types?.length !== 1 || rule.match.types[0] !== 'emergency') return;
      const plain = [...new Set(rule.stages.flatMap((s) => s.groups))].filter(
        (name) => !emergencyGroups.has(name),
      );
      if (plain.length > 0)
        throw new ValidationError(
          `Rule ${rule.id} is for emergency changes but names groups that are not emergency groups: ${plain.join(', ')}`,
          [{ field: `body.rules[${index}]`, message: `not emergency groups: ${plain.join(', ')}` }],
        );
    });
    const before = await currentPolicy(trx);
    const version = (before?.version ?? 0) + 1;
    await insertPolicy(trx, version, body.rules, now, acting.actor.id);
    await audit(ctx, trx, acting, {
      action: 'approval_policy.updated',
      subjectType: 'approval_policy',
      subjectId: String(version),
      before: before === undefined ? undefined : { version: before.version, rules: before.rules },
      after: { version, rules: body.rules },
    });
  });
  return approvalPolicy(ctx);
}

function isActive(d: DelegationRecord, now: string): boolean {
  return d.revokedAt === null && d.startsAt <= now && now < d.endsAt;
}

async function toApiDelegations(
  db: Executor,
  rows: readonly DelegationRecord[],
  now: string,
): Promise<ApiDelegation[]> {
  const users = await usersByIds(
    db,
    rows.flatMap((d) => [
      d.fromUserId,
      d.toUserId,
      d.createdBy,
      ...(d.revokedBy === null ? [] : [d.revokedBy]),
    ]),
  );
  return rows.map((d) => ({
    id: d.id,
    from: userRef(d.fromUserId, users),
    to: userRef(d.toUserId, users),
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    reason: d.reason,
    active: isActive(d, now),
    createdAt: d.createdAt,
    createdBy: userRef(d.createdBy, users),
    revokedAt: d.revokedAt,
    revokedBy: d.revokedBy === null ? null : userRef(d.revokedBy, users),
  }));
}

async function toApiDelegation(
  db: Executor,
  row: DelegationRecord,
  now: string,
): Promise<ApiDelegation> {
  const [api] = await toApiDelegations(db, [row], now);
  if (api === undefined) throw new Error('unreachable: one delegation in, one out');
  return api;
}

export async function listDelegationsApi(
  ctx: Ctx,
  query: { user?: string; ended?: boolean },
): Promise<ApiDelegation[]> {
  const db = ctx.database.db;
  const now = timestamp(ctx.clock);
  let userId: string | undefined;
  if (query.user !== undefined) {
    const user = await resolveUserRef(db, query.user);
    if (user === undefined)
      throw new ValidationError(`No user has the name or id "${query.user}"`, [
        { field: 'querystring.user', message: 'names no user' },
      ]);
    userId = user.id;
  }
  const rows = await listDelegations(db, {
    ...(userId !== undefined && { userId }),
    ...(query.ended === true ? { includeRevoked: true } : { endsAfter: now }),
  });
  return toApiDelegations(db, rows, now);
}

const maxDelegationMs = 366 * 86_400_000;

/**
 * Delegate someone's approvals for a window. A user delegates their own; delegating someone
 * else's needs changes:manage. Nobody delegates to themself or to a disabled user.
 */
export async function createDelegation(
  ctx: Ctx,
  body: CreateDelegationBody,
  acting: ApprovalActing,
): Promise<ApiDelegation> {
  const now = timestamp(ctx.clock);
  const startsAt = new Date(body.startsAt).toISOString();
  const endsAt = new Date(body.endsAt).toISOString();
  if (endsAt <= startsAt || Date.parse(endsAt) - Date.parse(startsAt) > maxDelegationMs)
    throw new ValidationError('body.endsAt: must be after startsAt, at most a year later', [
      { field: 'body.endsAt', message: 'must be after startsAt and at most a year later' },
    ]);
  if (endsAt <= now)
    throw new ValidationError('body.endsAt: the window has already ended', [
      { field: 'body.endsAt', message: 'must be in the future' },
    ]);
  const callerId = acting.actor.id;
  if (callerId === null) throw new ForbiddenError('Only a user can delegate approvals');
  return ctx.database.db.transaction().execute(async (trx) => {
    const [to] = await resolveUsers(trx, [body.to], 'body.to');
    const [from] =
      body.from === undefined
        ? [await resolveUserRef(trx, callerId)]
        : await resolveUsers(trx, [body.from], 'body.from');
    if (from === undefined || to === undefined) throw new NotFoundError('The user');
    if (from.id !== callerId && !acting.canManage)
      throw new ForbiddenError(
        "Delegating someone else's approvals needs the changes:manage permission",
      );
    if (from.id === to.id)
      throw new ValidationError('body.to: a user cannot delegate to themself', [
        { field: 'body.to', message: 'is the user delegating' },
      ]);
    if (to.disabled)
      throw new ValidationError(`User ${to.username} is disabled`, [
        { field: 'body.to', message: 'is disabled' },
      ]);
    const id = randomUUID();
    await insertDelegation(trx, {
      id,
      from_user_id: from.id,
      to_user_id: to.id,
      starts_at: startsAt,
      ends_at: endsAt,
      reason: body.reason,
      created_at: now,
      created_by: callerId,
      revoked_at: null,
      revoked_by: null,
    });
    const row = await getDelegation(trx, id);
    if (row === undefined) throw new Error('unreachable: the delegation was just inserted');
    await audit(ctx, trx, acting, {
      action: 'delegation.created',
      subjectType: 'delegation',
      subjectId: id,
      after: { from: from.id, to: to.id, startsAt, endsAt, reason: body.reason },
    });
    return toApiDelegation(trx, row, now);
  });
}

/** Revoke a delegation: its giver, its delegate or someone with changes:manage. */
export async function revokeDelegationApi(
  ctx: Ctx,
  id: string,
  acting: ApprovalActing,
): Promise<ApiDelegation> {
  const now = timestamp(ctx.clock);
  return ctx.database.db.transaction().execute(async (trx) => {
    const before = await getDelegation(trx, id);
    if (before === undefined) throw new NotFoundError(`Delegation ${id}`);
    const callerId = acting.actor.id;
    const own = callerId === before.fromUserId || callerId === before.toUserId;
    if (!own && !acting.canManage)
      throw new ForbiddenError(
        'Only the giver, the delegate or someone with changes:manage may revoke a delegation',
      );
    if (before.revokedAt !== null) throw new ConflictError(`Delegation ${id} is already revoked`);
    await revokeDelegation(trx, id, now, callerId ?? 'system');
    const after = await getDelegation(trx, id);
    if (after === undefined) throw new Error('unreachable');
    await audit(ctx, trx, acting, {
      action: 'delegation.revoked',
      subjectType: 'delegation',
      subjectId: id,
      before: { revokedAt: null },
      after: { revokedAt: now },
    });
    return toApiDelegation(trx, after, now);
  });
}
