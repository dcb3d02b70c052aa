/**
 * Reading and ordering PEP 440 versions ("Version specifiers", PyPA), following what the
 * reference implementation `packaging.version.Version` (26.x) accepts and how it orders.
 *
 * Grammar, after normalisation (case-insensitive, ASCII only):
 *
 *   [v] [N!] N(.N)* [{a|b|rc}N] [.postN] [.devN] [+local]
 *
 * with the spellings the spec's "Normalization" section allows: separators `.`, `-`, `_`
 * around the pre/post/dev labels, `alpha`/`beta`/`c`/`pre`/`preview` for `a`/`b`/`rc`/`rc`/`rc`,
 * `rev`/`r` for `post`, implicit numbers (`1.0a` = `1.0a0`) and implicit post releases
 * (`1.0-1` = `1.0.post1`). The scanner below mirrors packaging's possessive regular expression
 * (VERSION_PATTERN) branch for branch, without building a regular expression.
 */
import type { ParseResult } from '../../scheme.ts';

export type PreReleaseLabel = 'a' | 'b' | 'rc';

/** A parsed PEP 440 version, normalised. Plain data. */
export interface Pep440Version {
  readonly epoch: number;
  /** Release segment as written (`1.0` stays `[1, 0]`); trailing zeros do not affect order. */
  readonly release: readonly number[];
  readonly pre: { readonly label: PreReleaseLabel; readonly number: number } | null;
  readonly post: number | null;
  readonly dev: number | null;
  /** Local version label segments, lowercased; all-digit segments as numbers. */
  readonly local: readonly (number | string)[] | null;
}

/**
 * packaging strips `\s*` on both sides. Python's `\s` (Unicode mode) is `str.isspace()`:
 * the spec's six ASCII whitespace characters plus the Unicode ones below.
 */
function isPythonSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    (code >= 0x1c && code <= 0x1f) ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** ASCII-only lowercase of one character code (packaging matches with `re.ASCII`). */
function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

function isSeparator(code: number): boolean {
  return code === 46 || code === 45 || code === 95; // . - _
}

function isLocalChar(code: number): boolean {
  const c = lower(code);
  return isDigit(c) || (c >= 97 && c <= 122);
}

/** A scanner over one version string; `at` only moves forward. */
class Scanner {
  at: number;
  constructor(
    readonly text: string,
    start: number,
    readonly end: number,
  ) {
    this.at = start;
  }
  code(offset = 0): number {
    const index = this.at + offset;
    return index < this.end ? this.text.charCodeAt(index) : -1;
  }
  /** Does the (case-insensitive) word start at `at + offset`? */
  word(word: string, offset = 0): boolean {
    const start = this.at + offset;
    if (start + word.length > this.end) return false;
    for (let i = 0; i < word.length; i++) {
      if (lower(this.text.charCodeAt(start + i)) !== word.charCodeAt(i)) return false;
    }
    return true;
  }
  digitsAt(offset = 0): number {
    let n = 0;
    while (isDigit(this.code(offset + n))) n++;
    return n;
  }
}

type NumberResult = { ok: true; value: number } | { ok: false; error: string };

/** PEP 440 numbers may have leading zeros (`01` = 1); values past 2^53-1 are refused. */
function toNumber(digits: string, what: string): NumberResult {
  const value = Number(digits);
  if (value > Number.MAX_SAFE_INTEGER) {
    return { ok: false, error: `${what} ${digits} is larger than ${Number.MAX_SAFE_INTEGER}` };
  }
  return { ok: true, value };
}

/** Pre-release spellings in packaging's alternation order (longest alternative first). */
const preLabels: readonly (readonly [string, PreReleaseLabel])[] = [
  ['alpha', 'a'],
  ['a', 'a'],
  ['beta', 'b'],
  ['b', 'b'],
  ['preview', 'rc'],
  ['pre', 'rc'],
  ['c', 'rc'],
  ['rc', 'rc'],
];
const postLabels: readonly string[] = ['post', 'rev', 'r'];

function explain(text: string, at: number, end: number): string {
  if (at >= end) return 'version is incomplete';
  const rest = text.slice(at, end);
  return `unexpected ${JSON.stringify(rest.length > 12 ? `${rest.slice(0, 12)}…` : rest)} (expected a pre-release, .postN, .devN or +local)`;
}

/** Read a PEP 440 version. Never throws. */
export function parsePep440(version: string): ParseResult<Pep440Version> {
  let start = 0;
  let end = version.length;
  while (start < end && isPythonSpace(version.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(version.charCodeAt(end - 1))) end--;
  if (start === end) return { ok: false, error: 'version is empty' };
  const s = new Scanner(version, start, end);

  if (lower(s.code()) === 118 /* v */) s.at++;

  // Epoch: `N!`.
  let epoch = 0;
  let digits = s.digitsAt();
  if (digits === 0) {
    return {
      ok: false,
      error: s.at < end ? 'a version must start with a release number' : 'version is incomplete',
    };
  }
  if (s.code(digits) === 33 /* ! */) {
    const parsed = toNumber(version.slice(s.at, s.at + digits), 'epoch');
    if (!parsed.ok) return parsed;
    epoch = parsed.value;
    s.at += digits + 1;
    digits = s.digitsAt();
    if (digits === 0) return { ok: false, error: 'a release number must follow the epoch "!"' };
  }

  // Release: `N(.N)*`, taken possessively.
  const release: number[] = [];
  for (;;) {
    const parsed = toNumber(version.slice(s.at, s.at + digits), 'release number');
    if (!parsed.ok) return parsed;
    release.push(parsed.value);
    s.at += digits;
    if (s.code() !== 46 /* . */) break;
    digits = s.digitsAt(1);
    if (digits === 0) break;
    s.at++;
  }

  // Pre-release: `[._-]? (alpha|a|beta|b|preview|pre|c|rc) [._-]? N?`.
  let pre: Pep440Version['pre'] = null;
  {
    const sep = isSeparator(s.code()) ? 1 : 0;
    const found = preLabels.find(([word]) => s.word(word, sep));
    if (found) {
      s.at += sep + found[0].length;
      if (isSeparator(s.code())) s.at++;
      const n = s.digitsAt();
      const parsed =
        n === 0
          ? { ok: true as const, value: 0 }
          : toNumber(version.slice(s.at, s.at + n), 'pre-release number');
      if (!parsed.ok) return parsed;
      s.at += n;
      pre = { label: found[1], number: parsed.value };
    }
  }

  // Post-release: `-N` | `[._-]? (post|rev|r) [._-]? N?`.
  let post: number | null = null;
  if (s.code() === 45 /* - */ && isDigit(s.code(1))) {
    const n = s.digitsAt(1);
    const parsed = toNumber(version.slice(s.at + 1, s.at + 1 + n), 'post-release number');
    if (!parsed.ok) return parsed;
    post = parsed.value;
    s.at += 1 + n;
  } else {
    const sep = isSeparator(s.code()) ? 1 : 0;
    const word = postLabels.find((w) => s.word(w, sep));
    if (word !== undefined) {
      // The regex's separators here are greedy but not possessive. Taking the separator
      // after the label is never worse than leaving it: a following dev label accepts no
      // separator, and no other part starts with one. So `1.0.post.` is valid (post0).
      s.at += sep + word.length;
      if (isSeparator(s.code())) s.at++;
      const n = s.digitsAt();
      const parsed =
        n === 0
          ? { ok: true as const, value: 0 }
          : toNumber(version.slice(s.at, s.at + n), 'post-release number');
      if (!parsed.ok) return parsed;
      s.at += n;
      post = parsed.value;
    }
  }

  // Development release: `[._-]? dev [._-]? N?`.
  let dev: number | null = null;
  {
    const sep = isSeparator(s.code()) ? 1 : 0;
    if (s.word('dev', sep)) {
      s.at += sep + 3;
      if (isSeparator(s.code())) s.at++;
      const n = s.digitsAt();
      const parsed =
        n === 0
          ? { ok: true as const, value: 0 }
          : toNumber(version.slice(s.at, s.at + n), 'development release number');
      if (!parsed.ok) return parsed;
      s.at += n;
      dev = parsed.value;
    }
  }

  // Local version label: `+ [a-z0-9]+ ([._-][a-z0-9]+)*`.
  let local: (number | string)[] | null = null;
  if (s.code() === 43 /* + */) {
    s.at++;
    local = [];
    for (;;) {
      const from = s.at;
      let allDigits = true;
      while (isLocalChar(s.code())) {
        if (!isDigit(s.code())) allDigits = false;
        s.at++;
      }
      if (s.at === from) {
        return {
          ok: false,
          error: 'local version segments must be non-empty runs of ASCII letters and digits',
        };
      }
      const segment = version.slice(from, s.at);
      if (allDigits) {
        const parsed = toNumber(segment, 'local version segment');
        if (!parsed.ok) return parsed;
        local.push(parsed.value);
      } else {
        local.push(segment.toLowerCase());
      }
      if (!isSeparator(s.code())) break;
      s.at++;
    }
  }

  if (s.at !== end) return { ok: false, error: explain(version, s.at, end) };
  return { ok: true, value: { epoch, release, pre, post, dev, local } };
}

/** packaging's pre-release rank: dev-only < a < b < rc < none. */
function preRank(v: Pep440Version): number {
  if (v.pre !== null) return v.pre.label === 'a' ? 0 : v.pre.label === 'b' ? 1 : 2;
  // "1.0.dev1" (no pre, no post) sorts before every pre-release of 1.0.
  return v.post === null && v.dev !== null ? -1 : 3;
}

function compareLocal(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (typeof x === 'number') {
      if (typeof y === 'number') {
        if (x !== y) return x - y;
      } else {
        return 1; // spec: alphanumeric segments sort before numeric ones
      }
    } else if (typeof y === 'number') {
      return -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** PEP 440 ordering, as packaging's `_cmpkey`. Allocates nothing. */
export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  // Release segments compare with implicit zero padding: 1.0 == 1.0.0.
  const longest = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < longest; i++) {
    const x = a.release[i] ?? 0;
    const y = b.release[i] ?? 0;
    if (x !== y) return x - y;
  }
  const rankA = preRank(a);
  const rankB = preRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (a.pre !== null && b.pre !== null && a.pre.number !== b.pre.number) {
    return a.pre.number - b.pre.number;
  }
  // No post release sorts before any post release.
  if (a.post !== b.post) {
    if (a.post === null) return -1;
    if (b.post === null) return 1;
    return a.post - b.post;
  }
  // A development release sorts before the same version without one.
  if (a.dev !== b.dev) {
    if (a.dev === null) return 1;
    if (b.dev === null) return -1;
    return a.dev - b.dev;
  }
  // A local version sorts after the public version it labels.
  if (a.local === null || b.local === null) {
    return a.local === b.local ? 0 : a.local === null ? -1 : 1;
  }
  return compareLocal(a.local, b.local);
}

/** The normalised text of a version, as packaging's `str(Version(...))` writes it. */
export function formatPep440(v: Pep440Version): string {
  let text = v.epoch !== 0 ? `${v.epoch}!` : '';
  text += v.release.join('.');
  if (v.pre !== null) text += `${v.pre.label}${v.pre.number}`;
  if (v.post !== null) text += `.post${v.post}`;
  if (v.dev !== null) text += `.dev${v.dev}`;
  if (v.local !== null) text += `+${v.local.join('.')}`;
  return text;
}
