/**
 * The change context's rules: creating a change (by hand or from findings), its plan versions,
 * and every state transition — asked of @patchgate/changes' `transition`, refused with a 409
 * carrying its reason, else recorded in the history, audited and published as
 * `change.state-changed`, all in one transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  ChangeAction,
  ChangeContent,
  ChangePlans,
  ChangeState,
  ChangeType,
  StandardTemplate,
} from '@patchgate/changes';
import { materialChanges, transition } from '@patchgate/changes';
import type { Transaction } from 'kysely';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { transactionRetryingDeadlocks } from '../../db/database.ts';
import { publishEvent } from '../../events/index.ts';
import { cursorError, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import { appendAuditEvent, canonicalJson, systemActor } from '../audit/index.ts';
import { ApiApprovalStatus } from './approvals-schema.ts';
import { resolveUserRef } from '../auth/index.ts';
import type { ChangeActor, FreezeOverride } from './model.ts';
import {
  changeNumber,
  freezeOverrideOf,
  parseChangeNumber,
  toApiChange,
  toChangeAsset,
  toChangeFinding,
  toChangePatch,
  toReview,
  toTransition,
} from './model.ts';
import * as repo from './repository.ts';
import { rolloutFactsOf } from './rollout-facts-repository.ts';
import type { ChangeFilters, Executor } from './repository.ts';
import type {
  ActionBody,
  ApiChange,
  ChangeCreateBody,
  ChangeDetail,
  ChangeEditBody,
  ChangeList,
  DecisionBody,
  PlansBody,
  ReviewBody,
  RiskOverrideBody,
} from './schema.ts';
import type { Scope } from './scope.ts';
import { buildScope } from './scope.ts';
import type { ChangeRequestTable } from './tables.ts';
import {
  announceIfStageChanged,
  approvalsOf,
  decideApproval,
  startApproval,
  withdrawAll,
} from './decisions.ts';
import { changeConflicts, conflictsOf, nextSlot, refuseFreeze, scheduleEnd } from './scheduling.ts';
import { assessChangeRisk, checkPlans, defaultPlans } from './planning.ts';
import { latestTemplate, templateCriteria } from './templates.ts';
import { evidenceRecords } from './evidence.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;
type Trx = Transaction<DatabaseSchema>;

/** The system acting on its own account (a standard template's auto-approval). */
const systemBy: ChangeActor = { actor: systemActor };

// ---------------------------------------------------------------- reading

/** The change named by id or number (CHG-0042, 42), or a 404. */
export async function changeOr404(db: Executor, ref: string): Promise<ChangeRequestTable> {
  const byId = await repo.changeRow(db, ref);
  if (byId !== undefined) return byId;
  const number = parseChangeNumber(ref);
  const byNumber = number === undefined ? undefined : await repo.changeRowByNumber(db, number);
  if (byNumber === undefined) throw new NotFoundError(`The change "${ref}"`);
  return byNumber;
}

async function countsOf(db: Executor, id: string): Promise<ApiChange['counts']> {
  const [assets, patches, findings] = await Promise.all([
    repo.assetsOf(db, id),
    repo.patchesOf(db, id),
    repo.findingsOf(db, id),
  ]);
  return { assets: assets.length, patches: patches.length, findings: findings.length };
}

export async function apiChange(db: Executor, row: ChangeRequestTable): Promise<ApiChange> {
  return toApiChange(row, await countsOf(db, row.id));
}

/** What `transition`'s guards and the approvals need about a change, from its records. */
export async function loadScope(db: Executor, row: ChangeRequestTable): Promise<Scope> {
  const [assets, patches, findings] = await Promise.all([
    repo.assetsOf(db, row.id),
    repo.patchesOf(db, row.id),
    repo.findingsOf(db, row.id),
  ]);
  return { assets, patches, findings };
}

export async function changeDetail(ctx: Ctx, ref: string): Promise<ChangeDetail> {
  const db = ctx.database.db;
  const row = await changeOr404(db, ref);
  const scope = await loadScope(db, row);
  const names = new Map(scope.assets.map((a) => [a.asset_id, a.asset_name]));
  const [versions, transitions, review, approvals, conflicts, evidence, facts] = await Promise.all([
    repo.planVersionsOf(db, row.id),
    repo.transitionsOf(db, row.id),
    repo.reviewOf(db, row.id),
    approvalsOf(ctx, row, scope),
    conflictsOf(ctx, row, scope),
    evidenceRecords(db, row.id),
    rolloutFactsOf(db, row.id),
  ]);
  return {
    ...toApiChange(row, {
      assets: scope.assets.length,
      patches: scope.patches.length,
      findings: scope.findings.length,
    }),
    assets: scope.assets.map(toChangeAsset),
    patches: scope.patches.map((p) => toChangePatch(p, names.get(p.asset_id) ?? p.asset_id)),
    findings: scope.findings.map(toChangeFinding),
    plans: JSON.parse(row.plans_json) as ChangePlans,
    planCheck: checkPlans(JSON.parse(row.plans_json) as ChangePlans, row.type as ChangeType, scope),
    planVersions: versions.map((v) => ({
      version: v.version,
      hash: v.hash,
      author: { id: v.author_id, name: v.author_name },
      reason: v.reason,
      createdAt: v.created_at,
    })),
    // The approvals' own response schema (a copy: the evaluation's arrays are read-only).
    approvals: ApiApprovalStatus.parse(approvals),
    conflicts,
    history: transitions.map(toTransition),
    evidence,
    review: review === undefined ? null : toReview(review),
    preflight: facts.preflight,
    reviewFacts: facts.reviewFacts,
  };
}

/** The change's scheduling conflicts now. */
export async function conflictsOfChange(ctx: Ctx, ref: string) {
  const row = await changeOr404(ctx.database.db, ref);
  return changeConflicts(ctx, row, await loadScope(ctx.database.db, row));
}

/** The change's next feasible slot from now (options: from `after`, outside every freeze). */
export async function nextSlotOf(
  ctx: Ctx,
  ref: string,
  options: { readonly after?: Date; readonly avoidEveryFreeze?: boolean } = {},
) {
  const row = await changeOr404(ctx.database.db, ref);
  return nextSlot(ctx, row, await loadScope(ctx.database.db, row), options);
}

export async function listChangesPage(
  ctx: Ctx,
  query: {
    filters: ChangeFilters;
    cursor?: string;
    limit: number;
    sort?: repo.ChangeSort;
    order?: repo.SortOrder;
  },
): Promise<ChangeList> {
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  let after: repo.ChangeKeyset | undefined;
  if (query.cursor !== undefined) {
    // [sort, order, key, number]: a cursor of another sort or order is refused, not misread.
    const keyKind = sort === 'number' || sort === 'risk' ? 'number' : 'string';
    const [cursorSort, cursorOrder, key, number] = decodeCursor(query.cursor, [
      'string',
      'string',
      keyKind,
      'number',
    ]);
    if (cursorSort !== sort || cursorOrder !== order)
      throw cursorError('belongs to another sort or order: start again without a cursor');
    after = [key as string | number, number as number];
  }
  const rows = await repo.listChanges(
    ctx.database.db,
    query.filters,
    after,
    query.limit + 1,
    sort,
    order,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    changes: await Promise.all(page.map((row) => apiChange(ctx.database.db, row))),
    nextCursor:
      rows.length > query.limit && last !== undefined
        ? encodeCursor([sort, order, repo.changeSortValue(last, sort, order), last.number])
        : null,
  };
}

// ---------------------------------------------------------------- writing

function actorFields(by: ChangeActor) {
  return { actor_type: by.actor.type, actor_id: by.actor.id, actor_name: by.actor.name };
}

/** Audit a write to a change in its transaction, with the actor and request of `by`. */
export async function audit(
  ctx: Ctx,
  trx: Trx,
  by: ChangeActor,
  action: string,
  changeId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    actor: by.actor,
    action,
    subjectType: 'change',
    subjectId: changeId,
    ...(before !== undefined && { before }),
    ...(after !== undefined && { after }),
    ...(by.requestId !== undefined && { requestId: by.requestId }),
    ...(by.ip !== undefined && { ip: by.ip }),
  });
}

/**
 * Record a move from `row.state` to `to` by `action`: the history row, the audit event and the
 * `change.state-changed` event, in `trx`. Returns the row as it is now.
 */
async function recordTransition(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  action: string,
  to: ChangeState,
  by: ChangeActor,
  reason: string | undefined,
): Promise<ChangeRequestTable> {
  const now = timestamp(ctx.clock);
  const from = row.state as ChangeState;
  await repo.updateChange(trx, row.id, { state: to, updated_at: now });
  await repo.insertTransition(trx, {
    id: randomUUID(),
    change_id: row.id,
    from_state: from,
    to_state: to,
    action,
    ...actorFields(by),
    reason: reason ?? null,
    at: now,
  });
  await audit(
    ctx,
    trx,
    by,
    `change.${action}`,
    row.id,
    { state: from },
    {
      state: to,
      ...(reason !== undefined && { reason }),
    },
  );
  await publishEvent(
    trx,
    ctx.clock,
    'change.state-changed',
    {
      changeId: row.id,
      from,
      to,
      action,
      actorId: by.actor.id,
      ...(reason !== undefined && { reason }),
    },
    { createdBy: by.actor.type === 'system' ? null : by.actor.id },
  );
  return { ...row, state: to, updated_at: now };
}

/** The facts `transition` judges by, from the change's records now. */
async function factsOf(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  scope: Scope,
  reason: string | undefined,
) {
  const plans = JSON.parse(row.plans_json) as ChangePlans;
  const type = row.type as ChangeType;
  const checked = checkPlans(plans, type, scope);
  const transitions = await repo.transitionsOf(trx, row.id);
  const approvals = await approvalsOf(ctx, row, scope, trx);
  const template = await templateCriteria(trx, row, scope);
  return {
    planErrors: checked.errors,
    templateFailures: template?.failures ?? [],
    type,
    hasScope: scope.assets.length > 0,
    plansValid: checked.ok,
    rollbackPlanPresent: (plans.rollbackPlan?.steps.length ?? 0) > 0,
    riskAssessed: true,
    templateCriteriaMet: template?.ok ?? false,
    approvalsComplete: approvals.complete,
    scheduleSet: row.scheduled_start !== null && row.scheduled_end !== null,
    windowOpen: row.scheduled_start !== null && row.scheduled_start <= timestamp(ctx.clock),
    reviewPresent: (await repo.reviewOf(trx, row.id)) !== undefined,
    implementationFailed: transitions.some(
      (t) => t.to_state === 'failed' || t.to_state === 'rolled_back',
    ),
    reasonGiven: reason !== undefined && reason.trim() !== '',
  };
}

/** Ask the state machine; a refusal is a 409 with its reason. */
export async function move(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  action: ChangeAction,
  by: ChangeActor,
  reason: string | undefined,
): Promise<ChangeRequestTable> {
  const scope = await loadScope(trx, row);
  const facts = await factsOf(ctx, trx, row, scope, reason);
  const result = transition(row.state as ChangeState, action, facts);
  if (!result.ok) {
    // Say what is wrong with the plans or the template, not only that something is.
    const details =
      result.reason === 'the plans are not valid'
        ? facts.planErrors
        : /template's criteria/.test(result.reason)
          ? facts.templateFailures
          : [];
    throw new ConflictError(
      `${changeNumber(row.number)}: ${result.reason}${details.length === 0 ? '' : `: ${details.join('; ')}`}`,
    );
  }
  return recordTransition(ctx, trx, row, action, result.to, by, reason);
}

/**
 * Run `work` in a transaction holding the change's row lock. On PostgreSQL, a change action
 * locks the change row and then the audit chain; other writers (a rollout step, a pre-flight
 * result) take them the other way round, so under load PostgreSQL may end one transaction as a
 * deadlock: it is run again, reading the row afresh (transactionRetryingDeadlocks).
 */
export async function withChange<T>(
  ctx: Ctx,
  ref: string,
  work: (trx: Trx, row: ChangeRequestTable) => Promise<T>,
): Promise<T> {
  const found = await changeOr404(ctx.database.db, ref);
  return transactionRetryingDeadlocks(ctx.database, async (trx) => {
    const row = await repo.lockChangeRow(trx, ctx.database.dialect, found.id);
    if (row === undefined) throw new NotFoundError(`The change "${ref}"`);
    return work(trx, row);
  });
}

function planContent(row: ChangeRequestTable, scope: Scope) {
  return {
    plans: JSON.parse(row.plans_json) as unknown,
    assets: scope.assets.map((a) => a.asset_id).sort(),
    patches: scope.patches.map((p) => ({
      assetId: p.asset_id,
      ecosystem: p.ecosystem,
      package: p.package_name,
      toVersion: p.to_version,
      mode: p.mode,
      origin: p.origin,
    })),
    schedule:
      row.scheduled_start === null ? null : { start: row.scheduled_start, end: row.scheduled_end },
  };
}

/** What a material edit is judged on (@patchgate/changes `materialChanges`). */
function contentOf(row: ChangeRequestTable, scope: Scope): ChangeContent {
  return {
    assetIds: scope.assets.map((a) => a.asset_id),
    patches: scope.patches.map((p) => ({
      assetId: p.asset_id,
      ecosystem: p.ecosystem,
      packageName: p.package_name,
      toVersion: p.to_version ?? 'latest',
    })),
    plans: JSON.parse(row.plans_json) as ChangePlans,
    schedule:
      row.scheduled_start === null || row.scheduled_end === null
        ? null
        : { start: row.scheduled_start, end: row.scheduled_end },
  };
}

export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Keep the current plans, scope and schedule as version `row.plan_version`. */
async function savePlanVersion(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  scope: Scope,
  by: ChangeActor,
  reason: string | undefined,
): Promise<void> {
  const content = planContent(row, scope);
  await repo.insertPlanVersion(trx, {
    change_id: row.id,
    version: row.plan_version,
    content_json: JSON.stringify(content),
    hash: contentHash(content),
    author_id: by.actor.id,
    author_name: by.actor.name,
    reason: reason ?? null,
    created_at: timestamp(ctx.clock),
  });
}

/** Create a change (the API's and the autopilot's one way to do it). Starts as a draft. */
export async function createChangeRequest(
  ctx: Ctx,
  input: ChangeCreateBody,
  by: ChangeActor,
): Promise<ApiChange> {
  const id = randomUUID();
  const scope = await buildScope(ctx, id, input);
  const type: ChangeType = input.type ?? (input.template === undefined ? 'normal' : 'standard');
  const template = await templateFor(ctx, input, type);
  const plans: ChangePlans = input.plans ?? template?.defaultPlans ?? defaultPlans(scope);
  const implementer =
    input.implementer === undefined
      ? undefined
      : await resolveUserRef(ctx.database.db, input.implementer);
  if (input.implementer !== undefined && (implementer === undefined || implementer.disabled)) {
    throw new ValidationError(`body.implementer: no active user "${input.implementer}"`, [
      { field: 'body.implementer', message: 'names no active user' },
    ]);
  }
  const risk = await assessChangeRisk(ctx.database.db, scope, plans, undefined);
  const now = timestamp(ctx.clock);
  return ctx.database.db.transaction().execute(async (trx) => {
    const number = await repo.nextChangeNumber(trx, ctx.database.dialect);
    const row: ChangeRequestTable = {
      id,
      number,
      title: input.title,
      description: input.description ?? '',
      type,
      state: 'draft',
      risk_level: risk.level,
      risk_score: risk.score,
      risk_factors_json: JSON.stringify(risk.stored),
      risk_override: null,
      risk_override_reason: null,
      template_id: template?.name ?? null,
      template_version: template?.version ?? null,
      requester_id: by.actor.id,
      requester_name: by.actor.name,
      implementer_id: implementer?.id ?? null,
      implementer_name: implementer?.username ?? null,
      plan_version: 1,
      plans_json: JSON.stringify(plans),
      scheduled_start: null,
      scheduled_end: null,
      created_by_rule: by.rule?.id ?? null,
      created_reason: by.rule?.reason ?? null,
      freeze_override_json: null,
      created_at: now,
      updated_at: now,
    };
    await repo.insertChange(trx, row);
    await repo.replaceScope(trx, id, scope);
    await savePlanVersion(ctx, trx, row, scope, by, by.rule?.reason);
    await repo.insertTransition(trx, {
      id: randomUUID(),
      change_id: id,
      from_state: null,
      to_state: 'draft',
      action: 'create',
      ...actorFields(by),
      reason: by.rule?.reason ?? null,
      at: now,
    });
    await audit(ctx, trx, by, 'change.created', id, undefined, {
      number: changeNumber(number),
      title: row.title,
      type,
      risk: risk.level,
      assets: scope.assets.length,
      patches: scope.patches.length,
      findings: scope.findings.length,
      ...(by.rule !== undefined && { rule: by.rule.id, reason: by.rule.reason }),
    });
    await publishEvent(
      trx,
      ctx.clock,
      'change.state-changed',
      {
        changeId: id,
        from: null,
        to: 'draft',
        action: 'create',
        actorId: by.actor.id,
        ...(by.rule !== undefined && { reason: by.rule.reason }),
      },
      { createdBy: by.actor.type === 'system' ? null : by.actor.id },
    );
    return toApiChange(row, {
      assets: scope.assets.length,
      patches: scope.patches.length,
      findings: scope.findings.length,
    });
  });
}

async function templateFor(
  ctx: Ctx,
  input: ChangeCreateBody,
  type: ChangeType,
): Promise<StandardTemplate | undefined> {
  if (input.template === undefined) return undefined;
  if (type !== 'standard') {
    throw new ValidationError('body.template: only standard changes use a template', [
      { field: 'body.template', message: 'only standard changes use a template' },
    ]);
  }
  const template = await latestTemplate(ctx.database.db, input.template);
  if (template === undefined) {
    throw new ValidationError(`body.template: no template "${input.template}"`, [
      { field: 'body.template', message: 'names no template' },
    ]);
  }
  return template;
}

/**
 * A new plan version: new plans and/or a new scope. After an approval was given (authorise with
 * decisions, or scheduled) it is a material edit: the approvals are withdrawn and the change is
 * back in authorise, audited. Closed, cancelled and changes under way cannot be edited.
 */
export async function revisePlans(
  ctx: Ctx,
  ref: string,
  body: PlansBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const found = await changeOr404(ctx.database.db, ref);
  const rebuilt =
    body.patches === undefined
      ? undefined
      : await buildScope(ctx, found.id, { patches: body.patches });
  const id = await withChange(ctx, found.id, async (trx, row) => {
    const editable: readonly string[] = ['draft', 'submitted', 'authorise', 'scheduled'];
    if (!editable.includes(row.state)) {
      throw new ConflictError(
        `${changeNumber(row.number)}: cannot edit the plans of a change in state ${row.state}`,
      );
    }
    const plans = body.plans ?? (JSON.parse(row.plans_json) as ChangePlans);
    let current = row;
    const before = await loadScope(trx, row);
    const scope = rebuilt ?? before;
    const changed = materialChanges(contentOf(row, before), {
      ...contentOf(row, scope),
      plans,
    });
    // Nothing material changed: no new version, nothing withdrawn (a repeated PUT is harmless).
    if (changed.length === 0) return row.id;
    if (rebuilt !== undefined) await repo.replaceScope(trx, row.id, scope);
    const risk = await assessChangeRisk(trx, scope, plans, row.id);
    current = {
      ...current,
      plans_json: JSON.stringify(plans),
      plan_version: row.plan_version + 1,
      risk_level: risk.level,
      risk_score: risk.score,
      risk_factors_json: JSON.stringify(risk.stored),
      updated_at: timestamp(ctx.clock),
    };
    await repo.updateChange(trx, row.id, {
      plans_json: current.plans_json,
      plan_version: current.plan_version,
      risk_level: current.risk_level,
      risk_score: current.risk_score,
      risk_factors_json: current.risk_factors_json,
      updated_at: current.updated_at,
    });
    await savePlanVersion(ctx, trx, current, scope, by, body.reason);
    await audit(
      ctx,
      trx,
      by,
      'change.plans-revised',
      row.id,
      { planVersion: row.plan_version },
      {
        planVersion: current.plan_version,
        changed,
        ...(body.reason !== undefined && { reason: body.reason }),
      },
    );
    await withdrawIfApproved(ctx, trx, current, by, `material edit: ${changed.join(', ')} changed`);
    return row.id;
  });
  return changeDetail(ctx, id);
}

/**
 * A material edit after approvals were given: withdraw them and go back to authorise. Before any
 * approval was given (draft, submitted, authorise without decisions) nothing is withdrawn.
 */
async function withdrawIfApproved(
  ctx: Ctx,
  trx: Trx,
  row: ChangeRequestTable,
  by: ChangeActor,
  why: string,
): Promise<ChangeRequestTable> {
  if (row.state !== 'authorise' && row.state !== 'scheduled') return row;
  const withdrawn = await withdrawAll(ctx, trx, row.id, why, by);
  if (withdrawn === 0 && row.state === 'authorise') return row;
  const back = await move(ctx, trx, row, 'withdraw-approvals', by, why);
  await openApprovalOf(ctx, trx, back);
  return back;
}

/** Entering authorise: ask the approvals to start (a standard change may be auto-approved). */
async function openApprovalOf(ctx: Ctx, trx: Trx, row: ChangeRequestTable) {
  const scope = await loadScope(trx, row);
  return startApproval(ctx, trx, row, scope, await templateCriteria(trx, row, scope));
}

/**
 * submit: draft → submitted, then the assessment (risk computed, plans validated, a standard
 * change's template criteria checked) → authorise in the same request. When the assessment
 * refuses, nothing is submitted: the 409 says what to fix.
 */
export async function submitChange(
  ctx: Ctx,
  ref: string,
  body: ActionBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const id = await withChange(ctx, ref, async (trx, row) => {
    const submitted = await move(ctx, trx, row, 'submit', by, body.reason);
    const assessed = await move(ctx, trx, submitted, 'assess', by, body.reason);
    const status = await openApprovalOf(ctx, trx, assessed);
    // A standard change approved by its template and already scheduled goes straight on.
    if (status.complete && assessed.scheduled_start !== null)
      await move(ctx, trx, assessed, 'approve', systemBy, 'approved by its standard template');
    return row.id;
  });
  return changeDetail(ctx, id);
}

/** The plain transitions: the state machine decides, nothing else changes. */
export const simpleActions = [
  'start',
  'complete',
  'fail',
  'roll-back',
  'cancel',
  'close',
  'reopen',
  'revise',
] as const satisfies readonly ChangeAction[];
export type SimpleAction = (typeof simpleActions)[number];

export async function actOnChange(
  ctx: Ctx,
  ref: string,
  action: SimpleAction,
  body: ActionBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const id = await withChange(ctx, ref, async (trx, row) => {
    await move(ctx, trx, row, action, by, body.reason);
    return row.id;
  });
  return changeDetail(ctx, id);
}

/**
 * Separation of duties through the plan: whom the plan's roles name as requester or implementer
 * (a username or user id) does not decide the change either, even when the change itself names
 * no implementer (the plan's implementer releases the manual gates).
 */
async function refuseRoleInPlan(trx: Trx, row: ChangeRequestTable, by: ChangeActor) {
  const roles = (JSON.parse(row.plans_json) as ChangePlans).roles;
  for (const role of ['implementer', 'requester'] as const) {
    const named = roles?.[role];
    if (named === undefined) continue;
    const user = await resolveUserRef(trx, named);
    if (user !== undefined && user.id === by.actor.id)
      throw new ConflictError(
        `Separation of duties: the plan names you as its ${role} (roles.${role}), so someone else must decide it`,
      );
  }
}

/**
 * approve / reject: the approvals decide (separation of duties, stages, quorum). A rejection
 * rejects the change; the approval that completes the last stage schedules it when a schedule
 * is set (else it waits in authorise for one).
 */
export async function decideChange(
  ctx: Ctx,
  ref: string,
  decision: 'approved' | 'rejected',
  body: DecisionBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const comment = body.comment?.trim();
  if (decision === 'rejected' && (comment === undefined || comment === '')) {
    throw new ValidationError('body.comment: a rejection needs a comment', [
      { field: 'body.comment', message: 'is required to reject' },
    ]);
  }
  const id = await withChange(ctx, ref, async (trx, row) => {
    if (row.state !== 'authorise') {
      throw new ConflictError(
        `${changeNumber(row.number)}: cannot ${decision === 'approved' ? 'approve' : 'reject'} a change in state ${row.state} (only in authorise)`,
      );
    }
    await refuseRoleInPlan(trx, row, by);
    const scope = await loadScope(trx, row);
    const status = await decideApproval(ctx, trx, row, scope, by, decision, comment);
    if (decision === 'rejected' || status.rejected) {
      await move(ctx, trx, row, 'reject', by, comment ?? 'rejected');
    } else if (status.complete && row.scheduled_start !== null) {
      await move(ctx, trx, row, 'approve', by, comment);
    }
    return row.id;
  });
  return changeDetail(ctx, id);
}

/** A start this much before now is still taken (the time it took to type and send it). */
export const scheduleGraceMs = 60_000;

/**
 * schedule: set the window (a start in the past, beyond `scheduleGraceMs`, is a 422) (checked against freezes: refused unless an emergency change may
 * override the freeze and asks to). In authorise with complete approvals the change becomes
 * scheduled; rescheduling a scheduled change is a material edit (approvals withdrawn). A
 * schedule that overrides freezes is recorded on the change (`freeze_override_json`, audited as
 * `change.freeze-overridden`): its approval gains the policy rule's freeze-override stage, so it
 * stays in authorise until that stage is approved too (ADR 0033).
 */
export async function scheduleChange(
  ctx: Ctx,
  ref: string,
  body: { start: string; end?: string; overrideFreeze?: boolean; reason?: string },
  by: ChangeActor,
): Promise<ChangeDetail> {
  const allowed: readonly string[] = ['draft', 'submitted', 'authorise', 'scheduled'];
  const refuseState = (row: ChangeRequestTable) => {
    if (!allowed.includes(row.state)) {
      throw new ConflictError(
        `${changeNumber(row.number)}: cannot schedule a change in state ${row.state}`,
      );
    }
  };
  // The calendar is read before the transaction (its reads use their own connection).
  const found = await changeOr404(ctx.database.db, ref);
  refuseState(found);
  const start = new Date(body.start).toISOString();
  const end =
    body.end === undefined
      ? scheduleEnd(start, JSON.parse(found.plans_json) as ChangePlans)
      : new Date(body.end).toISOString();
  const earliest = ctx.clock.now().getTime() - scheduleGraceMs;
  if (Date.parse(start) < earliest) {
    throw new ValidationError(
      `body.start: ${start} is in the past (it is ${timestamp(ctx.clock)}); give a start from now on`,
      [{ field: 'body.start', message: 'is in the past' }],
    );
  }
  if (end <= start) {
    throw new ValidationError('body.end: must be after the start', [
      { field: 'body.end', message: 'must be after start' },
    ]);
  }
  const overridden = await refuseFreeze(
    ctx,
    found,
    await loadScope(ctx.database.db, found),
    start,
    end,
    body.overrideFreeze === true,
  );
  const id = await withChange(ctx, found.id, async (trx, row) => {
    refuseState(row);
    // The same window again changes nothing (no new version, nothing withdrawn).
    if (row.scheduled_start === start && row.scheduled_end === end) return row.id;
    const scope = await loadScope(trx, row);
    const now = timestamp(ctx.clock);
    const freezeOverride: FreezeOverride | null =
      overridden.length === 0
        ? null
        : {
            freezes: overridden,
            by: { id: by.actor.id, name: by.actor.name },
            at: now,
            reason: body.reason ?? null,
          };
    const planned: ChangeRequestTable = {
      ...row,
      scheduled_start: start,
      scheduled_end: end,
      plan_version: row.scheduled_start === null ? row.plan_version : row.plan_version + 1,
      freeze_override_json: freezeOverride === null ? null : JSON.stringify(freezeOverride),
      updated_at: now,
    };
    await repo.updateChange(trx, row.id, {
      scheduled_start: start,
      scheduled_end: end,
      plan_version: planned.plan_version,
      freeze_override_json: planned.freeze_override_json,
      updated_at: planned.updated_at,
    });
    if (planned.plan_version !== row.plan_version)
      await savePlanVersion(ctx, trx, planned, scope, by, body.reason ?? 'rescheduled');
    else await replaceCurrentPlanVersion(trx, planned, scope);
    await audit(
      ctx,
      trx,
      by,
      'change.scheduled',
      row.id,
      { start: row.scheduled_start, end: row.scheduled_end },
      {
        start,
        end,
        ...(overridden.length > 0 && { freezeOverridden: overridden.map((f) => f.id) }),
        ...(body.reason !== undefined && { reason: body.reason }),
      },
    );
    if (freezeOverride !== null)
      await audit(
        ctx,
        trx,
        by,
        'change.freeze-overridden',
        row.id,
        { freezeOverride: freezeOverrideOf(row) },
        {
          freezes: freezeOverride.freezes,
          start,
          end,
          reason: freezeOverride.reason,
          approval: 'the freeze-override stage of the approval policy is required',
        },
      );
    if (row.scheduled_start !== null && row.state !== 'draft' && row.state !== 'submitted') {
      const back = await withdrawIfApproved(
        ctx,
        trx,
        planned,
        by,
        'material edit: schedule changed',
      );
      if (back.state !== 'authorise') return row.id;
      const status = await approvalsOf(ctx, back, scope, trx);
      if (status.complete) await move(ctx, trx, back, 'schedule', by, body.reason);
      return row.id;
    }
    if (planned.state === 'authorise') {
      const status = await approvalsOf(ctx, planned, scope, trx);
      if (status.complete) await move(ctx, trx, planned, 'schedule', by, body.reason);
      else
        await announceIfStageChanged(
          ctx,
          trx,
          await approvalsOf(ctx, row, scope, trx),
          status,
          by.actor.id,
        );
    }
    return row.id;
  });
  return changeDetail(ctx, id);
}

/** The first schedule fills in the current version's content (it had none); no new version. */
async function replaceCurrentPlanVersion(
  trx: Trx,
  row: ChangeRequestTable,
  scope: Scope,
): Promise<void> {
  const content = planContent(row, scope);
  await trx
    .updateTable('change_plan_versions')
    .set({ content_json: JSON.stringify(content), hash: contentHash(content) })
    .where('change_id', '=', row.id)
    .where('version', '=', row.plan_version)
    .execute();
}

export async function overrideRisk(
  ctx: Ctx,
  ref: string,
  body: RiskOverrideBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const id = await withChange(ctx, ref, async (trx, row) => {
    const closed: readonly string[] = ['closed', 'cancelled', 'rejected'];
    if (closed.includes(row.state)) {
      throw new ConflictError(
        `${changeNumber(row.number)}: cannot change the risk of a change in state ${row.state}`,
      );
    }
    await repo.updateChange(trx, row.id, {
      risk_override: body.level,
      risk_override_reason: body.reason,
      updated_at: timestamp(ctx.clock),
    });
    await audit(
      ctx,
      trx,
      by,
      'change.risk-overridden',
      row.id,
      { level: row.risk_override ?? row.risk_level, assessed: row.risk_level },
      { level: body.level, reason: body.reason },
    );
    return row.id;
  });
  return changeDetail(ctx, id);
}

/**
 * The post-implementation review: written (and rewritten) once implementation ended. Writing it
 * for a failed or rolled-back change moves that change to review.
 */
export async function writeReview(
  ctx: Ctx,
  ref: string,
  body: ReviewBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const id = await withChange(ctx, ref, async (trx, row) => {
    const open: readonly string[] = ['implementing', 'review', 'failed', 'rolled_back'];
    if (!open.includes(row.state)) {
      throw new ConflictError(
        `${changeNumber(row.number)}: a review is written once implementation has started (state is ${row.state})`,
      );
    }
    const before = await repo.reviewOf(trx, row.id);
    const review = {
      change_id: row.id,
      went_well: body.wentWell,
      did_not_go_well: body.didNotGoWell,
      incidents_json: JSON.stringify(body.incidents),
      lessons: body.lessons,
      follow_ups_json: JSON.stringify(body.followUps),
      author_id: by.actor.id,
      author_name: by.actor.name,
      updated_at: timestamp(ctx.clock),
    };
    await repo.upsertReview(trx, review);
    await audit(
      ctx,
      trx,
      by,
      'change.reviewed',
      row.id,
      before === undefined ? undefined : toReview(before),
      toReview(review),
    );
    if (row.state === 'failed' || row.state === 'rolled_back')
      await move(ctx, trx, row, 'review', by, 'post-implementation review written');
    return row.id;
  });
  return changeDetail(ctx, id);
}

/**
 * Edit a change's title, description, type or template, audited as `change.edited`. Title and
 * description are not material (@patchgate/changes `materialChanges`): they may be edited until
 * implementation starts, approvals stand. The type and template decide the approval path and the
 * plans' requirements, so they are edited in draft only (revise a submitted change back first).
 * A template makes the change standard; another type drops the template.
 */
export async function editChange(
  ctx: Ctx,
  ref: string,
  body: ChangeEditBody,
  by: ChangeActor,
): Promise<ChangeDetail> {
  const found = await changeOr404(ctx.database.db, ref);
  const type: ChangeType =
    body.type ?? (body.template === undefined ? (found.type as ChangeType) : 'standard');
  if (body.template !== undefined && type !== 'standard') {
    throw new ValidationError('body.template: only standard changes use a template', [
      { field: 'body.template', message: 'only standard changes use a template' },
    ]);
  }
  const template =
    body.template === undefined ? undefined : await latestTemplate(ctx.database.db, body.template);
  if (body.template !== undefined && template === undefined) {
    throw new ValidationError(`body.template: no template "${body.template}"`, [
      { field: 'body.template', message: 'names no template' },
    ]);
  }
  const id = await withChange(ctx, found.id, async (trx, row) => {
    const kindEdit = body.type !== undefined || body.template !== undefined;
    if (kindEdit && row.state !== 'draft') {
      throw new ConflictError(
        `${changeNumber(row.number)}: the type and template can only be edited in draft (state is ${row.state}); revise it back to draft first`,
      );
    }
    const editable: readonly string[] = ['draft', 'submitted', 'authorise', 'scheduled'];
    if (!editable.includes(row.state)) {
      throw new ConflictError(
        `${changeNumber(row.number)}: cannot edit a change in state ${row.state}`,
      );
    }
    const next = {
      title: body.title ?? row.title,
      description: body.description ?? row.description,
      type: kindEdit ? type : row.type,
      template_id: !kindEdit
        ? row.template_id
        : type !== 'standard'
          ? null
          : (template?.name ?? row.template_id),
      template_version: !kindEdit
        ? row.template_version
        : type !== 'standard'
          ? null
          : (template?.version ?? row.template_version),
    };
    const fields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== row[k]);
    // Nothing differs: nothing recorded (a repeated edit is harmless).
    if (fields.length === 0) return row.id;
    await repo.updateChange(trx, row.id, { ...next, updated_at: timestamp(ctx.clock) });
    const pick = (source: typeof next) =>
      Object.fromEntries(fields.map((k) => [k, source[k]])) as Record<string, unknown>;
    await audit(ctx, trx, by, 'change.edited', row.id, pick(row), {
      ...pick(next),
      ...(body.reason !== undefined && { reason: body.reason }),
    });
    return row.id;
  });
  return changeDetail(ctx, id);
}

/** What a plan version records (`planContent`), for the history import (history.ts). */
export const planVersionContent = planContent;
