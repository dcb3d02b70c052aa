/**
 * The CSV form of a report document: its `csv` table (for `fedramp-poam`, the POA&M template's
 * columns), RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, a header line
 * of the columns' labels, a field quoted when it holds a comma, a quote or a line break, quotes
 * doubled.
 *
 * Formula injection (CWE-1236, https://owasp.org/www-community/attacks/CSV_Injection): a
 * spreadsheet runs a text cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
 * carriage return) as a formula, and report cells carry text from outside — package names,
 * advisory summaries, host names. Such a text cell gets a leading `'`, OWASP's advice, which a
 * spreadsheet shows as text. Numbers stay numbers (a negative number is not a formula).
 */
import type { Cell, ReportDocument, TableColumn } from './model.ts';

const formulaStart = /^[=+\-@\t\r]/;

/** A cell as CSV text before quoting: empty for null, `true`/`false`, formula-safe text. */
export function csvCellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

/** RFC 4180 §2.6–2.7: quote a field holding a comma, a quote or a line break; double quotes. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsvTable(
  columns: readonly TableColumn[],
  rows: readonly Readonly<Record<string, Cell>>[],
): string {
  const header = columns.map((c) => csvField(csvCellText(c.label))).join(',');
  const lines = rows.map((row) =>
    columns.map((c) => csvField(csvCellText(row[c.key] ?? null))).join(','),
  );
  return [header, ...lines].join('\r\n') + '\r\n';
}

/** The document's `csv` table: a header line of the column labels, one line per row. */
export function renderDocumentCsv(document: ReportDocument): string {
  return renderCsvTable(document.csv.columns, document.csv.rows);
}
