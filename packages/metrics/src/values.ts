/**
 * One figure's value out of a `MetricSet` (the trend's points, from daily snapshots): a count
 * as is, a ratio as is, an SLA figure by its ratio, durations by their mean, a keyed list by the
 * entry with that key (its ratio, or a wave's failures).
 */
import type { MetricSet } from './model.ts';

type Json = null | number | string | boolean | readonly Json[] | { readonly [k: string]: Json };

function scalar(value: Json | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value !== 'object' || Array.isArray(value)) return null;
  const object = value as { readonly [k: string]: Json };
  if ('ratio' in object) return scalar(object.ratio);
  if ('mean' in object) return scalar(object.mean);
  if ('failures' in object) return scalar(object.failures);
  return null;
}

/** The value of `metric` (a MetricSet path) with an optional key; null when absent or unknown. */
export function metricValue(set: MetricSet, metric: string, key?: string): number | null {
  let node: Json | undefined = set as unknown as Json;
  for (const part of metric.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
    node = (node as { readonly [k: string]: Json })[part];
  }
  if (key !== undefined) {
    if (Array.isArray(node)) {
      const entry = (node as readonly Json[]).find(
        (e) =>
          e !== null &&
          typeof e === 'object' &&
          !Array.isArray(e) &&
          ((e as { key?: Json }).key === key || (e as { wave?: Json }).wave === key),
      );
      return scalar(entry);
    }
    if (node === null || typeof node !== 'object') return null;
    return scalar((node as { readonly [k: string]: Json })[key]);
  }
  return scalar(node);
}
