import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasSharedData, sharedData, sharedDataMissing } from '@patchgate/testing';
import { describe, expect, it } from 'vitest';
import type { VulnerabilityFacts } from '../facts.ts';
import { kevSource } from './index.ts';

const testdata = fileURLToPath(new URL('../../testdata/kev/', import.meta.url));
const excerpt = (ext: 'json' | 'csv') => {
  const path = `${testdata}known_exploited_vulnerabilities.excerpt.${ext}`;
  return { path, text: readFileSync(path, 'utf8') };
};
const FULL = 'advisories/kev/known_exploited_vulnerabilities';
const full = (ext: 'json' | 'csv') => {
  const path = sharedData(`${FULL}.${ext}`);
  return { path, text: readFileSync(path, 'utf8') };
};

/** The same entry read from either form differs only where the file and catalogue are named. */
const withoutOrigin = (facts: Map<string, VulnerabilityFacts>) =>
  [...facts.values()].map((f) => ({
    ...f,
    kev: { ...f.kev, origin: undefined, catalogVersion: undefined },
  }));

const mirth = (origin: string, catalogVersion?: string): VulnerabilityFacts => ({
  cve: 'CVE-2023-43208',
  kev: {
    source: 'CISA KEV',
    timestamp: '2024-05-20',
    origin,
    dateAdded: '2024-05-20',
    dueDate: '2024-06-10',
    knownRansomwareCampaignUse: 'Known',
    vendorProject: 'NextGen Healthcare',
    product: 'Mirth Connect',
    vulnerabilityName:
      'NextGen Healthcare Mirth Connect Deserialization of Untrusted Data Vulnerability',
    requiredAction:
      'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
    ...(catalogVersion !== undefined && { catalogVersion }),
  },
  cvss: [],
  cwes: ['CWE-502'],
});

describe('kevSource', () => {
  it('reads a real entry with known ransomware use from the JSON catalogue', () => {
    const input = excerpt('json');
    const result = kevSource.parse(input);
    expect(result.errors).toEqual([]);
    expect(result.metadata).toEqual({
      format: 'json',
      records: 7,
      catalogVersion: '2025.08.25',
      dateReleased: '2025-08-25T17:04:19.9796Z',
      count: 1404,
    });
    expect(result.facts.get('CVE-2023-43208')).toEqual(mirth(input.path, '2025.08.25'));
  });

  it('reads the same entry from the CSV form (quoted fields with commas and "")', () => {
    const input = excerpt('csv');
    const result = kevSource.parse(input);
    expect(result.errors).toEqual([]);
    expect(result.metadata).toEqual({ format: 'csv', records: 7 });
    expect(result.facts.get('CVE-2023-43208')).toEqual(mirth(input.path));
    expect(result.facts.get('CVE-2025-48928')?.kev?.vulnerabilityName).toBe(
      'TeleMessage TM SGNL Exposure of Core Dump File to an Unauthorized Control Sphere Vulnerability',
    );
  });

  it('yields the same facts from the JSON and CSV excerpts', () => {
    expect(withoutOrigin(kevSource.parse(excerpt('csv')).facts)).toEqual(
      withoutOrigin(kevSource.parse(excerpt('json')).facts),
    );
  });

  it.skipIf(!hasSharedData(`${FULL}.json`))(
    `yields identical facts for all 1,404 entries in JSON and CSV${
      hasSharedData(`${FULL}.json`) ? '' : ` (skipped: ${sharedDataMissing})`
    }`,
    () => {
      const json = kevSource.parse(full('json'));
      const csv = kevSource.parse(full('csv'));
      expect(json.errors).toEqual([]);
      expect(csv.errors).toEqual([]);
      expect(json.facts.size).toBe(1404);
      expect(json.metadata['count']).toBe(1404);
      expect(withoutOrigin(csv.facts)).toEqual(withoutOrigin(json.facts));
      const ransomware = [...json.facts.values()].filter(
        (f) => f.kev?.knownRansomwareCampaignUse === 'Known',
      );
      expect(ransomware).toHaveLength(293);
    },
  );

  it.each([
    ['catalogue JSON', 'kev.json', '{"title":"x","catalogVersion":"1","vulnerabilities":[]}', 1],
    ['a JSON array of entries', 'x.json', '{"cveID":"CVE-2024-1","dateAdded":"2024-01-01"}', 0.8],
    ['the CSV header', 'kev.csv', 'cveID,vendorProject,product,vulnerabilityName,dateAdded\n', 1],
    ['EPSS CSV', 'epss.csv', '#model_version:v1\ncve,epss,percentile\n', 0],
    ['OSV JSON', 'GO-1.json', '{"id":"GO-2022-0617","modified":"2024-01-01T00:00:00Z"}', 0],
  ])('detects %s', (_name, path, text, score) => {
    expect(kevSource.detect({ path, text })).toBe(score);
  });

  it('reports bad entries and keeps the rest (lenient)', () => {
    const text = JSON.stringify({
      catalogVersion: 'test',
      vulnerabilities: [
        { cveID: 'CVE-2024-1234', dateAdded: '2024-02-01', knownRansomwareCampaignUse: 'Known' },
        { cveID: 'not-a-cve', dateAdded: '2024-02-01' },
        { cveID: 'CVE-2024-5678', dateAdded: 'yesterday' },
        'junk',
        { cveID: 'cve-2024-1234', dateAdded: '2024-03-01' },
      ],
    });
    const result = kevSource.parse({ path: 'k.json', text });
    expect([...result.facts.keys()]).toEqual(['CVE-2024-1234']);
    expect(result.facts.get('CVE-2024-1234')?.kev).toEqual({
      source: 'CISA KEV',
      timestamp: '2024-02-01',
      origin: 'k.json',
      dateAdded: '2024-02-01',
      knownRansomwareCampaignUse: 'Known',
      catalogVersion: 'test',
    });
    expect(result.errors).toEqual([
      { origin: 'k.json#vulnerabilities[1]', message: 'cveID: not a CVE ID' },
      {
        origin: 'k.json#vulnerabilities[2]',
        message: 'CVE-2024-5678: dateAdded: not a YYYY-MM-DD date',
      },
      { origin: 'k.json#vulnerabilities[3]', message: 'not an object' },
      {
        origin: 'k.json#vulnerabilities[4]',
        message: 'CVE-2024-1234: listed twice; the first entry is kept',
      },
    ]);
    expect(result.metadata['records']).toBe(5);
  });

  it.each([
    ['not JSON', 'x.json', '{"vulnerabilities": [', /^not valid JSON: /],
    ['JSON without vulnerabilities', 'x.json', '{"catalogVersion":"1"}', /no `vulnerabilities`/],
    ['CSV without cveID', 'x.csv', 'a,b\n1,2\n', /no `cveID` column/],
  ])('turns %s into one error entry', (_name, path, text, message) => {
    const result = kevSource.parse({ path, text });
    expect(result.facts.size).toBe(0);
    expect(result.errors).toEqual([
      { origin: path, message: expect.stringMatching(message) as string },
    ]);
  });

  it('reads a CSV entry whose quoted field spans lines and reports CSV problems by line', () => {
    const text =
      'cveID,dateAdded,notes,knownRansomwareCampaignUse\n' +
      'CVE-2024-0001,2024-01-02,"line one\nline two, with comma",Unknown\n' +
      'CVE-2024-0002,2024-01-03,"unterminated\n';
    const result = kevSource.parse({ path: 'k.csv', text });
    expect([...result.facts.keys()]).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
    expect(result.errors).toEqual([{ origin: 'k.csv:4', message: 'unterminated quoted field' }]);
  });
});
