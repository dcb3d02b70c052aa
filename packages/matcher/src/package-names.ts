/**
 * Package-name equivalence per ecosystem: two spellings that the ecosystem's registry
 * treats as the same project must meet in the advisory index.
 */
import { ecosystemBase } from '@patchgate/versioning';

/** PEP 503: lower-case, and runs of `-`, `_`, `.` are one `-`. https://peps.python.org/pep-0503/#normalized-names */
function normalizePyPI(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The key a package name is indexed under. Registries that are case-insensitive (NuGet,
 * Packagist) fold case; PyPI follows PEP 503; everything else is exact, because npm, Go,
 * Maven, crates.io, RubyGems and the distributions compare names byte for byte.
 */
export function packageNameKey(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case 'PyPI':
      return normalizePyPI(name);
    case 'NuGet':
    case 'Packagist':
      return name.toLowerCase();
    default:
      return name;
  }
}

/**
 * Ecosystems whose advisories name the distribution's *source* package (Debian and Ubuntu
 * security trackers, Alpine secdb by origin). RPM-family advisories list binary packages.
 */
const sourceNamedEcosystems = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard']);

export function advisoriesNameSourcePackages(ecosystem: string): boolean {
  return sourceNamedEcosystems.has(ecosystemBase(ecosystem));
}

/** Index key of an ecosystem: OSV names are case-sensitive in theory, sloppy in practice. */
export function ecosystemKey(ecosystem: string): string {
  return ecosystem.trim().toLowerCase();
}
