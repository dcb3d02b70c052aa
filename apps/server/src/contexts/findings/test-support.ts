/**
 * Test support: `FindingInputs` in memory, fed with the repository's real examples (a Debian 12
 * host's dpkg-query list and a Go application's CycloneDX SBOM, the OSV records and CVE 5
 * records that name them). Used by this context's tests only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Inventory } from '@patchgate/inventory';
import { readInventory } from '@patchgate/inventory';
import type { AdvisoryIndex } from '@patchgate/matcher';
import { buildAdvisoryIndex } from '@patchgate/matcher';
import { loadAdvisories } from '@patchgate/osv/node';
import type { FactsByCve } from '@patchgate/sources';
import { loadEnrichment } from '@patchgate/sources/node';
import { testClock } from '@patchgate/testing';
import type { Clock } from '../../clock.ts';
import type { CurrentInventory, FindingAsset, FindingInputs } from './inputs.ts';

export const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

/** The inventories exactly as the CLI names them (it reports findings by this path). */
export const examplePaths = {
  host: 'examples/debian-bookworm/dpkg-query.tsv',
  sbom: 'examples/sbom/proton-bridge-v1.8.0.bom.json',
} as const;

export function exampleInventory(which: keyof typeof examplePaths): Inventory {
  const path = examplePaths[which];
  const result = readInventory({ path, text: readFileSync(`${repoRoot}${path}`, 'utf8') });
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

let loaded: Promise<{ index: AdvisoryIndex; facts: FactsByCve }> | undefined;

/** The example advisories and CVE 5 facts (loaded once per test file). */
export function exampleAdvisories(): Promise<{ index: AdvisoryIndex; facts: FactsByCve }> {
  return (loaded ??= (async () => {
    const advisories = await loadAdvisories([`${repoRoot}examples/advisories`]);
    const enrichment = await loadEnrichment([`${repoRoot}examples/cve5`], { kind: 'cve5' });
    return { index: buildAdvisoryIndex(advisories.records), facts: enrichment.facts };
  })());
}

/** A settable clock per test (the one test clock): no sleeps, no shared state between tests. */
export function manualClock(iso: string): Clock & { set(iso: string): void } {
  return testClock(iso);
}

export interface MemoryInputs extends FindingInputs {
  /** Add or change an asset. */
  setAsset(asset: FindingAsset): void;
  /** Give an asset a new current inventory. */
  setInventory(assetId: string, current: CurrentInventory): void;
}

export function memoryInputs(index: AdvisoryIndex, facts: FactsByCve): MemoryInputs {
  const assets = new Map<string, FindingAsset>();
  const inventories = new Map<string, CurrentInventory>();
  return {
    assets: () => Promise.resolve([...assets.keys()].sort()),
    asset: (id) => Promise.resolve(assets.get(id)),
    inventory: (id) => Promise.resolve(inventories.get(id)),
    advisoryIndex: () => Promise.resolve(index),
    facts: (cves) =>
      Promise.resolve(
        new Map(cves.flatMap((cve) => (facts.has(cve) ? [[cve, facts.get(cve)!] as const] : []))),
      ),
    setAsset: (asset) => assets.set(asset.id, asset),
    setInventory: (id, current) => inventories.set(id, current),
  };
}

/** An asset with the CLI's default context (exposure unknown, no tags), so priorities agree. */
export function plainAsset(id: string, name: string, groups: string[] = []): FindingAsset {
  return { id, name, context: { exposure: 'unknown', tags: [] }, groups };
}
