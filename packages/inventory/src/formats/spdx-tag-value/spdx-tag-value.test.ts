import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../registry.ts';
import type { Inventory, InventoryInput } from '../../types.ts';
import { spdxTagValueFormat } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = join(import.meta.dirname, '../../../testdata');
const shared = sharedData('sboms/spdx/software');

function sample(folder: string, file: string): InventoryInput {
  return { path: `${folder}/${file}`, text: readFileSync(join(testdata, folder, file), 'utf8') };
}

function parsed(input: InventoryInput): Inventory {
  const result = spdxTagValueFormat.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

const others = ['cyclonedx-json', 'cyclonedx-xml', 'spdx-json'].flatMap((folder) =>
  readdirSync(join(testdata, folder))
    .filter((f) => f !== 'SOURCES.md')
    .map((f) => [folder, f] as const),
);

describe('spdx-tag-value detection', () => {
  it.each(['trivy-centos-7.spdx', 'example1-2.2.spdx'])('claims %s', (file) => {
    const input = sample('spdx-tag-value', file);
    expect(spdxTagValueFormat.detect(input)).toBeGreaterThanOrEqual(0.9);
    expect(detectFormat(input)?.id).toBe('spdx-tag-value');
  });

  it.each(others)('does not claim %s/%s', (folder, file) => {
    expect(spdxTagValueFormat.detect(sample(folder, file))).toBe(0);
  });
});

describe('spdx-tag-value parsing', () => {
  it('reads a Trivy SBOM: rpm purls with epoch, the operating-system package, purl version over PackageVersion', () => {
    expect(parsed(sample('spdx-tag-value', 'trivy-centos-7.spdx'))).toEqual({
      format: 'spdx-tag-value',
      source: 'spdx-tag-value/trivy-centos-7.spdx',
      // CentOS has no OSV release ecosystem: the id and version are kept, packages stay "Red Hat".
      os: { id: 'centos', versionId: '7.6.1810', evidence: 'SPDX operating-system package' },
      packages: [
        {
          ecosystem: 'Red Hat',
          name: 'bash',
          version: '4.2.46-31.el7',
          arch: 'x86_64',
          purl: 'pkg:rpm/centos/bash@4.2.46-31.el7?arch=x86_64&distro=centos-7.6.1810',
        },
        {
          ecosystem: 'Red Hat',
          name: 'openssl-libs',
          version: '1:1.0.2k-16.el7',
          arch: 'x86_64',
          purl: 'pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7.6.1810',
        },
      ],
      warnings: [
        '1 of 4 packages have no purl external reference and were not read (a name alone does not say which ecosystem)',
      ],
    });
  });

  it('does not take a file SPDXID for the package before it, and warns for the purl-less package', () => {
    expect(parsed(sample('spdx-tag-value', 'example1-2.2.spdx'))).toEqual({
      format: 'spdx-tag-value',
      source: 'spdx-tag-value/example1-2.2.spdx',
      packages: [],
      warnings: [
        '1 of 1 packages have no purl external reference and were not read (a name alone does not say which ecosystem)',
      ],
    });
  });

  it('reads multi-line <text> values, the 2.2 PACKAGE_MANAGER spelling, and reports malformed lines', () => {
    const text = [
      'SPDXVersion: SPDX-2.3',
      'DataLicense: CC0-1.0',
      '',
      'PackageName: zlib',
      'SPDXID: SPDXRef-Package-apk-zlib',
      'PackageVersion: 1.2.12-r0',
      'PackageComment: <text>first line',
      'ExternalRef: PACKAGE-MANAGER purl pkg:npm/not-a-ref@1.0.0',
      'last line</text>',
      'ExternalRef: SECURITY cpe23Type cpe:2.3:a:zlib:zlib:1.2.12-r0:*:*:*:*:*:*:*',
      'ExternalRef: PACKAGE_MANAGER purl pkg:apk/alpine/zlib@1.2.12-r0?arch=aarch64&upstream=zlib&distro=alpine-3.15.4',
      'this line is broken',
    ].join('\r\n');
    expect(parsed({ path: 'zlib.spdx', text })).toEqual({
      format: 'spdx-tag-value',
      source: 'zlib.spdx',
      os: {
        id: 'alpine',
        versionId: '3.15.4',
        ecosystem: 'Alpine:v3.15',
        evidence: 'purl distro qualifier',
      },
      packages: [
        {
          ecosystem: 'Alpine:v3.15',
          name: 'zlib',
          version: '1.2.12-r0',
          sourceName: 'zlib',
          arch: 'aarch64',
          purl: 'pkg:apk/alpine/zlib@1.2.12-r0?arch=aarch64&upstream=zlib&distro=alpine-3.15.4',
        },
      ],
      warnings: ['line 12: not a "Tag: value" line: this line is broken'],
    });
  });

  it.each([
    ['', 'empty file'],
    ['PackageName: foo\nPackageVersion: 1.0\n', 'no "SPDXVersion:" line'],
    ['SPDXVersion: SPDX-3.0\n', 'SPDX version "SPDX-3.0" is not supported'],
  ])('rejects %j', (text, message) => {
    const result = spdxTagValueFormat.parse({ path: 'x.spdx', text });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

describe('spdx-tag-value on all spdx-examples tag-value documents', () => {
  it.skipIf(!existsSync(shared))('every .spdx example is detected and read', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.spdx')) files.push(join(dir, entry.name));
      }
    };
    walk(shared);
    expect(files.length).toBeGreaterThan(10);
    for (const path of files) {
      const input = { path, text: readFileSync(path, 'utf8') };
      expect(detectFormat(input)?.id, path).toBe('spdx-tag-value');
      const result = spdxTagValueFormat.parse(input);
      expect(
        result.ok && result.inventory.warnings.filter((w) => w.startsWith('line ')),
        path,
      ).toEqual([]);
    }
  });
});
