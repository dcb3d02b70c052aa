import type { ScanReport } from '../model.ts';

/** `{"findings":[…], "summary":…, …}`: the whole report, findings first, most urgent first. */
export function renderJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
