/**
 * Matching: every installed package of an inventory against the advisory index. Pure and
 * deterministic: the same inventory and advisories give the same findings in the same order.
 */
import type { InstalledPackage, Inventory } from '@patchgate/inventory';
import type { OsvRecord, Verdict } from '@patchgate/osv';
import { advisoryKind, fixedCveIds, prepareVersion } from '@patchgate/osv';
import { ecosystemBase, isDistributionEcosystem } from '@patchgate/versioning';
import type { AdvisoryIndex, IndexEntry } from './advisory-index.ts';
import { compiledFor, lookup } from './advisory-index.ts';
import type { Finding, MatchNote } from './finding.ts';
import { advisoriesNameSourcePackages } from './package-names.ts';
import { statedSeverity } from './severity.ts';

export interface MatchResult {
  readonly findings: Finding[];
  readonly notes: MatchNote[];
  /** Packages examined, and how many of them had at least one finding. */
  readonly packages: number;
  readonly affectedPackages: number;
}

interface NoteKey {
  kind: MatchNote['kind'];
  subject: string;
}

class Notes {
  private readonly counts = new Map<string, { key: NoteKey; count: number; example: string }>();
  add(kind: MatchNote['kind'], subject: string, example: string): void {
    const id = `${kind}\0${subject}`;
    const seen = this.counts.get(id);
    if (seen) seen.count++;
    else this.counts.set(id, { key: { kind, subject }, count: 1, example });
  }
  list(inventory: string): MatchNote[] {
    return [...this.counts.values()].map(({ key, count, example }) => ({
      kind: key.kind,
      inventory,
      count,
      message: describe(key, count, example),
    }));
  }
}

/** An example `--os` value for a distribution whose release is unknown. */
function osFlagExample(ecosystem: string): string {
  const examples: Record<string, string> = {
    Debian: 'debian:12',
    Ubuntu: 'ubuntu:22.04',
    Alpine: 'alpine:3.20',
    AlmaLinux: 'almalinux:9',
    'Rocky Linux': 'rocky:9',
  };
  // An rpm list of unknown vendor is "Red Hat" until told: name the distributions we can match.
  return examples[ecosystem] ?? 'almalinux:9 or rocky:9';
}

function describe(key: NoteKey, count: number, example: string): string {
  const packages = `${count} package${count === 1 ? '' : 's'}`;
  switch (key.kind) {
    case 'release-conflict':
      return example;
    case 'release-unknown':
      return `${packages} of ecosystem ${key.subject} were not matched: the distribution release is unknown (pass --os, e.g. --os ${osFlagExample(key.subject)}, or --os-release <file>)`;
    case 'unsupported-ecosystem':
      return `${packages} of ecosystem ${key.subject} were not matched: no version scheme orders that ecosystem`;
    case 'not-evaluable':
      return `advisory ${key.subject} could not be evaluated for ${packages}: ${example}`;
    case 'invalid-installed-version':
      return `${packages} of ecosystem ${key.subject} have versions the ecosystem's scheme rejects (e.g. ${example}); they were not matched`;
    case 'non-security-errata':
      return `${count} ${key.subject} ${count === 1 ? 'erratum applies' : 'errata apply'} (e.g. ${example}), not reported as findings: bug fixes and enhancements name no vulnerability`;
  }
}

function toFinding(
  inventory: Inventory,
  pkg: InstalledPackage,
  entry: IndexEntry,
  compared: string,
  verdict: Verdict,
  epochIgnored: boolean,
): Finding {
  const record: OsvRecord = entry.record;
  const severity = statedSeverity(record, entry.affected);
  return {
    inventory: inventory.source,
    package: {
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      version: pkg.version,
      ...(pkg.sourceName !== undefined &&
        pkg.sourceName !== pkg.name && { sourceName: pkg.sourceName }),
      ...(pkg.sourceVersion !== undefined &&
        pkg.sourceVersion !== pkg.version && { sourceVersion: pkg.sourceVersion }),
      ...(pkg.purl !== undefined && { purl: pkg.purl }),
      ...(pkg.location !== undefined && { location: pkg.location }),
    },
    advisory: {
      id: record.id,
      aliases: record.aliases,
      cves: fixedCveIds(record),
      ...(record.summary !== undefined && { summary: record.summary }),
      ...(record.modified !== undefined && { modified: record.modified }),
      ...(record.published !== undefined && { published: record.published }),
      severity: severity.level,
      ...(severity.source !== undefined && { severitySource: severity.source }),
      cvss: [...(record.severity ?? []), ...(entry.affected.severity ?? [])].filter((s) =>
        s.type.startsWith('CVSS'),
      ),
    },
    match: {
      ecosystem: entry.affected.package.ecosystem,
      name: entry.affected.package.name,
      version: compared,
      by: verdict.matchedRange === 'versions list' ? 'versions' : 'range',
      ...(verdict.matchedRange !== undefined && { range: verdict.matchedRange }),
      ...(epochIgnored && { epochIgnored: true as const }),
    },
    fixedVersions: [...verdict.fixed],
  };
}

export interface MatchOptions {
  /**
   * Also report bug-fix and enhancement errata (RHBA/RHEA, AlmaLinux ALBA/ALEA…) as findings.
   * Off by default: they name no vulnerability; a note counts them instead.
   */
  readonly nonSecurityErrata?: boolean;
}

/** Match one inventory. */
export function matchInventory(
  index: AdvisoryIndex,
  inventory: Inventory,
  options: MatchOptions = {},
): MatchResult {
  const findings: Finding[] = [];
  const notes = new Notes();
  const affectedPackages = new Set<InstalledPackage>();
  const seen = new Set<string>();

  for (const pkg of inventory.packages) {
    const base = ecosystemBase(pkg.ecosystem);
    if (isDistributionEcosystem(pkg.ecosystem) && base === pkg.ecosystem) {
      notes.add('release-unknown', base, pkg.name);
      continue;
    }
    const bySource = advisoriesNameSourcePackages(pkg.ecosystem);
    const name = bySource ? (pkg.sourceName ?? pkg.name) : pkg.name;
    const version = bySource ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
    const entries = lookup(index, pkg.ecosystem, name);
    if (entries.length === 0) continue;
    const epochIgnored = pkg.epochUnknown === true;
    // Parsed once per scheme, shared by every advisory entry this package meets.
    const prepared = prepareVersion(version);

    for (const entry of entries) {
      const verdict = compiledFor(entry, epochIgnored).evaluateParsed(prepared);
      if (!verdict.evaluable && !verdict.affected) {
        notes.add('not-evaluable', entry.record.id, verdict.reason);
        continue;
      }
      if (!verdict.affected) continue;
      // One finding per package and advisory, even when several affected entries match.
      const key = `${pkg.name}\0${pkg.version}\0${pkg.arch ?? ''}\0${pkg.location ?? ''}\0${entry.record.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const kind = advisoryKind(entry.record);
      if (kind !== 'security' && options.nonSecurityErrata !== true) {
        notes.add(
          'non-security-errata',
          kind === 'bugfix' ? 'bug-fix' : 'enhancement',
          entry.record.id,
        );
        continue;
      }
      affectedPackages.add(pkg);
      findings.push(toFinding(inventory, pkg, entry, version, verdict, epochIgnored));
    }
  }
  findings.sort(compareFindings);
  return {
    findings,
    notes: notes.list(inventory.source),
    packages: inventory.packages.length,
    affectedPackages: affectedPackages.size,
  };
}

/** Code-point order: stable across locales, so output is byte-for-byte reproducible. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    byCodePoint(a.inventory, b.inventory) ||
    byCodePoint(a.package.name, b.package.name) ||
    byCodePoint(a.package.version, b.package.version) ||
    byCodePoint(a.advisory.id, b.advisory.id)
  );
}
