import type { ParseResult, VersionScheme } from '../../scheme.ts';

/**
 * Composer's ordering: `VersionParser::normalize()` (composer/semver 3.x) turns a version into
 * `1.2.3.4[-stability[n]][-dev]`, and Composer compares normalised strings with PHP's
 * `version_compare()` (`Constraint::versionCompare`). Checked pair by pair against both real
 * functions (testdata/packagist/generated-composer-semver.txt).
 */
export interface PackagistVersion {
  /** What `VersionParser::normalize()` returns: `v1.2-beta1` → `1.2.0.0-beta1`. */
  readonly normalized: string;
  /**
   * `version_compare()`'s parts of the normalised string: numbers as they are, special words as
   * negative codes (rank − 10, ranks: unknown −1, dev 0, alpha 1, beta 2, RC 3, number 4, patch 5).
   */
  readonly parts: readonly number[];
}

// The stability modifier: `[._-]?(stability)(numbers)?([.-]?dev)?`, matched case-insensitively.
const modifier = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
// Classical versions: at most 4 numbers, the first of at most 5 digits.
const classical = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${modifier}$`, 'i');
// Date(time) versions: 2010-01-02, 20100102203040…
const dated = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${modifier}$`, 'i');
// Numeric branches: 1.x-dev, 2.1.*-dev.
const devSuffix = /^(.*?)[.-]?dev$/i;
const numericBranch = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
const buildMetadata = /^([^,\s+]+)\+\S+$/;

function expandStability(stability: string): string {
  const lower = stability.toLowerCase();
  if (lower === 'a') return 'alpha';
  if (lower === 'b') return 'beta';
  if (lower === 'p' || lower === 'pl') return 'patch';
  if (lower === 'rc') return 'RC';
  return lower;
}

function withModifiers(base: string, stability?: string, numbers?: string, dev?: string): string {
  let version = base;
  if (stability) {
    // Composer compares with the exact string "stable": only the lower-case spelling is dropped.
    if (stability === 'stable') return version;
    version += `-${expandStability(stability)}${numbers ? numbers.replace(/^[.-]+/, '') : ''}`;
  }
  if (dev) version += '-dev';
  return version;
}

/** Composer's `VersionParser::normalize()`, minus the constraint-only syntax we reject first. */
export function normalizeComposer(version: string): ParseResult<string> {
  if (version === '') return { ok: false, error: 'version is empty' };
  if (/\s/.test(version))
    return { ok: false, error: 'version contains whitespace (an "as" alias is not a version)' };
  if (version.includes('@'))
    return { ok: false, error: '"@stability" flags belong to constraints, not versions' };
  if (
    /^dev-/i.test(version) ||
    version === 'master' ||
    version === 'trunk' ||
    version === 'default'
  ) {
    return { ok: false, error: 'dev-* branch versions are not ordered by Composer' };
  }
  const text = buildMetadata.exec(version)?.[1] ?? version;
  let match = classical.exec(text);
  if (match) {
    const [, major, minor, patch, build, stability, numbers, dev] = match;
    const base = `${major}${minor ?? '.0'}${patch ?? '.0'}${build ?? '.0'}`;
    return { ok: true, value: withModifiers(base, stability, numbers, dev) };
  }
  match = dated.exec(text);
  if (match) {
    const [, date = '', stability, numbers, dev] = match;
    return { ok: true, value: withModifiers(date.replace(/\D/g, '.'), stability, numbers, dev) };
  }
  const branch = devSuffix.exec(text);
  const numeric = branch ? numericBranch.exec(branch[1] ?? '') : null;
  if (numeric) {
    let base = '';
    for (let i = 1; i <= 4; i++) base += numeric[i]?.replace(/[*X]/g, 'x') ?? '.x';
    return { ok: true, value: `${base.replaceAll('x', '9999999')}-dev` };
  }
  return {
    ok: false,
    error: 'not a Composer version: expected 1.2.3[.4], an optional stability suffix, or a date',
  };
}

// version_compare's special forms, matched by prefix in this order (php-src versioning.c).
const specialForms: readonly (readonly [string, number])[] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];
const numberRank = 4;
const maxDigits = 15;

function specialCode(word: string): number {
  for (const [form, rank] of specialForms) if (word.startsWith(form)) return rank - 10;
  return -11;
}

/** Split like version_compare: `-_+` and other non-alphanumerics separate, as do digit↔letter changes. */
function versionCompareParts(normalized: string): ParseResult<number[]> {
  const parts: number[] = [];
  for (const token of normalized.match(/\d+|[A-Za-z]+/g) ?? []) {
    const c = token.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      if (token.replace(/^0+(?=\d)/, '').length > maxDigits) {
        return { ok: false, error: `number ${token} has more than ${maxDigits} digits` };
      }
      parts.push(Number(token));
    } else parts.push(specialCode(token));
  }
  return { ok: true, value: parts };
}

export function parsePackagist(version: string): ParseResult<PackagistVersion> {
  const normalized = normalizeComposer(version);
  if (!normalized.ok) return normalized;
  const parts = versionCompareParts(normalized.value);
  if (!parts.ok) return parts;
  return { ok: true, value: { normalized: normalized.value, parts: parts.value } };
}

const rankOf = (part: number): number => (part >= 0 ? numberRank : part + 10);

/** PHP's `version_compare()` on parsed parts. */
export function comparePackagist(a: PackagistVersion, b: PackagistVersion): number {
  const left = a.parts;
  const right = b.parts;
  const common = Math.min(left.length, right.length);
  for (let i = 0; i < common; i++) {
    const x = left[i] as number;
    const y = right[i] as number;
    const order = x >= 0 && y >= 0 ? x - y : rankOf(x) - rankOf(y);
    if (order !== 0) return order;
  }
  // The longer side's next part decides: a number wins; a word is compared with a number ("#N#").
  if (left.length > common) return rankOf(left[common] as number) >= numberRank ? 1 : -1;
  if (right.length > common) return rankOf(right[common] as number) >= numberRank ? -1 : 1;
  return 0;
}

export const packagist: VersionScheme<PackagistVersion> = {
  id: 'packagist',
  displayName: 'Packagist (Composer)',
  specUrls: [
    'https://getcomposer.org/doc/articles/versions.md',
    'https://github.com/composer/semver/blob/main/src/VersionParser.php',
    'https://www.php.net/manual/en/function.version-compare.php',
  ],
  ecosystems: ['Packagist'],
  parse: parsePackagist,
  compareParsed: comparePackagist,
};
