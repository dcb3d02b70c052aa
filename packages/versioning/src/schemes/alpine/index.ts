/**
 * Alpine package versions, ordered as apk-tools' `apk version -t` (src/version.c):
 *
 *   digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r number}
 *
 * A version is read into its token list once; comparing walks two token lists without
 * allocating. Only versions `apk_version_validate()` accepts are valid.
 */
import type { ParseResult, VersionScheme } from '../../scheme.ts';

/**
 * Token kinds, in apk's order: when two versions agree up to the point where one has a
 * token of a different kind, the higher kind is the *older* version (`1.0-r1` < `1.0.1`).
 */
export const alpineTokenKinds = [
  'initial-digit',
  'digit',
  'letter',
  'suffix',
  'suffix-number',
  'commit-hash',
  'revision',
] as const;
export type AlpineTokenKind = (typeof alpineTokenKinds)[number];

const INITIAL = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION = 6;
const END = 7;

/** Suffix ranks (apk `DECLARE_SUFFIXES`): pre-releases below 5 (no suffix), the rest above. */
const suffixRank: ReadonlyMap<string, number> = new Map([
  ['alpha', 1],
  ['beta', 2],
  ['pre', 3],
  ['rc', 4],
  ['cvs', 6],
  ['svn', 7],
  ['git', 8],
  ['hg', 9],
  ['p', 10],
]);
const SUFFIX_NONE = 5;

export interface AlpineToken {
  /** Index into `alpineTokenKinds`. */
  readonly kind: number;
  /** The token's text without its leading `.`, `_`, `~` or `-r`. */
  readonly text: string;
  /** Suffix rank for suffixes, character code for letters, 0 otherwise. */
  readonly rank: number;
}

export interface AlpineVersion {
  readonly tokens: readonly AlpineToken[];
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
// APK_CTYPE_HEXDIGIT (src/ctype.c) is lowercase only.
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102);

function spanEnd(text: string, from: number, accept: (c: number) => boolean): number {
  let k = from;
  while (k < text.length && accept(text.charCodeAt(k))) k++;
  return k;
}

/** apk `token_first` / `token_next`, failing where apk's tokenizer yields TOKEN_INVALID. */
export function parseAlpineVersion(version: string): ParseResult<AlpineVersion> {
  const tokens: AlpineToken[] = [];
  let pos = spanEnd(version, 0, isDigit);
  if (pos === 0) return { ok: false, error: 'version must start with a digit' };
  tokens.push({ kind: INITIAL, text: version.slice(0, pos), rank: 0 });
  let last = INITIAL;
  const fail = (why: string): ParseResult<AlpineVersion> => ({
    ok: false,
    error: `${why} at position ${pos + 1}`,
  });

  while (pos < version.length) {
    const c = version.charCodeAt(pos);
    if (isLower(c)) {
      if (last > DIGIT) return fail('a letter may only follow a number');
      tokens.push({ kind: LETTER, text: version[pos] ?? '', rank: c });
      last = LETTER;
      pos++;
    } else if (c === 46 /* . */ || isDigit(c)) {
      if (c === 46 && last > DIGIT) return fail('"." may only follow a number');
      const kind = last === INITIAL || last === DIGIT ? DIGIT : last === SUFFIX ? SUFFIX_NO : -1;
      if (kind === -1) return fail('a number may not follow a letter, hash or revision');
      const start = c === 46 ? pos + 1 : pos;
      const end = spanEnd(version, start, isDigit);
      if (end === start) return fail('"." must be followed by digits');
      tokens.push({ kind, text: version.slice(start, end), rank: 0 });
      last = kind;
      pos = end;
    } else if (c === 95 /* _ */) {
      if (last > SUFFIX_NO) return fail('"_" suffix after a hash or revision');
      const end = spanEnd(version, pos + 1, isLower);
      const name = version.slice(pos + 1, end);
      const rank = suffixRank.get(name);
      if (rank === undefined) {
        return fail(`unknown suffix "_${name}" (alpha, beta, pre, rc, cvs, svn, git, hg, p)`);
      }
      tokens.push({ kind: SUFFIX, text: name, rank });
      last = SUFFIX;
      pos = end;
    } else if (c === 126 /* ~ */) {
      if (last >= COMMIT_HASH) return fail('a second "~" or "~" after the revision');
      const end = spanEnd(version, pos + 1, isHex);
      if (end === pos + 1) return fail('"~" must be followed by lowercase hex digits');
      tokens.push({ kind: COMMIT_HASH, text: version.slice(pos + 1, end), rank: 0 });
      last = COMMIT_HASH;
      pos = end;
    } else if (c === 45 /* - */) {
      if (last >= REVISION) return fail('a second revision');
      if (version[pos + 1] !== 'r') return fail('"-" must start a "-r<number>" revision');
      const end = spanEnd(version, pos + 2, isDigit);
      if (end === pos + 2) return fail('"-r" must be followed by digits');
      tokens.push({ kind: REVISION, text: version.slice(pos + 2, end), rank: 0 });
      last = REVISION;
      pos = end;
    } else {
      return fail(`unexpected character "${version[pos] ?? ''}"`);
    }
  }
  return { ok: true, value: { tokens } };
}

/** Numeric order of two digit strings of any length (apk reads them as uint64). */
function compareNumbers(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** apk_blob_sort: memcmp of the common prefix, then the shorter first. */
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareTokens(a: AlpineToken, b: AlpineToken): number {
  switch (a.kind) {
    case DIGIT:
      // A leading zero in either makes apk compare the digit strings as text (Gentoo rule):
      // 1.02 < 1.1, and 1.0 < 1.00.
      if (a.text.charCodeAt(0) === 48 || b.text.charCodeAt(0) === 48) {
        return compareBytes(a.text, b.text);
      }
      return compareNumbers(a.text, b.text);
    case INITIAL:
    case SUFFIX_NO:
    case REVISION:
      return compareNumbers(a.text, b.text);
    case LETTER:
    case SUFFIX:
      return a.rank - b.rank;
    default:
      return compareBytes(a.text, b.text);
  }
}

/** apk `apk_version_compare_fuzzy(a, b, false)`. */
export function compareAlpineVersions(a: AlpineVersion, b: AlpineVersion): number {
  const ta = a.tokens;
  const tb = b.tokens;
  let k = 0;
  for (; ; k++) {
    const x = ta[k];
    const y = tb[k];
    if (x === undefined || y === undefined || x.kind !== y.kind) break;
    const order = compareTokens(x, y);
    if (order !== 0) return order < 0 ? -1 : 1;
  }
  const x = ta[k];
  const y = tb[k];
  const kindA = x?.kind ?? END;
  const kindB = y?.kind ?? END;
  if (kindA === kindB) return 0;
  // Equal so far: the longer version is newer, unless what it goes on with is a
  // pre-release suffix (1.0_rc1 < 1.0), or a lower-ranked token kind (1.0-r1 < 1.0.1).
  if (x !== undefined && x.kind === SUFFIX && x.rank < SUFFIX_NONE) return -1;
  if (y !== undefined && y.kind === SUFFIX && y.rank < SUFFIX_NONE) return 1;
  return kindA > kindB ? -1 : 1;
}

export const alpine: VersionScheme<AlpineVersion> = {
  id: 'alpine',
  displayName: 'Alpine (apk)',
  specUrls: [
    'https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c',
    'https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/test/version.data',
    'https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#pkgver',
  ],
  ecosystems: ['Alpine', 'Wolfi', 'Chainguard'],
  parse: parseAlpineVersion,
  compareParsed: compareAlpineVersions,
};
