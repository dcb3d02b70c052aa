import type { Finding } from '@patchgate/matcher';
import { describe, expect, it } from 'vitest';
import type { TriagedFinding } from './apply.ts';
import type { CycloneDxVexDocument } from './write-cyclonedx-vex.ts';
import { toCycloneDxVex } from './write-cyclonedx-vex.ts';
import { cyclonedxJustifications, cyclonedxResponses, vexStates } from './vex-types.ts';

/**
 * The parts of the CycloneDX 1.6 JSON schema (bom-1.6.schema.json) a VEX document uses,
 * written out as assertions: required keys, enums, formats, and that every `affects[].ref`
 * names a component of the document. Returns the problems found.
 */
function schemaProblems(doc: CycloneDxVexDocument): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  const raw = doc as unknown as Record<string, unknown>;
  const allowedTop = [
    'bomFormat',
    'specVersion',
    'serialNumber',
    'version',
    'metadata',
    'components',
    'vulnerabilities',
  ];
  for (const key of Object.keys(raw))
    check(allowedTop.includes(key), `unexpected top-level ${key}`);
  check(doc.bomFormat === 'CycloneDX', 'bomFormat');
  check(doc.specVersion === '1.6', 'specVersion');
  check(
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(
      doc.serialNumber,
    ),
    'serialNumber pattern',
  );
  check(Number.isInteger(doc.version) && doc.version >= 1, 'version');
  check(!Number.isNaN(Date.parse(doc.metadata.timestamp)), 'metadata.timestamp date-time');
  for (const tool of doc.metadata.tools.components) {
    check(
      tool.type === 'application' && tool.name !== '',
      'metadata.tools.components[] type and name',
    );
  }
  const refs = new Set<string>();
  for (const c of doc.components) {
    check(
      c.type === 'library' && typeof c.name === 'string' && c.name !== '',
      `component ${c['bom-ref']}: type and name required`,
    );
    check(!refs.has(c['bom-ref']), `duplicate bom-ref ${c['bom-ref']}`);
    refs.add(c['bom-ref']);
  }
  const vulnRefs = new Set<string>();
  for (const v of doc.vulnerabilities) {
    check(
      !refs.has(v['bom-ref']) && !vulnRefs.has(v['bom-ref']),
      `duplicate bom-ref ${v['bom-ref']}`,
    );
    vulnRefs.add(v['bom-ref']);
    check(typeof v.id === 'string' && v.id !== '', 'vulnerability id');
    check(v.source.name !== '' && /^https:\/\//.test(v.source.url), `${v.id}: source`);
    for (const r of v.references ?? []) {
      check(
        r.id !== '' && r.source.name !== '' && /^https:\/\//.test(r.source.url),
        `${v.id}: reference needs id and source`,
      );
    }
    for (const rating of v.ratings ?? []) {
      check(
        rating.severity === undefined ||
          ['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown'].includes(
            rating.severity,
          ),
        `${v.id}: rating severity`,
      );
      check(
        rating.method === undefined ||
          ['CVSSv2', 'CVSSv3', 'CVSSv31', 'CVSSv4', 'OWASP', 'SSVC', 'other'].includes(
            rating.method,
          ),
        `${v.id}: rating method`,
      );
    }
    check((vexStates as readonly string[]).includes(v.analysis.state), `${v.id}: analysis.state`);
    check(
      v.analysis.justification === undefined ||
        (cyclonedxJustifications as readonly string[]).includes(v.analysis.justification),
      `${v.id}: analysis.justification`,
    );
    for (const r of v.analysis.response ?? [])
      check(
        (cyclonedxResponses as readonly string[]).includes(r),
        `${v.id}: analysis.response ${r}`,
      );
    check(v.affects.length > 0, `${v.id}: affects`);
    for (const a of v.affects)
      check(refs.has(a.ref), `${v.id}: affects ref ${a.ref} is not a component`);
    for (const p of v.properties ?? [])
      check(p.name !== '' && typeof p.value === 'string', `${v.id}: property`);
  }
  return problems;
}

function finding(
  name: string,
  version: string,
  id: string,
  extra: Partial<Finding['advisory']> = {},
  purl?: string,
): Finding {
  return {
    inventory: 'package-lock.json',
    package: { ecosystem: 'npm', name, version, ...(purl !== undefined && { purl }) },
    advisory: { id, aliases: [], cves: [], severity: 'unknown', cvss: [], ...extra },
    match: { ecosystem: 'npm', name, version, by: 'range' },
    fixedVersions: [],
  };
}

const lodashAdvisory = {
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  published: '2021-02-15T11:00:00Z',
  modified: '2024-02-01T00:00:00Z',
  severity: 'high' as const,
  severitySource: 'database_specific.severity "HIGH"',
  cvss: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
};

describe('toCycloneDxVex', () => {
  const suppressed: TriagedFinding = {
    ...finding(
      'lodash',
      '4.17.20',
      'GHSA-35jh-r3h4-6jhm',
      lodashAdvisory,
      'pkg:npm/lodash@4.17.20',
    ),
    triage: {
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: '_.template is never called',
      source: 'VEX acme.vex.json',
      suppressed: true,
    },
  };
  const untriaged: TriagedFinding = finding(
    'lodash',
    '4.17.19',
    'GHSA-35jh-r3h4-6jhm',
    lodashAdvisory,
    'pkg:npm/lodash@4.17.19',
  );
  const ignored: TriagedFinding = {
    ...finding('minimist', '1.2.5', 'GHSA-xvch-5gv4-984h'),
    triage: {
      state: 'ignored',
      detail: 'CLI tool only',
      source: 'ignore file .patchgateignore.yaml entry 1',
      suppressed: true,
      expires: '2025-12-31',
      owner: 'team-web',
    },
  };
  const findings = [untriaged, ignored, suppressed];
  const options = {
    timestamp: '2025-01-02T03:04:05Z',
    tool: { name: 'patchgate', version: '0.1.0' },
  };

  it('writes the expected document', () => {
    const doc = toCycloneDxVex(findings, options);
    const lodashRest = {
      id: 'GHSA-35jh-r3h4-6jhm',
      source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm' },
      references: [
        {
          id: 'CVE-2021-23337',
          source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
        },
      ],
      ratings: [
        {
          source: { name: 'GitHub', url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' },
          severity: 'high',
          method: 'other',
          justification: 'database_specific.severity "HIGH"',
        },
        {
          source: { name: 'GitHub', url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' },
          method: 'CVSSv31',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
        },
      ],
      description: 'Command Injection in lodash',
      published: '2021-02-15T11:00:00Z',
      updated: '2024-02-01T00:00:00Z',
    };
    expect(doc).toEqual({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: doc.serialNumber,
      version: 1,
      metadata: {
        timestamp: '2025-01-02T03:04:05Z',
        tools: { components: [{ type: 'application', name: 'patchgate', version: '0.1.0' }] },
      },
      components: [
        {
          type: 'library',
          'bom-ref': 'patchgate:npm/minimist@1.2.5',
          name: 'minimist',
          version: '1.2.5',
        },
        {
          type: 'library',
          'bom-ref': 'pkg:npm/lodash@4.17.19',
          name: 'lodash',
          version: '4.17.19',
          purl: 'pkg:npm/lodash@4.17.19',
        },
        {
          type: 'library',
          'bom-ref': 'pkg:npm/lodash@4.17.20',
          name: 'lodash',
          version: '4.17.20',
          purl: 'pkg:npm/lodash@4.17.20',
        },
      ],
      vulnerabilities: [
        // One advisory, two analyses: two entries, each with its own affects.
        {
          'bom-ref': 'GHSA-35jh-r3h4-6jhm',
          ...lodashRest,
          analysis: { state: 'in_triage' },
          affects: [{ ref: 'pkg:npm/lodash@4.17.19' }],
        },
        {
          'bom-ref': 'GHSA-35jh-r3h4-6jhm#2',
          ...lodashRest,
          analysis: {
            state: 'not_affected',
            justification: 'code_not_reachable',
            detail: '_.template is never called',
          },
          affects: [{ ref: 'pkg:npm/lodash@4.17.20' }],
          properties: [
            { name: 'patchgate:triage:source', value: 'VEX acme.vex.json' },
            { name: 'patchgate:triage:suppressed', value: 'true' },
          ],
        },
        {
          'bom-ref': 'GHSA-xvch-5gv4-984h',
          id: 'GHSA-xvch-5gv4-984h',
          source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-xvch-5gv4-984h' },
          analysis: {
            state: 'exploitable',
            response: ['will_not_fix'],
            detail: 'Risk accepted by team-web until 2025-12-31: CLI tool only',
          },
          affects: [{ ref: 'patchgate:npm/minimist@1.2.5' }],
          properties: [
            { name: 'patchgate:triage:source', value: 'ignore file .patchgateignore.yaml entry 1' },
            { name: 'patchgate:triage:suppressed', value: 'true' },
          ],
        },
      ],
    });
    expect(schemaProblems(doc)).toEqual([]);
  });

  it('derives the serial number from the content: same input, same serial; other input, other serial', () => {
    const a = toCycloneDxVex(findings, options);
    const b = toCycloneDxVex([...findings].reverse(), options);
    const later = toCycloneDxVex(findings, { ...options, timestamp: '2025-01-03T00:00:00Z' });
    const fewer = toCycloneDxVex([untriaged], options);
    expect(b).toEqual(a);
    expect(new Set([a.serialNumber, later.serialNumber, fewer.serialNumber]).size).toBe(3);
  });

  it('merges findings of one package and one analysis into one component and one entry', () => {
    const twice = [untriaged, { ...untriaged, inventory: 'other/package-lock.json' }];
    const doc = toCycloneDxVex(twice, { timestamp: '2025-01-02T03:04:05Z' });
    expect([
      doc.components.length,
      doc.vulnerabilities.length,
      doc.metadata.tools.components,
    ]).toEqual([1, 1, [{ type: 'application', name: 'patchgate' }]]);
    expect(schemaProblems(doc)).toEqual([]);
  });

  it('the schema checks can fail', () => {
    const doc = toCycloneDxVex([untriaged], options);
    const broken = {
      ...doc,
      serialNumber: 'not-a-urn',
      vulnerabilities: doc.vulnerabilities.map((v) => ({
        ...v,
        affects: [{ ref: 'nowhere' }],
        analysis: { state: 'fixed' },
      })),
    } as CycloneDxVexDocument;
    expect(schemaProblems(broken)).toEqual([
      'serialNumber pattern',
      'GHSA-35jh-r3h4-6jhm: analysis.state',
      'GHSA-35jh-r3h4-6jhm: affects ref nowhere is not a component',
    ]);
  });
});
