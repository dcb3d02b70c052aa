// CVSS v3.0 and v3.1 equations:
//   v3.0 https://www.first.org/cvss/v3.0/specification-document section 8 ("CVSS v3.0 Equations")
//   v3.1 https://www.first.org/cvss/v3.1/specification-document section 7 ("CVSS v3.1 Equations")
// The two versions share metrics and weights; they differ in Roundup (v3.1 Appendix A) and in the
// changed-scope ModifiedImpact of the environmental equation (v3.1 section 7.3).
import {
  defineMetricTable,
  metricRecord,
  normalisedBody,
  parseMetrics,
  type MetricValues,
} from '../metric-table.ts';
import { severityV3 } from '../severity.ts';
import type { CvssResult } from '../types.ts';

const CIA = ['H', 'L', 'N'] as const;
const REQUIREMENT = ['X', 'H', 'M', 'L'] as const;
const MODIFIED_CIA = ['X', 'H', 'L', 'N'] as const;

// Rows in the order of the specification's vector string (v3.1 section 6, Table 15).
export const V3_METRICS = defineMetricTable('CVSS v3', [
  { name: 'AV', values: ['N', 'A', 'L', 'P'], mandatory: true },
  { name: 'AC', values: ['L', 'H'], mandatory: true },
  { name: 'PR', values: ['N', 'L', 'H'], mandatory: true },
  { name: 'UI', values: ['N', 'R'], mandatory: true },
  { name: 'S', values: ['U', 'C'], mandatory: true },
  { name: 'C', values: CIA, mandatory: true },
  { name: 'I', values: CIA, mandatory: true },
  { name: 'A', values: CIA, mandatory: true },
  { name: 'E', values: ['X', 'H', 'F', 'P', 'U'], mandatory: false },
  { name: 'RL', values: ['X', 'U', 'W', 'T', 'O'], mandatory: false },
  { name: 'RC', values: ['X', 'C', 'R', 'U'], mandatory: false },
  { name: 'CR', values: REQUIREMENT, mandatory: false },
  { name: 'IR', values: REQUIREMENT, mandatory: false },
  { name: 'AR', values: REQUIREMENT, mandatory: false },
  { name: 'MAV', values: ['X', 'N', 'A', 'L', 'P'], mandatory: false },
  { name: 'MAC', values: ['X', 'L', 'H'], mandatory: false },
  { name: 'MPR', values: ['X', 'N', 'L', 'H'], mandatory: false },
  { name: 'MUI', values: ['X', 'N', 'R'], mandatory: false },
  { name: 'MS', values: ['X', 'U', 'C'], mandatory: false },
  { name: 'MC', values: MODIFIED_CIA, mandatory: false },
  { name: 'MI', values: MODIFIED_CIA, mandatory: false },
  { name: 'MA', values: MODIFIED_CIA, mandatory: false },
]);

const [AV, AC, PR, UI, S, C, I, A, E, RL, RC, CR, IR, AR] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
] as const;
const [MAV, MAC, MPR, MUI, MS, MC, MI, MA] = [14, 15, 16, 17, 18, 19, 20, 21] as const;

// v3.1 section 7.4, "Metric Values" (identical in v3.0 section 8.4). X ("not defined") is 1.
const ATTACK_VECTOR: Readonly<Record<string, number>> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const ATTACK_COMPLEXITY: Readonly<Record<string, number>> = { L: 0.77, H: 0.44 };
const PRIVILEGES_UNCHANGED: Readonly<Record<string, number>> = { N: 0.85, L: 0.62, H: 0.27 };
const PRIVILEGES_CHANGED: Readonly<Record<string, number>> = { N: 0.85, L: 0.68, H: 0.5 };
const USER_INTERACTION: Readonly<Record<string, number>> = { N: 0.85, R: 0.62 };
const IMPACT: Readonly<Record<string, number>> = { H: 0.56, L: 0.22, N: 0 };
const EXPLOIT_MATURITY: Readonly<Record<string, number>> = {
  X: 1,
  H: 1,
  F: 0.97,
  P: 0.94,
  U: 0.91,
};
const REMEDIATION_LEVEL: Readonly<Record<string, number>> = {
  X: 1,
  U: 1,
  W: 0.97,
  T: 0.96,
  O: 0.95,
};
const REPORT_CONFIDENCE: Readonly<Record<string, number>> = { X: 1, C: 1, R: 0.96, U: 0.92 };
const REQUIREMENT_WEIGHT: Readonly<Record<string, number>> = { X: 1, H: 1.5, M: 1, L: 0.5 };

/** v3.0: "Round up ... the smallest number, specified to one decimal place, that is equal to or higher than its input". */
export function roundUpV30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

/** v3.1 Appendix A: Roundup on integers so that 4.000000000000001 (a float artefact) stays 4.0. */
export function roundUpV31(value: number): number {
  const scaled = Math.round(value * 100000);
  if (scaled % 10000 === 0) return scaled / 100000;
  return (Math.floor(scaled / 10000) + 1) / 10;
}

const weight = (table: Readonly<Record<string, number>>, value: string | undefined): number =>
  table[value ?? 'X'] ?? 1;

/** A modified metric overrides its base metric unless it is absent or X. */
const effective = (values: MetricValues, modified: number, base: number): string | undefined => {
  const value = values[modified];
  return value === undefined || value === 'X' ? values[base] : value;
};

const hasAny = (values: MetricValues, from: number, to: number): boolean =>
  values.slice(from, to + 1).some((value) => value !== undefined);

export function scoreV3(version: '3.0' | '3.1', body: string): CvssResult {
  const parsed = parseMetrics(V3_METRICS, body);
  if (!parsed.ok) return parsed;
  const { values } = parsed;
  const roundUp = version === '3.0' ? roundUpV30 : roundUpV31;

  // Base equations (v3.1 section 7.1).
  const changed = values[S] === 'C';
  const iss =
    1 -
    (1 - weight(IMPACT, values[C])) *
      (1 - weight(IMPACT, values[I])) *
      (1 - weight(IMPACT, values[A]));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 *
    weight(ATTACK_VECTOR, values[AV]) *
    weight(ATTACK_COMPLEXITY, values[AC]) *
    weight(changed ? PRIVILEGES_CHANGED : PRIVILEGES_UNCHANGED, values[PR]) *
    weight(USER_INTERACTION, values[UI]);
  let baseScore = 0;
  if (impact > 0) {
    baseScore = changed
      ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
      : roundUp(Math.min(impact + exploitability, 10));
  }

  const result: CvssResult = {
    ok: true,
    value: {
      version,
      baseScore,
      severity: severityV3(baseScore),
      vector: `CVSS:${version}/${normalisedBody(V3_METRICS, values)}`,
      metrics: metricRecord(V3_METRICS, values),
    },
  };

  // Temporal equation (v3.1 section 7.2).
  const temporalFactor =
    weight(EXPLOIT_MATURITY, values[E]) *
    weight(REMEDIATION_LEVEL, values[RL]) *
    weight(REPORT_CONFIDENCE, values[RC]);
  if (hasAny(values, E, RC)) result.value.temporalScore = roundUp(baseScore * temporalFactor);

  // Environmental equations (v3.1 section 7.3).
  if (hasAny(values, CR, MA)) {
    const modifiedChanged = effective(values, MS, S) === 'C';
    const miss = Math.min(
      1 -
        (1 - weight(REQUIREMENT_WEIGHT, values[CR]) * weight(IMPACT, effective(values, MC, C))) *
          (1 - weight(REQUIREMENT_WEIGHT, values[IR]) * weight(IMPACT, effective(values, MI, I))) *
          (1 - weight(REQUIREMENT_WEIGHT, values[AR]) * weight(IMPACT, effective(values, MA, A))),
      0.915,
    );
    let modifiedImpact: number;
    if (!modifiedChanged) modifiedImpact = 6.42 * miss;
    else if (version === '3.0') {
      modifiedImpact = 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss - 0.02, 15);
    } else modifiedImpact = 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss * 0.9731 - 0.02, 13);
    const modifiedExploitability =
      8.22 *
      weight(ATTACK_VECTOR, effective(values, MAV, AV)) *
      weight(ATTACK_COMPLEXITY, effective(values, MAC, AC)) *
      weight(
        modifiedChanged ? PRIVILEGES_CHANGED : PRIVILEGES_UNCHANGED,
        effective(values, MPR, PR),
      ) *
      weight(USER_INTERACTION, effective(values, MUI, UI));
    let environmentalScore = 0;
    if (modifiedImpact > 0) {
      const scopeFactor = modifiedChanged ? 1.08 : 1;
      environmentalScore = roundUp(
        roundUp(Math.min(scopeFactor * (modifiedImpact + modifiedExploitability), 10)) *
          temporalFactor,
      );
    }
    result.value.environmentalScore = environmentalScore;
  }
  return result;
}
