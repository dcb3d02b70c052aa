/**
 * The figures a patch programme is judged by (issue 11), under stable names: the JSON form of
 * every report, the daily snapshots and the API carry exactly these names. Pure types: the
 * computations (compute.ts) take plain rows, so they are tested on hand-checked fixtures, and
 * the server reads the rows from either database.
 *
 * Conventions: days are UTC calendar days `YYYY-MM-DD`; a period is `[from, to]`, both days
 * included; `asOf` is the instant the figures describe (the end of `to` unless given), so a
 * report regenerated with the same inputs gives the same figures. A ratio is 0…1, or null when
 * nothing was counted (never a silent 0 %).
 */
import type { Priority } from '@patchgate/policy';

/** Which assets the figures cover; an absent key means every asset. */
export interface MetricScope {
  readonly team?: string | undefined;
  readonly environment?: string | undefined;
  readonly assetGroup?: string | undefined;
}

export interface MetricPeriod {
  readonly from: string;
  readonly to: string;
}

/** met / counted, and which rows (finding ids) were counted: the drill-down. */
export interface SlaFigure {
  readonly met: number;
  readonly missed: number;
  readonly counted: number;
  /** met / counted; null when nothing was counted. */
  readonly ratio: number | null;
}

export interface KeyedSla extends SlaFigure {
  /** The team, environment, asset group or policy name ("(none)" when not set). */
  readonly key: string;
}

/** Durations in days (fractional), over the rows that have both ends. */
export interface DurationStats {
  readonly count: number;
  readonly mean: number | null;
  readonly p90: number | null;
}

export type PriorityRecord<T> = Readonly<Record<Priority, T>>;

/** Open findings by how long ago they were first seen. */
export interface AgeBuckets {
  readonly d0_7: number;
  readonly d8_30: number;
  readonly d31_90: number;
  readonly d91_180: number;
  readonly d181plus: number;
}

export interface RemediationMetrics {
  /** Open at `asOf` (the findings list's work queue: not fixed, not accepted, not settled by triage). */
  readonly openFindings: number;
  readonly openByPriority: PriorityRecord<number>;
  readonly openByAge: AgeBuckets;
  /** Open at `asOf` and past their due date. */
  readonly overdueFindings: number;
  readonly overdueByPriority: PriorityRecord<number>;
  /** Open and in CISA KEV; and of those on internet-facing assets. */
  readonly kevOpen: number;
  readonly kevInternetFacing: number;
  /**
   * SLA compliance over the period: a finding with a due date is counted when it was fixed in
   * the period, or fell due in the period unfixed; it met the SLA when fixed on or before its
   * due date (the dashboard's weekly rule, over a period).
   */
  readonly slaCompliance: SlaFigure;
  readonly slaComplianceByPriority: PriorityRecord<SlaFigure>;
  readonly slaComplianceByPolicy: readonly KeyedSla[];
  readonly slaComplianceByTeam: readonly KeyedSla[];
  readonly slaComplianceByEnvironment: readonly KeyedSla[];
  readonly slaComplianceByAssetGroup: readonly KeyedSla[];
  /** first seen → triaged, for findings triaged in the period. */
  readonly timeToTriageDays: PriorityRecord<DurationStats> & { readonly all: DurationStats };
  /** first seen → fixed (MTTR), for findings fixed in the period. */
  readonly timeToRemediateDays: PriorityRecord<DurationStats> & { readonly all: DurationStats };
  /**
   * Advisory published → fixed on every affected host: per advisory whose last open finding
   * was fixed in the period (advisories still open somewhere are not counted).
   */
  readonly patchLatencyDays: DurationStats;
  readonly exceptions: {
    /** Approved and unexpired at `asOf`. */
    readonly active: number;
    readonly expiringWithin30Days: number;
    readonly requestedPending: number;
    /** Age of active exceptions since they were approved. */
    readonly ageing: AgeBuckets;
    readonly meanAgeDays: number | null;
  };
}

/** @patchgate/changes' change types. */
export type ChangeTypeName = 'standard' | 'normal' | 'emergency';
/** How a change that left implementation ended. */
export type ChangeOutcome = 'succeeded' | 'failed' | 'rolled_back' | 'cancelled';

export interface ChangeMetrics {
  /** Changes that ended (outcome known) in the period. */
  readonly closedChanges: number;
  readonly byType: Readonly<Record<ChangeTypeName, number>>;
  readonly byOutcome: Readonly<Record<ChangeOutcome, number>>;
  /** succeeded / (succeeded + failed + rolled_back); null when none was implemented. */
  readonly changeSuccessRate: number | null;
  /** rolled_back / implemented. */
  readonly rollbackRate: number | null;
  /** emergency / closed changes. */
  readonly emergencyShare: number | null;
  /** Planned (scheduled window) and actual (rollout start → end) duration, minutes. */
  readonly plannedDurationMinutes: DurationStats;
  readonly actualDurationMinutes: DurationStats;
  /** Rollouts that ended after their change's scheduled end. */
  readonly windowOverruns: number;
  /** Host failures per wave name, over rollouts that ended in the period. */
  readonly failuresPerWave: readonly {
    readonly wave: string;
    readonly hosts: number;
    readonly failures: number;
  }[];
  /** A linked finding's first seen → its change closed, days. */
  readonly leadTimeDays: DurationStats;
}

export interface CoverageMetrics {
  readonly assets: number;
  /** Assets whose inventory was reported within `reportingWindowDays` before `asOf`. */
  readonly reportingWindowDays: number;
  readonly assetsReporting: number;
  readonly assetsReportingRatio: number | null;
  /** Enrolled agents not seen within three heartbeats (the dashboard's rule). */
  readonly staleAgents: number;
  readonly assetsWithoutWindow: number;
  readonly assetsWithoutOwner: number;
}

export interface MetricSet {
  /** `metrics/1`: bump when a name changes meaning. */
  readonly version: 'metrics/1';
  readonly asOf: string;
  readonly period: MetricPeriod;
  readonly scope: MetricScope;
  readonly remediation: RemediationMetrics;
  readonly changes: ChangeMetrics;
  readonly coverage: CoverageMetrics;
}

/**
 * A figure's path in a `MetricSet` (`remediation.openFindings`,
 * `remediation.slaComplianceByTeam`, `changes.changeSuccessRate`…), with an optional key for a
 * keyed or per-priority figure: what the drill-down (`GET /api/v1/metrics/rows`) is asked for.
 */
export interface MetricRef {
  readonly metric: string;
  readonly key?: string | undefined;
}
