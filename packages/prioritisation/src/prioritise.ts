/**
 * Findings + what is known about their vulnerabilities + the asset they sit on → a priority,
 * a due date and an explanation for each, by one policy. Pure: the date is an input.
 */
import type { Finding } from '@patchgate/matcher';
import { compareFindings } from '@patchgate/matcher';
import { isCveId } from '@patchgate/osv';
import type { AssetContext, Decision, Policy, PolicyFinding } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { FactsByCve, VulnerabilityFacts } from '@patchgate/sources';

export type PrioritisedFinding = Finding & { readonly prioritisation: Decision };

export interface PrioritiseOptions {
  readonly policy: Policy;
  readonly facts: FactsByCve;
  /** The asset context of the inventory a finding came from. */
  readonly assetFor: (inventory: string) => AssetContext;
  /** YYYY-MM-DD: the day the findings were detected (the scan date). */
  readonly detectedOn: string;
}

export function toPolicyFinding(finding: Finding): PolicyFinding {
  return {
    advisoryId: finding.advisory.id,
    aliases: finding.advisory.aliases,
    ecosystem: finding.package.ecosystem,
    packageName: finding.package.name,
    installedVersion: finding.package.version,
    fixedVersions: finding.fixedVersions,
    statedSeverity: finding.advisory.severity,
    ...(finding.advisory.severitySource !== undefined && {
      statedSeveritySource: finding.advisory.severitySource,
    }),
    advisoryCvss: finding.advisory.cvss,
    ...(finding.advisory.published !== undefined && {
      advisoryPublished: finding.advisory.published,
    }),
  };
}

/** Every CVE the advisory is about, plus the advisory's own ID when it is a CVE. */
export function cveIdsOf(finding: Finding): string[] {
  const ids = new Set(finding.advisory.cves);
  if (isCveId(finding.advisory.id)) ids.add(finding.advisory.id);
  return [...ids];
}

/** The facts of every CVE the advisory is about (`cveIdsOf`). */
export function factsFor(finding: Finding, facts: FactsByCve): VulnerabilityFacts[] {
  return cveIdsOf(finding).flatMap((id) => {
    const known = facts.get(id);
    return known === undefined ? [] : [known];
  });
}

/** Decide every finding; whatever else a finding carries (its triage, say) is kept. */
export function prioritise<F extends Finding>(
  findings: readonly F[],
  options: PrioritiseOptions,
): (F & { readonly prioritisation: Decision })[] {
  return findings.map((finding) => ({
    ...finding,
    prioritisation: options.policy.decide({
      finding: toPolicyFinding(finding),
      facts: factsFor(finding, options.facts),
      asset: options.assetFor(finding.inventory),
      detectedOn: options.detectedOn,
    }),
  }));
}

/** Most urgent first: priority, then the earliest due date (none last), then the finding order. */
export function comparePrioritised(a: PrioritisedFinding, b: PrioritisedFinding): number {
  const byPriority =
    priorities.indexOf(a.prioritisation.priority) - priorities.indexOf(b.prioritisation.priority);
  if (byPriority !== 0) return byPriority;
  const dueA = a.prioritisation.dueDate ?? '9999-12-31';
  const dueB = b.prioritisation.dueDate ?? '9999-12-31';
  if (dueA !== dueB) return dueA < dueB ? -1 : 1;
  return compareFindings(a, b);
}
