import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVex } from './vex.ts';
import type { VexParseResult } from './vex-types.ts';

const testdata = join(import.meta.dirname, '..', 'testdata');
const read = (file: string): VexParseResult =>
  parseVex(readFileSync(join(testdata, file), 'utf8'), file);

const caseOneWarning =
  'vulnerabilities[0] (CVE-2021-44228): no affects[].ref resolves to a package URL ("product-DEF"); the statement cannot match a finding';

describe('parseVex: real CycloneDX VEX documents', () => {
  it.each<[string, VexParseResult]>([
    [
      'cyclonedx/bom-examples-vex.json',
      {
        ok: true,
        format: 'cyclonedx',
        warnings: [],
        statements: [
          {
            vulnerability: 'CVE-2020-25649',
            aliases: ['SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302'],
            // A BOM-Link to another BOM whose bom-ref is a purl: the purl is the product.
            products: [
              {
                purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar',
                ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar',
              },
            ],
            state: 'not_affected',
            justification: 'code_not_reachable',
            cyclonedxJustification: 'code_not_reachable',
            detail:
              'Automated dataflow analysis and manual code review indicates that the vulnerable code is not reachable, either directly or indirectly.',
            response: ['will_not_fix', 'update'],
            source: { document: 'cyclonedx/bom-examples-vex.json', format: 'cyclonedx', index: 0 },
          },
        ],
      },
    ],
    [
      'cyclonedx/cisa-case-1-vex-fixed.json',
      {
        ok: true,
        format: 'cyclonedx',
        warnings: [caseOneWarning],
        statements: [
          {
            vulnerability: 'CVE-2021-44228',
            aliases: [],
            products: [{ ref: 'product-DEF' }],
            state: 'resolved',
            detail: 'This version of Product DEF has been fixed.',
            source: {
              document: 'cyclonedx/cisa-case-1-vex-fixed.json',
              format: 'cyclonedx',
              index: 0,
              timestamp: '2022-03-03T00:00:00Z',
            },
          },
        ],
      },
    ],
    [
      'cyclonedx/trivy-cyclonedx.json',
      {
        ok: true,
        format: 'cyclonedx',
        warnings: [
          'vulnerabilities[1] (CVE-2022-27943): not_affected without analysis.justification or analysis.detail; not applied',
        ],
        statements: [
          {
            vulnerability: 'CVE-2018-7489',
            aliases: [],
            products: [
              {
                purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.8.0',
                ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.8.0',
              },
            ],
            state: 'not_affected',
            justification: 'code_not_reachable',
            cyclonedxJustification: 'code_not_reachable',
            source: { document: 'cyclonedx/trivy-cyclonedx.json', format: 'cyclonedx', index: 0 },
          },
        ],
      },
    ],
  ])('%s', (file, expected) => {
    expect(read(file)).toEqual(expected);
  });

  it.each([
    ['affected', 'exploitable'],
    ['fixed', 'resolved'],
    ['not_affected', 'not_affected'],
    ['under_investigation', 'in_triage'],
  ])('CISA case 1 (%s) reads as state %s', (name, state) => {
    const result = read(`cyclonedx/cisa-case-1-vex-${name}.json`);
    expect(result.ok && result.statements.map((s) => s.state)).toEqual([state]);
  });

  it('keeps affects[].versions (CISA case 6: one product, affected and unaffected ranges)', () => {
    const result = read('cyclonedx/cisa-case-6-vex.json');
    expect(result.ok && result.statements.map((s) => [s.state, s.products])).toEqual([
      [
        'exploitable',
        [
          {
            ref: 'product-ABC',
            versions: [
              { version: '2.4', status: 'affected' },
              { version: '2.6', status: 'affected' },
              { range: 'vers:generic/>=2.9|<=4.1', status: 'affected' },
            ],
          },
        ],
      ],
      [
        'not_affected',
        [
          {
            ref: 'product-ABC',
            versions: [
              { range: 'vers:generic/>=1.0|<=2.3', status: 'unaffected' },
              { version: '2.5', status: 'unaffected' },
              { range: 'vers:generic/>=2.7|<=2.8', status: 'unaffected' },
              { version: '4.2', status: 'unaffected' },
            ],
          },
        ],
      ],
    ]);
  });

  it('keeps BOM-Links into other BOMs as refs that cannot match (CISA case 7)', () => {
    const result = read('cyclonedx/cisa-case-7-vex.json');
    expect(
      result.ok && result.statements.map((s) => [s.state, s.products.map((p) => p.ref)]),
    ).toEqual([
      [
        'exploitable',
        [
          'urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC',
          'urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL',
        ],
      ],
      ['not_affected', ['urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC']],
      ['not_affected', ['urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL']],
      ['resolved', ['urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL']],
    ]);
    expect(result.ok && result.warnings.length).toBe(4);
  });

  it('reads every statement of a multi-vulnerability document (use case 12)', () => {
    const result = read('cyclonedx/use-case-12-vex.json');
    expect(
      result.ok &&
        result.statements.map((s) => [s.vulnerability, s.state, s.cyclonedxJustification]),
    ).toEqual([
      ['CVE-2020-25649', 'not_affected', 'code_not_reachable'],
      ['CVE-2020-35491', 'exploitable', undefined],
      ['CVE-2020-14195', 'not_affected', 'protected_by_mitigating_control'],
    ]);
  });
});

describe('parseVex: real OpenVEX documents', () => {
  it.each<[string, VexParseResult]>([
    [
      'openvex/trivy-openvex-oci.json',
      {
        ok: true,
        format: 'openvex',
        warnings: [],
        statements: [
          {
            vulnerability: 'CVE-2022-3715',
            aliases: [],
            // The subcomponent is what matches; the image is kept as context.
            products: [{ purl: 'pkg:deb/debian/bash', within: 'pkg:oci/debian' }],
            state: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
            cyclonedxJustification: 'code_not_reachable',
            source: {
              document: 'openvex/trivy-openvex-oci.json',
              format: 'openvex',
              index: 0,
              author: 'Aqua Security',
              timestamp: '2023-01-16T19:07:16.853479631-06:00',
            },
          },
        ],
      },
    ],
    [
      'openvex/vexctl-sample.openvex.json',
      {
        ok: true,
        format: 'openvex',
        warnings: [],
        statements: [
          {
            vulnerability: 'CVE-2023-27103',
            aliases: ['SNYK-DEBIAN12-LIBDE265-3361563'],
            products: [
              {
                purl: 'pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0',
              },
            ],
            state: 'not_affected',
            justification: 'component_not_present',
            cyclonedxJustification: 'code_not_present',
            source: {
              document: 'openvex/vexctl-sample.openvex.json',
              format: 'openvex',
              index: 0,
              author: 'The OpenVEX Project',
              timestamp: '2023-08-16T19:55:22.076684217-06:00',
            },
          },
        ],
      },
    ],
    [
      'openvex/vexctl-v020-1.vex.json',
      {
        ok: true,
        format: 'openvex',
        warnings: [],
        statements: [
          {
            vulnerability: 'CVE-9876-54321',
            aliases: [],
            products: [{ purl: 'pkg:apk/wolfi/bash@1.0.0' }],
            state: 'in_triage',
            source: {
              document: 'openvex/vexctl-v020-1.vex.json',
              format: 'openvex',
              index: 0,
              author: 'John Doe',
              timestamp: '2022-12-22T16:36:43-05:00',
            },
          },
        ],
      },
    ],
  ])('%s', (file, expected) => {
    expect(read(file)).toEqual(expected);
  });

  it('maps statuses and inherits the document timestamp (trivy openvex-multiple)', () => {
    const result = read('openvex/trivy-openvex-multiple.json');
    expect(result.ok && result.statements.map((s) => [s.state, s.source.timestamp])).toEqual([
      ['exploitable', '2023-01-15T01:02:03.853479631-06:00'],
      ['not_affected', '2023-01-16T19:07:16.853479631-06:00'],
    ]);
    expect(result.ok && result.warnings).toEqual([
      'statements[0] (CVE-2021-44228): affected without action_statement',
    ]);
  });

  it('reads fixed as resolved with both products (vexctl demo)', () => {
    const result = read('openvex/vexctl-demo.vex.json');
    expect(result.ok && result.statements.map((s) => [s.state, s.products])).toEqual([
      [
        'resolved',
        [
          { purl: 'pkg:apk/distro/git@2.39.0-r1?arch=armv7' },
          { purl: 'pkg:apk/distro/git@2.39.0-r1?arch=x86_64' },
        ],
      ],
    ]);
  });
});

const openvex = (statements: unknown[]): string =>
  JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.invalid/vex-1',
    author: 'Example PSIRT',
    timestamp: '2024-05-01T00:00:00Z',
    version: 1,
    statements,
  });

describe('parseVex: lenient per statement', () => {
  it('reports each bad statement by index and keeps the good ones', () => {
    const result = parseVex(
      openvex([
        {
          vulnerability: { name: 'CVE-2024-0001' },
          products: [{ '@id': 'pkg:npm/a@1.0.0' }],
          status: 'not_affected',
        },
        { vulnerability: {}, status: 'affected' },
        { vulnerability: { name: 'CVE-2024-0003' }, status: 'exploited' },
        'nonsense',
        {
          vulnerability: {
            name: 'CVE-2024-0005',
            aliases: ['GHSA-xxxx-yyyy-zzzz', 'CVE-2024-0005'],
          },
          products: [
            { identifiers: { purl: 'pkg:npm/b@2.0.0' } },
            { '@id': 'https://example.invalid/product/b' },
          ],
          status: 'not_affected',
          justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
          impact_statement: 'input is a compile-time constant',
          last_updated: '2024-06-01T00:00:00Z',
        },
        {
          vulnerability: 'CVE-2024-0006',
          products: ['pkg:npm/c@3.0.0'],
          status: 'under_investigation',
          status_notes: 'looking',
        },
        {
          vulnerability: { name: 'CVE-2024-0007' },
          products: [{ '@id': 'my-product' }],
          status: 'fixed',
        },
        {
          vulnerability: { name: 'CVE-2024-0008' },
          status: 'not_affected',
          justification: 'it_is_fine',
        },
      ]),
      'acme.vex.json',
    );
    const source = (index: number, timestamp = '2024-05-01T00:00:00Z') => ({
      document: 'acme.vex.json',
      format: 'openvex',
      index,
      author: 'Example PSIRT',
      timestamp,
    });
    expect(result).toEqual({
      ok: true,
      format: 'openvex',
      warnings: [
        'statements[0] (CVE-2024-0001): not_affected without justification or impact_statement; not applied',
        'statements[1]: no vulnerability.name; skipped',
        'statements[2] (CVE-2024-0003): unknown status "exploited"; skipped',
        'statements[3]: not an object; skipped',
        'statements[6] (CVE-2024-0007): no product has a package URL; the statement cannot match a finding',
        'statements[7] (CVE-2024-0008): unknown justification "it_is_fine"; kept as written',
        'statements[7] (CVE-2024-0008): no products; applies to every package with this vulnerability',
      ],
      statements: [
        {
          vulnerability: 'CVE-2024-0005',
          aliases: ['GHSA-xxxx-yyyy-zzzz'],
          products: [{ purl: 'pkg:npm/b@2.0.0' }, { ref: 'https://example.invalid/product/b' }],
          state: 'not_affected',
          justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
          detail: 'input is a compile-time constant',
          source: source(4, '2024-06-01T00:00:00Z'),
        },
        {
          vulnerability: 'CVE-2024-0006',
          aliases: [],
          products: [{ purl: 'pkg:npm/c@3.0.0' }],
          state: 'in_triage',
          detail: 'looking',
          source: source(5),
        },
        {
          vulnerability: 'CVE-2024-0007',
          aliases: [],
          products: [{ ref: 'my-product' }],
          state: 'resolved',
          source: source(6),
        },
        {
          vulnerability: 'CVE-2024-0008',
          aliases: [],
          products: [],
          state: 'not_affected',
          justification: 'it_is_fine',
          source: source(7),
        },
      ],
    });
  });

  it('resolves local bom-refs through components and warns on bad entries', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      metadata: { timestamp: '2024-01-01T00:00:00Z', authors: [{ name: 'Acme PSIRT' }] },
      components: [
        {
          'bom-ref': 'app',
          name: 'app',
          components: [{ 'bom-ref': 'lodash-ref', purl: 'pkg:npm/lodash@4.17.20', name: 'lodash' }],
        },
      ],
      vulnerabilities: [
        {
          id: 'CVE-2021-23337',
          references: [{ id: 'GHSA-35jh-r3h4-6jhm', source: { name: 'GitHub' } }],
          analysis: {
            state: 'false_positive',
            response: ['update', 'pray'],
            lastUpdated: '2024-02-02T00:00:00Z',
          },
          affects: [
            { ref: 'lodash-ref' },
            { ref: 'urn:cdx:11111111-2222-4333-8444-555555555555/1#lodash-ref' },
            { versions: [] },
          ],
        },
        { id: 'CVE-2021-0002' },
        { analysis: { state: 'not_affected' } },
        { id: 'CVE-2021-0004', analysis: { state: 'fixed' } },
      ],
    };
    expect(parseVex(JSON.stringify(bom), 'acme.cdx.json')).toEqual({
      ok: true,
      format: 'cyclonedx',
      warnings: [
        'vulnerabilities[0] (CVE-2021-23337): unknown analysis.response "pray"; ignored',
        'vulnerabilities[0] (CVE-2021-23337).affects[2]: no ref; ignored',
        'vulnerabilities[1] (CVE-2021-0002): no analysis.state, not a VEX statement; skipped',
        'vulnerabilities[2]: no id; skipped',
        'vulnerabilities[3] (CVE-2021-0004): unknown analysis.state "fixed"; skipped',
      ],
      statements: [
        {
          vulnerability: 'CVE-2021-23337',
          aliases: ['GHSA-35jh-r3h4-6jhm'],
          products: [
            { purl: 'pkg:npm/lodash@4.17.20', ref: 'lodash-ref' },
            {
              purl: 'pkg:npm/lodash@4.17.20',
              ref: 'urn:cdx:11111111-2222-4333-8444-555555555555/1#lodash-ref',
            },
          ],
          state: 'false_positive',
          response: ['update'],
          source: {
            document: 'acme.cdx.json',
            format: 'cyclonedx',
            index: 0,
            author: 'Acme PSIRT',
            timestamp: '2024-02-02T00:00:00Z',
          },
        },
      ],
    });
  });

  it('reads a BOM without vulnerabilities as no statements, with a warning', () => {
    expect(parseVex('{"bomFormat":"CycloneDX","specVersion":"1.3"}', 'sbom.json')).toEqual({
      ok: true,
      format: 'cyclonedx',
      statements: [],
      warnings: [
        'specVersion "1.3" is not 1.4–1.6; read with the 1.6 rules',
        'no vulnerabilities[]: the BOM carries no VEX statements',
      ],
    });
  });
});

describe('parseVex: not a VEX document', () => {
  it.each([
    [
      '{"spdxVersion":"SPDX-2.3"}',
      'x.json: not a VEX document: neither a CycloneDX BOM (bomFormat "CycloneDX") nor OpenVEX (@context https://openvex.dev/ns/…)',
    ],
    [
      '[]',
      'x.json: not a VEX document: neither a CycloneDX BOM (bomFormat "CycloneDX") nor OpenVEX (@context https://openvex.dev/ns/…)',
    ],
    [
      '{"document":{"csaf_version":"2.0"}}',
      'x.json: CSAF VEX is not supported; use CycloneDX or OpenVEX',
    ],
    [
      '<?xml version="1.0"?><bom/>',
      'x.json: XML VEX is not supported; convert it to CycloneDX JSON first',
    ],
    ['{"@context":"https://openvex.dev/ns"}', 'OpenVEX document without statements[]'],
  ])('%s', (text, error) => {
    expect(parseVex(text, 'x.json')).toEqual({ ok: false, error });
  });

  it('says when the text is not JSON', () => {
    const result = parseVex('{ nope', 'x.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^x\.json: not valid JSON: /);
  });

  it('refuses nesting beyond the limit with an error naming it, quoting nothing', () => {
    const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    expect(parseVex(deep, 'x.json')).toEqual({
      ok: false,
      error: 'x.json: nested deeper than the limit of 256 levels',
    });
    const secret = parseVex('PATCHGATE_SECRET=hunter2', 'x.json');
    expect(!secret.ok && secret.error).not.toMatch(/hunter2/);
  });
});
