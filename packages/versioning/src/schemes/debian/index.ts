/**
 * Debian package versions, ordered exactly as `dpkg --compare-versions` does.
 *
 * Parsing follows dpkg's `parseversion()` (lib/dpkg/parsehelp.c) and ordering its
 * `verrevcmp()` (lib/dpkg/version.c); deb-version(7) is the prose form of both. dpkg
 * separates hard errors (the version cannot be read) from warnings (the version is
 * odd but `dpkg --compare-versions` still compares it); we reject only the errors.
 */
import type { ParseResult, VersionScheme } from '../../scheme.ts';

/** `[epoch:]upstream[-revision]`, split exactly where dpkg splits it. */
export interface DebianVersion {
  /** 0 when absent; dpkg allows 0..2147483647. */
  readonly epoch: number;
  /** Never empty. May contain colons and hyphens (dpkg splits at the first `:`, last `-`). */
  readonly upstream: string;
  /** Debian revision; `''` when absent, which orders like `0`. */
  readonly revision: string;
}

const TAB = 9;
const SPACE = 32;
const ZERO = 48;
const NINE = 57;
const TILDE = 126;
const INT_MAX = 2147483647;

const isBlank = (c: number): boolean => c === SPACE || c === TAB;
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// C isspace(): what strtol() skips before the epoch's digits.
const isSpace = (c: number): boolean => c === SPACE || (c >= 9 && c <= 13);

/**
 * Weight of one character in a non-digit run (dpkg `order()`): `~` sorts before the end of
 * the string (weight 0), letters before every other character. Only ASCII reaches here.
 */
function order(c: number): number {
  if (isAlpha(c)) return c;
  if (c === TILDE) return -1;
  return c + 256;
}

/** dpkg `verrevcmp()`: alternate non-digit runs (by weight) and digit runs (by value). */
export function compareDebianPart(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  while (i < la || j < lb) {
    // Non-digit prefix, character by character; the end of the string weighs 0.
    while ((i < la && !isDigit(a.charCodeAt(i))) || (j < lb && !isDigit(b.charCodeAt(j)))) {
      const ac = i < la && !isDigit(a.charCodeAt(i)) ? order(a.charCodeAt(i)) : 0;
      const bc = j < lb && !isDigit(b.charCodeAt(j)) ? order(b.charCodeAt(j)) : 0;
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    // Digit run, numerically: skip leading zeros, the longer run wins, else the first difference.
    while (i < la && a.charCodeAt(i) === ZERO) i++;
    while (j < lb && b.charCodeAt(j) === ZERO) j++;
    let firstDiff = 0;
    while (i < la && j < lb && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < la && isDigit(a.charCodeAt(i))) return 1;
    if (j < lb && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/**
 * Read the epoch before `colon` the way dpkg does, with strtol(): optional C whitespace,
 * optional sign, at least one digit, then the colon itself.
 */
function parseEpoch(text: string, colon: number): ParseResult<number> {
  let i = 0;
  while (i < colon && isSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (i < colon && (text[i] === '+' || text[i] === '-')) {
    negative = text[i] === '-';
    i++;
  }
  const digitsStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  if (i === digitsStart) return { ok: false, error: 'epoch in version is empty' };
  if (i !== colon) return { ok: false, error: 'epoch in version is not number' };
  let value = 0;
  for (let k = digitsStart; k < colon; k++) {
    value = value * 10 + (text.charCodeAt(k) - ZERO);
    if (value > INT_MAX) break;
  }
  if (negative && value !== 0) return { ok: false, error: 'epoch in version is negative' };
  if (value > INT_MAX) return { ok: false, error: 'epoch in version is too big' };
  return { ok: true, value };
}

/** dpkg `parseversion()`: the hard errors only (see readme.md for the warnings we accept). */
export function parseDebianVersion(version: string): ParseResult<DebianVersion> {
  for (let k = 0; k < version.length; k++) {
    const c = version.charCodeAt(k);
    // dpkg works on C strings of bytes: a NUL cannot be passed to it, and bytes above
    // 0x7f order differently on signed-char and unsigned-char platforms.
    if (c === 0) return { ok: false, error: 'version string contains a NUL character' };
    if (c > 127) return { ok: false, error: 'version string contains a non-ASCII character' };
  }
  // Leading and trailing blanks (space, tab) are trimmed; blanks inside are an error.
  let start = 0;
  while (start < version.length && isBlank(version.charCodeAt(start))) start++;
  if (start === version.length) return { ok: false, error: 'version string is empty' };
  let end = start;
  while (end < version.length && !isBlank(version.charCodeAt(end))) end++;
  for (let k = end; k < version.length; k++) {
    if (!isBlank(version.charCodeAt(k))) {
      return { ok: false, error: 'version string has embedded spaces' };
    }
  }
  let text = version.slice(start, end);

  let epoch = 0;
  const colon = text.indexOf(':');
  if (colon !== -1) {
    const parsed = parseEpoch(text, colon);
    if (!parsed.ok) return parsed;
    if (colon === text.length - 1) {
      return { ok: false, error: 'nothing after colon in version number' };
    }
    epoch = parsed.value;
    text = text.slice(colon + 1);
  }

  const hyphen = text.lastIndexOf('-');
  let upstream = text;
  let revision = '';
  if (hyphen !== -1) {
    upstream = text.slice(0, hyphen);
    revision = text.slice(hyphen + 1);
    if (revision === '') return { ok: false, error: 'revision number is empty' };
  }
  if (upstream === '') return { ok: false, error: 'version number is empty' };
  return { ok: true, value: { epoch, upstream, revision } };
}

/** Epoch first, then upstream, then revision (deb-version(7), "Sorting algorithm"). */
export function compareDebianVersions(a: DebianVersion, b: DebianVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return compareDebianPart(a.upstream, b.upstream) || compareDebianPart(a.revision, b.revision);
}

export const debian: VersionScheme<DebianVersion> = {
  id: 'debian',
  displayName: 'Debian (dpkg)',
  specUrls: [
    'https://manpages.debian.org/bookworm/dpkg-dev/deb-version.7.en.html',
    'https://www.debian.org/doc/debian-policy/ch-controlfields.html#version',
    'https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/version.c',
    'https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/parsehelp.c',
  ],
  ecosystems: ['Debian', 'Ubuntu'],
  parse: parseDebianVersion,
  compareParsed: compareDebianVersions,
};
