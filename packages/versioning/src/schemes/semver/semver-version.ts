/**
 * Reading and ordering Semantic Versioning 2.0.0 strings, shared by the `semver` scheme and
 * the `go` scheme (golang.org/x/mod/semver implements the same precedence rules).
 *
 * The parser is a hand-written scanner rather than a regular expression so that every
 * rejection can say plainly what is wrong, and so that nothing is allocated beyond the
 * parsed value itself. `compareSemver` allocates nothing.
 */
import type { ParseResult } from '../../scheme.ts';

/** A parsed semantic version. Plain data: safe to serialise, clone and cache. */
export interface SemverVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /**
   * Pre-release identifiers in order. A numeric identifier is a `number` when it fits in
   * 2^53-1 and otherwise stays a digit string, so that long numeric identifiers still
   * compare exactly (semver.org §11.4.1: "compared numerically", with no size limit).
   */
  readonly prerelease: readonly (number | string)[];
  /** Build metadata identifiers; kept for display, ignored for precedence (§10). */
  readonly build: readonly string[];
}

/** How much of semver's grammar a caller accepts around the `major.minor.patch` core. */
export interface SemverSyntax {
  /** `'optional'`: a single leading lowercase `v` is skipped; `'forbidden'`: it is an error. */
  readonly vPrefix: 'optional' | 'forbidden';
  /**
   * Accept `1` and `1.2` as `1.0.0` and `1.2.0` (golang.org/x/mod/semver's shorthand). A
   * shorthand version cannot carry a pre-release or build suffix.
   */
  readonly shorthand: boolean;
}

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_DOT = 46;
const CHAR_HYPHEN = 45;
const CHAR_PLUS = 43;

function isDigit(code: number): boolean {
  return code >= CHAR_0 && code <= CHAR_9;
}

/** semver.org §9/§10: identifiers comprise only ASCII alphanumerics and hyphens. */
function isIdentifierChar(code: number): boolean {
  return (
    isDigit(code) ||
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === CHAR_HYPHEN
  );
}

function describeChar(text: string, index: number): string {
  return JSON.stringify(text[index]);
}

type Core = { ok: true; value: number; end: number } | { ok: false; error: string };

/**
 * Read one of major/minor/patch at `start`: digits without a leading zero (§2). Numbers past
 * 2^53-1 are rejected rather than rounded (node-semver does the same).
 */
function readCoreNumber(text: string, start: number, name: string): Core {
  let end = start;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  if (end === start) {
    return {
      ok: false,
      error:
        start < text.length
          ? `${name} version must be a number, found ${describeChar(text, start)}`
          : `${name} version is missing`,
    };
  }
  if (text.charCodeAt(start) === CHAR_0 && end - start > 1) {
    return { ok: false, error: `${name} version must not have leading zeros` };
  }
  const value = Number(text.slice(start, end));
  if (value > Number.MAX_SAFE_INTEGER) {
    return { ok: false, error: `${name} version is larger than ${Number.MAX_SAFE_INTEGER}` };
  }
  return { ok: true, value, end };
}

/** A numeric pre-release identifier as a number when exact, else as its digit string. */
function numericIdentifier(digits: string): number | string {
  const value = Number(digits);
  return value <= Number.MAX_SAFE_INTEGER ? value : digits;
}

/**
 * Split a dot-separated identifier list (`text[start..end)`), checking each identifier.
 * Pre-release identifiers additionally forbid numeric identifiers with leading zeros (§9).
 */
function readIdentifiers(
  text: string,
  start: number,
  end: number,
  kind: 'pre-release' | 'build',
): { ok: true; value: string[] } | { ok: false; error: string } {
  const identifiers: string[] = [];
  let from = start;
  for (let i = start; i <= end; i++) {
    if (i < end && text.charCodeAt(i) !== CHAR_DOT) {
      if (!isIdentifierChar(text.charCodeAt(i))) {
        return {
          ok: false,
          error: `${kind} identifiers may only contain [0-9A-Za-z-], found ${describeChar(text, i)}`,
        };
      }
      continue;
    }
    if (i === from) return { ok: false, error: `${kind} identifier must not be empty` };
    const identifier = text.slice(from, i);
    if (
      kind === 'pre-release' &&
      identifier.length > 1 &&
      identifier.charCodeAt(0) === CHAR_0 &&
      isAllDigits(identifier)
    ) {
      return {
        ok: false,
        error: `numeric pre-release identifier "${identifier}" must not have leading zeros`,
      };
    }
    identifiers.push(identifier);
    from = i + 1;
  }
  return { ok: true, value: identifiers };
}

function isAllDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return text.length > 0;
}

/** Read a semantic version under the given syntax. Never throws. */
export function parseSemver(version: string, syntax: SemverSyntax): ParseResult<SemverVersion> {
  if (version === '') return { ok: false, error: 'version is empty' };
  let at = 0;
  if (version.charCodeAt(0) === 118 /* v */) {
    if (syntax.vPrefix === 'forbidden') {
      return { ok: false, error: 'a leading "v" is not part of a semantic version' };
    }
    at = 1;
  }

  const major = readCoreNumber(version, at, 'major');
  if (!major.ok) return major;
  at = major.end;
  if (at === version.length && syntax.shorthand) {
    return {
      ok: true,
      value: { major: major.value, minor: 0, patch: 0, prerelease: [], build: [] },
    };
  }
  if (version.charCodeAt(at) !== CHAR_DOT) {
    return { ok: false, error: 'expected "." after the major version' };
  }
  const minor = readCoreNumber(version, at + 1, 'minor');
  if (!minor.ok) return minor;
  at = minor.end;
  if (at === version.length && syntax.shorthand) {
    return {
      ok: true,
      value: { major: major.value, minor: minor.value, patch: 0, prerelease: [], build: [] },
    };
  }
  if (version.charCodeAt(at) !== CHAR_DOT) {
    return {
      ok: false,
      error: syntax.shorthand
        ? 'expected "." after the minor version (a shorthand version takes no suffix)'
        : 'expected "." after the minor version',
    };
  }
  const patch = readCoreNumber(version, at + 1, 'patch');
  if (!patch.ok) return patch;
  at = patch.end;

  let prerelease: (number | string)[] = [];
  if (at < version.length && version.charCodeAt(at) === CHAR_HYPHEN) {
    let end = version.indexOf('+', at + 1);
    if (end === -1) end = version.length;
    const ids = readIdentifiers(version, at + 1, end, 'pre-release');
    if (!ids.ok) return ids;
    prerelease = ids.value.map((id) => (isAllDigits(id) ? numericIdentifier(id) : id));
    at = end;
  }
  let build: string[] = [];
  if (at < version.length && version.charCodeAt(at) === CHAR_PLUS) {
    const ids = readIdentifiers(version, at + 1, version.length, 'build');
    if (!ids.ok) return ids;
    build = ids.value;
    at = version.length;
  }
  if (at < version.length) {
    return {
      ok: false,
      error: `unexpected ${describeChar(version, at)} after the patch version (a pre-release starts with "-", build metadata with "+")`,
    };
  }
  return {
    ok: true,
    value: { major: major.value, minor: minor.value, patch: patch.value, prerelease, build },
  };
}

/**
 * Order two pre-release identifiers (semver.org §11.4): numeric < alphanumeric; numeric by
 * value; alphanumeric by ASCII order. A `string` identifier is either alphanumeric or a
 * numeric identifier too long for a `number`; both kinds are greater than any `number`.
 */
function compareIdentifier(a: number | string, b: number | string): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b;
    return -1;
  }
  if (typeof b === 'number') return 1;
  const aNumeric = isDigit(a.charCodeAt(0)) && isAllDigits(a);
  const bNumeric = isDigit(b.charCodeAt(0)) && isAllDigits(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  // Numeric identifiers have no leading zeros, so the longer one is the larger number.
  if (aNumeric && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semantic Versioning 2.0.0 precedence (§11). Build metadata is ignored (§10). */
export function compareSemver(a: SemverVersion, b: SemverVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  const aPre = a.prerelease;
  const bPre = b.prerelease;
  // §11.3: a pre-release version has lower precedence than the normal version.
  if (aPre.length === 0 || bPre.length === 0) return bPre.length - aPre.length;
  const shared = Math.min(aPre.length, bPre.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifier(aPre[i] as number | string, bPre[i] as number | string);
    if (order !== 0) return order;
  }
  // §11.4.4: a larger set of pre-release fields has higher precedence when all before are equal.
  return aPre.length - bPre.length;
}

/** The canonical text of a parsed version: no `v`, full `major.minor.patch`, build kept. */
export function formatSemver(version: SemverVersion): string {
  let text = `${version.major}.${version.minor}.${version.patch}`;
  if (version.prerelease.length > 0) text += `-${version.prerelease.join('.')}`;
  if (version.build.length > 0) text += `+${version.build.join('.')}`;
  return text;
}
