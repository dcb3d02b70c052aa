/**
 * What the reports context's metrics read of findings and exceptions (issue 11, ADR 0043): the
 * stored columns the figures are computed from, as plain rows, for the findings first seen (and
 * the exceptions requested) by `asOf`. Read only.
 */
import type { Database } from '../../db/database.ts';

export interface FindingMetricRow {
  readonly id: string;
  readonly assetId: string;
  readonly assetName: string;
  readonly advisoryId: string;
  readonly packageName: string;
  readonly priority: string;
  readonly dueDate: string | null;
  readonly state: string;
  readonly firstSeenAt: string;
  readonly fixedAt: string | null;
  readonly triageState: string | null;
  readonly triageAt: string | null;
  readonly kev: boolean;
  readonly exposure: string;
  /** The policy's name in the decision's explanation (null when the decision names none). */
  readonly policy: string | null;
  /** Copied from the asset at the last reconcile. */
  readonly environment: string | null;
  readonly groups: readonly string[];
}

export interface ExceptionMetricRow {
  readonly id: string;
  readonly findingId: string;
  readonly assetId: string;
  readonly advisoryId: string;
  readonly owner: string;
  readonly state: string;
  readonly requestedAt: string;
  readonly decidedAt: string | null;
  readonly expiresAt: string;
  readonly closedAt: string | null;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Every finding first seen at or before `asOf`. */
export async function findingMetricRows(
  database: Database,
  asOf: string,
): Promise<FindingMetricRow[]> {
  const rows = await database.db
    .selectFrom('findings')
    .select([
      'id',
      'asset_id',
      'asset_name',
      'advisory_id',
      'package_name',
      'priority',
      'due_date',
      'state',
      'first_seen_at',
      'fixed_at',
      'triage_state',
      'triage_at',
      'kev',
      'exposure',
      'decision_json',
      'environment',
      'groups_json',
    ])
    .where('first_seen_at', '<=', asOf)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    assetId: r.asset_id,
    assetName: r.asset_name,
    advisoryId: r.advisory_id,
    packageName: r.package_name,
    priority: r.priority,
    dueDate: r.due_date,
    state: r.state,
    firstSeenAt: r.first_seen_at,
    fixedAt: r.fixed_at,
    triageState: r.triage_state,
    triageAt: r.triage_at,
    kev: Number(r.kev) === 1,
    exposure: r.exposure,
    policy:
      parseJson<{ explanation?: { policy?: { name?: string } } }>(r.decision_json, {}).explanation
        ?.policy?.name ?? null,
    environment: r.environment,
    groups: parseJson<string[]>(r.groups_json, []),
  }));
}

/** Every exception requested at or before `asOf`. */
export async function exceptionMetricRows(
  database: Database,
  asOf: string,
): Promise<ExceptionMetricRow[]> {
  const rows = await database.db
    .selectFrom('finding_exceptions')
    .select([
      'id',
      'finding_id',
      'asset_id',
      'advisory_id',
      'owner',
      'state',
      'requested_at',
      'decided_at',
      'expires_at',
      'closed_at',
    ])
    .where('requested_at', '<=', asOf)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    findingId: r.finding_id,
    assetId: r.asset_id,
    advisoryId: r.advisory_id,
    owner: r.owner,
    state: r.state,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
  }));
}
