/** The three severity-based built-ins: every threshold, unknown severity, release vs detection. */
import { describe, expect, it } from 'vitest';
import { finding, policyInput } from '../test-support.ts';
import type { Policy } from '../types.ts';
import { defaultPolicy } from './default.ts';
import { fedrampRev5Policy } from './fedramp-rev5.ts';
import { pciDss4Policy } from './pci-dss-4.ts';

const zeroVector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'; // 0.0, "none"

function decideStated(policy: Policy, stated: string, advisoryPublished?: string) {
  const decision = policy.decide(
    policyInput({
      finding: finding({
        statedSeverity: stated === 'none' ? 'unknown' : stated,
        advisoryCvss: stated === 'none' ? [{ type: 'CVSS_V3', score: zeroVector }] : [],
        ...(advisoryPublished !== undefined && { advisoryPublished }),
      }),
    }),
  );
  return {
    priority: decision.priority,
    dueDate: decision.dueDate,
    timeline: decision.timeline,
    severity: decision.severity,
    rule: decision.explanation.rule.id,
  };
}

// Detected 2026-11-22.
describe('default policy thresholds', () => {
  it.each([
    [
      'critical',
      {
        priority: 'P1',
        dueDate: '2026-11-29',
        timeline: '7 days',
        severity: 'critical',
        rule: 'critical',
      },
    ],
    [
      'high',
      {
        priority: 'P2',
        dueDate: '2026-12-22',
        timeline: '30 days',
        severity: 'high',
        rule: 'high',
      },
    ],
    [
      'medium',
      {
        priority: 'P3',
        dueDate: '2027-02-20',
        timeline: '90 days',
        severity: 'medium',
        rule: 'medium',
      },
    ],
    [
      'low',
      { priority: 'P4', dueDate: '2027-03-22', timeline: '120 days', severity: 'low', rule: 'low' },
    ],
    [
      'none',
      {
        priority: 'P5',
        dueDate: '2027-03-22',
        timeline: '120 days',
        severity: 'none',
        rule: 'none',
      },
    ],
    [
      'unknown',
      {
        priority: 'P2',
        dueDate: '2026-12-22',
        timeline: '30 days',
        severity: 'unknown',
        rule: 'unknown-severity',
      },
    ],
  ])('%s', (stated, expected) => {
    expect(decideStated(defaultPolicy, stated)).toEqual(expected);
  });
});

describe('FedRAMP Rev 5 thresholds', () => {
  it.each([
    [
      'critical',
      {
        priority: 'P1',
        dueDate: '2026-12-22',
        timeline: '30 days',
        severity: 'critical',
        rule: 'critical',
      },
    ],
    [
      'high',
      {
        priority: 'P2',
        dueDate: '2026-12-22',
        timeline: '30 days',
        severity: 'high',
        rule: 'high',
      },
    ],
    [
      'medium',
      {
        priority: 'P3',
        dueDate: '2027-02-20',
        timeline: '90 days',
        severity: 'medium',
        rule: 'medium',
      },
    ],
    [
      'low',
      { priority: 'P4', dueDate: '2027-05-21', timeline: '180 days', severity: 'low', rule: 'low' },
    ],
    [
      'none',
      {
        priority: 'P5',
        dueDate: '2027-05-21',
        timeline: '180 days',
        severity: 'none',
        rule: 'none',
      },
    ],
    [
      'unknown',
      {
        priority: 'P2',
        dueDate: '2026-12-22',
        timeline: '30 days',
        severity: 'unknown',
        rule: 'unknown-severity',
      },
    ],
  ])('%s', (stated, expected) => {
    expect(decideStated(fedrampRev5Policy, stated)).toEqual(expected);
  });
});

describe('PCI DSS 4.0.1 thresholds', () => {
  it.each([
    [
      'critical',
      '2026-10-31',
      {
        priority: 'P1',
        dueDate: '2026-11-30',
        timeline: '1 month',
        severity: 'critical',
        rule: 'critical',
      },
    ],
    [
      'high',
      '2026-10-31',
      {
        priority: 'P2',
        dueDate: '2026-11-30',
        timeline: '1 month',
        severity: 'high',
        rule: 'high',
      },
    ],
    [
      'critical',
      undefined,
      {
        priority: 'P1',
        dueDate: '2026-12-22',
        timeline: '1 month',
        severity: 'critical',
        rule: 'critical',
      },
    ],
    [
      'high',
      '2024-01-31T10:00:00Z',
      {
        priority: 'P2',
        dueDate: '2024-02-29',
        timeline: '1 month',
        severity: 'high',
        rule: 'high',
      },
    ],
    [
      'medium',
      '2026-10-31',
      {
        priority: 'P3',
        dueDate: '2027-02-20',
        timeline: '90 days',
        severity: 'medium',
        rule: 'medium',
      },
    ],
    [
      'low',
      '2026-10-31',
      { priority: 'P4', dueDate: '2027-03-22', timeline: '120 days', severity: 'low', rule: 'low' },
    ],
    [
      'none',
      undefined,
      {
        priority: 'P5',
        dueDate: '2027-03-22',
        timeline: '120 days',
        severity: 'none',
        rule: 'none',
      },
    ],
    [
      'unknown',
      '2026-11-10',
      {
        priority: 'P2',
        dueDate: '2026-12-10',
        timeline: '1 month',
        severity: 'unknown',
        rule: 'unknown-severity',
      },
    ],
  ])('%s released %s', (stated, published, expected) => {
    expect(decideStated(pciDss4Policy, stated, published)).toEqual(expected);
  });

  it.each([
    ['2026-10-31', '1 month from release on 2026-10-31 (advisory GHSA-test published)'],
    [undefined, '1 month from detection on 2026-11-22 (release date unknown)'],
  ])('says which date the month counts from (published %s)', (published, due) => {
    const decision = pciDss4Policy.decide(
      policyInput({
        finding: finding({
          statedSeverity: 'critical',
          ...(published !== undefined && { advisoryPublished: published }),
        }),
      }),
    );
    expect(decision.explanation.due).toBe(due);
  });
});

describe('default policy: KEV', () => {
  const kev = (dueDate?: string) => ({
    source: 'CISA KEV',
    timestamp: '2026-11-20',
    dateAdded: '2026-11-20',
    ...(dueDate !== undefined && { dueDate }),
    knownRansomwareCampaignUse: 'Known' as const,
  });
  it.each([
    {
      name: 'medium in KEV: P1, the earlier KEV date',
      stated: 'medium',
      dueDate: '2026-12-11',
      expected: { priority: 'P1', dueDate: '2026-12-11', timeline: 'KEV due date' },
    },
    {
      name: 'critical in KEV, KEV date later: the 7-day timeline',
      stated: 'critical',
      dueDate: '2026-12-11',
      expected: { priority: 'P1', dueDate: '2026-11-29', timeline: '7 days' },
    },
    {
      name: 'low in KEV without a due date: capped at 7 days',
      stated: 'low',
      dueDate: undefined,
      expected: { priority: 'P1', dueDate: '2026-11-29', timeline: '7 days' },
    },
    {
      name: 'high in KEV with a past due date: capped at 7 days',
      stated: 'high',
      dueDate: '2022-01-10',
      expected: { priority: 'P1', dueDate: '2026-11-29', timeline: '7 days' },
    },
  ])('$name', ({ stated, dueDate, expected }) => {
    const decision = defaultPolicy.decide(
      policyInput({
        finding: finding({ statedSeverity: stated }),
        facts: [{ cve: 'CVE-2026-0001', kev: kev(dueDate), cvss: [], cwes: [] }],
      }),
    );
    expect({
      priority: decision.priority,
      dueDate: decision.dueDate,
      timeline: decision.timeline,
      rule: decision.explanation.rule.id,
    }).toEqual({
      ...expected,
      rule: 'kev',
    });
  });
});
