/**
 * GET /api/v1/advisories/{id} answers the OSV record as read (`Record<string, unknown>`: OSV is
 * a third-party format, kept whole) and the enrichment facts of its CVEs. This reads both into
 * what the screen shows, leniently: a field of the wrong type is left out, never trusted, never
 * thrown on. Field names follow the OSV schema (https://ossf.github.io/osv-schema/) and
 * @patchgate/sources' `VulnerabilityFacts`.
 */
import type { paths } from '../../api/client.ts';

export type AdvisoryDetail =
  paths['/api/v1/advisories/{id}']['get']['responses']['200']['content']['application/json'];
export type AdvisoryList =
  paths['/api/v1/advisories']['get']['responses']['200']['content']['application/json'];
export type AdvisorySummary = AdvisoryList['advisories'][number];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter(isRecord) : [];

export interface OsvSeverity {
  readonly type: string;
  readonly score: string;
}
export interface OsvEvent {
  readonly kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  readonly version: string;
}
export interface OsvRange {
  readonly type: string;
  readonly repo?: string | undefined;
  readonly events: readonly OsvEvent[];
}
export interface OsvAffected {
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string | undefined;
  readonly ranges: readonly OsvRange[];
  readonly versions: readonly string[];
  readonly severity: readonly OsvSeverity[];
}
export interface OsvReference {
  readonly type: string;
  readonly url: string;
}
export interface OsvView {
  readonly id: string;
  readonly summary?: string | undefined;
  readonly details?: string | undefined;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  readonly upstream: readonly string[];
  readonly published?: string | undefined;
  readonly modified?: string | undefined;
  readonly withdrawn?: string | undefined;
  readonly severity: readonly OsvSeverity[];
  readonly affected: readonly OsvAffected[];
  readonly references: readonly OsvReference[];
  readonly credits: readonly string[];
}

const eventKinds = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

const severities = (value: unknown): OsvSeverity[] =>
  records(value).flatMap((entry) => {
    const type = text(entry['type']);
    const score = text(entry['score']);
    return type !== undefined && score !== undefined ? [{ type, score }] : [];
  });

/** Only http(s) links become links: a `javascript:` or `data:` URL in a record stays text. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function readOsv(record: Record<string, unknown>, fallbackId: string): OsvView {
  return {
    id: text(record['id']) ?? fallbackId,
    summary: text(record['summary']),
    details: text(record['details']),
    aliases: texts(record['aliases']),
    related: texts(record['related']),
    upstream: texts(record['upstream']),
    published: text(record['published']),
    modified: text(record['modified']),
    withdrawn: text(record['withdrawn']),
    severity: severities(record['severity']),
    affected: records(record['affected']).map((entry) => {
      const pkg = isRecord(entry['package']) ? entry['package'] : {};
      return {
        ecosystem: text(pkg['ecosystem']) ?? '—',
        name: text(pkg['name']) ?? '—',
        purl: text(pkg['purl']),
        ranges: records(entry['ranges']).map((range) => ({
          type: text(range['type']) ?? '—',
          repo: text(range['repo']),
          events: records(range['events']).flatMap((event) =>
            eventKinds.flatMap((kind) => {
              const version = text(event[kind]);
              return version === undefined ? [] : [{ kind, version }];
            }),
          ),
        })),
        versions: texts(entry['versions']),
        severity: severities(entry['severity']),
      };
    }),
    references: records(record['references']).flatMap((entry) => {
      const url = text(entry['url']);
      return url === undefined ? [] : [{ type: text(entry['type']) ?? 'WEB', url }];
    }),
    credits: records(record['credits']).flatMap((entry) => {
      const name = text(entry['name']);
      return name === undefined ? [] : [name];
    }),
  };
}

/** `introduced 0, fixed 1.2.3` → `< 1.2.3`; each range as a person reads it. */
export function describeRange(range: OsvRange): string {
  const parts: string[] = [];
  let lower: string | undefined;
  for (const event of range.events) {
    if (event.kind === 'introduced') lower = event.version;
    else {
      const from = lower === undefined || lower === '0' ? '' : `≥ ${lower}, `;
      const to =
        event.kind === 'fixed'
          ? `< ${event.version} (fixed in ${event.version})`
          : event.kind === 'limit'
            ? `< ${event.version}`
            : `≤ ${event.version}`;
      parts.push(`${from}${to}`);
      lower = undefined;
    }
  }
  if (lower !== undefined) parts.push(lower === '0' ? 'every version' : `≥ ${lower} (no fix)`);
  return parts.join('; ');
}

// --- enrichment facts -------------------------------------------------------------------------

export type CvssSeverity = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface KevView {
  readonly dateAdded?: string | undefined;
  readonly dueDate?: string | undefined;
  readonly ransomware?: string | undefined;
  readonly vendorProject?: string | undefined;
  readonly product?: string | undefined;
  readonly vulnerabilityName?: string | undefined;
  readonly requiredAction?: string | undefined;
  readonly source?: string | undefined;
}
export interface EpssView {
  readonly score: number;
  readonly percentile?: number | undefined;
  readonly scoreDate?: string | undefined;
  readonly modelVersion?: string | undefined;
  readonly source?: string | undefined;
}
export interface CvssView {
  readonly version?: string | undefined;
  readonly vector: string;
  readonly baseScore?: number | undefined;
  readonly severity?: CvssSeverity | undefined;
  readonly source?: string | undefined;
  readonly kind?: string | undefined;
}
export interface SsvcView {
  readonly exploitation?: string | undefined;
  readonly automatable?: string | undefined;
  readonly technicalImpact?: string | undefined;
  readonly version?: string | undefined;
  readonly role?: string | undefined;
  readonly source?: string | undefined;
  readonly timestamp?: string | undefined;
}
export interface FactsView {
  readonly cve: string;
  readonly published?: string | undefined;
  readonly kev?: KevView | undefined;
  readonly epss?: EpssView | undefined;
  readonly cvss: readonly CvssView[];
  readonly ssvc?: SsvcView | undefined;
  readonly cwes: readonly string[];
}

/**
 * The qualitative rating of a base score: CVSS v3.x/v4.0 (FIRST: none 0, low 0.1–3.9, medium
 * 4.0–6.9, high 7.0–8.9, critical 9.0–10.0); v2 has no critical band (NVD: high 7.0–10.0).
 */
export function severityOf(score: number, version: string | undefined): CvssSeverity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (version === '2.0' || score < 9) return 'high';
  return 'critical';
}

const cvssSeverities = ['none', 'low', 'medium', 'high', 'critical'] as const;

export function readFacts(fact: Record<string, unknown>): FactsView | undefined {
  const cve = text(fact['cve']);
  if (cve === undefined) return undefined;
  const kev = isRecord(fact['kev']) ? fact['kev'] : undefined;
  const epss = isRecord(fact['epss']) ? fact['epss'] : undefined;
  const ssvc = isRecord(fact['ssvc']) ? fact['ssvc'] : undefined;
  const epssScore = epss === undefined ? undefined : number(epss['score']);
  return {
    cve,
    published: text(fact['published']),
    kev:
      kev === undefined
        ? undefined
        : {
            dateAdded: text(kev['dateAdded']),
            dueDate: text(kev['dueDate']),
            ransomware: text(kev['knownRansomwareCampaignUse']),
            vendorProject: text(kev['vendorProject']),
            product: text(kev['product']),
            vulnerabilityName: text(kev['vulnerabilityName']),
            requiredAction: text(kev['requiredAction']),
            source: text(kev['source']),
          },
    epss:
      epss === undefined || epssScore === undefined
        ? undefined
        : {
            score: epssScore,
            percentile: number(epss['percentile']),
            scoreDate: text(epss['scoreDate']),
            modelVersion: text(epss['modelVersion']),
            source: text(epss['source']),
          },
    cvss: records(fact['cvss']).flatMap((entry) => {
      const vector = text(entry['vector']);
      if (vector === undefined) return [];
      const version = text(entry['version']);
      // A score the server computed wins; else the one the source stated.
      const baseScore = number(entry['baseScore']) ?? number(entry['statedBaseScore']);
      const stated = cvssSeverities.find((s) => s === entry['severity']);
      return [
        {
          version,
          vector,
          baseScore,
          severity:
            stated ?? (baseScore === undefined ? undefined : severityOf(baseScore, version)),
          source: text(entry['source']),
          kind: text(entry['kind']),
        },
      ];
    }),
    ssvc:
      ssvc === undefined
        ? undefined
        : {
            exploitation: text(ssvc['exploitation']),
            automatable: text(ssvc['automatable']),
            technicalImpact: text(ssvc['technicalImpact']),
            version: text(ssvc['version']),
            role: text(ssvc['role']),
            source: text(ssvc['source']),
            timestamp: text(ssvc['timestamp']),
          },
    cwes: texts(fact['cwes']),
  };
}
