/**
 * Write triaged findings as a CycloneDX 1.6 VEX document (JSON), following
 * https://cyclonedx.org/docs/1.6/json/ and https://cyclonedx.org/capabilities/vex/.
 *
 * - One component per affected package; `bom-ref` is its purl (or a stable
 *   `patchgate:<ecosystem>/<name>@<version>` when the inventory gave none).
 * - One vulnerability per advisory *and analysis*: `analysis` belongs to the vulnerability
 *   object, so when packages affected by one advisory were triaged differently, the advisory
 *   appears once per distinct analysis, each with its own `affects`.
 * - Untriaged findings are `in_triage`; an ignore-file acceptance is `exploitable` with
 *   response `will_not_fix` and the reason and expiry in `detail` (readme.md, "Ignored").
 * - `serialNumber` is a UUID v5 of the document's own content: the same findings and
 *   timestamp give the same serial; pure code has no randomness.
 */
import { isCveId } from '@patchgate/osv';
import type { SeverityLevel } from '@patchgate/matcher';
import type { TriagedFinding } from './apply.ts';
import { uuidV5, urlNamespace } from './uuid.ts';

export interface CycloneDxRating {
  readonly source?: { readonly name: string; readonly url?: string };
  readonly severity?: 'critical' | 'high' | 'medium' | 'low' | 'info' | 'none' | 'unknown';
  readonly method?: 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'other';
  readonly vector?: string;
  readonly justification?: string;
}

export interface CycloneDxAnalysis {
  readonly state: string;
  readonly justification?: string;
  readonly response?: readonly string[];
  readonly detail?: string;
}

export interface CycloneDxVulnerability {
  readonly 'bom-ref': string;
  readonly id: string;
  readonly source: { readonly name: string; readonly url: string };
  readonly references?: readonly {
    readonly id: string;
    readonly source: { readonly name: string; readonly url: string };
  }[];
  readonly ratings?: readonly CycloneDxRating[];
  readonly description?: string;
  readonly published?: string;
  readonly updated?: string;
  readonly analysis: CycloneDxAnalysis;
  readonly affects: readonly { readonly ref: string }[];
  readonly properties?: readonly { readonly name: string; readonly value: string }[];
}

export interface CycloneDxComponent {
  readonly type: 'library';
  readonly 'bom-ref': string;
  readonly name: string;
  readonly version: string;
  readonly purl?: string;
}

export interface CycloneDxVexDocument {
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: '1.6';
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: {
    readonly timestamp: string;
    readonly tools: {
      readonly components: readonly {
        readonly type: 'application';
        readonly name: string;
        readonly version?: string;
      }[];
    };
  };
  readonly components: readonly CycloneDxComponent[];
  readonly vulnerabilities: readonly CycloneDxVulnerability[];
}

export interface CycloneDxVexOptions {
  /** ISO 8601 date-time for `metadata.timestamp` (the clock is an input). */
  readonly timestamp: string;
  readonly tool?: { readonly name: string; readonly version?: string };
}

/** Namespace of our serial numbers: UUID v5 of this URL in the RFC URL namespace. */
const serialNamespace = uuidV5(urlNamespace, 'https://patchgate.invalid/cyclonedx-vex');

/** Where an id can be read: OSV knows them all; NVD and GitHub are the homes of theirs. */
function idSource(id: string): { name: string; url: string } {
  if (isCveId(id.toUpperCase())) {
    return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id.toUpperCase()}` };
  }
  if (/^GHSA-/i.test(id)) return { name: 'GitHub', url: `https://github.com/advisories/${id}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` };
}

function componentRef(finding: TriagedFinding): string {
  const pkg = finding.package;
  return pkg.purl ?? `patchgate:${pkg.ecosystem}/${pkg.name}@${pkg.version}`;
}

/** OSV severity types → CycloneDX rating methods (https://ossf.github.io/osv-schema/#severitytype-field). */
function ratingMethod(type: string, vector: string): CycloneDxRating['method'] {
  if (type === 'CVSS_V2') return 'CVSSv2';
  if (type === 'CVSS_V3') return vector.startsWith('CVSS:3.0/') ? 'CVSSv3' : 'CVSSv31';
  if (type === 'CVSS_V4') return 'CVSSv4';
  return 'other';
}

const severityRank: Readonly<Record<SeverityLevel, number>> = {
  unknown: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

function ratings(findings: readonly TriagedFinding[]): CycloneDxRating[] {
  const out: CycloneDxRating[] = [];
  const highest = findings
    .map((f) => f.advisory)
    .reduce((a, b) => (severityRank[b.severity] > severityRank[a.severity] ? b : a));
  if (highest.severity !== 'unknown') {
    out.push({
      source: idSource(highest.id),
      severity: highest.severity,
      method: 'other',
      ...(highest.severitySource !== undefined && { justification: highest.severitySource }),
    });
  }
  const seen = new Set<string>();
  for (const finding of findings) {
    for (const cvss of finding.advisory.cvss) {
      const key = `${cvss.type} ${cvss.score}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        source: idSource(finding.advisory.id),
        method: ratingMethod(cvss.type, cvss.score),
        vector: cvss.score,
      });
    }
  }
  return out;
}

function analysisOf(finding: TriagedFinding): CycloneDxAnalysis {
  const triage = finding.triage;
  if (triage === undefined) return { state: 'in_triage' };
  if (triage.state === 'ignored') {
    const who = triage.owner !== undefined ? ` by ${triage.owner}` : '';
    return {
      state: 'exploitable',
      response: ['will_not_fix'],
      detail: `Risk accepted${who} until ${triage.expires ?? '?'}: ${triage.detail ?? ''}`.trim(),
    };
  }
  return {
    state: triage.state,
    ...(triage.justification !== undefined && { justification: triage.justification }),
    ...(triage.response !== undefined &&
      triage.response.length > 0 && {
        response: triage.response,
      }),
    ...(triage.detail !== undefined && { detail: triage.detail }),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Build the CycloneDX 1.6 VEX document for these findings. */
export function toCycloneDxVex(
  findings: readonly TriagedFinding[],
  options: CycloneDxVexOptions,
): CycloneDxVexDocument {
  const components = new Map<string, CycloneDxComponent>();
  const groups = new Map<
    string,
    { analysis: CycloneDxAnalysis; source?: string; findings: TriagedFinding[] }
  >();
  for (const finding of findings) {
    const ref = componentRef(finding);
    if (!components.has(ref)) {
      components.set(ref, {
        type: 'library',
        'bom-ref': ref,
        name: finding.package.name,
        version: finding.package.version,
        ...(finding.package.purl !== undefined && { purl: finding.package.purl }),
      });
    }
    const analysis = analysisOf(finding);
    const source = finding.triage?.source;
    const key = JSON.stringify([finding.advisory.id, analysis, source ?? null]);
    const group = groups.get(key) ?? {
      analysis,
      ...(source !== undefined && { source }),
      findings: [],
    };
    group.findings.push(finding);
    groups.set(key, group);
  }

  const sortedGroups = [...groups.values()].sort(
    (a, b) =>
      compareText(
        (a.findings[0] as TriagedFinding).advisory.id,
        (b.findings[0] as TriagedFinding).advisory.id,
      ) ||
      compareText(JSON.stringify([a.analysis, a.source]), JSON.stringify([b.analysis, b.source])),
  );
  const perId = new Map<string, number>();
  const vulnerabilities = sortedGroups.map((group): CycloneDxVulnerability => {
    const first = group.findings[0] as TriagedFinding;
    const advisory = first.advisory;
    const n = (perId.get(advisory.id) ?? 0) + 1;
    perId.set(advisory.id, n);
    const aliases = [...new Set(group.findings.flatMap((f) => f.advisory.aliases))]
      .filter((alias) => alias !== advisory.id)
      .sort(compareText);
    const rated = ratings(group.findings);
    const refs = [...new Set(group.findings.map(componentRef))].sort(compareText);
    const properties = [
      ...(group.source !== undefined
        ? [{ name: 'patchgate:triage:source', value: group.source }]
        : []),
      ...(first.triage !== undefined
        ? [{ name: 'patchgate:triage:suppressed', value: String(first.triage.suppressed) }]
        : []),
    ];
    return {
      'bom-ref': n === 1 ? advisory.id : `${advisory.id}#${n}`,
      id: advisory.id,
      source: {
        name: 'OSV',
        url: `https://osv.dev/vulnerability/${encodeURIComponent(advisory.id)}`,
      },
      ...(aliases.length > 0 && {
        references: aliases.map((alias) => ({ id: alias, source: idSource(alias) })),
      }),
      ...(rated.length > 0 && { ratings: rated }),
      ...(advisory.summary !== undefined && { description: advisory.summary }),
      ...(advisory.published !== undefined && { published: advisory.published }),
      ...(advisory.modified !== undefined && { updated: advisory.modified }),
      analysis: group.analysis,
      affects: refs.map((ref) => ({ ref })),
      ...(properties.length > 0 && { properties }),
    };
  });

  const tool = options.tool ?? { name: 'patchgate' };
  const body = {
    metadata: {
      timestamp: options.timestamp,
      tools: {
        components: [
          {
            type: 'application' as const,
            name: tool.name,
            ...(tool.version !== undefined && { version: tool.version }),
          },
        ],
      },
    },
    components: [...components.values()].sort((a, b) => compareText(a['bom-ref'], b['bom-ref'])),
    vulnerabilities,
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidV5(serialNamespace, JSON.stringify(body))}`,
    version: 1,
    ...body,
  };
}
