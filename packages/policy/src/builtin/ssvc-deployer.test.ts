import { readFileSync } from 'node:fs';
import type { SsvcFact } from '@patchgate/sources';
import { describe, expect, it } from 'vitest';
import { asset, cve5Facts, facts, finding, kevFacts, policyInput } from '../test-support.ts';
import type { AssetContext, Criticality } from '../types.ts';
import { deployerTable, smallExposureTag, ssvcDeployerPolicy } from './ssvc-deployer.ts';

const testdata = new URL('../../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');

const certccRows = read('certcc-ssvc/deployer_patch_application_priority_1_0_0.csv')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [row, exploitation, exposure, automatable, humanImpact, outcome] = line.split(',');
    return {
      row: Number(row),
      exploitation: exploitation === 'public poc' ? 'poc' : (exploitation ?? ''),
      exposure: exposure ?? '',
      automatable: automatable ?? '',
      humanImpact: humanImpact ?? '',
      outcome: outcome ?? '',
    };
  });

const expectedFor: Record<string, { ssvc: string; priority: string; dueDate: string | null }> = {
  immediate: { ssvc: 'Act', priority: 'P1', dueDate: '2026-11-25' },
  'out-of-cycle': { ssvc: 'Attend', priority: 'P2', dueDate: '2026-12-06' },
  scheduled: { ssvc: 'Track*', priority: 'P3', dueDate: '2026-12-22' },
  defer: { ssvc: 'Track', priority: 'P5', dueDate: null },
};

/** The asset context that yields a given System Exposure and Human Impact. */
function assetFor(exposure: string, humanImpact: string): AssetContext {
  const criticality: Record<string, Criticality> = {
    low: 'low',
    medium: 'medium',
    high: 'high',
    'very high': 'critical',
  };
  return asset({
    exposure: exposure === 'open' ? 'internet' : 'internal',
    tags: exposure === 'small' ? [smallExposureTag] : [],
    ...(criticality[humanImpact] !== undefined && { criticality: criticality[humanImpact] }),
  });
}

describe('SSVC deployer table', () => {
  it('equals CERT/CC deployer_patch_application_priority_1_0_0 row by row', () => {
    expect(deployerTable.map((row) => ({ ...row }))).toEqual(certccRows);
  });

  it.each(certccRows)(
    'row $row: $exploitation, $exposure, automatable $automatable, human impact $humanImpact → $outcome',
    (row) => {
      const decision = ssvcDeployerPolicy.decide(
        policyInput({
          facts: [
            facts({
              ssvc: {
                source: 'CVE 5 (CISA ADP)',
                exploitation: row.exploitation as SsvcFact['exploitation'],
                automatable: row.automatable as SsvcFact['automatable'],
                technicalImpact: 'partial',
              },
            }),
          ],
          asset: assetFor(row.exposure, row.humanImpact),
        }),
      );
      const expected = expectedFor[row.outcome];
      expect({
        ssvc: decision.ssvcOutcome,
        priority: decision.priority,
        dueDate: decision.dueDate,
        rule: decision.explanation.rule.id,
      }).toEqual({ ...expected, rule: `row-${row.row}` });
    },
  );
});

describe('SSVC deployer inputs from Patchgate facts', () => {
  it.each([
    {
      name: 'no facts: exploitation none, automatable assumed yes, criticality unknown → medium, internal → controlled (row 13)',
      input: policyInput(),
      expected: { rule: 'row-13', ssvc: 'Track*' },
    },
    {
      name: 'unknown exposure is open (row 21)',
      input: policyInput({ asset: asset({ exposure: 'unknown' }) }),
      expected: { rule: 'row-21', ssvc: 'Track*' },
    },
    {
      name: 'a KEV listing makes exploitation active even when SSVC says poc (row 70)',
      input: policyInput({
        facts: [
          facts({
            kev: {
              source: 'CISA KEV',
              dateAdded: '2026-11-01',
              knownRansomwareCampaignUse: 'Unknown',
            },
            ssvc: { source: 'CVE 5 (CISA ADP)', exploitation: 'poc', automatable: 'yes' },
          }),
        ],
        asset: asset({ exposure: 'internet', criticality: 'high' }),
      }),
      expected: { rule: 'row-70', ssvc: 'Act' },
    },
    {
      name: 'the small-exposure tag only narrows internal assets (internet stays open, row 23)',
      input: policyInput({
        asset: asset({ exposure: 'internet', criticality: 'critical', tags: [smallExposureTag] }),
      }),
      expected: { rule: 'row-23', ssvc: 'Attend' },
    },
  ])('$name', ({ input, expected }) => {
    const decision = ssvcDeployerPolicy.decide(input);
    expect({ rule: decision.explanation.rule.id, ssvc: decision.ssvcOutcome }).toEqual(expected);
  });

  it('lists assumed values as such', () => {
    const decision = ssvcDeployerPolicy.decide(policyInput());
    expect(decision.explanation.inputs).toEqual([
      { name: 'kev', value: false, source: 'not listed in the CISA KEV catalogue given' },
      {
        name: 'exploitation',
        value: 'none',
        source: 'assumed none: no SSVC exploitation value and not in KEV',
      },
      { name: 'systemExposure', value: 'controlled', source: 'asset context: internal' },
      {
        name: 'automatable',
        value: 'yes',
        source: 'assumed yes: no SSVC Automatable value (conservative)',
      },
      { name: 'criticality', value: null, source: 'asset context' },
      {
        name: 'humanImpact',
        value: 'medium',
        source: 'asset context: criticality unknown, assumed medium',
      },
      { name: 'detectedOn', value: '2026-11-22', source: 'finding' },
    ]);
  });

  it('CVE-2023-44487 (real KEV entry and CISA ADP SSVC) on an internet-facing production web server: Act', () => {
    const kev = kevFacts(read('kev-excerpt.json'));
    const record = read('vulnrichment/CVE-2023-44487.json');
    const decision = ssvcDeployerPolicy.decide({
      finding: finding({ advisoryId: 'DEBCL-nghttp2-CVE-2023-44487', packageName: 'nghttp2' }),
      facts: [cve5Facts(record, 'CVE-2023-44487.json', kev.get('CVE-2023-44487'))],
      asset: asset({ exposure: 'internet', criticality: 'high', environment: 'production' }),
      detectedOn: '2023-10-11',
    });
    expect({
      ssvc: decision.ssvcOutcome,
      priority: decision.priority,
      dueDate: decision.dueDate,
      rule: decision.explanation.rule.id,
    }).toEqual({ ssvc: 'Act', priority: 'P1', dueDate: '2023-10-14', rule: 'row-70' });
  });
});
