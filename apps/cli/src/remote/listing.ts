/**
 * Tables of server lists: a header row, aligned columns, and a last line with the count, the
 * total when the API knows it, and the `--cursor` of the next page.
 */
import type { CliIo } from '../io.ts';
import { UsageError } from '../io.ts';

/** Aligned columns; the last column is never padded, trailing spaces are trimmed. */
export function writeTable(
  io: CliIo,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  if (rows.length === 0) return;
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd() + '\n';
  io.stdout.write(line(headers.map((h) => h.toUpperCase())));
  for (const row of rows) io.stdout.write(line(row));
}

/** "3 of 120 users; next page: --cursor 100" */
export function pageFooter(
  what: string,
  shown: number,
  page: { readonly total?: number | undefined; readonly nextCursor?: string | null | undefined },
): string {
  const total = page.total ?? shown;
  const noun = total === 1 ? what.replace(/s$/, '') : what;
  const count = total !== shown ? `${shown} of ${total} ${noun}` : `${shown} ${noun}`;
  const next =
    page.nextCursor !== undefined && page.nextCursor !== null
      ? `; next page: --cursor ${page.nextCursor}`
      : '';
  return `${count}${next}\n`;
}

/** `--limit <n>`: a whole number from 1 to `max`, or undefined (the server's default). */
export function limitOption(value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new UsageError(`--limit must be a whole number from 1 to ${max} (got "${value}")`);
  return limit;
}

/** `--cursor` of an offset-paged list (users, tokens): the offset the previous page gave. */
export function offsetCursor(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const offset = Number(value);
  if (!Number.isInteger(offset) || offset < 0)
    throw new UsageError(`--cursor must be the value a previous page printed (got "${value}")`);
  return offset;
}

/** The next offset-page cursor, or null on the last page. */
export function nextOffset(page: {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
}): string | null {
  return page.offset + page.limit < page.total ? String(page.offset + page.limit) : null;
}
