/**
 * Go module versions, ordered as golang.org/x/mod/semver orders them: Semantic Versioning
 * 2.0.0 plus the `vMAJOR` / `vMAJOR.MINOR` shorthands. Pseudo-versions
 * (`v0.0.0-20191109021931-daa7c04131f5`) are ordinary pre-releases and `+incompatible` is
 * build metadata, so both need no special case. See ./readme.md.
 */
import type { VersionScheme } from '../../scheme.ts';
import { compareSemver, parseSemver } from '../semver/semver-version.ts';
import type { SemverSyntax, SemverVersion } from '../semver/semver-version.ts';

export type GoVersion = SemverVersion;

/**
 * Modules write `v1.2.3`; OSV's Go records write `1.2.3` and `introduced: "0"`. Both spellings
 * are accepted and order the same; `0` is x/mod's shorthand for `v0.0.0`.
 */
const syntax: SemverSyntax = { vPrefix: 'optional', shorthand: true };

export const go: VersionScheme<GoVersion> = {
  id: 'go',
  displayName: 'Go modules',
  specUrls: [
    'https://go.dev/ref/mod#versions',
    'https://go.dev/ref/mod#pseudo-versions',
    'https://pkg.go.dev/golang.org/x/mod/semver',
    'https://semver.org/spec/v2.0.0.html',
  ],
  ecosystems: ['Go'],
  parse: (version) => parseSemver(version, syntax),
  compareParsed: compareSemver,
};
