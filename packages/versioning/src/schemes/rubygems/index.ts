import type { ParseResult, VersionScheme } from '../../scheme.ts';

/**
 * RubyGems' `Gem::Version` (RubyGems 3.3, Ruby 3.1 in Debian 12), checked pair by pair against
 * the real `Gem::Version#<=>` (testdata/rubygems/generated-gem-version.txt).
 */

/** A numeric segment: a number, or its digits (no leading zeros) when beyond 2^53. */
export type RubyGemsNumber = number | { readonly digits: string };
/** A segment: a number or a run of ASCII letters (case-sensitive, compared bytewise). */
export type RubyGemsSegment = RubyGemsNumber | string;

export interface RubyGemsVersion {
  /** `Gem::Version#canonical_segments`: trailing zeros of the release and prerelease parts dropped. */
  readonly segments: readonly RubyGemsSegment[];
  /** A letter anywhere makes a prerelease (`Gem::Version#prerelease?`). */
  readonly prerelease: boolean;
}

// Gem::Version::VERSION_PATTERN, without the surrounding whitespace Ruby strips (see readme).
const versionPattern = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const segmentPattern = /[0-9]+|[a-z]+/gi;

function numberSegment(token: string): RubyGemsNumber {
  let start = 0;
  while (start < token.length - 1 && token.charCodeAt(start) === 48) start++;
  const digits = token.slice(start);
  return digits.length <= 15 ? Number(digits) : { digits };
}

const isZero = (segment: RubyGemsSegment): boolean => segment === 0;

export function parseRubyGems(version: string): ParseResult<RubyGemsVersion> {
  if (version === '') return { ok: false, error: 'version is empty' };
  if (!versionPattern.test(version)) {
    return {
      ok: false,
      error: /^[0-9]/.test(version)
        ? 'not a Gem::Version: only digits and letters in dot-separated segments, then an optional "-" part'
        : 'a Gem::Version starts with a digit',
    };
  }
  // Gem::Version#initialize turns every "-" into ".pre.", then #segments scans digit and letter runs.
  const all: RubyGemsSegment[] = [];
  for (const match of version.replaceAll('-', '.pre.').matchAll(segmentPattern)) {
    const token = match[0];
    const c = token.charCodeAt(0);
    all.push(c >= 48 && c <= 57 ? numberSegment(token) : token);
  }
  // canonical_segments: split at the first letter segment, drop trailing zeros of each part.
  let firstString = all.findIndex((segment) => typeof segment === 'string');
  if (firstString === -1) firstString = all.length;
  let releaseEnd = firstString;
  while (releaseEnd > 0 && isZero(all[releaseEnd - 1] as RubyGemsSegment)) releaseEnd--;
  let end = all.length;
  while (end > firstString && isZero(all[end - 1] as RubyGemsSegment)) end--;
  const segments = [...all.slice(0, releaseEnd), ...all.slice(firstString, end)];
  return { ok: true, value: { segments, prerelease: firstString < all.length } };
}

function compareNumbers(a: RubyGemsNumber, b: RubyGemsNumber): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  if (a.digits.length !== b.digits.length) return a.digits.length - b.digits.length;
  return a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
}

/** `Gem::Version#<=>`: a missing segment is 0; a letter segment sorts below any number. */
export function compareRubyGems(a: RubyGemsVersion, b: RubyGemsVersion): number {
  const left = a.segments;
  const right = b.segments;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i] ?? 0;
    const y = right[i] ?? 0;
    if (typeof x === 'string') {
      if (typeof y !== 'string') return -1;
      // Ruby's String#<=> compares bytes; segments are ASCII letters, so code units agree.
      if (x !== y) return x < y ? -1 : 1;
    } else {
      if (typeof y === 'string') return 1;
      const order = compareNumbers(x, y);
      if (order !== 0) return order;
    }
  }
  return 0;
}

export const rubygems: VersionScheme<RubyGemsVersion> = {
  id: 'rubygems',
  displayName: 'RubyGems (Gem::Version)',
  specUrls: [
    'https://guides.rubygems.org/patterns/#semantic-versioning',
    'https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb',
  ],
  ecosystems: ['RubyGems'],
  parse: parseRubyGems,
  compareParsed: compareRubyGems,
};
