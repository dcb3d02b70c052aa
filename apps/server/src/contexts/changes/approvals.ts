/**
 * Approvals of change requests, for the rest of the changes context: where a change's
 * approval stands, recording a decision (refused with a 409 and the reason when separation of
 * duties or the stage forbids it), the standard path's system decision, and withdrawing the
 * approvals after a material edit. The rules themselves are pure (@patchgate/changes,
 * packages/changes/src/approval/); this file loads their inputs, stores the outcome, audits it
 * and publishes the domain events in the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import type {
  ApprovalDecisionKind,
  ApprovalInput,
  ApprovalRule,
  ApprovalStatus,
  ApprovalSubject,
  CriteriaResult,
} from '@patchgate/changes';
import {
  ApprovalPolicyRules,
  autoApprovalApplies,
  checkApprover,
  evaluateApproval,
  systemApproverId,
} from '@patchgate/changes';
import type { Transaction } from 'kysely';
import { PostgresAdapter, sql } from 'kysely';
import type { Clock } from '../../clock.ts';
import { systemClock, timestamp } from '../../clock.ts';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { publishEvent } from '../../events/index.ts';
import { ConflictError } from '../../http/problems.ts';
import type { AuditActor, RequestSource } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { usersByIds } from '../auth/index.ts';
import type { DecisionRecord, Executor } from './approvals-repository.ts';
import type { ApprovalDecisionTable } from './approvals-tables.ts';
import {
  currentPolicy,
  insertDecision,
  listDelegations,
  listGroups,
  standingDecisions,
  withdrawDecisions,
} from './approvals-repository.ts';

export type { ApprovalStatus, ApprovalSubject } from '@patchgate/changes';

type Trx = Transaction<DatabaseSchema>;

/** The audit log needs the dialect; the seam passes only the transaction, which knows it. */
function dialectOf(trx: Trx): Dialect {
  return trx.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * One decision on a change at a time (PostgreSQL: a transaction-scoped advisory lock per
 * change; SQLite serialises writers already), so two approvers deciding at once both see the
 * other's decision: the one-person-once and stage rules hold under concurrency.
 */
async function lockChange(trx: Trx, changeId: string): Promise<void> {
  if (dialectOf(trx) === 'postgres')
    await sql`SELECT pg_advisory_xact_lock(${approvalLockSpace}, hashtext(${changeId}))`.execute(
      trx,
    );
}
const approvalLockSpace = 0x50474150; // "PGAP"

/** The policy in force (the migration seeds one, so there always is one). */
export async function approvalRules(db: Executor): Promise<ApprovalRule[]> {
  const policy = await currentPolicy(db);
  if (policy === undefined)
    throw new Error('No approval policy is stored (migration 0014 seeds one)');
  return ApprovalPolicyRules.parse(policy.rules);
}

/** A decision row as stored, its decision one of approved/rejected. */
type DecisionRow = ApprovalDecisionTable & { decision: ApprovalDecisionKind };

/** Store a decision and return the status with it counted among the input's decisions. */
async function addDecision(
  trx: Trx,
  input: ApprovalInput,
  row: DecisionRow,
): Promise<ApprovalStatus> {
  await insertDecision(trx, row);
  return evaluateApproval({
    ...input,
    decisions: [
      ...input.decisions,
      {
        approverId: row.approver_id,
        onBehalfOf: row.on_behalf_of,
        stage: row.stage,
        planVersion: row.plan_version,
        decision: row.decision,
        comment: row.comment,
        at: row.decided_at,
      },
    ],
  });
}

async function approvalInput(
  db: Executor,
  subject: ApprovalSubject,
  now: string,
  templateCriteria?: CriteriaResult,
): Promise<ApprovalInput & { decisions: DecisionRecord[] }> {
  const [rules, groups, decisions, delegations] = await Promise.all([
    approvalRules(db),
    listGroups(db),
    standingDecisions(db, subject.changeId),
    // Revoked ones too: a decision made before the revocation still counts.
    listDelegations(db, { includeRevoked: true }),
  ]);
  // Members who are gone or disabled cannot approve: they do not count toward an `all` quorum.
  const users = await usersByIds(
    db,
    groups.flatMap((g) => g.members),
  );
  return {
    rules,
    subject,
    groups: groups.map((g) => ({
      ...g,
      members: g.members.filter((id) => users.get(id)?.disabled === false),
    })),
    decisions,
    delegations,
    now,
    ...(templateCriteria !== undefined && { templateCriteria }),
  };
}

/** Where the change's approval stands now (decisions on older plan versions do not count). */
export async function approvalStatus(
  db: Executor,
  subject: ApprovalSubject,
  clock: Clock = systemClock,
): Promise<ApprovalStatus> {
  return evaluateApproval(await approvalInput(db, subject, timestamp(clock)));
}

/** Who may approve the change's current stage now (members and delegates, duties separated). */
export async function agendaApproverIds(
  db: Executor,
  subject: ApprovalSubject,
  clock: Clock = systemClock,
): Promise<string[]> {
  const status = await approvalStatus(db, subject, clock);
  return status.currentStage === null
    ? []
    : [...(status.stages[status.currentStage - 1]?.eligibleApproverIds ?? [])];
}

function sourceOf(actor: AuditActor | RequestSource): RequestSource {
  return 'actor' in actor ? actor : { actor };
}

/**
 * Ask for the current stage again when it changed other than through a decision (the changes
 * context: a schedule overriding a freeze adds the freeze-override stage to complete approvals).
 */
export async function announceStage(
  trx: Trx,
  clock: Clock,
  status: ApprovalStatus,
  createdBy: string | null,
): Promise<void> {
  await publishRequested(trx, clock, status, createdBy);
}

async function publishRequested(
  trx: Trx,
  clock: Clock,
  status: ApprovalStatus,
  createdBy: string | null,
): Promise<void> {
  if (status.currentStage === null) return;
  const stage = status.stages[status.currentStage - 1];
  if (stage === undefined) return;
  await publishEvent(
    trx,
    clock,
    'change.approval-requested',
    {
      changeId: status.changeId,
      stage: stage.stage,
      approverGroupIds: stage.groups.flatMap((g) => (g.id === null ? [] : [g.id])),
    },
    { createdBy },
  );
}

function decisionAudit(status: ApprovalStatus, extra: Record<string, unknown>) {
  return {
    ...extra,
    ruleId: status.ruleId,
    complete: status.complete,
    rejected: status.rejected,
    currentStage: status.currentStage,
  };
}

/**
 * Record an approver's decision on the change at its plan version. Refused (409, with the
 * reason) when the actor is the requester or implementer, acts through a delegation from
 * them, is not an approver of the current stage, has already decided it, or rejects without
 * a comment. Audited; publishes `change.approval-decided`, and `change.approval-requested`
 * when the next stage opens. Moving the change's state (approved → scheduled, rejected) is the
 * caller's, from the returned status.
 */
export async function recordDecision(
  trx: Trx,
  clock: Clock,
  subject: ApprovalSubject,
  actor: AuditActor | RequestSource,
  decision: ApprovalDecisionKind,
  comment?: string,
): Promise<ApprovalStatus> {
  const source = sourceOf(actor);
  const actorId = source.actor.id;
  if (actorId === null || source.actor.type === 'system')
    throw new ConflictError('Only a person can approve or reject a change');
  await lockChange(trx, subject.changeId);
  const now = timestamp(clock);
  const input = await approvalInput(trx, subject, now);
  const trimmed = comment?.trim() ?? '';
  const check = checkApprover(input, { actorId, decision, comment: trimmed });
  if (!check.ok) throw new ConflictError(check.reason);
  const delegation =
    check.onBehalfOf === null
      ? undefined
      : input.delegations.find(
          (d) =>
            d.fromUserId === check.onBehalfOf &&
            d.toUserId === actorId &&
            d.startsAt <= now &&
            now < d.endsAt &&
            d.revokedAt === null,
        );
  const before = evaluateApproval(input);
  const row: DecisionRow = {
    id: randomUUID(),
    change_id: subject.changeId,
    plan_version: subject.planVersion,
    stage: check.stage,
    approver_id: actorId,
    approver_name: source.actor.name,
    on_behalf_of: check.onBehalfOf,
    delegation_id: delegation?.id ?? null,
    decision,
    comment: trimmed === '' ? null : trimmed,
    decided_at: now,
    withdrawn_at: null,
    withdrawn_reason: null,
  };
  const after = await addDecision(trx, input, row);
  await appendAuditEvent(trx, dialectOf(trx), clock, {
    actor: source.actor,
    action: `change_approval.${decision}`,
    subjectType: 'change',
    subjectId: subject.changeId,
    before: decisionAudit(before, { planVersion: subject.planVersion }),
    after: decisionAudit(after, {
      decisionId: row.id,
      planVersion: subject.planVersion,
      stage: row.stage,
      decision,
      onBehalfOf: row.on_behalf_of,
      delegationId: row.delegation_id,
      comment: row.comment,
    }),
    requestId: source.requestId ?? null,
    ip: source.ip ?? null,
  });
  await publishEvent(
    trx,
    clock,
    'change.approval-decided',
    { changeId: subject.changeId, stage: row.stage, decision, approverId: actorId },
    { createdBy: actorId },
  );
  if (!after.rejected && after.currentStage !== null && after.currentStage !== before.currentStage)
    await publishRequested(trx, clock, after, actorId);
  return after;
}

/**
 * Start a change's approval (the changes context calls it on entering authorise): a standard
 * change whose template criteria hold is approved by one system decision (audited, published
 * as decided by `system`); any other change publishes `change.approval-requested` for its
 * first open stage. Returns the status.
 */
export async function openApproval(
  trx: Trx,
  clock: Clock,
  subject: ApprovalSubject,
  templateCriteria?: CriteriaResult,
): Promise<ApprovalStatus> {
  await lockChange(trx, subject.changeId);
  const now = timestamp(clock);
  const input = await approvalInput(trx, subject, now);
  const auto =
    templateCriteria === undefined
      ? undefined
      : autoApprovalApplies(input.rules, subject, templateCriteria);
  if (auto?.ok === true) {
    const before = evaluateApproval(input);
    if (before.complete) return before;
    const row: DecisionRow = {
      id: randomUUID(),
      change_id: subject.changeId,
      plan_version: subject.planVersion,
      stage: 1,
      approver_id: systemApproverId,
      approver_name: systemActor.name,
      on_behalf_of: null,
      delegation_id: null,
      decision: 'approved',
      comment: `standard change: the template's criteria hold (policy rule ${auto.ruleId})`,
      decided_at: now,
      withdrawn_at: null,
      withdrawn_reason: null,
    };
    const after = await addDecision(trx, input, row);
    await appendAuditEvent(trx, dialectOf(trx), clock, {
      actor: systemActor,
      action: 'change_approval.auto-approved',
      subjectType: 'change',
      subjectId: subject.changeId,
      after: decisionAudit(after, {
        decisionId: row.id,
        planVersion: subject.planVersion,
        criteria: templateCriteria,
      }),
    });
    await publishEvent(trx, clock, 'change.approval-decided', {
      changeId: subject.changeId,
      stage: 1,
      decision: 'approved',
      approverId: systemApproverId,
    });
    return after;
  }
  const status = evaluateApproval(input);
  await publishRequested(trx, clock, status, null);
  return status;
}

/**
 * Withdraw every standing decision on the change (a material edit after approval): they stay
 * in the history, marked withdrawn, and no longer count. Audited when there were any.
 * Returns how many were withdrawn.
 */
export async function withdrawApprovals(
  trx: Trx,
  clock: Clock,
  changeId: string,
  reason: string,
  actor: AuditActor | RequestSource = systemActor,
): Promise<number> {
  const ids = await withdrawDecisions(trx, changeId, timestamp(clock), reason);
  if (ids.length > 0) {
    const source = sourceOf(actor);
    await appendAuditEvent(trx, dialectOf(trx), clock, {
      actor: source.actor,
      action: 'change_approval.withdrawn',
      subjectType: 'change',
      subjectId: changeId,
      after: { decisionIds: ids, reason },
      requestId: source.requestId ?? null,
      ip: source.ip ?? null,
    });
  }
  return ids.length;
}

/** Every decision ever given on a change, withdrawn ones included (history, export). */
export async function approvalHistory(
  db: Executor,
  changeId: string,
): Promise<
  {
    id: string;
    planVersion: number;
    stage: number;
    approverId: string;
    approverName: string;
    onBehalfOf: string | null;
    decision: string;
    comment: string | null;
    at: string;
    withdrawnAt: string | null;
    withdrawnReason: string | null;
  }[]
> {
  const rows = await db
    .selectFrom('approval_decisions')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('decided_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    planVersion: Number(r.plan_version),
    stage: Number(r.stage),
    approverId: r.approver_id,
    approverName: r.approver_name,
    onBehalfOf: r.on_behalf_of,
    decision: r.decision,
    comment: r.comment,
    at: r.decided_at,
    withdrawnAt: r.withdrawn_at,
    withdrawnReason: r.withdrawn_reason,
  }));
}
