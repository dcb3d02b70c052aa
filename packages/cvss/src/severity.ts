import type { CvssSeverity } from './types.ts';

/**
 * Qualitative Severity Rating Scale of CVSS v3.0, v3.1 and v4.0 (v3.1 specification section 5;
 * v4.0 specification, same title): None 0.0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9,
 * Critical 9.0-10.0. Scores have one decimal, so comparing with the lower bounds is exact.
 */
export function severityV3(score: number): CvssSeverity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/**
 * CVSS v2 defines no qualitative scale; this is the one NVD publishes for v2 base scores:
 * Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0. A v2 score of 0.0 is therefore "low", not "none".
 */
export function severityV2(score: number): CvssSeverity {
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  return 'high';
}
