/**
 * Reconciliation: an asset's current inventory against the advisories → its findings, as a
 * delta against what is stored (Fleet's OVAL analyzer does the same): new → `open`, still
 * present → refreshed (version, priority, due date, decision) only when something changed,
 * gone → `fixed`, back after `fixed` → `reopened`. One transaction per asset, one summary audit
 * event per reconcile that changed anything: a second run with the same inputs writes nothing.
 */
import { createHash } from 'node:crypto';
import type { Finding as MatchedFinding } from '@patchgate/matcher';
import { compareFindings } from '@patchgate/matcher';
import type { Decision, Policy } from '@patchgate/policy';
import { defaultPolicy } from '@patchgate/policy';
import { factsFor } from '@patchgate/prioritisation';
import type { CoverageNote, ScannedFinding } from '@patchgate/scan-pipeline';
import { runScanPipeline } from '@patchgate/scan-pipeline';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { AuditActor } from '../audit/index.ts';
import type { CurrentInventory, FindingAsset, FindingInputs } from './inputs.ts';
import type { DetectionState, FindingInstance, StoredMatch } from './model.ts';
import { noDueDate, noEpss } from './model.ts';
import {
  addFindingAliases,
  bumpFindingsVersion,
  insertFindings,
  markFindingsFixed,
  replaceAssetGroups,
  storedFindingsOfAsset,
  updateFinding,
} from './repository.ts';
import type { FindingTable } from './tables.ts';
import { applyFixClaims } from './fix-evidence.ts';

export interface ReconcileCounts {
  /** Findings inserted as `open`. */
  opened: number;
  /** Previously `fixed`, present again. */
  reopened: number;
  /** Present before, gone now. */
  fixed: number;
  /** Still present, with a changed version, priority, due date, decision or asset attribute. */
  updated: number;
  /** Still present and as stored (at most seen in a newer snapshot). */
  unchanged: number;
}

export type ReconcileOutcome =
  | {
      readonly assetId: string;
      readonly status: 'reconciled';
      readonly snapshotId: string;
      readonly counts: ReconcileCounts;
      /** Packages of the inventory that could not be matched at all: why, and the fix. */
      readonly coverage: readonly CoverageNote[];
    }
  | {
      readonly assetId: string;
      readonly status: 'skipped';
      readonly reason: 'asset-not-found' | 'no-inventory';
    };

export interface ReconcileOptions {
  /** The policy findings are prioritised by (default: Patchgate's `default`). */
  readonly policy?: Policy;
  readonly actor?: AuditActor;
  readonly requestId?: string | null;
}

/** The columns a reconcile writes; the rest (triage, exception) belong to people. */
type DetectedColumns = Pick<
  FindingTable,
  | 'asset_id'
  | 'ecosystem'
  | 'package_name'
  | 'package_version'
  | 'source_name'
  | 'advisory_id'
  | 'advisory_summary'
  | 'aliases_json'
  | 'match_json'
  | 'last_seen_at'
  | 'snapshot_id'
  | 'priority'
  | 'due_date'
  | 'due_key'
  | 'severity'
  | 'kev'
  | 'epss'
  | 'epss_key'
  | 'decision_json'
  | 'asset_name'
  | 'environment'
  | 'criticality'
  | 'exposure'
  | 'groups_json'
  | 'tags_json'
>;

const comparedColumns: readonly (keyof DetectedColumns)[] = [
  'package_version',
  'source_name',
  'advisory_summary',
  'aliases_json',
  'match_json',
  'last_seen_at',
  'snapshot_id',
  'priority',
  'due_date',
  'due_key',
  'severity',
  'kev',
  'epss',
  'epss_key',
  'decision_json',
  'asset_name',
  'environment',
  'criticality',
  'exposure',
  'groups_json',
  'tags_json',
];

/** The identity of a finding: asset, package (ecosystem and name) and advisory. */
export function findingKey(ecosystem: string, packageName: string, advisoryId: string): string {
  return `${ecosystem}\0${packageName}\0${advisoryId}`;
}

/** The source package a finding is grouped under: binaries of one source are one row. */
export function groupSource(packageName: string, sourceName: string | null | undefined): string {
  return sourceName ?? packageName;
}

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * A finding's id: a UUID (version 8, RFC 9562 §5.8) whose first half is a hash of its group —
 * (asset, source package, advisory) — and whose second half a hash of its identity. Lists tie
 * on the id last, so the binaries of one source package (libssl3, libssl-dev, openssl) sort
 * next to each other and a page can be extended to hold a whole group (`wholeGroups`).
 * Deterministic: the identity is unique, so is the id.
 */
export function findingId(assetId: string, finding: MatchedFinding, key: string): string {
  const group = hex(
    `${assetId}\0${groupSource(finding.package.name, finding.package.sourceName)}\0${finding.advisory.id}`,
    16,
  );
  const member = hex(`${assetId}\0${key}`, 16);
  const variant = ((parseInt(member[0] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${group.slice(0, 8)}-${group.slice(8, 12)}-8${group.slice(13, 16)}-${variant}${member.slice(1, 4)}-${member.slice(4, 16)}`;
}

interface Detected<F extends MatchedFinding = MatchedFinding> {
  readonly key: string;
  /** The representative match: the lowest version (findings in the matcher's order). */
  readonly finding: F;
  readonly instances: FindingInstance[];
}

/** Findings grouped by identity: several copies of one package are one finding. */
export function groupByIdentity<F extends MatchedFinding>(findings: readonly F[]): Detected<F>[] {
  const byKey = new Map<string, Detected<F>>();
  for (const finding of [...findings].sort(compareFindings)) {
    const key = findingKey(finding.package.ecosystem, finding.package.name, finding.advisory.id);
    const instance: FindingInstance = {
      version: finding.package.version,
      ...(finding.package.purl !== undefined && { purl: finding.package.purl }),
      ...(finding.package.location !== undefined && { location: finding.package.location }),
    };
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { key, finding, instances: [instance] });
    else seen.instances.push(instance);
  }
  return [...byKey.values()];
}

async function storedByKey(
  db: Parameters<typeof storedFindingsOfAsset>[0],
  assetId: string,
): Promise<Map<string, FindingTable>> {
  return new Map(
    (await storedFindingsOfAsset(db, assetId)).map((row) => [
      findingKey(row.ecosystem, row.package_name, row.advisory_id),
      row,
    ]),
  );
}

function calendarDay(iso: string): string {
  return iso.slice(0, 10);
}

function maxEpss(decisionFacts: readonly { epss?: { score: number } }[]): number | null {
  const scores = decisionFacts.flatMap((f) => (f.epss === undefined ? [] : [f.epss.score]));
  return scores.length === 0 ? null : Math.max(...scores);
}

function detectedColumns(
  asset: FindingAsset,
  current: CurrentInventory,
  detected: Detected<ScannedFinding>,
  decision: Decision,
  kev: boolean,
  epss: number | null,
): DetectedColumns {
  const { finding } = detected;
  const stored: StoredMatch = {
    match: finding.match,
    fixedVersions: finding.fixedVersions,
    cves: finding.advisory.cves,
    instances: detected.instances,
  };
  return {
    asset_id: asset.id,
    ecosystem: finding.package.ecosystem,
    package_name: finding.package.name,
    package_version: finding.package.version,
    source_name: finding.package.sourceName ?? null,
    advisory_id: finding.advisory.id,
    advisory_summary: finding.advisory.summary ?? null,
    aliases_json: JSON.stringify(finding.advisory.aliases),
    match_json: JSON.stringify(stored),
    last_seen_at: current.takenAt,
    snapshot_id: current.snapshotId,
    priority: decision.priority,
    due_date: decision.dueDate,
    due_key: decision.dueDate ?? noDueDate,
    severity: decision.severity,
    kev: kev ? 1 : 0,
    epss,
    epss_key: epss ?? noEpss,
    decision_json: JSON.stringify(decision),
    asset_name: asset.name,
    environment: asset.context.environment ?? null,
    criticality: asset.context.criticality ?? null,
    exposure: asset.context.exposure,
    groups_json: JSON.stringify([...asset.groups].sort()),
    tags_json: JSON.stringify([...asset.context.tags].sort()),
  };
}

/** The day due dates count from: detection, or the reopening, or today for a new one. */
function detectedOn(stored: FindingTable | undefined, today: string): string {
  if (stored === undefined || stored.state === 'fixed') return today;
  return calendarDay(stored.reopened_at ?? stored.first_seen_at);
}

/**
 * `last_seen_at`: the later of the snapshot's `takenAt` and `floor` — the detection (or
 * reopening) time for a finding seen for the first time, else what was stored. A finding is
 * found by a reconcile that runs after the upload, so `takenAt` alone would put `lastSeenAt`
 * before `firstSeenAt` on every new finding; and an older snapshot never moves it back.
 */
function lastSeen(takenAt: string, floor: string): string {
  return takenAt > floor ? takenAt : floor;
}

function changedColumns(
  stored: FindingTable,
  next: DetectedColumns,
): Partial<DetectedColumns> | undefined {
  const changes: Partial<Record<keyof DetectedColumns, unknown>> = {};
  let any = false;
  for (const column of comparedColumns) {
    const before = stored[column];
    const after = next[column];
    // PostgreSQL returns doubles as numbers and SQLite integers as numbers: compare values.
    if (before !== after) {
      changes[column] = after;
      any = true;
    }
  }
  return any ? (changes as Partial<DetectedColumns>) : undefined;
}

const insertBatch = 100;

/** Reconcile one asset's findings with its current inventory. */
export async function reconcileAsset(
  database: Database,
  clock: Clock,
  inputs: FindingInputs,
  assetId: string,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const asset = await inputs.asset(assetId);
  if (asset === undefined) return { assetId, status: 'skipped', reason: 'asset-not-found' };
  const current = await inputs.inventory(assetId);
  if (current === undefined) return { assetId, status: 'skipped', reason: 'no-inventory' };
  const index = await inputs.advisoryIndex();
  const policy = options.policy ?? defaultPolicy;
  const now = timestamp(clock);
  const today = calendarDay(now);
  const keyOf = (f: MatchedFinding) =>
    findingKey(f.package.ecosystem, f.package.name, f.advisory.id);
  /** The shared scan pipeline (the CLI's `scan` calls the same), due dates from first sighting. */
  const scan = (
    stored: ReadonlyMap<string, FindingTable>,
    facts: Parameters<typeof runScanPipeline>[0]['facts'],
  ) =>
    runScanPipeline({
      targets: [
        {
          inventory: current.inventory,
          ...(asset.osRelease !== undefined && { declaredOs: asset.osRelease }),
        },
      ],
      index,
      facts,
      policy,
      assetFor: () => asset.context,
      today,
      detectedOn: (finding) => detectedOn(stored.get(keyOf(finding)), today),
      audience: 'server',
    });
  // Facts are looked up outside the transaction (one connection on SQLite); due dates count
  // from the stored first sighting, read again inside it: a reconcile that raced this one
  // is re-decided from the facts already fetched.
  const before = await storedByKey(database.db, assetId);
  let result = await scan(before, (cves) => inputs.facts(cves));

  return database.db.transaction().execute(async (trx) => {
    const stored = await storedByKey(trx, assetId);
    const raced = [...stored].some(
      ([key, row]) => detectedOn(before.get(key), today) !== detectedOn(row, today),
    );
    if (raced) result = await scan(stored, result.facts);
    const detected = groupByIdentity(result.findings);
    const counts: ReconcileCounts = { opened: 0, reopened: 0, fixed: 0, updated: 0, unchanged: 0 };
    const inserts: FindingTable[] = [];
    let updatedRows = 0;
    const aliases: { alias: string; advisory_id: string }[] = [];
    for (const item of detected) {
      const previous = stored.get(item.key);
      stored.delete(item.key);
      const known = factsFor(item.finding, result.facts);
      const columns = detectedColumns(
        asset,
        current,
        item,
        item.finding.prioritisation,
        known.some((f) => f.kev !== undefined),
        maxEpss(known),
      );
      if (previous === undefined) {
        counts.opened++;
        columns.last_seen_at = lastSeen(current.takenAt, now);
        for (const alias of item.finding.advisory.aliases)
          aliases.push({ alias, advisory_id: item.finding.advisory.id });
        inserts.push({
          id: findingId(asset.id, item.finding, item.key),
          ...columns,
          state: 'open',
          first_seen_at: now,
          fixed_at: null,
          reopened_at: null,
          triage_state: null,
          triage_justification: null,
          triage_detail: null,
          triage_by: null,
          triage_at: null,
          exception_id: null,
          accepted_until: null,
          fixed_by_change_id: null,
          updated_at: now,
        });
        continue;
      }
      const reopen = previous.state === ('fixed' satisfies DetectionState);
      columns.last_seen_at = lastSeen(current.takenAt, reopen ? now : previous.last_seen_at);
      const changes = changedColumns(previous, columns);
      // A newer snapshot alone moves last_seen_at: written, but counted as unchanged.
      const evidenceOnly =
        changes !== undefined &&
        Object.keys(changes).every((c) => c === 'last_seen_at' || c === 'snapshot_id');
      if (reopen) counts.reopened++;
      else if (changes !== undefined && !evidenceOnly) counts.updated++;
      else counts.unchanged++;
      if (reopen || changes !== undefined) {
        updatedRows++;
        await updateFinding(trx, previous.id, {
          ...changes,
          ...(reopen && {
            state: 'reopened',
            reopened_at: now,
            fixed_at: null,
            fixed_by_change_id: null,
          }),
          updated_at: now,
        });
      }
    }
    for (let i = 0; i < inserts.length; i += insertBatch) {
      await insertFindings(trx, inserts.slice(i, i + insertBatch));
    }
    await addFindingAliases(trx, aliases);
    const goneRows = [...stored.values()].filter((row) => row.state !== 'fixed');
    const gone = goneRows.map((row) => row.id);
    counts.fixed = gone.length;
    await markFindingsFixed(trx, gone, now);
    // A verified install's claim names the change that fixed them (fix-evidence.ts).
    await applyFixClaims(
      trx,
      database.dialect,
      clock,
      assetId,
      goneRows,
      options.actor ?? systemActor,
      options.requestId ?? null,
    );
    const groupsChanged = await replaceAssetGroups(trx, assetId, asset.groups);
    if (inserts.length + updatedRows + gone.length > 0 || groupsChanged) {
      await bumpFindingsVersion(trx);
    }

    if (counts.opened + counts.reopened + counts.fixed + counts.updated > 0 || groupsChanged) {
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: options.actor ?? systemActor,
        action: 'findings.reconciled',
        subjectType: 'asset',
        subjectId: assetId,
        after: { snapshotId: current.snapshotId, policy: policy.id, ...counts },
        requestId: options.requestId ?? null,
      });
    }
    return {
      assetId,
      status: 'reconciled',
      snapshotId: current.snapshotId,
      counts,
      coverage: result.coverage,
    };
  });
}

export interface ReconcileAllResult {
  readonly assets: number;
  readonly skipped: number;
  readonly counts: ReconcileCounts;
}

/** Reconcile every asset (after an advisory sync); one transaction per asset. */
export async function reconcileAll(
  database: Database,
  clock: Clock,
  inputs: FindingInputs,
  options: ReconcileOptions & {
    readonly signal?: AbortSignal;
    readonly onProgress?: (done: number, total: number) => Promise<void>;
  } = {},
): Promise<ReconcileAllResult> {
  const ids = await inputs.assets();
  const counts: ReconcileCounts = { opened: 0, reopened: 0, fixed: 0, updated: 0, unchanged: 0 };
  let skipped = 0;
  let done = 0;
  for (const id of ids) {
    options.signal?.throwIfAborted();
    const outcome = await reconcileAsset(database, clock, inputs, id, options);
    if (outcome.status === 'skipped') skipped++;
    else
      for (const key of Object.keys(counts) as (keyof ReconcileCounts)[])
        counts[key] += outcome.counts[key];
    done++;
    if (options.onProgress !== undefined && (done % 50 === 0 || done === ids.length))
      await options.onProgress(done, ids.length);
  }
  return { assets: ids.length, skipped, counts };
}
