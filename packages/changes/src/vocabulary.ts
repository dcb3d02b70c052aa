/**
 * The change-management vocabulary: closed lists the server's API and tables, the CLI, the
 * rollout engine and the web UI share. One copy, here (ITIL 4 change enablement's words).
 */

/** Standard: pre-approved template; normal: CAB approval; emergency: expedited, reviewed after. */
export const changeTypes = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof changeTypes)[number];

/**
 * The life of a change. The happy path is draft → submitted (being assessed) → authorise
 * (awaiting approvals) → scheduled → implementing → review → closed; the others are ends
 * (rejected, cancelled) or outcomes of implementing (failed, rolled_back) that go to review.
 */
export const changeStates = [
  'draft',
  'submitted',
  'authorise',
  'scheduled',
  'implementing',
  'review',
  'closed',
  'rejected',
  'cancelled',
  'failed',
  'rolled_back',
] as const;
export type ChangeState = (typeof changeStates)[number];

/** Risk and impact levels as change managers name them. */
export const riskLevels = ['low', 'moderate', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);

export const isChangeType = isOneOf(changeTypes);
export const isChangeState = isOneOf(changeStates);
export const isRiskLevel = isOneOf(riskLevels);
