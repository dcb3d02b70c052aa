/**
 * What enrichment sources know about a vulnerability (keyed by CVE ID), each fact with the
 * source it came from and when that source said it, so that a priority can be explained.
 *
 * Sources (one folder each: kev/, epss/, cve5/, nvd/) produce `FactsByCve`; `mergeFacts`
 * combines them. Nothing here decides a priority: that is packages/policy.
 */

/** Where and when a fact was learned; shown verbatim in explanations. */
export interface Provenance {
  /** Human name of the source: `CISA KEV`, `FIRST EPSS`, `CVE 5 (CNA)`, `CVE 5 (CISA ADP)`, `NVD`, `OSV GHSA-…`. */
  readonly source: string;
  /** When the source published or last changed the fact (RFC 3339 or YYYY-MM-DD), when known. */
  readonly timestamp?: string;
  /** File or catalogue the fact was read from, for audit trails. */
  readonly origin?: string;
}

/** CISA Known Exploited Vulnerabilities catalogue entry (https://www.cisa.gov/known-exploited-vulnerabilities-catalog). */
export interface KevFact extends Provenance {
  readonly dateAdded: string;
  /** The federal due date CISA set (BOD 22-01/26-04 catalogue field). */
  readonly dueDate?: string;
  readonly knownRansomwareCampaignUse: 'Known' | 'Unknown';
  readonly vendorProject?: string;
  readonly product?: string;
  readonly vulnerabilityName?: string;
  readonly requiredAction?: string;
  readonly catalogVersion?: string;
}

/** FIRST EPSS: probability of exploitation activity in the next 30 days (https://www.first.org/epss/). */
export interface EpssFact extends Provenance {
  /** 0..1 */
  readonly score: number;
  /** 0..1 */
  readonly percentile: number;
  /** The model's score date (YYYY-MM-DD or RFC 3339). */
  readonly scoreDate: string;
  readonly modelVersion?: string;
}

export const cvssVersions = ['2.0', '3.0', '3.1', '4.0'] as const;
export type CvssVersion = (typeof cvssVersions)[number];

/** One CVSS vector as a source published it; scores are computed by packages/cvss. */
export interface CvssFact extends Provenance {
  readonly version: CvssVersion;
  readonly vector: string;
  /** The base score the source itself stated, when it did (kept to cross-check ours). */
  readonly statedBaseScore?: number;
  /** `Primary`/`Secondary` (NVD) or `cna`/`adp` (CVE 5). */
  readonly kind?: string;
}

/** CISA SSVC decision points, as CISA's ADP publishes them in CVE 5 records (vulnrichment). */
export const ssvcExploitation = ['none', 'poc', 'active'] as const;
export type SsvcExploitation = (typeof ssvcExploitation)[number];
export const ssvcAutomatable = ['no', 'yes'] as const;
export type SsvcAutomatable = (typeof ssvcAutomatable)[number];
export const ssvcTechnicalImpact = ['partial', 'total'] as const;
export type SsvcTechnicalImpact = (typeof ssvcTechnicalImpact)[number];

export interface SsvcFact extends Provenance {
  readonly exploitation?: SsvcExploitation;
  readonly automatable?: SsvcAutomatable;
  readonly technicalImpact?: SsvcTechnicalImpact;
  /** SSVC version / role as published (`2.0.3`, `CISA Coordinator`). */
  readonly version?: string;
  readonly role?: string;
}

export interface VulnerabilityFacts {
  /** CVE ID, upper case: `CVE-2024-3094`. */
  readonly cve: string;
  readonly kev?: KevFact;
  readonly epss?: EpssFact;
  readonly cvss: readonly CvssFact[];
  readonly ssvc?: SsvcFact;
  readonly cwes: readonly string[];
  /** CVE publication date, when a source gave it. */
  readonly published?: string;
}

export type FactsByCve = ReadonlyMap<string, VulnerabilityFacts>;

/** A record a source could not read: reported and skipped, never fatal to the rest. */
export interface SourceError {
  readonly origin: string;
  readonly message: string;
}

export interface EnrichmentResult {
  readonly facts: Map<string, VulnerabilityFacts>;
  readonly errors: SourceError[];
  /** e.g. `{ catalogVersion: '2025.08.25', count: 1404 }` or the EPSS model/score date. */
  readonly metadata: Readonly<Record<string, string | number>>;
}

/** One input, already read into memory (text; gzip is undone by the caller). */
export interface SourceInput {
  readonly path: string;
  readonly text: string;
}

/** The contract of an enrichment source (one folder each under ./). */
export interface EnrichmentSource {
  /** `kev`, `epss`, `cve5`, `nvd` */
  readonly id: string;
  readonly displayName: string;
  readonly specUrls: readonly string[];
  /** 0..1 from the name and the first bytes only. */
  detect(input: SourceInput): number;
  /** Lenient: one bad entry is an error entry, the rest is read. */
  parse(input: SourceInput): EnrichmentResult;
}

const empty = (cve: string): VulnerabilityFacts => ({ cve, cvss: [], cwes: [] });

/** Keep the later of two timestamped facts of the same kind (undefined timestamps lose). */
function later<T extends Provenance>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (b.timestamp ?? '') > (a.timestamp ?? '') ? b : a;
}

/**
 * Combine facts from several sources. KEV and EPSS: the most recent wins. CVSS vectors are all
 * kept (de-duplicated by source+vector): the policy chooses. SSVC: CISA's ADP values are
 * authoritative (BOD 26-04 implementation guidance), so a CISA SSVC fact replaces others.
 */
export function mergeFacts(...maps: readonly FactsByCve[]): Map<string, VulnerabilityFacts> {
  const merged = new Map<string, VulnerabilityFacts>();
  for (const map of maps) {
    for (const [cve, facts] of map) {
      const current = merged.get(cve) ?? empty(cve);
      const cvss = [...current.cvss];
      for (const fact of facts.cvss) {
        if (!cvss.some((c) => c.source === fact.source && c.vector === fact.vector))
          cvss.push(fact);
      }
      const ssvc =
        facts.ssvc === undefined
          ? current.ssvc
          : current.ssvc === undefined || facts.ssvc.source.includes('CISA')
            ? facts.ssvc
            : current.ssvc;
      const kev = later(current.kev, facts.kev);
      const epss = later(current.epss, facts.epss);
      const published = current.published ?? facts.published;
      merged.set(cve, {
        cve,
        ...(kev !== undefined && { kev }),
        ...(epss !== undefined && { epss }),
        cvss,
        ...(ssvc !== undefined && { ssvc }),
        cwes: [...new Set([...current.cwes, ...facts.cwes])],
        ...(published !== undefined && { published }),
      });
    }
  }
  return merged;
}
