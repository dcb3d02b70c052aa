/**
 * The contract every version scheme implements. A scheme knows one ecosystem family's
 * rules for reading and ordering version strings; it never guesses: a string that is not
 * a valid version of the scheme is reported as an error, not coerced.
 */

/** An expected domain outcome: a version parses, or it does not and we say why. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface VersionScheme<Parsed = unknown> {
  /** Stable identifier, kebab-case: `debian`, `rpm`, `semver`, `pep440`… */
  readonly id: string;
  /** Human name for messages and docs: "Debian (dpkg)". */
  readonly displayName: string;
  /** Where the rules come from; the scheme's readme.md cites the same links. */
  readonly specUrls: readonly string[];
  /**
   * OSV ecosystem base names this scheme orders (without any `:release` suffix),
   * exactly as https://ossf.github.io/osv-schema/#affectedpackage-field spells them.
   */
  readonly ecosystems: readonly string[];
  /** Read a version string. Pure; never throws. */
  parse(version: string): ParseResult<Parsed>;
  /** Order two parsed versions: negative when a < b, 0 when equal, positive when a > b. */
  compareParsed(a: Parsed, b: Parsed): number;
}

/** Thrown only by the convenience helpers that cannot return a result (see `compareVersions`). */
export class InvalidVersionError extends Error {
  readonly code = 'invalid_version';
  constructor(
    readonly schemeId: string,
    readonly version: string,
    readonly reason: string,
  ) {
    super(`invalid ${schemeId} version "${version}": ${reason}`);
    this.name = 'InvalidVersionError';
  }
}

/** Parse or throw an InvalidVersionError naming the scheme. */
export function parseOrThrow<P>(scheme: VersionScheme<P>, version: string): P {
  const result = scheme.parse(version);
  if (!result.ok) throw new InvalidVersionError(scheme.id, version, result.error);
  return result.value;
}

/** Compare two version strings under a scheme; -1, 0 or 1. Throws InvalidVersionError. */
export function compareVersions<P>(scheme: VersionScheme<P>, a: string, b: string): -1 | 0 | 1 {
  const order = scheme.compareParsed(parseOrThrow(scheme, a), parseOrThrow(scheme, b));
  return order < 0 ? -1 : order > 0 ? 1 : 0;
}
