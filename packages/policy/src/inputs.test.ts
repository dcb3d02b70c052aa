import { readFileSync } from 'node:fs';
import type { CvssFact } from '@patchgate/sources';
import { describe, expect, it } from 'vitest';
import { chooseCvss, deriveCveInputs, deriveSeverity, severityOfScore } from './inputs.ts';
import { cve5Facts, facts, finding, kevFacts, policyInput } from './test-support.ts';

const testdata = new URL('../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');

const v31Critical = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const v31High = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H'; // 7.5
const v31Medium = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N'; // 5.4
const v40High = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N'; // 8.7
const v2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:P'; // 7.5

const cna = (version: CvssFact['version'], vector: string): CvssFact => ({
  source: 'CVE 5 (CNA)',
  kind: 'cna',
  version,
  vector,
});
const adp = (version: CvssFact['version'], vector: string): CvssFact => ({
  source: 'CVE 5 (CISA ADP)',
  kind: 'adp',
  version,
  vector,
});
const nvd = (version: CvssFact['version'], vector: string, kind: string): CvssFact => ({
  source: 'NVD',
  kind,
  version,
  vector,
});

describe('chooseCvss', () => {
  it.each([
    {
      name: 'CVSS 4.0 from an ADP beats 3.1 from the CNA',
      facts: [cna('3.1', v31Critical), adp('4.0', v40High)],
      advisory: [],
      expected: { version: '4.0', vector: v40High, baseScore: 8.7, source: 'CVE 5 (CISA ADP)' },
    },
    {
      name: 'same version: the CNA over the advisory over the ADP',
      facts: [adp('3.1', v31Medium), cna('3.1', v31Critical)],
      advisory: [{ type: 'CVSS_V3', score: v31High }],
      expected: { version: '3.1', vector: v31Critical, baseScore: 9.8, source: 'CVE 5 (CNA)' },
    },
    {
      name: "same version, no CNA: the advisory's own vector over the ADP",
      facts: [adp('3.1', v31Medium)],
      advisory: [{ type: 'CVSS_V3', score: v31High }],
      expected: { version: '3.1', vector: v31High, baseScore: 7.5, source: 'advisory GHSA-test' },
    },
    {
      name: 'NVD Primary over Secondary',
      facts: [nvd('3.1', v31Medium, 'Secondary'), nvd('3.1', v31High, 'Primary')],
      advisory: [],
      expected: { version: '3.1', vector: v31High, baseScore: 7.5, source: 'NVD (Primary)' },
    },
    {
      name: '3.1 over 2.0',
      facts: [nvd('2.0', v2, 'Primary'), adp('3.1', v31Medium)],
      advisory: [],
      expected: { version: '3.1', vector: v31Medium, baseScore: 5.4, source: 'CVE 5 (CISA ADP)' },
    },
    {
      name: 'a prefix-less CVSS_V2 vector from the advisory',
      facts: [],
      advisory: [{ type: 'CVSS_V2', score: v2 }],
      expected: { version: '2.0', vector: v2, baseScore: 7.5, source: 'advisory GHSA-test' },
    },
  ])('$name', ({ facts: cvss, advisory, expected }) => {
    const chosen = chooseCvss(cvss, finding({ advisoryCvss: advisory }));
    expect(
      chosen && {
        version: chosen.version,
        vector: chosen.vector,
        baseScore: chosen.baseScore,
        source: chosen.source,
      },
    ).toEqual(expected);
  });

  it('falls back to the score the source stated when the vector does not score', () => {
    const chosen = chooseCvss(
      [
        {
          source: 'NVD',
          kind: 'Primary',
          version: '3.1',
          vector: 'CVSS:3.1/garbage',
          statedBaseScore: 9.1,
        },
      ],
      finding(),
    );
    expect(chosen).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/garbage',
      baseScore: 9.1,
      severity: 'critical',
      source: 'NVD (Primary)',
      scoredBy: 'stated',
      reason: 'CVSS 3.1, CNA/Primary source',
    });
  });

  it('skips a vector that neither scores nor states a score', () => {
    expect(
      chooseCvss(
        [adp('3.1', 'CVSS:3.1/AV:X')],
        finding({ advisoryCvss: [{ type: 'CVSS_V3', score: v31Medium }] }),
      )?.vector,
    ).toBe(v31Medium);
    expect(chooseCvss([adp('3.1', 'CVSS:3.1/AV:X')], finding())).toBeUndefined();
  });
});

describe('severity', () => {
  it.each([
    ['3.1', 0, 'none'],
    ['3.1', 0.1, 'low'],
    ['3.1', 3.9, 'low'],
    ['3.1', 4, 'medium'],
    ['3.1', 6.9, 'medium'],
    ['3.1', 7, 'high'],
    ['3.1', 8.9, 'high'],
    ['3.1', 9, 'critical'],
    ['2.0', 10, 'high'],
    ['2.0', 3.9, 'low'],
  ] as const)('CVSS %s score %d is %s', (version, score, expected) => {
    expect(severityOfScore(version, score)).toBe(expected);
  });

  it.each([
    { stated: 'critical', cvss: [], expected: 'critical' },
    { stated: 'Moderate', cvss: [], expected: 'medium' },
    { stated: 'important', cvss: [], expected: 'high' },
    { stated: 'unknown', cvss: [], expected: 'unknown' },
    { stated: 'whatever', cvss: [], expected: 'unknown' },
    { stated: 'low', cvss: [{ type: 'CVSS_V3', score: v31Critical }], expected: 'critical' },
  ])('stated $stated with $cvss.length vectors → $expected', ({ stated, cvss, expected }) => {
    const f = finding({ statedSeverity: stated, advisoryCvss: cvss });
    expect(deriveSeverity(chooseCvss([], f), f).value).toBe(expected);
  });
});

describe('deriveCveInputs on real facts', () => {
  it('CVE-2024-3400: KEV entry, CNA CVSS 3.1, CISA ADP SSVC', () => {
    const kev = kevFacts(read('kev-excerpt.json'));
    const record = read('vulnrichment/CVE-2024-3400.json');
    const [inputs] = deriveCveInputs(
      policyInput({
        finding: finding({
          advisoryId: 'CVE-2024-3400',
          advisoryPublished: '2024-04-12T07:00:00-07:00',
        }),
        facts: [cve5Facts(record, 'CVE-2024-3400.json', kev.get('CVE-2024-3400'))],
      }),
    );
    expect(inputs && { ...inputs, cvss: undefined }).toEqual({
      cve: 'CVE-2024-3400',
      kev: { value: true, source: 'CISA KEV', timestamp: '2024-04-12' },
      kevDateAdded: { value: '2024-04-12', source: 'CISA KEV', timestamp: '2024-04-12' },
      kevDueDate: { value: '2024-04-19', source: 'CISA KEV', timestamp: '2024-04-12' },
      ransomware: {
        value: true,
        source: 'CISA KEV: knownRansomwareCampaignUse Known',
        timestamp: '2024-04-12',
      },
      epss: { value: null, source: 'no EPSS score' },
      epssPercentile: { value: null, source: 'no EPSS score' },
      cvss: undefined,
      cvssScore: {
        value: 10,
        source: 'CVE 5 (CNA palo_alto): CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
        timestamp: '2024-04-19T22:27:27.179Z',
      },
      severity: {
        value: 'critical',
        source: 'CVSS 3.1 base score 10 (CVE 5 (CNA palo_alto))',
        timestamp: '2024-04-19T22:27:27.179Z',
      },
      exploitation: {
        value: 'active',
        source: 'CVE 5 (CISA ADP)',
        timestamp: '2024-04-17T04:00:13.543064Z',
      },
      automatable: {
        value: 'yes',
        source: 'CVE 5 (CISA ADP)',
        timestamp: '2024-04-17T04:00:13.543064Z',
      },
      technicalImpact: {
        value: 'total',
        source: 'CVE 5 (CISA ADP)',
        timestamp: '2024-04-17T04:00:13.543064Z',
      },
      published: {
        value: '2024-04-12',
        source: 'advisory CVE-2024-3400 published',
        timestamp: '2024-04-12T07:00:00-07:00',
      },
    });
  });

  it('one set of inputs per CVE, sorted; one from the advisory alone without facts', () => {
    const input = policyInput({
      facts: [facts({ cve: 'CVE-2023-38546' }), facts({ cve: 'CVE-2023-38545' })],
    });
    expect(deriveCveInputs(input).map((entry) => entry.cve)).toEqual([
      'CVE-2023-38545',
      'CVE-2023-38546',
    ]);
    expect(deriveCveInputs(policyInput()).map((entry) => entry.cve)).toEqual([undefined]);
  });
});
