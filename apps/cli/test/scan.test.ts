/**
 * `patchgate scan` in-process, on the real data in examples/ (see examples/SOURCES.md): a
 * Debian 12 host's dpkg-query listing and a Go application's CycloneDX SBOM, against advisories
 * derived from Debian 12 changelogs and the real Go vulnerability database.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const host = 'examples/debian-bookworm/dpkg-query.tsv';
const sbom = 'examples/sbom/proton-bridge-v1.8.0.bom.json';
const advisories = 'examples/advisories';

interface JsonReport {
  findings: {
    inventory: string;
    package: { ecosystem: string; name: string; version: string; sourceName?: string };
    advisory: { id: string; aliases: string[]; severity: string };
    fixedVersions: string[];
  }[];
  summary: { findings: number; failed: boolean; failOn: string };
  inventories: { source: string; format: string; os?: { ecosystem?: string }; packages: number }[];
}

async function scanJson(
  ...extra: string[]
): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const result = await runCli([
    'scan',
    host,
    sbom,
    '--advisories',
    advisories,
    '--format',
    'json',
    ...extra,
  ]);
  return {
    code: result.code,
    report: JSON.parse(result.stdout) as JsonReport,
    stderr: result.stderr,
  };
}

describe('patchgate scan', () => {
  it('finds the Debian 12 fixes the host lacks, through the source package', async () => {
    const { code, report } = await scanJson();
    expect(code).toBe(1);
    const curl = report.findings.filter((f) => f.advisory.aliases.includes('CVE-2025-10148'));
    expect(
      curl.map((f) => [f.package.name, f.package.version, f.package.sourceName, f.fixedVersions]),
    ).toEqual([
      ['curl', '7.88.1-10+deb12u14', undefined, ['7.88.1-10+deb12u15']],
      ['libcurl3-gnutls', '7.88.1-10+deb12u14', 'curl', ['7.88.1-10+deb12u15']],
      ['libcurl3-nss', '7.88.1-10+deb12u14', 'curl', ['7.88.1-10+deb12u15']],
      ['libcurl4', '7.88.1-10+deb12u14', 'curl', ['7.88.1-10+deb12u15']],
    ]);
    const hostSummary = report.inventories.find((i) => i.source === host);
    expect(hostSummary).toMatchObject({
      format: 'dpkg-query',
      os: { ecosystem: 'Debian:12' },
      packages: 723,
    });
  });

  it('finds Go advisories for the modules of the SBOM', async () => {
    const { report } = await scanJson();
    const go = report.findings.filter((f) => f.inventory === sbom);
    expect(go.length).toBeGreaterThan(0);
    expect(go.every((f) => f.package.ecosystem === 'Go' && f.advisory.id.startsWith('GO-'))).toBe(
      true,
    );
  });

  it('does not report fixes the host already has', async () => {
    const { report } = await scanJson();
    // CVE-2023-38545 was fixed in curl 7.88.1-10+deb12u4; the host has deb12u14.
    expect(report.findings.filter((f) => f.advisory.aliases.includes('CVE-2023-38545'))).toEqual(
      [],
    );
  });

  it.each([
    ['none', 0],
    ['any', 1],
    ['critical', 0],
  ])('--fail-on %s exits %d', async (failOn, code) => {
    const result = await scanJson('--fail-on', failOn);
    expect(result.code).toBe(code);
    expect(result.report.summary.failOn).toBe(failOn);
  });

  it('writes CSV with one row per finding', async () => {
    const json = await scanJson();
    const csv = await runCli(['scan', host, sbom, '--advisories', advisories, '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'priority,due_date,timeline,inventory,ecosystem,package,version,source_package,source_version,advisory,aliases,severity,fixed_versions,affected_range,triage,suppressed,policy_rule,summary',
    );
    expect(lines.length).toBe(json.report.findings.length + 1);
  });

  it('writes SARIF 2.1.0 with one result per finding', async () => {
    const json = await scanJson();
    const result = await runCli([
      'scan',
      host,
      sbom,
      '--advisories',
      advisories,
      '--format',
      'sarif',
    ]);
    const sarif = JSON.parse(result.stdout) as {
      version: string;
      runs: { results: unknown[]; tool: { driver: { name: string; rules: unknown[] } } }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.tool.driver.name).toBe('patchgate');
    expect(sarif.runs[0]?.results.length).toBe(json.report.findings.length);
  });

  it('prints a table with a summary line', async () => {
    const result = await runCli(['scan', host, '--advisories', advisories]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${host} (dpkg-query, Debian:12): 723 packages`);
    expect(result.stdout).toMatch(
      /\n\d+ findings \(.*P\d.*\) in 1 inventory, against \d+ advisories; policy default \S+, detected on 2026-11-22\. Add --explain/,
    );
  });

  it('groups the binary packages of one source package into one table row per advisory', async () => {
    const result = await runCli(['scan', host, '--advisories', advisories, '--explain']);
    const json = await runCli(['scan', host, '--advisories', advisories, '-f', 'json']);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(result.stdout).toContain(
      `${host} (dpkg-query, Debian:12): 723 packages, 7 affected, 91 findings in 28 rows\n`,
    );
    const lines = result.stdout.split('\n');
    const rows = lines.filter((l) => /^P\d /.test(l));
    expect(rows).toHaveLength(28);
    const openssl = rows.filter((l) => l.includes('DEBCL-openssl-CVE-2026-34180'));
    expect(openssl).toHaveLength(1);
    expect(openssl[0]).toMatch(
      /^P\d\s+\d{4}-\d\d-\d\d\s+openssl: libssl-dev, libssl3, openssl\s+3\.0\.19-1~deb12u2\s+DEBCL-openssl-CVE-2026-34180\s/,
    );
    expect(
      lines.filter((l) => l.includes('curl: curl, libcurl3-gnutls, libcurl3-nss, libcurl4')),
    ).toHaveLength(7);
    // One explanation per row; the summary counts findings and rows.
    expect(lines.filter((l) => l.startsWith('    why: '))).toHaveLength(28);
    expect(result.stdout).toMatch(
      /\n91 findings \(91 P\d; 28 rows after grouping the binary packages of one source package\) in 1 inventory,/,
    );
    // JSON keeps one finding per binary package.
    expect(report.findings).toHaveLength(91);
    expect(
      report.findings
        .filter((f) => f.advisory.id === 'DEBCL-openssl-CVE-2026-34180')
        .map((f) => f.package.name),
    ).toEqual(['libssl-dev', 'libssl3', 'openssl']);
  });

  it('shows suppressed findings in the table, flagged and listed last', async () => {
    const result = await runCli([
      'scan',
      host,
      '--advisories',
      advisories,
      '--vex',
      'apps/cli/test/fixtures/curl-not-affected.openvex.json',
    ]);
    expect(result.stdout).toContain(
      `${host} (dpkg-query, Debian:12): 723 packages, 7 affected, 90 findings in 28 rows (1 more suppressed by VEX or the ignore file, listed last)`,
    );
    const lines = result.stdout.split('\n');
    const row = lines.findIndex((l) =>
      /^-\s+-\s+curl\s+7\.88\.1-10\+deb12u14\s+DEBCL-curl-CVE-2025-10148/.test(l),
    );
    expect(row).toBeGreaterThan(0);
    expect(lines[row + 1]).toBe(
      '    suppressed: not_affected (VEX apps/cli/test/fixtures/curl-not-affected.openvex.json); not counted, never fails the gate',
    );
    // Listed after every open finding of the inventory.
    expect(lines.slice(row + 2).findIndex((l) => l === '')).toBe(0);
  });

  const npmLock =
    'packages/inventory/testdata/npm-package-lock/npm11-lockfile-v3-package-lock.json';
  it('says why a scan could match nothing, and how to fix it', async () => {
    const result = await runCli(['scan', npmLock, '--advisories', advisories]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `patchgate: coverage gap: ${npmLock}: no advisories loaded for ecosystem npm: 37 packages could not be matched; add --advisories <npm/all.zip> (OSV's export of the npm ecosystem)\n`,
    );
    expect(result.stdout).toMatch(/ 1 coverage gap: packages that could not be matched at all/);
  });

  it.each([
    [['--fail-on', 'coverage'], 1, { failOn: 'none', failOnCoverage: true, failed: true }],
    [['--fail-on', 'any,coverage'], 1, { failOn: 'any', failOnCoverage: true, failed: true }],
    [[], 0, { failOn: 'any', failOnCoverage: false, failed: false }],
  ])('--fail-on %j on a coverage gap exits %d', async (flags, code, summary) => {
    const result = await runCli([
      'scan',
      npmLock,
      '--advisories',
      advisories,
      '-f',
      'json',
      ...flags,
    ]);
    expect(result.code).toBe(code);
    const report = JSON.parse(result.stdout) as { summary: object; coverage: { reason: string }[] };
    expect(report.summary).toMatchObject({ ...summary, coverageGaps: 1 });
    expect(report.coverage.map((c) => c.reason)).toEqual(['no-advisories-for-ecosystem']);
  });

  it('--fail-on coverage passes a scan whose packages are all covered', async () => {
    const { code, report } = await scanJson('--fail-on', 'coverage');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ failed: false });
  });

  it.each([
    [['scan', 'no/such/file', '--advisories', advisories], /inventory not found: no\/such\/file/],
    [['scan', host], /--advisories is required/],
    [['scan', host, '--advisories', 'no/such/dir'], /advisories not found: no\/such\/dir/],
    [
      ['scan', host, '--advisories', advisories, '--format', 'xml'],
      /--format must be one of table, json, csv, sarif/,
    ],
    [['scan', host, '--advisories', advisories, '--fail-on', 'severe'], /--fail-on must be one of/],
    [
      ['scan', host, '--advisories', advisories, '--fail-on', 'high,P2'],
      /--fail-on takes one threshold, and coverage \(got "high,P2"\)/,
    ],
    [['scan', host, '--advisories', advisories, '--os', 'plan9:4'], /--os "plan9:4"/],
    [['scan', 'README.md', '--advisories', advisories], /not a recognised inventory format/],
    [['scan', 'examples', '--advisories', advisories], /is a directory/],
    [['scan', '--advisories', advisories], /no inventory files given/],
  ])('input error %j exits 2 with a clear message', async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
