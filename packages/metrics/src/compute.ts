/**
 * The figures of a `MetricSet`, computed from plain rows (inputs.ts) for a period and an `asOf`
 * instant — and, with the same rules, the rows each figure counts (the drill-down). No database,
 * no clock: everything is given, so the tests check every figure on hand-made rows.
 *
 * As of: a fact counts only when its time is at or before `asOf` (first seen, fixed, triaged,
 * approved, transitioned, recorded), so figures for a past `asOf` do not move when later data
 * arrives. See docs/adr/0043-reports-and-metrics.md for each figure's exact definition.
 */
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type {
  AgentFact,
  AssetFact,
  ChangeFact,
  ExceptionFact,
  FindingFact,
  MetricInputs,
  MetricSettings,
  RolloutFact,
} from './inputs.ts';
import type {
  AgeBuckets,
  ChangeOutcome,
  ChangeTypeName,
  DurationStats,
  KeyedSla,
  MetricPeriod,
  MetricScope,
  MetricSet,
  PriorityRecord,
  SlaFigure,
} from './model.ts';

const dayMs = 86_400_000;

/** Triage states that take a finding out of the work queue (the findings list's rule). */
export const settledTriageStates: readonly string[] = [
  'not_affected',
  'false_positive',
  'resolved',
];

/** Where a key is not set (no team, no environment, no group, no policy). */
export const noneKey = '(none)';

export const defaultReportingWindowDays = 7;

export const changeTypeNames: readonly ChangeTypeName[] = ['standard', 'normal', 'emergency'];
export const changeOutcomes: readonly ChangeOutcome[] = [
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
];

/** The change action whose transition ends a change with that outcome. */
const outcomeOfAction: Readonly<Record<string, ChangeOutcome>> = {
  complete: 'succeeded',
  fail: 'failed',
  'roll-back': 'rolled_back',
  cancel: 'cancelled',
};

export const ageBucketNames = ['d0_7', 'd8_30', 'd31_90', 'd91_180', 'd181plus'] as const;
export type AgeBucketName = (typeof ageBucketNames)[number];

// ---- small pure helpers ----------------------------------------------------------------------

export const dayOf = (timestamp: string): string => timestamp.slice(0, 10);

/** YYYY-MM-DD of `day` plus `days` (UTC). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole calendar days from `a` to `b` (both YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / dayMs);
}

/** The instant a period's figures describe by default: the last millisecond of `to`. */
export function endOfDay(day: string): string {
  return `${day}T23:59:59.999Z`;
}

/** Fractional days from timestamp `a` to `b`. */
export function durationDays(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / dayMs;
}

export function durationMinutes(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 60_000;
}

/**
 * The 90th percentile by nearest rank: the smallest value with at least 90 % of the values at
 * or below it (sorted ascending, index ⌈0.9·n⌉ − 1). With fewer than 10 values it is the
 * largest or a value near it; it is always one of the values, never interpolated.
 */
export function p90(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.9 * sorted.length) - 1] ?? null;
}

export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { count: 0, mean: null, p90: null };
  const sum = values.reduce((s, v) => s + v, 0);
  return { count: values.length, mean: sum / values.length, p90: p90(values) };
}

export const ratio = (part: number, whole: number): number | null =>
  whole === 0 ? null : part / whole;

export function slaFigure(met: number, counted: number): SlaFigure {
  return { met, missed: counted - met, counted, ratio: ratio(met, counted) };
}

export function ageBucket(days: number): AgeBucketName {
  if (days <= 7) return 'd0_7';
  if (days <= 30) return 'd8_30';
  if (days <= 90) return 'd31_90';
  if (days <= 180) return 'd91_180';
  return 'd181plus';
}

function ageBuckets(ages: readonly number[]): AgeBuckets {
  const out: Record<AgeBucketName, number> = {
    d0_7: 0,
    d8_30: 0,
    d31_90: 0,
    d91_180: 0,
    d181plus: 0,
  };
  for (const age of ages) out[ageBucket(age)] += 1;
  return out;
}

function perPriority<T>(make: (p: Priority) => T): PriorityRecord<T> {
  return Object.fromEntries(priorities.map((p) => [p, make(p)])) as PriorityRecord<T>;
}

/** A period as given is valid: two days, `from` ≤ `to`. */
export function isValidPeriod(period: MetricPeriod): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  return (
    day.test(period.from) &&
    day.test(period.to) &&
    !Number.isNaN(Date.parse(`${period.from}T00:00:00Z`)) &&
    !Number.isNaN(Date.parse(`${period.to}T00:00:00Z`)) &&
    period.from <= period.to
  );
}

/** An asset (or a row copying its keys) is in the scope. */
export function inScope(
  keys: {
    readonly team: string | null;
    readonly environment: string | null;
    readonly groups: readonly string[];
  },
  scope: MetricScope,
): boolean {
  if (scope.team !== undefined && keys.team !== scope.team) return false;
  if (scope.environment !== undefined && keys.environment !== scope.environment) return false;
  if (scope.assetGroup !== undefined && !keys.groups.includes(scope.assetGroup)) return false;
  return true;
}

// ---- the classification both the figures and the drill-down use -----------------------------

/** What a figure is computed for. */
export interface MetricWhen {
  readonly period: MetricPeriod;
  /** ISO instant; at most the end of `period.to`. */
  readonly asOf: string;
}

interface Clock {
  readonly from: string;
  readonly to: string;
  readonly asOf: string;
  readonly asOfDay: string;
  /** The time is known at asOf and its day is in the period. */
  readonly within: (timestamp: string | null) => boolean;
  readonly known: (timestamp: string | null) => timestamp is string;
}

function clockOf(when: MetricWhen): Clock {
  const asOf = when.asOf;
  const known = (t: string | null): t is string => t !== null && t <= asOf;
  return {
    from: when.period.from,
    to: when.period.to,
    asOf,
    asOfDay: dayOf(asOf),
    known,
    within: (t) => known(t) && dayOf(t) >= when.period.from && dayOf(t) <= when.period.to,
  };
}

export const isFixedAt = (f: FindingFact, asOf: string): boolean =>
  f.state === 'fixed' && f.fixedAt !== null && f.fixedAt <= asOf;

export const isSettledAt = (f: FindingFact, asOf: string): boolean =>
  f.triageState !== null &&
  settledTriageStates.includes(f.triageState) &&
  f.triageAt !== null &&
  f.triageAt <= asOf;

/** The exception was approved at some time (its later state: approved, expired, revoked). */
const wasApproved = (e: ExceptionFact) =>
  e.decidedAt !== null && ['approved', 'expired', 'revoked'].includes(e.state);

/** Approved by `asOf`, not yet expired and not revoked at `asOf`. */
export const isActiveExceptionAt = (e: ExceptionFact, asOf: string): boolean =>
  wasApproved(e) &&
  e.decidedAt !== null &&
  e.decidedAt <= asOf &&
  e.expiresAt > asOf &&
  (e.closedAt === null || e.closedAt > asOf);

/** Requested by `asOf` and neither decided nor withdrawn by then. */
export const isPendingExceptionAt = (e: ExceptionFact, asOf: string): boolean =>
  e.requestedAt <= asOf &&
  (e.decidedAt === null || e.decidedAt > asOf) &&
  (e.closedAt === null || e.closedAt > asOf);

export interface OpenFinding {
  readonly finding: FindingFact;
  readonly ageDays: number;
  readonly overdue: boolean;
}

export interface SlaRow {
  readonly finding: FindingFact;
  readonly met: boolean;
  /** Fixed in the period (its fix decided it), or fell due in the period unfixed. */
  readonly decidedBy: 'fixed' | 'due';
}

export interface DurationRow {
  readonly finding: FindingFact;
  readonly days: number;
}

export interface AdvisoryLatencyRow {
  readonly advisoryId: string;
  readonly publishedAt: string;
  readonly lastFixedAt: string;
  readonly findings: number;
  readonly days: number;
}

export interface ClosedChange {
  readonly change: ChangeFact;
  readonly outcome: ChangeOutcome;
  /** The first transition that ended it (complete, fail, roll-back, cancel). */
  readonly closedAt: string;
}

export interface RolloutRow {
  readonly rollout: RolloutFact;
  readonly plannedMinutes: number | null;
  readonly actualMinutes: number | null;
  readonly overrunMinutes: number | null;
}

export interface LeadRow {
  readonly changeId: string;
  readonly changeNumber: string;
  readonly findingId: string;
  readonly firstSeenAt: string;
  readonly closedAt: string;
  readonly days: number;
}

export interface ExceptionRow {
  readonly exception: ExceptionFact;
  readonly ageDays: number;
}

export interface AssetRow {
  readonly asset: AssetFact;
  readonly reporting: boolean;
}

export interface Classified {
  readonly open: readonly OpenFinding[];
  readonly sla: readonly SlaRow[];
  readonly triaged: readonly DurationRow[];
  readonly remediated: readonly DurationRow[];
  readonly latency: readonly AdvisoryLatencyRow[];
  readonly activeExceptions: readonly ExceptionRow[];
  readonly expiringExceptions: readonly ExceptionRow[];
  readonly pendingExceptions: readonly ExceptionFact[];
  readonly closedChanges: readonly ClosedChange[];
  readonly rollouts: readonly RolloutRow[];
  readonly leads: readonly LeadRow[];
  readonly assets: readonly AssetRow[];
  readonly staleAgents: readonly AgentFact[];
  readonly reportingWindowDays: number;
}

/** Sort by a string key, then by id: every list the drill-down returns is in a stable order. */
const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

export function classify(
  inputs: MetricInputs,
  when: MetricWhen,
  settings: MetricSettings,
): Classified {
  const c = clockOf(when);
  const { asOf } = c;
  const known = inputs.findings.filter((f) => f.firstSeenAt <= asOf);

  // Accepted at asOf: an active exception on the finding.
  const acceptedIds = new Set(
    inputs.exceptions.filter((e) => isActiveExceptionAt(e, asOf)).map((e) => e.findingId),
  );

  const open: OpenFinding[] = [];
  const sla: SlaRow[] = [];
  const triaged: DurationRow[] = [];
  const remediated: DurationRow[] = [];
  for (const f of known) {
    const fixed = isFixedAt(f, asOf);
    const settled = isSettledAt(f, asOf);
    const accepted = acceptedIds.has(f.id);
    if (!fixed && !settled && !accepted) {
      open.push({
        finding: f,
        ageDays: daysBetween(dayOf(f.firstSeenAt), c.asOfDay),
        overdue: f.dueDate !== null && f.dueDate < c.asOfDay,
      });
    }
    if (f.dueDate !== null) {
      if (fixed && c.within(f.fixedAt)) {
        const fixedDay = dayOf(f.fixedAt ?? '');
        sla.push({ finding: f, met: fixedDay <= f.dueDate, decidedBy: 'fixed' });
      } else if (
        !fixed &&
        !settled &&
        !accepted &&
        f.dueDate >= c.from &&
        f.dueDate <= c.to &&
        f.dueDate < c.asOfDay
      ) {
        sla.push({ finding: f, met: false, decidedBy: 'due' });
      }
    }
    if (f.triageAt !== null && c.within(f.triageAt)) {
      triaged.push({ finding: f, days: durationDays(f.firstSeenAt, f.triageAt) });
    }
    if (fixed && c.within(f.fixedAt)) {
      remediated.push({ finding: f, days: durationDays(f.firstSeenAt, f.fixedAt ?? '') });
    }
  }

  // Patch latency: per advisory, once no finding of it is left unfixed.
  const byAdvisory = new Map<string, FindingFact[]>();
  for (const f of known) byAdvisory.set(f.advisoryId, [...(byAdvisory.get(f.advisoryId) ?? []), f]);
  const latency: AdvisoryLatencyRow[] = [];
  for (const [advisoryId, findings] of byAdvisory) {
    if (!findings.every((f) => isFixedAt(f, asOf))) continue;
    const lastFixedAt = findings
      .map((f) => f.fixedAt ?? '')
      .sort()
      .at(-1);
    const publishedAt = findings.find((f) => f.advisoryPublishedAt !== null)?.advisoryPublishedAt;
    if (lastFixedAt === undefined || !c.within(lastFixedAt) || publishedAt == null) continue;
    latency.push({
      advisoryId,
      publishedAt,
      lastFixedAt,
      findings: findings.length,
      days: durationDays(publishedAt, lastFixedAt),
    });
  }

  const activeExceptions = inputs.exceptions
    .filter((e) => isActiveExceptionAt(e, asOf))
    .map((e) => ({ exception: e, ageDays: durationDays(e.decidedAt ?? asOf, asOf) }));
  const in30 = new Date(Date.parse(asOf) + 30 * dayMs).toISOString();
  const expiringExceptions = activeExceptions.filter((e) => e.exception.expiresAt <= in30);
  const pendingExceptions = inputs.exceptions.filter((e) => isPendingExceptionAt(e, asOf));

  // Changes: the first ending transition closes it; the latest one by asOf is its outcome.
  const closedChanges: ClosedChange[] = [];
  for (const change of inputs.changes) {
    const endings = change.transitions
      .filter((t) => outcomeOfAction[t.action] !== undefined && t.at <= asOf)
      .sort(byKey((t) => t.at));
    const first = endings[0];
    const last = endings.at(-1);
    if (first === undefined || last === undefined || !c.within(first.at)) continue;
    closedChanges.push({
      change,
      outcome: outcomeOfAction[last.action] ?? 'succeeded',
      closedAt: first.at,
    });
  }

  const rollouts: RolloutRow[] = inputs.rollouts
    .filter((r) => r.recordedAt <= asOf && c.within(r.actualEnd ?? r.recordedAt))
    .map((r) => ({
      rollout: r,
      plannedMinutes:
        r.plannedStart !== null && r.plannedEnd !== null
          ? durationMinutes(r.plannedStart, r.plannedEnd)
          : null,
      actualMinutes:
        r.actualStart !== null && r.actualEnd !== null
          ? durationMinutes(r.actualStart, r.actualEnd)
          : null,
      overrunMinutes:
        r.plannedEnd !== null && r.actualEnd !== null
          ? durationMinutes(r.plannedEnd, r.actualEnd)
          : null,
    }));

  // Lead time: a linked finding's first seen → its change's `close` transition.
  const closeOf = new Map<string, { at: string; number: string }>();
  for (const change of inputs.changes) {
    const close = change.transitions
      .filter((t) => t.action === 'close' && t.at <= asOf)
      .sort(byKey((t) => t.at))[0];
    if (close !== undefined && c.within(close.at))
      closeOf.set(change.id, { at: close.at, number: change.number });
  }
  const leads: LeadRow[] = inputs.changeFindings.flatMap((link) => {
    const close = closeOf.get(link.changeId);
    if (close === undefined) return [];
    return [
      {
        changeId: link.changeId,
        changeNumber: close.number,
        findingId: link.findingId,
        firstSeenAt: link.firstSeenAt,
        closedAt: close.at,
        days: durationDays(link.firstSeenAt, close.at),
      },
    ];
  });

  const reportingWindowDays = settings.reportingWindowDays ?? defaultReportingWindowDays;
  const since = new Date(Date.parse(asOf) - reportingWindowDays * dayMs).toISOString();
  const assets: AssetRow[] = inputs.assets
    .filter((a) => a.createdAt <= asOf)
    .map((a) => ({
      asset: a,
      reporting: a.lastReportAt !== null && a.lastReportAt <= asOf && a.lastReportAt >= since,
    }));
  const staleSince = new Date(Date.parse(asOf) - settings.staleAgentSeconds * 1000).toISOString();
  const staleAgents = inputs.agents.filter(
    (a) =>
      a.enrolledAt <= asOf &&
      (a.revokedAt === null || a.revokedAt > asOf) &&
      (a.lastSeenAt === null || a.lastSeenAt < staleSince),
  );

  return {
    open: open.sort(byKey((o) => `${o.finding.priority} ${o.finding.id}`)),
    sla: sla.sort(byKey((s) => `${s.finding.priority} ${s.finding.id}`)),
    triaged: triaged.sort(byKey((r) => r.finding.id)),
    remediated: remediated.sort(byKey((r) => r.finding.id)),
    latency: latency.sort(byKey((r) => r.advisoryId)),
    activeExceptions: activeExceptions.sort(byKey((e) => e.exception.id)),
    expiringExceptions: expiringExceptions.sort(byKey((e) => e.exception.id)),
    pendingExceptions: pendingExceptions.sort(byKey((e) => e.id)),
    closedChanges: closedChanges.sort(byKey((ch) => `${ch.closedAt} ${ch.change.id}`)),
    rollouts: rollouts.sort(byKey((r) => `${r.rollout.recordedAt} ${r.rollout.rolloutId}`)),
    leads: leads.sort(byKey((l) => `${l.changeId} ${l.findingId}`)),
    assets: assets.sort(byKey((a) => a.asset.name)),
    staleAgents: staleAgents.sort(byKey((a) => a.name)),
    reportingWindowDays,
  };
}

// ---- the figures -----------------------------------------------------------------------------

/** The keys a finding counts under for one breakdown (a finding counts in each of its groups). */
export type SlaBreakdown = 'policy' | 'team' | 'environment' | 'assetGroup';

export function keysOf(f: FindingFact, by: SlaBreakdown): readonly string[] {
  switch (by) {
    case 'policy':
      return [f.policy || noneKey];
    case 'team':
      return [f.team ?? noneKey];
    case 'environment':
      return [f.environment ?? noneKey];
    case 'assetGroup':
      return f.groups.length === 0 ? [noneKey] : f.groups;
  }
}

function keyedSla(rows: readonly SlaRow[], by: SlaBreakdown): KeyedSla[] {
  const tally = new Map<string, { met: number; counted: number }>();
  for (const row of rows) {
    for (const key of keysOf(row.finding, by)) {
      const t = tally.get(key) ?? { met: 0, counted: 0 };
      t.counted += 1;
      if (row.met) t.met += 1;
      tally.set(key, t);
    }
  }
  return [...tally]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, t]) => ({ key, ...slaFigure(t.met, t.counted) }));
}

function durationsByPriority(rows: readonly DurationRow[]) {
  return {
    ...perPriority((p) =>
      durationStats(rows.filter((r) => r.finding.priority === p).map((r) => r.days)),
    ),
    all: durationStats(rows.map((r) => r.days)),
  };
}

/** The `MetricSet` of these inputs (already narrowed to `scope`) for a period, as of `asOf`. */
export function computeMetricSet(
  inputs: MetricInputs,
  query: MetricWhen & { readonly scope: MetricScope },
  settings: MetricSettings,
): MetricSet {
  const k = classify(inputs, query, settings);
  const openCount = (p?: Priority) =>
    k.open.filter((o) => p === undefined || o.finding.priority === p).length;
  const overdue = k.open.filter((o) => o.overdue);
  const kev = k.open.filter((o) => o.finding.kev);
  const slaMet = (rows: readonly SlaRow[]) =>
    slaFigure(rows.filter((r) => r.met).length, rows.length);
  const activeAges = k.activeExceptions.map((e) => e.ageDays);

  const implemented = k.closedChanges.filter((ch) => ch.outcome !== 'cancelled');
  const outcomeCount = (o: ChangeOutcome) =>
    k.closedChanges.filter((ch) => ch.outcome === o).length;
  const waves = new Map<string, { hosts: number; failures: number }>();
  for (const r of k.rollouts) {
    for (const wave of r.rollout.waves) {
      const w = waves.get(wave.name) ?? { hosts: 0, failures: 0 };
      w.hosts += wave.hosts.length;
      w.failures += wave.hosts.filter((h) => isHostFailure(h.outcome)).length;
      waves.set(wave.name, w);
    }
  }
  const reporting = k.assets.filter((a) => a.reporting).length;

  return {
    version: 'metrics/1',
    asOf: query.asOf,
    period: { from: query.period.from, to: query.period.to },
    scope: scopeOf(query.scope),
    remediation: {
      openFindings: k.open.length,
      openByPriority: perPriority((p) => openCount(p)),
      openByAge: ageBuckets(k.open.map((o) => o.ageDays)),
      overdueFindings: overdue.length,
      overdueByPriority: perPriority((p) => overdue.filter((o) => o.finding.priority === p).length),
      kevOpen: kev.length,
      kevInternetFacing: kev.filter((o) => o.finding.exposure === 'internet').length,
      slaCompliance: slaMet(k.sla),
      slaComplianceByPriority: perPriority((p) =>
        slaMet(k.sla.filter((r) => r.finding.priority === p)),
      ),
      slaComplianceByPolicy: keyedSla(k.sla, 'policy'),
      slaComplianceByTeam: keyedSla(k.sla, 'team'),
      slaComplianceByEnvironment: keyedSla(k.sla, 'environment'),
      slaComplianceByAssetGroup: keyedSla(k.sla, 'assetGroup'),
      timeToTriageDays: durationsByPriority(k.triaged),
      timeToRemediateDays: durationsByPriority(k.remediated),
      patchLatencyDays: durationStats(k.latency.map((r) => r.days)),
      exceptions: {
        active: k.activeExceptions.length,
        expiringWithin30Days: k.expiringExceptions.length,
        requestedPending: k.pendingExceptions.length,
        ageing: ageBuckets(activeAges.map((d) => Math.floor(d))),
        meanAgeDays: durationStats(activeAges).mean,
      },
    },
    changes: {
      closedChanges: k.closedChanges.length,
      byType: Object.fromEntries(
        changeTypeNames.map((t) => [
          t,
          k.closedChanges.filter((ch) => ch.change.type === t).length,
        ]),
      ) as Record<ChangeTypeName, number>,
      byOutcome: Object.fromEntries(changeOutcomes.map((o) => [o, outcomeCount(o)])) as Record<
        ChangeOutcome,
        number
      >,
      changeSuccessRate: ratio(outcomeCount('succeeded'), implemented.length),
      rollbackRate: ratio(outcomeCount('rolled_back'), implemented.length),
      emergencyShare: ratio(
        k.closedChanges.filter((ch) => ch.change.type === 'emergency').length,
        k.closedChanges.length,
      ),
      plannedDurationMinutes: durationStats(
        k.rollouts.flatMap((r) => (r.plannedMinutes === null ? [] : [r.plannedMinutes])),
      ),
      actualDurationMinutes: durationStats(
        k.rollouts.flatMap((r) => (r.actualMinutes === null ? [] : [r.actualMinutes])),
      ),
      windowOverruns: k.rollouts.filter((r) => r.overrunMinutes !== null && r.overrunMinutes > 0)
        .length,
      failuresPerWave: [...waves]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([wave, w]) => ({ wave, hosts: w.hosts, failures: w.failures })),
      leadTimeDays: durationStats(k.leads.map((l) => l.days)),
    },
    coverage: {
      assets: k.assets.length,
      reportingWindowDays: k.reportingWindowDays,
      assetsReporting: reporting,
      assetsReportingRatio: ratio(reporting, k.assets.length),
      staleAgents: k.staleAgents.length,
      assetsWithoutWindow: k.assets.filter((a) => !a.asset.hasWindow).length,
      assetsWithoutOwner: k.assets.filter((a) => a.asset.team === null).length,
    },
  };
}

/** A host outcome in a rollout's facts that counts as a failure of its wave. */
export function isHostFailure(outcome: string): boolean {
  return outcome === 'failed';
}

/** The scope without absent keys (what a MetricSet and a snapshot record). */
export function scopeOf(scope: MetricScope): MetricScope {
  return {
    ...(scope.team !== undefined && { team: scope.team }),
    ...(scope.environment !== undefined && { environment: scope.environment }),
    ...(scope.assetGroup !== undefined && { assetGroup: scope.assetGroup }),
  };
}
