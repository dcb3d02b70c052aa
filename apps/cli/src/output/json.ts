import type { ScanReport } from '../report.ts';

/** `{"findings":[…], "summary":…, "inventories":…, "advisories":…, "notes":…}`, stable order. */
export function renderJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
