import type { ParseResult, VersionScheme } from '../../scheme.ts';

/**
 * NuGet's `NuGetVersion` and `VersionComparer.Default` (NuGet.Versioning): SemVer 2.0 plus an
 * optional fourth "revision" number, case-insensitive release labels, metadata ignored.
 */
export interface NuGetVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly revision: number;
  /**
   * Release label parts as compared: an Int32 (`Int32.TryParse` succeeds) or the part in upper
   * case (compared ordinally, ignoring case). Empty for a release version.
   */
  readonly release: readonly (number | string)[];
}

const versionPattern =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const int32Max = 2147483647;
const int32Min = -2147483648;

/** `Int32.TryParse`: an optional sign and digits, within range. */
function int32(text: string): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const digits = text.replace(/^-?0+(?=\d)/, '');
  if (digits.replace('-', '').length > 10) return undefined;
  const value = Number(text);
  return value >= int32Min && value <= int32Max ? value : undefined;
}

export function parseNuGet(version: string): ParseResult<NuGetVersion> {
  if (version === '') return { ok: false, error: 'version is empty' };
  const match = versionPattern.exec(version);
  if (!match) {
    return {
      ok: false,
      error:
        'not a NuGet version: 1 to 4 dot-separated numbers, then optional -label and +metadata',
    };
  }
  const numbers: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = match[i];
    const value = part === undefined ? 0 : int32(part);
    if (value === undefined)
      return { ok: false, error: `version part ${part} does not fit in an Int32` };
    numbers.push(value);
  }
  const label = match[5];
  const release =
    label === undefined ? [] : label.split('.').map((part) => int32(part) ?? part.toUpperCase());
  const [major = 0, minor = 0, patch = 0, revision = 0] = numbers;
  return { ok: true, value: { major, minor, patch, revision, release } };
}

/** `VersionComparer.Default`: numbers, then release labels (none sorts after any); metadata ignored. */
export function compareNuGet(a: NuGetVersion, b: NuGetVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.revision !== b.revision) return a.revision - b.revision;
  const left = a.release;
  const right = b.release;
  if (left.length === 0 || right.length === 0) return right.length - left.length;
  const common = Math.min(left.length, right.length);
  for (let i = 0; i < common; i++) {
    const x = left[i] as number | string;
    const y = right[i] as number | string;
    if (typeof x === 'number') {
      if (typeof y !== 'number') return -1;
      if (x !== y) return x - y;
    } else {
      if (typeof y === 'number') return 1;
      // OrdinalIgnoreCase: both sides are stored upper-cased, so an ordinal comparison is enough.
      if (x !== y) return x < y ? -1 : 1;
    }
  }
  return left.length - right.length;
}

export const nuget: VersionScheme<NuGetVersion> = {
  id: 'nuget',
  displayName: 'NuGet (NuGet.Versioning)',
  specUrls: [
    'https://learn.microsoft.com/en-us/nuget/concepts/package-versioning',
    'https://github.com/NuGet/NuGet.Client/tree/dev/src/NuGet.Core/NuGet.Versioning',
    'https://semver.org/spec/v2.0.0.html',
  ],
  ecosystems: ['NuGet'],
  parse: parseNuGet,
  compareParsed: compareNuGet,
};
