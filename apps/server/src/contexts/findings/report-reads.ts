/**
 * Reads the reports context makes of findings (issue 11: compliance reports): every finding
 * detected by an instant, with the times that say where it stood then (first seen, fixed,
 * reopened, triaged), the decision that gave its priority and due date, and the exceptions
 * that accepted it. Plain rows: the report builders decide what "open at dataAsOf" means.
 */
import type { Database } from '../../db/database.ts';
import type { StoredMatch } from './model.ts';

export interface ReportDecision {
  readonly policyId: string | null;
  readonly policyName: string | null;
  readonly ruleId: string | null;
  readonly ruleDescription: string | null;
  /** `3 days`, `14 days`, `3 days + forensic triage`, `next scheduled upgrade`… */
  readonly timeline: string | null;
  readonly ssvcOutcome: string | null;
  /** How the due date was computed (`14 days from detection on …`, `KEV due date`). */
  readonly due: string | null;
  /** The inputs the decision used, by name (`kev`, `publiclyExposed`, `automatable`…). */
  readonly inputs: Readonly<Record<string, string | number | boolean | null>>;
}

export interface ReportFinding {
  readonly id: string;
  readonly assetId: string;
  readonly assetName: string;
  readonly environment: string | null;
  readonly exposure: string;
  readonly groups: readonly string[];
  readonly ecosystem: string;
  readonly packageName: string;
  readonly packageVersion: string;
  readonly advisoryId: string;
  readonly advisorySummary: string | null;
  readonly aliases: readonly string[];
  readonly cves: readonly string[];
  readonly fixedVersions: readonly string[];
  /** Detection state now: `open`, `fixed`, `reopened`. */
  readonly state: string;
  readonly firstSeenAt: string;
  readonly fixedAt: string | null;
  readonly reopenedAt: string | null;
  readonly priority: string;
  readonly dueDate: string | null;
  readonly severity: string;
  readonly kev: boolean;
  readonly epss: number | null;
  readonly triageState: string | null;
  readonly triageJustification: string | null;
  readonly triageDetail: string | null;
  readonly triageAt: string | null;
  readonly fixedByChangeId: string | null;
  readonly decision: ReportDecision | null;
}

export interface ReportException {
  readonly id: string;
  readonly findingId: string;
  readonly owner: string;
  readonly reason: string;
  /** `requested`, `approved`, `rejected`, `expired`, `revoked`. */
  readonly state: string;
  readonly requestedAt: string;
  readonly decidedAt: string | null;
  readonly decidedByName: string | null;
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

function decisionOf(text: string): ReportDecision | null {
  const raw = parseJson<Record<string, unknown> | null>(text, null);
  if (raw === null || typeof raw !== 'object') return null;
  const explanation = raw['explanation'] as
    | {
        policy?: { id?: string; name?: string };
        rule?: { id?: string; description?: string };
        inputs?: { name: string; value: string | number | boolean | null }[];
        due?: string;
      }
    | undefined;
  if (explanation === undefined) return null;
  const inputs: Record<string, string | number | boolean | null> = {};
  for (const input of explanation.inputs ?? []) inputs[input.name] = input.value;
  return {
    policyId: explanation.policy?.id ?? null,
    policyName: explanation.policy?.name ?? null,
    ruleId: explanation.rule?.id ?? null,
    ruleDescription: explanation.rule?.description ?? null,
    timeline: typeof raw['timeline'] === 'string' ? raw['timeline'] : null,
    ssvcOutcome: typeof raw['ssvcOutcome'] === 'string' ? raw['ssvcOutcome'] : null,
    due: explanation.due ?? null,
    inputs,
  };
}

/**
 * Every finding first seen at or before `detectedBy` (ISO), on these assets when `assetIds` is
 * given, ordered by asset name, package, advisory and id (a report lists them in this order).
 */
export async function findingsForReport(
  database: Database,
  query: {
    readonly detectedBy: string;
    readonly assetIds?: readonly string[] | undefined;
    /** Only these findings (a change's). */
    readonly findingIds?: readonly string[] | undefined;
  },
): Promise<ReportFinding[]> {
  const base = database.db
    .selectFrom('findings')
    .selectAll()
    .where('first_seen_at', '<=', query.detectedBy);
  const byIds = async (column: 'asset_id' | 'id', ids: readonly string[]) =>
    (
      await Promise.all(chunks(ids, 500).map((part) => base.where(column, 'in', part).execute()))
    ).flat();
  let rows =
    query.assetIds === undefined ? await base.execute() : await byIds('asset_id', query.assetIds);
  if (query.findingIds !== undefined) {
    const wanted = new Set(query.findingIds);
    rows =
      query.assetIds === undefined
        ? await byIds('id', query.findingIds)
        : rows.filter((r) => wanted.has(r.id));
  }
  const sorted = rows.sort(
    (a, b) =>
      compare(a.asset_name, b.asset_name) ||
      compare(a.package_name, b.package_name) ||
      compare(a.advisory_id, b.advisory_id) ||
      compare(a.id, b.id),
  );
  return sorted.map((row) => {
    const match = parseJson<Partial<StoredMatch>>(row.match_json, {});
    return {
      id: row.id,
      assetId: row.asset_id,
      assetName: row.asset_name,
      environment: row.environment,
      exposure: row.exposure,
      groups: parseJson<string[]>(row.groups_json, []),
      ecosystem: row.ecosystem,
      packageName: row.package_name,
      packageVersion: row.package_version,
      advisoryId: row.advisory_id,
      advisorySummary: row.advisory_summary,
      aliases: parseJson<string[]>(row.aliases_json, []),
      cves: match.cves ?? [],
      fixedVersions: match.fixedVersions ?? [],
      state: row.state,
      firstSeenAt: row.first_seen_at,
      fixedAt: row.fixed_at,
      reopenedAt: row.reopened_at,
      priority: row.priority,
      dueDate: row.due_date,
      severity: row.severity,
      kev: Number(row.kev) === 1,
      epss: row.epss === null ? null : Number(row.epss),
      triageState: row.triage_state,
      triageJustification: row.triage_justification,
      triageDetail: row.triage_detail,
      triageAt: row.triage_at,
      fixedByChangeId: row.fixed_by_change_id,
      decision: decisionOf(row.decision_json),
    };
  });
}

/** The exceptions of these findings (every state), oldest request first. */
export async function exceptionsForReport(
  database: Database,
  findingIds: readonly string[],
): Promise<ReportException[]> {
  const found: ReportException[] = [];
  for (const ids of chunks(findingIds, 500)) {
    const rows = await database.db
      .selectFrom('finding_exceptions')
      .selectAll()
      .where('finding_id', 'in', ids)
      .execute();
    for (const row of rows)
      found.push({
        id: row.id,
        findingId: row.finding_id,
        owner: row.owner,
        reason: row.reason,
        state: row.state,
        requestedAt: row.requested_at,
        decidedAt: row.decided_at,
        decidedByName: row.decided_by_name,
        expiresAt: row.expires_at,
        closedAt: row.closed_at,
      });
  }
  return found.sort((a, b) => compare(a.requestedAt, b.requestedAt) || compare(a.id, b.id));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
