/**
 * What the rollouts context reads from and writes to a change (issue 9; ADR 0039), through
 * this context's index.ts: the patches per host (pre-flight and verification target exact
 * versions), the latest pre-flight's summary, and the review's facts pre-filled when the
 * rollout ends. Each write is audited in the caller's transaction.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { changeNumber } from './model.ts';
import type { Executor } from './repository.ts';
import * as repo from './repository.ts';
import type { PreflightSummary, ReviewFacts } from './rollout-facts-schema.ts';
import { PreflightSummary as PreflightSummarySchema } from './rollout-facts-schema.ts';
import { ReviewFacts as ReviewFactsSchema } from './rollout-facts-schema.ts';
import { changeOr404 } from './service.ts';

export interface ChangeHostPatches {
  readonly assetId: string;
  readonly assetName: string;
  readonly packages: readonly {
    readonly name: string;
    readonly ecosystem: string;
    /** The exact target; null when the patch says `latest` (no exact version to check). */
    readonly version: string | null;
    readonly fromVersion: string | null;
  }[];
}

export interface ChangePatchPlan {
  readonly id: string;
  readonly number: string;
  readonly state: string;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  /** Every asset in scope, each with its patches (an asset may have none). */
  readonly hosts: readonly ChangeHostPatches[];
  /** The findings the change closes: id, asset, due date. */
  readonly findings: readonly {
    readonly findingId: string;
    readonly assetId: string;
    readonly dueDate: string | null;
  }[];
}

/** The change's hosts and their patches (exact versions), by id or CHG number; 404 if none. */
export async function changePatchPlan(db: Executor, ref: string): Promise<ChangePatchPlan> {
  const row = await changeOr404(db, ref);
  const [assets, patches, findings] = await Promise.all([
    repo.assetsOf(db, row.id),
    repo.patchesOf(db, row.id),
    repo.findingsOf(db, row.id),
  ]);
  return {
    id: row.id,
    number: changeNumber(row.number),
    state: row.state,
    windowStart: row.scheduled_start,
    windowEnd: row.scheduled_end,
    hosts: assets.map((asset) => ({
      assetId: asset.asset_id,
      assetName: asset.asset_name,
      packages: patches
        .filter((p) => p.asset_id === asset.asset_id)
        .map((p) => ({
          name: p.package_name,
          ecosystem: p.ecosystem,
          version: p.mode === 'latest' ? null : p.to_version,
          fromVersion: p.from_version,
        })),
    })),
    findings: findings.map((f) => ({
      findingId: f.finding_id,
      assetId: f.asset_id,
      dueDate: f.due_date,
    })),
  };
}

/** Record the latest pre-flight's summary on the change (audited when its state changes). */
export async function recordPreflightSummary(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  changeId: string,
  summary: PreflightSummary,
): Promise<void> {
  const parsed = PreflightSummarySchema.parse(summary);
  const before = await trx
    .selectFrom('change_preflight_summaries')
    .select(['run_id', 'state'])
    .where('change_id', '=', changeId)
    .executeTakeFirst();
  const row = {
    change_id: changeId,
    run_id: parsed.runId,
    state: parsed.state,
    summary_json: JSON.stringify(parsed),
    checked_at: parsed.checkedAt,
  };
  await trx
    .insertInto('change_preflight_summaries')
    .values(row)
    .onConflict((oc) =>
      oc.column('change_id').doUpdateSet({
        run_id: row.run_id,
        state: row.state,
        summary_json: row.summary_json,
        checked_at: row.checked_at,
      }),
    )
    .execute();
  if (before?.run_id !== parsed.runId || before.state !== parsed.state)
    await appendAuditEvent(trx, dialect, clock, {
      actor: systemActor,
      action: 'change.preflight-recorded',
      subjectType: 'change',
      subjectId: changeId,
      ...(before !== undefined && { before: { runId: before.run_id, state: before.state } }),
      after: { runId: parsed.runId, state: parsed.state, warnings: parsed.warnings },
    });
}

/**
 * Pre-fill the change's review with the facts of its rollout (the implementer writes the
 * review itself later, `PUT …/review`). Recorded again when a later rollout of the change ends.
 */
export async function prefillReview(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  changeId: string,
  facts: ReviewFacts,
): Promise<void> {
  const parsed = ReviewFactsSchema.parse(facts);
  const row = {
    change_id: changeId,
    rollout_id: parsed.rolloutId,
    facts_json: JSON.stringify(parsed),
    recorded_at: timestamp(clock),
  };
  await trx
    .insertInto('change_review_facts')
    .values(row)
    .onConflict((oc) =>
      oc.column('change_id').doUpdateSet({
        rollout_id: row.rollout_id,
        facts_json: row.facts_json,
        recorded_at: row.recorded_at,
      }),
    )
    .execute();
  await appendAuditEvent(trx, dialect, clock, {
    actor: systemActor,
    action: 'change.review-prefilled',
    subjectType: 'change',
    subjectId: changeId,
    after: {
      rolloutId: parsed.rolloutId,
      outcome: parsed.outcome,
      failures: parsed.failures.length,
      rollbacks: parsed.rollbacks.length,
      findingsClosed: parsed.findings.closed,
    },
  });
}
