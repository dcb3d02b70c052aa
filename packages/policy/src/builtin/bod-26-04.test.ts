import { readFileSync } from 'node:fs';
import type { KevFact, SsvcFact } from '@patchgate/sources';
import { describe, expect, it } from 'vitest';
import { asset, cve5Facts, facts, finding, kevFacts, policyInput } from '../test-support.ts';
import type { Decision } from '../types.ts';
import { bod2604Policy, bod2604Table } from './bod-26-04.ts';

const testdata = new URL('../../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');

/** CERT/CC's CSV, the reference the tables below are checked against. */
const certccRows = read('certcc-ssvc/cisa_bod_26_04_1_0_0.csv')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [row, kev, exposed, automatable, impact, outcome] = line.split(',');
    return { row: Number(row), kev, exposed, automatable, impact, outcome: outcome ?? '' };
  });

const expectedFor: Record<string, { timeline: string; days: number | null; priority: string }> = {
  'fix on system upgrade': { timeline: 'next scheduled upgrade', days: null, priority: 'P4' },
  '60 days': { timeline: '60 days', days: 60, priority: 'P3' },
  '14 days': { timeline: '14 days', days: 14, priority: 'P2' },
  '3 days': { timeline: '3 days', days: 3, priority: 'P1' },
  '3 days & forensic investigation': {
    timeline: '3 days + forensic triage',
    days: 3,
    priority: 'P1',
  },
};

const due: Record<string, string> = { '3': '2026-11-25', '14': '2026-12-06', '60': '2027-01-21' };

const kevWithoutDate: KevFact = {
  source: 'CISA KEV',
  dateAdded: '2026-11-20',
  knownRansomwareCampaignUse: 'Unknown',
};

function ssvc(
  automatable: 'yes' | 'no',
  technicalImpact: 'total' | 'partial',
  exploitation: SsvcFact['exploitation'] = 'none',
): SsvcFact {
  return {
    source: 'CVE 5 (CISA ADP)',
    timestamp: '2026-11-01T00:00:00Z',
    exploitation,
    automatable,
    technicalImpact,
  };
}

describe('BOD 26-04 table', () => {
  it('has the 16 rows of CERT/CC cisa_bod_26_04_1_0_0, one per combination', () => {
    expect(
      bod2604Table.map((row) => ({
        row: row.row,
        kev: row.kev === 'Y' ? 'yes' : 'no',
        exposed: row.exposed === 'Y' ? 'yes' : 'no',
        automatable: row.automatable === 'Y' ? 'yes' : 'no',
        impact: row.technicalImpact === 'T' ? 'total' : 'partial',
        outcome: {
          FSU: 'fix on system upgrade',
          '60D': '60 days',
          '14D': '14 days',
          '3D': '3 days',
          '3DF': '3 days & forensic investigation',
        }[row.outcome],
      })),
    ).toEqual(certccRows);
    const keys = new Set(
      bod2604Table.map((row) => `${row.kev}${row.exposed}${row.automatable}${row.technicalImpact}`),
    );
    expect(keys.size).toBe(16);
  });

  it.each(certccRows)(
    'row $row: KEV $kev, exposed $exposed, automatable $automatable, impact $impact → $outcome',
    (row) => {
      const expected = expectedFor[row.outcome];
      if (expected === undefined) throw new Error(`unexpected outcome ${row.outcome}`);
      const decision = bod2604Policy.decide(
        policyInput({
          facts: [
            facts({
              ...(row.kev === 'yes' && { kev: kevWithoutDate }),
              ssvc: ssvc(
                row.automatable === 'yes' ? 'yes' : 'no',
                row.impact === 'total' ? 'total' : 'partial',
              ),
            }),
          ],
          asset: asset({ exposure: row.exposed === 'yes' ? 'internet' : 'internal' }),
        }),
      );
      expect({
        priority: decision.priority,
        timeline: decision.timeline,
        dueDate: decision.dueDate,
        rule: decision.explanation.rule.id,
      }).toEqual({
        priority: expected.priority,
        timeline: expected.timeline,
        dueDate: expected.days === null ? null : due[String(expected.days)],
        rule: `row-${row.row}`,
      });
    },
  );
});

describe('BOD 26-04 missing data', () => {
  it.each([
    {
      name: 'not in KEV, no SSVC at all: 60 days, no table lookup',
      facts: facts(),
      exposure: 'internet' as const,
      expected: {
        priority: 'P3',
        timeline: '60 days',
        dueDate: '2027-01-21',
        rule: 'missing-ssvc-not-kev',
      },
    },
    {
      name: 'not in KEV, only Automatable known: still 60 days',
      facts: facts({ ssvc: { source: 'vendor SSVC', automatable: 'yes' } }),
      exposure: 'internet' as const,
      expected: {
        priority: 'P3',
        timeline: '60 days',
        dueDate: '2027-01-21',
        rule: 'missing-ssvc-not-kev',
      },
    },
    {
      name: 'advisory with no CVE facts at all: 60 days',
      facts: undefined,
      exposure: 'internal' as const,
      expected: {
        priority: 'P3',
        timeline: '60 days',
        dueDate: '2027-01-21',
        rule: 'missing-ssvc-not-kev',
      },
    },
    {
      name: 'in KEV, no SSVC: 14 days',
      facts: facts({ kev: kevWithoutDate }),
      exposure: 'internal' as const,
      expected: {
        priority: 'P2',
        timeline: '14 days',
        dueDate: '2026-12-06',
        rule: 'missing-ssvc-kev',
      },
    },
    {
      name: 'in KEV, no SSVC, CISA due date earlier: the KEV due date',
      facts: facts({ kev: { ...kevWithoutDate, dueDate: '2026-12-01' } }),
      exposure: 'internal' as const,
      expected: {
        priority: 'P2',
        timeline: '14 days',
        dueDate: '2026-12-01',
        rule: 'missing-ssvc-kev',
      },
    },
    {
      name: 'unknown exposure counts as exposed (row 14, not row 10)',
      facts: facts({ ssvc: ssvc('yes', 'total') }),
      exposure: 'unknown' as const,
      expected: { priority: 'P1', timeline: '3 days', dueDate: '2026-11-25', rule: 'row-14' },
    },
    {
      name: 'active exploitation outside KEV counts as KEV (row 15)',
      facts: facts({ ssvc: ssvc('yes', 'total', 'active') }),
      exposure: 'internet' as const,
      expected: {
        priority: 'P1',
        timeline: '3 days + forensic triage',
        dueDate: '2026-11-25',
        rule: 'row-15',
      },
    },
    {
      name: 'PoC exploitation does not count as KEV (row 7)',
      facts: facts({ ssvc: ssvc('yes', 'partial', 'poc') }),
      exposure: 'internet' as const,
      expected: { priority: 'P2', timeline: '14 days', dueDate: '2026-12-06', rule: 'row-7' },
    },
    {
      name: 'KEV due date earlier than the table: it wins (row 1)',
      facts: facts({
        kev: { ...kevWithoutDate, dueDate: '2026-11-30' },
        ssvc: ssvc('no', 'partial'),
      }),
      exposure: 'internal' as const,
      expected: { priority: 'P2', timeline: '14 days', dueDate: '2026-11-30', rule: 'row-1' },
    },
    {
      name: 'KEV due date later than the table: the table (row 15)',
      facts: facts({
        kev: { ...kevWithoutDate, dueDate: '2026-12-11' },
        ssvc: ssvc('yes', 'total', 'active'),
      }),
      exposure: 'internet' as const,
      expected: {
        priority: 'P1',
        timeline: '3 days + forensic triage',
        dueDate: '2026-11-25',
        rule: 'row-15',
      },
    },
    {
      name: 'KEV due date already past at detection: the table from detection (row 5)',
      facts: facts({
        kev: { ...kevWithoutDate, dueDate: '2023-10-31' },
        ssvc: ssvc('no', 'partial', 'active'),
      }),
      exposure: 'internet' as const,
      expected: { priority: 'P2', timeline: '14 days', dueDate: '2026-12-06', rule: 'row-5' },
    },
  ])('$name', ({ facts: cveFacts, exposure, expected }) => {
    const decision = bod2604Policy.decide(
      policyInput({ facts: cveFacts === undefined ? [] : [cveFacts], asset: asset({ exposure }) }),
    );
    expect({
      priority: decision.priority,
      timeline: decision.timeline,
      dueDate: decision.dueDate,
      rule: decision.explanation.rule.id,
    }).toEqual(expected);
  });

  it('says in the explanation that unknown exposure was counted as exposed', () => {
    const decision = bod2604Policy.decide(
      policyInput({
        facts: [facts({ ssvc: ssvc('yes', 'total') })],
        asset: asset({ exposure: 'unknown' }),
      }),
    );
    expect(decision.explanation.inputs.find((input) => input.name === 'publiclyExposed')).toEqual({
      name: 'publiclyExposed',
      value: true,
      source:
        'asset context: exposure unknown, counted as exposed (BOD 26-04 implementation guidance)',
    });
  });

  it('says why a past KEV due date was not used', () => {
    const decision = bod2604Policy.decide(
      policyInput({
        facts: [
          facts({
            kev: { ...kevWithoutDate, dueDate: '2023-10-31' },
            ssvc: ssvc('no', 'partial', 'active'),
          }),
        ],
        asset: asset({ exposure: 'internet' }),
      }),
    );
    expect(decision.explanation.due).toBe(
      '14 days from detection on 2026-11-22 (the KEV due date 2023-10-31 had passed before detection)',
    );
  });
});

describe('BOD 26-04 on real facts', () => {
  const kev = kevFacts(read('kev-excerpt.json'));
  const record = (cve: string) => ({ text: read(`vulnrichment/${cve}.json`), path: `${cve}.json` });

  it('CVE-2024-3400 (PAN-OS, KEV, CISA ADP: active / automatable / total) on an internet-facing firewall, detected the day it was added to KEV', () => {
    const decision = bod2604Policy.decide({
      finding: finding({
        advisoryId: 'CVE-2024-3400',
        aliases: ['CVE-2024-3400'],
        ecosystem: 'PAN-OS',
        packageName: 'pan-os',
        installedVersion: '11.1.2',
        fixedVersions: ['11.1.2-h3'],
      }),
      facts: [
        cve5Facts(
          record('CVE-2024-3400').text,
          record('CVE-2024-3400').path,
          kev.get('CVE-2024-3400'),
        ),
      ],
      asset: asset({
        name: 'fw-edge-1',
        exposure: 'internet',
        environment: 'production',
        criticality: 'critical',
      }),
      detectedOn: '2024-04-12',
    });
    const expected: Decision = {
      priority: 'P1',
      dueDate: '2024-04-15',
      timeline: '3 days + forensic triage',
      severity: 'critical',
      drivingCve: 'CVE-2024-3400',
      explanation: {
        policy: { id: 'bod-26-04', name: 'CISA BOD 26-04', version: '1.0.0' },
        rule: {
          id: 'row-15',
          description:
            'BOD 26-04 table row 15: KEV Y, exposed Y, automatable Y, technical impact T → 3 days + forensic triage',
        },
        inputs: [
          { name: 'kev', value: true, source: 'CISA KEV', timestamp: '2024-04-12' },
          {
            name: 'exploitation',
            value: 'active',
            source: 'CVE 5 (CISA ADP)',
            timestamp: '2024-04-17T04:00:13.543064Z',
          },
          {
            name: 'inKevOrActive',
            value: true,
            source: 'CISA KEV (listed)',
            timestamp: '2024-04-12',
          },
          { name: 'kevDueDate', value: '2024-04-19', source: 'CISA KEV', timestamp: '2024-04-12' },
          { name: 'exposure', value: 'internet', source: 'asset context (fw-edge-1)' },
          { name: 'publiclyExposed', value: true, source: 'asset context (fw-edge-1): internet' },
          {
            name: 'automatable',
            value: 'yes',
            source: 'CVE 5 (CISA ADP)',
            timestamp: '2024-04-17T04:00:13.543064Z',
          },
          {
            name: 'technicalImpact',
            value: 'total',
            source: 'CVE 5 (CISA ADP)',
            timestamp: '2024-04-17T04:00:13.543064Z',
          },
          { name: 'detectedOn', value: '2024-04-12', source: 'finding' },
        ],
        due: '3 days from detection on 2024-04-12 (the KEV due date 2024-04-19 is later)',
        text: 'CISA BOD 26-04, rule row-15: CVE-2024-3400 in pan-os 11.1.2: in KEV or actively exploited: yes; publicly exposed: yes; automatable: yes; technical impact: total. BOD 26-04 says: remediate within 3 days and carry out a forensic triage of the asset to assess whether it is compromised. Priority P1, due 2024-04-15: 3 days from detection on 2024-04-12 (the KEV due date 2024-04-19 is later).',
      },
    };
    expect(decision).toEqual(expected);
  });

  it('CVE-2023-44487 (HTTP/2 Rapid Reset, KEV, partial impact) on an internal host: row 6, 14 days, KEV date earlier', () => {
    const decision = bod2604Policy.decide({
      finding: finding({
        advisoryId: 'DEBCL-nghttp2-CVE-2023-44487',
        packageName: 'nghttp2',
        ecosystem: 'Debian:12',
      }),
      facts: [
        cve5Facts(
          record('CVE-2023-44487').text,
          record('CVE-2023-44487').path,
          kev.get('CVE-2023-44487'),
        ),
      ],
      asset: asset({ exposure: 'internal' }),
      detectedOn: '2023-10-20',
    });
    expect({
      priority: decision.priority,
      dueDate: decision.dueDate,
      rule: decision.explanation.rule.id,
      due: decision.explanation.due,
    }).toEqual({
      priority: 'P2',
      dueDate: '2023-10-31',
      rule: 'row-6',
      due: 'KEV due date 2023-10-31 (CISA KEV), earlier than 14 days from detection on 2023-10-20',
    });
  });

  it('curl CVE-2023-38545 + CVE-2023-38546 (one Debian update): the most urgent CVE drives', () => {
    const decision = bod2604Policy.decide({
      finding: finding({
        advisoryId: 'DSA-5523-1',
        aliases: ['CVE-2023-38545', 'CVE-2023-38546'],
        ecosystem: 'Debian:12',
        packageName: 'curl',
        installedVersion: '7.88.1-10+deb12u3',
        fixedVersions: ['7.88.1-10+deb12u4'],
      }),
      facts: [
        cve5Facts(record('CVE-2023-38546').text, record('CVE-2023-38546').path),
        cve5Facts(record('CVE-2023-38545').text, record('CVE-2023-38545').path),
      ],
      asset: asset({ exposure: 'internet' }),
      detectedOn: '2023-10-11',
    });
    // 38545: not KEV, exposed, not automatable, total → row 9, 14 days; 38546: partial → row 2, 60 days.
    expect({
      priority: decision.priority,
      dueDate: decision.dueDate,
      drivingCve: decision.drivingCve,
      rule: decision.explanation.rule.id,
      cves: decision.explanation.inputs[0],
    }).toEqual({
      priority: 'P2',
      dueDate: '2023-10-25',
      drivingCve: 'CVE-2023-38545',
      rule: 'row-9',
      cves: { name: 'cves', value: 'CVE-2023-38545,CVE-2023-38546', source: 'advisory DSA-5523-1' },
    });
    expect(decision.explanation.text).toContain(
      'It is the most urgent of the 2 CVEs the advisory fixes',
    );
  });
});
