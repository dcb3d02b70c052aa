/**
 * The shape shared by the severity-based policies (PCI DSS, FedRAMP, default): a timeline per
 * severity, counted from detection or from the advisory's release.
 *
 * A finding of unknown severity (no CVSS vector that scores, no stated words) is never treated
 * as low: it gets the policy's `unknown` entry, which every built-in sets to the `high`
 * timeline with its own rule id, so that it shows up as "unrated" in reports (readme.md).
 */
import { addMonths } from '../dates.ts';
import type { DueDate, Outcome } from '../decide.ts';
import { daysFromDetection, detectedOnInput } from '../decide.ts';
import type { AssetInputs, CveInputs, Severity } from '../inputs.ts';
import { explainCvss, explainInput } from '../inputs.ts';
import type { ExplanationInput, PolicyInput, Priority } from '../types.ts';

export interface SeverityTimeline {
  readonly priority: Priority;
  /** `{ days: 30 }` from detection, or `{ months: 1, from: 'release' }` (one calendar month). */
  readonly days?: number;
  readonly months?: number;
  /** `release`: from the advisory's published date when known, else from detection. */
  readonly from: 'detection' | 'release';
  readonly description: string;
}

export type SeverityTimelines = Readonly<Record<Severity, SeverityTimeline>>;

function dueFor(timeline: SeverityTimeline, cve: CveInputs, detectedOn: string): DueDate {
  const release = timeline.from === 'release' ? cve.published.value : null;
  const start = release ?? detectedOn;
  const what =
    release === null
      ? `detection on ${detectedOn}`
      : `release on ${release} (${cve.published.source})`;
  const fallback = timeline.from === 'release' && release === null ? ' (release date unknown)' : '';
  if (timeline.months !== undefined) {
    const n = timeline.months;
    return {
      dueDate: addMonths(start, n),
      due: `${n} month${n === 1 ? '' : 's'} from ${what}${fallback}`,
    };
  }
  const days = timeline.days ?? 0;
  if (release === null) {
    const due = daysFromDetection(detectedOn, days);
    return { ...due, due: `${due.due}${fallback}` };
  }
  return { ...daysFromDetection(release, days), due: `${days} days from ${what}` };
}

export function timelineLabel(timeline: SeverityTimeline): string {
  if (timeline.months !== undefined)
    return `${timeline.months} month${timeline.months === 1 ? '' : 's'}`;
  return `${timeline.days ?? 0} days`;
}

/** The severity inputs every severity-based policy lists. */
export function severityInputs(cve: CveInputs): ExplanationInput[] {
  return [
    explainInput('severity', cve.severity),
    explainInput('cvssScore', cve.cvssScore),
    explainCvss(cve.cvss),
  ];
}

export function evaluateSeverity(
  timelines: SeverityTimelines,
  cve: CveInputs,
  _asset: AssetInputs,
  input: PolicyInput,
): Outcome {
  const severity = cve.severity.value;
  const timeline = timelines[severity];
  const due = dueFor(timeline, cve, input.detectedOn);
  const severityText =
    severity === 'unknown'
      ? 'severity unknown (no CVSS vector scored and no stated severity), handled as high until rated'
      : `severity ${severity} (${cve.severity.source})`;
  return {
    priority: timeline.priority,
    ...due,
    timeline: timelineLabel(timeline),
    severity,
    rule: {
      id: severity === 'unknown' ? 'unknown-severity' : severity,
      description: timeline.description,
    },
    inputs: [
      ...severityInputs(cve),
      ...(timeline.from === 'release' ? [explainInput('published', cve.published)] : []),
      detectedOnInput(input.detectedOn),
    ],
    text: `${severityText}: ${timeline.description}.`,
  };
}
