/**
 * Every output format against its official schema, validated by a third-party validator (Ajv,
 * see ../schemas.test-support.ts), on reports of real data: the repository's examples (a
 * Debian 12 host, a Go SBOM whose vulndb records repeat aliases, a real OpenVEX statement that
 * suppresses a finding) and, when present, the shared data set's Go vulndb and crates.io
 * exports against real inventories.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '@patchgate/inventory';
import { readInventory } from '@patchgate/inventory';
import type { ScanReport } from '../model.ts';
import { schemaErrors } from '../schemas.test-support.ts';
import { parseVex } from '@patchgate/triage';
import { scanReportOf } from './report.test-support.ts';
import { renderCycloneDxVex } from './cyclonedx-vex.ts';
import { renderSarif } from './sarif.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const shared = process.env['PATCHGATE_SHARED_DATA'] ?? `${root}../../shared/data`;

function inventory(path: string, source = path): Inventory {
  const file = path.startsWith('/') ? path : `${root}${path}`;
  const result = readInventory({ path: source, text: readFileSync(file, 'utf8') });
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

function report(
  inventories: Inventory[],
  advisoryPaths: string[],
  vexPaths: string[] = [],
): Promise<ScanReport> {
  return scanReportOf(
    inventories,
    advisoryPaths,
    vexPaths.map((path) => [readFileSync(`${root}${path}`, 'utf8'), path]),
  );
}

const host = 'examples/debian-bookworm/dpkg-query.tsv';
const sbom = 'examples/sbom/proton-bridge-v1.8.0.bom.json';
const docker = 'packages/inventory/testdata/go-buildinfo/docker.txt';
let examples: Promise<ScanReport> | undefined;
/**
 * The examples, the SBOM a second time under another path, a real OpenVEX suppression, and
 * docker's Go 1.24.3 standard library against two real vulndb records that repeat their alias
 * (testdata/SOURCES.md): the data that made the SARIF invalid.
 */
const exampleReport = () =>
  (examples ??= report(
    [inventory(host), inventory(sbom), inventory(sbom, 'vendor/other/bom.json'), inventory(docker)],
    [`${root}examples/advisories`, `${root}packages/report/testdata/go-vulndb`],
    ['apps/cli/test/fixtures/curl-not-affected.openvex.json'],
  ));

interface SarifLog {
  runs: {
    tool: {
      driver: {
        rules: { id: string; fullDescription?: { text: string }; properties: { tags: string[] } }[];
      };
    };
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
      partialFingerprints: Record<string, string>;
      suppressions?: unknown[];
    }[];
  }[];
}

describe('SARIF 2.1.0', () => {
  it('is valid against the SARIF 2.1.0 schema on the examples', async () => {
    const sarif = JSON.parse(
      renderSarif(await exampleReport(), { explain: false, sourceRoot: root }),
    ) as SarifLog;
    expect(schemaErrors('sarif', sarif)).toEqual([]);
  });

  it('would have caught the duplicate tags: Go vulndb records repeat an alias', async () => {
    const r = await exampleReport();
    const repeated = r.findings.filter(
      (f) => new Set(f.advisory.aliases).size < f.advisory.aliases.length,
    );
    // The real data does repeat (the bug's cause); the rules' tags must still be distinct.
    expect(repeated.length).toBeGreaterThan(0);
    const sarif = JSON.parse(renderSarif(r, { explain: false })) as SarifLog;
    for (const rule of sarif.runs[0]!.tool.driver.rules)
      expect(rule.properties.tags).toEqual([...new Set(rule.properties.tags)]);
    const withDuplicates = structuredClone(sarif);
    withDuplicates.runs[0]!.tool.driver.rules[0]!.properties.tags.push('security');
    expect(schemaErrors('sarif', withDuplicates)).toContainEqual(
      expect.stringMatching(/\/properties\/tags must NOT have duplicate items/),
    );
  });

  it('gives every rule a fullDescription and every location a URI relative to %SRCROOT%', async () => {
    const sarif = JSON.parse(
      renderSarif(await exampleReport(), { explain: false, sourceRoot: root }),
    ) as SarifLog & {
      runs: { tool: { driver: { rules: { fullDescription?: { text: string } }[] } } }[];
    };
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules.every((rule) => (rule.fullDescription?.text ?? '') !== '')).toBe(
      true,
    );
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `file://${root}` } });
    expect(
      new Set(
        run.results.map((r) => JSON.stringify(r.locations[0]!.physicalLocation.artifactLocation)),
      ),
    ).toEqual(
      new Set(
        [host, sbom, 'vendor/other/bom.json', docker].map((uri) =>
          JSON.stringify({ uri, uriBaseId: '%SRCROOT%' }),
        ),
      ),
    );
  });

  it('fingerprints each file, package and advisory apart (two files never share one)', async () => {
    const sarif = JSON.parse(renderSarif(await exampleReport(), { explain: false })) as SarifLog;
    const results = sarif.runs[0]!.results;
    const fingerprints = results.map((r) => r.partialFingerprints['patchgateFinding/v1']);
    expect(new Set(fingerprints).size).toBe(results.length);
    const inSbom = results.filter(
      (r) => r.locations[0]!.physicalLocation.artifactLocation.uri === sbom,
    );
    const inCopy = results.filter(
      (r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'vendor/other/bom.json',
    );
    expect(inCopy.map((r) => r.ruleId)).toEqual(inSbom.map((r) => r.ruleId));
    expect(inSbom.length).toBe(58);
  });

  it('suppresses, not drops, what VEX settled', async () => {
    const r = await exampleReport();
    const sarif = JSON.parse(renderSarif(r, { explain: false })) as SarifLog;
    const suppressed = sarif.runs[0]!.results.filter((result) => result.suppressions !== undefined);
    expect(suppressed.length).toBe(r.summary.suppressed);
    expect(suppressed.length).toBeGreaterThan(0);
  });

  it.each([
    ['examples/a.json', '/work/x', { uri: 'examples/a.json', uriBaseId: '%SRCROOT%' }],
    ['./a/../b c#1.json', '/work/x', { uri: 'b%20c%231.json', uriBaseId: '%SRCROOT%' }],
    ['/work/x/sub/bom.json', '/work/x', { uri: 'sub/bom.json', uriBaseId: '%SRCROOT%' }],
    ['/etc/os/status', '/work/x', { uri: 'file:///etc/os/status' }],
    ['../up/bom.json', '/work/x', { uri: 'file:///work/up/bom.json' }],
    ['C:\\scan\\bom.json', 'C:\\scan', { uri: 'bom.json', uriBaseId: '%SRCROOT%' }],
  ] as const)('locates %s under %s', async (source, sourceRoot, expected) => {
    const { artifactLocation } = await import('./sarif.ts');
    expect(artifactLocation(source, sourceRoot)).toEqual(expected);
  });
});

describe('CycloneDX 1.6 VEX', () => {
  it('is valid against the CycloneDX 1.6 schema on the examples', async () => {
    const document = JSON.parse(renderCycloneDxVex(await exampleReport())) as unknown;
    expect(schemaErrors('cyclonedx', document)).toEqual([]);
  });
});

describe('OpenVEX', () => {
  // Patchgate writes no OpenVEX; it reads it. Its own fixtures must be valid OpenVEX 0.2.0.
  it("the CLI tests' VEX fixture is valid against the OpenVEX 0.2.0 schema", () => {
    const path = 'apps/cli/test/fixtures/curl-not-affected.openvex.json';
    const document = JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as unknown;
    expect(schemaErrors('openvex', document)).toEqual([]);
  });

  // Real third-party documents (copied unchanged) stray from the schema; the reader accepts
  // them leniently, and this records exactly how they stray, so a new deviation is noticed.
  it.each([
    [
      'trivy-openvex-multiple.json',
      [
        "/ must have required property '@id'",
        "/statements/0 must have required property 'action_statement'",
        '/statements/0 must match "then" schema',
      ],
    ],
    ['trivy-openvex-oci.json', ["/ must have required property '@id'"]],
    ['vexctl-demo.vex.json', []],
    ['vexctl-sample.openvex.json', ['/statements/0 must NOT have additional properties']],
    [
      'vexctl-v020-1.vex.json',
      ["/ must have required property 'timestamp'", "/ must have required property 'version'"],
    ],
  ])('packages/triage/testdata/openvex/%s strays from the schema as recorded', (file, errors) => {
    const path = `${root}packages/triage/testdata/openvex/${file}`;
    const document = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    expect(schemaErrors('openvex', document)).toEqual(errors);
    expect(parseVex(readFileSync(path, 'utf8'), file).ok).toBe(true);
  });
});

const goAdvisories = `${shared}/advisories/osv/Go/all.zip`;
const goBinaries = `${shared}/inventories/go-buildinfo`;
describe.skipIf(!existsSync(goAdvisories) || !existsSync(goBinaries))(
  'on the shared data set: Go vulndb against real Go binaries',
  () => {
    it('writes valid SARIF and CycloneDX VEX', async () => {
      const inventories = readdirSync(goBinaries)
        .filter((f) => !f.endsWith('.md'))
        .map((f) => inventory(`${goBinaries}/${f}`, `go-buildinfo/${f}`));
      const r = await report(inventories, [goAdvisories]);
      expect(r.findings.length).toBeGreaterThan(100);
      expect(
        r.findings.some((f) => new Set(f.advisory.aliases).size < f.advisory.aliases.length),
      ).toBe(true);
      const sarif = JSON.parse(renderSarif(r, { explain: false, sourceRoot: shared })) as unknown;
      expect(schemaErrors('sarif', sarif)).toEqual([]);
      const vex = JSON.parse(renderCycloneDxVex(r)) as unknown;
      expect(schemaErrors('cyclonedx', vex)).toEqual([]);
    });
  },
);
if (!existsSync(goAdvisories) || !existsSync(goBinaries))
  console.warn(`skipped: the shared data set is absent (${shared}); the examples still ran`);
