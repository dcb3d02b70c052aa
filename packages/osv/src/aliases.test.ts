import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advisoryKeys, cveIds, cveIdsInText, fixedCveIds, isCveId } from './aliases.ts';
import { parseOsvDocument } from './parse.ts';
import type { OsvRecord } from './schema.ts';

function fixture(name: string): OsvRecord {
  const text = readFileSync(new URL(`../testdata/${name}`, import.meta.url), 'utf8');
  const record = parseOsvDocument(text, name).records[0];
  if (record === undefined) throw new Error(`${name} did not parse`);
  return record;
}

describe('advisoryKeys and cveIds on real records', () => {
  it.each([
    [
      'GO-2024-2666.json',
      ['GO-2024-2666', 'CVE-2024-28860', 'GHSA-pwqm-x5x6-5586'],
      ['CVE-2024-28860'],
    ],
    ['CVE-2.json', ['CVE-2', 'CVE-1'], []],
    ['DSA-3029-1.json', ['DSA-3029-1', 'CVE-2014-3616'], ['CVE-2014-3616']],
    [
      'USN-2169-1.json',
      ['USN-2169-1', 'UBUNTU-CVE-2014-0472', 'UBUNTU-CVE-2014-0473', 'UBUNTU-CVE-2014-0474'],
      // Ubuntu's records of CVEs are those CVEs.
      ['CVE-2014-0472', 'CVE-2014-0473', 'CVE-2014-0474'],
    ],
    ['ALSA-2026-0067.json', ['ALSA-2026:0067'], []],
  ])('%s', (file, keys, cves) => {
    const record = fixture(file);
    expect(advisoryKeys(record)).toEqual(keys);
    expect(cveIds(record)).toEqual(cves);
  });

  it('takes CVEs from related only on request (AlmaLinux lists fixed CVEs there)', () => {
    expect(cveIds(fixture('ALSA-2026-0067.json'), { includeRelated: true })).toEqual([
      'CVE-2025-45582',
    ]);
  });

  it('orders CVE ids by year and number, not as text', () => {
    const record = fixture('CVE-2.json');
    record.aliases = ['CVE-2021-10000', 'CVE-2021-9999', 'CVE-2020-44228', 'CVE-2021-9999'];
    expect(cveIds(record)).toEqual(['CVE-2020-44228', 'CVE-2021-9999', 'CVE-2021-10000']);
  });
});

describe('fixedCveIds', () => {
  const base = {
    modified: '2024-01-01T00:00:00Z',
    aliases: [],
    related: [],
    upstream: [],
    severity: [],
    affected: [],
    references: [],
  };

  it.each([
    [
      'ALSA-2023:1405',
      { related: ['CVE-2023-0286', 'CVE-2022-4304'] },
      ['CVE-2022-4304', 'CVE-2023-0286'],
    ],
    ['GO-2024-2730', { related: ['CVE-2024-3400'] }, []],
    [
      'USN-2169-1',
      { upstream: ['UBUNTU-CVE-2014-0472', 'UBUNTU-CVE-2014-0473'] },
      ['CVE-2014-0472', 'CVE-2014-0473'],
    ],
    [
      'DSA-5343-1',
      { aliases: ['CVE-2023-0286', 'CVE-2022-4304'] },
      ['CVE-2022-4304', 'CVE-2023-0286'],
    ],
    ['CVE-2024-3094', {}, ['CVE-2024-3094']],
  ])('%s → %j', (id, fields, expected) => {
    expect(fixedCveIds({ ...base, id, ...fields })).toEqual(expected);
  });
});

describe('the CVE id rule', () => {
  it.each([
    ['CVE-2024-3094', true],
    ['CVE-2021-44228', true],
    ['CVE-2024-1234567890123456789', true],
    ['CVE-2024-12345678901234567890', false],
    ['CVE-2024-123', false],
    ['cve-2024-3094', false],
    ['CVE-24-3094', false],
    [' CVE-2024-3094', false],
    ['GHSA-xxxx-yyyy-zzzz', false],
  ])('isCveId(%j) is %s', (id, expected) => {
    expect(isCveId(id)).toBe(expected);
  });

  it('finds CVE ids in text, once each, in order', () => {
    expect(
      cveIdsInText('Fix CVE-2023-38545 (heap overflow) and CVE-2023-38546; see CVE-2023-38545.'),
    ).toEqual(['CVE-2023-38545', 'CVE-2023-38546']);
  });
});
