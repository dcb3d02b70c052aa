/**
 * The report model: everything a scan learned, as one object every output format renders.
 * Built from the scan pipeline's result plus what the caller loaded (advisory and enrichment
 * sources, the policy, the gate).
 */
import type { OsRelease } from '@patchgate/inventory';
import type { MatchNote } from '@patchgate/matcher';
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { CoverageNote, ScannedFinding, ScanPipelineResult } from '@patchgate/scan-pipeline';
import type { TriageReport } from '@patchgate/triage';

/** A finding as reported: matched, triaged (VEX, ignore file) and prioritised by the policy. */
export type ReportedFinding = ScannedFinding;

/** Severities as reports count them: from CVSS when scored, else the advisory's words. */
export const reportSeverities = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
export type ReportSeverity = (typeof reportSeverities)[number];

export const failOnThresholds = [
  'none',
  'any',
  'low',
  'medium',
  'high',
  'critical',
  ...priorities,
] as const;
export type FailOn = (typeof failOnThresholds)[number];

/** `--fail-on` values: a threshold, and `coverage` to fail on coverage gaps too. */
export const failOnValues = [...failOnThresholds, 'coverage'] as const;

/** The gate: a finding threshold, and whether a coverage gap fails the scan too. */
export interface Gate {
  readonly failOn: FailOn;
  readonly coverage: boolean;
}

/**
 * Read `--fail-on`: a comma-separated list of at most one threshold and `coverage`
 * (`high,coverage`). `coverage` alone fails on coverage gaps only. Returns an error message
 * for anything else.
 */
export function parseGate(value: string | undefined): Gate | { error: string } {
  if (value === undefined) return { failOn: 'any', coverage: false };
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = parts.filter((p) => !(failOnValues as readonly string[]).includes(p));
  if (parts.length === 0 || unknown.length > 0) {
    return {
      error: `--fail-on must be one of ${failOnValues.join(', ')}, or a threshold and coverage comma-separated (got "${value}")`,
    };
  }
  const thresholds = parts.filter((p): p is FailOn => p !== 'coverage');
  if (thresholds.length > 1) {
    return { error: `--fail-on takes one threshold, and coverage (got "${value}")` };
  }
  const coverage = parts.includes('coverage');
  return { failOn: thresholds[0] ?? (coverage ? 'none' : 'any'), coverage };
}

export interface InventorySummary {
  readonly source: string;
  readonly format: string;
  readonly os?: OsRelease;
  readonly packages: number;
  readonly affectedPackages: number;
  readonly findings: number;
  readonly warnings: readonly string[];
}

export interface AdvisorySummary {
  readonly records: number;
  readonly withdrawn: number;
  readonly errors: number;
  readonly sources: readonly {
    readonly path: string;
    readonly records: number;
    readonly errors: number;
  }[];
}

export interface EnrichmentSummary {
  readonly cves: number;
  readonly errors: number;
  readonly sources: readonly {
    readonly path: string;
    readonly kind: string;
    readonly records: number;
    readonly errors: number;
    readonly metadata: Readonly<Record<string, string | number>>;
  }[];
}

/** Everything a scan learned; every output format renders this one object. */
export interface ScanReport {
  /** Most urgent first; suppressed findings (VEX not_affected, ignore file) are kept, flagged. */
  readonly findings: readonly ReportedFinding[];
  readonly summary: {
    /** Findings not suppressed. */
    readonly findings: number;
    readonly suppressed: number;
    readonly bySeverity: Readonly<Record<ReportSeverity, number>>;
    readonly byPriority: Readonly<Record<Priority, number>>;
    readonly failOn: FailOn;
    /** `--fail-on …,coverage`: a coverage gap fails the scan. */
    readonly failOnCoverage: boolean;
    readonly coverageGaps: number;
    /** True when the gate is broken (exit code 1). */
    readonly failed: boolean;
  };
  readonly policy: { readonly id: string; readonly name: string; readonly version: string };
  readonly detectedOn: string;
  readonly inventories: readonly InventorySummary[];
  readonly advisories: AdvisorySummary;
  readonly enrichment: EnrichmentSummary;
  readonly triage: TriageReport;
  readonly notes: readonly MatchNote[];
  /** Packages that could not be matched at all: the reason and the fix. */
  readonly coverage: readonly CoverageNote[];
  readonly tool: { readonly name: 'patchgate'; readonly version: string };
}

export function severityOf(finding: ReportedFinding): ReportSeverity {
  return finding.prioritisation.severity;
}

export function isSuppressed(finding: ReportedFinding): boolean {
  return finding.triage?.suppressed === true;
}

export function countBy<K extends string>(
  keys: readonly K[],
  findings: readonly ReportedFinding[],
  key: (finding: ReportedFinding) => K,
): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const finding of findings) counts[key(finding)]++;
  return counts;
}

const severityRank: Record<ReportSeverity, number> = {
  unknown: -1,
  none: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/**
 * Whether findings break the gate. Suppressed findings never do. `any` counts every other
 * finding; a severity threshold counts findings whose severity reaches it (unknown severity
 * does not: ADR 0005); a priority threshold (`P2`) counts findings at that priority or more
 * urgent (P1, P2).
 */
export function breaksGate(findings: readonly ReportedFinding[], failOn: FailOn): boolean {
  const open = findings.filter((f) => !isSuppressed(f));
  if (failOn === 'none') return false;
  if (failOn === 'any') return open.length > 0;
  if ((priorities as readonly string[]).includes(failOn)) {
    const threshold = priorities.indexOf(failOn as Priority);
    return open.some((f) => priorities.indexOf(f.prioritisation.priority) <= threshold);
  }
  const threshold = severityRank[failOn as ReportSeverity];
  return open.some((f) => severityRank[severityOf(f)] >= threshold);
}

export interface ReportContext {
  readonly gate: Gate;
  readonly policy: ScanReport['policy'];
  readonly detectedOn: string;
  readonly advisories: AdvisorySummary;
  readonly enrichment: EnrichmentSummary;
  readonly tool: ScanReport['tool'];
}

/** The report of one pipeline run. */
export function buildScanReport(result: ScanPipelineResult, context: ReportContext): ScanReport {
  const { findings } = result;
  const open = findings.filter((f) => !isSuppressed(f));
  const failed =
    breaksGate(findings, context.gate.failOn) ||
    (context.gate.coverage && result.coverage.length > 0);
  return {
    findings,
    summary: {
      findings: open.length,
      suppressed: findings.length - open.length,
      bySeverity: countBy(reportSeverities, open, severityOf),
      byPriority: countBy(priorities, open, (f) => f.prioritisation.priority),
      failOn: context.gate.failOn,
      failOnCoverage: context.gate.coverage,
      coverageGaps: result.coverage.length,
      failed,
    },
    policy: context.policy,
    detectedOn: context.detectedOn,
    inventories: result.inventories.map(({ inventory, packages, affectedPackages, findings }) => ({
      source: inventory.source,
      format: inventory.format,
      ...(inventory.os !== undefined && { os: inventory.os }),
      packages,
      affectedPackages,
      findings,
      warnings: inventory.warnings,
    })),
    advisories: context.advisories,
    enrichment: context.enrichment,
    triage: result.triage,
    notes: result.notes,
    coverage: result.coverage,
    tool: context.tool,
  };
}
