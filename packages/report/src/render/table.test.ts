/**
 * The table on the repository's real examples (examples/SOURCES.md): a Debian 12 host whose
 * binary packages libssl3, libssl-dev and openssl (source openssl) and curl, libcurl4,
 * libcurl3-gnutls and libcurl3-nss (source curl) share their advisories. The table shows one
 * row per source package and advisory; JSON, CSV and SARIF keep one entry per binary package.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readInventory } from '@patchgate/inventory';
import type { ScanReport } from '../model.ts';
import { renderCsv } from './csv.ts';
import { scanReportOf } from './report.test-support.ts';
import { renderJson } from './json.ts';
import { renderSarif } from './sarif.ts';
import { renderTable } from './table.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const host = 'examples/debian-bookworm/dpkg-query.tsv';
const curlVex = 'apps/cli/test/fixtures/curl-not-affected.openvex.json';

function scan(vexPaths: string[] = [], vexTexts: [string, string][] = []): Promise<ScanReport> {
  const read = readInventory({ path: host, text: readFileSync(`${root}${host}`, 'utf8') });
  if (!read.ok) throw new Error(read.error);
  return scanReportOf(
    [read.inventory],
    [`${root}examples/advisories`],
    [
      ...vexPaths.map((path): [string, string] => [readFileSync(`${root}${path}`, 'utf8'), path]),
      ...vexTexts,
    ],
  );
}

/** The table's finding rows (priority first, or `-` when suppressed), split into cells. */
function rowsOf(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => /^(P\d|-) /.test(l))
    .map((l) => l.split(/ {2,}/));
}

describe('table: binary packages of one source package', () => {
  it('share one row per advisory naming them, counted as findings and rows', async () => {
    const report = await scan();
    const table = renderTable(report, { explain: true });
    const rows = rowsOf(table);
    // 7 curl advisories on 4 binaries, 21 openssl advisories on 3: 91 findings, 28 rows.
    expect(report.findings).toHaveLength(91);
    expect(rows).toHaveLength(28);
    expect(table).toContain(
      `${host} (dpkg-query, Debian:12): 723 packages, 7 affected, 91 findings in 28 rows\n`,
    );
    expect(table).toContain(
      '\n91 findings (91 P2; 28 rows after grouping the binary packages of one source package) in 1 inventory,',
    );
    expect(rows.find((r) => r[4] === 'DEBCL-openssl-CVE-2026-34180')).toEqual([
      'P2',
      '2026-12-22',
      'openssl: libssl-dev, libssl3, openssl',
      '3.0.19-1~deb12u2',
      'DEBCL-openssl-CVE-2026-34180',
      'unknown',
      '3.0.20-1~deb12u2',
      'openssl: CVE-2026-34180 fixed in 3.0.20-1~deb12u2',
    ]);
    expect(
      rows.filter((r) => r[2] === 'curl: curl, libcurl3-gnutls, libcurl3-nss, libcurl4'),
    ).toHaveLength(7);
    // Each advisory once; one explanation per row.
    expect(new Set(rows.map((r) => r[4])).size).toBe(28);
    expect(table.split('\n').filter((l) => l.startsWith('    why: '))).toHaveLength(28);
  });

  it('keeps one entry per binary package in JSON, CSV and SARIF', async () => {
    const report = await scan();
    const json = JSON.parse(renderJson(report)) as ScanReport;
    expect(json.summary.findings).toBe(91);
    expect(
      json.findings
        .filter((f) => f.advisory.id === 'DEBCL-openssl-CVE-2026-34180')
        .map((f) => f.package.name),
    ).toEqual(['libssl-dev', 'libssl3', 'openssl']);
    expect(
      json.findings
        .filter((f) => f.advisory.id === 'DEBCL-curl-CVE-2025-10148')
        .map((f) => f.package.name),
    ).toEqual(['curl', 'libcurl3-gnutls', 'libcurl3-nss', 'libcurl4']);
    expect(renderCsv(report).trimEnd().split('\r\n')).toHaveLength(92);
    const sarif = JSON.parse(renderSarif(report, { explain: false })) as {
      runs: { results: unknown[] }[];
    };
    expect(sarif.runs[0]?.results).toHaveLength(91);
  });

  it('flags the suppressed binaries in a row of their own, listed last', async () => {
    // The VEX statement names pkg:deb/debian/curl only: its libcurl siblings stay open.
    const table = renderTable(await scan([curlVex]));
    const rows = rowsOf(table);
    expect(table).toContain(
      '90 findings in 28 rows (1 more suppressed by VEX or the ignore file, listed last)',
    );
    const open = rows.filter((r) => r[4] === 'DEBCL-curl-CVE-2025-10148');
    expect(open.map((r) => [r[0], r[2]])).toEqual([
      ['P2', 'curl: libcurl3-gnutls, libcurl3-nss, libcurl4'],
      ['-', 'curl'],
    ]);
    expect(rows.at(-1)?.[4]).toBe('DEBCL-curl-CVE-2025-10148');
    const lines = table.split('\n');
    expect(lines[lines.findIndex((l) => l.startsWith('-  ')) + 1]).toBe(
      `    suppressed: not_affected (VEX ${curlVex}); not counted, never fails the gate`,
    );
  });

  it("names the binaries a triage covers when a row's binaries stand differently", async () => {
    const underInvestigation = JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.invalid/vex/curl-investigating',
      author: 'Patchgate test suite',
      timestamp: '2026-11-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2025-10148' },
          products: [{ '@id': 'pkg:deb/debian/curl' }],
          status: 'under_investigation',
        },
      ],
    });
    const table = renderTable(await scan([], [[underInvestigation, 'investigating.json']]));
    const lines = table.split('\n');
    const row = lines.findIndex((l) => /^P\d .* DEBCL-curl-CVE-2025-10148 /.test(l));
    expect(lines[row]).toContain(' curl: curl, libcurl3-gnutls, libcurl3-nss, libcurl4 ');
    expect(lines[row + 1]).toBe('    triage: in_triage (VEX investigating.json) [curl]');
  });
});
