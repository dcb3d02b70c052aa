/**
 * From a `PolicyInput` to the values a policy decides on, each with its source and timestamp
 * so that the decision can list them (`ExplanationInput`).
 *
 * An advisory may name several CVEs (a Debian DSA often fixes five): inputs are derived per
 * CVE, each policy decides per CVE and the most urgent decision wins (see `decide.ts`). With no
 * facts at all, one set of inputs is derived from the advisory alone.
 */
import { scoreCvss } from '@patchgate/cvss';
import type {
  CvssFact,
  CvssVersion,
  SsvcAutomatable,
  SsvcExploitation,
  SsvcTechnicalImpact,
  VulnerabilityFacts,
} from '@patchgate/sources';
import { isCalendarDate, toCalendarDate } from './dates.ts';
import type {
  AssetContext,
  Criticality,
  Environment,
  ExplanationInput,
  Exposure,
  PolicyFinding,
  PolicyInput,
  SeverityName,
} from './types.ts';

/** A value with where it came from; `source` says so too when a value is absent or assumed. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
  readonly timestamp?: string;
}

export type Severity = SeverityName | 'unknown';

/** The CVSS vector chosen for a CVE and its score. */
export interface ChosenCvss {
  readonly version: CvssVersion;
  readonly vector: string;
  readonly baseScore: number;
  readonly severity: SeverityName;
  /** `NVD (Primary)`, `CVE 5 (CNA)`, `advisory DSA-5523-1`… */
  readonly source: string;
  readonly timestamp?: string;
  /** `computed` by @patchgate/cvss, or `stated` by the source when the vector did not score. */
  readonly scoredBy: 'computed' | 'stated';
  /** Why this vector: `CVSS 3.1 (highest version available), CNA/Primary source`. */
  readonly reason: string;
}

export interface CveInputs {
  /** Undefined when the advisory maps to no CVE with facts. */
  readonly cve: string | undefined;
  readonly kev: Sourced<boolean>;
  readonly kevDateAdded: Sourced<string | null>;
  readonly kevDueDate: Sourced<string | null>;
  readonly ransomware: Sourced<boolean | null>;
  readonly epss: Sourced<number | null>;
  readonly epssPercentile: Sourced<number | null>;
  readonly cvss: ChosenCvss | undefined;
  readonly cvssScore: Sourced<number | null>;
  readonly severity: Sourced<Severity>;
  readonly exploitation: Sourced<SsvcExploitation | null>;
  readonly automatable: Sourced<SsvcAutomatable | null>;
  readonly technicalImpact: Sourced<SsvcTechnicalImpact | null>;
  /** Release date of the advisory (YYYY-MM-DD), when it states one. */
  readonly published: Sourced<string | null>;
}

export interface AssetInputs {
  readonly exposure: Sourced<Exposure>;
  readonly environment: Sourced<Environment | null>;
  readonly criticality: Sourced<Criticality | null>;
  readonly tags: Sourced<readonly string[]>;
}

const versionRank: Record<CvssVersion, number> = { '4.0': 0, '3.1': 1, '3.0': 2, '2.0': 3 };

function versionOfVector(vector: string, type?: string): CvssVersion | undefined {
  const prefix = /^CVSS:(\d\.\d)\//.exec(vector)?.[1];
  if (prefix === '4.0' || prefix === '3.1' || prefix === '3.0') return prefix;
  if (prefix === undefined && (type === 'CVSS_V2' || type === '2.0')) return '2.0';
  return undefined;
}

/** FIRST qualitative ratings (CVSS 3.x/4.0 spec §5; NVD's three bands for 2.0). */
export function severityOfScore(version: CvssVersion, score: number): SeverityName {
  if (version === '2.0') return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

interface Candidate {
  readonly version: CvssVersion;
  readonly vector: string;
  readonly source: string;
  readonly timestamp?: string;
  readonly statedBaseScore?: number;
  /** 0: CNA/NVD Primary, 1: the advisory's own vector, 2: any other source (ADP, Secondary…). */
  readonly rank: 0 | 1 | 2;
}

function isPrimary(fact: CvssFact): boolean {
  const kind = fact.kind?.toLowerCase();
  return kind === 'primary' || kind === 'cna' || /\(CNA[ )]/.test(fact.source);
}

function factSource(fact: CvssFact): string {
  return fact.kind === undefined || fact.source.toLowerCase().includes(fact.kind.toLowerCase())
    ? fact.source
    : `${fact.source} (${fact.kind})`;
}

const rankReason = ['CNA/Primary source', "the advisory's own vector", 'no CNA/Primary vector'];

/**
 * Preference: CVSS 4.0 > 3.1 > 3.0 > 2.0; within a version the CNA's (CVE 5) or NVD's Primary
 * vector, else the advisory's own, else any other. Vectors that neither score nor carry a stated
 * score are skipped.
 */
export function chooseCvss(
  facts: readonly CvssFact[],
  finding: PolicyFinding,
): ChosenCvss | undefined {
  const candidates: Candidate[] = [];
  for (const fact of facts) {
    candidates.push({
      version: fact.version,
      vector: fact.vector,
      source: factSource(fact),
      ...(fact.timestamp !== undefined && { timestamp: fact.timestamp }),
      ...(fact.statedBaseScore !== undefined && { statedBaseScore: fact.statedBaseScore }),
      rank: isPrimary(fact) ? 0 : 2,
    });
  }
  for (const entry of finding.advisoryCvss) {
    const version = versionOfVector(entry.score, entry.type);
    if (version === undefined) continue;
    candidates.push({
      version,
      vector: entry.score,
      source: `advisory ${finding.advisoryId}`,
      ...(finding.advisoryPublished !== undefined && { timestamp: finding.advisoryPublished }),
      rank: 1,
    });
  }
  const ordered = candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort(
      (a, b) =>
        versionRank[a.candidate.version] - versionRank[b.candidate.version] ||
        a.candidate.rank - b.candidate.rank ||
        a.index - b.index,
    );
  for (const { candidate } of ordered) {
    const reason = `CVSS ${candidate.version}, ${rankReason[candidate.rank] ?? ''}`;
    const scored = scoreCvss(candidate.vector);
    const base = {
      vector: candidate.vector,
      source: candidate.source,
      ...(candidate.timestamp !== undefined && { timestamp: candidate.timestamp }),
      reason,
    };
    if (scored.ok) {
      return {
        ...base,
        version: scored.value.version,
        baseScore: scored.value.baseScore,
        severity: scored.value.severity,
        scoredBy: 'computed',
      };
    }
    if (candidate.statedBaseScore !== undefined) {
      return {
        ...base,
        version: candidate.version,
        baseScore: candidate.statedBaseScore,
        severity: severityOfScore(candidate.version, candidate.statedBaseScore),
        scoredBy: 'stated',
      };
    }
  }
  return undefined;
}

const statedWords: Record<string, SeverityName> = {
  critical: 'critical',
  important: 'high',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  none: 'none',
};

/** Severity: from CVSS when a vector scored, else the advisory's stated words, else unknown. */
export function deriveSeverity(
  cvss: ChosenCvss | undefined,
  finding: PolicyFinding,
): Sourced<Severity> {
  if (cvss !== undefined) {
    return {
      value: cvss.severity,
      source: `CVSS ${cvss.version} base score ${cvss.baseScore} (${cvss.source})`,
      ...(cvss.timestamp !== undefined && { timestamp: cvss.timestamp }),
    };
  }
  const word = statedWords[finding.statedSeverity.trim().toLowerCase()];
  if (word !== undefined) {
    const where = finding.statedSeveritySource ?? 'stated severity';
    return { value: word, source: `advisory ${finding.advisoryId}: ${where}` };
  }
  return { value: 'unknown', source: 'no CVSS vector and no stated severity' };
}

function sourced<T>(value: T, source: string, timestamp: string | undefined): Sourced<T> {
  return timestamp === undefined ? { value, source } : { value, source, timestamp };
}

const notInKev = 'not listed in the CISA KEV catalogue given';

function cveInputs(facts: VulnerabilityFacts | undefined, finding: PolicyFinding): CveInputs {
  const kev = facts?.kev;
  const epss = facts?.epss;
  const ssvc = facts?.ssvc;
  const cvss = chooseCvss(facts?.cvss ?? [], finding);
  const advisoryDate =
    finding.advisoryPublished === undefined ? undefined : toCalendarDate(finding.advisoryPublished);
  const noSsvc = 'no SSVC decision published';
  return {
    cve: facts?.cve,
    kev:
      kev === undefined
        ? { value: false, source: notInKev }
        : sourced(true, kev.source, kev.timestamp),
    kevDateAdded:
      kev === undefined
        ? { value: null, source: notInKev }
        : sourced(kev.dateAdded, kev.source, kev.timestamp),
    kevDueDate:
      kev === undefined
        ? { value: null, source: notInKev }
        : kev.dueDate !== undefined && isCalendarDate(kev.dueDate)
          ? sourced(kev.dueDate, kev.source, kev.timestamp)
          : sourced(null, `${kev.source}: no due date`, kev.timestamp),
    ransomware:
      kev === undefined
        ? { value: null, source: notInKev }
        : sourced(
            kev.knownRansomwareCampaignUse === 'Known',
            `${kev.source}: knownRansomwareCampaignUse ${kev.knownRansomwareCampaignUse}`,
            kev.timestamp,
          ),
    epss:
      epss === undefined
        ? { value: null, source: 'no EPSS score' }
        : sourced(epss.score, epss.source, epss.scoreDate),
    epssPercentile:
      epss === undefined
        ? { value: null, source: 'no EPSS score' }
        : sourced(epss.percentile, epss.source, epss.scoreDate),
    cvss,
    cvssScore:
      cvss === undefined
        ? { value: null, source: 'no CVSS vector scored' }
        : sourced(cvss.baseScore, `${cvss.source}: ${cvss.vector}`, cvss.timestamp),
    severity: deriveSeverity(cvss, finding),
    exploitation:
      ssvc?.exploitation === undefined
        ? { value: null, source: noSsvc }
        : sourced(ssvc.exploitation, ssvc.source, ssvc.timestamp),
    automatable:
      ssvc?.automatable === undefined
        ? { value: null, source: noSsvc }
        : sourced(ssvc.automatable, ssvc.source, ssvc.timestamp),
    technicalImpact:
      ssvc?.technicalImpact === undefined
        ? { value: null, source: noSsvc }
        : sourced(ssvc.technicalImpact, ssvc.source, ssvc.timestamp),
    published:
      advisoryDate === undefined
        ? { value: null, source: `advisory ${finding.advisoryId} states no publication date` }
        : sourced(
            advisoryDate,
            `advisory ${finding.advisoryId} published`,
            finding.advisoryPublished,
          ),
  };
}

/** One set of inputs per CVE with facts (sorted by CVE ID), or one from the advisory alone. */
export function deriveCveInputs(input: PolicyInput): readonly CveInputs[] {
  if (input.facts.length === 0) return [cveInputs(undefined, input.finding)];
  return [...input.facts]
    .sort((a, b) => (a.cve < b.cve ? -1 : a.cve > b.cve ? 1 : 0))
    .map((facts) => cveInputs(facts, input.finding));
}

export function deriveAssetInputs(asset: AssetContext): AssetInputs {
  const source = asset.name === undefined ? 'asset context' : `asset context (${asset.name})`;
  return {
    exposure: { value: asset.exposure, source },
    environment: { value: asset.environment ?? null, source },
    criticality: { value: asset.criticality ?? null, source },
    tags: { value: asset.tags, source },
  };
}

/** One line of an explanation. */
export function explainInput(
  name: string,
  input: Sourced<string | number | boolean | null | readonly string[]>,
): ExplanationInput {
  const value = Array.isArray(input.value) ? input.value.join(',') : input.value;
  return {
    name,
    value: value as string | number | boolean | null,
    source: input.source,
    ...(input.timestamp !== undefined && { timestamp: input.timestamp }),
  };
}

/** The `cvss` input line: the chosen vector, the reason it was chosen and its score. */
export function explainCvss(cvss: ChosenCvss | undefined): ExplanationInput {
  if (cvss === undefined)
    return { name: 'cvssVector', value: null, source: 'no CVSS vector scored' };
  return {
    name: 'cvssVector',
    value: cvss.vector,
    source: `${cvss.source}; chosen: ${cvss.reason}; base score ${cvss.baseScore} ${cvss.scoredBy === 'computed' ? 'computed' : 'as stated by the source'}`,
    ...(cvss.timestamp !== undefined && { timestamp: cvss.timestamp }),
  };
}
