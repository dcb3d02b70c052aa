/**
 * Every report type the builders make, rendered in every format with the real components
 * (chromium prints the PDF, poppler reads it back): the PDF holds the title, each figure's
 * label and value as the HTML shows them, each table's first cells and the warnings, numbered
 * pages; the JSON holds every figure and table under its stable name; the CSV's header is the
 * document's columns. The documents come from the builders' own hand-checked worlds (SQLite:
 * the builders' tests cover both databases; rendering does not touch the database).
 */
import { testClock } from '@patchgate/testing';
import type { DocumentFormat, ReportDocument } from '@patchgate/report';
import { csvCellText, csvField, formatCell, formatValue } from '@patchgate/report';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { testApp, testContext } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { buildReport, closeReportRenderer, renderReport } from './index.ts';
import { metricsWorld, novemberPeriod } from './metrics-test-support.ts';
import { NOW, seedWorld } from './builders/test-support.ts';
import { defaultChromiumPath } from './pdf.ts';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pdfPageCount, pdfText, popplerMissing } from './pdf-test-support.ts';

const sqlite = testDatabases().find((d) => d.name === 'sqlite');
const skip =
  sqlite?.skip ??
  (existsSync(defaultChromiumPath())
    ? popplerMissing()
    : `chromium is not installed at ${defaultChromiumPath()} (apt-get install chromium)`);

if (skip !== undefined) console.warn(`report rendering tests skipped: ${skip}`);
const samples = process.env['PATCHGATE_REPORT_SAMPLES'];
if (samples !== undefined) mkdirSync(samples, { recursive: true });

afterAll(closeReportRenderer);

/**
 * What a reader must find in the PDF: the title, the figures' labels and values, the chart
 * titles, the warnings, each table's first short cells (a long one, a UUID or a description,
 * may wrap anywhere in its cell). `phrases` must appear as they are once line breaks are
 * ignored (pdftotext breaks lines where the page wraps a cell); `words` only word by word, as
 * labels of figure cards side by side come out interleaved line by line; `cells` with line
 * breaks and hyphens ignored, where a narrow column wraps them (`DSA-` / `c212db27`).
 */
function expectedText(doc: ReportDocument): {
  phrases: string[];
  words: string[];
  cells: string[];
} {
  const phrases = [doc.title];
  const cells: string[] = [];
  const words = [...doc.warnings];
  for (const section of doc.sections) {
    words.push(section.title);
    for (const block of section.blocks) {
      if (block.kind === 'figures')
        for (const figure of block.figures) {
          words.push(figure.label);
          phrases.push(formatValue(figure.value, figure.unit));
        }
      if (block.kind === 'chart') words.push(block.title);
      if (block.kind === 'table') {
        const first = block.rows[0];
        if (first === undefined && block.empty !== undefined) words.push(block.empty);
        // A table of more than 16 columns (the POA&M) breaks its cells anywhere to fit the page.
        if (first !== undefined && block.columns.length <= 16)
          for (const column of block.columns) {
            const cell = formatCell(first[column.key] ?? null);
            if (cell !== '' && cell.length <= 16) cells.push(cell);
          }
      }
    }
  }
  return { phrases, words, cells };
}

const compact = (text: string) => text.replace(/\s+/g, '');

describe('every report type in every format', () => {
  let database: Database | undefined;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    await database?.close();
    close = undefined;
    database = undefined;
  });

  async function findingsWorld(): Promise<ServerContext> {
    database = await sqlite!.open();
    const ctx = testContext(database, testClock(NOW), { policy: 'bod-26-04' });
    await seedWorld(database);
    return ctx;
  }

  async function metricsOrganisation(): Promise<ServerContext> {
    database = await sqlite!.open();
    const clock = testClock('2026-10-01T00:00:00.000Z');
    const app = await testApp(database, clock);
    close = () => app.app.close();
    const admin = await testCaller(database, ['admin']);
    await metricsWorld(database, app.app, clock, admin);
    clock.set('2026-12-06T12:00:00.000Z');
    return app.context;
  }

  const period = { from: '2026-07-01', to: '2026-11-30' };
  const cases = [
    ['patch-compliance', () => metricsOrganisation(), novemberPeriod],
    ['executive', () => metricsOrganisation(), novemberPeriod],
    ['fedramp-poam', () => findingsWorld(), period],
    ['bod-26-04', () => findingsWorld(), period],
    ['pci-dss', () => findingsWorld(), period],
  ] as const;

  it.skipIf(skip !== undefined).each(cases)(
    '%s',
    { timeout: 120_000 },
    async (type, world, reportPeriod) => {
      const ctx = await world();
      const doc = await buildReport(ctx, { type, period: reportPeriod });
      const out = {} as Record<DocumentFormat, Buffer>;
      for (const format of ['pdf', 'csv', 'json', 'html'] as const) {
        const rendered = await renderReport(doc, format);
        expect(rendered.filename).toMatch(new RegExp(`^${type}-.*\\.${format}$`));
        out[format] = rendered.bytes;
        // PATCHGATE_REPORT_SAMPLES=DIR keeps the files (to look at them, or to show them).
        if (samples !== undefined) writeFileSync(join(samples, rendered.filename), rendered.bytes);
      }

      const pages = pdfPageCount(out.pdf);
      const text = pdfText(out.pdf, { layout: false });
      const { phrases, words, cells } = expectedText(doc);
      const tokens = new Set(text.split(/\s+/));
      for (const phrase of phrases) expect(compact(text)).toContain(compact(phrase));
      // pdftotext drops the hyphen a line ends with (it takes it for hyphenation): `ADV-` / `6`.
      const bare = (t: string) => compact(t).replace(/-/g, '');
      for (const cell of cells) expect(bare(text)).toContain(bare(cell));
      for (const word of words.flatMap((w) => w.split(/\s+/))) expect(tokens).toContain(word);
      const flat = text.replace(/\s+/g, ' ');
      expect(flat).toContain(`Page 1 of ${pages}`);
      expect(flat).toContain(`Page ${pages} of ${pages}`);

      const json = JSON.parse(out.json.toString('utf8')) as Record<string, unknown>;
      expect(json['figures']).toEqual(doc.figures);
      expect(json['inputs']).toEqual(doc.inputs);
      expect(Object.keys(json['tables'] as object).sort()).toEqual(
        doc.sections
          .flatMap((s) => s.blocks)
          .flatMap((b) => (b.kind === 'table' ? [b.name] : []))
          .sort(),
      );

      const csv = out.csv.toString('utf8');
      expect(csv.split('\r\n')[0]).toBe(
        doc.csv.columns.map((c) => csvField(csvCellText(c.label))).join(','),
      );
      expect(csv.endsWith('\r\n')).toBe(true);

      expect(out.html.toString('utf8')).not.toMatch(/<script|\s(src|href)=/i);
    },
  );
});
