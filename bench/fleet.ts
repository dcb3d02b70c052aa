/** The synthetic fleet and the full OSV load, shared by the benchmarks that need them. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '@patchgate/inventory';
import type { LoadResult } from '@patchgate/osv/node';
import { loadAdvisories } from '@patchgate/osv/node';
import { hostCount, random, realInventories, syntheticHost } from './scan-fleet.ts';
import { sharedData } from './shared-data.ts';

export function osvArchives(): string[] {
  const root = sharedData('advisories/osv');
  return readdirSync(root)
    .map((dir) => join(root, dir))
    .filter((path) => statSync(path).isDirectory());
}

export function loadAllOsv(): Promise<LoadResult> {
  return loadAdvisories(osvArchives());
}

/** The same 1,000 hosts every run (fixed seed). */
export function buildFleet(): Inventory[] {
  const { debian, apps } = realInventories();
  const next = random(20261122);
  return Array.from({ length: hostCount }, (_, n) => syntheticHost(n, debian, apps, next));
}
