/** The reports context's public face (issue 11). */
export type { RenderedReport, RenderReportOptions } from './render.ts';
export { closeReportRenderer, renderReport, reportFilename } from './render.ts';
export { PdfRendererUnavailableError } from './pdf.ts';
