/**
 * Fixed by a change: the evidence that a finding was closed by a change's install (issue 9,
 * docs/adr/0039-preflight-verification.md).
 *
 * A verified install leaves a claim (`recordFixClaim`): the change, the asset, the packages it
 * installed and when. Findings of those packages (by binary or source package name) on that
 * asset that a reconcile closes after `since` carry the change as `fixed_by_change_id`,
 * whichever comes first: the claim (findings already closed by the reconcile of the install's
 * rescan) or the reconcile (a claim waiting for it, `applyFixClaims` inside reconcile's
 * transaction). Each is audited (`finding.fixed-by-change`). A reopening clears it. The
 * rollouts context calls this through the index; it never writes findings itself.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { Dialect } from '../../db/database.ts';
import { derivedId } from '../../events/index.ts';
import type { AuditActor } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { bumpFindingsVersion } from './repository.ts';
import type { DetectionState } from './model.ts';

/** How long after the install a reconcile's closure still counts as the change's. */
export const fixClaimHours = 24;

export interface FixClaimInput {
  readonly assetId: string;
  readonly changeId: string;
  /** The packages the install put at their target versions (binary names). */
  readonly packages: readonly string[];
  /** When the install started (server clock): closures before it are not the change's. */
  readonly since: string;
  readonly actor?: AuditActor;
  readonly requestId?: string | null;
}

interface ClosedFinding {
  readonly id: string;
  readonly package_name: string;
  readonly source_name: string | null;
  readonly advisory_id: string;
}

async function attribute(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  changeId: string,
  rows: readonly ClosedFinding[],
  actor: AuditActor,
  requestId: string | null,
): Promise<string[]> {
  if (rows.length === 0) return [];
  const now = timestamp(clock);
  const ids = rows.map((r) => r.id);
  await trx
    .updateTable('findings')
    .set({ fixed_by_change_id: changeId, updated_at: now })
    .where('id', 'in', ids)
    .execute();
  for (const row of rows)
    await appendAuditEvent(trx, dialect, clock, {
      actor,
      action: 'finding.fixed-by-change',
      subjectType: 'finding',
      subjectId: row.id,
      before: { fixedByChangeId: null },
      after: { fixedByChangeId: changeId, package: row.package_name, advisory: row.advisory_id },
      requestId,
    });
  await bumpFindingsVersion(trx);
  return ids;
}

function matches(packages: readonly string[], row: ClosedFinding): boolean {
  return (
    packages.includes(row.package_name) ||
    (row.source_name !== null && packages.includes(row.source_name))
  );
}

/**
 * Record a verified install's claim and attribute the findings it already closed. Idempotent:
 * the same claim twice writes nothing twice. Returns the findings attributed now.
 */
export async function recordFixClaim(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  input: FixClaimInput,
): Promise<{ readonly findingIds: string[] }> {
  const now = timestamp(clock);
  const since = new Date(input.since).toISOString();
  const packages = [...new Set(input.packages)].sort();
  await trx
    .insertInto('finding_fix_claims')
    .values({
      id: derivedId('finding-fix-claim', input.changeId, input.assetId, since),
      asset_id: input.assetId,
      change_id: input.changeId,
      packages_json: JSON.stringify(packages),
      since,
      expires_at: new Date(Date.parse(since) + fixClaimHours * 3600_000).toISOString(),
      created_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  if (packages.length === 0) return { findingIds: [] };
  const closed = await trx
    .selectFrom('findings')
    .select(['id', 'package_name', 'source_name', 'advisory_id'])
    .where('asset_id', '=', input.assetId)
    .where('state', '=', 'fixed' satisfies DetectionState)
    .where('fixed_at', '>=', since)
    .where('fixed_by_change_id', 'is', null)
    .where((eb) => eb.or([eb('package_name', 'in', packages), eb('source_name', 'in', packages)]))
    .orderBy('id')
    .execute();
  return {
    findingIds: await attribute(
      trx,
      dialect,
      clock,
      input.changeId,
      closed,
      input.actor ?? systemActor,
      input.requestId ?? null,
    ),
  };
}

/**
 * Inside a reconcile's transaction: attribute the findings it just closed to the change whose
 * claim covers them (the latest claim first when two changes touched the same package).
 */
export async function applyFixClaims(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  assetId: string,
  closed: readonly ClosedFinding[],
  actor: AuditActor,
  requestId: string | null,
): Promise<number> {
  if (closed.length === 0) return 0;
  const now = timestamp(clock);
  const claims = await trx
    .selectFrom('finding_fix_claims')
    .select(['change_id', 'packages_json', 'since'])
    .where('asset_id', '=', assetId)
    .where('expires_at', '>', now)
    .where('since', '<=', now)
    .orderBy('since', 'desc')
    .orderBy('id')
    .execute();
  let attributed = 0;
  const left = new Set(closed.map((c) => c.id));
  for (const claim of claims) {
    const packages = JSON.parse(claim.packages_json) as string[];
    const rows = closed.filter((row) => left.has(row.id) && matches(packages, row));
    for (const row of rows) left.delete(row.id);
    attributed += (await attribute(trx, dialect, clock, claim.change_id, rows, actor, requestId))
      .length;
  }
  return attributed;
}
