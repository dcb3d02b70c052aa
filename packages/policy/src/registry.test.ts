/** Contract test: every built-in policy, on the same inputs, returns a well-formed Decision. */
import { describe, expect, it } from 'vitest';
import { isCalendarDate } from './dates.ts';
import { builtinPolicies, defaultPolicyId, findPolicy } from './registry.ts';
import { asset, facts, finding, policyInput } from './test-support.ts';
import type { PolicyInput } from './types.ts';
import { priorities, severityNames, ssvcOutcomes } from './types.ts';

const inputs: [string, PolicyInput][] = [
  ['no facts, unknown severity', policyInput()],
  [
    'KEV + SSVC + CVSS on an internet asset',
    policyInput({
      finding: finding({
        advisoryCvss: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      }),
      facts: [
        facts({
          kev: {
            source: 'CISA KEV',
            dateAdded: '2026-11-20',
            dueDate: '2026-12-11',
            knownRansomwareCampaignUse: 'Known',
          },
          ssvc: {
            source: 'CVE 5 (CISA ADP)',
            exploitation: 'active',
            automatable: 'yes',
            technicalImpact: 'total',
          },
        }),
      ],
      asset: asset({ exposure: 'internet', criticality: 'critical', environment: 'production' }),
    }),
  ],
  [
    'two CVEs, one low one none',
    policyInput({
      facts: [
        facts({
          cve: 'CVE-2026-0002',
          cvss: [
            {
              source: 'NVD',
              kind: 'Primary',
              version: '3.1',
              vector: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N',
            },
          ],
        }),
        facts({
          cve: 'CVE-2026-0003',
          cvss: [
            {
              source: 'NVD',
              kind: 'Primary',
              version: '3.1',
              vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N',
            },
          ],
        }),
      ],
    }),
  ],
];

describe('registry', () => {
  it('has unique kebab-case ids and finds each one', () => {
    const ids = builtinPolicies.map((policy) => policy.id);
    expect(ids).toEqual(['default', 'bod-26-04', 'ssvc-deployer', 'pci-dss-4', 'fedramp-rev5']);
    for (const id of ids) expect(findPolicy(id)?.id).toBe(id);
    expect(findPolicy(defaultPolicyId)?.id).toBe('default');
    expect(findPolicy('nope')).toBeUndefined();
  });

  describe.each(builtinPolicies.map((policy) => [policy.id, policy] as const))(
    '%s',
    (_id, policy) => {
      it('cites its sources', () => {
        expect(policy.name.length).toBeGreaterThan(0);
        expect(policy.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(policy.specUrls.length).toBeGreaterThan(0);
        for (const url of policy.specUrls) expect(url).toMatch(/^https:\/\//);
      });

      it.each(inputs)('decides on %s with a complete explanation', (_name, input) => {
        const decision = policy.decide(input);
        expect(priorities).toContain(decision.priority);
        expect([...severityNames, 'unknown']).toContain(decision.severity);
        if (decision.ssvcOutcome !== undefined)
          expect(ssvcOutcomes).toContain(decision.ssvcOutcome);
        if (decision.dueDate !== null) {
          expect(isCalendarDate(decision.dueDate)).toBe(true);
        }
        expect(decision.timeline.length).toBeGreaterThan(0);
        expect(decision.explanation.policy).toEqual({
          id: policy.id,
          name: policy.name,
          version: policy.version,
        });
        expect(decision.explanation.rule.id.length).toBeGreaterThan(0);
        expect(decision.explanation.inputs).toContainEqual({
          name: 'detectedOn',
          value: '2026-11-22',
          source: 'finding',
        });
        expect(decision.explanation.text).toContain(`Priority ${decision.priority}`);
        expect(decision.explanation.text).toContain(decision.explanation.due);
        if (input.facts.length > 0)
          expect(input.facts.map((f) => f.cve)).toContain(decision.drivingCve);
        else expect(decision.drivingCve).toBeUndefined();
      });
    },
  );
});
