import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { VulnerabilityFacts } from '../facts.ts';
import { cve5Source } from './index.ts';

const testdata = fileURLToPath(new URL('../../testdata/cve5/', import.meta.url));
const fixture = (relative: string) => {
  const path = join(testdata, relative);
  return { path, text: readFileSync(path, 'utf8') };
};
const factsOf = (relative: string) => {
  const input = fixture(relative);
  const result = cve5Source.parse(input);
  expect(result.errors).toEqual([]);
  return { path: input.path, facts: [...result.facts.values()], metadata: result.metadata };
};

describe('cve5Source', () => {
  it('reads CISA ADP SSVC (active, automatable, total), ADP CVSS, KEV marker and CWE', () => {
    const { path, facts, metadata } = factsOf('2023/43xxx/CVE-2023-43208.json');
    expect(metadata).toEqual({ records: 1, rejected: 0 });
    expect(facts).toEqual<VulnerabilityFacts[]>([
      {
        cve: 'CVE-2023-43208',
        kev: {
          source: 'CVE 5 (CISA ADP)',
          timestamp: '2024-05-20',
          origin: path,
          dateAdded: '2024-05-20',
          knownRansomwareCampaignUse: 'Unknown',
        },
        cvss: [
          {
            source: 'CVE 5 (CISA ADP)',
            timestamp: '2024-05-21T13:30:00.625Z',
            origin: path,
            version: '3.1',
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            statedBaseScore: 9.8,
            kind: 'adp',
          },
        ],
        ssvc: {
          source: 'CVE 5 (CISA ADP)',
          timestamp: '2024-05-21T13:34:10.874721Z',
          origin: path,
          exploitation: 'active',
          automatable: 'yes',
          technicalImpact: 'total',
          version: '2.0.3',
          role: 'CISA Coordinator',
        },
        cwes: ['CWE-502'],
        published: '2023-10-26T00:00:00',
      },
    ]);
  });

  it('reads a CNA CVSS 3.1 vector, the CNA CWE and a KEV marker beside SSVC', () => {
    const { path, facts } = factsOf('2023/24xxx/CVE-2023-24955.json');
    expect(facts).toEqual<VulnerabilityFacts[]>([
      {
        cve: 'CVE-2023-24955',
        kev: {
          source: 'CVE 5 (CISA ADP)',
          timestamp: '2024-03-26',
          origin: path,
          dateAdded: '2024-03-26',
          knownRansomwareCampaignUse: 'Unknown',
        },
        cvss: [
          {
            source: 'CVE 5 (CNA microsoft)',
            timestamp: '2024-05-29T01:50:49.739Z',
            origin: path,
            version: '3.1',
            vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C',
            statedBaseScore: 7.2,
            kind: 'cna',
          },
        ],
        ssvc: {
          source: 'CVE 5 (CISA ADP)',
          timestamp: '2024-05-01T16:46:27.874783Z',
          origin: path,
          exploitation: 'active',
          automatable: 'no',
          technicalImpact: 'total',
          version: '2.0.3',
          role: 'CISA Coordinator',
        },
        cwes: ['CWE-94'],
        published: '2023-05-09T17:03:01.864Z',
      },
    ]);
  });

  it.each([
    [
      'CVSS 4.0 (CNA hikvision)',
      '2024/47xxx/CVE-2024-47487.json',
      'CVE 5 (CNA hikvision)',
      '4.0',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:L/VA:L/SC:L/SI:L/SA:L',
      7.2,
      'cna',
    ],
    [
      'only CVSS 2.0 (CNA OpenText)',
      '2024/7xxx/CVE-2024-7826.json',
      'CVE 5 (CNA OpenText)',
      '2.0',
      'AV:L/AC:L/Au:S/C:C/I:N/A:C',
      6.2,
      'cna',
    ],
    [
      'CVSS 3.0 (CNA hackerone)',
      '2024/42xxx/CVE-2024-42020.json',
      'CVE 5 (CNA hackerone)',
      '3.0',
      'CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:H/A:H',
      7.3,
      'cna',
    ],
    [
      'ADP CVSS, no CNA CVSS',
      '2024/48xxx/CVE-2024-48799.json',
      'CVE 5 (CISA ADP)',
      '3.1',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      7.5,
      'adp',
    ],
  ])('reads %s', (_name, file, source, version, vector, statedBaseScore, kind) => {
    const [facts] = factsOf(file).facts;
    expect(facts?.cvss.map(({ origin: _o, timestamp: _t, ...rest }) => rest)).toEqual([
      { source, version, vector, statedBaseScore, kind },
    ]);
  });

  it.each([
    ['a CWE from the CISA ADP container', '2024/32xxx/CVE-2024-32299.json', ['CWE-121']],
    ['a CWE from the CNA', '2024/7xxx/CVE-2024-7826.json', ['CWE-754']],
    ['no CWE (only "n/a")', '2024/48xxx/CVE-2024-48799.json', []],
  ])('reads %s', (_name, file, cwes) => {
    expect(factsOf(file).facts[0]?.cwes).toEqual(cwes);
  });

  it('ignores a CNA metric of another type (Apache "Textual description of severity")', () => {
    const [facts] = factsOf('2024/35xxx/CVE-2024-35296.json').facts;
    expect(facts?.cvss).toEqual([]);
    expect(facts?.ssvc?.exploitation).toBe('none');
  });

  it('yields no facts and no error for a REJECTED record', () => {
    const result = cve5Source.parse(fixture('2024/1xxx/CVE-2024-1342.json'));
    expect(result).toEqual({ facts: new Map(), errors: [], metadata: { records: 1, rejected: 1 } });
  });

  it.each([
    ['vulnrichment record', '2024/7xxx/CVE-2024-7826.json', 1],
    ['KEV catalogue', '../kev/known_exploited_vulnerabilities.excerpt.json', 0],
    ['NVD page', '../nvd/nvd-api2-sample.json', 0],
  ])('detects a %s', (_name, file, score) => {
    expect(cve5Source.detect(fixture(file))).toBe(score);
  });

  it('reports unreadable records and odd values, keeping what it can (lenient)', () => {
    const record = JSON.parse(fixture('2023/43xxx/CVE-2023-43208.json').text) as {
      containers: { adp: { metrics?: unknown[] }[] };
    };
    record.containers.adp[1]?.metrics?.push(
      { cvssV3_1: { baseScore: 5 } },
      { other: { type: 'ssvc', content: { options: [{ Exploitation: 'public' }] } } },
    );
    const text = JSON.stringify([record, { cveMetadata: { cveId: 'nope' } }, 42, {}]);
    const result = cve5Source.parse({ path: 'bulk.json', text });
    expect([...result.facts.keys()]).toEqual(['CVE-2023-43208']);
    // The added SSVC has no readable decision point: no fact from it, CISA's real one stays.
    expect(result.facts.get('CVE-2023-43208')?.ssvc?.exploitation).toBe('active');
    expect(result.errors).toEqual([
      {
        origin: 'bulk.json#0',
        message: 'CVE-2023-43208: adp metrics[3].cvssV3_1: no vectorString',
      },
      {
        origin: 'bulk.json#0',
        message: 'CVE-2023-43208: adp metrics[4] ssvc: unknown Exploitation',
      },
      { origin: 'bulk.json#1', message: 'cveMetadata.cveId: not a CVE ID' },
      { origin: 'bulk.json#2', message: 'not a JSON object' },
      { origin: 'bulk.json#3', message: 'no cveMetadata: not a CVE 5 record' },
    ]);
    expect(result.metadata).toEqual({ records: 4, rejected: 0 });
  });

  it('turns text that is not JSON into one error entry', () => {
    const result = cve5Source.parse({ path: 'x.json', text: '{"dataType": "CVE_RECORD",' });
    expect(result.facts.size).toBe(0);
    expect(result.errors).toEqual([
      { origin: 'x.json', message: expect.stringMatching(/^not valid JSON: /) as string },
    ]);
  });
});
