/**
 * Importing findings with their past: rows first seen, triaged, accepted and fixed at given
 * times (the demo organisation's history, apps/server/src/demo/history.ts). Detection normally
 * happens only in `reconcile.ts` at the server's clock; this is the one other writer, for
 * history that happened before the server knew it. Ids are the caller's (deterministic), and a
 * finding or exception whose id or identity is stored already is left alone, so importing the
 * same history twice adds nothing. One audit event per import that added anything, at the
 * clock's now, carrying `history: true` and what the caller says about the data (`note`).
 */
import type { Decision } from '@patchgate/policy';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { AuditActor } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import type { StoredMatch, TriageState } from './model.ts';
import { noDueDate, noEpss, triageStates } from './model.ts';
import {
  addFindingAliases,
  bumpFindingsVersion,
  insertFindings,
  replaceAssetGroups,
} from './repository.ts';
import type { FindingExceptionTable, FindingTable } from './tables.ts';

/** The asset a historical finding sits on, as reconcile copies it onto each finding. */
export interface HistoricalFindingAsset {
  readonly id: string;
  readonly name: string;
  readonly environment: string | null;
  readonly criticality: string | null;
  readonly exposure: string;
  readonly groups: readonly string[];
  readonly tags: readonly string[];
}

export interface HistoricalException {
  readonly id: string;
  readonly owner: string;
  readonly reason: string;
  readonly expiresAt: string;
  /** `requested`, `approved`, `rejected`, `expired`, `revoked`. */
  readonly state: 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
  readonly requestedBy: { readonly id: string; readonly name: string };
  readonly requestedAt: string;
  readonly decidedBy?: { readonly id: string; readonly name: string };
  readonly decidedAt?: string;
  readonly decisionNote?: string;
  /** When it expired or was revoked. */
  readonly closedAt?: string;
}

export interface HistoricalFinding {
  readonly id: string;
  readonly asset: HistoricalFindingAsset;
  readonly ecosystem: string;
  readonly packageName: string;
  readonly packageVersion: string;
  readonly sourceName?: string;
  readonly fixedVersion: string;
  readonly advisoryId: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  /** The policy's decision, made as of the detection day. */
  readonly decision: Decision;
  readonly kev: boolean;
  readonly epss: number | null;
  readonly firstSeenAt: string;
  /** Null: still open. */
  readonly fixedAt: string | null;
  /** The change whose install fixed it (the changes context's id). */
  readonly fixedByChangeId?: string;
  readonly triage?: {
    readonly state: TriageState;
    readonly justification?: string;
    readonly detail?: string;
    readonly by: string;
    readonly at: string;
  };
  readonly exception?: HistoricalException;
}

export interface FindingHistoryImport {
  readonly actor: AuditActor;
  /** Said in the audit event (e.g. "demo data: generated history, not real detections"). */
  readonly note: string;
  readonly findings: readonly HistoricalFinding[];
}

export interface FindingHistoryResult {
  readonly findings: number;
  readonly exceptions: number;
}

function findingRow(f: HistoricalFinding, now: string): FindingTable {
  const accepted =
    f.exception?.state === 'approved' && f.fixedAt === null ? f.exception.expiresAt : null;
  const stored: StoredMatch = {
    match: {
      ecosystem: f.ecosystem,
      name: f.packageName,
      version: f.packageVersion,
      by: 'range',
      range: `< ${f.fixedVersion}`,
    },
    fixedVersions: [f.fixedVersion],
    cves: f.aliases.filter((a) => a.startsWith('CVE-')),
    instances: [{ version: f.packageVersion }],
  };
  const lastSeen = f.fixedAt ?? now;
  return {
    id: f.id,
    asset_id: f.asset.id,
    ecosystem: f.ecosystem,
    package_name: f.packageName,
    package_version: f.packageVersion,
    source_name: f.sourceName ?? null,
    advisory_id: f.advisoryId,
    advisory_summary: f.summary,
    aliases_json: JSON.stringify(f.aliases),
    match_json: JSON.stringify(stored),
    state: f.fixedAt === null ? 'open' : 'fixed',
    first_seen_at: f.firstSeenAt,
    last_seen_at: lastSeen < f.firstSeenAt ? f.firstSeenAt : lastSeen,
    snapshot_id: null,
    fixed_at: f.fixedAt,
    reopened_at: null,
    priority: f.decision.priority,
    due_date: f.decision.dueDate,
    due_key: f.decision.dueDate ?? noDueDate,
    severity: f.decision.severity,
    kev: f.kev ? 1 : 0,
    epss: f.epss,
    epss_key: f.epss ?? noEpss,
    decision_json: JSON.stringify(f.decision),
    asset_name: f.asset.name,
    environment: f.asset.environment,
    criticality: f.asset.criticality,
    exposure: f.asset.exposure,
    groups_json: JSON.stringify([...f.asset.groups].sort()),
    tags_json: JSON.stringify([...f.asset.tags].sort()),
    triage_state: f.triage?.state ?? null,
    triage_justification: f.triage?.justification ?? null,
    triage_detail: f.triage?.detail ?? null,
    triage_by: f.triage?.by ?? null,
    triage_at: f.triage?.at ?? null,
    exception_id: accepted === null ? null : (f.exception?.id ?? null),
    accepted_until: accepted,
    fixed_by_change_id: f.fixedAt === null ? null : (f.fixedByChangeId ?? null),
    updated_at: f.fixedAt ?? f.triage?.at ?? f.firstSeenAt,
  };
}

function exceptionRow(f: HistoricalFinding, e: HistoricalException): FindingExceptionTable {
  return {
    id: e.id,
    finding_id: f.id,
    asset_id: f.asset.id,
    advisory_id: f.advisoryId,
    owner: e.owner,
    reason: e.reason,
    expires_at: e.expiresAt,
    state: e.state,
    requested_by: e.requestedBy.id,
    requested_by_name: e.requestedBy.name,
    requested_at: e.requestedAt,
    decided_by: e.decidedBy?.id ?? null,
    decided_by_name: e.decidedBy?.name ?? null,
    decided_at: e.decidedAt ?? null,
    decision_note: e.decisionNote ?? null,
    closed_at: e.closedAt ?? null,
    updated_at: e.closedAt ?? e.decidedAt ?? e.requestedAt,
  };
}

/**
 * Store findings that happened in the past (see the file's comment). Findings whose id is
 * stored already are skipped (and so are their exceptions).
 */
export async function importFindingHistory(
  database: Database,
  clock: Clock,
  input: FindingHistoryImport,
): Promise<FindingHistoryResult> {
  for (const f of input.findings) {
    if (f.triage !== undefined && !(triageStates as readonly string[]).includes(f.triage.state))
      throw new Error(`finding ${f.id}: unknown triage state ${f.triage.state}`);
    if (f.fixedAt !== null && f.fixedAt < f.firstSeenAt)
      throw new Error(`finding ${f.id}: fixed before it was first seen`);
  }
  const now = timestamp(clock);
  return database.db.transaction().execute(async (trx) => {
    const ids = input.findings.map((f) => f.id);
    const stored = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await trx
        .selectFrom('findings')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) stored.add(row.id);
    }
    const fresh = input.findings.filter((f) => !stored.has(f.id));
    if (fresh.length === 0) return { findings: 0, exceptions: 0 };
    const rows = fresh.map((f) => findingRow(f, now));
    for (let i = 0; i < rows.length; i += 100) await insertFindings(trx, rows.slice(i, i + 100));
    // An identity already detected by a reconcile kept its row: count only what is ours now.
    const inserted = new Set(
      (
        await trx
          .selectFrom('findings')
          .select('id')
          .where(
            'id',
            'in',
            fresh.map((f) => f.id),
          )
          .execute()
      ).map((r) => r.id),
    );
    const added = fresh.filter((f) => inserted.has(f.id));
    const exceptions = added.flatMap((f) =>
      f.exception === undefined ? [] : [exceptionRow(f, f.exception)],
    );
    if (exceptions.length > 0)
      await trx.insertInto('finding_exceptions').values(exceptions).execute();
    await addFindingAliases(
      trx,
      added.flatMap((f) => f.aliases.map((alias) => ({ alias, advisory_id: f.advisoryId }))),
    );
    const assets = new Map(added.map((f) => [f.asset.id, f.asset]));
    for (const asset of assets.values()) {
      const have = await trx
        .selectFrom('finding_asset_groups')
        .select('group_name')
        .where('asset_id', '=', asset.id)
        .execute();
      // Groups of an asset a reconcile already wrote stay as they are.
      if (have.length === 0) await replaceAssetGroups(trx, asset.id, asset.groups);
    }
    await bumpFindingsVersion(trx);
    const firstSeen = added.map((f) => f.firstSeenAt).sort();
    await appendAuditEvent(trx, database.dialect, clock, {
      actor: input.actor,
      action: 'findings.history-imported',
      subjectType: 'findings',
      subjectId: null,
      after: {
        history: true,
        note: input.note,
        findings: added.length,
        fixed: added.filter((f) => f.fixedAt !== null).length,
        triaged: added.filter((f) => f.triage !== undefined).length,
        exceptions: exceptions.length,
        assets: [...assets.values()].map((a) => a.name).sort(),
        firstSeenFrom: firstSeen[0] ?? null,
        firstSeenTo: firstSeen[firstSeen.length - 1] ?? null,
      },
    });
    return { findings: added.length, exceptions: exceptions.length };
  });
}
