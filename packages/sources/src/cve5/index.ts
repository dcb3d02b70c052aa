/**
 * CVE JSON 5.x records (cvelistV5, cisagov/vulnrichment, CVE Services): CNA and ADP CVSS,
 * CISA's ADP SSVC decision points and KEV marker, CWE IDs (see ./readme.md).
 * Schema: https://github.com/CVEProject/cve-schema/blob/main/schema/CVE_Record_Format.json
 */
import { isCveId } from '@patchgate/osv';
import { parseJson } from '@patchgate/safe-parse';
import type {
  CvssFact,
  CvssVersion,
  EnrichmentResult,
  EnrichmentSource,
  KevFact,
  SourceError,
  SourceInput,
  SsvcFact,
  VulnerabilityFacts,
} from '../facts.ts';
import { ssvcAutomatable, ssvcExploitation, ssvcTechnicalImpact } from '../facts.ts';

import type { Json } from '../json.ts';
import { isObject, objects, text } from '../json.ts';

/** `shortName` of CISA's ADP container (https://www.cve.org/Media/News/item/blog/2024/06/04/CISA-Added-as-CVE-Authorized-Data-Publisher). */
export const CISA_ADP_SHORT_NAME = 'CISA-ADP';
export const CISA_ADP_SOURCE_NAME = 'CVE 5 (CISA ADP)';

/** Schema `metrics[]` keys → CVSS versions (cvssV2_0 … cvssV4_0). */
const METRIC_KEYS: readonly (readonly [string, CvssVersion])[] = [
  ['cvssV2_0', '2.0'],
  ['cvssV3_0', '3.0'],
  ['cvssV3_1', '3.1'],
  ['cvssV4_0', '4.0'],
];

// Schema cveId pattern: `^CVE-[0-9]{4}-[0-9]{4,19}$`.
const CWE_AT_START = /^CWE-\d+/;
const DATE = /^\d{4}-\d{2}-\d{2}/;

/** What one container (CNA or ADP) says, as provenance names it. */
interface Container {
  readonly json: Json;
  readonly sourceName: string;
  readonly kind: 'cna' | 'adp';
  readonly dateUpdated: string | undefined;
}

function containerOf(json: Json, kind: 'cna' | 'adp'): Container {
  const meta = isObject(json['providerMetadata']) ? json['providerMetadata'] : {};
  const shortName = text(meta['shortName']);
  const sourceName =
    kind === 'cna'
      ? `CVE 5 (CNA${shortName === undefined ? '' : ` ${shortName}`})`
      : shortName === CISA_ADP_SHORT_NAME
        ? CISA_ADP_SOURCE_NAME
        : `CVE 5 (ADP${shortName === undefined ? '' : ` ${shortName}`})`;
  return { json, sourceName, kind, dateUpdated: text(meta['dateUpdated']) };
}

/**
 * CWE IDs of `problemTypes[].descriptions[]`: the `cweId` field when it is one, else a
 * `CWE-123…` prefix of `description` (older 5.0 records and some CNAs state it only there).
 */
function cwesOf(container: Json): string[] {
  const cwes: string[] = [];
  for (const problemType of objects(container['problemTypes'])) {
    for (const description of objects(problemType['descriptions'])) {
      const id = text(description['cweId']);
      const found =
        id !== undefined && /^CWE-\d+$/.test(id)
          ? id
          : CWE_AT_START.exec(text(description['description']) ?? '')?.[0];
      if (found !== undefined) cwes.push(found);
    }
  }
  return cwes;
}

/**
 * Pick `value` if it is one of `allowed`, ignoring case: ~250 vulnrichment records of 2024
 * write `Active`, `PoC`, `Yes`, `Total` where the rest write the lower-case SSVC values.
 */
function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return allowed.find((option) => option === lower);
}

class RecordReader {
  readonly cvss: CvssFact[] = [];
  readonly cwes: string[] = [];
  ssvc: SsvcFact | undefined;
  kev: KevFact | undefined;

  constructor(
    private readonly origin: string,
    private readonly problems: string[],
  ) {}

  read(container: Container): void {
    const metrics = objects(container.json['metrics']);
    metrics.forEach((metric, index) => {
      for (const [key, version] of METRIC_KEYS) {
        const data = metric[key];
        if (data === undefined) continue;
        const vector = isObject(data) ? text(data['vectorString']) : undefined;
        if (vector === undefined) {
          this.problems.push(`${container.kind} metrics[${index}].${key}: no vectorString`);
          continue;
        }
        const score = isObject(data) ? data['baseScore'] : undefined;
        this.cvss.push({
          source: container.sourceName,
          ...(container.dateUpdated !== undefined && { timestamp: container.dateUpdated }),
          origin: this.origin,
          version,
          vector,
          ...(typeof score === 'number' && score >= 0 && score <= 10 && { statedBaseScore: score }),
          kind: container.kind,
        });
      }
      const other = metric['other'];
      if (isObject(other) && isObject(other['content'])) {
        if (other['type'] === 'ssvc') this.readSsvc(container, other['content'], index);
        else if (other['type'] === 'kev') this.readKev(container, other['content'], index);
      }
    });
    this.cwes.push(...cwesOf(container.json));
  }

  /** CISA's SSVC content: `options` is a list of one-key objects (vulnrichment README). */
  private readSsvc(container: Container, content: Json, index: number): void {
    const options: Json = {};
    for (const option of objects(content['options'])) Object.assign(options, option);
    const exploitation = oneOf(ssvcExploitation, options['Exploitation']);
    const automatable = oneOf(ssvcAutomatable, options['Automatable']);
    const technicalImpact = oneOf(ssvcTechnicalImpact, options['Technical Impact']);
    for (const [name, value, read] of [
      ['Exploitation', options['Exploitation'], exploitation],
      ['Automatable', options['Automatable'], automatable],
      ['Technical Impact', options['Technical Impact'], technicalImpact],
    ] as const) {
      if (value !== undefined && read === undefined)
        this.problems.push(`${container.kind} metrics[${index}] ssvc: unknown ${name}`);
    }
    // Nothing readable (every value unknown, reported above): no SSVC fact at all.
    if (exploitation === undefined && automatable === undefined && technicalImpact === undefined)
      return;
    const timestamp = text(content['timestamp']) ?? container.dateUpdated;
    const version = text(content['version']);
    const role = text(content['role']);
    const ssvc: SsvcFact = {
      source: container.sourceName,
      ...(timestamp !== undefined && { timestamp }),
      origin: this.origin,
      ...(exploitation !== undefined && { exploitation }),
      ...(automatable !== undefined && { automatable }),
      ...(technicalImpact !== undefined && { technicalImpact }),
      ...(version !== undefined && { version }),
      ...(role !== undefined && { role }),
    };
    // One SSVC per record: CISA's wins over another ADP's, else the later one.
    if (
      this.ssvc === undefined ||
      (ssvc.source === CISA_ADP_SOURCE_NAME && this.ssvc.source !== CISA_ADP_SOURCE_NAME) ||
      (ssvc.source === this.ssvc.source && (ssvc.timestamp ?? '') > (this.ssvc.timestamp ?? ''))
    )
      this.ssvc = ssvc;
  }

  /**
   * CISA's ADP marks catalogue entries with `{type: 'kev', content: {dateAdded, reference}}`.
   * It does not carry the ransomware field: `Unknown` is CISA's own wording for "not known".
   */
  private readKev(container: Container, content: Json, index: number): void {
    const dateAdded = text(content['dateAdded']);
    if (dateAdded === undefined || !DATE.test(dateAdded)) {
      this.problems.push(`${container.kind} metrics[${index}] kev: no dateAdded`);
      return;
    }
    this.kev = {
      source: container.sourceName,
      timestamp: dateAdded,
      origin: this.origin,
      dateAdded,
      knownRansomwareCampaignUse: 'Unknown',
    };
  }
}

/** Facts of one record; `undefined` for a REJECTED record; a string when unreadable. */
export function factsOfCve5Record(
  record: unknown,
  origin: string,
  problems: string[] = [],
): VulnerabilityFacts | undefined | string {
  if (!isObject(record)) return 'not a JSON object';
  const meta = record['cveMetadata'];
  if (!isObject(meta)) return 'no cveMetadata: not a CVE 5 record';
  const cve = text(meta['cveId'])?.trim().toUpperCase();
  if (cve === undefined || !isCveId(cve)) return 'cveMetadata.cveId: not a CVE ID';
  // REJECTED records keep only `containers.cna.rejectedReasons`: nothing to learn.
  if (meta['state'] === 'REJECTED') return undefined;
  const containers = isObject(record['containers']) ? record['containers'] : {};
  if (!isObject(containers['cna'])) return `${cve}: no containers.cna`;

  const reader = new RecordReader(origin, problems);
  reader.read(containerOf(containers['cna'], 'cna'));
  for (const adp of objects(containers['adp'])) reader.read(containerOf(adp, 'adp'));
  const published = text(meta['datePublished']);
  return {
    cve,
    ...(reader.kev !== undefined && { kev: reader.kev }),
    cvss: reader.cvss,
    ...(reader.ssvc !== undefined && { ssvc: reader.ssvc }),
    cwes: [...new Set(reader.cwes)],
    ...(published !== undefined && { published }),
  };
}

function parse(input: SourceInput): EnrichmentResult {
  const facts = new Map<string, VulnerabilityFacts>();
  const errors: SourceError[] = [];
  const parsed = parseJson(input.text);
  if (!parsed.ok) {
    return {
      facts,
      errors: [{ origin: input.path, message: parsed.error }],
      metadata: { records: 0, rejected: 0 },
    };
  }
  const document = parsed.value;
  // One record per file (cvelistV5, vulnrichment), or an array of records.
  const records = Array.isArray(document) ? (document as unknown[]) : [document];
  let rejected = 0;
  records.forEach((record, index) => {
    const origin = Array.isArray(document) ? `${input.path}#${index}` : input.path;
    const problems: string[] = [];
    const result = factsOfCve5Record(record, origin, problems);
    if (typeof result === 'string') errors.push({ origin, message: result });
    else if (result === undefined) rejected++;
    else {
      const existing = facts.get(result.cve);
      if (existing !== undefined)
        errors.push({ origin, message: `${result.cve}: listed twice; the first is kept` });
      else facts.set(result.cve, result);
    }
    // Problems inside a record that was still read (an unknown SSVC value, a metric without
    // a vector): reported, and the rest of the record kept.
    const prefix = typeof result === 'object' ? `${result.cve}: ` : '';
    for (const problem of problems) errors.push({ origin, message: prefix + problem });
  });
  return { facts, errors, metadata: { records: records.length, rejected } };
}

export const cve5Source: EnrichmentSource = {
  id: 'cve5',
  displayName: 'CVE JSON 5 records (CNA and ADP containers)',
  specUrls: [
    'https://github.com/CVEProject/cve-schema',
    'https://github.com/cisagov/vulnrichment',
    'https://www.cisa.gov/stakeholder-specific-vulnerability-categorization-ssvc',
  ],
  detect({ path, text: content }) {
    const head = content.slice(0, 4096);
    if (!/^\s*[[{]/.test(head)) return 0;
    if (/"dataType"\s*:\s*"CVE_RECORD"/.test(head)) return 1;
    if (head.includes('"cveMetadata"')) return 0.9;
    // The record may start with a long `containers` object; the file name is a hint.
    return /CVE-\d{4}-\d+\.json$/i.test(path) && head.includes('"containers"') ? 0.6 : 0;
  },
  parse,
};
