import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../registry.ts';
import type { Inventory, InventoryInput } from '../../types.ts';
import { cyclonedxJsonFormat } from '../cyclonedx-json/index.ts';
import { cyclonedxXmlFormat } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = join(import.meta.dirname, '../../../testdata');
const shared = sharedData('sboms');

function sample(folder: string, file: string): InventoryInput {
  return { path: `${folder}/${file}`, text: readFileSync(join(testdata, folder, file), 'utf8') };
}

function parsed(input: InventoryInput): Inventory {
  const result = cyclonedxXmlFormat.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

const others = ['cyclonedx-json', 'spdx-json', 'spdx-tag-value'].flatMap((folder) =>
  readdirSync(join(testdata, folder))
    .filter((f) => f !== 'SOURCES.md')
    .map((f) => [folder, f] as const),
);

describe('cyclonedx-xml detection', () => {
  it.each(['cern-lhc-vdm-editor-1.2.bom.xml', 'laravel-7.12.0-1.1.bom.xml'])(
    'claims %s',
    (file) => {
      const input = sample('cyclonedx-xml', file);
      expect(cyclonedxXmlFormat.detect(input)).toBeGreaterThanOrEqual(0.9);
      expect(detectFormat(input)?.id).toBe('cyclonedx-xml');
    },
  );

  it.each(others)('does not claim %s/%s', (folder, file) => {
    expect(cyclonedxXmlFormat.detect(sample(folder, file))).toBe(0);
  });

  it.each([
    [
      'a prefixed namespace',
      '<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.5" version="1"></cdx:bom>',
      0.95,
    ],
    [
      'another XML document',
      '<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"/>',
      0,
    ],
  ])('%s', (_, text, score) => {
    expect(cyclonedxXmlFormat.detect({ path: 'x.xml', text })).toBe(score);
  });
});

describe('cyclonedx-xml parsing', () => {
  it('reads the same packages as the JSON twin of the same SBOM (spec 1.2)', () => {
    const xml = parsed(sample('cyclonedx-xml', 'cern-lhc-vdm-editor-1.2.bom.xml'));
    const json = cyclonedxJsonFormat.parse(
      sample('cyclonedx-json', 'cern-lhc-vdm-editor-1.2.bom.json'),
    );
    expect(xml.packages).toHaveLength(43);
    expect(json.ok && json.inventory.packages).toEqual(xml.packages);
    expect(xml.warnings).toEqual([]);
  });

  it('reads a 1.1 document whose values are CDATA', () => {
    const inventory = parsed(sample('cyclonedx-xml', 'laravel-7.12.0-1.1.bom.xml'));
    expect(inventory.format).toBe('cyclonedx-xml');
    expect(inventory.packages).toHaveLength(62);
    expect(inventory.packages[0]).toEqual({
      ecosystem: 'Packagist',
      name: 'asm89/stack-cors',
      version: '1.3.0',
      purl: 'pkg:composer/asm89/stack-cors@1.3.0',
    });
    expect(inventory.packages.find((p) => p.name === 'laravel/framework')).toEqual({
      ecosystem: 'Packagist',
      name: 'laravel/framework',
      version: 'v7.30.6',
      purl: 'pkg:composer/laravel/framework@v7.30.6',
    });
  });

  it('reads the operating-system component, nested components, the graph and properties', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata><component type="container" bom-ref="root"><name>image</name></component></metadata>
  <components>
    <component type="operating-system" bom-ref="os"><name>alpine</name><version>3.20.1</version></component>
    <component type="library" bom-ref="pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&amp;upstream=openssl">
      <name>libcrypto3</name><version>3.3.1-r0</version>
      <purl>pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&amp;upstream=openssl</purl>
      <components><component type="library"><name>inner</name><version>1.10</version><purl>pkg:npm/inner@1.10</purl></component></components>
    </component>
  </components>
  <dependencies>
    <dependency ref="root"><dependency ref="os"/></dependency>
    <dependency ref="os"><dependency ref="pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&amp;upstream=openssl"/></dependency>
  </dependencies>
</bom>`;
    expect(parsed({ path: 'alpine.cdx.xml', text })).toEqual({
      format: 'cyclonedx-xml',
      source: 'alpine.cdx.xml',
      os: {
        id: 'alpine',
        versionId: '3.20.1',
        ecosystem: 'Alpine:v3.20',
        evidence: 'CycloneDX operating-system component',
      },
      packages: [
        {
          ecosystem: 'Alpine:v3.20',
          name: 'libcrypto3',
          version: '3.3.1-r0',
          sourceName: 'openssl',
          arch: 'x86_64',
          purl: 'pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&upstream=openssl',
          direct: true,
        },
        { ecosystem: 'npm', name: 'inner', version: '1.10', purl: 'pkg:npm/inner@1.10' },
      ],
      warnings: [],
    });
  });

  it('refuses a VEX document', () => {
    const text = `<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><vulnerabilities><vulnerability><id>CVE-2020-25649</id></vulnerability></vulnerabilities></bom>`;
    expect(cyclonedxXmlFormat.detect({ path: 'vex.xml', text })).toBe(0);
    const result = cyclonedxXmlFormat.parse({ path: 'vex.xml', text });
    expect(result.ok ? '' : result.error).toContain('this is a VEX document, not an inventory');
  });

  it.each([
    ['', 'empty file'],
    ['<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>', 'not well-formed XML'],
    ['<bom xmlns="http://example.com/other"><components/></bom>', 'not a CycloneDX document'],
  ])('rejects %j', (text, message) => {
    const result = cyclonedxXmlFormat.parse({ path: 'x.xml', text });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

// Larger real SBOMs stay in the shared data set; these tests skip when it is absent.
describe('cyclonedx-xml on the shared real SBOMs', () => {
  it.skipIf(!existsSync(shared)).each([
    ['cyclonedx/laravel-7.12.0/bom.1.4.xml', 'cyclonedx/laravel-7.12.0/bom.1.4.json'],
    [
      'cyclonedx/proton-bridge/proton-bridge-v1.8.0.bom.xml',
      'cyclonedx/proton-bridge/proton-bridge-v1.8.0.bom.json',
    ],
    ['cyclonedx/dropwizard-1.3.15/bom.xml', 'cyclonedx/dropwizard-1.3.15/bom.json'],
    [
      'cyclonedx/protonmail-webclient-v4-0912dff/bom.xml',
      'cyclonedx/protonmail-webclient-v4-0912dff/bom.json',
    ],
  ])('%s reads as its JSON twin', (xmlFile, jsonFile) => {
    const xml = parsed({ path: xmlFile, text: readFileSync(join(shared, xmlFile), 'utf8') });
    const json = cyclonedxJsonFormat.parse({
      path: jsonFile,
      text: readFileSync(join(shared, jsonFile), 'utf8'),
    });
    expect(xml.packages.length).toBeGreaterThan(50);
    expect(json.ok && json.inventory.packages).toEqual(xml.packages);
  });
});
