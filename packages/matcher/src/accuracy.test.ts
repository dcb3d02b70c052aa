/**
 * Accuracy suite: real advisories, named by their IDs (testdata/accuracy/, see SOURCES.md),
 * with expected positives AND expected negatives. Each row is one installed package as an
 * inventory parser reports it; the expectation is the set of advisory IDs that must match,
 * with the fixed version the finding must offer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InstalledPackage } from '@patchgate/inventory';
import type { OsvRecord } from '@patchgate/osv';
import { parseOsvDocument } from '@patchgate/osv';
import { describe, expect, it } from 'vitest';
import { buildAdvisoryIndex } from './advisory-index.ts';
import { matchInventory } from './match.ts';

const dir = fileURLToPath(new URL('../testdata/accuracy/', import.meta.url));
const records: OsvRecord[] = readdirSync(dir)
  .filter((file) => /\.(json|ya?ml)$/.test(file))
  .flatMap((file) => {
    const parsed = parseOsvDocument(readFileSync(dir + file, 'utf8'), file);
    expect(parsed.errors).toEqual([]);
    return parsed.records;
  });
const index = buildAdvisoryIndex(records);

type Row = [description: string, pkg: InstalledPackage, expected: Record<string, string[]>];

const rows: Row[] = [
  // Debian: advisories name the source package; the binary is matched through it.
  [
    'Debian binary libssl1.1 reaches DSA-5343-1 through source openssl',
    {
      ecosystem: 'Debian:11',
      name: 'libssl1.1',
      version: '1.1.1n-0+deb11u3',
      sourceName: 'openssl',
    },
    { 'DSA-5343-1': ['1.1.1n-0+deb11u4'] },
  ],
  [
    'Debian openssl at the fixed version',
    { ecosystem: 'Debian:11', name: 'openssl', version: '1.1.1n-0+deb11u4' },
    {},
  ],
  [
    'Debian binary without its source mapping is not guessed into openssl',
    { ecosystem: 'Debian:11', name: 'libssl1.1', version: '1.1.1n-0+deb11u3' },
    {},
  ],
  [
    'Debian 12 package does not match a Debian 11 advisory',
    { ecosystem: 'Debian:12', name: 'openssl', version: '1.1.1n-0+deb11u3' },
    {},
  ],
  [
    'Debian binNMU: the source version is compared, not the binary +b1 version',
    {
      ecosystem: 'Debian:11',
      name: 'libssl1.1',
      version: '1.1.1n-0+deb11u4+b1',
      sourceName: 'openssl',
      sourceVersion: '1.1.1n-0+deb11u4',
    },
    {},
  ],
  [
    'Debian epoch-less older upstream is affected',
    { ecosystem: 'Debian:11', name: 'openssl', version: '1.1.1k-1+deb11u2' },
    { 'DSA-5343-1': ['1.1.1n-0+deb11u4'] },
  ],
  // Ubuntu: source package, binaries listed in ecosystem_specific.
  [
    'Ubuntu python-django-doc via source python-django',
    {
      ecosystem: 'Ubuntu:14.04:LTS',
      name: 'python-django-doc',
      version: '1.6.1-2',
      sourceName: 'python-django',
    },
    { 'USN-2169-1': ['1.6.1-2ubuntu0.1'] },
  ],
  [
    'Ubuntu python-django at the fixed version',
    { ecosystem: 'Ubuntu:14.04:LTS', name: 'python-django', version: '1.6.1-2ubuntu0.1' },
    {},
  ],
  // AlmaLinux: binary package names, epochs.
  [
    'AlmaLinux openssl-libs with its epoch, older release',
    { ecosystem: 'AlmaLinux:8', name: 'openssl-libs', version: '1:1.1.1k-7.el8_6' },
    { 'ALSA-2023:1405': ['1:1.1.1k-9.el8_7'] },
  ],
  [
    'AlmaLinux openssl-libs at the fixed EVR',
    { ecosystem: 'AlmaLinux:8', name: 'openssl-libs', version: '1:1.1.1k-9.el8_7' },
    {},
  ],
  [
    'AlmaLinux unknown epoch, older version-release: affected, epochs ignored',
    {
      ecosystem: 'AlmaLinux:8',
      name: 'openssl-libs',
      version: '1.1.1k-7.el8_6',
      epochUnknown: true,
    },
    { 'ALSA-2023:1405': ['1:1.1.1k-9.el8_7'] },
  ],
  [
    'AlmaLinux unknown epoch, newer version-release: not read as epoch 0 (no false positive)',
    {
      ecosystem: 'AlmaLinux:8',
      name: 'openssl-libs',
      version: '1.1.1k-12.el8_9',
      epochUnknown: true,
    },
    {},
  ],
  [
    'AlmaLinux explicit epoch 0 really is older than epoch 1',
    { ecosystem: 'AlmaLinux:8', name: 'openssl-libs', version: '0:1.1.1k-12.el8_9' },
    { 'ALSA-2023:1405': ['1:1.1.1k-9.el8_7'] },
  ],
  [
    'AlmaLinux 9 package does not match an AlmaLinux 8 advisory',
    { ecosystem: 'AlmaLinux:9', name: 'openssl-libs', version: '1:1.1.1k-7.el8_6' },
    {},
  ],
  // PyPI: last_affected, PEP 503 names, withdrawn records.
  [
    'PyPI py at last_affected 1.11.0 (no fix published)',
    { ecosystem: 'PyPI', name: 'py', version: '1.11.0' },
    { 'PYSEC-2022-42969': [] },
  ],
  [
    'PyPI name normalisation: "Py" is "py"',
    { ecosystem: 'PyPI', name: 'Py', version: '1.4.0' },
    { 'PYSEC-2022-42969': [] },
  ],
  ['PyPI py above last_affected', { ecosystem: 'PyPI', name: 'py', version: '1.11.1' }, {}],
  [
    'PyPI withdrawn PYSEC-2023-73 matches nothing',
    { ecosystem: 'PyPI', name: 'redis', version: '4.5.3' },
    {},
  ],
  // Go: withdrawn, stdlib with several introduced/fixed pairs.
  [
    'Go withdrawn GO-2024-2730 matches nothing',
    { ecosystem: 'Go', name: 'github.com/gorilla/sessions', version: 'v1.2.1' },
    {},
  ],
  [
    'Go stdlib below the first fix',
    { ecosystem: 'Go', name: 'stdlib', version: '1.25.12' },
    { 'GO-2026-6088': ['1.25.13'] },
  ],
  [
    'Go stdlib with a v prefix, as go.mod writes it',
    { ecosystem: 'Go', name: 'stdlib', version: 'v1.25.12' },
    { 'GO-2026-6088': ['1.25.13'] },
  ],
  ['Go stdlib at the first fix', { ecosystem: 'Go', name: 'stdlib', version: '1.25.13' }, {}],
  [
    'Go stdlib in the second range',
    { ecosystem: 'Go', name: 'stdlib', version: '1.26.0' },
    { 'GO-2026-6088': ['1.26.6'] },
  ],
  [
    'Go stdlib release candidate in the third range',
    { ecosystem: 'Go', name: 'stdlib', version: '1.27.0-rc.2' },
    { 'GO-2026-6088': ['1.27.0-rc.3'] },
  ],
  [
    'Go stdlib final release after the third fix',
    { ecosystem: 'Go', name: 'stdlib', version: '1.27.0' },
    {},
  ],
  // crates.io: four introduced/fixed pairs.
  [
    'crates.io wasmtime in the first range',
    { ecosystem: 'crates.io', name: 'wasmtime', version: '24.0.11' },
    { 'RUSTSEC-2026-0222': ['24.0.12'] },
  ],
  [
    'crates.io wasmtime at the first fix',
    { ecosystem: 'crates.io', name: 'wasmtime', version: '24.0.12' },
    {},
  ],
  [
    'crates.io wasmtime in the third range',
    { ecosystem: 'crates.io', name: 'wasmtime', version: '37.0.0' },
    { 'RUSTSEC-2026-0222': ['46.0.2'] },
  ],
  [
    'crates.io wasmtime between ranges',
    { ecosystem: 'crates.io', name: 'wasmtime', version: '46.5.0' },
    {},
  ],
  [
    'crates.io wasmtime in the last range',
    { ecosystem: 'crates.io', name: 'wasmtime', version: '47.0.2' },
    { 'RUSTSEC-2026-0222': ['47.0.3'] },
  ],
  [
    'crates.io wasmtime-cli is another crate',
    { ecosystem: 'crates.io', name: 'wasmtime-cli', version: '24.0.0' },
    {},
  ],
];

describe('accuracy on real advisories', () => {
  it('loaded every fixture', () => {
    expect(records.map((r) => r.id).sort()).toEqual([
      'ALBA-2021:1099',
      'ALEA-2019:3314',
      'ALSA-2023:1405',
      'DSA-5343-1',
      'GO-2024-2730',
      'GO-2026-6088',
      'PYSEC-2022-42969',
      'PYSEC-2023-73',
      'RUSTSEC-2026-0222',
      'USN-2169-1',
    ]);
  });

  it.each(rows)('%s', (_description, pkg, expected) => {
    const result = matchInventory(index, {
      format: 'test',
      source: 'host',
      packages: [pkg],
      warnings: [],
    });
    const found = Object.fromEntries(
      result.findings.map((f) => [f.advisory.id, [...f.fixedVersions]]),
    );
    expect(found).toEqual(expected);
    expect(result.notes.filter((n) => n.kind === 'not-evaluable')).toEqual([]);
  });

  it('reports bug-fix and enhancement errata as a note, not as findings, unless asked', () => {
    const inventory = {
      format: 'test',
      source: 'alma-host',
      packages: [
        {
          ecosystem: 'AlmaLinux:8',
          name: 'NetworkManager-libnm-devel',
          version: '1:1.26.0-13.el8',
        },
        { ecosystem: 'AlmaLinux:8', name: 'python3-azure-sdk', version: '4.0.0-8.el8' },
        { ecosystem: 'AlmaLinux:8', name: 'openssl-libs', version: '1:1.1.1k-7.el8_6' },
      ],
      warnings: [],
    };
    const byDefault = matchInventory(index, inventory);
    expect(byDefault.findings.map((f) => f.advisory.id)).toEqual(['ALSA-2023:1405']);
    expect(byDefault.notes).toEqual([
      {
        kind: 'non-security-errata',
        inventory: 'alma-host',
        count: 1,
        message:
          '1 bug-fix erratum applies (e.g. ALBA-2021:1099), not reported as findings: bug fixes and enhancements name no vulnerability',
      },
      {
        kind: 'non-security-errata',
        inventory: 'alma-host',
        count: 1,
        message:
          '1 enhancement erratum applies (e.g. ALEA-2019:3314), not reported as findings: bug fixes and enhancements name no vulnerability',
      },
    ]);
    const all = matchInventory(index, inventory, { nonSecurityErrata: true });
    expect(all.findings.map((f) => f.advisory.id).sort()).toEqual([
      'ALBA-2021:1099',
      'ALEA-2019:3314',
      'ALSA-2023:1405',
    ]);
    expect(all.notes).toEqual([]);
  });

  it('records that epochs were ignored for an inventory without epochs', () => {
    const result = matchInventory(index, {
      format: 'test',
      source: 'host',
      packages: [
        {
          ecosystem: 'AlmaLinux:8',
          name: 'openssl-libs',
          version: '1.1.1k-7.el8_6',
          epochUnknown: true,
        },
      ],
      warnings: [],
    });
    expect(result.findings[0]?.match).toEqual({
      ecosystem: 'AlmaLinux:8',
      name: 'openssl-libs',
      version: '1.1.1k-7.el8_6',
      by: 'range',
      range: expect.any(String) as string,
      epochIgnored: true,
    });
  });

  it('reports distribution packages of unknown release instead of matching them', () => {
    const result = matchInventory(index, {
      format: 'test',
      source: 'host',
      packages: [
        { ecosystem: 'Debian', name: 'openssl', version: '1.1.1k-1+deb11u2' },
        { ecosystem: 'Debian', name: 'curl', version: '7.74.0-1.3+deb11u1' },
      ],
      warnings: [],
    });
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([
      {
        kind: 'release-unknown',
        inventory: 'host',
        count: 2,
        message: expect.stringContaining('--os') as string,
      },
    ]);
  });

  it('builds a whole finding for a Debian binary package', () => {
    const result = matchInventory(index, {
      format: 'dpkg-status',
      source: 'status',
      packages: [
        {
          ecosystem: 'Debian:11',
          name: 'libssl1.1',
          version: '1.1.1n-0+deb11u3',
          sourceName: 'openssl',
          arch: 'amd64',
        },
      ],
      warnings: [],
    });
    expect(result.findings).toEqual([
      {
        inventory: 'status',
        package: {
          ecosystem: 'Debian:11',
          name: 'libssl1.1',
          version: '1.1.1n-0+deb11u3',
          sourceName: 'openssl',
        },
        advisory: {
          id: 'DSA-5343-1',
          aliases: [
            'CVE-2022-2097',
            'CVE-2022-4304',
            'CVE-2022-4450',
            'CVE-2023-0215',
            'CVE-2023-0286',
          ],
          cves: [
            'CVE-2022-2097',
            'CVE-2022-4304',
            'CVE-2022-4450',
            'CVE-2023-0215',
            'CVE-2023-0286',
          ],
          summary: 'openssl - security update',
          modified: '2023-02-07T00:00:00Z',
          published: '2023-02-07T00:00:00Z',
          severity: 'unknown',
          cvss: [],
        },
        match: {
          ecosystem: 'Debian:11',
          name: 'openssl',
          version: '1.1.1n-0+deb11u3',
          by: 'range',
          range: expect.any(String) as string,
        },
        fixedVersions: ['1.1.1n-0+deb11u4'],
      },
    ]);
    expect(result.affectedPackages).toBe(1);
  });
});
