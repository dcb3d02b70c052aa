/**
 * The asset vocabulary: closed lists every layer shares (the server's API and tables, the
 * CLI's flags and asset-context files, the policies' rules, the web UI). One copy, here.
 */

/** Where the asset runs: production outranks staging, test and development in policies. */
export const environments = ['production', 'staging', 'test', 'development'] as const;
export type Environment = (typeof environments)[number];

/** Business criticality, as the asset's owner rates it. */
export const criticalities = ['critical', 'high', 'medium', 'low'] as const;
export type Criticality = (typeof criticalities)[number];

/**
 * Network exposure. `unknown` counts as exposed for BOD 26-04 (CISA's implementation
 * guidance): not knowing is no reason to wait.
 */
export const exposures = ['internet', 'internal', 'unknown'] as const;
export type Exposure = (typeof exposures)[number];

const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);

export const isEnvironment = isOneOf(environments);
export const isCriticality = isOneOf(criticalities);
export const isExposure = isOneOf(exposures);
