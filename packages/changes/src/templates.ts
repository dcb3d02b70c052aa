/**
 * Standard changes: a versioned, pre-approved template whose criteria decide whether a change may
 * run without a CAB (ITIL's standard change). `checkTemplateCriteria` says which criteria a
 * change fails, each in words; the server asks it before assessing a standard change
 * (`templateCriteriaMet` of TransitionFacts) and again after every material edit.
 */
import type { AssetFacts } from '@patchgate/model';
import { environments } from '@patchgate/model';
import { z } from 'zod';
import type { DeploymentPlan } from './plans.ts';
import { ChangePlans, resolveWaves } from './plans.ts';
import type { RiskLevel } from './vocabulary.ts';
import { riskLevels } from './vocabulary.ts';

const glob = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('a name pattern: * any run of characters, ? one character; case-insensitive');

export const TemplateCriteria = z
  .strictObject({
    onlySecurityOrigin: z
      .boolean()
      .default(true)
      .describe('every patch must come from a security origin (see securityOrigins)'),
    securityOrigins: z
      .array(glob)
      .min(1)
      .max(20)
      .default(['*security*'])
      .describe('origins counted as security repositories, e.g. Debian-Security'),
    maxAssets: z.int().min(1).max(100_000).optional().describe('at most this many assets'),
    environments: z
      .array(z.enum(environments))
      .min(1)
      .optional()
      .describe('every asset must be in one of these environments (none: any)'),
    nonProductionFirst: z
      .boolean()
      .default(false)
      .describe('the deployment plan’s first wave must hold no production asset'),
    maxRisk: z.enum(riskLevels).default('low').describe('the highest risk level allowed'),
    packages: z
      .strictObject({
        allow: z
          .array(glob)
          .max(200)
          .optional()
          .describe('only these packages (none: any package)'),
        deny: z.array(glob).max(200).default([]).describe('never these packages'),
      })
      .default({ deny: [] })
      .describe('which packages the template covers'),
  })
  .describe('what a change must satisfy to be approved by this template');
export type TemplateCriteria = z.infer<typeof TemplateCriteria>;

export const StandardTemplate = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, {
        error: 'expected a name of lower-case letters, digits and "-" (at most 64)',
      })
      .describe('template name, unique'),
    version: z
      .int()
      .min(1)
      .max(1_000_000)
      .describe('template version; a change records the one it used'),
    description: z.string().trim().min(1).max(2000).describe('what the template is for'),
    criteria: TemplateCriteria,
    defaultPlans: ChangePlans.optional().describe('plans a change from this template starts with'),
  })
  .describe('a pre-approved standard-change template');
export type StandardTemplate = z.infer<typeof StandardTemplate>;

export interface TemplateFacts {
  readonly assets: readonly AssetFacts[];
  /** Each patch's package and, when known, the repository it comes from. */
  readonly patches: readonly { readonly packageName: string; readonly origin: string | null }[];
  readonly risk: RiskLevel;
  /** `firstWaveIsNonProduction(plan, assets)`, or false without a deployment plan. */
  readonly firstWaveNonProduction: boolean;
}

export interface TemplateCheck {
  readonly ok: boolean;
  readonly failures: string[];
}

/** `*` any run, `?` one character, anything else literal; whole-name, case-insensitive. */
export function globMatches(pattern: string, text: string): boolean {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'iu').test(text);
}

const anyGlob = (patterns: readonly string[], text: string) =>
  patterns.some((p) => globMatches(p, text));

/** Whether the plan's first wave, resolved against the scope, holds only non-production assets. */
export function firstWaveIsNonProduction(
  plan: DeploymentPlan,
  assets: readonly AssetFacts[],
): boolean {
  const first = resolveWaves(plan, assets)[0];
  return (
    first !== undefined &&
    first.assets.length > 0 &&
    first.assets.every((a) => a.environment !== null && a.environment !== 'production')
  );
}

const list = (names: readonly string[], max = 5) =>
  names.length <= max
    ? names.join(', ')
    : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

export function checkTemplateCriteria(
  template: StandardTemplate,
  facts: TemplateFacts,
): TemplateCheck {
  const c = template.criteria;
  const failures: string[] = [];
  if (facts.patches.length === 0) failures.push('the change has no patches');
  if (c.onlySecurityOrigin) {
    const outside = facts.patches.filter(
      (p) => p.origin === null || !anyGlob(c.securityOrigins, p.origin),
    );
    if (outside.length > 0)
      failures.push(
        `only security updates: ${list(outside.map((p) => `${p.packageName} (${p.origin ?? 'origin unknown'})`))} not from ${c.securityOrigins.join(', ')}`,
      );
  }
  if (c.maxAssets !== undefined && facts.assets.length > c.maxAssets)
    failures.push(`at most ${c.maxAssets} assets: the change has ${facts.assets.length}`);
  if (c.environments !== undefined) {
    const allowed: readonly (string | null)[] = c.environments;
    const outside = facts.assets.filter((a) => !allowed.includes(a.environment));
    if (outside.length > 0)
      failures.push(
        `only ${c.environments.join(', ')} assets: ${list(outside.map((a) => `${a.name} (${a.environment ?? 'no environment'})`))}`,
      );
  }
  if (c.nonProductionFirst && !facts.firstWaveNonProduction)
    failures.push('the deployment plan’s first wave must hold only non-production assets');
  if (riskLevels.indexOf(facts.risk) > riskLevels.indexOf(c.maxRisk))
    failures.push(`risk at most ${c.maxRisk}: the change is ${facts.risk}`);
  const allow = c.packages.allow;
  if (allow !== undefined) {
    const outside = facts.patches.filter((p) => !anyGlob(allow, p.packageName));
    if (outside.length > 0)
      failures.push(
        `only packages ${allow.join(', ')}: ${list([...new Set(outside.map((p) => p.packageName))])}`,
      );
  }
  const denied = facts.patches.filter((p) => anyGlob(c.packages.deny, p.packageName));
  if (denied.length > 0)
    failures.push(
      `packages ${c.packages.deny.join(', ')} are excluded: ${list([...new Set(denied.map((p) => p.packageName))])}`,
    );
  return { ok: failures.length === 0, failures };
}

/**
 * A template to start from: security updates for non-production assets, tested in a first
 * non-production wave, no kernel (they reboot), low risk only.
 */
export const securityUpdatesTemplate: StandardTemplate = StandardTemplate.parse({
  name: 'security-updates-non-production',
  version: 1,
  description:
    'Security updates from the distribution’s security repository for test, development and staging assets.',
  criteria: {
    onlySecurityOrigin: true,
    maxAssets: 50,
    environments: ['test', 'development', 'staging'],
    nonProductionFirst: true,
    maxRisk: 'low',
    packages: { deny: ['linux-image-*', 'linux-headers-*', 'kernel*'] },
  },
});
