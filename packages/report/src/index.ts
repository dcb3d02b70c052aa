export type {
  AdvisorySummary,
  EnrichmentSummary,
  FailOn,
  Gate,
  InventorySummary,
  ReportContext,
  ReportedFinding,
  ReportSeverity,
  ScanReport,
} from './model.ts';
export {
  breaksGate,
  buildScanReport,
  countBy,
  failOnThresholds,
  failOnValues,
  isSuppressed,
  parseGate,
  reportSeverities,
  severityOf,
} from './model.ts';
export type { RenderOptions } from './render/options.ts';
export type { ReportFormat } from './renderers.ts';
export { renderers, reportFormats } from './renderers.ts';
export { renderCsv } from './render/csv.ts';
export { renderCycloneDxVex } from './render/cyclonedx-vex.ts';
export { renderJson } from './render/json.ts';
export { artifactLocation, renderSarif, sourceRootId } from './render/sarif.ts';
export { alignColumns, renderTable } from './render/table.ts';
export type {
  Cell,
  ChartSeries,
  DocumentFormat,
  ReportBlock,
  ReportDocument,
  ReportFigure,
  ReportInputs,
  ReportSection,
  ReportType,
  TableColumn,
} from './documents/model.ts';
export { documentFormats, reportTypes } from './documents/model.ts';
export { renderDocumentCsv, renderCsvTable, csvCellText, csvField } from './documents/csv.ts';
export type { ReportDocumentJson } from './documents/json.ts';
export { documentJson, documentTables, renderDocumentJson } from './documents/json.ts';
export { documentContentSecurityPolicy, renderDocumentHtml } from './documents/html.ts';
export { renderChartSvg } from './documents/charts.ts';
export type { ChartBlock } from './documents/charts.ts';
export { formatCell, formatValue } from './documents/format.ts';
