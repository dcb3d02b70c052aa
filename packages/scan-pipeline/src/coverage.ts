/**
 * Coverage gaps: packages a scan could not match at all, each with the reason and the fix.
 * A scan that finds nothing because it *could* find nothing must say so (issue 7, item 10):
 *
 * - `no-os-release`: distribution packages whose release nobody named (a dpkg status file
 *   alone does not say which Debian it is), so no per-release advisory applies;
 * - `no-advisories-for-ecosystem`: no advisory of the ecosystem was loaded at all (a Maven
 *   SBOM scanned against Debian data, an npm lockfile without npm data);
 * - `no-advisories-for-release`: the distribution's advisories were loaded, but not for this
 *   release (a Debian 12 host against Debian 9–11 data).
 */
import type { Inventory } from '@patchgate/inventory';
import type { AdvisoryIndex } from '@patchgate/matcher';
import { ecosystemBase, isDistributionEcosystem, schemeForEcosystem } from '@patchgate/versioning';

export const coverageReasons = [
  'no-os-release',
  'no-advisories-for-ecosystem',
  'no-advisories-for-release',
] as const;
export type CoverageReason = (typeof coverageReasons)[number];

export interface CoverageNote {
  readonly reason: CoverageReason;
  /** The inventory's source (a path for the CLI, the snapshot's name on the server). */
  readonly inventory: string;
  /** `Debian`, `Maven`, or with a release: `Debian:12`. */
  readonly ecosystem: string;
  /** Packages left unmatched for this reason. */
  readonly packages: number;
  /** What is wrong, in a sentence. */
  readonly message: string;
  /** What to do about it, in the words of the caller's interface. */
  readonly fix: string;
}

/** Who reads the fix: a CLI user (flags) or a server user (asset fields, advisory sources). */
export type CoverageAudience = 'cli' | 'server';

/** An example release per distribution, for fixes (`--os debian:12`). */
const releaseExamples: Readonly<Record<string, { flag: string; ecosystem: string }>> = {
  Debian: { flag: 'debian:12', ecosystem: 'Debian:12' },
  Ubuntu: { flag: 'ubuntu:22.04', ecosystem: 'Ubuntu:22.04:LTS' },
  Alpine: { flag: 'alpine:3.20', ecosystem: 'Alpine:v3.20' },
  AlmaLinux: { flag: 'almalinux:9', ecosystem: 'AlmaLinux:9' },
  'Rocky Linux': { flag: 'rocky:9', ecosystem: 'Rocky Linux:9' },
};

function releaseExample(base: string): { flag: string; ecosystem: string } {
  // An rpm list of unknown vendor is "Red Hat" until told: name a distribution we can match.
  return releaseExamples[base] ?? { flag: 'almalinux:9', ecosystem: 'AlmaLinux:9' };
}

/** The loaded ecosystems, by lower-case base name, as the advisories spell them. */
export type LoadedEcosystems = ReadonlyMap<string, readonly string[]>;

export function loadedEcosystems(index: AdvisoryIndex): LoadedEcosystems {
  const byBase = new Map<string, string[]>();
  for (const names of index.byEcosystem.values()) {
    const first = names.values().next();
    if (first.done === true) continue;
    const spelled = first.value[0]?.affected.package.ecosystem;
    if (spelled === undefined) continue;
    const base = ecosystemBase(spelled).toLowerCase();
    const list = byBase.get(base);
    if (list === undefined) byBase.set(base, [spelled]);
    else if (!list.includes(spelled)) list.push(spelled);
  }
  return byBase;
}

/** `Debian:9` < `Debian:10` < `Debian:11`: releases compare by their numbers. */
function byRelease(a: string, b: string): number {
  const numbers = (e: string) => (e.match(/\d+/g) ?? []).map(Number);
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function releaseName(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon === -1 ? ecosystem : ecosystem.slice(colon + 1).replace(/:LTS$/, '');
}

function releasesCovered(base: string, releases: readonly string[]): string {
  const sorted = [...releases].sort(byRelease).map(releaseName);
  if (sorted.length === 1) return `${base} ${sorted[0]}`;
  if (sorted.length === 2) return `${base} ${sorted[0]} and ${sorted[1]}`;
  return `${base} ${sorted[0]}–${sorted[sorted.length - 1]}`;
}

function count(n: number): string {
  return `${n} package${n === 1 ? '' : 's'}`;
}

/** The coverage gaps of one inventory (release already settled) against loaded advisories. */
export function coverageGaps(
  inventory: Inventory,
  loaded: LoadedEcosystems,
  audience: CoverageAudience,
): CoverageNote[] {
  const byEcosystem = new Map<string, number>();
  for (const pkg of inventory.packages)
    byEcosystem.set(pkg.ecosystem, (byEcosystem.get(pkg.ecosystem) ?? 0) + 1);
  const notes: CoverageNote[] = [];
  for (const [ecosystem, packages] of [...byEcosystem].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Ecosystems no version scheme orders are not matchable by anyone: nothing to fix here.
    if (schemeForEcosystem(ecosystem) === undefined) continue;
    const base = ecosystemBase(ecosystem);
    const note = { inventory: inventory.source, ecosystem, packages };
    const distribution = isDistributionEcosystem(ecosystem);
    if (distribution && base === ecosystem) {
      const example = releaseExample(base);
      notes.push({
        ...note,
        reason: 'no-os-release',
        message: `no OS release detected: ${count(packages)} of ${base} were not matched, because ${base} advisories are per release`,
        fix:
          audience === 'cli'
            ? `pass --os ${example.flag} (or --os-release <os-release file>)`
            : `set the asset's osRelease (e.g. ${example.ecosystem}) or upload an inventory that states it`,
      });
      continue;
    }
    const releases = loaded.get(base.toLowerCase());
    if (releases === undefined) {
      notes.push({
        ...note,
        reason: 'no-advisories-for-ecosystem',
        message: `no advisories loaded for ecosystem ${base}: ${count(packages)} could not be matched`,
        fix:
          audience === 'cli'
            ? `add --advisories <${base}/all.zip> (OSV's export of the ${base} ecosystem)`
            : `add an osv-zip advisory source with ${base}/all.zip (OSV's export of the ${base} ecosystem) and sync it`,
      });
      continue;
    }
    if (!distribution) continue;
    const wanted = ecosystem.toLowerCase();
    if (releases.some((r) => r.toLowerCase() === wanted)) continue;
    notes.push({
      ...note,
      reason: 'no-advisories-for-release',
      message: `advisories cover ${releasesCovered(base, releases)}, this inventory is ${base} ${releaseName(ecosystem)}: ${count(packages)} could not be matched`,
      fix:
        audience === 'cli'
          ? `add --advisories with ${base} ${releaseName(ecosystem)} records (OSV's ${base}/all.zip holds every release)`
          : `add or sync an advisory source with ${base} ${releaseName(ecosystem)} records (OSV's ${base}/all.zip holds every release)`,
    });
  }
  return notes;
}
