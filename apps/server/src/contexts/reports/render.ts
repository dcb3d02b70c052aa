/**
 * A report document into the bytes of one format (issue 11, ADR 0044): JSON, CSV and HTML
 * from @patchgate/report's pure renderers; PDF is the HTML printed by chromium (`pdf.ts`,
 * which loads playwright-core only when a PDF is asked for).
 */
import type { DocumentFormat, ReportDocument } from '@patchgate/report';
import { renderDocumentCsv, renderDocumentHtml, renderDocumentJson } from '@patchgate/report';
import { closeReportPdfPrinter, printPdf } from './pdf.ts';

export interface RenderedReport {
  readonly bytes: Buffer;
  readonly contentType: string;
  /** `patch-compliance-2026-09-01-to-2026-11-30.pdf`, `change-CHG-0001.csv`. */
  readonly filename: string;
}

export interface RenderReportOptions {
  /** The chromium binary for PDFs (default PATCHGATE_CHROMIUM, else /usr/bin/chromium). */
  readonly chromium?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The PDF print's limit, browser start included (default 60 s). */
  readonly timeoutMs?: number | undefined;
}

const contentTypes: Readonly<Record<DocumentFormat, string>> = {
  pdf: 'application/pdf',
  // RFC 4180 §3: the header parameter says the first line names the columns.
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** A file name from the report's type and what it covers: letters, digits, `-`, `.` only. */
export function reportFilename(document: ReportDocument, format: DocumentFormat): string {
  const { inputs } = document;
  const covers =
    inputs.change !== undefined
      ? inputs.change.number
      : inputs.period !== null
        ? `${inputs.period.from}-to-${inputs.period.to}`
        : inputs.dataAsOf.slice(0, 10);
  const scope = [inputs.scope.team, inputs.scope.environment, inputs.scope.assetGroup]
    .filter((part) => part !== undefined)
    .join('-');
  const stem = [document.type, scope, covers]
    .filter((part) => part !== '')
    .join('-')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return `${stem}.${format}`;
}

export async function renderReport(
  document: ReportDocument,
  format: DocumentFormat,
  options: RenderReportOptions = {},
): Promise<RenderedReport> {
  const rendered = (bytes: Buffer): RenderedReport => ({
    bytes,
    contentType: contentTypes[format],
    filename: reportFilename(document, format),
  });
  switch (format) {
    case 'json':
      return rendered(Buffer.from(renderDocumentJson(document), 'utf8'));
    case 'csv':
      return rendered(Buffer.from(renderDocumentCsv(document), 'utf8'));
    case 'html':
      return rendered(Buffer.from(renderDocumentHtml(document), 'utf8'));
    case 'pdf': {
      return rendered(
        await printPdf(renderDocumentHtml(document), {
          title: document.title,
          generatedAt: document.generatedAt,
          chromium: options.chromium,
          signal: options.signal,
          timeoutMs: options.timeoutMs,
        }),
      );
    }
  }
}

/** Close the browser PDFs are printed with (at shutdown); nothing to do if none was started. */
export function closeReportRenderer(): Promise<void> {
  return closeReportPdfPrinter();
}
