/**
 * Patchgate's default policy: the common severity timelines (critical 7 / high 30 / medium 90 /
 * low 120 days from detection), and a vulnerability in CISA's KEV catalogue is P1 with CISA's
 * due date when that is earlier.
 *
 * Sources: the common industry defaults listed in the product brief ("Standard figures");
 * CISA KEV catalogue, https://www.cisa.gov/known-exploited-vulnerabilities-catalog (its
 * `dueDate` field); CIS Control 7 (continuous vulnerability management),
 * https://www.cisecurity.org/controls/continuous-vulnerability-management
 *
 * KEV: due = the earlier of the severity timeline and the KEV due date; when CISA's date is
 * missing or already past at detection, the critical timeline (7 days) caps it instead, so a P1
 * never waits 120 days. Unknown severity gets the high timeline (readme.md).
 */
import { compareDates } from '../dates.ts';
import type { Outcome } from '../decide.ts';
import { daysFromDetection, definePolicy, detectedOnInput, withKevDueDate } from '../decide.ts';
import { explainInput } from '../inputs.ts';
import type { SeverityTimelines } from './severity-timelines.ts';
import { evaluateSeverity } from './severity-timelines.ts';

export const defaultTimelines: SeverityTimelines = {
  critical: {
    priority: 'P1',
    days: 7,
    from: 'detection',
    description: 'critical: 7 days from detection',
  },
  high: {
    priority: 'P2',
    days: 30,
    from: 'detection',
    description: 'high: 30 days from detection',
  },
  medium: {
    priority: 'P3',
    days: 90,
    from: 'detection',
    description: 'medium: 90 days from detection',
  },
  low: {
    priority: 'P4',
    days: 120,
    from: 'detection',
    description: 'low: 120 days from detection',
  },
  none: {
    priority: 'P5',
    days: 120,
    from: 'detection',
    description: 'CVSS none: 120 days from detection',
  },
  unknown: {
    priority: 'P2',
    days: 30,
    from: 'detection',
    description: 'unrated: the high timeline, 30 days from detection, until a severity is known',
  },
};

export const defaultPolicy = definePolicy(
  {
    id: 'default',
    name: 'Patchgate default',
    version: '1.0.0',
    specUrls: [
      'https://www.cisa.gov/known-exploited-vulnerabilities-catalog',
      'https://www.cisecurity.org/controls/continuous-vulnerability-management',
    ],
  },
  (cve, asset, input): Outcome => {
    const bySeverity = evaluateSeverity(defaultTimelines, cve, asset, input);
    if (!cve.kev.value) return bySeverity;
    const kev = withKevDueDate(
      { dueDate: bySeverity.dueDate, due: bySeverity.due },
      cve.kevDueDate,
      input.detectedOn,
    );
    const kevDate = cve.kevDueDate.value;
    const usable = kevDate !== null && compareDates(kevDate, input.detectedOn) >= 0;
    const week = daysFromDetection(input.detectedOn, 7);
    const due = usable
      ? kev
      : {
          ...week,
          due: `${week.due}: the critical timeline, as CISA's KEV due date is ${kevDate === null ? 'unknown' : `${kevDate}, already past at detection`}`,
        };
    return {
      ...bySeverity,
      priority: 'P1',
      dueDate: due.dueDate,
      due: due.due,
      timeline: kev.usedKev ? 'KEV due date' : usable ? bySeverity.timeline : '7 days',
      rule: {
        id: 'kev',
        description:
          'In CISA KEV: P1, the KEV due date or the severity timeline, whichever is earlier (at most 7 days without a usable KEV date)',
      },
      inputs: [
        explainInput('kev', cve.kev),
        explainInput('kevDueDate', cve.kevDueDate),
        explainInput('ransomware', cve.ransomware),
        ...bySeverity.inputs.filter((entry) => entry.name !== 'detectedOn'),
        detectedOnInput(input.detectedOn),
      ],
      text: `listed in CISA KEV (known exploited), ${bySeverity.text.replace(/\.$/, '')}; KEV raises it to P1.`,
    };
  },
);
