/**
 * Benchmark: load the enrichment data (the whole CVE 5 archive, the KEV catalogue, an EPSS
 * file of full size) and prioritise every finding of the 1,000-host fleet scan with
 * BOD 26-04. Baseline in the same run: the same prioritisation with no facts at all, so the
 * ratio is the cost of joining KEV, EPSS, CVSS and SSVC.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdvisoryIndex, matchInventory } from '@patchgate/matcher';
import { findPolicy } from '@patchgate/policy';
import type { AssetContext } from '@patchgate/policy';
import { prioritise } from '@patchgate/prioritisation';
import { mergeFacts } from '@patchgate/sources';
import { loadEnrichment } from '@patchgate/sources/node';
import { buildFleet, loadAllOsv } from './fleet.ts';
import { random } from './scan-fleet.ts';
import { requireSharedData, sharedData } from './shared-data.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * FIRST publishes ~300,000 rows a day; the data set has the real header and first rows only.
 * This writes a file of that size in the real format: the real CVE IDs of the CVE 5 archive
 * and KEV first, then synthetic IDs, with synthetic scores (labelled as such in the output).
 */
function writeFullSizeEpss(path: string, cves: readonly string[]): number {
  const next = random(26);
  const rows = [
    '#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z',
    'cve,epss,percentile',
  ];
  const ids = [...cves];
  for (let n = 0; ids.length < 300_000; n++) ids.push(`CVE-2019-${String(10000 + n)}`);
  for (const id of ids) rows.push(`${id},${next().toFixed(5)},${next().toFixed(5)}`);
  writeFileSync(path, rows.join('\n') + '\n');
  return ids.length;
}

export async function benchEnrichFleet(): Promise<void> {
  if (!requireSharedData('enrich-fleet')) return;
  const work = mkdtempSync(join(tmpdir(), 'patchgate-bench-'));
  try {
    let started = performance.now();
    execFileSync('tar', [
      '-xJf',
      sharedData('advisories/cve5/vulnrichment-2023-2024.tar.xz'),
      '-C',
      work,
    ]);
    const unpackMs = performance.now() - started;

    const rssBefore = process.memoryUsage().rss;
    started = performance.now();
    const cve5 = await loadEnrichment([work], { kind: 'cve5' });
    const cve5Ms = performance.now() - started;
    const rssAfterCve5 = process.memoryUsage().rss;
    process.stdout.write(
      `cve5   ${cve5.facts.size.toLocaleString('en')} CVEs from the vulnrichment archive in ${seconds(cve5Ms)} ` +
        `(${cve5.errors.length} errors; unpacking with tar took ${seconds(unpackMs)}, not counted); ` +
        `RSS +${mib(rssAfterCve5 - rssBefore)}\n`,
    );

    started = performance.now();
    const kevJson = await loadEnrichment(
      [sharedData('advisories/kev/known_exploited_vulnerabilities.json')],
      { kind: 'kev' },
    );
    const kevJsonMs = performance.now() - started;
    started = performance.now();
    const kevCsv = await loadEnrichment(
      [sharedData('advisories/kev/known_exploited_vulnerabilities.csv')],
      { kind: 'kev' },
    );
    const kevCsvMs = performance.now() - started;
    process.stdout.write(
      `kev    ${kevJson.facts.size.toLocaleString('en')} entries (CSV: ${kevCsv.facts.size.toLocaleString('en')}): JSON ${kevJsonMs.toFixed(0)} ms, CSV ${kevCsvMs.toFixed(0)} ms\n`,
    );

    const epssPath = join(work, 'epss_scores-2026-09-29.csv');
    const rows = writeFullSizeEpss(epssPath, [...cve5.facts.keys(), ...kevJson.facts.keys()]);
    started = performance.now();
    const epss = await loadEnrichment([epssPath], { kind: 'epss' });
    const epssMs = performance.now() - started;
    process.stdout.write(
      `epss   ${rows.toLocaleString('en')} rows (full-size file in the real format, synthetic scores) in ${epssMs.toFixed(0)} ms ` +
        `= ${Math.round(rows / (epssMs / 1000)).toLocaleString('en')} rows/s\n`,
    );

    started = performance.now();
    const facts = mergeFacts(cve5.facts, kevJson.facts, epss.facts);
    process.stdout.write(
      `merge  ${facts.size.toLocaleString('en')} CVEs with facts in ${(performance.now() - started).toFixed(0)} ms\n`,
    );

    const advisories = await loadAllOsv();
    const index = buildAdvisoryIndex(advisories.records);
    const fleet = buildFleet();
    const findings = fleet.flatMap((host) => matchInventory(index, host).findings);
    const policy = findPolicy('bod-26-04');
    if (policy === undefined) throw new Error('bod-26-04 is not registered');
    const exposures: AssetContext['exposure'][] = ['internet', 'internal', 'unknown'];
    const assetFor = (inventory: string): AssetContext => ({
      exposure: exposures[Number(inventory.slice(-1)) % 3] ?? 'unknown',
      tags: [],
    });

    started = performance.now();
    prioritise(findings, { policy, facts: new Map(), assetFor, detectedOn: '2026-11-22' });
    const baselineMs = performance.now() - started;
    started = performance.now();
    const decided = prioritise(findings, { policy, facts, assetFor, detectedOn: '2026-11-22' });
    const enrichMs = performance.now() - started;
    const withFacts = decided.filter((f) => f.prioritisation.drivingCve !== undefined).length;
    const byPriority = new Map<string, number>();
    for (const f of decided)
      byPriority.set(
        f.prioritisation.priority,
        (byPriority.get(f.prioritisation.priority) ?? 0) + 1,
      );
    process.stdout.write(
      `enrich ${findings.length.toLocaleString('en')} findings of ${fleet.length.toLocaleString('en')} hosts prioritised by BOD 26-04 in ${seconds(enrichMs)} ` +
        `= ${Math.round(findings.length / (enrichMs / 1000)).toLocaleString('en')} findings/s; ` +
        `${withFacts.toLocaleString('en')} decided on CVE facts; ` +
        `${[...byPriority]
          .sort()
          .map(([p, n]) => `${p} ${n.toLocaleString('en')}`)
          .join(', ')}\n`,
    );
    process.stdout.write(
      `ratio  with facts / without facts: ${(enrichMs / baselineMs).toFixed(2)}x ` +
        `(baseline: the same findings with no facts in ${seconds(baselineMs)})\n`,
    );
    process.stdout.write(
      `memory process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
