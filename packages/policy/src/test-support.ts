/**
 * Test support (imported only by *.test.ts): turns the real KEV entries and CVE 5 records in
 * ../testdata into the facts @patchgate/sources produces. Pure: the tests read the files.
 */
import type { CvssFact, KevFact, SsvcFact, VulnerabilityFacts } from '@patchgate/sources';
import type { AssetContext, PolicyFinding, PolicyInput } from './types.ts';

export interface KevCatalogue {
  readonly catalogVersion: string;
  readonly dateReleased: string;
  readonly vulnerabilities: readonly {
    readonly cveID: string;
    readonly vendorProject: string;
    readonly product: string;
    readonly vulnerabilityName: string;
    readonly dateAdded: string;
    readonly requiredAction: string;
    readonly dueDate: string;
    readonly knownRansomwareCampaignUse: 'Known' | 'Unknown';
  }[];
}

export function kevFacts(catalogue: KevCatalogue): Map<string, KevFact> {
  return new Map(
    catalogue.vulnerabilities.map((entry) => [
      entry.cveID,
      {
        source: 'CISA KEV',
        timestamp: entry.dateAdded,
        origin: `known_exploited_vulnerabilities.json ${catalogue.catalogVersion}`,
        dateAdded: entry.dateAdded,
        dueDate: entry.dueDate,
        knownRansomwareCampaignUse: entry.knownRansomwareCampaignUse,
        vendorProject: entry.vendorProject,
        product: entry.product,
        vulnerabilityName: entry.vulnerabilityName,
        requiredAction: entry.requiredAction,
        catalogVersion: catalogue.catalogVersion,
      },
    ]),
  );
}

interface Cve5Metric {
  readonly cvssV3_1?: { readonly vectorString: string; readonly baseScore: number };
  readonly cvssV4_0?: { readonly vectorString: string; readonly baseScore: number };
  readonly other?: {
    readonly type: string;
    readonly content: {
      readonly role?: string;
      readonly version?: string;
      readonly timestamp?: string;
      readonly options?: readonly Record<string, string>[];
    };
  };
}

interface Cve5Container {
  readonly metrics?: readonly Cve5Metric[];
  readonly providerMetadata: { readonly shortName: string; readonly dateUpdated: string };
}

export interface Cve5Excerpt {
  readonly cveMetadata: { readonly cveId: string; readonly datePublished: string };
  readonly containers: { readonly cna: Cve5Container; readonly adp: readonly Cve5Container[] };
}

function cvssOf(container: Cve5Container, kind: 'cna' | 'adp'): CvssFact[] {
  const source = kind === 'cna' ? 'CVE 5 (CNA)' : 'CVE 5 (CISA ADP)';
  return (container.metrics ?? []).flatMap((metric): CvssFact[] => {
    const v4 = metric.cvssV4_0;
    const v31 = metric.cvssV3_1;
    const common = { source, timestamp: container.providerMetadata.dateUpdated, kind };
    if (v4 !== undefined)
      return [
        { ...common, version: '4.0', vector: v4.vectorString, statedBaseScore: v4.baseScore },
      ];
    if (v31 !== undefined)
      return [
        { ...common, version: '3.1', vector: v31.vectorString, statedBaseScore: v31.baseScore },
      ];
    return [];
  });
}

function ssvcOf(container: Cve5Container): SsvcFact | undefined {
  const content = container.metrics?.find((metric) => metric.other?.type === 'ssvc')?.other
    ?.content;
  if (content === undefined) return undefined;
  const option = (name: string): string | undefined =>
    content.options?.find((entry) => entry[name] !== undefined)?.[name]?.toLowerCase();
  const exploitation = option('Exploitation');
  const automatable = option('Automatable');
  const technicalImpact = option('Technical Impact');
  return {
    source: 'CVE 5 (CISA ADP)',
    ...(content.timestamp !== undefined && { timestamp: content.timestamp }),
    ...(exploitation !== undefined && {
      exploitation:
        exploitation === 'public poc' ? 'poc' : (exploitation as SsvcFact['exploitation']),
    }),
    ...(automatable !== undefined && { automatable: automatable as SsvcFact['automatable'] }),
    ...(technicalImpact !== undefined && {
      technicalImpact: technicalImpact as SsvcFact['technicalImpact'],
    }),
    ...(content.version !== undefined && { version: content.version }),
    ...(content.role !== undefined && { role: content.role }),
  };
}

export function cve5Facts(record: Cve5Excerpt, kev?: KevFact): VulnerabilityFacts {
  const adp = record.containers.adp.find(
    (container) => container.providerMetadata.shortName === 'CISA-ADP',
  );
  const ssvc = adp === undefined ? undefined : ssvcOf(adp);
  return {
    cve: record.cveMetadata.cveId,
    ...(kev !== undefined && { kev }),
    cvss: [
      ...cvssOf(record.containers.cna, 'cna'),
      ...(adp === undefined ? [] : cvssOf(adp, 'adp')),
    ],
    ...(ssvc !== undefined && { ssvc }),
    cwes: [],
    published: record.cveMetadata.datePublished,
  };
}

export function finding(overrides: Partial<PolicyFinding> = {}): PolicyFinding {
  return {
    advisoryId: 'GHSA-test',
    aliases: [],
    ecosystem: 'npm',
    packageName: 'example',
    installedVersion: '1.0.0',
    fixedVersions: ['1.0.1'],
    statedSeverity: 'unknown',
    advisoryCvss: [],
    ...overrides,
  };
}

export function asset(overrides: Partial<AssetContext> = {}): AssetContext {
  return { exposure: 'internal', tags: [], ...overrides };
}

/** A policy input with no CVE facts, for table tests. */
export function policyInput(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { finding: finding(), facts: [], asset: asset(), detectedOn: '2026-11-22', ...overrides };
}

/** Facts for one made-up CVE with only the fields given. */
export function facts(overrides: Partial<VulnerabilityFacts> = {}): VulnerabilityFacts {
  return { cve: 'CVE-2026-0001', cvss: [], cwes: [], ...overrides };
}
