/**
 * Which assets something applies to: a maintenance window, a freeze, a change's wave, an
 * autopilot rule's scope, an approval policy, a notification audience. One shape everywhere.
 *
 * Semantics: every field given must hold (AND); within a field any value may match (OR). A
 * selector with no field matches every asset. `names` match an asset's name or its id.
 */
import type { Criticality, Environment, Exposure } from './asset.ts';
import { isCriticality, isEnvironment, isExposure } from './asset.ts';

export interface AssetSelector {
  readonly names?: readonly string[];
  readonly environments?: readonly Environment[];
  readonly criticalities?: readonly Criticality[];
  readonly exposures?: readonly Exposure[];
  readonly teams?: readonly string[];
  readonly tags?: readonly string[];
  readonly groups?: readonly string[];
}

/** What a selector looks at: the asset attributes every context can know. */
export interface AssetFacts {
  readonly id: string;
  readonly name: string;
  readonly environment: Environment | null;
  readonly criticality: Criticality;
  readonly exposure: Exposure;
  readonly team: string | null;
  readonly tags: readonly string[];
  readonly groups: readonly string[];
}

const anyOf = <T>(wanted: readonly T[] | undefined, test: (value: T) => boolean): boolean =>
  wanted === undefined || wanted.length === 0 || wanted.some(test);

export function matchesSelector(asset: AssetFacts, selector: AssetSelector): boolean {
  return (
    anyOf(selector.names, (n) => n === asset.name || n === asset.id) &&
    anyOf(selector.environments, (e) => e === asset.environment) &&
    anyOf(selector.criticalities, (c) => c === asset.criticality) &&
    anyOf(selector.exposures, (x) => x === asset.exposure) &&
    anyOf(selector.teams, (t) => t === asset.team) &&
    anyOf(selector.tags, (t) => asset.tags.includes(t)) &&
    anyOf(selector.groups, (g) => asset.groups.includes(g))
  );
}

/** The selector's keys as the text form writes them (`environment=production,group=web`). */
const textKeys = {
  name: 'names',
  environment: 'environments',
  criticality: 'criticalities',
  exposure: 'exposures',
  team: 'teams',
  tag: 'tags',
  group: 'groups',
} as const satisfies Record<string, keyof AssetSelector>;

export type ParsedSelector =
  | { readonly ok: true; readonly selector: AssetSelector }
  | { readonly ok: false; readonly error: string };

/**
 * The text form CLI flags take: `key=value[|value…]` terms joined by commas, e.g.
 * `environment=production|staging,group=web`; `*` (or the empty string) selects every asset.
 */
export function parseSelector(text: string): ParsedSelector {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '*') return { ok: true, selector: {} };
  const selector: Record<string, string[]> = {};
  for (const term of trimmed.split(',')) {
    const [rawKey, rawValues, ...rest] = term.split('=');
    const key = rawKey?.trim() ?? '';
    if (rawValues === undefined || rest.length > 0 || !(key in textKeys))
      return {
        ok: false,
        error: `"${term.trim()}" is not a selector term: use key=value with key one of ${Object.keys(textKeys).join(', ')} (values joined by |)`,
      };
    const values = rawValues
      .split('|')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) return { ok: false, error: `"${key}=" needs at least one value` };
    const check = { environment: isEnvironment, criticality: isCriticality, exposure: isExposure }[
      key as 'environment' | 'criticality' | 'exposure'
    ] as ((v: unknown) => boolean) | undefined;
    const bad = check === undefined ? undefined : values.find((v) => !check(v));
    if (bad !== undefined) return { ok: false, error: `"${bad}" is not a valid ${key}` };
    const field = textKeys[key as keyof typeof textKeys];
    selector[field] = [...(selector[field] ?? []), ...values];
  }
  return { ok: true, selector: selector };
}

/** The text form of a selector (parseSelector's inverse), `*` for every asset. */
export function formatSelector(selector: AssetSelector): string {
  const terms = Object.entries(textKeys).flatMap(([key, field]) => {
    const values = selector[field];
    return values === undefined || values.length === 0 ? [] : [`${key}=${values.join('|')}`];
  });
  return terms.length === 0 ? '*' : terms.join(',');
}
