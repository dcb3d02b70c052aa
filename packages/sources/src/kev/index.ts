/**
 * CISA Known Exploited Vulnerabilities catalogue, JSON or CSV form (see ./readme.md).
 * Schema: https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json
 */
import { parseJson } from '@patchgate/safe-parse';
import { forEachCsvRecord } from '../csv.ts';
import { isCveId } from '@patchgate/osv';
import type {
  EnrichmentResult,
  EnrichmentSource,
  KevFact,
  SourceError,
  SourceInput,
  VulnerabilityFacts,
} from '../facts.ts';

export const KEV_SOURCE_NAME = 'CISA KEV';

/** The CSV header CISA publishes, in order; the reader looks columns up by name. */
export const kevCsvColumns = [
  'cveID',
  'vendorProject',
  'product',
  'vulnerabilityName',
  'dateAdded',
  'shortDescription',
  'requiredAction',
  'dueDate',
  'knownRansomwareCampaignUse',
  'notes',
  'cwes',
] as const;

// Schema: `^CVE-[0-9]{4}-[0-9]{4,19}$`; dates are `format: date` (YYYY-MM-DD).
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CWE_ID = /^CWE-\d+$/;

/** One catalogue entry with its fields as strings, whichever form it came from. */
interface RawEntry {
  readonly cveID?: unknown;
  readonly vendorProject?: unknown;
  readonly product?: unknown;
  readonly vulnerabilityName?: unknown;
  readonly dateAdded?: unknown;
  readonly requiredAction?: unknown;
  readonly dueDate?: unknown;
  readonly knownRansomwareCampaignUse?: unknown;
  readonly cwes?: unknown;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** CWE IDs from the JSON array or the CSV cell (`CWE-59, CWE-436`); anything else dropped. */
function cwesOf(value: unknown): string[] {
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').map((s) => s.trim())
      : [];
  return [
    ...new Set(
      items.filter((item): item is string => typeof item === 'string' && CWE_ID.test(item)),
    ),
  ];
}

/** Turn one entry into facts, or say why it cannot be read. */
function factsOfEntry(
  entry: RawEntry,
  origin: string,
  catalogVersion: string | undefined,
): VulnerabilityFacts | string {
  const cve = text(entry.cveID)?.trim().toUpperCase();
  if (cve === undefined || !isCveId(cve)) return 'cveID: not a CVE ID';
  const dateAdded = text(entry.dateAdded);
  if (dateAdded === undefined || !DATE.test(dateAdded))
    return `${cve}: dateAdded: not a YYYY-MM-DD date`;
  const dueDate = text(entry.dueDate);
  const vendorProject = text(entry.vendorProject);
  const product = text(entry.product);
  const vulnerabilityName = text(entry.vulnerabilityName);
  const requiredAction = text(entry.requiredAction);
  const kev: KevFact = {
    source: KEV_SOURCE_NAME,
    timestamp: dateAdded,
    origin,
    dateAdded,
    ...(dueDate !== undefined && DATE.test(dueDate) && { dueDate }),
    // The schema: 'Known' if CISA knows of ransomware use, 'Unknown' otherwise; anything
    // else (absent in catalogues before Oct 2023) means CISA did not say it is known.
    knownRansomwareCampaignUse: entry.knownRansomwareCampaignUse === 'Known' ? 'Known' : 'Unknown',
    ...(vendorProject !== undefined && { vendorProject }),
    ...(product !== undefined && { product }),
    ...(vulnerabilityName !== undefined && { vulnerabilityName }),
    ...(requiredAction !== undefined && { requiredAction }),
    ...(catalogVersion !== undefined && { catalogVersion }),
  };
  return { cve, kev, cvss: [], cwes: cwesOf(entry.cwes) };
}

class Collector {
  readonly facts = new Map<string, VulnerabilityFacts>();
  readonly errors: SourceError[] = [];
  records = 0;

  constructor(
    private readonly path: string,
    private readonly catalogVersion: string | undefined,
  ) {}

  add(entry: RawEntry, where: string): void {
    this.records++;
    const result = factsOfEntry(entry, this.path, this.catalogVersion);
    if (typeof result === 'string') {
      this.errors.push({ origin: `${this.path}${where}`, message: result });
      return;
    }
    if (this.facts.has(result.cve)) {
      // The catalogue lists each CVE once; a repeat is reported and the first entry kept.
      this.errors.push({
        origin: `${this.path}${where}`,
        message: `${result.cve}: listed twice; the first entry is kept`,
      });
      return;
    }
    this.facts.set(result.cve, result);
  }
}

function parseJsonCatalogue(input: SourceInput): EnrichmentResult {
  // A byte-order mark is not JSON whitespace (RFC 8259 §8.1 lets parsers ignore it).
  const body = input.text.charCodeAt(0) === 0xfeff ? input.text.slice(1) : input.text;
  const parsed = parseJson(body);
  if (!parsed.ok) return fail(input.path, parsed.error);
  const document = parsed.value;
  if (!isObject(document) || !Array.isArray(document['vulnerabilities']))
    return fail(input.path, 'not a KEV catalogue: no `vulnerabilities` array');
  const catalogVersion = text(document['catalogVersion']);
  const collector = new Collector(input.path, catalogVersion);
  document['vulnerabilities'].forEach((entry: unknown, index) => {
    if (isObject(entry)) collector.add(entry, `#vulnerabilities[${index}]`);
    else {
      collector.records++;
      collector.errors.push({
        origin: `${input.path}#vulnerabilities[${index}]`,
        message: 'not an object',
      });
    }
  });
  const dateReleased = text(document['dateReleased']);
  const count = document['count'];
  return {
    facts: collector.facts,
    errors: collector.errors,
    metadata: {
      format: 'json',
      records: collector.records,
      ...(catalogVersion !== undefined && { catalogVersion }),
      ...(dateReleased !== undefined && { dateReleased }),
      ...(typeof count === 'number' && { count }),
    },
  };
}

function parseCsvForm(input: SourceInput): EnrichmentResult {
  const collector = new Collector(input.path, undefined);
  let columns: Map<string, number> | undefined;
  const problems = forEachCsvRecord(input.text, (fields, line) => {
    if (columns === undefined) {
      columns = new Map(fields.map((name, index) => [name.trim(), index]));
      return;
    }
    const entry: Record<string, string | undefined> = {};
    for (const [name, index] of columns) entry[name] = fields[index];
    collector.add(entry, `:${line}`);
  });
  for (const problem of problems)
    collector.errors.push({ origin: `${input.path}:${problem.line}`, message: problem.message });
  if (columns !== undefined && !columns.has('cveID'))
    return fail(input.path, 'not a KEV CSV: no `cveID` column');
  return {
    facts: collector.facts,
    errors: collector.errors,
    // The CSV form carries no catalogue version or release date.
    metadata: { format: 'csv', records: collector.records },
  };
}

function fail(origin: string, message: string): EnrichmentResult {
  return { facts: new Map(), errors: [{ origin, message }], metadata: { records: 0 } };
}

const looksLikeJson = (head: string) => head.trimStart().startsWith('{');

export const kevSource: EnrichmentSource = {
  id: 'kev',
  displayName: 'CISA Known Exploited Vulnerabilities',
  specUrls: [
    'https://www.cisa.gov/known-exploited-vulnerabilities-catalog',
    'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json',
    'https://github.com/cisagov/kev-data',
  ],
  detect({ path, text: content }) {
    const head = content.slice(0, 4096);
    if (looksLikeJson(head)) {
      if (head.includes('"catalogVersion"') && head.includes('"vulnerabilities"')) return 1;
      return head.includes('"cveID"') && head.includes('"dateAdded"') ? 0.8 : 0;
    }
    const firstLine = head.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
    if (firstLine.startsWith('cveID,') && firstLine.includes('dateAdded')) return 1;
    return /known_exploited_vulnerabilities/i.test(path) ? 0.3 : 0;
  },
  parse(input) {
    return looksLikeJson(input.text.slice(0, 64)) ? parseJsonCatalogue(input) : parseCsvForm(input);
  },
};
