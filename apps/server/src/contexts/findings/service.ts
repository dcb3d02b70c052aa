/**
 * The findings context's rules: reading findings (with the effective acceptance at the
 * request's time), triage, and the exception life cycle (request → approve/reject, revoke,
 * expire). Every change appends its audit event in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../http/problems.ts';
import type { AuditActor } from '../audit/index.ts';
import { appendAuditEvent, auditEventsOf, systemActor } from '../audit/index.ts';
import type { Database } from '../../db/database.ts';
import { cursorError, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import type {
  ExceptionState,
  FindingStatus,
  StoredMatch,
  TriageJustification,
  TriageState,
} from './model.ts';
import {
  actionableStatuses,
  detectionStates,
  maxExceptionDays,
  settledTriageStates,
} from './model.ts';
import type { Executor, FindingFilters, FindingSort, Keyset } from './repository.ts';
import type { FindingCounts } from './repository.ts';
import {
  bumpFindingsVersion,
  countFindings,
  countGroups,
  exceptionsOfFinding,
  findingsVersion,
  getExceptionRow,
  getFindingRow,
  insertException,
  lapsedExceptions,
  listExceptions,
  listFindings,
  nextAcceptanceLapse,
  sortColumns,
  updateException,
  updateFinding,
} from './repository.ts';
import type {
  ApiException,
  ApiFinding,
  ExceptionDecisionBody,
  ExceptionRequestBody,
  FindingDetail,
  FindingSummary,
  HistoryEntry,
  TriageBody,
} from './schema.ts';
import type { FindingExceptionTable, FindingTable } from './tables.ts';

/** Who is acting, and the request fields of the audit event. */
export interface Acting {
  readonly actor: AuditActor;
  readonly requestId?: string | null;
  readonly ip?: string | null;
  /** May approve exceptions (revoking someone else's needs it). */
  readonly canApprove?: boolean;
}

function parseArray(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isAccepted(row: FindingTable, now: string): boolean {
  return row.accepted_until !== null && row.accepted_until > now && row.exception_id !== null;
}

/** The finding's one status at `now` (precedence in model.ts `findingStatuses`). */
export function statusOf(row: FindingTable, now: string): FindingStatus {
  if (row.state === 'fixed') return 'fixed';
  if (isAccepted(row, now)) return 'accepted';
  const triage = row.triage_state as TriageState | null;
  if (triage !== null && settledTriageStates.includes(triage)) return triage as FindingStatus;
  return row.state as FindingStatus;
}

/**
 * A list shows the work queue (open and reopened, not suppressed by VEX nor accepted) unless
 * the caller filters on a status, detection state, triage state, acceptance or actionability
 * itself (`status=all` lifts it): a gate on the list goes green once everything is dealt with.
 */
export function withDefaultStatus(
  filters: Omit<FindingFilters, 'status'>,
  status: readonly (FindingStatus | 'all')[] | undefined,
): FindingFilters {
  const rest = filters;
  if (status !== undefined) {
    return status.includes('all') ? rest : { ...rest, status: status as FindingStatus[] };
  }
  const explicit =
    rest.state !== undefined ||
    rest.triage !== undefined ||
    rest.accepted !== undefined ||
    rest.actionable !== undefined;
  return explicit ? rest : { ...rest, status: actionableStatuses };
}

/**
 * How a decision of unknown severity was reached, said in the policy's own words: the rule
 * that fired when severity was one of its inputs (Patchgate's default: "the high timeline…
 * until a severity is known"), else that the policy does not use severity (BOD 26-04 decides
 * by KEV, exposure and SSVC), so a reader of a list knows what "unknown" cost.
 */
export function unknownSeverityHandling(decisionJson: string): string {
  const decision = JSON.parse(decisionJson) as Partial<FindingDetail['decision']>;
  const explanation = decision.explanation;
  if (explanation === undefined) return 'severity unknown';
  const policy = explanation.policy.name;
  const usesSeverity = explanation.inputs.some((input) => input.name === 'severity');
  return usesSeverity
    ? `${policy}, rule ${explanation.rule.id}: ${explanation.rule.description}`
    : `severity is not an input of ${policy} (rule ${explanation.rule.id} decided)`;
}

export function toApiFinding(row: FindingTable, now: string): ApiFinding {
  const stored = JSON.parse(row.match_json) as StoredMatch;
  return {
    id: row.id,
    asset: {
      id: row.asset_id,
      name: row.asset_name,
      environment: row.environment,
      criticality: row.criticality,
      exposure: row.exposure,
      groups: parseArray(row.groups_json),
      tags: parseArray(row.tags_json),
    },
    package: {
      ecosystem: row.ecosystem,
      name: row.package_name,
      version: row.package_version,
      sourceName: row.source_name,
      instances: [...stored.instances],
    },
    advisory: {
      id: row.advisory_id,
      aliases: parseArray(row.aliases_json),
      cves: [...stored.cves],
      summary: row.advisory_summary,
    },
    match: stored.match,
    fixedVersions: [...stored.fixedVersions],
    state: row.state as ApiFinding['state'],
    status: statusOf(row, now),
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    fixedAt: row.fixed_at,
    fixedByChangeId: row.fixed_by_change_id ?? null,
    reopenedAt: row.reopened_at,
    priority: row.priority as ApiFinding['priority'],
    dueDate: row.due_date,
    overdue: row.state !== 'fixed' && row.due_date !== null && row.due_date < now.slice(0, 10),
    severity: row.severity,
    unknownSeverity: row.severity === 'unknown' ? unknownSeverityHandling(row.decision_json) : null,
    kev: row.kev === 1,
    epss: row.epss === null ? null : Number(row.epss),
    triage:
      row.triage_state === null
        ? null
        : {
            state: row.triage_state as TriageState,
            justification: row.triage_justification as TriageJustification | null,
            detail: row.triage_detail,
            by: row.triage_by,
            at: row.triage_at,
          },
    accepted:
      isAccepted(row, now) && row.exception_id !== null && row.accepted_until !== null
        ? { exceptionId: row.exception_id, until: row.accepted_until }
        : null,
  };
}

/** The state an exception is in at `now`: a lapsed approved or requested one is expired. */
export function effectiveExceptionState(row: FindingExceptionTable, now: string): ExceptionState {
  const state = row.state as ExceptionState;
  return (state === 'approved' || state === 'requested') && row.expires_at <= now
    ? 'expired'
    : state;
}

/** What an exception shows of its finding (names, not ids). */
export type ExceptionFinding = Pick<
  FindingTable,
  'id' | 'asset_name' | 'package_name' | 'package_version' | 'advisory_summary' | 'priority'
>;

/** The findings of these exceptions, by id, in one read. */
export async function exceptionFindings(
  db: Executor,
  rows: readonly FindingExceptionTable[],
): Promise<ReadonlyMap<string, ExceptionFinding>> {
  const ids = [...new Set(rows.map((r) => r.finding_id))];
  if (ids.length === 0) return new Map();
  const found = await db
    .selectFrom('findings')
    .select(['id', 'asset_name', 'package_name', 'package_version', 'advisory_summary', 'priority'])
    .where('id', 'in', ids)
    .execute();
  return new Map(found.map((f) => [f.id, f]));
}

export function toApiException(
  row: FindingExceptionTable,
  now: string,
  findings: ReadonlyMap<string, ExceptionFinding>,
): ApiException {
  const finding = findings.get(row.finding_id);
  return {
    id: row.id,
    findingId: row.finding_id,
    assetId: row.asset_id,
    advisoryId: row.advisory_id,
    owner: row.owner,
    reason: row.reason,
    expiresAt: row.expires_at,
    state: effectiveExceptionState(row, now),
    requestedBy: { id: row.requested_by, name: row.requested_by_name },
    requestedAt: row.requested_at,
    decidedBy:
      row.decided_by === null ? null : { id: row.decided_by, name: row.decided_by_name ?? '' },
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    closedAt: row.closed_at,
    finding:
      finding === undefined
        ? null
        : {
            assetName: finding.asset_name,
            packageName: finding.package_name,
            packageVersion: finding.package_version,
            advisorySummary: finding.advisory_summary,
            priority: finding.priority as Priority,
          },
  };
}

// ---------------------------------------------------------------- cursors

/** The sort and the last row's keyset, in the one cursor codec (`http/cursor.ts`). */
function encodeListCursor(sort: string, keyset: readonly (string | number)[]): string {
  return encodeCursor([sort, ...keyset]);
}

function decodeListCursor(
  cursor: string,
  sort: string,
  kinds: readonly ('string' | 'number')[],
): (string | number)[] {
  const invalid = 'is not a cursor of this list and sort';
  const [madeFor, ...keys] = decodeCursor(cursor, ['string', ...kinds], invalid);
  if (madeFor !== sort) throw cursorError(invalid);
  return keys;
}

function findingCursorKinds(sort: FindingSort): ('string' | 'number')[] {
  return sortColumns[sort].columns.map((c) => (c === 'epss_key' ? 'number' : 'string'));
}

// ---------------------------------------------------------------- reads

export async function listFindingsPage(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  query: {
    filters: FindingFilters;
    sort: FindingSort;
    cursor?: string;
    limit: number;
    wholeGroups?: boolean;
  },
): Promise<{ findings: ApiFinding[]; nextCursor: string | null }> {
  const now = timestamp(ctx.clock);
  const after: Keyset | undefined =
    query.cursor === undefined
      ? undefined
      : decodeListCursor(query.cursor, query.sort, findingCursorKinds(query.sort));
  const page = await listFindings(
    ctx.database.db,
    {
      filters: query.filters,
      sort: query.sort,
      limit: query.limit,
      ...(after && { after }),
      ...(query.wholeGroups !== undefined && { wholeGroups: query.wholeGroups }),
    },
    now,
  );
  return {
    findings: page.rows.map((row) => toApiFinding(row, now)),
    nextCursor: page.next === undefined ? null : encodeListCursor(query.sort, page.next),
  };
}

interface CachedCounts {
  readonly version: number;
  /** The counts hold until then: the next midnight (overdue) or acceptance lapse. */
  readonly until: string;
  readonly counts: FindingCounts;
}

/** Summaries per database and filter set; small (dashboards ask the same few). */
const summaryCaches = new WeakMap<Database, Map<string, CachedCounts>>();
const summaryCacheSize = 64;

/**
 * The summary counts, from a cache while no finding changed (`findings_version`, bumped by
 * every transaction that writes findings) and until the next moment time alone changes
 * them (midnight UTC for overdue, the next lapse of an acceptance): the same answer as a
 * fresh count, without scanning every finding on each request of a polling dashboard.
 */
async function cachedCounts(
  database: Database,
  filters: FindingFilters,
  now: string,
): Promise<FindingCounts> {
  const cache = summaryCaches.get(database) ?? new Map<string, CachedCounts>();
  summaryCaches.set(database, cache);
  const key = JSON.stringify(filters);
  const version = await findingsVersion(database.db);
  const hit = cache.get(key);
  if (hit !== undefined && hit.version === version && now < hit.until) return hit.counts;
  const counts = await countFindings(database.db, filters, now);
  const midnight = `${new Date(Date.parse(now.slice(0, 10)) + 86_400_000).toISOString()}`;
  const lapse = await nextAcceptanceLapse(database.db, now);
  cache.delete(key);
  if (cache.size >= summaryCacheSize) cache.delete(cache.keys().next().value ?? '');
  cache.set(key, {
    version,
    until: lapse !== undefined && lapse < midnight ? lapse : midnight,
    counts,
  });
  return counts;
}

export async function summariseFindings(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  filters: FindingFilters,
  options: { groups?: boolean } = {},
): Promise<FindingSummary> {
  const now = timestamp(ctx.clock);
  const counts = await cachedCounts(ctx.database, filters, now);
  const grouped =
    options.groups === true ? await countGroups(ctx.database.db, filters, now) : undefined;
  return {
    ...counts,
    byState: Object.fromEntries(
      detectionStates.map((s) => [s, counts.byState[s] ?? 0]),
    ) as FindingSummary['byState'],
    byPriority: Object.fromEntries(
      priorities.map((p) => [p, counts.byPriority[p] ?? 0]),
    ) as FindingSummary['byPriority'],
    ...(grouped !== undefined && {
      groups: grouped.groups,
      groupsByPriority: Object.fromEntries(
        priorities.map((p) => [p, grouped.groupsByPriority[p] ?? 0]),
      ) as NonNullable<FindingSummary['groupsByPriority']>,
    }),
  };
}

async function findingOr404(database: Database, id: string): Promise<FindingTable> {
  const row = await getFindingRow(database.db, id);
  if (row === undefined) throw new NotFoundError(`Finding ${id}`);
  return row;
}

/**
 * The finding's history: its detection transitions (from the row) and every audited change
 * to it or its exceptions (through the audit context's `auditEventsOf`).
 */
async function historyOf(
  database: Database,
  row: FindingTable,
  exceptionIds: readonly string[],
): Promise<HistoryEntry[]> {
  const events = await auditEventsOf(database.db, [
    { type: 'finding', ids: [row.id] },
    { type: 'finding_exception', ids: exceptionIds },
  ]);
  const entries: HistoryEntry[] = [
    { at: row.first_seen_at, action: 'finding.detected', actor: null, before: null, after: null },
    ...(row.fixed_at !== null
      ? [{ at: row.fixed_at, action: 'finding.fixed', actor: null, before: null, after: null }]
      : []),
    ...(row.reopened_at !== null
      ? [
          {
            at: row.reopened_at,
            action: 'finding.reopened',
            actor: null,
            before: null,
            after: null,
          },
        ]
      : []),
    ...events.map((e) => ({
      at: e.occurredAt,
      action: e.action,
      actor: e.actorName,
      before: e.before,
      after: e.after,
    })),
  ];
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export async function findingDetail(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  id: string,
): Promise<FindingDetail> {
  const now = timestamp(ctx.clock);
  const row = await findingOr404(ctx.database, id);
  const exceptions = await exceptionsOfFinding(ctx.database.db, id);
  return {
    ...toApiFinding(row, now),
    decision: JSON.parse(row.decision_json) as FindingDetail['decision'],
    exceptions: exceptions.map((e) => toApiException(e, now, new Map([[row.id, row]]))),
    history: await historyOf(
      ctx.database,
      row,
      exceptions.map((e) => e.id),
    ),
  };
}

// ---------------------------------------------------------------- triage

function triageOf(row: FindingTable) {
  return {
    state: row.triage_state,
    justification: row.triage_justification,
    detail: row.triage_detail,
  };
}

export async function triageFinding(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  id: string,
  body: TriageBody,
  acting: Acting,
): Promise<ApiFinding> {
  const { database, clock } = ctx;
  const now = timestamp(clock);
  return database.db.transaction().execute(async (trx) => {
    const row = await getFindingRow(trx, id);
    if (row === undefined) throw new NotFoundError(`Finding ${id}`);
    const changes = {
      triage_state: body.state,
      triage_justification: body.justification ?? null,
      triage_detail: body.detail ?? null,
      triage_by: acting.actor.name,
      triage_at: now,
      updated_at: now,
    };
    await updateFinding(trx, id, changes);
    await bumpFindingsVersion(trx);
    const after = { ...row, ...changes };
    await appendAuditEvent(trx, database.dialect, clock, {
      actor: acting.actor,
      action: 'finding.triaged',
      subjectType: 'finding',
      subjectId: id,
      before: triageOf(row),
      after: triageOf(after),
      requestId: acting.requestId ?? null,
      ip: acting.ip ?? null,
    });
    return toApiFinding(after, now);
  });
}

// ---------------------------------------------------------------- exceptions

function exceptionAudit(row: FindingExceptionTable) {
  return {
    findingId: row.finding_id,
    state: row.state,
    owner: row.owner,
    reason: row.reason,
    expiresAt: row.expires_at,
    decisionNote: row.decision_note,
  };
}

export async function requestException(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  findingId: string,
  body: ExceptionRequestBody,
  acting: Acting,
): Promise<ApiException> {
  const { database, clock } = ctx;
  const now = timestamp(clock);
  const expiresAt = new Date(body.expiresAt).toISOString();
  const latest = new Date(clock.now().getTime() + maxExceptionDays * 86_400_000).toISOString();
  if (expiresAt <= now || expiresAt > latest) {
    throw new ValidationError('body.expiresAt: must be in the future and at most one year ahead', [
      { field: 'body.expiresAt', message: `must be after ${now} and at most ${latest}` },
    ]);
  }
  return database.db.transaction().execute(async (trx) => {
    const finding = await getFindingRow(trx, findingId);
    if (finding === undefined) throw new NotFoundError(`Finding ${findingId}`);
    const open = (await exceptionsOfFinding(trx, findingId)).find((e) => {
      const state = effectiveExceptionState(e, now);
      return state === 'requested' || state === 'approved';
    });
    if (open !== undefined) {
      throw new ConflictError(
        `Finding ${findingId} already has a ${effectiveExceptionState(open, now)} exception (${open.id}); revoke it first`,
      );
    }
    const row: FindingExceptionTable = {
      id: randomUUID(),
      finding_id: findingId,
      asset_id: finding.asset_id,
      advisory_id: finding.advisory_id,
      owner: body.owner,
      reason: body.reason,
      expires_at: expiresAt,
      state: 'requested',
      requested_by: acting.actor.id ?? acting.actor.name,
      requested_by_name: acting.actor.name,
      requested_at: now,
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
      decision_note: null,
      closed_at: null,
      updated_at: now,
    };
    await insertException(trx, row);
    await appendAuditEvent(trx, database.dialect, clock, {
      actor: acting.actor,
      action: 'finding_exception.requested',
      subjectType: 'finding_exception',
      subjectId: row.id,
      after: exceptionAudit(row),
      requestId: acting.requestId ?? null,
      ip: acting.ip ?? null,
    });
    return toApiException(row, now, await exceptionFindings(trx, [row]));
  });
}

type Decide = 'approve' | 'reject' | 'revoke';

const transitions: Record<Decide, { from: readonly ExceptionState[]; to: ExceptionState }> = {
  approve: { from: ['requested'], to: 'approved' },
  reject: { from: ['requested'], to: 'rejected' },
  revoke: { from: ['requested', 'approved'], to: 'revoked' },
};

/** Approve, reject or revoke; an approval accepts the finding's risk until the expiry. */
export async function decideException(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  id: string,
  decision: Decide,
  body: ExceptionDecisionBody,
  acting: Acting,
): Promise<ApiException> {
  const { database, clock } = ctx;
  const now = timestamp(clock);
  return database.db.transaction().execute(async (trx) => {
    const row = await getExceptionRow(trx, id);
    if (row === undefined) throw new NotFoundError(`Exception ${id}`);
    const actorId = acting.actor.id ?? acting.actor.name;
    const own = row.requested_by === actorId;
    if (decision === 'approve' && own) {
      throw new ForbiddenError(
        'You requested this exception: someone else with the exceptions:approve permission must approve it',
      );
    }
    if (decision === 'revoke' && !own && acting.canApprove !== true) {
      throw new ForbiddenError(
        'Only the requester or someone with the exceptions:approve permission may revoke an exception',
      );
    }
    const state = effectiveExceptionState(row, now);
    const { from, to } = transitions[decision];
    if (!from.includes(state)) {
      throw new ConflictError(`Exception ${id} is ${state}; it cannot be ${to} from that state`);
    }
    const changes: Partial<FindingExceptionTable> = {
      state: to,
      updated_at: now,
      ...(body.note !== undefined && { decision_note: body.note }),
      ...(decision === 'revoke'
        ? { closed_at: now }
        : { decided_by: actorId, decided_by_name: acting.actor.name, decided_at: now }),
    };
    await updateException(trx, id, changes);
    if (decision === 'approve') {
      await bumpFindingsVersion(trx);
      await updateFinding(trx, row.finding_id, {
        exception_id: id,
        accepted_until: row.expires_at,
        updated_at: now,
      });
    } else if (decision === 'revoke') {
      await clearAcceptance(trx, row, now);
    }
    const after = { ...row, ...changes };
    await appendAuditEvent(trx, database.dialect, clock, {
      actor: acting.actor,
      action: `finding_exception.${to}`,
      subjectType: 'finding_exception',
      subjectId: id,
      before: exceptionAudit(row),
      after: exceptionAudit(after),
      requestId: acting.requestId ?? null,
      ip: acting.ip ?? null,
    });
    return toApiException(after, now, await exceptionFindings(trx, [after]));
  });
}

async function clearAcceptance(
  trx: Parameters<typeof updateFinding>[0],
  row: FindingExceptionTable,
  now: string,
): Promise<void> {
  await bumpFindingsVersion(trx);
  await trx
    .updateTable('findings')
    .set({ exception_id: null, accepted_until: null, updated_at: now })
    .where('id', '=', row.finding_id)
    .where('exception_id', '=', row.id)
    .execute();
}

export async function exceptionById(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  id: string,
): Promise<ApiException> {
  const row = await getExceptionRow(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Exception ${id}`);
  return toApiException(row, timestamp(ctx.clock), await exceptionFindings(ctx.database.db, [row]));
}

export async function listExceptionsPage(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  query: { state?: readonly string[]; findingId?: string; cursor?: string; limit: number },
): Promise<{ exceptions: ApiException[]; nextCursor: string | null }> {
  const now = timestamp(ctx.clock);
  const after =
    query.cursor === undefined
      ? undefined
      : (decodeListCursor(query.cursor, 'exceptions', ['string', 'string']) as [string, string]);
  const page = await listExceptions(ctx.database.db, {
    limit: query.limit,
    ...(query.state && { state: query.state }),
    ...(query.findingId !== undefined && { findingId: query.findingId }),
    ...(after && { after }),
  });
  const findings = await exceptionFindings(ctx.database.db, page.rows);
  return {
    exceptions: page.rows.map((row) => toApiException(row, now, findings)),
    nextCursor: page.next === undefined ? null : encodeListCursor('exceptions', page.next),
  };
}

/**
 * Flip every requested or approved exception past its expiry to `expired`, end the findings'
 * acceptance, audit each. Reads already treat them as expired; this makes it durable.
 */
export async function expireExceptions(
  database: Database,
  clock: Clock,
): Promise<{ expired: number }> {
  const now = timestamp(clock);
  const lapsed = await lapsedExceptions(database.db, now);
  for (const row of lapsed) {
    await database.db.transaction().execute(async (trx) => {
      const current = await getExceptionRow(trx, row.id);
      if (current === undefined || current.state !== row.state) return;
      const changes = { state: 'expired', closed_at: now, updated_at: now };
      await updateException(trx, row.id, changes);
      await clearAcceptance(trx, row, now);
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: systemActor,
        action: 'finding_exception.expired',
        subjectType: 'finding_exception',
        subjectId: row.id,
        before: exceptionAudit(row),
        after: exceptionAudit({ ...row, ...changes }),
      });
    });
  }
  return { expired: lapsed.length };
}
