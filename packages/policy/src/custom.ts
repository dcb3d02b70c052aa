/**
 * Custom policies: an ordered list of rules, first match wins, a mandatory final default rule
 * (format: schema.ts; example: packages/policy/examples/). Parsing returns a result and never
 * throws; the compiled policy decides per CVE like the built-ins.
 */
import {
  DEFAULT_MAX_DEPTH,
  depthError,
  describeValue,
  formatPath,
  parseJson,
  valueAt,
  yamlDepthExceeds,
} from '@patchgate/safe-parse';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { addDays, compareDates, earlier } from './dates.ts';
import type { Outcome } from './decide.ts';
import { definePolicy, detectedOnInput } from './decide.ts';
import type { AssetInputs, CveInputs } from './inputs.ts';
import { explainCvss, explainInput } from './inputs.ts';
import type { PolicyConditions, PolicyRule } from './schema.ts';
import { checkRules, PolicyDefinition } from './schema.ts';
import type { ExplanationInput, Policy, PolicyInput } from './types.ts';

export type ParsePolicyResult =
  | { readonly ok: true; readonly policy: Policy; readonly definition: PolicyDefinition }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Zod's own wording for a wrong type is replaced by ours; schema messages are kept. */
function typeMessage(message: string): string {
  const expected = /^Invalid input: expected (\w+)/.exec(message)?.[1];
  if (expected === undefined) return message;
  return expected === 'object'
    ? 'expected a mapping'
    : `expected ${expected === 'array' ? 'a list' : expected}`;
}

/** Zod issues → `path: message` lines; an unknown key is named in its path. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], data: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
    } else if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
      const value = valueAt(data, issue.path);
      const message = typeMessage(issue.message);
      lines.push(
        value === undefined
          ? `${path}: required, ${message}`
          : `${path}: ${message}, got ${describeValue(value)}`,
      );
    } else {
      lines.push(`${path}: ${issue.message}`);
    }
  }
  return lines;
}

/** Parse and validate a policy file; `fileName` picks JSON (`.json`) or YAML and prefixes errors. */
export function parsePolicy(text: string, fileName: string): ParsePolicyResult {
  let data: unknown;
  if (fileName.toLowerCase().endsWith('.json')) {
    const parsed = parseJson(text);
    if (!parsed.ok) return { ok: false, errors: [`${fileName}: ${parsed.error}`] };
    data = parsed.value;
  } else {
    // The yaml composer recurses: nesting is bounded before it runs (safe-parse).
    if (yamlDepthExceeds(text, DEFAULT_MAX_DEPTH)) {
      return { ok: false, errors: [`${fileName}: ${depthError(DEFAULT_MAX_DEPTH)}`] };
    }
    const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      return {
        ok: false,
        errors: document.errors.map(
          (error) => `${fileName}: not valid YAML: ${error.message.split('\n')[0] ?? ''}`,
        ),
      };
    }
    data = document.toJS();
  }
  const parsed = PolicyDefinition.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      errors: formatIssues(parsed.error.issues, data).map((line) => `${fileName}: ${line}`),
    };
  }
  const problems = checkRules(parsed.data);
  if (problems.length > 0) {
    return {
      ok: false,
      errors: problems.map(
        (problem) => `${fileName}: ${formatPath(problem.path)}: ${problem.message}`,
      ),
    };
  }
  return { ok: true, policy: customPolicy(parsed.data), definition: parsed.data };
}

/** `*` any run of characters, `?` exactly one; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((char) =>
      char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

function ecosystemMatches(wanted: readonly string[], ecosystem: string): boolean {
  const base = ecosystem.split(':')[0] ?? ecosystem;
  return wanted.some((entry) => entry === ecosystem || entry === base);
}

interface Check {
  readonly matched: boolean;
  readonly inputs: readonly ExplanationInput[];
}

/** Evaluate every condition of a rule (all must hold) and collect the inputs they read. */
function checkConditions(
  when: PolicyConditions | undefined,
  cve: CveInputs,
  asset: AssetInputs,
  input: PolicyInput,
): Check {
  if (when === undefined) return { matched: true, inputs: [] };
  const results: { ok: boolean; input: ExplanationInput }[] = [];
  const atLeast = (value: number | null, threshold: number): boolean =>
    value !== null && value >= threshold;
  const inList = <T>(list: readonly T[], value: T | null): boolean =>
    value !== null && list.includes(value);
  const finding = input.finding;
  if (when.kev !== undefined)
    results.push({ ok: cve.kev.value === when.kev, input: explainInput('kev', cve.kev) });
  if (when.ransomware !== undefined) {
    results.push({
      ok: (cve.ransomware.value ?? false) === when.ransomware,
      input: explainInput('ransomware', cve.ransomware),
    });
  }
  if (when.epss !== undefined)
    results.push({ ok: atLeast(cve.epss.value, when.epss), input: explainInput('epss', cve.epss) });
  if (when.epssPercentile !== undefined) {
    results.push({
      ok: atLeast(cve.epssPercentile.value, when.epssPercentile),
      input: explainInput('epssPercentile', cve.epssPercentile),
    });
  }
  if (when.cvssScore !== undefined) {
    results.push({
      ok: atLeast(cve.cvssScore.value, when.cvssScore),
      input: explainInput('cvssScore', cve.cvssScore),
    });
  }
  if (when.severity !== undefined) {
    results.push({
      ok: inList(when.severity, cve.severity.value),
      input: explainInput('severity', cve.severity),
    });
  }
  const ssvc = when.ssvc;
  if (ssvc?.exploitation !== undefined) {
    results.push({
      ok: inList(ssvc.exploitation, cve.exploitation.value),
      input: explainInput('exploitation', cve.exploitation),
    });
  }
  if (ssvc?.automatable !== undefined) {
    results.push({
      ok: inList(ssvc.automatable, cve.automatable.value),
      input: explainInput('automatable', cve.automatable),
    });
  }
  if (ssvc?.technicalImpact !== undefined) {
    results.push({
      ok: inList(ssvc.technicalImpact, cve.technicalImpact.value),
      input: explainInput('technicalImpact', cve.technicalImpact),
    });
  }
  const onAsset = when.asset;
  if (onAsset?.environment !== undefined) {
    results.push({
      ok: inList(onAsset.environment, asset.environment.value),
      input: explainInput('environment', asset.environment),
    });
  }
  if (onAsset?.criticality !== undefined) {
    results.push({
      ok: inList(onAsset.criticality, asset.criticality.value),
      input: explainInput('criticality', asset.criticality),
    });
  }
  if (onAsset?.exposure !== undefined) {
    results.push({
      ok: inList(onAsset.exposure, asset.exposure.value),
      input: explainInput('exposure', asset.exposure),
    });
  }
  if (onAsset?.tags !== undefined) {
    const tags = onAsset.tags;
    results.push({
      ok: tags.every((tag) => asset.tags.value.includes(tag)),
      input: explainInput('tags', asset.tags),
    });
  }
  if (when.ecosystem !== undefined) {
    results.push({
      ok: ecosystemMatches(when.ecosystem, finding.ecosystem),
      input: {
        name: 'ecosystem',
        value: finding.ecosystem,
        source: `advisory ${finding.advisoryId}`,
      },
    });
  }
  if (when.package !== undefined) {
    results.push({
      ok: globToRegExp(when.package).test(finding.packageName),
      input: { name: 'package', value: finding.packageName, source: 'finding' },
    });
  }
  if (when.fixAvailable !== undefined) {
    const fixed = finding.fixedVersions.length > 0;
    results.push({
      ok: fixed === when.fixAvailable,
      input: {
        name: 'fixAvailable',
        value: fixed,
        source: fixed ? `fixed in ${finding.fixedVersions.join(', ')}` : 'no fixed version known',
      },
    });
  }
  return {
    matched: results.every((result) => result.ok),
    inputs: results.map((result) => result.input),
  };
}

function outcomeOf(
  rule: PolicyRule,
  inputs: readonly ExplanationInput[],
  cve: CveInputs,
  detectedOn: string,
): Outcome {
  const then = rule.then;
  const extra: ExplanationInput[] = [];
  let dueDate: string | null;
  let due: string;
  let timeline: string;
  if (then.dueDate === 'none') {
    dueDate = null;
    due = 'no due date (rule sets none)';
    timeline = 'no due date';
  } else {
    const days = then.dueInDays ?? 0;
    const byDays = addDays(detectedOn, days);
    const fromDetection = `${days} day${days === 1 ? '' : 's'} from detection on ${detectedOn}`;
    dueDate = byDays;
    due = fromDetection;
    timeline = `${days} days`;
    if (then.dueDate === 'kev') {
      extra.push(explainInput('kevDueDate', cve.kevDueDate));
      timeline = `KEV due date, at most ${days} days`;
      const kev = cve.kevDueDate.value;
      if (kev === null) due = `${fromDetection} (no KEV due date)`;
      else if (compareDates(kev, detectedOn) < 0)
        due = `${fromDetection} (the KEV due date ${kev} had passed before detection)`;
      else if (earlier(kev, byDays) === kev && kev !== byDays) {
        dueDate = kev;
        due = `KEV due date ${kev} (${cve.kevDueDate.source}), earlier than ${fromDetection}`;
      } else due = `${fromDetection} (the KEV due date ${kev} is not earlier)`;
    }
  }
  return {
    priority: then.priority,
    dueDate,
    due,
    timeline: then.timeline ?? timeline,
    severity: cve.severity.value,
    rule: { id: rule.id, description: rule.description },
    inputs: [
      ...inputs,
      explainInput('severity', cve.severity),
      ...(inputs.some((entry) => entry.name === 'cvssScore') ? [explainCvss(cve.cvss)] : []),
      ...extra,
      detectedOnInput(detectedOn),
    ].filter((entry, index, all) => all.findIndex((other) => other.name === entry.name) === index),
    text: `${rule.description.replace(/\.$/, '')}.`,
  };
}

/** A `Policy` from a validated definition. */
export function customPolicy(definition: PolicyDefinition): Policy {
  return definePolicy(
    {
      id: definition.id,
      name: definition.name,
      version: definition.version,
      specUrls: definition.specUrls ?? [],
    },
    (cve, asset, input) => {
      for (const rule of definition.rules) {
        const check = checkConditions(rule.when, cve, asset, input);
        if (check.matched) return outcomeOf(rule, check.inputs, cve, input.detectedOn);
      }
      // The schema guarantees a final rule without conditions.
      throw new Error(`policy ${definition.id} has no default rule`);
    },
  );
}
