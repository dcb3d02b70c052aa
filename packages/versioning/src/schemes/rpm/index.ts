/**
 * RPM `[epoch:]version[-release]` (EVR) strings, ordered exactly as rpm 4.x's
 * `rpm.labelCompare()` does: epochs numerically (absent = 0), then version and release
 * with `rpmvercmp()` (rpmio/rpmvercmp.c), an absent release before any present one.
 */
import type { ParseResult, VersionScheme } from '../../scheme.ts';

export interface RpmVersion {
  /** 0 when no epoch was written: that is how rpm orders it. */
  readonly epoch: number;
  /**
   * Whether the string carried an epoch. Inventories often omit it even when the package
   * has one; the matcher then compares without epochs on both sides (see `stripEpoch`).
   */
  readonly epochGiven: boolean;
  readonly version: string;
  /** `null` when the string has no `-release`: rpm orders that before any release. */
  readonly release: string | null;
}

const ZERO = 48;
const NINE = 57;
const TILDE = 126;
const CARET = 94;
const UINT32_MAX = 4294967295;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// rpm's risalnum() is ASCII-only and locale-independent; NaN (past the end) is neither.
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);

/**
 * `rpmvercmp()` from rpm 4.18, on index ranges instead of patched C strings. Segments are
 * maximal runs of digits or of ASCII letters; everything else separates them, except `~`
 * (sorts before anything, even the end) and `^` (sorts after the end, before anything else).
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  while (i < la || j < lb) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(j);
    while (i < la && !isAlnum(ca) && ca !== TILDE && ca !== CARET) ca = a.charCodeAt(++i);
    while (j < lb && !isAlnum(cb) && cb !== TILDE && cb !== CARET) cb = b.charCodeAt(++j);

    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= la) return -1;
      if (j >= lb) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= la || j >= lb) break;

    // One segment from each side, of the kind that `a`'s segment starts with.
    const numeric = isDigit(ca);
    const kindOf = numeric ? isDigit : isAlpha;
    let ea = i;
    let eb = j;
    while (ea < la && kindOf(a.charCodeAt(ea))) ea++;
    while (eb < lb && kindOf(b.charCodeAt(eb))) eb++;
    // `b` has a segment of the other kind here: numeric segments are newer than alpha ones.
    if (eb === j) return numeric ? 1 : -1;

    if (numeric) {
      while (i < ea && a.charCodeAt(i) === ZERO) i++;
      while (j < eb && b.charCodeAt(j) === ZERO) j++;
      const lenA = ea - i;
      const lenB = eb - j;
      if (lenA !== lenB) return lenA > lenB ? 1 : -1;
    }
    // strcmp() of the two segments.
    while (i < ea && j < eb) {
      const d = a.charCodeAt(i) - b.charCodeAt(j);
      if (d !== 0) return d < 0 ? -1 : 1;
      i++;
      j++;
    }
    if (i < ea) return 1;
    if (j < eb) return -1;
  }
  if (i >= la && j >= lb) return 0;
  return i >= la ? -1 : 1;
}

/** Characters we accept: printable ASCII without space (see readme.md, "Validity"). */
const isAccepted = (c: number): boolean => c > 32 && c < 127;

/** Split an EVR the way rpm's `parseEVR()` does (digits then `:` is the epoch; last `-`). */
export function parseRpmVersion(evr: string): ParseResult<RpmVersion> {
  if (evr === '') return { ok: false, error: 'version is empty' };
  for (let k = 0; k < evr.length; k++) {
    if (!isAccepted(evr.charCodeAt(k))) {
      return {
        ok: false,
        error: 'version contains whitespace or a character outside printable ASCII',
      };
    }
  }
  let epochEnd = 0;
  while (epochEnd < evr.length && isDigit(evr.charCodeAt(epochEnd))) epochEnd++;
  let epoch = 0;
  let epochGiven = false;
  let rest = evr;
  if (evr[epochEnd] === ':') {
    if (epochEnd === 0) return { ok: false, error: 'epoch is empty' };
    epoch = Number(evr.slice(0, epochEnd));
    if (epoch > UINT32_MAX) return { ok: false, error: 'epoch does not fit in 32 bits' };
    epochGiven = true;
    rest = evr.slice(epochEnd + 1);
  }
  if (rest.includes(':')) {
    return { ok: false, error: 'epoch must be a number (":" only follows a numeric epoch)' };
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const release = hyphen === -1 ? null : rest.slice(hyphen + 1);
  if (version === '') return { ok: false, error: 'version part is empty' };
  if (release === '') return { ok: false, error: 'release after "-" is empty' };
  return { ok: true, value: { epoch, epochGiven, version, release } };
}

/** `rpm.labelCompare()`: epoch, then version, then release (absent < present). */
export function compareRpmVersions(a: RpmVersion, b: RpmVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const byVersion = rpmvercmp(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  if (a.release === null || b.release === null) {
    return a.release === b.release ? 0 : a.release === null ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/**
 * `1:2.3-4` → `2.3-4`; a string without a numeric epoch is returned unchanged. For
 * inventories whose epoch is unknown: the matcher compares both sides without epochs.
 */
export function stripEpoch(version: string): string {
  let k = 0;
  while (k < version.length && isDigit(version.charCodeAt(k))) k++;
  return k > 0 && version[k] === ':' ? version.slice(k + 1) : version;
}

export const rpm: VersionScheme<RpmVersion> = {
  id: 'rpm',
  displayName: 'RPM (rpmvercmp)',
  specUrls: [
    'https://github.com/rpm-software-management/rpm/blob/master/rpmio/rpmvercmp.c',
    'https://rpm-software-management.github.io/rpm/manual/dependencies.html',
    'https://docs.fedoraproject.org/en-US/packaging-guidelines/Versioning/',
  ],
  ecosystems: [
    'AlmaLinux',
    'Rocky Linux',
    'Red Hat',
    'SUSE',
    'openSUSE',
    'Mageia',
    'Photon OS',
    'openEuler',
    'Azure Linux',
  ],
  parse: parseRpmVersion,
  compareParsed: compareRpmVersions,
};
