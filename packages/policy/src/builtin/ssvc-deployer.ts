/**
 * CERT/CC SSVC deployer decision ("Patch Application Priority"): from Exploitation, System
 * Exposure, Automatable and Human Impact to Defer / Scheduled / Out-of-Cycle / Immediate.
 *
 * - Decision table, transcribed below as data: CERT/CC SSVC `ssvc:DT_DP` v1.0.0,
 *   https://github.com/CERTCC/SSVC/blob/main/data/csv/ssvc/deployer_patch_application_priority_1_0_0.csv
 *   (JSON: data/json/decision_tables/ssvc/deployer_patch_application_priority_1_0_0.json); `row`
 *   is that file's row number. Decision points: Exploitation v1.1.0, System Exposure v1.0.1,
 *   Automatable v2.0.0, Human Impact v2.0.2.
 * - SSVC documentation: https://certcc.github.io/SSVC/howto/deployer_tree/
 *
 * Patchgate reports SSVC outcomes in CISA's vocabulary (Track < Track* < Attend < Act, the
 * `SsvcOutcome` union): Defer → Track, Scheduled → Track*, Out-of-Cycle → Attend,
 * Immediate → Act. Mappings from our asset context and the defaults for missing values are
 * listed in packages/policy/readme.md.
 */
import type { SsvcExploitation } from '@patchgate/sources';
import type { Outcome } from '../decide.ts';
import { daysFromDetection, definePolicy, detectedOnInput } from '../decide.ts';
import type { AssetInputs, CveInputs, Sourced } from '../inputs.ts';
import { explainInput } from '../inputs.ts';
import type { Priority, SsvcOutcome } from '../types.ts';

export const deployerOutcomes = ['defer', 'scheduled', 'out-of-cycle', 'immediate'] as const;
export type DeployerOutcome = (typeof deployerOutcomes)[number];
export const systemExposures = ['small', 'controlled', 'open'] as const;
export type SystemExposure = (typeof systemExposures)[number];
export const humanImpacts = ['low', 'medium', 'high', 'very high'] as const;
export type HumanImpact = (typeof humanImpacts)[number];

export interface DeployerRow {
  readonly row: number;
  readonly exploitation: SsvcExploitation;
  readonly exposure: SystemExposure;
  readonly automatable: 'no' | 'yes';
  readonly humanImpact: HumanImpact;
  readonly outcome: DeployerOutcome;
}

/**
 * The 72 rows in CERT/CC's order: Exploitation (none, public poc, active) × System Exposure
 * (small, controlled, open) × Automatable (no, yes) × Human Impact (low, medium, high, very
 * high). Each line is one Exploitation value; each group of four letters one Exposure ×
 * Automatable pair (small/no, small/yes, controlled/no, controlled/yes, open/no, open/yes), by
 * Human Impact: d = defer, s = scheduled, o = out-of-cycle, i = immediate.
 */
const outcomesByExploitation: Readonly<Record<SsvcExploitation, string>> = {
  none: 'ddss dsss dsss ssss dsss ssso', // rows 0–23
  poc: 'dsss ssss dsss ssso ssso ssoo', // rows 24–47
  active: 'ssoo sooo ssoo oooo sooi ooii', // rows 48–71
};

const letters: Readonly<Record<string, DeployerOutcome>> = {
  d: 'defer',
  s: 'scheduled',
  o: 'out-of-cycle',
  i: 'immediate',
};

export const deployerTable: readonly DeployerRow[] = (['none', 'poc', 'active'] as const).flatMap(
  (exploitation, e) =>
    [...outcomesByExploitation[exploitation].replaceAll(' ', '')].map(
      (letter, index): DeployerRow => ({
        row: e * 24 + index,
        exploitation,
        exposure: systemExposures[Math.floor(index / 8)] ?? 'small',
        automatable: Math.floor(index / 4) % 2 === 0 ? 'no' : 'yes',
        humanImpact: humanImpacts[index % 4] ?? 'low',
        outcome: letters[letter] ?? 'defer',
      }),
    ),
);

export const deployerTimelines: Readonly<
  Record<
    DeployerOutcome,
    {
      readonly ssvc: SsvcOutcome;
      readonly priority: Priority;
      readonly days: number | null;
      readonly timeline: string;
      readonly definition: string;
    }
  >
> = {
  immediate: {
    ssvc: 'Act',
    priority: 'P1',
    days: 3,
    timeline: '3 days',
    definition: 'Immediate: act immediately, focusing all resources on applying the fix',
  },
  'out-of-cycle': {
    ssvc: 'Attend',
    priority: 'P2',
    days: 14,
    timeline: '14 days',
    definition: 'Out-of-Cycle: mitigate or remediate outside the normal update schedule',
  },
  scheduled: {
    ssvc: 'Track*',
    priority: 'P3',
    days: 30,
    timeline: '30 days',
    definition: 'Scheduled: act during regularly scheduled maintenance (monthly, CIS Control 7)',
  },
  defer: {
    ssvc: 'Track',
    priority: 'P5',
    days: null,
    timeline: 'defer: track and reassess',
    definition: 'Defer: do not act at present; reassess when new information arrives',
  },
};

export function lookupDeployer(
  exploitation: SsvcExploitation,
  exposure: SystemExposure,
  automatable: 'no' | 'yes',
  humanImpact: HumanImpact,
): DeployerRow {
  const row = deployerTable.find(
    (entry) =>
      entry.exploitation === exploitation &&
      entry.exposure === exposure &&
      entry.automatable === automatable &&
      entry.humanImpact === humanImpact,
  );
  if (row === undefined) throw new Error('SSVC deployer table is incomplete');
  return row;
}

/** The asset tag that marks an internal asset as SSVC `small` exposure (isolated, local only). */
export const smallExposureTag = 'ssvc-exposure:small';

function exploitationOf(cve: CveInputs): Sourced<SsvcExploitation> {
  if (cve.kev.value) {
    return {
      ...cve.kev,
      value: 'active',
      source: `${cve.kev.source}: listed, so exploitation is active`,
    };
  }
  if (cve.exploitation.value !== null)
    return { ...cve.exploitation, value: cve.exploitation.value };
  return { value: 'none', source: 'assumed none: no SSVC exploitation value and not in KEV' };
}

function exposureOf(asset: AssetInputs): Sourced<SystemExposure> {
  const { value, source } = asset.exposure;
  if (value === 'internet') return { value: 'open', source: `${source}: internet` };
  if (value === 'unknown')
    return { value: 'open', source: `${source}: exposure unknown, assumed open` };
  if (asset.tags.value.includes(smallExposureTag)) {
    return { value: 'small', source: `${source}: internal, tagged ${smallExposureTag}` };
  }
  return { value: 'controlled', source: `${source}: internal` };
}

function automatableOf(cve: CveInputs): Sourced<'no' | 'yes'> {
  if (cve.automatable.value !== null) return { ...cve.automatable, value: cve.automatable.value };
  return { value: 'yes', source: 'assumed yes: no SSVC Automatable value (conservative)' };
}

const impactOfCriticality = {
  critical: 'very high',
  high: 'high',
  medium: 'medium',
  low: 'low',
} as const;

function humanImpactOf(asset: AssetInputs): Sourced<HumanImpact> {
  const criticality = asset.criticality.value;
  if (criticality === null) {
    return {
      value: 'medium',
      source: `${asset.criticality.source}: criticality unknown, assumed medium`,
    };
  }
  return {
    value: impactOfCriticality[criticality],
    source: `${asset.criticality.source}: criticality ${criticality}`,
  };
}

function evaluate(
  cve: CveInputs,
  asset: AssetInputs,
  input: { readonly detectedOn: string },
): Outcome {
  const exploitation = exploitationOf(cve);
  const exposure = exposureOf(asset);
  const automatable = automatableOf(cve);
  const humanImpact = humanImpactOf(asset);
  const row = lookupDeployer(
    exploitation.value,
    exposure.value,
    automatable.value,
    humanImpact.value,
  );
  const timeline = deployerTimelines[row.outcome];
  const due =
    timeline.days === null
      ? { dueDate: null, due: 'deferred: no due date (SSVC Defer)' }
      : daysFromDetection(input.detectedOn, timeline.days);
  return {
    priority: timeline.priority,
    ...due,
    timeline: timeline.timeline,
    ssvcOutcome: timeline.ssvc,
    severity: cve.severity.value,
    rule: {
      id: `row-${row.row}`,
      description: `SSVC deployer table row ${row.row}: exploitation ${row.exploitation}, exposure ${row.exposure}, automatable ${row.automatable}, human impact ${row.humanImpact} → ${row.outcome} (${timeline.ssvc})`,
    },
    inputs: [
      explainInput('kev', cve.kev),
      explainInput('exploitation', exploitation),
      explainInput('systemExposure', exposure),
      explainInput('automatable', automatable),
      explainInput('criticality', asset.criticality),
      explainInput('humanImpact', humanImpact),
      detectedOnInput(input.detectedOn),
    ],
    text: `exploitation ${exploitation.value}, system exposure ${exposure.value}, automatable ${automatable.value}, human impact ${humanImpact.value}: SSVC ${timeline.ssvc} (${timeline.definition}).`,
  };
}

export const ssvcDeployerPolicy = definePolicy(
  {
    id: 'ssvc-deployer',
    name: 'CERT/CC SSVC deployer',
    version: '1.0.0',
    specUrls: [
      'https://certcc.github.io/SSVC/howto/deployer_tree/',
      'https://github.com/CERTCC/SSVC/blob/main/data/csv/ssvc/deployer_patch_application_priority_1_0_0.csv',
    ],
  },
  evaluate,
);
