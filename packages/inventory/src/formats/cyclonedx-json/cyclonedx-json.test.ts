import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../registry.ts';
import type { Inventory, InventoryInput } from '../../types.ts';
import { cyclonedxJsonFormat } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = join(import.meta.dirname, '../../../testdata');
const shared = sharedData('sboms');

function sample(folder: string, file: string): InventoryInput {
  return { path: `${folder}/${file}`, text: readFileSync(join(testdata, folder, file), 'utf8') };
}

function parsed(input: InventoryInput): Inventory {
  const result = cyclonedxJsonFormat.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

const own = [
  'cern-lhc-vdm-editor-1.2.bom.json',
  'snyk-purl-cyclonedx.bom.json',
  'trivy-fluentd-1.5.cdx.json',
  'no-components-1.4.bom.json',
];
const others = ['cyclonedx-xml', 'spdx-json', 'spdx-tag-value'].flatMap((folder) =>
  readdirSync(join(testdata, folder))
    .filter((f) => f !== 'SOURCES.md')
    .map((f) => [folder, f] as const),
);

describe('cyclonedx-json detection', () => {
  it.each(own)('claims %s', (file) => {
    const input = sample('cyclonedx-json', file);
    expect(cyclonedxJsonFormat.detect(input)).toBeGreaterThanOrEqual(0.9);
    expect(detectFormat(input)?.id).toBe('cyclonedx-json');
  });

  it.each(others)('does not claim %s/%s', (folder, file) => {
    expect(cyclonedxJsonFormat.detect(sample(folder, file))).toBe(0);
  });

  it('does not claim a VEX document (vulnerabilities, no components)', () => {
    const input = sample('cyclonedx-json', 'vex.json');
    expect(cyclonedxJsonFormat.detect(input)).toBe(0);
    expect(detectFormat(input)).toBeUndefined();
  });
});

describe('cyclonedx-json parsing', () => {
  it('reads a Trivy image SBOM: operating-system component, deb purls, a gem, the graph', () => {
    const inventory = parsed(sample('cyclonedx-json', 'trivy-fluentd-1.5.cdx.json'));
    expect(inventory).toEqual({
      format: 'cyclonedx-json',
      source: 'cyclonedx-json/trivy-fluentd-1.5.cdx.json',
      os: {
        id: 'debian',
        versionId: '10.2',
        ecosystem: 'Debian:10',
        evidence: 'CycloneDX operating-system component',
      },
      packages: [
        {
          ecosystem: 'Debian:10',
          name: 'bash',
          version: '5.0-4',
          purl: 'pkg:deb/debian/bash@5.0-4?distro=debian-10.2',
          direct: true,
        },
        {
          ecosystem: 'Debian:10',
          name: 'libidn2-0',
          version: '2.0.5-1',
          sourceName: 'libidn2',
          purl: 'pkg:deb/debian/libidn2-0@2.0.5-1?distro=debian-10.2',
          direct: true,
        },
        {
          ecosystem: 'RubyGems',
          name: 'activesupport',
          version: '6.0.2.1',
          purl: 'pkg:gem/activesupport@6.0.2.1',
          location: 'var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec',
          direct: true,
        },
      ],
      warnings: [],
    });
  });

  it('reads an npm SBOM (spec 1.2) without a dependency graph', () => {
    const inventory = parsed(sample('cyclonedx-json', 'cern-lhc-vdm-editor-1.2.bom.json'));
    expect(inventory.packages).toHaveLength(43);
    expect(inventory.os).toBeUndefined();
    expect(inventory.warnings).toEqual([]);
    expect(inventory.packages[0]).toEqual({
      ecosystem: 'npm',
      name: 'puppeteer',
      version: '1.19.0',
      purl: 'pkg:npm/puppeteer@1.19.0',
    });
    expect(inventory.packages.every((p) => p.ecosystem === 'npm' && p.direct === undefined)).toBe(
      true,
    );
  });

  it('warns about components whose purl has no version instead of guessing one', () => {
    const inventory = parsed(sample('cyclonedx-json', 'snyk-purl-cyclonedx.bom.json'));
    expect(inventory.packages).toEqual([
      {
        ecosystem: 'Maven',
        name: 'io.takari:maven-wrapper',
        version: '0.5.6',
        purl: 'pkg:maven/io.takari/maven-wrapper@0.5.6',
        location: '.mvn/wrapper/maven-wrapper.jar',
      },
      expect.objectContaining({ ecosystem: 'Maven' }),
    ]);
    expect(inventory.warnings).toEqual([
      'skipped 3 entries: no version (e.g. pkg:maven/org.springframework.boot/spring-boot-starter-actuator)',
    ]);
  });

  it('reads a BOM with no components as an empty inventory, said plainly', () => {
    expect(parsed(sample('cyclonedx-json', 'no-components-1.4.bom.json'))).toEqual({
      format: 'cyclonedx-json',
      source: 'cyclonedx-json/no-components-1.4.bom.json',
      packages: [],
      warnings: ['the document lists no components'],
    });
  });

  it('refuses a VEX document with a clear error', () => {
    const result = cyclonedxJsonFormat.parse(sample('cyclonedx-json', 'vex.json'));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain('this is a VEX document, not an inventory');
  });

  it('reads nested components, skips unknown purl types and purl-less components with one warning each', () => {
    const text = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { component: { type: 'application', 'bom-ref': 'app', name: 'app' } },
      components: [
        {
          type: 'library',
          'bom-ref': 'pkg:maven/org.example/fat@1.0',
          name: 'fat',
          purl: 'pkg:maven/org.example/fat@1.0',
          components: [
            {
              type: 'library',
              name: 'shaded',
              version: '2.0',
              purl: 'pkg:maven/org.shaded/lib@2.0',
            },
          ],
        },
        { type: 'library', name: 'openssl', version: '1.1.1t', purl: 'pkg:generic/openssl@1.1.1t' },
        { type: 'library', name: 'zlib', version: '1.2.13', purl: 'pkg:generic/zlib@1.2.13' },
        { type: 'library', name: 'mystery', version: '1.0' },
        {
          type: 'library',
          name: 'from-ref',
          version: '3.0',
          'bom-ref': 'pkg:pypi/requests@2.31.0',
          scope: 'excluded',
        },
      ],
      dependencies: [
        { ref: 'app', dependsOn: ['pkg:maven/org.example/fat@1.0'] },
        { ref: 'pkg:maven/org.example/fat@1.0', dependsOn: [] },
      ],
    });
    expect(parsed({ path: 'nested.cdx.json', text })).toEqual({
      format: 'cyclonedx-json',
      source: 'nested.cdx.json',
      packages: [
        {
          ecosystem: 'Maven',
          name: 'org.example:fat',
          version: '1.0',
          purl: 'pkg:maven/org.example/fat@1.0',
          direct: true,
        },
        {
          ecosystem: 'Maven',
          name: 'org.shaded:lib',
          version: '2.0',
          purl: 'pkg:maven/org.shaded/lib@2.0',
        },
        {
          ecosystem: 'PyPI',
          name: 'requests',
          version: '2.31.0',
          purl: 'pkg:pypi/requests@2.31.0',
          dev: true,
        },
      ],
      warnings: [
        '1 of 6 components have no purl and were not read (name and version alone do not say which ecosystem)',
        'skipped 2 entries: purl type "generic" has no OSV ecosystem (e.g. pkg:generic/openssl@1.1.1t)',
      ],
    });
  });

  it.each([
    ['', 'empty file'],
    ['{"bomFormat": "CycloneDX", "components": [', 'not valid JSON'],
    ['{"spdxVersion": "SPDX-2.3"}', 'not a CycloneDX document'],
    ['[]', 'not a CycloneDX document'],
  ])('rejects %j', (text, message) => {
    const result = cyclonedxJsonFormat.parse({ path: 'x.json', text });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

// Larger real SBOMs stay in the shared data set; these tests skip when it is absent.
describe('cyclonedx-json on the shared real SBOMs', () => {
  it.skipIf(!existsSync(shared)).each([
    ['cyclonedx/laravel-7.12.0/bom.1.4.json', 62, 'Packagist', 1],
    ['cyclonedx/laravel-7.12.0/bom.1.3.json', 62, 'Packagist', 1],
    ['cyclonedx/proton-bridge/proton-bridge-v1.8.0.bom.json', 201, 'Go', 56],
    ['cyclonedx/dropwizard-1.3.15/bom.json', 167, 'Maven', 0],
    ['cyclonedx/keycloak-10.0.2/bom.json', 903, 'Maven', 0],
    ['snyk/sbom-combination/npm.json', 350, 'npm', 8],
  ])('%s: %i packages', (file, count, ecosystem, direct) => {
    const path = join(shared, file);
    const inventory = parsed({ path, text: readFileSync(path, 'utf8') });
    expect(inventory.packages).toHaveLength(count);
    expect(inventory.packages.every((p) => p.ecosystem === ecosystem)).toBe(true);
    expect(inventory.packages.filter((p) => p.direct === true)).toHaveLength(direct);
    expect(inventory.warnings).toEqual([]);
  });

  it.skipIf(!existsSync(join(shared, 'cyclonedx/laravel-7.12.0')))(
    'laravel: the demo root depends on laravel/laravel only',
    () => {
      const path = join(shared, 'cyclonedx/laravel-7.12.0/bom.1.4.json');
      const inventory = parsed({ path, text: readFileSync(path, 'utf8') });
      expect(inventory.packages.filter((p) => p.direct === true)).toEqual([
        {
          ecosystem: 'Packagist',
          name: 'laravel/laravel',
          version: 'v7.12.0',
          purl: 'pkg:composer/laravel/laravel@v7.12.0',
          direct: true,
        },
      ]);
    },
  );

  it.skipIf(!existsSync(join(shared, 'cyclonedx/VEX')))(
    'no VEX document of CycloneDX/bom-examples is claimed or read',
    () => {
      const vexFiles: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (entry.isDirectory()) walk(join(dir, entry.name));
          else if (entry.name.startsWith('vex')) vexFiles.push(join(dir, entry.name));
        }
      };
      walk(join(shared, 'cyclonedx/VEX'));
      expect(vexFiles.length).toBeGreaterThan(20);
      for (const path of vexFiles) {
        const input = { path, text: readFileSync(path, 'utf8') };
        expect(detectFormat(input), path).toBeUndefined();
        const result = cyclonedxJsonFormat.parse(input);
        expect(result.ok ? 'parsed' : result.error, path).toContain('this is a VEX document');
      }
    },
  );
});
