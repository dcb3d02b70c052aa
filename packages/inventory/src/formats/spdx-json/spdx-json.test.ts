import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../registry.ts';
import type { Inventory, InventoryInput } from '../../types.ts';
import { spdxJsonFormat } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = join(import.meta.dirname, '../../../testdata');
const shared = sharedData('sboms/spdx/software');

function sample(folder: string, file: string): InventoryInput {
  return { path: `${folder}/${file}`, text: readFileSync(join(testdata, folder, file), 'utf8') };
}

function parsed(input: InventoryInput): Inventory {
  const result = spdxJsonFormat.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

const own = [
  'example11-2.3.spdx.json',
  'example11-3.0.spdx3.json',
  'example9-2.2.spdx.json',
  'example7-golang-2.2.spdx.json',
];
const others = ['cyclonedx-json', 'cyclonedx-xml', 'spdx-tag-value'].flatMap((folder) =>
  readdirSync(join(testdata, folder))
    .filter((f) => f !== 'SOURCES.md')
    .map((f) => [folder, f] as const),
);

// The k8s bom tool's SBOM, in SPDX 2.3 and in 3.0: both must read the same four packages.
const example11 = [
  {
    ecosystem: 'Debian',
    name: 'libselinux1-dev',
    version: '3.1-3',
    arch: 's390x',
    purl: 'pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x',
  },
  { ecosystem: 'crates.io', name: 'hyper', version: '0.14', purl: 'pkg:cargo/hyper@0.14' },
  { ecosystem: 'crates.io', name: 'tokio', version: '1.19.2', purl: 'pkg:cargo/tokio@1.19.2' },
  {
    ecosystem: 'crates.io',
    name: 'pretty_env_logger',
    version: '0.4.0',
    purl: 'pkg:cargo/pretty_env_logger@0.4.0',
  },
];

describe('spdx-json detection', () => {
  it.each(own)('claims %s', (file) => {
    const input = sample('spdx-json', file);
    expect(spdxJsonFormat.detect(input)).toBeGreaterThanOrEqual(0.9);
    expect(detectFormat(input)?.id).toBe('spdx-json');
  });

  it.each(others)('does not claim %s/%s', (folder, file) => {
    expect(spdxJsonFormat.detect(sample(folder, file))).toBe(0);
  });
});

describe('spdx-json parsing', () => {
  it('reads SPDX 2.3 purl external references; the Debian release is unknown, so only the id is set', () => {
    expect(parsed(sample('spdx-json', 'example11-2.3.spdx.json'))).toEqual({
      format: 'spdx-json',
      source: 'spdx-json/example11-2.3.spdx.json',
      os: { id: 'debian', evidence: 'purl namespace' },
      packages: example11,
      warnings: [],
    });
  });

  it('reads SPDX 3.0 JSON-LD software_Package / software_packageUrl the same way', () => {
    const inventory = parsed(sample('spdx-json', 'example11-3.0.spdx3.json'));
    expect(inventory.packages).toEqual(example11);
    expect(inventory.warnings).toEqual([]);
  });

  it('counts packages without a purl in a warning instead of guessing (SPDX 2.2)', () => {
    const inventory = parsed(sample('spdx-json', 'example9-2.2.spdx.json'));
    expect(inventory.packages).toEqual([
      {
        ecosystem: 'Maven',
        name: 'org.hamcrest:hamcrest-core',
        version: '1.3',
        purl: 'pkg:maven/org.hamcrest/hamcrest-core@1.3',
      },
      {
        ecosystem: 'Maven',
        name: 'org.apache.commons:commons-lang3',
        version: '3.4',
        purl: 'pkg:maven/org.apache.commons/commons-lang3@3.4',
      },
      {
        ecosystem: 'Maven',
        name: 'junit:junit',
        version: '4.12',
        purl: 'pkg:maven/junit/junit@4.12',
      },
      {
        ecosystem: 'Maven',
        name: 'org.slf4j:slf4j-api',
        version: '1.7.21',
        purl: 'pkg:maven/org.slf4j/slf4j-api@1.7.21',
      },
    ]);
    expect(inventory.warnings).toEqual([
      '3 of 7 packages have no purl external reference and were not read (a name alone does not say which ecosystem)',
    ]);
  });

  it('reads a document without any purl as an empty inventory with a warning', () => {
    expect(parsed(sample('spdx-json', 'example7-golang-2.2.spdx.json'))).toEqual({
      format: 'spdx-json',
      source: 'spdx-json/example7-golang-2.2.spdx.json',
      packages: [],
      warnings: [
        '2 of 2 packages have no purl external reference and were not read (a name alone does not say which ecosystem)',
      ],
    });
  });

  it('takes the operating system from an OPERATING-SYSTEM package and gives distribution packages its release', () => {
    const text = JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      packages: [
        {
          SPDXID: 'SPDXRef-os',
          name: 'ubuntu',
          versionInfo: '22.04',
          primaryPackagePurpose: 'OPERATING-SYSTEM',
        },
        {
          SPDXID: 'SPDXRef-bash',
          name: 'bash',
          versionInfo: '5.1-6ubuntu1',
          externalRefs: [
            {
              referenceCategory: 'SECURITY',
              referenceType: 'cpe23Type',
              referenceLocator: 'cpe:2.3:a:bash:bash:5.1:*:*:*:*:*:*:*',
            },
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:deb/ubuntu/bash@5.1-6ubuntu1?arch=amd64',
            },
          ],
        },
        {
          SPDXID: 'SPDXRef-img',
          name: 'image',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator: 'pkg:oci/image@sha256%3Aabc',
            },
          ],
        },
      ],
    });
    expect(parsed({ path: 'ubuntu.spdx.json', text })).toEqual({
      format: 'spdx-json',
      source: 'ubuntu.spdx.json',
      os: {
        id: 'ubuntu',
        versionId: '22.04',
        ecosystem: 'Ubuntu:22.04:LTS',
        evidence: 'SPDX operating-system package',
      },
      packages: [
        {
          ecosystem: 'Ubuntu:22.04:LTS',
          name: 'bash',
          version: '5.1-6ubuntu1',
          arch: 'amd64',
          purl: 'pkg:deb/ubuntu/bash@5.1-6ubuntu1?arch=amd64',
        },
      ],
      warnings: ['skipped pkg:oci/image@sha256%3Aabc: purl type "oci" has no OSV ecosystem'],
    });
  });

  it.each([
    ['', 'empty file'],
    ['{"spdxVersion": "SPDX-2.3", "packages": [', 'not valid JSON'],
    ['{"spdxVersion": "SPDX-1.2"}', 'SPDX version "SPDX-1.2" is not supported'],
    ['{"bomFormat": "CycloneDX"}', 'not an SPDX document'],
  ])('rejects %j', (text, message) => {
    const result = spdxJsonFormat.parse({ path: 'x.spdx.json', text });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

describe('spdx-json on all spdx-examples JSON documents', () => {
  it.skipIf(!existsSync(shared))('every 2.x and 3.0 JSON example is detected and read', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.json')) files.push(join(dir, entry.name));
      }
    };
    walk(shared);
    expect(files.length).toBeGreaterThan(30);
    for (const path of files) {
      const input = { path, text: readFileSync(path, 'utf8') };
      expect(detectFormat(input)?.id, path).toBe('spdx-json');
      expect(spdxJsonFormat.parse(input).ok, path).toBe(true);
    }
  });
});
