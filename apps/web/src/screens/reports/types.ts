/**
 * The shapes the reports screens read, as HELPERS-11.md's contract states them (MetricSet from
 * @patchgate/metrics, ReportRun and the schedules of the reports context). Kept here so the
 * screens compile before the metrics routes are in the OpenAPI document. Reports and schedules
 * come from the generated schema (h11/runs).
 */
import type { operations } from '../../api/client.ts';

export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
export const priorities: readonly Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

export interface MetricScope {
  readonly team?: string | undefined;
  readonly environment?: string | undefined;
  readonly assetGroup?: string | undefined;
}

export interface SlaFigure {
  readonly met: number;
  readonly missed: number;
  readonly counted: number;
  readonly ratio: number | null;
}
export interface KeyedSla extends SlaFigure {
  readonly key: string;
}
export interface DurationStats {
  readonly count: number;
  readonly mean: number | null;
  readonly p90: number | null;
}
export interface AgeBuckets {
  readonly d0_7: number;
  readonly d8_30: number;
  readonly d31_90: number;
  readonly d91_180: number;
  readonly d181plus: number;
}

export interface MetricSet {
  readonly version: string;
  readonly asOf: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly scope: MetricScope;
  readonly remediation: {
    readonly openFindings: number;
    readonly openByPriority: Readonly<Record<Priority, number>>;
    readonly openByAge: AgeBuckets;
    readonly overdueFindings: number;
    readonly overdueByPriority: Readonly<Record<Priority, number>>;
    readonly kevOpen: number;
    readonly kevInternetFacing: number;
    readonly slaCompliance: SlaFigure;
    readonly slaComplianceByPriority: Readonly<Record<Priority, SlaFigure>>;
    readonly slaComplianceByPolicy: readonly KeyedSla[];
    readonly slaComplianceByTeam: readonly KeyedSla[];
    readonly slaComplianceByEnvironment: readonly KeyedSla[];
    readonly slaComplianceByAssetGroup: readonly KeyedSla[];
    readonly timeToTriageDays: Readonly<Record<Priority | 'all', DurationStats>>;
    readonly timeToRemediateDays: Readonly<Record<Priority | 'all', DurationStats>>;
    readonly patchLatencyDays: DurationStats;
    readonly exceptions: {
      readonly active: number;
      readonly expiringWithin30Days: number;
      readonly requestedPending: number;
      readonly ageing: AgeBuckets;
      readonly meanAgeDays: number | null;
    };
  };
  readonly changes: {
    readonly closedChanges: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly byOutcome: Readonly<Record<string, number>>;
    readonly changeSuccessRate: number | null;
    readonly rollbackRate: number | null;
    readonly emergencyShare: number | null;
    readonly plannedDurationMinutes: DurationStats;
    readonly actualDurationMinutes: DurationStats;
    readonly windowOverruns: number;
    readonly failuresPerWave: readonly {
      readonly wave: string;
      readonly hosts: number;
      readonly failures: number;
    }[];
    readonly leadTimeDays: DurationStats;
  };
  readonly coverage: {
    readonly assets: number;
    readonly reportingWindowDays: number;
    readonly assetsReporting: number;
    readonly assetsReportingRatio: number | null;
    readonly staleAgents: number;
    readonly assetsWithoutWindow: number;
    readonly assetsWithoutOwner: number;
  };
}

export interface MetricTrend {
  readonly metric: string;
  readonly key?: string | null | undefined;
  readonly points: readonly { readonly day: string; readonly value: number | null }[];
  readonly missingDays: number;
  readonly note?: string | null | undefined;
}

export type RowKind = 'findings' | 'changes' | 'assets' | 'exceptions' | 'agents' | 'advisories';

export interface MetricRows {
  readonly metric: string;
  readonly key?: string | null | undefined;
  readonly kind: RowKind;
  readonly total: number;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  readonly nextCursor: string | null;
}

type Json<
  O extends keyof operations,
  C extends keyof operations[O]['responses'],
> = operations[O]['responses'][C] extends { content: { 'application/json': infer T } } ? T : never;

export type ReportTypeInfo = Json<'listReportTypes', 200>['types'][number];
export type ReportRun = Json<'getReport', 200>;
export type RunStatus = ReportRun['status'];
export type ReportSchedule = Json<'listReportSchedules', 200>['schedules'][number];
export type ScheduleBody = NonNullable<
  operations['createReportSchedule']['requestBody']
>['content']['application/json'];
export type GenerateBody = NonNullable<
  operations['generateReport']['requestBody']
>['content']['application/json'];
export type RelativePeriod = ReportSchedule['period'];
export const relativePeriods: readonly RelativePeriod[] = [
  'previous-day',
  'previous-week',
  'previous-month',
  'previous-quarter',
  'last-30-days',
  'last-90-days',
];
