import type { VersionScheme } from './scheme.ts';
// Each scheme lives in its own folder under ./schemes/<id>/ and is registered here.
// Adding a scheme: see ../readme.md ("Adding a version scheme").
import { alpine } from './schemes/alpine/index.ts';
import { debian } from './schemes/debian/index.ts';
import { go } from './schemes/go/index.ts';
import { maven } from './schemes/maven/index.ts';
import { nuget } from './schemes/nuget/index.ts';
import { packagist } from './schemes/packagist/index.ts';
import { pep440 } from './schemes/pep440/index.ts';
import { rpm } from './schemes/rpm/index.ts';
import { rubygems } from './schemes/rubygems/index.ts';
import { semver } from './schemes/semver/index.ts';

export const versionSchemes: readonly VersionScheme[] = [
  debian,
  rpm,
  alpine,
  semver,
  go,
  pep440,
  maven,
  rubygems,
  nuget,
  packagist,
] as VersionScheme[];

const byEcosystem = new Map<string, VersionScheme>();
for (const scheme of versionSchemes) {
  for (const ecosystem of scheme.ecosystems) byEcosystem.set(ecosystem.toLowerCase(), scheme);
}
const byId = new Map(versionSchemes.map((scheme) => [scheme.id, scheme]));

/**
 * The base of an OSV ecosystem name: `Debian:12` → `Debian`, `Ubuntu:22.04:LTS` → `Ubuntu`,
 * `Alpine:v3.20` → `Alpine`. OSV puts the release after the first colon.
 */
export function ecosystemBase(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon === -1 ? ecosystem : ecosystem.slice(0, colon);
}

/** The scheme ordering versions of an OSV ecosystem (with or without a release suffix). */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  return byEcosystem.get(ecosystemBase(ecosystem).toLowerCase());
}

/** Look a scheme up by its id (`debian`) or by an ecosystem name (`Debian:12`). */
export function findScheme(idOrEcosystem: string): VersionScheme | undefined {
  return byId.get(idOrEcosystem.toLowerCase()) ?? schemeForEcosystem(idOrEcosystem);
}

/** Every ecosystem base name some scheme orders, sorted, for help texts and errors. */
export function knownEcosystems(): string[] {
  return versionSchemes.flatMap((scheme) => scheme.ecosystems).sort();
}

/** Schemes of operating-system package managers, whose advisories are per release. */
const distributionSchemes = new Set(['debian', 'rpm', 'alpine']);

/**
 * A distribution ecosystem (`Debian`, `AlmaLinux:9`, `Alpine:v3.20`…): advisories for it are
 * per release, and packages of one release must never be matched against another's.
 */
export function isDistributionEcosystem(ecosystem: string): boolean {
  const scheme = schemeForEcosystem(ecosystem);
  return scheme !== undefined && distributionSchemes.has(scheme.id);
}

/** True when two ecosystems are distributions sharing one package format (dpkg, rpm or apk). */
export function samePackageFamily(a: string, b: string): boolean {
  const scheme = schemeForEcosystem(a);
  return isDistributionEcosystem(a) && scheme === schemeForEcosystem(b);
}
