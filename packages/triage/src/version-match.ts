/**
 * Does a VEX product's version (or version range) cover the installed version?
 *
 * Versions are compared with the scheme of the finding's ecosystem (`@patchgate/versioning`)
 * so `1:2.3-1` written `1%3A2.3-1` in a purl, or `1.0` against `1.0.0` in Maven, compare as
 * the package manager would. Ranges are `vers:` strings as CycloneDX `affects[].versions[].range`
 * uses them: https://github.com/package-url/purl-spec/blob/master/VERSION-RANGE-SPEC.rst
 */
import type { VersionScheme } from '@patchgate/versioning';
import { findScheme, schemeForEcosystem } from '@patchgate/versioning';

/** `vers` versioning-scheme names → Patchgate scheme ids. `generic` uses the finding's. */
const versSchemes: Readonly<Record<string, string>> = {
  npm: 'semver',
  semver: 'semver',
  cargo: 'semver',
  hex: 'semver',
  pub: 'semver',
  deb: 'debian',
  rpm: 'rpm',
  apk: 'alpine',
  alpine: 'alpine',
  pypi: 'pep440',
  maven: 'maven',
  gem: 'rubygems',
  nuget: 'nuget',
  composer: 'packagist',
  golang: 'go',
};

function compare(scheme: VersionScheme, a: string, b: string): number | undefined {
  const left = scheme.parse(a);
  const right = scheme.parse(b);
  if (!left.ok || !right.ok) return undefined;
  return scheme.compareParsed(left.value, right.value);
}

/** Equal as strings, or equal under the ecosystem's version scheme when both parse. */
export function sameVersion(ecosystem: string, a: string, b: string): boolean {
  if (a === b) return true;
  const scheme = schemeForEcosystem(ecosystem);
  return scheme !== undefined && compare(scheme, a, b) === 0;
}

export type VersContainsResult = { ok: true; contains: boolean } | { ok: false; error: string };

const comparators = ['>=', '<=', '!=', '<', '>', '='] as const;
type Comparator = (typeof comparators)[number];

/**
 * Is `version` inside the `vers:` range? Follows the spec's "checking if a version is
 * contained within a range" steps: equality constraints first, then the sorted interval
 * walk. `ecosystem` picks the scheme for `vers:generic/…`.
 */
export function versContains(
  range: string,
  version: string,
  ecosystem: string,
): VersContainsResult {
  const match = /^vers:([^/]+)\/(.*)$/i.exec(range.trim());
  if (!match) return { ok: false, error: `"${range}" is not a vers range` };
  const versType = (match[1] as string).toLowerCase();
  const schemeId = versSchemes[versType];
  const scheme =
    (schemeId !== undefined ? findScheme(schemeId) : undefined) ?? schemeForEcosystem(ecosystem);
  if (scheme === undefined) {
    return { ok: false, error: `no version scheme for vers type "${versType}" in ${ecosystem}` };
  }
  const body = (match[2] as string).replace(/\s+/g, '');
  if (body === '*') return { ok: true, contains: true };

  const constraints: { op: Comparator; version: string }[] = [];
  for (const part of body.split('|')) {
    if (part === '') continue;
    const op = comparators.find((c) => part.startsWith(c)) ?? '=';
    const raw = part.slice(part.startsWith(op) ? op.length : 0);
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      return { ok: false, error: `invalid percent-encoding in "${range}"` };
    }
    if (value === '') return { ok: false, error: `empty version in "${range}"` };
    if (!scheme.parse(value).ok) {
      return { ok: false, error: `"${value}" is not a ${scheme.displayName} version` };
    }
    constraints.push({ op, version: value });
  }
  if (!scheme.parse(version).ok) {
    return { ok: false, error: `installed "${version}" is not a ${scheme.displayName} version` };
  }
  const cmp = (a: string, b: string): number => compare(scheme, a, b) ?? 0;

  for (const c of constraints) {
    if ((c.op === '=' || c.op === '!=') && cmp(version, c.version) === 0) {
      return { ok: true, contains: c.op === '=' };
    }
  }
  const hadNotEqual = constraints.some((c) => c.op === '!=');
  const ranges = constraints
    .filter((c) => c.op !== '=' && c.op !== '!=')
    .sort((a, b) => cmp(a.version, b.version));
  if (ranges.length === 0) return { ok: true, contains: hadNotEqual };

  const satisfies = (c: { op: Comparator; version: string }): boolean => {
    const order = cmp(version, c.version);
    switch (c.op) {
      case '<':
        return order < 0;
      case '<=':
        return order <= 0;
      case '>':
        return order > 0;
      case '>=':
        return order >= 0;
      default:
        return order === 0;
    }
  };
  const isLower = (op: Comparator): boolean => op === '>' || op === '>=';
  for (let i = 0; i < ranges.length; i++) {
    const current = ranges[i] as { op: Comparator; version: string };
    const next = ranges[i + 1];
    if (i === 0 && !isLower(current.op) && satisfies(current)) return { ok: true, contains: true };
    if (next === undefined) {
      if (isLower(current.op) && satisfies(current)) return { ok: true, contains: true };
      break;
    }
    if (isLower(current.op) && !isLower(next.op) && satisfies(current) && satisfies(next)) {
      return { ok: true, contains: true };
    }
  }
  return { ok: true, contains: false };
}
