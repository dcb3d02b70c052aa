/**
 * Benchmark: load every OSV archive in the shared data, then scan a fleet of 1,000 synthetic
 * hosts whose package lists are sampled from real inventories. Compared, in the same run,
 * with a linear scan (every package against every affected entry, without the index).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledPackage, Inventory } from '@patchgate/inventory';
import { readInventory } from '@patchgate/inventory';
import type { Finding } from '@patchgate/matcher';
import { buildAdvisoryIndex, matchInventory } from '@patchgate/matcher';
import type { OsvRecord } from '@patchgate/osv';
import { compileAffected } from '@patchgate/osv';
import { loadAdvisories } from '@patchgate/osv/node';
import { stripEpoch } from '@patchgate/versioning';
import { requireSharedData, sharedData } from './shared-data.ts';

export const hostCount = Number(process.env['PATCHGATE_BENCH_HOSTS'] ?? 1000);
const naiveHosts = Number(process.env['PATCHGATE_BENCH_NAIVE_HOSTS'] ?? 10);

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same fleet. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function read(path: string): Inventory {
  const result = readInventory({ path, text: readFileSync(path, 'utf8') });
  if (!result.ok) throw new Error(`${path}: ${result.error}`);
  return result.inventory;
}

/** Real package lists the fleet is sampled from. */
export function realInventories(): { debian: Inventory; apps: Inventory[] } {
  const debian = read(sharedData('inventories/debian-bookworm-host/dpkg-status'));
  const apps: Inventory[] = [read(sharedData('lockfiles/NodeGoat/package-lock.json'))];
  const goDir = sharedData('inventories/go-buildinfo');
  for (const file of readdirSync(goDir)) apps.push(read(join(goDir, file)));
  for (const sbom of [
    'keycloak-10.0.2/bom.json',
    'dropwizard-1.3.15/bom.json',
    'laravel-7.12.0/bom.1.4.json',
  ]) {
    apps.push(read(sharedData(`sboms/cyclonedx/${sbom}`)));
  }
  return { debian, apps };
}

/**
 * One synthetic host: a Debian release (10, 11 or 12: the archive covers 3.0–11, so older
 * releases give real matches), 85–100 % of the real host's packages, and one or two
 * applications' dependencies.
 */
export function syntheticHost(
  n: number,
  base: Inventory,
  apps: Inventory[],
  next: () => number,
): Inventory {
  const release = ['10', '11', '12'][Math.floor(next() * 3)] as string;
  const keep = 0.85 + next() * 0.15;
  const packages: InstalledPackage[] = base.packages
    .filter(() => next() < keep)
    .map((pkg) => ({ ...pkg, ecosystem: `Debian:${release}` }));
  const appCount = 1 + Math.floor(next() * 2);
  for (let i = 0; i < appCount; i++) {
    const app = apps[Math.floor(next() * apps.length)] as Inventory;
    packages.push(...app.packages);
  }
  return {
    format: 'synthetic',
    source: `host-${String(n).padStart(4, '0')}`,
    packages,
    warnings: [],
  };
}

/**
 * The baseline: a linear scan. Every installed package is checked against every affected
 * entry of every record (ranges compiled once, as the matcher does), so the difference
 * measured is the index alone.
 */
function linearScanner(records: readonly OsvRecord[]) {
  const entries = records
    .filter((record) => record.withdrawn === undefined)
    .flatMap((record) =>
      record.affected.map((affected) => ({
        record,
        ecosystem: affected.package.ecosystem.toLowerCase(),
        name: affected.package.name,
        pypiName: affected.package.name.toLowerCase().replace(/[-_.]+/g, '-'),
        compiled: compileAffected(affected),
        compiledIgnoringEpoch: compileAffected(affected, { ignoreEpoch: stripEpoch }),
      })),
    );
  return (inventory: Inventory): number => {
    let findings = 0;
    for (const pkg of inventory.packages) {
      const bySource = /^(Debian|Ubuntu|Alpine)/.test(pkg.ecosystem);
      const name = bySource ? (pkg.sourceName ?? pkg.name) : pkg.name;
      const version = bySource ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
      const ecosystem = pkg.ecosystem.toLowerCase();
      const pypiName = name.toLowerCase().replace(/[-_.]+/g, '-');
      const matched = new Set<OsvRecord>();
      for (const entry of entries) {
        if (entry.ecosystem !== ecosystem) continue;
        if (ecosystem === 'pypi' ? entry.pypiName !== pypiName : entry.name !== name) continue;
        if (matched.has(entry.record)) continue; // one finding per package and advisory
        const compiled = pkg.epochUnknown === true ? entry.compiledIgnoringEpoch : entry.compiled;
        if (compiled.evaluate(version).affected) matched.add(entry.record);
      }
      findings += matched.size;
    }
    return findings;
  };
}

function findingKeys(findings: readonly Finding[]): Set<string> {
  return new Set(
    findings.map((f) => `${f.inventory}|${f.package.name}|${f.package.version}|${f.advisory.id}`),
  );
}

export async function benchScanFleet(): Promise<void> {
  if (!requireSharedData('scan-fleet')) return;
  const osvRoot = sharedData('advisories/osv');
  const archives = readdirSync(osvRoot)
    .map((dir) => join(osvRoot, dir))
    .filter((path) => statSync(path).isDirectory());

  const rssSamples: number[] = [];
  const sample = () => rssSamples.push(process.memoryUsage().rss);
  const sampler = setInterval(sample, 50);

  let started = performance.now();
  const loaded = await loadAdvisories(archives);
  const loadMs = performance.now() - started;
  started = performance.now();
  const index = buildAdvisoryIndex(loaded.records);
  const indexMs = performance.now() - started;
  process.stdout.write(
    `load   ${loaded.records.length.toLocaleString('en')} OSV records from ${archives.length} sources ` +
      `(${loaded.errors.length} rejected) in ${(loadMs / 1000).toFixed(2)} s; index of ` +
      `${index.affectedEntries.toLocaleString('en')} affected entries in ${indexMs.toFixed(0)} ms\n`,
  );

  const { debian, apps } = realInventories();
  const next = random(20261122);
  const fleet = Array.from({ length: hostCount }, (_, n) => syntheticHost(n, debian, apps, next));
  const packages = fleet.reduce((sum, host) => sum + host.packages.length, 0);

  started = performance.now();
  const results = fleet.map((host) => matchInventory(index, host));
  const scanMs = performance.now() - started;
  sample();
  clearInterval(sampler);
  const findings = results.reduce((sum, r) => sum + r.findings.length, 0);
  const perSecond = packages / (scanMs / 1000);
  process.stdout.write(
    `scan   ${hostCount.toLocaleString('en')} hosts, ${packages.toLocaleString('en')} installed packages, ` +
      `${findings.toLocaleString('en')} findings in ${(scanMs / 1000).toFixed(2)} s ` +
      `= ${Math.round(perSecond).toLocaleString('en')} packages/s ` +
      `(target: the fleet in < 10 s: ${scanMs < 10_000 ? 'met' : 'MISSED'})\n`,
  );
  process.stdout.write(
    `memory peak RSS ${(Math.max(...rssSamples) / 2 ** 20).toFixed(0)} MiB ` +
      `(process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)\n`,
  );

  // Baseline in the same process, on the first hosts only (it is far too slow for all).
  const subset = fleet.slice(0, naiveHosts);
  const subsetPackages = subset.reduce((sum, host) => sum + host.packages.length, 0);
  const linearScan = linearScanner(loaded.records); // compiled before timing, as the index is
  started = performance.now();
  const naiveFindings = subset.reduce((sum, host) => sum + linearScan(host), 0);
  const naiveMs = performance.now() - started;
  started = performance.now();
  const indexedSubset = subset.map((host) => matchInventory(index, host));
  const indexedSubsetMs = performance.now() - started;
  const indexedFindings = indexedSubset.reduce((sum, r) => sum + r.findings.length, 0);
  const naivePerSecond = subsetPackages / (naiveMs / 1000);
  process.stdout.write(
    `linear ${naiveHosts} hosts, ${subsetPackages.toLocaleString('en')} packages in ${(naiveMs / 1000).toFixed(2)} s ` +
      `= ${Math.round(naivePerSecond).toLocaleString('en')} packages/s; ` +
      `the whole fleet would take ~${(packages / naivePerSecond / 60).toFixed(0)} min\n`,
  );
  process.stdout.write(
    `ratio  indexed/linear throughput: ${(perSecond / naivePerSecond).toFixed(0)}x ` +
      `(same hosts: indexed ${indexedSubsetMs.toFixed(0)} ms vs linear ${naiveMs.toFixed(0)} ms); ` +
      `findings agree: ${naiveFindings === indexedFindings ? 'yes' : `NO (${naiveFindings} vs ${indexedFindings})`} ` +
      `(${indexedFindings} findings, ${findingKeys(indexedSubset.flatMap((r) => r.findings)).size} distinct)\n`,
  );
}
