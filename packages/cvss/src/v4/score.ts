// CVSS v4.0 scoring, https://www.first.org/cvss/v4.0/specification-document ("CVSS v4.0 Scoring"):
// the vector falls into a macro vector (six equivalence classes EQ1..EQ6), whose score comes from
// FIRST's table (./lookup.ts); the vector's score is that score lowered by the mean, over the EQs,
// of its proportional severity distance to the macro vector's highest-severity vectors times the
// score gap to the next lower macro vector. The arithmetic follows FIRST's reference calculator
// (`cvss_score.js` in github.com/FIRSTdotorg/cvss-v4-calculator) step by step, including its
// floating-point levels (0.1 steps), because published scores are that calculator's output.
import {
  defineMetricTable,
  metricRecord,
  normalisedBody,
  parseMetrics,
  type MetricValues,
} from '../metric-table.ts';
import { severityV3 } from '../severity.ts';
import type { CvssNomenclature, CvssResult } from '../types.ts';
import { MACRO_VECTOR_SCORES } from './lookup.ts';

const NLH = ['N', 'L', 'H'] as const;
const REQUIREMENT = ['X', 'H', 'M', 'L'] as const;
const MODIFIED_CIA = ['X', 'H', 'L', 'N'] as const;
const MODIFIED_SAFETY = ['X', 'S', 'H', 'L', 'N'] as const;

// Rows in the order of the specification's vector string ("Vector String", Table 23):
// base, threat, environmental, supplemental.
export const V4_METRICS = defineMetricTable('CVSS v4.0', [
  { name: 'AV', values: ['N', 'A', 'L', 'P'], mandatory: true },
  { name: 'AC', values: ['L', 'H'], mandatory: true },
  { name: 'AT', values: ['N', 'P'], mandatory: true },
  { name: 'PR', values: ['N', 'L', 'H'], mandatory: true },
  { name: 'UI', values: ['N', 'P', 'A'], mandatory: true },
  { name: 'VC', values: NLH, mandatory: true },
  { name: 'VI', values: NLH, mandatory: true },
  { name: 'VA', values: NLH, mandatory: true },
  { name: 'SC', values: NLH, mandatory: true },
  { name: 'SI', values: NLH, mandatory: true },
  { name: 'SA', values: NLH, mandatory: true },
  { name: 'E', values: ['X', 'A', 'P', 'U'], mandatory: false },
  { name: 'CR', values: REQUIREMENT, mandatory: false },
  { name: 'IR', values: REQUIREMENT, mandatory: false },
  { name: 'AR', values: REQUIREMENT, mandatory: false },
  { name: 'MAV', values: ['X', 'N', 'A', 'L', 'P'], mandatory: false },
  { name: 'MAC', values: ['X', 'L', 'H'], mandatory: false },
  { name: 'MAT', values: ['X', 'N', 'P'], mandatory: false },
  { name: 'MPR', values: ['X', 'N', 'L', 'H'], mandatory: false },
  { name: 'MUI', values: ['X', 'N', 'P', 'A'], mandatory: false },
  { name: 'MVC', values: MODIFIED_CIA, mandatory: false },
  { name: 'MVI', values: MODIFIED_CIA, mandatory: false },
  { name: 'MVA', values: MODIFIED_CIA, mandatory: false },
  { name: 'MSC', values: MODIFIED_CIA, mandatory: false },
  { name: 'MSI', values: MODIFIED_SAFETY, mandatory: false },
  { name: 'MSA', values: MODIFIED_SAFETY, mandatory: false },
  { name: 'S', values: ['X', 'N', 'P'], mandatory: false },
  { name: 'AU', values: ['X', 'N', 'Y'], mandatory: false },
  { name: 'R', values: ['X', 'A', 'U', 'I'], mandatory: false },
  { name: 'V', values: ['X', 'D', 'C'], mandatory: false },
  { name: 'RE', values: ['X', 'L', 'M', 'H'], mandatory: false },
  { name: 'U', values: ['X', 'Clear', 'Green', 'Amber', 'Red'], mandatory: false },
]);

const [E, CR, IR, AR, MAV, MSA] = [11, 12, 13, 14, 15, 25] as const;

/**
 * The 15 values that scoring reads, after defaults and environmental overrides
 * (E:X scores as A; CR/IR/AR:X as H; a modified metric other than X replaces its base metric).
 */
export interface Effective {
  AV: string;
  AC: string;
  AT: string;
  PR: string;
  UI: string;
  VC: string;
  VI: string;
  VA: string;
  SC: string;
  SI: string;
  SA: string;
  E: string;
  CR: string;
  IR: string;
  AR: string;
}

type Scope = 'base' | 'threat' | 'all';

function effectiveValues(values: MetricValues, scope: Scope): Effective {
  const base = (row: number): string => values[row] ?? 'X';
  const modified = (row: number): string => {
    const override = scope === 'all' ? values[row + MAV] : undefined;
    return override === undefined || override === 'X' ? base(row) : override;
  };
  const optional = (row: number, fallback: string, used: boolean): string => {
    const value = used ? values[row] : undefined;
    return value === undefined || value === 'X' ? fallback : value;
  };
  const environmental = scope === 'all';
  return {
    // MAV..MSA follow the order of AV..SA, so base row n is modified by row n + MAV.
    AV: modified(0),
    AC: modified(1),
    AT: modified(2),
    PR: modified(3),
    UI: modified(4),
    VC: modified(5),
    VI: modified(6),
    VA: modified(7),
    SC: modified(8),
    SI: modified(9),
    SA: modified(10),
    E: optional(E, 'A', scope !== 'base'),
    CR: optional(CR, 'H', environmental),
    IR: optional(IR, 'H', environmental),
    AR: optional(AR, 'H', environmental),
  };
}

/** EQ1..EQ6 as in the specification's "Equivalence Sets" table. */
export function macroVector(v: Effective): string {
  let eq1 = '2';
  if (v.AV === 'N' && v.PR === 'N' && v.UI === 'N') eq1 = '0';
  else if ((v.AV === 'N' || v.PR === 'N' || v.UI === 'N') && v.AV !== 'P') eq1 = '1';

  const eq2 = v.AC === 'L' && v.AT === 'N' ? '0' : '1';

  let eq3 = '2';
  if (v.VC === 'H' && v.VI === 'H') eq3 = '0';
  else if (v.VC === 'H' || v.VI === 'H' || v.VA === 'H') eq3 = '1';

  let eq4 = '2';
  if (v.SI === 'S' || v.SA === 'S') eq4 = '0';
  else if (v.SC === 'H' || v.SI === 'H' || v.SA === 'H') eq4 = '1';

  const eq5 = v.E === 'A' ? '0' : v.E === 'P' ? '1' : '2';

  const eq6 =
    (v.CR === 'H' && v.VC === 'H') ||
    (v.IR === 'H' && v.VI === 'H') ||
    (v.AR === 'H' && v.VA === 'H')
      ? '0'
      : '1';

  return eq1 + eq2 + eq3 + eq4 + eq5 + eq6;
}

// Severity levels of each value, in the reference calculator's 0.1 steps (lower is more severe).
type Levels = Readonly<Record<string, number>>;
const AV_LEVELS: Levels = { N: 0.0, A: 0.1, L: 0.2, P: 0.3 };
const PR_LEVELS: Levels = { N: 0.0, L: 0.1, H: 0.2 };
const UI_LEVELS: Levels = { N: 0.0, P: 0.1, A: 0.2 };
const AC_LEVELS: Levels = { L: 0.0, H: 0.1 };
const AT_LEVELS: Levels = { N: 0.0, P: 0.1 };
const VULNERABLE_LEVELS: Levels = { H: 0.0, L: 0.1, N: 0.2 };
const SC_LEVELS: Levels = { H: 0.1, L: 0.2, N: 0.3 };
const SUBSEQUENT_LEVELS: Levels = { S: 0.0, H: 0.1, L: 0.2, N: 0.3 };
const REQUIREMENT_LEVELS: Levels = { H: 0.0, M: 0.1, L: 0.2 };

// Highest-severity vectors of each EQ level (reference calculator's `max_composed.js`), written as
// the values of the EQ's metrics in order: EQ1 = AV PR UI, EQ2 = AC AT,
// EQ3+EQ6 = VC VI VA CR IR AR, EQ4 = SC SI SA. EQ5 (E) never adds distance.
const EQ1_MAXES: Readonly<Record<string, readonly string[]>> = {
  '0': ['NNN'],
  '1': ['ANN', 'NLN', 'NNP'],
  '2': ['PNN', 'ALP'],
};
const EQ2_MAXES: Readonly<Record<string, readonly string[]>> = { '0': ['LN'], '1': ['HN', 'LP'] };
const EQ3_EQ6_MAXES: Readonly<Record<string, readonly string[]>> = {
  '00': ['HHHHHH'],
  '01': ['HHLMMH', 'HHHMMM'],
  '10': ['LHHHHH', 'HLHHHH'],
  '11': ['LHLHMH', 'LHHHMM', 'HLHMHM', 'HLLMHH', 'LLHHHM'],
  '21': ['LLLHHH'],
};
const EQ4_MAXES: Readonly<Record<string, readonly string[]>> = {
  '0': ['HSS'],
  '1': ['HHH'],
  '2': ['LLL'],
};

// Depth of each EQ level in 0.1 steps (reference calculator's `max_severity.js`).
const EQ1_DEPTH: Readonly<Record<string, number>> = { '0': 1, '1': 4, '2': 5 };
const EQ2_DEPTH: Readonly<Record<string, number>> = { '0': 1, '1': 2 };
const EQ3_EQ6_DEPTH: Readonly<Record<string, number>> = {
  '00': 7,
  '01': 6,
  '10': 8,
  '11': 8,
  '21': 10,
};
const EQ4_DEPTH: Readonly<Record<string, number>> = { '0': 6, '1': 5, '2': 4 };

const STEP = 0.1;

const level = (levels: Levels, value: string | undefined): number =>
  levels[value ?? ''] ?? Number.NaN;

interface Distances {
  eq1: number;
  eq2: number;
  eq3eq6: number;
  eq4: number;
}

/** Per-metric distances to one highest-severity vector, summed per EQ, in the reference's order. */
function distancesTo(v: Effective, eq1: string, eq2: string, eq36: string, eq4: string) {
  const av = level(AV_LEVELS, v.AV) - level(AV_LEVELS, eq1[0]);
  const pr = level(PR_LEVELS, v.PR) - level(PR_LEVELS, eq1[1]);
  const ui = level(UI_LEVELS, v.UI) - level(UI_LEVELS, eq1[2]);
  const ac = level(AC_LEVELS, v.AC) - level(AC_LEVELS, eq2[0]);
  const at = level(AT_LEVELS, v.AT) - level(AT_LEVELS, eq2[1]);
  const vc = level(VULNERABLE_LEVELS, v.VC) - level(VULNERABLE_LEVELS, eq36[0]);
  const vi = level(VULNERABLE_LEVELS, v.VI) - level(VULNERABLE_LEVELS, eq36[1]);
  const va = level(VULNERABLE_LEVELS, v.VA) - level(VULNERABLE_LEVELS, eq36[2]);
  const sc = level(SC_LEVELS, v.SC) - level(SC_LEVELS, eq4[0]);
  const si = level(SUBSEQUENT_LEVELS, v.SI) - level(SUBSEQUENT_LEVELS, eq4[1]);
  const sa = level(SUBSEQUENT_LEVELS, v.SA) - level(SUBSEQUENT_LEVELS, eq4[2]);
  const cr = level(REQUIREMENT_LEVELS, v.CR) - level(REQUIREMENT_LEVELS, eq36[3]);
  const ir = level(REQUIREMENT_LEVELS, v.IR) - level(REQUIREMENT_LEVELS, eq36[4]);
  const ar = level(REQUIREMENT_LEVELS, v.AR) - level(REQUIREMENT_LEVELS, eq36[5]);
  const below = [av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar].every((d) => d >= 0);
  const distances: Distances = {
    eq1: av + pr + ui,
    eq2: ac + at,
    eq3eq6: vc + vi + va + cr + ir + ar,
    eq4: sc + si + sa,
  };
  return { below, distances };
}

/**
 * Distances to the first highest-severity vector (in the reference's order) that the vector is
 * not above anywhere. Like the reference, fall back to the last candidate if none qualifies.
 */
function severityDistances(v: Effective, macro: string): Distances | undefined {
  const eq1s = EQ1_MAXES[macro.charAt(0)] ?? [];
  const eq2s = EQ2_MAXES[macro.charAt(1)] ?? [];
  const eq36s = EQ3_EQ6_MAXES[macro.charAt(2) + macro.charAt(5)] ?? [];
  const eq4s = EQ4_MAXES[macro.charAt(3)] ?? [];
  let last: Distances | undefined;
  for (const eq1 of eq1s) {
    for (const eq2 of eq2s) {
      for (const eq36 of eq36s) {
        for (const eq4 of eq4s) {
          const { below, distances } = distancesTo(v, eq1, eq2, eq36, eq4);
          if (below) return distances;
          last = distances;
        }
      }
    }
  }
  return last;
}

const withDigit = (macro: string, position: number, delta: number): string =>
  macro.slice(0, position) +
  String(Number(macro.charAt(position)) + delta) +
  macro.slice(position + 1);

/** Score of a macro vector, or NaN when there is no such macro vector (as in the reference). */
const macroScore = (macro: string): number => MACRO_VECTOR_SCORES[macro] ?? Number.NaN;

export function scoreEffective(v: Effective): number {
  // No impact on either system scores 0 whatever else the vector says.
  if (
    v.VC === 'N' &&
    v.VI === 'N' &&
    v.VA === 'N' &&
    v.SC === 'N' &&
    v.SI === 'N' &&
    v.SA === 'N'
  ) {
    return 0;
  }
  const macro = macroVector(v);
  const value = macroScore(macro);
  const eq3 = macro.charAt(2);
  const eq6 = macro.charAt(5);

  // Score of the next lower macro vector along each EQ (NaN when there is none).
  const lowerEq1 = macroScore(withDigit(macro, 0, 1));
  const lowerEq2 = macroScore(withDigit(macro, 1, 1));
  let lowerEq3Eq6: number;
  if (eq3 === '0' && eq6 === '0') {
    // Two ways down (00 -> 01 and 00 -> 10): the higher-scoring one.
    lowerEq3Eq6 = Math.max(macroScore(withDigit(macro, 5, 1)), macroScore(withDigit(macro, 2, 1)));
  } else if (eq3 === '1' && eq6 === '0') {
    lowerEq3Eq6 = macroScore(withDigit(macro, 5, 1)); // 10 -> 11
  } else if (eq3 === '2') {
    lowerEq3Eq6 = Number.NaN; // 21 is the lowest
  } else {
    lowerEq3Eq6 = macroScore(withDigit(macro, 2, 1)); // 01 -> 11, 11 -> 21
  }
  const lowerEq4 = macroScore(withDigit(macro, 3, 1));
  const lowerEq5 = macroScore(withDigit(macro, 4, 1));

  const distances = severityDistances(v, macro);
  if (distances === undefined || Number.isNaN(value)) return Number.NaN;

  const depthEq1 = (EQ1_DEPTH[macro.charAt(0)] ?? Number.NaN) * STEP;
  const depthEq2 = (EQ2_DEPTH[macro.charAt(1)] ?? Number.NaN) * STEP;
  const depthEq3Eq6 = (EQ3_EQ6_DEPTH[eq3 + eq6] ?? Number.NaN) * STEP;
  const depthEq4 = (EQ4_DEPTH[macro.charAt(3)] ?? Number.NaN) * STEP;

  let existingLower = 0;
  const proportional = (lowerScore: number, distance: number, depth: number): number => {
    const available = value - lowerScore;
    if (Number.isNaN(available)) return 0;
    existingLower++;
    return available * (distance / depth);
  };
  const eq1Part = proportional(lowerEq1, distances.eq1, depthEq1);
  const eq2Part = proportional(lowerEq2, distances.eq2, depthEq2);
  const eq3Eq6Part = proportional(lowerEq3Eq6, distances.eq3eq6, depthEq3Eq6);
  const eq4Part = proportional(lowerEq4, distances.eq4, depthEq4);
  // EQ5 counts as an existing lower macro vector but its distance is always 0.
  const eq5Part = proportional(lowerEq5, 0, 1);

  const meanDistance =
    existingLower === 0 ? 0 : (eq1Part + eq2Part + eq3Eq6Part + eq4Part + eq5Part) / existingLower;
  const score = Math.min(10, Math.max(0, value - meanDistance));
  // Round half up. The float arithmetic above can land one ULP below an x.x5 tie (5.6499999...
  // for 5.65); the reference calculator lifts by a small epsilon before rounding since its
  // rounding fix (RedHatProductSecurity/cvss-v4-calculator issue #66, pull request #67, 2024).
  return Math.round((score + 1e-6) * 10) / 10;
}

const hasAnyNonX = (values: MetricValues, from: number, to: number): boolean =>
  values.slice(from, to + 1).some((value) => value !== undefined && value !== 'X');

const hasAny = (values: MetricValues, from: number, to: number): boolean =>
  values.slice(from, to + 1).some((value) => value !== undefined);

export function scoreV4(body: string): CvssResult {
  const parsed = parseMetrics(V4_METRICS, body);
  if (!parsed.ok) return parsed;
  const { values } = parsed;
  const baseScore = scoreEffective(effectiveValues(values, 'base'));
  if (Number.isNaN(baseScore)) {
    return { ok: false, error: 'CVSS v4.0 vector could not be scored (internal table gap)' };
  }
  const threat = hasAnyNonX(values, E, E);
  const environmental = hasAnyNonX(values, CR, MSA);
  let nomenclature: CvssNomenclature = 'CVSS-B';
  if (threat && environmental) nomenclature = 'CVSS-BTE';
  else if (threat) nomenclature = 'CVSS-BT';
  else if (environmental) nomenclature = 'CVSS-BE';

  const result: CvssResult = {
    ok: true,
    value: {
      version: '4.0',
      baseScore,
      severity: severityV3(baseScore),
      vector: `CVSS:4.0/${normalisedBody(V4_METRICS, values)}`,
      metrics: metricRecord(V4_METRICS, values),
      nomenclature,
    },
  };
  if (hasAny(values, E, E)) {
    result.value.temporalScore = scoreEffective(effectiveValues(values, 'threat'));
  }
  if (hasAny(values, CR, MSA)) {
    result.value.environmentalScore = scoreEffective(effectiveValues(values, 'all'));
  }
  return result;
}
