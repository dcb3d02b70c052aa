// CVSS v2 equations, https://www.first.org/cvss/v2/guide section 3.2 ("Equations").
import {
  defineMetricTable,
  metricRecord,
  normalisedBody,
  parseMetrics,
  type MetricValues,
} from '../metric-table.ts';
import { severityV2 } from '../severity.ts';
import type { CvssResult } from '../types.ts';

const CIA = ['N', 'P', 'C'] as const;
const REQUIREMENT = ['L', 'M', 'H', 'ND'] as const;

// Rows in the order of the guide's vector (section 2.4): base, temporal, environmental.
export const V2_METRICS = defineMetricTable('CVSS v2', [
  { name: 'AV', values: ['L', 'A', 'N'], mandatory: true },
  { name: 'AC', values: ['H', 'M', 'L'], mandatory: true },
  { name: 'Au', values: ['M', 'S', 'N'], mandatory: true },
  { name: 'C', values: CIA, mandatory: true },
  { name: 'I', values: CIA, mandatory: true },
  { name: 'A', values: CIA, mandatory: true },
  { name: 'E', values: ['U', 'POC', 'F', 'H', 'ND'], mandatory: false },
  { name: 'RL', values: ['OF', 'TF', 'W', 'U', 'ND'], mandatory: false },
  { name: 'RC', values: ['UC', 'UR', 'C', 'ND'], mandatory: false },
  { name: 'CDP', values: ['N', 'L', 'LM', 'MH', 'H', 'ND'], mandatory: false },
  { name: 'TD', values: ['N', 'L', 'M', 'H', 'ND'], mandatory: false },
  { name: 'CR', values: REQUIREMENT, mandatory: false },
  { name: 'IR', values: REQUIREMENT, mandatory: false },
  { name: 'AR', values: REQUIREMENT, mandatory: false },
]);

const [AV, AC, AU, C, I, A, E, RL, RC, CDP, TD, CR, IR, AR] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
] as const;

// Section 3.2.1-3.2.3, "Metric values". ND ("not defined") leaves a score unchanged.
const ACCESS_VECTOR: Readonly<Record<string, number>> = { L: 0.395, A: 0.646, N: 1.0 };
const ACCESS_COMPLEXITY: Readonly<Record<string, number>> = { H: 0.35, M: 0.61, L: 0.71 };
const AUTHENTICATION: Readonly<Record<string, number>> = { M: 0.45, S: 0.56, N: 0.704 };
const IMPACT: Readonly<Record<string, number>> = { N: 0.0, P: 0.275, C: 0.66 };
const EXPLOITABILITY: Readonly<Record<string, number>> = {
  U: 0.85,
  POC: 0.9,
  F: 0.95,
  H: 1.0,
  ND: 1.0,
};
const REMEDIATION_LEVEL: Readonly<Record<string, number>> = {
  OF: 0.87,
  TF: 0.9,
  W: 0.95,
  U: 1.0,
  ND: 1.0,
};
const REPORT_CONFIDENCE: Readonly<Record<string, number>> = { UC: 0.9, UR: 0.95, C: 1.0, ND: 1.0 };
const COLLATERAL_DAMAGE: Readonly<Record<string, number>> = {
  N: 0,
  L: 0.1,
  LM: 0.3,
  MH: 0.4,
  H: 0.5,
  ND: 0,
};
const TARGET_DISTRIBUTION: Readonly<Record<string, number>> = {
  N: 0,
  L: 0.25,
  M: 0.75,
  H: 1.0,
  ND: 1.0,
};
const SECURITY_REQUIREMENT: Readonly<Record<string, number>> = {
  L: 0.5,
  M: 1.0,
  H: 1.51,
  ND: 1.0,
};

/**
 * The guide's round_to_1_decimal (half up). Unlike v3.1 and v4.0, v2 defines no floating-point
 * correction; plain Math.round reproduces the guide's examples (section 3.3) and the v2 scores
 * CNAs state in real CVE records (testdata/cve5-scores.tsv), so none is added.
 */
export function roundToOneDecimal(value: number): number {
  return Math.round(value * 10) / 10;
}

function weight(table: Readonly<Record<string, number>>, value: string | undefined): number {
  return table[value ?? 'ND'] ?? 1;
}

function baseEquation(impact: number, values: MetricValues): number {
  const exploitability =
    20 *
    weight(ACCESS_VECTOR, values[AV]) *
    weight(ACCESS_COMPLEXITY, values[AC]) *
    weight(AUTHENTICATION, values[AU]);
  const fImpact = impact === 0 ? 0 : 1.176;
  return roundToOneDecimal((0.6 * impact + 0.4 * exploitability - 1.5) * fImpact);
}

function temporalEquation(base: number, values: MetricValues): number {
  return roundToOneDecimal(
    base *
      weight(EXPLOITABILITY, values[E]) *
      weight(REMEDIATION_LEVEL, values[RL]) *
      weight(REPORT_CONFIDENCE, values[RC]),
  );
}

const hasAny = (values: MetricValues, from: number, to: number): boolean =>
  values.slice(from, to + 1).some((value) => value !== undefined);

export function scoreV2(body: string): CvssResult {
  const parsed = parseMetrics(V2_METRICS, body);
  if (!parsed.ok) return parsed;
  const { values } = parsed;
  const c = weight(IMPACT, values[C]);
  const i = weight(IMPACT, values[I]);
  const a = weight(IMPACT, values[A]);

  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const baseScore = baseEquation(impact, values);

  const result: CvssResult = {
    ok: true,
    value: {
      version: '2.0',
      baseScore,
      severity: severityV2(baseScore),
      vector: normalisedBody(V2_METRICS, values),
      metrics: metricRecord(V2_METRICS, values),
    },
  };
  if (hasAny(values, E, RC)) result.value.temporalScore = temporalEquation(baseScore, values);
  if (hasAny(values, CDP, AR)) {
    // Section 3.2.3: the temporal score recomputed with the impact adjusted by the requirements.
    const adjustedImpact = Math.min(
      10,
      10.41 *
        (1 -
          (1 - c * weight(SECURITY_REQUIREMENT, values[CR])) *
            (1 - i * weight(SECURITY_REQUIREMENT, values[IR])) *
            (1 - a * weight(SECURITY_REQUIREMENT, values[AR]))),
    );
    const adjustedTemporal = temporalEquation(baseEquation(adjustedImpact, values), values);
    result.value.environmentalScore = roundToOneDecimal(
      (adjustedTemporal + (10 - adjustedTemporal) * weight(COLLATERAL_DAMAGE, values[CDP])) *
        weight(TARGET_DISTRIBUTION, values[TD]),
    );
  }
  return result;
}
