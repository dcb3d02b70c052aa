import type { OsRelease } from '@patchgate/inventory';
import type { MatchNote } from '@patchgate/matcher';
import type { Decision, Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { TriagedFinding, TriageReport } from '@patchgate/triage';

/** A finding as reported: matched, triaged (VEX, ignore file) and prioritised by the policy. */
export type ReportedFinding = TriagedFinding & { readonly prioritisation: Decision };

/** Severities as reports count them: from CVSS when scored, else the advisory's words. */
export const reportSeverities = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
export type ReportSeverity = (typeof reportSeverities)[number];

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
    /** True when some unsuppressed finding is at or above the --fail-on threshold (exit code 1). */
    readonly failed: boolean;
  };
  readonly policy: { readonly id: string; readonly name: string; readonly version: string };
  readonly detectedOn: string;
  readonly inventories: readonly {
    readonly source: string;
    readonly format: string;
    readonly os?: OsRelease;
    readonly packages: number;
    readonly affectedPackages: number;
    readonly findings: number;
    readonly warnings: readonly string[];
  }[];
  readonly advisories: {
    readonly records: number;
    readonly withdrawn: number;
    readonly errors: number;
    readonly sources: readonly {
      readonly path: string;
      readonly records: number;
      readonly errors: number;
    }[];
  };
  readonly enrichment: {
    readonly cves: number;
    readonly errors: number;
    readonly sources: readonly {
      readonly path: string;
      readonly kind: string;
      readonly records: number;
      readonly errors: number;
      readonly metadata: Readonly<Record<string, string | number>>;
    }[];
  };
  readonly triage: TriageReport;
  readonly notes: readonly MatchNote[];
  readonly tool: { readonly name: 'patchgate'; readonly version: string };
}

export const failOnValues = [
  'none',
  'any',
  'low',
  'medium',
  'high',
  'critical',
  ...priorities,
] as const;
export type FailOn = (typeof failOnValues)[number];

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
