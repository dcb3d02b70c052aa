/**
 * Importing changes with their past (the demo organisation's history,
 * apps/server/src/demo/history.ts): a change as it was created, moved through the state
 * machine, approved, scheduled, implemented and reviewed at given times. Each move is checked
 * against @patchgate/changes' `transitionTable` (the action must start from the state the
 * change is in), the plans against `ChangePlans`, the review facts against `ReviewFacts`; the
 * risk is assessed as for a new change (past outcomes included, so failures raise it).
 *
 * Nothing is published (no `change.state-changed`): history must not wake the notifications,
 * the autopilot or the rollout driver. A change whose id is stored already is skipped, so the
 * same history imported twice adds nothing. One audit event per imported change, at the
 * clock's now, with `history: true` and the caller's `note`.
 */
import type { ChangeAction, ChangePlansInput, ChangeState, ChangeType } from '@patchgate/changes';
import { ChangePlans, changeTypes, transitionTable } from '@patchgate/changes';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { AuditActor } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { changeNumber } from './model.ts';
import { assessChangeRisk } from './planning.ts';
import * as repo from './repository.ts';
import { ReviewFacts } from './rollout-facts-schema.ts';
import type { Scope } from './scope.ts';
import { contentHash, planVersionContent } from './service.ts';
import type { ChangeRequestTable } from './tables.ts';

export interface HistoricalPerson {
  readonly type: AuditActor['type'];
  readonly id: string | null;
  readonly name: string;
}

export interface HistoricalChangeAsset {
  readonly id: string;
  readonly name: string;
  readonly environment: string | null;
  readonly criticality: string;
  readonly exposure: string;
  readonly team: string | null;
  readonly groups: readonly string[];
  readonly tags: readonly string[];
}

export interface HistoricalChange {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly type: ChangeType;
  readonly requester: HistoricalPerson;
  readonly implementer: { readonly id: string; readonly name: string } | null;
  readonly createdAt: string;
  readonly assets: readonly HistoricalChangeAsset[];
  readonly patches: readonly {
    readonly assetId: string;
    readonly ecosystem: string;
    readonly packageName: string;
    readonly fromVersion: string | null;
    readonly toVersion: string;
  }[];
  readonly findings: readonly {
    readonly findingId: string;
    readonly assetId: string;
    readonly packageName: string;
    readonly advisoryIds: readonly string[];
    readonly cveIds: readonly string[];
    readonly priority: string;
    readonly kev: boolean;
    readonly dueDate: string | null;
  }[];
  readonly plans: ChangePlansInput;
  readonly schedule: { readonly start: string; readonly end: string } | null;
  /** After the creation (a draft at `createdAt`), every move in order. */
  readonly transitions: readonly {
    readonly action: ChangeAction;
    readonly at: string;
    readonly by: HistoricalPerson;
    readonly reason?: string;
  }[];
  readonly approvals: readonly {
    readonly stage: number;
    readonly approver: { readonly id: string; readonly name: string };
    readonly decision: 'approved' | 'rejected';
    readonly comment: string | null;
    readonly at: string;
  }[];
  /** What its rollout's end recorded (`prefillReview`'s facts). */
  readonly reviewFacts?: ReviewFacts;
  readonly review?: {
    readonly wentWell: string;
    readonly didNotGoWell: string;
    readonly incidents: readonly string[];
    readonly lessons: string;
    readonly followUps: readonly {
      readonly action: string;
      readonly owner: string;
      readonly dueAt: string;
      readonly done: boolean;
    }[];
    readonly author: { readonly id: string | null; readonly name: string };
    readonly at: string;
  };
}

export interface ChangeHistoryImport {
  readonly actor: AuditActor;
  /** Said in each audit event (e.g. "demo data: generated history"). */
  readonly note: string;
  readonly changes: readonly HistoricalChange[];
}

/** The state each move leads to, checked against the state machine's table. */
function replay(change: HistoricalChange): { state: ChangeState; to: ChangeState[] } {
  let state: ChangeState = 'draft';
  const to: ChangeState[] = [];
  let last = change.createdAt;
  for (const move of change.transitions) {
    const entry = transitionTable[move.action];
    if (!(entry.from as readonly ChangeState[]).includes(state))
      throw new Error(`change ${change.id}: ${move.action} cannot start from ${state}`);
    if (move.at < last) throw new Error(`change ${change.id}: ${move.action} goes back in time`);
    last = move.at;
    state = entry.to;
    to.push(state);
  }
  return { state, to };
}

/** Store changes that happened in the past; returns how many were added. */
export async function importChangeHistory(
  database: Database,
  clock: Clock,
  input: ChangeHistoryImport,
): Promise<number> {
  let added = 0;
  for (const change of input.changes) {
    if (!(changeTypes as readonly string[]).includes(change.type))
      throw new Error(`change ${change.id}: unknown type ${change.type}`);
    const { state, to } = replay(change);
    const plans = ChangePlans.parse(change.plans);
    const facts =
      change.reviewFacts === undefined ? undefined : ReviewFacts.parse(change.reviewFacts);
    const done = await database.db.transaction().execute(async (trx) => {
      const exists = await trx
        .selectFrom('change_requests')
        .select('id')
        .where('id', '=', change.id)
        .executeTakeFirst();
      if (exists !== undefined) return false;
      const scope: Scope = {
        assets: change.assets.map((a) => ({
          change_id: change.id,
          asset_id: a.id,
          asset_name: a.name,
          environment: a.environment,
          criticality: a.criticality,
          exposure: a.exposure,
          owner_team: a.team,
          groups_json: JSON.stringify([...a.groups].sort()),
          tags_json: JSON.stringify([...a.tags].sort()),
        })),
        patches: change.patches.map((p, seq) => ({
          change_id: change.id,
          seq,
          asset_id: p.assetId,
          ecosystem: p.ecosystem,
          package_name: p.packageName,
          from_version: p.fromVersion,
          to_version: p.toVersion,
          mode: 'fixed',
          origin: null,
        })),
        findings: change.findings.map((f) => ({
          change_id: change.id,
          finding_id: f.findingId,
          asset_id: f.assetId,
          package_name: f.packageName,
          advisory_ids_json: JSON.stringify(f.advisoryIds),
          cve_ids_json: JSON.stringify(f.cveIds),
          priority: f.priority,
          kev: f.kev ? 1 : 0,
          due_date: f.dueDate,
        })),
      };
      const risk = await assessChangeRisk(trx, scope, plans, change.id);
      const number = await repo.nextChangeNumber(trx, database.dialect);
      const lastMove = change.transitions[change.transitions.length - 1];
      const row: ChangeRequestTable = {
        id: change.id,
        number,
        title: change.title,
        description: change.description,
        type: change.type,
        state,
        risk_level: risk.level,
        risk_score: risk.score,
        risk_factors_json: JSON.stringify(risk.stored),
        risk_override: null,
        risk_override_reason: null,
        template_id: null,
        template_version: null,
        requester_id: change.requester.id,
        requester_name: change.requester.name,
        implementer_id: change.implementer?.id ?? null,
        implementer_name: change.implementer?.name ?? null,
        plan_version: 1,
        plans_json: JSON.stringify(plans),
        scheduled_start: change.schedule?.start ?? null,
        scheduled_end: change.schedule?.end ?? null,
        freeze_override_json: null,
        created_by_rule: null,
        created_reason: null,
        created_at: change.createdAt,
        updated_at: lastMove?.at ?? change.createdAt,
      };
      await repo.insertChange(trx, row);
      await repo.replaceScope(trx, change.id, scope);
      const content = planVersionContent(row, scope);
      await repo.insertPlanVersion(trx, {
        change_id: change.id,
        version: 1,
        content_json: JSON.stringify(content),
        hash: contentHash(content),
        author_id: change.requester.id,
        author_name: change.requester.name,
        reason: null,
        created_at: change.createdAt,
      });
      let from: ChangeState | null = null;
      const moves = [
        { action: 'create', at: change.createdAt, by: change.requester, reason: undefined },
        ...change.transitions,
      ];
      for (const [i, move] of moves.entries()) {
        const next: ChangeState = i === 0 ? 'draft' : (to[i - 1] ?? 'draft');
        await trx
          .insertInto('change_transitions')
          .values({
            id: `${change.id.slice(0, 24)}${String(i).padStart(12, '0')}`,
            change_id: change.id,
            seq: i + 1,
            from_state: from,
            to_state: next,
            action: move.action,
            actor_type: move.by.type,
            actor_id: move.by.id,
            actor_name: move.by.name,
            reason: move.reason ?? null,
            at: move.at,
          })
          .execute();
        from = next;
      }
      for (const [i, a] of change.approvals.entries()) {
        await trx
          .insertInto('approval_decisions')
          .values({
            id: `${change.id.slice(0, 24)}${String(100 + i).padStart(12, '0')}`,
            change_id: change.id,
            plan_version: 1,
            stage: a.stage,
            approver_id: a.approver.id,
            approver_name: a.approver.name,
            on_behalf_of: null,
            delegation_id: null,
            decision: a.decision,
            comment: a.comment,
            decided_at: a.at,
            withdrawn_at: null,
            withdrawn_reason: null,
          })
          .execute();
      }
      if (facts !== undefined) {
        await trx
          .insertInto('change_review_facts')
          .values({
            change_id: change.id,
            rollout_id: facts.rolloutId,
            facts_json: JSON.stringify(facts),
            recorded_at: facts.recordedAt,
          })
          .execute();
      }
      if (change.review !== undefined) {
        await repo.upsertReview(trx, {
          change_id: change.id,
          went_well: change.review.wentWell,
          did_not_go_well: change.review.didNotGoWell,
          incidents_json: JSON.stringify(change.review.incidents),
          lessons: change.review.lessons,
          follow_ups_json: JSON.stringify(change.review.followUps),
          author_id: change.review.author.id,
          author_name: change.review.author.name,
          updated_at: change.review.at,
        });
      }
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: input.actor,
        action: 'change.history-imported',
        subjectType: 'change',
        subjectId: change.id,
        after: {
          history: true,
          note: input.note,
          number: changeNumber(number),
          type: change.type,
          state,
          createdAt: change.createdAt,
          lastMoveAt: row.updated_at,
          transitions: moves.map((m) => m.action),
          approvals: change.approvals.length,
          findings: change.findings.length,
          reviewed: change.review !== undefined,
          importedAt: timestamp(clock),
        },
      });
      return true;
    });
    if (done) added++;
  }
  return added;
}
