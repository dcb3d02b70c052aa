/**
 * The change context's side of the approvals seam (approvals.ts, owned by the approvals
 * helper): the subject of a change's approval as its records stand, and the calls made on it.
 */
import type { ApprovalStatus, ApprovalSubject, ChangeType } from '@patchgate/changes';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import {
  announceStage,
  approvalHistory as decisionsOf,
  approvalStatus,
  openApproval,
  recordDecision,
  withdrawApprovals,
} from './approvals.ts';
import type { ChangeActor } from './model.ts';
import { effectiveRisk, freezeOverrideOf, jsonArray } from './model.ts';
import type { Scope } from './scope.ts';
import type { ChangeRequestTable } from './tables.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;
type Trx = Transaction<DatabaseSchema>;

/** The requester id of a change the system made (autopilot): no person is excluded by it. */
export const systemRequesterId = 'system';

export function approvalSubject(row: ChangeRequestTable, scope: Scope): ApprovalSubject {
  const distinct = (values: Iterable<string>) => [...new Set(values)].sort();
  return {
    changeId: row.id,
    planVersion: row.plan_version,
    type: row.type as ChangeType,
    risk: effectiveRisk(row),
    environments: distinct(
      scope.assets.flatMap((a) => (a.environment === null ? [] : [a.environment])),
    ),
    groups: distinct(scope.assets.flatMap((a) => jsonArray(a.groups_json))),
    assetIds: scope.assets.map((a) => a.asset_id),
    requesterId: row.requester_id ?? systemRequesterId,
    implementerId: row.implementer_id,
    freezeOverride: freezeOverrideOf(row)?.freezes.map((f) => f.name) ?? [],
  };
}

export function approvalsOf(
  ctx: Ctx,
  row: ChangeRequestTable,
  scope: Scope,
  trx?: Trx,
): Promise<ApprovalStatus> {
  return approvalStatus(trx ?? ctx.database.db, approvalSubject(row, scope), ctx.clock);
}

/**
 * When the schedule changed the open stage (a freeze override adds its stage after the others):
 * `change.approval-requested` for the stage now open, if it is another than before.
 */
export async function announceIfStageChanged(
  ctx: Ctx,
  trx: Trx,
  before: ApprovalStatus,
  after: ApprovalStatus,
  createdBy: string | null,
): Promise<void> {
  if (after.currentStage !== null && after.currentStage !== before.currentStage)
    await announceStage(trx, ctx.clock, after, createdBy);
}

/** On entering authorise: auto-approval of a standard change, else the first stage asked. */
export function startApproval(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  scope: Scope,
  templateCriteria: { ok: boolean; failures: string[] } | undefined,
): Promise<ApprovalStatus> {
  return openApproval(trx, ctx.clock, approvalSubject(row, scope), templateCriteria);
}

export function decideApproval(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  scope: Scope,
  by: ChangeActor,
  decision: 'approved' | 'rejected',
  comment: string | undefined,
): Promise<ApprovalStatus> {
  return recordDecision(trx, ctx.clock, approvalSubject(row, scope), by, decision, comment);
}

export function withdrawAll(
  ctx: Ctx,
  trx: Trx,
  changeId: string,
  why: string,
  by: ChangeActor,
): Promise<number> {
  return withdrawApprovals(trx, ctx.clock, changeId, why, by);
}

/** Every decision on the change, each with the plan version it was given on (for the export). */
export async function approvalHistory(
  ctx: Ctx,
  changeId: string,
): Promise<Record<string, unknown>[]> {
  const decisions = await decisionsOf(ctx.database.db, changeId);
  return decisions.map((d) => ({ ...d }));
}
