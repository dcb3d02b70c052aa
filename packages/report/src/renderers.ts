/** Every output format, by the name `--format` takes. */
import type { ScanReport } from './model.ts';
import { renderCsv } from './render/csv.ts';
import { renderCycloneDxVex } from './render/cyclonedx-vex.ts';
import { renderJson } from './render/json.ts';
import type { RenderOptions } from './render/options.ts';
import { renderSarif } from './render/sarif.ts';
import { renderTable } from './render/table.ts';

export const reportFormats = ['table', 'json', 'csv', 'sarif', 'cyclonedx-vex'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const renderers: Readonly<
  Record<ReportFormat, (report: ScanReport, options: RenderOptions) => string>
> = {
  table: renderTable,
  json: renderJson,
  csv: renderCsv,
  sarif: renderSarif,
  'cyclonedx-vex': renderCycloneDxVex,
};
