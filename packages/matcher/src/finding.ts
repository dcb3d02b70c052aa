import type { SeverityLevel } from './severity.ts';

/** One installed package affected by one advisory, with everything needed to act on it. */
export interface Finding {
  /** The inventory the package came from (the path the user gave). */
  readonly inventory: string;
  readonly package: {
    readonly ecosystem: string;
    readonly name: string;
    readonly version: string;
    readonly sourceName?: string;
    readonly sourceVersion?: string;
    readonly purl?: string;
    readonly location?: string;
  };
  readonly advisory: {
    readonly id: string;
    readonly aliases: readonly string[];
    /** The CVEs the advisory is about (aliases, upstream, and an erratum's `related`), for enrichment. */
    readonly cves: readonly string[];
    readonly summary?: string;
    readonly modified?: string;
    readonly published?: string;
    readonly severity: SeverityLevel;
    /** Where the severity came from in the record; absent when it states none. */
    readonly severitySource?: string;
    /** CVSS vectors the record carries (scored by prioritisation). */
    readonly cvss: readonly { readonly type: string; readonly score: string }[];
  };
  /** How the match was made: which advisory package, which version, which rule. */
  readonly match: {
    readonly ecosystem: string;
    readonly name: string;
    /** The installed version that was compared (the source version for source-named distributions). */
    readonly version: string;
    readonly by: 'range' | 'versions';
    readonly range?: string;
    /** Set when the inventory had no epochs and epochs were ignored on both sides (ADR 0003). */
    readonly epochIgnored?: true;
  };
  /** Versions that fix it, lowest first; empty when no fix is published. */
  readonly fixedVersions: readonly string[];
}

/** Something the user should know about a scan that is not a finding. */
export interface MatchNote {
  readonly kind:
    | 'release-unknown'
    | 'release-conflict'
    | 'unsupported-ecosystem'
    | 'not-evaluable'
    | 'invalid-installed-version'
    | 'non-security-errata';
  readonly message: string;
  readonly inventory?: string;
  readonly count: number;
}
