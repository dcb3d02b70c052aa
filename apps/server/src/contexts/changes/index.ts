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
import type { StandardTemplate } from '@patchgate/changes';
import { StandardTemplate as StandardTemplateSchema } from '@patchgate/changes';
import { appendAuditEvent } from '../audit/index.ts';
import { timestamp } from '../../clock.ts';
import { templateOf } from './templates.ts';
import type { ReviewFacts as ReviewFactsOf } from './rollout-facts-schema.ts';

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
// The history import (history.ts): changes that happened in the past, e.g. the demo's.
export type {
  ChangeHistoryImport,
  HistoricalChange,
  HistoricalChangeAsset,
  HistoricalPerson,
} from './history.ts';
export { importChangeHistory } from './history.ts';

// What the improvement loop reads and does (contexts/improvements, issue 11, ADR 0046).

/** A change with its review's facts and its review: one row of the review trends. */
export interface ChangeReviewRecord {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly type: string;
  readonly state: string;
  /** The standard template (and version) the change used; null for other changes. */
  readonly templateId: string | null;
  readonly templateVersion: number | null;
  readonly scheduledStart: string | null;
  readonly scheduledEnd: string | null;
  /** The assets in scope, as the change recorded them (AssetFacts). */
  readonly assets: readonly AssetFacts[];
  /** The packages the change patches, distinct, sorted. */
  readonly packages: readonly string[];
  /** The rollout's facts (prefillReview); null when no rollout of it ended. */
  readonly facts: ReviewFactsOf | null;
  readonly factsRecordedAt: string | null;
  /** The post-implementation review as written; null when none was. */
  readonly review: {
    readonly didNotGoWell: string;
    readonly incidents: readonly string[];
    readonly lessons: string;
    readonly followUps: readonly {
      readonly action: string;
      readonly owner: string;
      readonly dueAt: string;
      readonly done: boolean;
    }[];
    readonly updatedAt: string;
  } | null;
}

/**
 * The changes whose rollout facts were recorded, or whose review was written, in [from, to]
 * (ISO instants), by change number: what the review trends and recommendations count.
 */
export async function reviewHistory(
  database: Database,
  range: { readonly from: string; readonly to: string },
): Promise<ChangeReviewRecord[]> {
  const db = database.db;
  // Which changes count (their ids); their rows are read once, below, whatever their dates.
  const [facts, reviews] = await Promise.all([
    db
      .selectFrom('change_review_facts')
      .select('change_id')
      .where('recorded_at', '>=', range.from)
      .where('recorded_at', '<=', range.to)
      .execute(),
    db
      .selectFrom('change_reviews')
      .select('change_id')
      .where('updated_at', '>=', range.from)
      .where('updated_at', '<=', range.to)
      .execute(),
  ]);
  const ids = [...new Set([...facts.map((f) => f.change_id), ...reviews.map((r) => r.change_id)])];
  if (ids.length === 0) return [];
  const [rows, assets, patches, allFacts, allReviews] = await Promise.all([
    db.selectFrom('change_requests').selectAll().where('id', 'in', ids).execute(),
    repo.assetsOfChanges(db, ids),
    db
      .selectFrom('change_patches')
      .select(['change_id', 'package_name'])
      .where('change_id', 'in', ids)
      .execute(),
    db.selectFrom('change_review_facts').selectAll().where('change_id', 'in', ids).execute(),
    db.selectFrom('change_reviews').selectAll().where('change_id', 'in', ids).execute(),
  ]);
  const factOf = new Map(allFacts.map((f) => [f.change_id, f]));
  const reviewOf = new Map(allReviews.map((r) => [r.change_id, r]));
  return rows
    .sort((a, b) => a.number - b.number)
    .map((row) => {
      const fact = factOf.get(row.id);
      const review = reviewOf.get(row.id);
      return {
        id: row.id,
        number: changeNumber(row.number),
        title: row.title,
        type: row.type,
        state: row.state,
        templateId: row.template_id,
        templateVersion: row.template_version,
        scheduledStart: row.scheduled_start,
        scheduledEnd: row.scheduled_end,
        assets: assets
          .filter((a) => a.change_id === row.id)
          .map((a) => ({
            id: a.asset_id,
            name: a.asset_name,
            environment: a.environment as AssetFacts['environment'],
            criticality: a.criticality as AssetFacts['criticality'],
            exposure: a.exposure as AssetFacts['exposure'],
            team: a.owner_team,
            tags: jsonArray(a.tags_json),
            groups: jsonArray(a.groups_json),
          })),
        packages: [
          ...new Set(patches.filter((p) => p.change_id === row.id).map((p) => p.package_name)),
        ].sort(),
        facts: fact === undefined ? null : (JSON.parse(fact.facts_json) as ReviewFactsOf),
        factsRecordedAt: fact?.recorded_at ?? null,
        review:
          review === undefined
            ? null
            : {
                didNotGoWell: review.did_not_go_well,
                incidents: jsonArray(review.incidents_json),
                lessons: review.lessons,
                followUps: (
                  JSON.parse(review.follow_ups_json) as {
                    action: string;
                    owner: string;
                    dueAt: string;
                    done?: boolean;
                  }[]
                ).map((f) => ({ ...f, done: f.done === true })),
                updatedAt: review.updated_at,
              },
      };
    });
}

/** The latest version of a standard template, or undefined. */
export async function currentTemplate(
  database: Database,
  name: string,
): Promise<StandardTemplate | undefined> {
  const row = await repo.templateRow(database.db, name);
  return row === undefined ? undefined : templateOf(row);
}

/**
 * Save a new version of the standard template `name`, made by `edit` from its latest, in the
 * caller's transaction (audited `change_template.saved` with before and after, as the template
 * API does). 404 when the template does not exist; 422 when the edited template is not valid.
 */
export async function reviseTemplate(
  trx: Transaction<DatabaseSchema>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  name: string,
  edit: (latest: StandardTemplate) => StandardTemplate,
  by: ChangeActor,
): Promise<{ before: StandardTemplate; after: StandardTemplate }> {
  const latest = await repo.templateRow(trx, name);
  if (latest === undefined) throw new NotFoundError(`The template "${name}"`);
  const before = templateOf(latest);
  const parsed = StandardTemplateSchema.safeParse({
    ...edit(before),
    name,
    version: before.version + 1,
  });
  if (!parsed.success)
    throw new ValidationError(
      `The edited template ${name} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const after = parsed.data;
  await repo.insertTemplate(trx, {
    name,
    version: after.version,
    template_json: JSON.stringify(after),
    created_by_id: by.actor.id,
    created_by_name: by.actor.name,
    created_at: timestamp(ctx.clock),
  });
  await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    actor: by.actor,
    action: 'change_template.saved',
    subjectType: 'change_template',
    subjectId: name,
    before,
    after,
    ...(by.requestId !== undefined && { requestId: by.requestId }),
    ...(by.ip !== undefined && { ip: by.ip }),
  });
  return { before, after };
}

// What the reports context's metrics read (issue 11, ADR 0043).
export type { ChangeMetricRow } from './metric-reads.ts';
export { changeMetricRows } from './metric-reads.ts';
