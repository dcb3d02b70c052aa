/**
 * The improvement loop (issue 11, ADR 0046): review trends, recommendations refreshed from the
 * rules (one open per subject), accepted through the owning context (a window through the
 * calendar's index, a template through the changes' index, or a follow-up action) or dismissed
 * with a reason, and the follow-up actions tracked to closure. Every write is audited in its
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import type { StandardTemplate } from '@patchgate/changes';
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { transactionRetryingDeadlocks } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { lengthenWindow, maintenanceWindows } from '../calendar/index.ts';
import { reviewHistory, reviseTemplate } from '../changes/index.ts';
import * as repo from './repository.ts';
import type { Candidate } from './rules.ts';
import { reviewRules } from './rules.ts';
import { slaDropCandidates } from './sla.ts';
import type {
  ActionCreateBody,
  ActionPatchBody,
  ActionState,
  ImprovementAction,
  Recommendation,
  RecommendationAction,
  RecommendationState,
  RefreshResult,
  ReviewTrends,
} from './schema.ts';
import { RecommendationAction as ActionSchema, Evidence as EvidenceSchema } from './schema.ts';
import type { ImprovementActionTable, RecommendationTable } from './tables.ts';
import type { Period } from './trends.ts';
import { reviewTrends } from './trends.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

/** Days of history the rules and the default trends read. */
export const lookbackDays = 90;
const dayMs = 86_400_000;
/** A lock id for refreshes (PostgreSQL advisory lock): one refresh at a time. */
const refreshLock = 0x50474952; // "PGIR"

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** [to − 90 days, to], to defaulting to the clock's today; 422 when from is after to. */
export function periodOf(ctx: Ctx, query: { from?: string; to?: string }): Period {
  const to = query.to ?? isoDay(ctx.clock.now());
  const from = query.from ?? isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - lookbackDays * dayMs));
  if (from > to)
    throw new ValidationError('from must not be after to', [
      { field: 'querystring.from', message: `${from} is after ${to}` },
    ]);
  if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 3 * 366 * dayMs)
    throw new ValidationError('The period is at most three years', [
      { field: 'querystring.from', message: 'at most three years before to' },
    ]);
  return { from, to };
}

const instants = (p: Period) => ({ from: `${p.from}T00:00:00.000Z`, to: `${p.to}T23:59:59.999Z` });

export async function trendsFor(ctx: Ctx, period: Period): Promise<ReviewTrends> {
  const [records, windows] = await Promise.all([
    reviewHistory(ctx.database, instants(period)),
    maintenanceWindows(ctx.database),
  ]);
  return reviewTrends(records, windows, period);
}

// ---- recommendations ---------------------------------------------------------------------

function toRecommendation(row: RecommendationTable): Recommendation {
  return {
    id: row.id,
    rule: row.rule,
    subjectKey: row.subject_key,
    title: row.title,
    detail: row.detail,
    evidence: EvidenceSchema.parse(JSON.parse(row.evidence_json)),
    action: ActionSchema.parse(JSON.parse(row.action_json)),
    state: row.state as RecommendationState,
    decidedBy: row.decided_by_name,
    decidedAt: row.decided_at,
    reason: row.decision_reason,
    applied:
      row.applied_json === null ? null : (JSON.parse(row.applied_json) as Record<string, unknown>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listRecommendations(
  ctx: Ctx,
  state?: RecommendationState,
): Promise<Recommendation[]> {
  return (await repo.listRecommendationRows(ctx.database.db, state)).map(toRecommendation);
}

export async function getRecommendation(ctx: Ctx, id: string): Promise<Recommendation> {
  const row = await repo.recommendationRow(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError('The recommendation');
  return toRecommendation(row);
}

/**
 * Run every rule over the last 90 days and bring the stored recommendations in line: a new
 * subject opens one; an open one gets the fresh evidence; an open one whose evidence no longer
 * holds is resolved; a subject decided (accepted or dismissed) stays decided until evidence newer
 * than the decision arrives. The reviews' follow-ups not yet tracked become actions. Audited as
 * one `improvement.recommendations-refreshed` event naming what changed.
 */
export async function refreshRecommendations(
  ctx: Ctx,
  source: RequestSource,
): Promise<RefreshResult> {
  const period = periodOf(ctx, {});
  const [records, windows] = await Promise.all([
    reviewHistory(ctx.database, instants(period)),
    maintenanceWindows(ctx.database),
  ]);
  const candidates: Candidate[] = [
    ...reviewRules(records, windows, period),
    ...(await slaDropCandidates(ctx, period)),
  ];
  return transactionRetryingDeadlocks(ctx.database, async (trx) => {
    if (ctx.database.dialect === 'postgres')
      await sql`SELECT pg_advisory_xact_lock(${refreshLock})`.execute(trx);
    const now = timestamp(ctx.clock);
    const rows = await repo.listRecommendationRows(trx);
    const created: string[] = [];
    const updated: string[] = [];
    const resolved: string[] = [];
    const seen = new Set<string>();
    for (const candidate of candidates) {
      if (seen.has(candidate.subjectKey)) continue;
      seen.add(candidate.subjectKey);
      const fields = {
        rule: candidate.rule,
        title: candidate.title,
        detail: candidate.detail,
        evidence_json: JSON.stringify(candidate.evidence),
        action_json: JSON.stringify(candidate.action),
      };
      const open = rows.find((r) => r.subject_key === candidate.subjectKey && r.state === 'open');
      if (open !== undefined) {
        if (
          open.title !== fields.title ||
          open.detail !== fields.detail ||
          open.evidence_json !== fields.evidence_json ||
          open.action_json !== fields.action_json
        ) {
          await repo.updateRecommendation(trx, open.id, { ...fields, updated_at: now });
          updated.push(open.id);
        }
        continue;
      }
      const decidedSince = rows.some(
        (r) =>
          r.subject_key === candidate.subjectKey &&
          (r.state === 'accepted' || r.state === 'dismissed') &&
          r.decided_at !== null &&
          r.decided_at >= candidate.freshAt,
      );
      if (decidedSince) continue;
      const id = randomUUID();
      await repo.insertRecommendation(trx, {
        id,
        subject_key: candidate.subjectKey,
        ...fields,
        state: 'open',
        decided_by_id: null,
        decided_by_name: null,
        decided_at: null,
        decision_reason: null,
        applied_json: null,
        created_at: now,
        updated_at: now,
      });
      created.push(id);
    }
    for (const row of rows)
      if (row.state === 'open' && !seen.has(row.subject_key)) {
        await repo.updateRecommendation(trx, row.id, { state: 'resolved', updated_at: now });
        resolved.push(row.id);
      }
    const actions = await trackReviewFollowUps(trx, records, now);
    if (created.length + updated.length + resolved.length + actions.length > 0)
      await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
        ...source,
        action: 'improvement.recommendations-refreshed',
        subjectType: 'improvement-recommendations',
        after: { period, created, updated, resolved, actionsFromReviews: actions },
      });
    const open = await trx
      .selectFrom('improvement_recommendations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'open')
      .executeTakeFirstOrThrow();
    return {
      created: created.length,
      updated: updated.length,
      resolved: resolved.length,
      actionsFromReviews: actions.length,
      open: Number(open.n),
    };
  });
}

/** Each review follow-up not yet tracked becomes an action (done when the review says so). */
async function trackReviewFollowUps(
  trx: Transaction<DatabaseSchema>,
  records: Awaited<ReturnType<typeof reviewHistory>>,
  now: string,
): Promise<string[]> {
  const known = await repo.reviewActionKeys(trx);
  const made: string[] = [];
  for (const record of records)
    for (const followUp of record.review?.followUps ?? []) {
      const key = `${record.id}\u0000${followUp.action}`;
      if (known.has(key)) continue;
      known.add(key);
      const id = randomUUID();
      await repo.insertAction(trx, {
        id,
        source: 'review',
        change_id: record.id,
        recommendation_id: null,
        title: followUp.action,
        owner: followUp.owner,
        due_date: followUp.dueAt,
        state: followUp.done ? 'done' : 'open',
        note: `From the review of ${record.number} ${record.title}`,
        closed_by_name: followUp.done ? 'review (done when tracked)' : null,
        closed_at: followUp.done ? now : null,
        created_at: now,
        updated_at: now,
      });
      made.push(id);
    }
  return made;
}

/** The template with a non-production test wave before its first wave (409 if it has one). */
export function withTestWave(
  template: StandardTemplate,
  wave: Extract<RecommendationAction, { kind: 'add-test-wave' }>['wave'],
): StandardTemplate {
  const plans = template.defaultPlans ?? { testEvidence: [] };
  const plan = plans.deploymentPlan;
  if (plan?.waves.some((w) => w.name === wave.name))
    throw new ConflictError(
      `The template ${template.name} already has a wave named ${wave.name}: nothing to add`,
    );
  const first = plan?.waves[0];
  const test = {
    name: wave.name,
    selector: { environments: wave.environments },
    concurrency: 1,
    failureThreshold: 0,
    bakeMinutes: wave.bakeMinutes,
    healthChecks: first?.healthChecks ?? [],
    gate: 'auto',
    onFailure: 'pause',
  } as NonNullable<typeof plan>['waves'][number];
  const rest = { ...test, name: 'rest', selector: undefined, bakeMinutes: 0 };
  delete rest.selector;
  const deploymentPlan =
    plan === undefined
      ? { waves: [test, rest], rings: [] }
      : {
          ...plan,
          waves: [test, ...plan.waves],
          rings: plan.rings.map((ring, i) =>
            i === 0 ? { ...ring, waves: [wave.name, ...ring.waves] } : ring,
          ),
        };
  return { ...template, defaultPlans: { ...plans, deploymentPlan } };
}

const dueIn = (ctx: Ctx, days: number) =>
  isoDay(new Date(ctx.clock.now().getTime() + days * dayMs));

/** Accept: apply the edit through the owning context (or open a follow-up action); audited. */
export async function acceptRecommendation(
  ctx: Ctx,
  id: string,
  reason: string | undefined,
  source: RequestSource,
): Promise<Recommendation> {
  return transactionRetryingDeadlocks(ctx.database, async (trx) => {
    const row = await repo.lockRecommendationRow(trx, ctx.database.dialect, id);
    if (row === undefined) throw new NotFoundError('The recommendation');
    if (row.state !== 'open')
      throw new ConflictError(`The recommendation is ${row.state}: only an open one is accepted`);
    const action = ActionSchema.parse(JSON.parse(row.action_json));
    const now = timestamp(ctx.clock);
    let applied: Record<string, unknown>;
    switch (action.kind) {
      case 'lengthen-window': {
        const { before, after } = await lengthenWindow(
          trx,
          ctx,
          action.windowId,
          action.byMinutes,
          source,
        );
        applied = {
          kind: action.kind,
          windowId: action.windowId,
          before: { durationMinutes: before.durationMinutes },
          after: { durationMinutes: after.durationMinutes },
        };
        break;
      }
      case 'add-test-wave': {
        const { before, after } = await reviseTemplate(
          trx,
          ctx,
          action.template,
          (latest) => withTestWave(latest, action.wave),
          source,
        );
        const waves = (t: StandardTemplate) =>
          t.defaultPlans?.deploymentPlan?.waves.map((w) => w.name) ?? [];
        applied = {
          kind: action.kind,
          template: action.template,
          before: { version: before.version, waves: waves(before) },
          after: { version: after.version, waves: waves(after) },
        };
        break;
      }
      case 'follow-up': {
        const actionId = randomUUID();
        const evidence = EvidenceSchema.parse(JSON.parse(row.evidence_json));
        const actionRow: ImprovementActionTable = {
          id: actionId,
          source: 'recommendation',
          change_id: evidence.changes[0]?.id ?? null,
          recommendation_id: row.id,
          title: action.title,
          owner: action.owner,
          due_date: dueIn(ctx, action.dueInDays),
          state: 'open',
          note: row.title,
          closed_by_name: null,
          closed_at: null,
          created_at: now,
          updated_at: now,
        };
        await repo.insertAction(trx, actionRow);
        await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
          ...source,
          action: 'improvement.action-created',
          subjectType: 'improvement-action',
          subjectId: actionId,
          after: toAction(ctx, actionRow),
        });
        applied = { kind: action.kind, actionId, before: null, after: { actionId } };
        break;
      }
    }
    const decided = {
      state: 'accepted',
      decided_by_id: source.actor.id,
      decided_by_name: source.actor.name,
      decided_at: now,
      decision_reason: reason ?? null,
      applied_json: JSON.stringify(applied),
      updated_at: now,
    };
    await repo.updateRecommendation(trx, row.id, decided);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'improvement.recommendation-accepted',
      subjectType: 'improvement-recommendation',
      subjectId: row.id,
      before: { state: row.state, title: row.title },
      after: { state: 'accepted', reason: reason ?? null, applied },
    });
    return toRecommendation({ ...row, ...decided });
  });
}

/** Dismiss with a reason (400 without one); audited. */
export async function dismissRecommendation(
  ctx: Ctx,
  id: string,
  reason: string | undefined,
  source: RequestSource,
): Promise<Recommendation> {
  const why = reason?.trim() ?? '';
  if (why === '') throw new BadRequestError('A reason is required to dismiss a recommendation');
  return transactionRetryingDeadlocks(ctx.database, async (trx) => {
    const row = await repo.lockRecommendationRow(trx, ctx.database.dialect, id);
    if (row === undefined) throw new NotFoundError('The recommendation');
    if (row.state !== 'open')
      throw new ConflictError(`The recommendation is ${row.state}: only an open one is dismissed`);
    const now = timestamp(ctx.clock);
    const decided = {
      state: 'dismissed',
      decided_by_id: source.actor.id,
      decided_by_name: source.actor.name,
      decided_at: now,
      decision_reason: why,
      updated_at: now,
    };
    await repo.updateRecommendation(trx, row.id, decided);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'improvement.recommendation-dismissed',
      subjectType: 'improvement-recommendation',
      subjectId: row.id,
      before: { state: row.state, title: row.title },
      after: { state: 'dismissed', reason: why },
    });
    return toRecommendation({ ...row, ...decided });
  });
}

// ---- follow-up actions -------------------------------------------------------------------

function toAction(ctx: Ctx, row: ImprovementActionTable): ImprovementAction {
  return {
    id: row.id,
    source: row.source as ImprovementAction['source'],
    changeId: row.change_id,
    recommendationId: row.recommendation_id,
    title: row.title,
    owner: row.owner,
    dueDate: row.due_date,
    state: row.state as ActionState,
    note: row.note,
    overdue:
      row.state === 'open' && row.due_date !== null && row.due_date < isoDay(ctx.clock.now()),
    closedBy: row.closed_by_name,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listActions(ctx: Ctx, state?: ActionState): Promise<ImprovementAction[]> {
  return (await repo.listActionRows(ctx.database.db, state)).map((row) => toAction(ctx, row));
}

export async function createAction(
  ctx: Ctx,
  body: ActionCreateBody,
  source: RequestSource,
): Promise<ImprovementAction> {
  const now = timestamp(ctx.clock);
  const row: ImprovementActionTable = {
    id: randomUUID(),
    source: 'manual',
    change_id: body.changeId ?? null,
    recommendation_id: null,
    title: body.title,
    owner: body.owner ?? null,
    due_date: body.dueDate ?? null,
    state: 'open',
    note: body.note ?? null,
    closed_by_name: null,
    closed_at: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.database.db.transaction().execute(async (trx) => {
    await repo.insertAction(trx, row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'improvement.action-created',
      subjectType: 'improvement-action',
      subjectId: row.id,
      after: toAction(ctx, row),
    });
  });
  return toAction(ctx, row);
}

/** Change owner, due date, note or state (done/cancelled close it, open reopens); audited. */
export async function updateAction(
  ctx: Ctx,
  id: string,
  patch: ActionPatchBody,
  source: RequestSource,
): Promise<ImprovementAction> {
  return ctx.database.db.transaction().execute(async (trx) => {
    const before = await repo.actionRow(trx, id);
    if (before === undefined) throw new NotFoundError('The action');
    const now = timestamp(ctx.clock);
    const closing = patch.state !== undefined && patch.state !== 'open' && before.state === 'open';
    const reopening = patch.state === 'open' && before.state !== 'open';
    if (patch.state !== undefined && patch.state !== 'open' && before.state !== 'open')
      throw new ConflictError(`The action is already ${before.state}`);
    const set: Partial<ImprovementActionTable> = {
      ...(patch.state !== undefined && { state: patch.state }),
      ...(patch.owner !== undefined && { owner: patch.owner }),
      ...(patch.dueDate !== undefined && { due_date: patch.dueDate }),
      ...(patch.note !== undefined && { note: patch.note }),
      ...(closing && { closed_by_name: source.actor.name, closed_at: now }),
      ...(reopening && { closed_by_name: null, closed_at: null }),
      updated_at: now,
    };
    await repo.updateAction(trx, id, set);
    const after = { ...before, ...set };
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: closing
        ? 'improvement.action-closed'
        : reopening
          ? 'improvement.action-reopened'
          : 'improvement.action-updated',
      subjectType: 'improvement-action',
      subjectId: id,
      before: toAction(ctx, before),
      after: toAction(ctx, after),
    });
    return toAction(ctx, after);
  });
}

/** The system as the actor of the daily refresh. */
export const refreshActor: RequestSource = {
  actor: { ...systemActor, name: 'improvements daily refresh' },
};
