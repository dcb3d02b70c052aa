import type { Finding, MatchNote, SeverityLevel } from '@patchgate/matcher';
import { severityLevels } from '@patchgate/matcher';
import type { OsRelease } from '@patchgate/inventory';

/** Everything a scan learned; every output format renders this one object. */
export interface ScanReport {
  readonly tool: { readonly name: 'patchgate'; readonly version: string };
  readonly findings: readonly Finding[];
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
  readonly notes: readonly MatchNote[];
  readonly summary: {
    readonly findings: number;
    readonly bySeverity: Readonly<Record<SeverityLevel, number>>;
    readonly failOn: FailOn;
    /** True when some finding is at or above the --fail-on threshold (exit code 1). */
    readonly failed: boolean;
  };
}

export const failOnValues = [
  'none',
  'any',
  ...severityLevels.filter((l) => l !== 'unknown'),
] as const;
export type FailOn = (typeof failOnValues)[number];

export function countBySeverity(findings: readonly Finding[]): Record<SeverityLevel, number> {
  const counts = Object.fromEntries(severityLevels.map((level) => [level, 0])) as Record<
    SeverityLevel,
    number
  >;
  for (const finding of findings) counts[finding.advisory.severity]++;
  return counts;
}

/**
 * Whether findings break the gate. `any` counts every finding, whatever its severity;
 * a severity threshold counts findings whose *stated* severity reaches it, so a finding of
 * unknown severity does not break `--fail-on high` (it is still listed and counted).
 */
export function breaksGate(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  if (failOn === 'any') return findings.length > 0;
  const threshold = severityLevels.indexOf(failOn);
  return findings.some((f) => severityLevels.indexOf(f.advisory.severity) >= threshold);
}
