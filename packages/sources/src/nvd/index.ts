/**
 * NVD CVE API 2.0 pages (`/rest/json/cves/2.0`) and the 2.0 JSON feeds, which share the
 * shape `{ format: 'NVD_CVE', version: '2.0', vulnerabilities: [{ cve }] }` (see ./readme.md).
 * Spec: https://nvd.nist.gov/developers/vulnerabilities
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
  VulnerabilityFacts,
} from '../facts.ts';

import type { Json } from '../json.ts';
import { isObject, objects, text } from '../json.ts';

export const NVD_SOURCE_NAME = 'NVD';
export const NVD_KEV_SOURCE_NAME = 'NVD (CISA KEV mirror)';

/** NVD's own `source`; other values are the CNA or ADP whose vector NVD republishes. */
const NVD_ITSELF = 'nvd@nist.gov';
/** Sources NVD names by organisation UUID only (CISA's ADP orgId in CVE 5). */
const KNOWN_SOURCES: Readonly<Record<string, string>> = {
  '134c704f-9b21-4f2e-91b3-4a467353bcc0': 'CISA-ADP',
};

const METRIC_KEYS: readonly (readonly [string, CvssVersion])[] = [
  ['cvssMetricV2', '2.0'],
  ['cvssMetricV30', '3.0'],
  ['cvssMetricV31', '3.1'],
  ['cvssMetricV40', '4.0'],
];

const CWE_ID = /^CWE-\d+$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;

function sourceName(source: string | undefined): string {
  if (source === undefined || source === NVD_ITSELF) return NVD_SOURCE_NAME;
  return `${NVD_SOURCE_NAME} (${KNOWN_SOURCES[source] ?? source})`;
}

/** Facts of one `vulnerabilities[].cve`; undefined when Rejected; a string when unreadable. */
export function factsOfNvdCve(
  cve: Json,
  origin: string,
  problems: string[] = [],
): VulnerabilityFacts | undefined | string {
  const id = text(cve['id'])?.trim().toUpperCase();
  if (id === undefined || !isCveId(id)) return 'id: not a CVE ID';
  // vulnStatus values: Received, Awaiting Analysis, Undergoing Analysis, Analyzed, Modified,
  // Deferred, Rejected. A rejected CVE has nothing to say.
  if (cve['vulnStatus'] === 'Rejected') return undefined;
  const lastModified = text(cve['lastModified']);
  const published = text(cve['published']);

  const cvss: CvssFact[] = [];
  const metrics = isObject(cve['metrics']) ? cve['metrics'] : {};
  for (const [key, version] of METRIC_KEYS) {
    objects(metrics[key]).forEach((metric, index) => {
      const data = isObject(metric['cvssData']) ? metric['cvssData'] : {};
      const vector = text(data['vectorString']);
      if (vector === undefined) {
        problems.push(`metrics.${key}[${index}]: no cvssData.vectorString`);
        return;
      }
      const score = data['baseScore'];
      const kind = text(metric['type']);
      cvss.push({
        source: sourceName(text(metric['source'])),
        ...(lastModified !== undefined && { timestamp: lastModified }),
        origin,
        version,
        vector,
        ...(typeof score === 'number' && score >= 0 && score <= 10 && { statedBaseScore: score }),
        ...(kind !== undefined && { kind }),
      });
    });
  }

  // `NVD-CWE-Other` and `NVD-CWE-noinfo` are NVD placeholders, not weaknesses.
  const cwes = new Set<string>();
  for (const weakness of objects(cve['weaknesses']))
    for (const description of objects(weakness['description'])) {
      const value = text(description['value']);
      if (value !== undefined && CWE_ID.test(value)) cwes.add(value);
    }

  const dateAdded = text(cve['cisaExploitAdd']);
  let kev: KevFact | undefined;
  if (dateAdded !== undefined) {
    if (!DATE.test(dateAdded)) problems.push('cisaExploitAdd: not a date');
    else {
      const dueDate = text(cve['cisaActionDue']);
      const requiredAction = text(cve['cisaRequiredAction']);
      const vulnerabilityName = text(cve['cisaVulnerabilityName']);
      kev = {
        source: NVD_KEV_SOURCE_NAME,
        timestamp: dateAdded,
        origin,
        dateAdded,
        ...(dueDate !== undefined && { dueDate }),
        // NVD does not mirror the ransomware field; `Unknown` is CISA's "not known".
        knownRansomwareCampaignUse: 'Unknown',
        ...(vulnerabilityName !== undefined && { vulnerabilityName }),
        ...(requiredAction !== undefined && { requiredAction }),
      };
    }
  }

  return {
    cve: id,
    ...(kev !== undefined && { kev }),
    cvss,
    cwes: [...cwes],
    ...(published !== undefined && { published }),
  };
}

function parse(input: SourceInput): EnrichmentResult {
  const facts = new Map<string, VulnerabilityFacts>();
  const errors: SourceError[] = [];
  const parsed = parseJson(input.text);
  if (!parsed.ok) {
    errors.push({ origin: input.path, message: parsed.error });
    return { facts, errors, metadata: { records: 0, rejected: 0 } };
  }
  const document = parsed.value;
  if (!isObject(document) || !Array.isArray(document['vulnerabilities'])) {
    errors.push({ origin: input.path, message: 'not an NVD page: no `vulnerabilities` array' });
    return { facts, errors, metadata: { records: 0, rejected: 0 } };
  }
  const items = document['vulnerabilities'] as unknown[];
  let rejected = 0;
  items.forEach((item, index) => {
    const origin = `${input.path}#vulnerabilities[${index}]`;
    const cve = isObject(item) ? item['cve'] : undefined;
    if (!isObject(cve)) {
      errors.push({ origin, message: 'no `cve` object' });
      return;
    }
    const problems: string[] = [];
    const result = factsOfNvdCve(cve, input.path, problems);
    if (typeof result === 'string') errors.push({ origin, message: result });
    else if (result === undefined) rejected++;
    else if (facts.has(result.cve))
      errors.push({ origin, message: `${result.cve}: listed twice; the first is kept` });
    else facts.set(result.cve, result);
    const prefix = typeof result === 'object' ? `${result.cve}: ` : '';
    for (const problem of problems) errors.push({ origin, message: prefix + problem });
  });
  const timestamp = text(document['timestamp']);
  const totalResults = document['totalResults'];
  return {
    facts,
    errors,
    metadata: {
      records: items.length,
      rejected,
      ...(timestamp !== undefined && { timestamp }),
      ...(typeof totalResults === 'number' && { totalResults }),
    },
  };
}

export const nvdSource: EnrichmentSource = {
  id: 'nvd',
  displayName: 'NVD CVE API 2.0',
  specUrls: [
    'https://nvd.nist.gov/developers/vulnerabilities',
    'https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema',
  ],
  detect({ text: content }) {
    const head = content.slice(0, 4096);
    if (!head.trimStart().startsWith('{')) return 0;
    if (/"format"\s*:\s*"NVD_CVE"/.test(head)) return 1;
    return /"vulnerabilities"\s*:\s*\[\s*\{\s*"cve"\s*:/.test(head) ? 0.9 : 0;
  },
  parse,
};
