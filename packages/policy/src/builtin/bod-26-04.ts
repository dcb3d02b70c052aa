/**
 * CISA BOD 26-04 "Prioritizing Security Updates Based on Risk" (10 June 2026; replaces BOD 22-01
 * and BOD 19-02): the remediation timeline from four yes/no decision points.
 *
 * - Directive: https://www.cisa.gov/news-events/directives/bod-26-04-prioritizing-security-updates-based-risk
 * - Decision table, transcribed below row by row: CERT/CC SSVC `cisa:DT_BOD2604` v1.0.0,
 *   https://github.com/CERTCC/SSVC/blob/main/data/json/decision_tables/cisa/cisa_bod_26_04_1_0_0.json
 *   (CSV: data/csv/cisa/cisa_bod_26_04_1_0_0.csv; `row` below is that file's row number).
 * - CERT/CC's how-to for the "CISA response" tree: docs/howto/cisa_response.md in the same
 *   repository ("If InKEV:N and E:A, the agency should act … as if it were InKEV:Y").
 *
 * Missing data (docs/adr/0006-bod-26-04-missing-data.md): CISA's ADP SSVC values win (merged by
 * @patchgate/sources); unknown exposure counts as exposed; a CVE neither in KEV nor actively
 * exploited with Automatable or Technical Impact unknown gets 60 days (no lookup with guessed
 * values); a KEV/actively exploited CVE with either unknown gets 14 days, the shortest
 * timeline any KEV row can give without them; CISA's KEV due date tightens any timeline when it
 * is earlier and not already past at detection.
 */
import type { Outcome } from '../decide.ts';
import { daysFromDetection, definePolicy, detectedOnInput, withKevDueDate } from '../decide.ts';
import type { AssetInputs, CveInputs, Sourced } from '../inputs.ts';
import { explainInput } from '../inputs.ts';
import type { ExplanationInput, Priority } from '../types.ts';

export const bod2604Outcomes = ['FSU', '60D', '14D', '3D', '3DF'] as const;
export type Bod2604Outcome = (typeof bod2604Outcomes)[number];

type YesNo = 'Y' | 'N';

export interface Bod2604Row {
  readonly row: number;
  readonly kev: YesNo;
  readonly exposed: YesNo;
  readonly automatable: YesNo;
  readonly technicalImpact: 'P' | 'T';
  readonly outcome: Bod2604Outcome;
}

const r = (
  row: number,
  kev: YesNo,
  exposed: YesNo,
  automatable: YesNo,
  technicalImpact: 'P' | 'T',
  outcome: Bod2604Outcome,
): Bod2604Row => ({ row, kev, exposed, automatable, technicalImpact, outcome });

/** CERT/CC SSVC cisa_bod_26_04_1_0_0: In KEV, Asset Exposure, Automatable, Technical Impact. */
export const bod2604Table: readonly Bod2604Row[] = [
  r(0, 'N', 'N', 'N', 'P', 'FSU'),
  r(1, 'Y', 'N', 'N', 'P', '14D'),
  r(2, 'N', 'Y', 'N', 'P', '60D'),
  r(3, 'N', 'N', 'Y', 'P', '60D'),
  r(4, 'N', 'N', 'N', 'T', 'FSU'),
  r(5, 'Y', 'Y', 'N', 'P', '14D'),
  r(6, 'Y', 'N', 'Y', 'P', '14D'),
  r(7, 'N', 'Y', 'Y', 'P', '14D'),
  r(8, 'Y', 'N', 'N', 'T', '14D'),
  r(9, 'N', 'Y', 'N', 'T', '14D'),
  r(10, 'N', 'N', 'Y', 'T', '60D'),
  r(11, 'Y', 'Y', 'Y', 'P', '3D'),
  r(12, 'Y', 'Y', 'N', 'T', '3DF'),
  r(13, 'Y', 'N', 'Y', 'T', '3DF'),
  r(14, 'N', 'Y', 'Y', 'T', '3D'),
  r(15, 'Y', 'Y', 'Y', 'T', '3DF'),
];

/** Outcome → timeline, days and priority (P4: no date, fixed at the next scheduled upgrade). */
export const bod2604Timelines: Readonly<
  Record<
    Bod2604Outcome,
    {
      readonly timeline: string;
      readonly days: number | null;
      readonly priority: Priority;
      readonly definition: string;
    }
  >
> = {
  '3DF': {
    timeline: '3 days + forensic triage',
    days: 3,
    priority: 'P1',
    definition:
      'remediate within 3 days and carry out a forensic triage of the asset to assess whether it is compromised',
  },
  '3D': { timeline: '3 days', days: 3, priority: 'P1', definition: 'remediate within 3 days' },
  '14D': { timeline: '14 days', days: 14, priority: 'P2', definition: 'remediate within 14 days' },
  '60D': { timeline: '60 days', days: 60, priority: 'P3', definition: 'remediate within 60 days' },
  FSU: {
    timeline: 'next scheduled upgrade',
    days: null,
    priority: 'P4',
    definition: 'remediate the next time the asset receives a scheduled major upgrade or rebuild',
  },
};

export function lookupBod2604(
  kev: YesNo,
  exposed: YesNo,
  automatable: YesNo,
  technicalImpact: 'P' | 'T',
): Bod2604Row {
  const row = bod2604Table.find(
    (entry) =>
      entry.kev === kev &&
      entry.exposed === exposed &&
      entry.automatable === automatable &&
      entry.technicalImpact === technicalImpact,
  );
  // The table covers all 16 combinations (checked by the tests).
  if (row === undefined) throw new Error('BOD 26-04 table is incomplete');
  return row;
}

const yn = (value: boolean): YesNo => (value ? 'Y' : 'N');

/** In KEV, or actively exploited per SSVC (CERT/CC cisa_response how-to). */
function inKev(cve: CveInputs): Sourced<boolean> {
  if (cve.kev.value) return { ...cve.kev, source: `${cve.kev.source} (listed)` };
  if (cve.exploitation.value === 'active') {
    return {
      ...cve.exploitation,
      value: true,
      source: `not in KEV, but SSVC exploitation is active (${cve.exploitation.source}): treated as in KEV`,
    };
  }
  return {
    value: false,
    source: `${cve.kev.source}; SSVC exploitation ${cve.exploitation.value ?? 'unknown'}`,
  };
}

function publiclyExposed(asset: AssetInputs): Sourced<boolean> {
  const exposure = asset.exposure.value;
  if (exposure === 'unknown') {
    return {
      value: true,
      source: `${asset.exposure.source}: exposure unknown, counted as exposed (BOD 26-04 implementation guidance)`,
    };
  }
  return { value: exposure === 'internet', source: `${asset.exposure.source}: ${exposure}` };
}

function evaluate(
  cve: CveInputs,
  asset: AssetInputs,
  input: { readonly detectedOn: string },
): Outcome {
  const kev = inKev(cve);
  const exposed = publiclyExposed(asset);
  const inputs: ExplanationInput[] = [
    explainInput('kev', cve.kev),
    explainInput('exploitation', cve.exploitation),
    explainInput('inKevOrActive', kev),
    ...(cve.kev.value ? [explainInput('kevDueDate', cve.kevDueDate)] : []),
    explainInput('exposure', asset.exposure),
    explainInput('publiclyExposed', exposed),
    explainInput('automatable', cve.automatable),
    explainInput('technicalImpact', cve.technicalImpact),
    detectedOnInput(input.detectedOn),
  ];
  const automatable = cve.automatable.value;
  const impact = cve.technicalImpact.value;
  const facts = `in KEV or actively exploited: ${kev.value ? 'yes' : 'no'}; publicly exposed: ${exposed.value ? 'yes' : 'no'}; automatable: ${automatable ?? 'unknown'}; technical impact: ${impact ?? 'unknown'}.`;

  if (automatable === null || impact === null) {
    const missing = [automatable === null && 'Automatable', impact === null && 'Technical Impact']
      .filter(Boolean)
      .join(' and ');
    if (!kev.value) {
      const due = daysFromDetection(input.detectedOn, 60);
      return {
        priority: 'P3',
        ...due,
        timeline: '60 days',
        severity: cve.severity.value,
        rule: {
          id: 'missing-ssvc-not-kev',
          description:
            'Not in KEV nor actively exploited, and Automatable or Technical Impact unknown: 60 days (no table lookup with guessed values)',
        },
        inputs,
        text: `${facts} ${missing} unknown and not in KEV, so the table is not consulted: remediate within 60 days.`,
      };
    }
    const due = withKevDueDate(
      daysFromDetection(input.detectedOn, 14),
      cve.kevDueDate,
      input.detectedOn,
    );
    return {
      priority: 'P2',
      dueDate: due.dueDate,
      due: due.due,
      timeline: '14 days',
      severity: cve.severity.value,
      rule: {
        id: 'missing-ssvc-kev',
        description:
          'In KEV or actively exploited, Automatable or Technical Impact unknown: 14 days (the shortest KEV row without them), or the KEV due date if earlier',
      },
      inputs,
      text: `${facts} ${missing} unknown for a known exploited vulnerability: remediate within 14 days${due.usedKev ? ', tightened to the KEV due date' : ''}.`,
    };
  }

  const row = lookupBod2604(
    yn(kev.value),
    yn(exposed.value),
    yn(automatable === 'yes'),
    impact === 'total' ? 'T' : 'P',
  );
  const timeline = bod2604Timelines[row.outcome];
  const computed =
    timeline.days === null
      ? { dueDate: null, due: 'fix on system upgrade: no fixed date (BOD 26-04)' }
      : daysFromDetection(input.detectedOn, timeline.days);
  const due = cve.kev.value
    ? withKevDueDate(computed, cve.kevDueDate, input.detectedOn)
    : { ...computed, usedKev: false };
  return {
    priority: timeline.priority,
    dueDate: due.dueDate,
    due: due.due,
    timeline: timeline.timeline,
    severity: cve.severity.value,
    rule: {
      id: `row-${row.row}`,
      description: `BOD 26-04 table row ${row.row}: KEV ${row.kev}, exposed ${row.exposed}, automatable ${row.automatable}, technical impact ${row.technicalImpact} → ${timeline.timeline}`,
    },
    inputs,
    text: `${facts} BOD 26-04 says: ${timeline.definition}${due.usedKev ? ', by the earlier KEV due date' : ''}.`,
  };
}

export const bod2604Policy = definePolicy(
  {
    id: 'bod-26-04',
    name: 'CISA BOD 26-04',
    version: '1.0.0',
    specUrls: [
      'https://www.cisa.gov/news-events/directives/bod-26-04-prioritizing-security-updates-based-risk',
      'https://github.com/CERTCC/SSVC/blob/main/data/json/decision_tables/cisa/cisa_bod_26_04_1_0_0.json',
      'https://github.com/CERTCC/SSVC/blob/main/docs/howto/cisa_response.md',
    ],
  },
  evaluate,
);
