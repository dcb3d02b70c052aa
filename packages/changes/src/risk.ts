/**
 * A change's risk, computed with its explanation (like a finding's priority): points per factor,
 * a score that is their sum, and a level from documented thresholds. Every factor is listed, also
 * at 0 points, so a reader sees what was considered. A person may override the level with a
 * reason; the computed level stays beside it (`overrideRisk`).
 *
 * Points (the table in readme.md repeats them; the tests pin each row):
 * - assets in scope: 1 → 0, 2–5 → 5, 6–20 → 10, 21–100 → 15, more → 20
 * - most critical asset: critical 20, high 12, medium 5, low 0
 * - most sensitive environment: production (or unknown) 15, staging 5, test/development 0
 * - exposure: any internet-facing asset 10, else any of unknown exposure 3, else 0
 * - restart needed: reboot 15, service restart 5, none 0
 * - test evidence: failed 25, none 15, passed 0
 * - past changes to the same packages/assets: none 5; failure rate ≥ 30% 20, ≥ 10% 10, > 0 5, 0 → 0
 * - urgency of what it fixes: in CISA KEV 10; highest priority P1 10, P2 5, else 0 (an urgent fix
 *   is done under time pressure, and its failure costs the most)
 * Levels: score ≥ 70 high, ≥ 40 moderate, else low.
 */
import type { AssetFacts, Criticality } from '@patchgate/model';
import type { TestEvidence } from './plans.ts';
import type { RiskLevel } from './vocabulary.ts';

export const findingPriorities = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type FindingPriority = (typeof findingPriorities)[number];

export const restartKinds = ['none', 'service', 'reboot'] as const;
export type RestartKind = (typeof restartKinds)[number];

export interface RiskInputs {
  /** The change's scope. */
  readonly assets: readonly AssetFacts[];
  /** What the patches need to take effect. */
  readonly restart: RestartKind;
  /** The change's test evidence so far (plans.testEvidence). */
  readonly testEvidence: readonly TestEvidence[];
  /** Past changes to the same packages or assets, and how many of them failed or were rolled back. */
  readonly history: { readonly changes: number; readonly failed: number };
  /** What the change fixes: any finding in CISA KEV, and the highest priority among them. */
  readonly urgency: { readonly kev: boolean; readonly highestPriority: FindingPriority | null };
}

export const riskFactorIds = [
  'asset-count',
  'criticality',
  'environment',
  'exposure',
  'restart',
  'test-evidence',
  'history',
  'urgency',
] as const;
export type RiskFactorId = (typeof riskFactorIds)[number];

export interface RiskFactor {
  readonly id: RiskFactorId;
  readonly label: string;
  readonly points: number;
  /** What was seen, e.g. `12 assets`, `db-01 is critical`. */
  readonly detail: string;
}

export interface RiskAssessment {
  /** The level in force: the computed one, or the override's. */
  readonly level: RiskLevel;
  /** The level the score gives. */
  readonly computedLevel: RiskLevel;
  readonly score: number;
  readonly factors: readonly RiskFactor[];
  /** One paragraph a person can read. */
  readonly explanation: string;
  readonly override: { readonly level: RiskLevel; readonly reason: string } | null;
}

/** Scores at or above these are that level (ascending). */
export const riskThresholds = { moderate: 40, high: 70 } as const;

export function riskLevelFor(score: number): RiskLevel {
  if (score >= riskThresholds.high) return 'high';
  if (score >= riskThresholds.moderate) return 'moderate';
  return 'low';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function assetCount(assets: readonly AssetFacts[]): RiskFactor {
  const n = assets.length;
  const points = n <= 1 ? 0 : n <= 5 ? 5 : n <= 20 ? 10 : n <= 100 ? 15 : 20;
  return { id: 'asset-count', label: 'Assets in scope', points, detail: plural(n, 'asset') };
}

const criticalityPoints: Record<Criticality, number> = {
  critical: 20,
  high: 12,
  medium: 5,
  low: 0,
};

/** The first asset (by name) with the worst value of `rank`, or undefined for an empty scope. */
function worst(assets: readonly AssetFacts[], rank: (a: AssetFacts) => number) {
  let found: AssetFacts | undefined;
  for (const asset of [...assets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    if (found === undefined || rank(asset) > rank(found)) found = asset;
  return found;
}

function criticality(assets: readonly AssetFacts[]): RiskFactor {
  const asset = worst(assets, (a) => criticalityPoints[a.criticality]);
  return {
    id: 'criticality',
    label: 'Most critical asset',
    points: asset === undefined ? 0 : criticalityPoints[asset.criticality],
    detail: asset === undefined ? 'no assets' : `${asset.name} is ${asset.criticality}`,
  };
}

const environmentPoints = (a: AssetFacts): number =>
  a.environment === 'staging'
    ? 5
    : a.environment === 'test' || a.environment === 'development'
      ? 0
      : 15;

function environment(assets: readonly AssetFacts[]): RiskFactor {
  const asset = worst(assets, environmentPoints);
  return {
    id: 'environment',
    label: 'Most sensitive environment',
    points: asset === undefined ? 0 : environmentPoints(asset),
    detail:
      asset === undefined
        ? 'no assets'
        : asset.environment === null
          ? `${asset.name} has no environment (counted as production)`
          : `${asset.name} is ${asset.environment}`,
  };
}

function exposure(assets: readonly AssetFacts[]): RiskFactor {
  const internet = assets.filter((a) => a.exposure === 'internet');
  const unknown = assets.filter((a) => a.exposure === 'unknown');
  const base = { id: 'exposure', label: 'Internet exposure' } as const;
  if (internet.length > 0)
    return { ...base, points: 10, detail: `${plural(internet.length, 'asset')} internet-facing` };
  if (unknown.length > 0)
    return { ...base, points: 3, detail: `${plural(unknown.length, 'asset')} of unknown exposure` };
  return { ...base, points: 0, detail: 'no internet-facing asset' };
}

function restart(kind: RestartKind): RiskFactor {
  const base = { id: 'restart', label: 'Restart needed' } as const;
  if (kind === 'reboot') return { ...base, points: 15, detail: 'assets reboot' };
  if (kind === 'service') return { ...base, points: 5, detail: 'services restart' };
  return { ...base, points: 0, detail: 'no restart' };
}

function testEvidence(evidence: readonly TestEvidence[]): RiskFactor {
  const base = { id: 'test-evidence', label: 'Test evidence' } as const;
  const failed = evidence.filter(
    (e) =>
      (e.kind === 'automated' && e.failed > 0) || (e.kind === 'manual' && e.outcome === 'failed'),
  );
  if (failed.length > 0)
    return {
      ...base,
      points: 25,
      detail: `${plural(failed.length, 'test result')} with failures`,
    };
  if (evidence.length === 0) return { ...base, points: 15, detail: 'no test evidence' };
  return { ...base, points: 0, detail: `${plural(evidence.length, 'test result')}, all passed` };
}

function history({ changes, failed }: RiskInputs['history']): RiskFactor {
  const base = { id: 'history', label: 'Past changes to the same packages or assets' } as const;
  if (changes <= 0) return { ...base, points: 5, detail: 'no past changes to learn from' };
  const rate = Math.min(failed, changes) / changes;
  const points = rate >= 0.3 ? 20 : rate >= 0.1 ? 10 : rate > 0 ? 5 : 0;
  return {
    ...base,
    points,
    detail: `${failed} of ${plural(changes, 'change')} failed (${Math.round(rate * 100)}%)`,
  };
}

function urgency({ kev, highestPriority }: RiskInputs['urgency']): RiskFactor {
  const priorityPoints = highestPriority === 'P1' ? 10 : highestPriority === 'P2' ? 5 : 0;
  const parts = [
    ...(kev ? ['fixes a known exploited vulnerability (KEV)'] : []),
    highestPriority === null
      ? 'fixes no prioritised finding'
      : `highest priority ${highestPriority}`,
  ];
  return {
    id: 'urgency',
    label: 'Urgency of what it fixes',
    points: (kev ? 10 : 0) + priorityPoints,
    detail: parts.join('; '),
  };
}

function explain(level: RiskLevel, score: number, factors: readonly RiskFactor[]): string {
  const counted = factors.filter((f) => f.points > 0);
  const why =
    counted.length === 0
      ? 'no factor adds risk'
      : counted.map((f) => `${f.detail} (+${f.points})`).join(', ');
  return `Risk ${level}: score ${score} (moderate from ${riskThresholds.moderate}, high from ${riskThresholds.high}): ${why}.`;
}

export function assessRisk(inputs: RiskInputs): RiskAssessment {
  const factors = [
    assetCount(inputs.assets),
    criticality(inputs.assets),
    environment(inputs.assets),
    exposure(inputs.assets),
    restart(inputs.restart),
    testEvidence(inputs.testEvidence),
    history(inputs.history),
    urgency(inputs.urgency),
  ];
  const score = factors.reduce((sum, f) => sum + f.points, 0);
  const level = riskLevelFor(score);
  return {
    level,
    computedLevel: level,
    score,
    factors,
    explanation: explain(level, score, factors),
    override: null,
  };
}

/**
 * A person's judgement over the computed level, with the reason (which the server audits). The
 * computed level, score and factors stay; the explanation says both. A blank reason is a
 * programming error (the API requires one), so it throws.
 */
export function overrideRisk(
  assessed: RiskAssessment,
  level: RiskLevel,
  reason: string,
): RiskAssessment {
  const why = reason.trim();
  if (why === '') throw new TypeError('overrideRisk needs a reason');
  const computed = explain(assessed.computedLevel, assessed.score, assessed.factors);
  return {
    ...assessed,
    level,
    override: { level, reason: why },
    explanation: `Risk ${level} (overridden from ${assessed.computedLevel}: ${why}). Computed: ${computed}`,
  };
}
