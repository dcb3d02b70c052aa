/**
 * The change context's public face: its routes, and what the calendar, notifications and the
 * autopilot read or do through it (HELPERS' seams): `scheduledChanges`, `describeChange`,
 * `createChange`.
 */
import type { CalendarChange } from '@patchgate/calendar';
import type { ChangePlans, ChangeState } from '@patchgate/changes';
import type { AssetFacts } from '@patchgate/model';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { Executor } from './repository.ts';
import type { Clock } from '../../clock.ts';
import { systemClock } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import { changeNumber, jsonArray } from './model.ts';
import type { ChangeActor } from './model.ts';
import * as repo from './repository.ts';
import type { z } from 'zod';
import type { ApiChange } from './schema.ts';
import { ChangeCreateBody } from './schema.ts';
import { approvalsOf } from './decisions.ts';
import { changeOr404, createChangeRequest, loadScope, move } from './service.ts';
import { effectiveRisk } from './model.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';

export type { ChangeActor } from './model.ts';
export { changeNumber } from './model.ts';
export type { ApiChange, ChangeDetail } from './schema.ts';
export { registerChangeRoutes } from './routes.ts';
export type { ApprovalStatus, ApprovalSubject } from './approvals.ts';
export {
  agendaApproverIds,
  approvalHistory,
  approvalStatus,
  openApproval,
  recordDecision,
  withdrawApprovals,
} from './approvals.ts';
export { registerApprovalRoutes } from './approvals-routes.ts';

/** A change on the calendar (@patchgate/calendar's `CalendarChange`, with its asset ids). */
export interface ScheduledChange extends CalendarChange {
  /** The asset ids in scope. */
  readonly assetIds: readonly string[];
}

/** States whose schedule holds its assets (the calendar shows them; conflicts count them). */
export const schedulingStates = ['submitted', 'authorise', 'scheduled', 'implementing'] as const;

/** The changes scheduled to overlap [from, to), earliest first (the calendar's feed and view). */
export async function scheduledChanges(
  database: Database,
  from: Date,
  to: Date,
): Promise<ScheduledChange[]> {
  const rows = await repo.changesOverlapping(
    database.db,
    from.toISOString(),
    to.toISOString(),
    schedulingStates,
  );
  const assets = await repo.assetsOfChanges(
    database.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const own = assets.filter((a) => a.change_id === row.id);
    return {
      id: row.id,
      title: `${changeNumber(row.number)} ${row.title}`,
      start: new Date(row.scheduled_start ?? from),
      end: new Date(row.scheduled_end ?? to),
      assetNames: own.map((a) => a.asset_name),
      assetIds: own.map((a) => a.asset_id),
      state: row.state,
      url: `/api/v1/changes/${row.id}`,
    };
  });
}

/** What a notification says about a change (notify never reads this context's tables). */
export interface ChangeBrief {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly type: string;
  readonly state: string;
  readonly risk: string;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly assets: readonly { readonly name: string; readonly ownerTeam: string | null }[];
  readonly ownerTeams: readonly string[];
  readonly requester: { readonly id: string | null; readonly name: string };
  readonly implementer: { readonly id: string; readonly name: string } | null;
  /** Who may decide the stage waiting for decisions now (empty when none waits). */
  readonly pendingApproverIds: readonly string[];
  readonly createdByRule: string | null;
  /** The API path of the change. */
  readonly link: string;
}

export async function describeChange(
  database: Database,
  id: string,
): Promise<ChangeBrief | undefined> {
  let row;
  try {
    row = await changeOr404(database.db, id);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const scope = await loadScope(database.db, row);
  const status = await approvalsOf({ database, clock: systemClock }, row, scope);
  const stage =
    status.currentStage === null
      ? undefined
      : status.stages.find((s) => s.stage === status.currentStage);
  return {
    id: row.id,
    number: changeNumber(row.number),
    title: row.title,
    type: row.type,
    state: row.state,
    risk: effectiveRisk(row),
    windowStart: row.scheduled_start,
    windowEnd: row.scheduled_end,
    assets: scope.assets.map((a) => ({ name: a.asset_name, ownerTeam: a.owner_team })),
    ownerTeams: [
      ...new Set(scope.assets.flatMap((a) => (a.owner_team === null ? [] : [a.owner_team]))),
    ].sort(),
    requester: { id: row.requester_id, name: row.requester_name },
    implementer:
      row.implementer_id === null
        ? null
        : { id: row.implementer_id, name: row.implementer_name ?? row.implementer_id },
    pendingApproverIds: stage === undefined ? [] : [...stage.eligibleApproverIds],
    createdByRule: row.created_by_rule,
    link: `/api/v1/changes/${row.id}`,
  };
}

/** What `createChange` takes: the API's create body, defaults not yet applied. */
export type ChangeCreateInput = z.input<typeof ChangeCreateBody>;

/**
 * Create a change: the same service the API uses. `actor` is a person's request source, or the
 * system with the autopilot rule that made it and why (`{ actor: systemActor, rule: { id,
 * reason } }`). The input is checked as the API checks it (a ValidationError names the field).
 */
export async function createChange(
  database: Database,
  clock: Clock,
  input: ChangeCreateInput,
  actor: ChangeActor,
): Promise<ApiChange> {
  const parsed = ChangeCreateBody.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({
      field: ['body', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new ValidationError(fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }
  return createChangeRequest({ database, clock }, parsed.data, actor);
}

// The autopilot (autopilot*.ts): rules that create changes by themselves.
export type { AutopilotChangeRequest, AutopilotDeps } from './autopilot.ts';
export {
  autopilotActor,
  autopilotIntervalSeconds,
  autopilotJobs,
  registerAutopilotJobs,
} from './autopilot.ts';
export { registerAutopilotRoutes } from './autopilot-routes.ts';
export { defaultAutopilotDeps } from './autopilot-changes.ts';

// Rollouts (contexts/rollouts): what a rollout reads of a change, and the change's moves while
// it is implemented (start, complete, fail, roll back), through the same transition service.

/** What a rollout needs of a change: its plans, scope (asset facts) and exact patches. */
export interface RolloutChange {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly state: ChangeState;
  readonly type: string;
  readonly plans: ChangePlans;
  readonly scheduledStart: string | null;
  readonly scheduledEnd: string | null;
  readonly assets: readonly AssetFacts[];
  readonly patches: readonly {
    readonly assetId: string;
    readonly ecosystem: string;
    readonly packageName: string;
    readonly fromVersion: string | null;
    /** Null for mode `latest` (no exact version chosen). */
    readonly toVersion: string | null;
    readonly mode: string;
  }[];
}

/** The change named by id or number (CHG-0042) as a rollout sees it, or undefined. */
export async function changeForRollout(
  db: Executor,
  ref: string,
): Promise<RolloutChange | undefined> {
  let row;
  try {
    row = await changeOr404(db, ref);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const scope = await loadScope(db, row);
  return {
    id: row.id,
    number: changeNumber(row.number),
    title: row.title,
    state: row.state as ChangeState,
    type: row.type,
    plans: JSON.parse(row.plans_json) as ChangePlans,
    scheduledStart: row.scheduled_start,
    scheduledEnd: row.scheduled_end,
    assets: scope.assets.map((a): AssetFacts => ({
      id: a.asset_id,
      name: a.asset_name,
      environment: a.environment as AssetFacts['environment'],
      criticality: a.criticality as AssetFacts['criticality'],
      exposure: a.exposure as AssetFacts['exposure'],
      team: a.owner_team,
      tags: jsonArray(a.tags_json),
      groups: jsonArray(a.groups_json),
    })),
    patches: scope.patches.map((p) => ({
      assetId: p.asset_id,
      ecosystem: p.ecosystem,
      packageName: p.package_name,
      fromVersion: p.from_version,
      toVersion: p.to_version,
      mode: p.mode,
    })),
  };
}

/** Scheduled (approved) changes whose scheduled start has come by `now`: ids, earliest first. */
export async function dueScheduledChanges(db: Executor, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('change_requests')
    .select(['id'])
    .where('state', '=', 'scheduled')
    .where('scheduled_start', '<=', now.toISOString())
    .orderBy('scheduled_start')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export type RolloutChangeAction = 'start' | 'complete' | 'fail' | 'roll-back';

/**
 * Move a change as its rollout goes (start → implementing; complete → review; fail; roll-back),
 * in the caller's transaction: the state machine decides, the move is recorded in the history,
 * audited and published as `change.state-changed`. A refusal is returned with its reason (the
 * caller decides whether it is a 409), nothing is written then.
 */
export async function applyChangeAction(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  trx: Transaction<DatabaseSchema>,
  changeId: string,
  action: RolloutChangeAction,
  by: ChangeActor,
  reason?: string,
): Promise<{ ok: true; state: ChangeState } | { ok: false; reason: string }> {
  const row = await repo.lockChangeRow(trx, ctx.database.dialect, changeId);
  if (row === undefined) return { ok: false, reason: `The change "${changeId}" does not exist` };
  try {
    const moved = await move(ctx, trx, row, action, by, reason);
    return { ok: true, state: moved.state as ChangeState };
  } catch (error) {
    if (error instanceof ConflictError) return { ok: false, reason: error.message };
    throw error;
  }
}
// What rollouts read from and write to a change (rollout-facts*.ts, ADR 0039).
export type { ChangeHostPatches, ChangePatchPlan } from './rollout-facts.ts';
export { changePatchPlan, prefillReview, recordPreflightSummary } from './rollout-facts.ts';
export type { PreflightSummary, ReviewFacts } from './rollout-facts-schema.ts';
// The reports context's change report (issue 11): the change's whole history as one document.
export type { ChangeExport } from './export.ts';
export { exportChange } from './export.ts';
