/**
 * Tests read PDFs with poppler-utils (Debian's `poppler-utils`, installed by .ci/run): the text
 * as `pdftotext -layout` extracts it and the page count `pdfinfo` reports. A real extractor,
 * so a test sees what a reader's tools see.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the PDF tests cannot run here, or undefined when pdftotext and pdfinfo are installed. */
export function popplerMissing(): string | undefined {
  const missing = ['pdftotext', 'pdfinfo'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  return missing.length === 0
    ? undefined
    : `${missing.join(' and ')} not installed (.ci/run installs them: apt-get install poppler-utils)`;
}

function withFile<T>(bytes: Uint8Array, use: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-pdf-'));
  try {
    const path = join(dir, 'report.pdf');
    writeFileSync(path, bytes);
    return use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0)
    throw new Error(`${tool} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** The text of the PDF (pages `first`…`last`, 1-based, when given), layout kept. */
export function pdfText(bytes: Uint8Array, pages?: { first?: number; last?: number }): string {
  return withFile(bytes, (path) =>
    run('pdftotext', [
      '-layout',
      '-enc',
      'UTF-8',
      ...(pages?.first === undefined ? [] : ['-f', String(pages.first)]),
      ...(pages?.last === undefined ? [] : ['-l', String(pages.last)]),
      path,
      '-',
    ]),
  );
}

/** What `pdfinfo` says about the PDF: `Pages`, `Page size`, `Title`, `Tagged`… */
export function pdfInfo(bytes: Uint8Array): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of withFile(bytes, (path) => run('pdfinfo', [path])).split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match?.[1] !== undefined) info[match[1]] = match[2] ?? '';
  }
  return info;
}

export function pdfPageCount(bytes: Uint8Array): number {
  const pages = Number(pdfInfo(bytes)['Pages']);
  if (!Number.isInteger(pages)) throw new Error('pdfinfo reported no page count');
  return pages;
}
