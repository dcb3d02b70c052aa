/**
 * The custom policy file format, `apiVersion: patchgate.dev/policy/v1` (YAML or JSON), validated
 * strictly: unknown keys are errors, every error carries its path (`rules[2].when.epss`).
 * Schemas and their inferred types share a name.
 */
import { ssvcAutomatable, ssvcExploitation, ssvcTechnicalImpact } from '@patchgate/sources';
import { z } from 'zod';
import { criticalities, environments, exposures } from '@patchgate/model';
import { priorities, severityNames } from './types.ts';

export const policyApiVersion = 'patchgate.dev/policy/v1';

const idPattern = /^[a-z0-9][a-z0-9-]*$/;
const id = z
  .string({ error: 'expected an id (lower-case letters, digits and "-")' })
  .regex(idPattern, { error: 'expected an id (lower-case letters, digits and "-")' });
const text = z
  .string({ error: 'expected a non-empty string' })
  .trim()
  .min(1, { error: 'expected a non-empty string' });

const probability = z
  .number({ error: 'expected a number between 0 and 1' })
  .min(0, { error: 'expected a number between 0 and 1' })
  .max(1, { error: 'expected a number between 0 and 1' });

/** A non-empty list of values from a closed vocabulary; "in" semantics (any of them). */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const message = `expected a non-empty list of: ${values.join(', ')}`;
  return z
    .array(z.enum(values, { error: `expected one of: ${values.join(', ')}` }), { error: message })
    .min(1, { error: message });
}

const textList = z
  .array(text, { error: 'expected a non-empty list of strings' })
  .min(1, { error: 'expected a non-empty list of strings' });

export const PolicyConditions = z.strictObject({
  /** Listed in CISA KEV. */
  kev: z.boolean({ error: 'expected true or false' }).optional(),
  /** KEV knownRansomwareCampaignUse is Known. */
  ransomware: z.boolean({ error: 'expected true or false' }).optional(),
  /** EPSS score at least this (0..1). */
  epss: probability.optional(),
  /** EPSS percentile at least this (0..1). */
  epssPercentile: probability.optional(),
  /** CVSS base score at least this. */
  cvssScore: z
    .number({ error: 'expected a number between 0 and 10' })
    .min(0, { error: 'expected a number between 0 and 10' })
    .max(10, { error: 'expected a number between 0 and 10' })
    .optional(),
  severity: oneOf([...severityNames, 'unknown'] as const).optional(),
  ssvc: z
    .strictObject({
      exploitation: oneOf(ssvcExploitation).optional(),
      automatable: oneOf(ssvcAutomatable).optional(),
      technicalImpact: oneOf(ssvcTechnicalImpact).optional(),
    })
    .optional(),
  asset: z
    .strictObject({
      environment: oneOf(environments).optional(),
      criticality: oneOf(criticalities).optional(),
      exposure: oneOf(exposures).optional(),
      /** The asset carries every one of these tags. */
      tags: textList.optional(),
    })
    .optional(),
  /** OSV ecosystem, `Debian` also matching `Debian:12`. */
  ecosystem: textList.optional(),
  /** Package name glob: `*` any run of characters, `?` one character. */
  package: text.optional(),
  /** At least one fixed version is known. */
  fixAvailable: z.boolean({ error: 'expected true or false' }).optional(),
});
export type PolicyConditions = z.infer<typeof PolicyConditions>;

export const PolicyAction = z
  .strictObject({
    priority: z.enum(priorities, { error: `expected one of: ${priorities.join(', ')}` }),
    dueInDays: z
      .int({ error: 'expected a whole number of days (0 to 3650)' })
      .min(0, { error: 'expected a whole number of days (0 to 3650)' })
      .max(3650, { error: 'expected a whole number of days (0 to 3650)' })
      .optional(),
    /** `kev`: CISA's KEV due date, `dueInDays` when earlier or when CISA's is missing/past; `none`: no date. */
    dueDate: z.enum(['kev', 'none'], { error: 'expected kev or none' }).optional(),
    timeline: text.optional(),
  })
  .superRefine((action, ctx) => {
    if (action.dueDate === undefined && action.dueInDays === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected dueInDays, dueDate: kev or dueDate: none',
      });
    }
    if (action.dueDate === 'none' && action.dueInDays !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dueInDays'],
        message: 'not allowed with dueDate: none',
      });
    }
    if (action.dueDate === 'kev' && action.dueInDays === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dueInDays'],
        message: 'required with dueDate: kev (used when CISA set no due date or it has passed)',
      });
    }
  });
export type PolicyAction = z.infer<typeof PolicyAction>;

export const PolicyRule = z.strictObject({
  id,
  description: text,
  /** Absent or empty: matches every finding (the final default rule). */
  when: PolicyConditions.optional(),
  then: PolicyAction,
});
export type PolicyRule = z.infer<typeof PolicyRule>;

export function isDefaultRule(rule: PolicyRule): boolean {
  return rule.when === undefined || Object.keys(rule.when).length === 0;
}

export const PolicyDefinition = z.strictObject(
  {
    apiVersion: z.literal(policyApiVersion, { error: `expected ${policyApiVersion}` }),
    id,
    name: text,
    version: z
      .union([text, z.number()], { error: 'expected a version string' })
      .transform((value) => String(value)),
    description: text.optional(),
    specUrls: z
      .array(z.url({ error: 'expected a URL' }), { error: 'expected a list of URLs' })
      .optional(),
    rules: z
      .array(PolicyRule, { error: 'expected a list of rules' })
      .min(1, { error: 'expected at least one rule' }),
  },
  { error: 'expected a mapping (apiVersion, id, name, version, rules)' },
);
export type PolicyDefinition = z.infer<typeof PolicyDefinition>;

export interface RuleProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Checks across rules, run once the file is well-formed (so that a rule whose only condition
 * was misspelt is not also reported as an early default): unique ids, exactly one default rule,
 * and it comes last.
 */
export function checkRules(policy: PolicyDefinition): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  policy.rules.forEach((rule, index) => {
    if (seen.has(rule.id))
      problems.push({ path: ['rules', index, 'id'], message: `duplicate rule id "${rule.id}"` });
    seen.add(rule.id);
    const last = index === policy.rules.length - 1;
    if (!last && isDefaultRule(rule)) {
      problems.push({
        path: ['rules', index, 'when'],
        message:
          'a rule without conditions must be the last one (the rules after it could never match)',
      });
    }
    if (last && !isDefaultRule(rule)) {
      problems.push({
        path: ['rules', index, 'when'],
        message:
          'the last rule must be the default: no conditions, so that every finding gets a decision',
      });
    }
  });
  return problems;
}
