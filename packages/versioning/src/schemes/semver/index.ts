/**
 * Semantic Versioning 2.0.0 (https://semver.org/spec/v2.0.0.html): the scheme of npm,
 * crates.io (Cargo), Hex, Pub, SwiftPM and Bitnami. See ./readme.md for the rules and the
 * choices made where the spec and the tools differ.
 */
import type { VersionScheme } from '../../scheme.ts';
import { compareSemver, parseSemver } from './semver-version.ts';
import type { SemverSyntax, SemverVersion } from './semver-version.ts';

export type { SemverVersion } from './semver-version.ts';
export { compareSemver, formatSemver } from './semver-version.ts';

/**
 * The spec's FAQ says `v1.2.3` is not a semantic version, but node-semver (npm) strips a
 * leading `v` in strict mode and tags and user input often carry one; OSV data never does.
 * Accepting it costs nothing and `v1.2.3` orders as `1.2.3`.
 */
const syntax: SemverSyntax = { vPrefix: 'optional', shorthand: false };

export const semver: VersionScheme<SemverVersion> = {
  id: 'semver',
  displayName: 'Semantic Versioning 2.0.0',
  specUrls: ['https://semver.org/spec/v2.0.0.html', 'https://github.com/npm/node-semver'],
  ecosystems: ['npm', 'crates.io', 'Hex', 'Pub', 'SwiftURL', 'Bitnami'],
  parse: (version) => parseSemver(version, syntax),
  compareParsed: compareSemver,
};
