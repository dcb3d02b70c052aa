/**
 * An in-memory index over loaded advisories: ecosystem → package name → affected entries.
 * Range evaluators are compiled lazily, once per entry, the first time a package meets it.
 */
import type { CompiledAffected, OsvAffected, OsvRecord } from '@patchgate/osv';
import { compileAffected } from '@patchgate/osv';
import { stripEpoch } from '@patchgate/versioning';
import { ecosystemKey, packageNameKey } from './package-names.ts';

export interface IndexEntry {
  readonly record: OsvRecord;
  readonly affected: OsvAffected;
  compiled?: CompiledAffected;
  compiledIgnoringEpoch?: CompiledAffected;
}

export interface AdvisoryIndex {
  readonly byEcosystem: ReadonlyMap<string, ReadonlyMap<string, readonly IndexEntry[]>>;
  readonly records: number;
  readonly withdrawn: number;
  readonly affectedEntries: number;
}

export function buildAdvisoryIndex(records: Iterable<OsvRecord>): AdvisoryIndex {
  const byEcosystem = new Map<string, Map<string, IndexEntry[]>>();
  let count = 0;
  let withdrawn = 0;
  let affectedEntries = 0;
  for (const record of records) {
    count++;
    // A withdrawn record no longer claims anything (OSV schema, "withdrawn" field).
    if (record.withdrawn !== undefined) {
      withdrawn++;
      continue;
    }
    for (const affected of record.affected) {
      const { ecosystem, name } = affected.package;
      if (ecosystem === '' || name === '') continue;
      const key = ecosystemKey(ecosystem);
      let names = byEcosystem.get(key);
      if (names === undefined) byEcosystem.set(key, (names = new Map<string, IndexEntry[]>()));
      const nameKey = packageNameKey(ecosystem, name);
      let entries = names.get(nameKey);
      if (entries === undefined) names.set(nameKey, (entries = []));
      entries.push({ record, affected });
      affectedEntries++;
    }
  }
  return { byEcosystem, records: count, withdrawn, affectedEntries };
}

export function lookup(
  index: AdvisoryIndex,
  ecosystem: string,
  name: string,
): readonly IndexEntry[] {
  return index.byEcosystem.get(ecosystemKey(ecosystem))?.get(packageNameKey(ecosystem, name)) ?? [];
}

export function compiledFor(entry: IndexEntry, ignoreEpoch: boolean): CompiledAffected {
  if (ignoreEpoch) {
    return (entry.compiledIgnoringEpoch ??= compileAffected(entry.affected, {
      ignoreEpoch: stripEpoch,
    }));
  }
  return (entry.compiled ??= compileAffected(entry.affected));
}
