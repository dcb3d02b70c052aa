/**
 * FedRAMP Rev 5 vulnerability remediation timelines, counted from detection: critical and high
 * 30 days, moderate 90 days, low 180 days.
 *
 * Source: FedRAMP Continuous Monitoring Performance Management Guide (Rev 5), "Vulnerability
 * remediation timeframes", https://www.fedramp.gov/resources/documents/Continuous_Monitoring_Performance_Management_Guide.pdf
 * and the FedRAMP Continuous Monitoring Strategy Guide,
 * https://www.fedramp.gov/resources/documents/Continuous_Monitoring_Strategy_Guide.pdf
 *
 * FedRAMP has no separate critical timeline; critical ranks P1 and high P2 so that work is
 * ordered. CVSS "none" (0.0) gets the low timeline at P5. Unknown severity gets the high
 * timeline (readme.md).
 */
import { definePolicy } from '../decide.ts';
import type { SeverityTimelines } from './severity-timelines.ts';
import { evaluateSeverity } from './severity-timelines.ts';

export const fedrampTimelines: SeverityTimelines = {
  critical: {
    priority: 'P1',
    days: 30,
    from: 'detection',
    description: 'critical: remediate within 30 days of detection',
  },
  high: {
    priority: 'P2',
    days: 30,
    from: 'detection',
    description: 'high: remediate within 30 days of detection',
  },
  medium: {
    priority: 'P3',
    days: 90,
    from: 'detection',
    description: 'moderate: remediate within 90 days of detection',
  },
  low: {
    priority: 'P4',
    days: 180,
    from: 'detection',
    description: 'low: remediate within 180 days of detection',
  },
  none: {
    priority: 'P5',
    days: 180,
    from: 'detection',
    description: 'CVSS none: the low timeline, 180 days of detection',
  },
  unknown: {
    priority: 'P2',
    days: 30,
    from: 'detection',
    description: 'unrated: the high timeline, 30 days of detection, until a severity is known',
  },
};

export const fedrampRev5Policy = definePolicy(
  {
    id: 'fedramp-rev5',
    name: 'FedRAMP Rev 5',
    version: '1.0.0',
    specUrls: [
      'https://www.fedramp.gov/resources/documents/Continuous_Monitoring_Performance_Management_Guide.pdf',
      'https://www.fedramp.gov/resources/documents/Continuous_Monitoring_Strategy_Guide.pdf',
    ],
  },
  (cve, asset, input) => evaluateSeverity(fedrampTimelines, cve, asset, input),
);
