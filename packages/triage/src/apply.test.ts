import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '@patchgate/matcher';
import { describe, expect, it } from 'vitest';
import type { Triage, TriageReport } from './apply.ts';
import { applyTriage } from './apply.ts';
import type { IgnoreEntry } from './ignore-file.ts';
import { parseVex } from './vex.ts';
import type { VexStatement } from './vex-types.ts';

const testdata = join(import.meta.dirname, '..', 'testdata');

function vexFile(file: string): VexStatement[] {
  const result = parseVex(
    readFileSync(join(testdata, file), 'utf8'),
    file.split('/').pop() ?? file,
  );
  if (!result.ok) throw new Error(result.error);
  return [...result.statements];
}

function vexText(doc: object, name = 'acme.vex.json'): VexStatement[] {
  const result = parseVex(JSON.stringify(doc), name);
  if (!result.ok) throw new Error(result.error);
  return [...result.statements];
}

function finding(
  pkg: Partial<Finding['package']> & { name: string; version: string },
  id: string,
  aliases: string[] = [],
): Finding {
  const ecosystem = pkg.ecosystem ?? 'npm';
  return {
    inventory: 'package-lock.json',
    package: { ecosystem, ...pkg },
    advisory: { id, aliases, cves: [], severity: 'high', cvss: [] },
    match: { ecosystem, name: pkg.name, version: pkg.version, by: 'range' },
    fixedVersions: [],
  };
}

const jackson = (version: string): Finding =>
  finding(
    {
      ecosystem: 'Maven',
      name: 'com.fasterxml.jackson.core:jackson-databind',
      version,
      purl: `pkg:maven/com.fasterxml.jackson.core/jackson-databind@${version}`,
    },
    'GHSA-288c-cq4h-88gq',
    ['CVE-2020-25649'],
  );

const emptyReport: TriageReport = {
  findings: 0,
  suppressed: 0,
  annotated: 0,
  byState: {},
  expired: [],
  unused: [],
  unusedStatements: 0,
  notes: [],
};

const triageOf = (findings: readonly { triage?: Triage }[]): (Triage | undefined)[] =>
  findings.map((f) => f.triage);

describe('applyTriage with real VEX documents', () => {
  it('suppresses the version a CycloneDX VEX names through a BOM-Link purl, by alias', () => {
    const vex = vexFile('cyclonedx/bom-examples-vex.json');
    const result = applyTriage([jackson('2.10.0'), jackson('2.10.1')], {
      vex,
      ignores: [],
      today: '2025-01-01',
    });
    expect(triageOf(result.findings)).toEqual([
      {
        state: 'not_affected',
        justification: 'code_not_reachable',
        detail:
          'Automated dataflow analysis and manual code review indicates that the vulnerable code is not reachable, either directly or indirectly.',
        response: ['will_not_fix', 'update'],
        source: 'VEX bom-examples-vex.json',
        suppressed: true,
      },
      undefined,
    ]);
    expect(result.report).toEqual({
      ...emptyReport,
      findings: 2,
      suppressed: 1,
      byState: { not_affected: 1 },
    });
  });

  it('lets the later OpenVEX statement win (trivy openvex-multiple: affected, then not_affected)', () => {
    const vex = vexFile('openvex/trivy-openvex-multiple.json');
    const spring = finding(
      { ecosystem: 'Maven', name: 'org.springframework.boot:spring-boot', version: '2.6.0' },
      'CVE-2021-44228',
    );
    expect(
      triageOf(applyTriage([spring], { vex, ignores: [], today: '2025-01-01' }).findings),
    ).toEqual([
      {
        state: 'not_affected',
        justification: 'code_not_reachable',
        source: 'VEX trivy-openvex-multiple.json',
        suppressed: true,
      },
    ]);
    // Same statements, input reversed: the timestamps still decide, not the order.
    const reversed = applyTriage([spring], {
      vex: [...vex].reverse(),
      ignores: [],
      today: '2025-01-01',
    });
    expect(reversed.findings[0]?.triage?.state).toBe('not_affected');
  });

  it('matches an OpenVEX subcomponent without a version against any version, ignoring qualifiers', () => {
    const vex = vexFile('openvex/trivy-openvex-oci.json');
    const bash = finding(
      {
        ecosystem: 'Debian:12',
        name: 'bash',
        version: '5.2.15-2+b2',
        purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12',
      },
      'DEBIAN-CVE-2022-3715',
      ['CVE-2022-3715'],
    );
    const dash = finding(
      { ecosystem: 'Debian:12', name: 'dash', version: '0.5.12-2' },
      'CVE-2022-3715',
    );
    const result = applyTriage([bash, dash], { vex, ignores: [], today: '2025-01-01' });
    expect(triageOf(result.findings)).toEqual([
      {
        state: 'not_affected',
        justification: 'code_not_reachable',
        source: 'VEX trivy-openvex-oci.json',
        suppressed: true,
      },
      undefined,
    ]);
  });

  it('suppresses on fixed only for the version the statement names (vexctl demo)', () => {
    const vex = vexFile('openvex/vexctl-demo.vex.json');
    const git = (version: string): Finding =>
      finding(
        {
          ecosystem: 'Alpine:v3.19',
          name: 'git',
          version,
          purl: `pkg:apk/distro/git@${version}?arch=x86_64`,
        },
        'CVE-2014-123456',
      );
    const result = applyTriage([git('2.39.0-r1'), git('2.38.5-r0')], {
      vex,
      ignores: [],
      today: '2025-01-01',
    });
    expect(result.findings.map((f) => f.triage?.suppressed)).toEqual([true, undefined]);
  });

  it('never applies a not_affected statement without a reason (trivy cyclonedx, libstdc++6)', () => {
    const vex = vexFile('cyclonedx/trivy-cyclonedx.json');
    const lib = finding(
      {
        ecosystem: 'Ubuntu:22.04:LTS',
        name: 'libstdc++6',
        version: '12.3.0-1ubuntu1~22.04',
        purl: 'pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64&distro=ubuntu-22.04',
      },
      'UBUNTU-CVE-2022-27943',
      ['CVE-2022-27943'],
    );
    const result = applyTriage([lib], { vex, ignores: [], today: '2025-01-01' });
    expect(result.findings[0]?.triage).toBeUndefined();
    expect(result.report.unusedStatements).toBe(1);
  });
});

const cdx = (vulnerabilities: object[], components: object[] = []): object => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  metadata: { timestamp: '2024-03-01T00:00:00Z' },
  components,
  vulnerabilities,
});

describe('applyTriage rules', () => {
  const lodash = (version: string): Finding =>
    finding({ name: 'lodash', version, purl: `pkg:npm/lodash@${version}` }, 'GHSA-35jh-r3h4-6jhm', [
      'CVE-2021-23337',
    ]);

  it.each<[string, object, (boolean | undefined)[], string[]]>([
    [
      'exploitable annotates, never suppresses',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'exploitable' },
          affects: [{ ref: 'pkg:npm/lodash' }],
        },
      ]),
      [false, false],
      [],
    ],
    [
      'false_positive suppresses every version when the product has none',
      cdx([
        {
          id: 'GHSA-35jh-r3h4-6jhm',
          analysis: { state: 'false_positive' },
          affects: [{ ref: 'pkg:npm/lodash' }],
        },
      ]),
      [true, true],
      [],
    ],
    [
      'resolved without a version annotates and says why',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'resolved' },
          affects: [{ ref: 'pkg:npm/lodash' }],
        },
      ]),
      [false, false],
      [
        'VEX acme.vex.json says CVE-2021-23337 is resolved without naming the installed version; not suppressed',
      ],
    ],
    [
      'affects[].versions decide: an unaffected range suppresses inside it only',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'not_affected', justification: 'code_not_present' },
          affects: [
            {
              ref: 'pkg:npm/lodash',
              versions: [{ range: 'vers:npm/>=4.17.0|<4.17.21', status: 'unaffected' }],
            },
          ],
        },
      ]),
      [true, undefined],
      [],
    ],
    [
      'an entry marked affected never supports a suppression',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'not_affected', justification: 'code_not_present' },
          affects: [
            { ref: 'pkg:npm/lodash', versions: [{ version: '4.17.20', status: 'affected' }] },
          ],
        },
      ]),
      [undefined, undefined],
      [],
    ],
    [
      'a range that cannot be evaluated matches nothing and is noted',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'not_affected', justification: 'code_not_present' },
          affects: [{ ref: 'pkg:npm/lodash', versions: [{ range: 'vers:npm/<4.x' }] }],
        },
      ]),
      [undefined, undefined],
      ['pkg:npm/lodash: range not evaluated: "4.x" is not a Semantic Versioning 2.0.0 version'],
    ],
    [
      'a statement without products applies to every package with the id',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'not_affected', detail: 'we do not use lodash.template' },
        },
      ]),
      [true, true],
      [],
    ],
    [
      'another package or another id does not match',
      cdx([
        {
          id: 'CVE-2021-23337',
          analysis: { state: 'false_positive' },
          affects: [{ ref: 'pkg:npm/lodash-es' }],
        },
        { id: 'CVE-2021-99999', analysis: { state: 'false_positive' } },
      ]),
      [undefined, undefined],
      [],
    ],
  ])('%s', (_, doc, suppressed, notes) => {
    const result = applyTriage([lodash('4.17.20'), lodash('4.17.21')], {
      vex: vexText(doc),
      ignores: [],
      today: '2025-01-01',
    });
    expect(result.findings.map((f) => f.triage?.suppressed)).toEqual(suppressed);
    expect(result.report.notes).toEqual(notes);
  });

  it('matches a component purl through its bom-ref and a product version through the scheme', () => {
    const vex = vexText(
      cdx(
        [
          {
            id: 'CVE-2021-23337',
            analysis: { state: 'not_affected', justification: 'requires_configuration' },
            affects: [{ ref: 'c1' }],
          },
        ],
        [{ 'bom-ref': 'c1', name: 'core', purl: 'pkg:maven/org.example/core@1.0' }],
      ),
    );
    const core = finding(
      { ecosystem: 'Maven', name: 'org.example:core', version: '1.0.0' },
      'GHSA-aaaa-bbbb-cccc',
      ['cve-2021-23337'],
    );
    expect(
      applyTriage([core], { vex, ignores: [], today: '2025-01-01' }).findings[0]?.triage,
    ).toEqual({
      state: 'not_affected',
      justification: 'requires_configuration',
      source: 'VEX acme.vex.json',
      suppressed: true,
    });
  });
});

describe('applyTriage with ignore entries', () => {
  const entry = (over: Partial<IgnoreEntry> & { index: number }): IgnoreEntry => ({
    id: 'CVE-2023-44487',
    reason: 'not exposed',
    expires: '2025-07-01',
    file: '.patchgateignore.yaml',
    ...over,
  });
  const http2 = finding(
    { name: 'http2-wrapper', version: '2.1.0', purl: 'pkg:npm/http2-wrapper@2.1.0' },
    'GHSA-qppj-fm5r-hxr3',
    ['CVE-2023-44487'],
  );
  const nghttp2 = finding(
    { ecosystem: 'Debian:12', name: 'libnghttp2-14', sourceName: 'nghttp2', version: '1.52.0-1' },
    'DSA-5540-1',
    ['CVE-2023-44487'],
  );

  it('applies active entries, reports expired and unused ones', () => {
    const ignores = [
      entry({ index: 0, package: 'pkg:npm/http2-wrapper', owner: 'team-web' }),
      entry({ index: 1, package: 'nghttp2', expires: '2025-06-30' }), // expired today
      entry({ index: 2, id: 'CVE-2099-0001' }),
      entry({ index: 3, package: 'pkg:npm/http2-wrapper@9.9.9' }),
    ];
    const result = applyTriage([http2, nghttp2], { vex: [], ignores, today: '2025-06-30' });
    expect(triageOf(result.findings)).toEqual([
      {
        state: 'ignored',
        detail: 'not exposed',
        source: 'ignore file .patchgateignore.yaml entry 1',
        suppressed: true,
        expires: '2025-07-01',
        owner: 'team-web',
      },
      undefined,
    ]);
    expect(result.report).toEqual({
      ...emptyReport,
      findings: 2,
      suppressed: 1,
      byState: { ignored: 1 },
      expired: [
        {
          file: '.patchgateignore.yaml',
          entry: 2,
          id: 'CVE-2023-44487',
          package: 'nghttp2',
          expires: '2025-06-30',
          findings: 1,
        },
      ],
      unused: [
        {
          file: '.patchgateignore.yaml',
          entry: 3,
          id: 'CVE-2099-0001',
          expires: '2025-07-01',
          findings: 0,
        },
        {
          file: '.patchgateignore.yaml',
          entry: 4,
          id: 'CVE-2023-44487',
          package: 'pkg:npm/http2-wrapper@9.9.9',
          expires: '2025-07-01',
          findings: 0,
        },
      ],
    });
  });

  it('a suppressing VEX statement wins over an ignore entry; an ignore wins over an annotation', () => {
    const vex = vexText(
      cdx([
        {
          id: 'CVE-2023-44487',
          analysis: { state: 'not_affected', justification: 'requires_environment' },
          affects: [{ ref: 'pkg:npm/http2-wrapper@2.1.0' }],
        },
        {
          id: 'CVE-2023-44487',
          analysis: { state: 'in_triage' },
          affects: [{ ref: 'pkg:deb/debian/libnghttp2-14' }],
        },
      ]),
    );
    const ignores = [entry({ index: 0 })];
    const result = applyTriage([http2, nghttp2], { vex, ignores, today: '2025-01-01' });
    expect(result.findings.map((f) => [f.triage?.state, f.triage?.source])).toEqual([
      ['not_affected', 'VEX acme.vex.json'],
      ['ignored', 'ignore file .patchgateignore.yaml entry 1'],
    ]);
    expect(result.report.unused).toEqual([]);
  });
});
