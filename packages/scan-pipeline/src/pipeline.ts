/**
 * The scan pipeline, shared by `patchgate scan` and the server's reconciliation:
 * inventories → settle each one's OS release → match against the advisory index → triage (VEX,
 * ignore file) → prioritise by a policy, plus the coverage gaps that explain what could not be
 * matched. Pure: no file, clock or database; the facts of the matched CVEs come through a
 * function, because the server looks them up only for the CVEs a match names.
 */
import type { Inventory, OsRelease } from '@patchgate/inventory';
import type { AdvisoryIndex, Finding, MatchNote } from '@patchgate/matcher';
import { matchInventory } from '@patchgate/matcher';
import type { AssetContext, Decision, Policy } from '@patchgate/policy';
import { comparePrioritised, cveIdsOf, prioritise } from '@patchgate/prioritisation';
import type { FactsByCve } from '@patchgate/sources';
import type { IgnoreEntry, TriagedFinding, TriageReport, VexStatement } from '@patchgate/triage';
import { applyTriage } from '@patchgate/triage';
import type { CoverageAudience, CoverageNote } from './coverage.ts';
import { coverageGaps, loadedEcosystems } from './coverage.ts';
import type { SettledRelease } from './release.ts';
import { applyRelease, settleOsRelease } from './release.ts';

/** One inventory to scan, with the releases stated or declared outside it. */
export interface ScanTarget {
  readonly inventory: Inventory;
  /** Said for this inventory (`--os`, `--os-release`, an upload's `os`): wins over detection. */
  readonly statedOs?: OsRelease;
  /** The asset's standing osRelease: fills gaps only. */
  readonly declaredOs?: OsRelease;
}

export interface ScanPipelineInput {
  readonly targets: readonly ScanTarget[];
  readonly index: AdvisoryIndex;
  /** Facts by CVE, or a lookup of the CVEs the matched findings name. */
  readonly facts: FactsByCve | ((cves: readonly string[]) => Promise<FactsByCve>);
  readonly policy: Policy;
  /** The asset context of the inventory a finding came from. */
  readonly assetFor: (inventory: string) => AssetContext;
  /** YYYY-MM-DD: today, for ignore-entry expiry and the default detection date. */
  readonly today: string;
  /** The day due dates count from: one date, or per finding (the server keeps first sightings). */
  readonly detectedOn?: string | ((finding: Finding) => string);
  /** VEX statements and ignore entries; none on the server (people triage there). */
  readonly triage?: {
    readonly vex: readonly VexStatement[];
    readonly ignores: readonly IgnoreEntry[];
  };
  /** Whose words the coverage fixes use (default `cli`). */
  readonly audience?: CoverageAudience;
}

/** A finding as scanned: matched, triaged and prioritised. */
export type ScannedFinding = TriagedFinding & { readonly prioritisation: Decision };

export interface InventoryScan {
  /** The inventory as matched: its release settled and applied. */
  readonly inventory: Inventory;
  readonly release: SettledRelease;
  readonly packages: number;
  readonly affectedPackages: number;
  readonly findings: number;
}

export interface ScanPipelineResult {
  /** Most urgent first; suppressed findings are kept, flagged by their triage. */
  readonly findings: readonly ScannedFinding[];
  readonly inventories: readonly InventoryScan[];
  /** What the matcher wants known (an advisory it could not evaluate…). */
  readonly notes: readonly MatchNote[];
  /** Packages that could not be matched at all, each with the reason and the fix. */
  readonly coverage: readonly CoverageNote[];
  readonly triage: TriageReport;
  /** The facts the findings were prioritised with. */
  readonly facts: FactsByCve;
}

function releaseNote(inventory: string, release: SettledRelease): MatchNote[] {
  return release.conflict === undefined
    ? []
    : [{ kind: 'release-conflict', inventory, count: 1, message: release.conflict }];
}

export async function runScanPipeline(input: ScanPipelineInput): Promise<ScanPipelineResult> {
  const loaded = loadedEcosystems(input.index);
  const audience = input.audience ?? 'cli';
  const matched: Finding[] = [];
  const notes: MatchNote[] = [];
  const coverage: CoverageNote[] = [];
  const inventories: InventoryScan[] = [];
  for (const target of input.targets) {
    const release = settleOsRelease(target.inventory.os, {
      ...(target.statedOs !== undefined && { stated: target.statedOs }),
      ...(target.declaredOs !== undefined && { declared: target.declaredOs }),
    });
    const inventory = applyRelease(target.inventory, release);
    const result = matchInventory(input.index, inventory);
    matched.push(...result.findings);
    notes.push(...releaseNote(inventory.source, release));
    // An unknown release is a coverage gap below, with its fix in the caller's words.
    notes.push(...result.notes.filter((note) => note.kind !== 'release-unknown'));
    coverage.push(...coverageGaps(inventory, loaded, audience));
    inventories.push({
      inventory,
      release,
      packages: result.packages,
      affectedPackages: result.affectedPackages,
      findings: result.findings.length,
    });
  }

  const triaged = applyTriage(matched, {
    vex: input.triage?.vex ?? [],
    ignores: input.triage?.ignores ?? [],
    today: input.today,
  });
  const facts =
    typeof input.facts === 'function'
      ? await input.facts([...new Set(matched.flatMap(cveIdsOf))].sort())
      : input.facts;
  const detectedOn = input.detectedOn ?? input.today;
  const options = { policy: input.policy, facts, assetFor: input.assetFor };
  const findings =
    typeof detectedOn === 'string'
      ? prioritise(triaged.findings, { ...options, detectedOn })
      : triaged.findings.flatMap((finding) =>
          prioritise([finding], { ...options, detectedOn: detectedOn(finding) }),
        );
  return {
    findings: findings.sort(comparePrioritised),
    inventories,
    notes,
    coverage,
    triage: triaged.report,
    facts,
  };
}
