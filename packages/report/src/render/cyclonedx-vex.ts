import { toCycloneDxVex } from '@patchgate/triage';
import type { ScanReport } from '../model.ts';

/**
 * CycloneDX 1.6 VEX: one vulnerability per advisory with its analysis (from VEX statements
 * and the ignore file; `in_triage` when nobody has looked yet). The timestamp is the
 * detection date, so the same scan gives the same document.
 */
export function renderCycloneDxVex(report: ScanReport): string {
  const document = toCycloneDxVex(report.findings, {
    timestamp: `${report.detectedOn}T00:00:00Z`,
    tool: { name: report.tool.name, version: report.tool.version },
  });
  return JSON.stringify(document, null, 2) + '\n';
}
