/**
 * Tests read PDFs with poppler-utils (Debian's `poppler-utils`, installed by .ci/run): the text
 * as `pdftotext -layout` extracts it and the page count `pdfinfo` reports. A real extractor,
 * so a test sees what a reader's tools see.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportDocument } from '@patchgate/report';

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

/**
 * The text of the PDF (pages `first`…`last`, 1-based, when given): with its layout kept
 * (columns side by side, the default), or in reading order (`layout: false`: a wrapped label's
 * lines follow each other).
 */
export function pdfText(
  bytes: Uint8Array,
  options?: { first?: number; last?: number; layout?: boolean },
): string {
  const pages = options;
  return withFile(bytes, (path) =>
    run('pdftotext', [
      ...(options?.layout === false ? [] : ['-layout']),
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

/** A patch compliance document whose overdue table has `rows` rows (web-001, web-002…). */
export function longDocument(rows: number): ReportDocument {
  const overdue = Array.from({ length: rows }, (_, i) => ({
    asset: `web-${String(i + 1).padStart(3, '0')}`,
    package: i % 2 === 0 ? 'openssl' : 'libxml2',
    advisory: `CVE-2026-${String(10000 + i)}`,
    due: '2026-11-01',
    days: 30 - (i % 30),
  }));
  return {
    type: 'patch-compliance',
    title: 'Patch compliance Q4 team web',
    inputs: {
      type: 'patch-compliance',
      period: { from: '2026-09-01', to: '2026-11-30' },
      scope: { team: 'web' },
      policy: { id: 'default', name: 'Default policy' },
      dataAsOf: '2026-12-01T00:00:00.000Z',
    },
    generatedAt: '2026-12-01T06:00:00.000Z',
    figures: { openFindings: 1234, slaCompliance: 0.8125 },
    sections: [
      {
        title: 'Summary',
        blocks: [
          {
            kind: 'figures',
            figures: [
              { name: 'openFindings', label: 'Open findings', value: 1234, unit: 'count' },
              {
                name: 'slaCompliance',
                label: 'SLA compliance',
                value: 0.8125,
                unit: 'ratio',
                status: 'bad',
              },
            ],
          },
          {
            kind: 'chart',
            chart: 'stacked-bar',
            title: 'Changes by outcome per month',
            target: 20,
            series: [
              {
                name: 'succeeded',
                points: [
                  { x: '2026-09', y: 14 },
                  { x: '2026-10', y: 18 },
                  { x: '2026-11', y: 21 },
                ],
              },
              {
                name: 'failed',
                points: [
                  { x: '2026-09', y: 2 },
                  { x: '2026-10', y: 1 },
                  { x: '2026-11', y: 3 },
                ],
              },
            ],
          },
        ],
      },
      {
        title: 'Overdue findings',
        blocks: [
          {
            kind: 'table',
            name: 'overdue',
            columns: [
              { key: 'asset', label: 'Asset' },
              { key: 'package', label: 'Package' },
              { key: 'advisory', label: 'Advisory' },
              { key: 'due', label: 'Due date' },
              { key: 'days', label: 'Days overdue' },
            ],
            rows: overdue,
          },
        ],
      },
    ],
    csv: {
      columns: [
        { key: 'asset', label: 'Asset' },
        { key: 'advisory', label: 'Advisory' },
      ],
      rows: overdue,
    },
    warnings: ['No inventory reported for asset group db in the period: enrol its agents.'],
  };
}
