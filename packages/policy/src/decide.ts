/**
 * What every policy shares: deciding per CVE and keeping the most urgent decision, due dates
 * counted from detection, and CISA's KEV due date.
 */
import { addDays, compareDates } from './dates.ts';
import type { AssetInputs, CveInputs, Severity, Sourced } from './inputs.ts';
import { deriveAssetInputs, deriveCveInputs } from './inputs.ts';
import type {
  Decision,
  ExplanationInput,
  Policy,
  PolicyInput,
  Priority,
  SsvcOutcome,
} from './types.ts';
import { priorities } from './types.ts';

/** What a policy's rule concluded for one CVE. */
export interface Outcome {
  readonly priority: Priority;
  readonly dueDate: string | null;
  readonly timeline: string;
  readonly ssvcOutcome?: SsvcOutcome;
  readonly severity: Severity;
  readonly rule: { readonly id: string; readonly description: string };
  readonly inputs: readonly ExplanationInput[];
  /** How the due date was computed. */
  readonly due: string;
  /** The readable sentence(s) for this CVE, without the policy name. */
  readonly text: string;
}

export type Evaluate = (cve: CveInputs, asset: AssetInputs, input: PolicyInput) => Outcome;

export interface PolicyMeta {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly specUrls: readonly string[];
}

export interface DueDate {
  readonly dueDate: string | null;
  readonly due: string;
}

/** `n days from detection on YYYY-MM-DD`. */
export function daysFromDetection(detectedOn: string, days: number): DueDate {
  return {
    dueDate: addDays(detectedOn, days),
    due: `${days} day${days === 1 ? '' : 's'} from detection on ${detectedOn}`,
  };
}

/**
 * CISA's KEV due date tightens a computed one when it is earlier. A KEV due date already past
 * on the day of detection is not used (docs/adr/0006): it was set for federal agencies under
 * the revoked BOD 22-01, cannot be met any more, and would make every older KEV finding
 * overdue on arrival, hiding which of them is most urgent now. The explanation says so.
 */
export function withKevDueDate(
  computed: DueDate,
  kevDueDate: Sourced<string | null>,
  detectedOn: string,
): DueDate & { readonly usedKev: boolean } {
  const kev = kevDueDate.value;
  if (kev === null) return { ...computed, usedKev: false };
  if (compareDates(kev, detectedOn) < 0) {
    return {
      ...computed,
      due: `${computed.due} (the KEV due date ${kev} had passed before detection)`,
      usedKev: false,
    };
  }
  if (computed.dueDate === null || compareDates(kev, computed.dueDate) < 0) {
    return {
      dueDate: kev,
      due: `KEV due date ${kev} (${kevDueDate.source}), earlier than ${computed.due}`,
      usedKev: true,
    };
  }
  return { ...computed, due: `${computed.due} (the KEV due date ${kev} is later)`, usedKev: false };
}

export function detectedOnInput(detectedOn: string): ExplanationInput {
  return { name: 'detectedOn', value: detectedOn, source: 'finding' };
}

/** Lower is more urgent: priority, then due date (none last), then CVE ID. */
export function compareUrgency(
  a: { readonly outcome: Outcome; readonly cve: string | undefined },
  b: { readonly outcome: Outcome; readonly cve: string | undefined },
): number {
  const byPriority =
    priorities.indexOf(a.outcome.priority) - priorities.indexOf(b.outcome.priority);
  if (byPriority !== 0) return byPriority;
  const da = a.outcome.dueDate;
  const db = b.outcome.dueDate;
  if (da !== db) {
    if (da === null) return 1;
    if (db === null) return -1;
    return compareDates(da, db);
  }
  const ca = a.cve ?? '';
  const cb = b.cve ?? '';
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Decide per CVE with `evaluate`, keep the most urgent, and explain. */
export function decideMostUrgent(
  meta: PolicyMeta,
  input: PolicyInput,
  evaluate: Evaluate,
): Decision {
  const asset = deriveAssetInputs(input.asset);
  const all = deriveCveInputs(input).map((cve) => ({
    cve: cve.cve,
    outcome: evaluate(cve, asset, input),
  }));
  const [first, ...rest] = [...all].sort(compareUrgency);
  // deriveCveInputs always yields at least one entry (the advisory alone when no facts).
  if (first === undefined) throw new Error('no inputs derived');
  const { outcome, cve } = first;
  const cves = all.flatMap((entry) => (entry.cve === undefined ? [] : [entry.cve]));
  const subject =
    cve === undefined || cve === input.finding.advisoryId
      ? input.finding.advisoryId
      : `${cve} (${input.finding.advisoryId})`;
  const others =
    rest.length === 0
      ? ''
      : ` It is the most urgent of the ${all.length} CVEs the advisory fixes (${cves.join(', ')}).`;
  const inputs: ExplanationInput[] = [
    ...(cves.length > 1
      ? [{ name: 'cves', value: cves.join(','), source: `advisory ${input.finding.advisoryId}` }]
      : []),
    ...outcome.inputs,
  ];
  const due =
    outcome.dueDate === null
      ? `no due date: ${outcome.due}`
      : `due ${outcome.dueDate}: ${outcome.due}`;
  return {
    priority: outcome.priority,
    dueDate: outcome.dueDate,
    timeline: outcome.timeline,
    ...(outcome.ssvcOutcome !== undefined && { ssvcOutcome: outcome.ssvcOutcome }),
    severity: outcome.severity,
    ...(cve !== undefined && { drivingCve: cve }),
    explanation: {
      policy: { id: meta.id, name: meta.name, version: meta.version },
      rule: outcome.rule,
      inputs,
      due: outcome.due,
      text: `${meta.name}, rule ${outcome.rule.id}: ${subject} in ${input.finding.packageName} ${input.finding.installedVersion}: ${outcome.text} Priority ${outcome.priority}, ${due}.${others}`,
    },
  };
}

/** A `Policy` from its metadata and a per-CVE evaluation. */
export function definePolicy(meta: PolicyMeta, evaluate: Evaluate): Policy {
  return { ...meta, decide: (input) => decideMostUrgent(meta, input, evaluate) };
}
