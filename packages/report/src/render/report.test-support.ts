/**
 * A scan report of real data for the renderers' tests: inventories against OSV files through
 * the one scan pipeline, with VEX documents, under the default policy on a fixed day.
 */
import type { Inventory } from '@patchgate/inventory';
import { buildAdvisoryIndex } from '@patchgate/matcher';
import { loadAdvisories } from '@patchgate/osv/node';
import { defaultPolicy } from '@patchgate/policy';
import { runScanPipeline } from '@patchgate/scan-pipeline';
import { parseVex } from '@patchgate/triage';
import type { ScanReport } from '../model.ts';
import { buildScanReport } from '../model.ts';

/** A VEX document's text and the name its statements cite. */
export type VexDocument = readonly [text: string, name: string];

export async function scanReportOf(
  inventories: readonly Inventory[],
  advisoryPaths: string[],
  vexDocuments: readonly VexDocument[] = [],
): Promise<ScanReport> {
  const loaded = await loadAdvisories(advisoryPaths);
  const index = buildAdvisoryIndex(loaded.records);
  const vex = vexDocuments.flatMap(([text, name]) => {
    const parsed = parseVex(text, name);
    if (!parsed.ok) throw new Error(parsed.error);
    return [...parsed.statements];
  });
  const result = await runScanPipeline({
    targets: inventories.map((inventory) => ({ inventory })),
    index,
    facts: new Map(),
    policy: defaultPolicy,
    assetFor: () => ({ exposure: 'unknown', tags: [] }),
    today: '2026-11-22',
    triage: { vex, ignores: [] },
  });
  return buildScanReport(result, {
    gate: { failOn: 'any', coverage: false },
    policy: { id: defaultPolicy.id, name: defaultPolicy.name, version: defaultPolicy.version },
    detectedOn: '2026-11-22',
    advisories: { records: index.records, withdrawn: index.withdrawn, errors: 0, sources: [] },
    enrichment: { cves: 0, errors: 0, sources: [] },
    tool: { name: 'patchgate', version: '0.1.0' },
  });
}
