/**
 * Every enrichment source, one folder each (kev/, epss/, cve5/, nvd/). Adding a source: a
 * folder with `index.ts` (an `EnrichmentSource`), `readme.md` and a test on real data, then
 * one line here; the registry test runs the contract over every entry.
 */
import { cve5Source } from './cve5/index.ts';
import { epssSource } from './epss/index.ts';
import type { EnrichmentSource, SourceInput } from './facts.ts';
import { kevSource } from './kev/index.ts';
import { nvdSource } from './nvd/index.ts';

export const enrichmentSourceIds = ['kev', 'epss', 'cve5', 'nvd'] as const;
export type EnrichmentSourceId = (typeof enrichmentSourceIds)[number];

export const enrichmentSources: readonly EnrichmentSource[] = [
  kevSource,
  epssSource,
  cve5Source,
  nvdSource,
];

/** The source with this id, if registered. */
export function enrichmentSource(id: string): EnrichmentSource | undefined {
  return enrichmentSources.find((source) => source.id === id);
}

/**
 * The source most confident it can read `input` (by name and first bytes), or undefined when
 * none claims it. Ties go to the earlier source in `enrichmentSources`.
 */
export function detectSource(input: SourceInput): EnrichmentSource | undefined {
  let best: EnrichmentSource | undefined;
  let bestScore = 0;
  for (const source of enrichmentSources) {
    const score = source.detect(input);
    if (score > bestScore) {
      best = source;
      bestScore = score;
    }
  }
  return best;
}
