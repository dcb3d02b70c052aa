/**
 * renderReport with the real components: Debian's chromium prints the PDF (through
 * playwright-core), poppler's pdfinfo and pdftotext read it back. A document long enough for
 * several pages: page count, A4, title, figures and cells in the text, page x of y in the
 * footer, the table header repeated on the next page. The HTML, opened in chromium with
 * JavaScript on, makes no request at all.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportDocument } from '@patchgate/report';
import { renderDocumentHtml } from '@patchgate/report';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { closeReportRenderer, PdfRendererUnavailableError, renderReport } from './index.ts';
import { defaultChromiumPath, pdfPrinterLaunches } from './pdf.ts';
import {
  longDocument,
  pdfInfo,
  pdfPageCount,
  pdfText,
  popplerMissing,
} from './pdf-test-support.ts';

const chromiumPath = defaultChromiumPath();
const skip = existsSync(chromiumPath)
  ? popplerMissing()
  : `chromium is not installed at ${chromiumPath} (.ci/run installs it: apt-get install chromium)`;
if (skip !== undefined) console.warn(`PDF rendering tests skipped: ${skip}`);

afterAll(closeReportRenderer);

describe('PDF', () => {
  it.skipIf(skip !== undefined)(
    'prints a long document on several A4 pages with its title, figures, cells and page x of y',
    async () => {
      const doc = longDocument(150);
      const launchesBefore = pdfPrinterLaunches();
      const pdf = await renderReport(doc, 'pdf');
      expect(pdf.contentType).toBe('application/pdf');
      expect(pdf.filename).toBe('patch-compliance-web-2026-09-01-to-2026-11-30.pdf');
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const pages = pdfPageCount(pdf.bytes);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(pdfInfo(pdf.bytes)['Page size']).toMatch(/^59\d\.\d+ x 84\d\.\d+ pts \(A4\)$/);

      const text = pdfText(pdf.bytes);
      for (const expected of [
        'Patch compliance Q4 team web',
        'No inventory reported for asset group db in the period: enrol its agents.',
        '1,234',
        '81.3 %',
        'Changes by outcome per month',
        'target 20',
        'web-001',
        'CVE-2026-10000',
        'web-150',
        'CVE-2026-10149',
        `Page 1 of ${pages}`,
        `Page ${pages} of ${pages}`,
        'Generated 2026-12-01T06:00:00.000Z',
      ])
        expect(text).toContain(expected);
      // Every row once: none lost or printed twice at a page break.
      for (let i = 1; i <= 150; i += 1)
        expect(text.match(new RegExp(`web-${String(i).padStart(3, '0')}\\b`, 'g'))).toHaveLength(1);

      // The table goes on over the next pages, each starting with its header again.
      const page2 = pdfText(pdf.bytes, { first: 2, last: 2 });
      const page3 = pdfText(pdf.bytes, { first: 3, last: 3 });
      for (const page of [page2, page3]) {
        expect(page).toContain('Patch compliance Q4 team web');
        expect(page).toMatch(/Asset\s+Package\s+Advisory\s+Due date\s+Days overdue/);
      }
      expect(page2).toContain(`Page 2 of ${pages}`);

      // A second PDF is printed by the same browser.
      const short = await renderReport(longDocument(3), 'pdf');
      expect(pdfPageCount(short.bytes)).toBe(1);
      expect(pdfText(short.bytes)).toContain('web-003');
      expect(pdfPrinterLaunches() - launchesBefore).toBeLessThanOrEqual(1);
    },
  );

  it.skipIf(skip !== undefined)(
    'prints PDFs side by side in one browser, each with its own content',
    async () => {
      await renderReport(longDocument(1), 'pdf');
      const before = pdfPrinterLaunches();
      const pdfs = await Promise.all(
        [4, 5, 6].map((rows) => renderReport(longDocument(rows), 'pdf')),
      );
      expect(
        pdfs.map((pdf) => {
          const text = pdfText(pdf.bytes);
          return [4, 5, 6, 7].filter((n) => text.includes(`web-00${n}`));
        }),
      ).toEqual([[4], [4, 5], [4, 5, 6]]);
      expect(pdfPrinterLaunches()).toBe(before);
    },
  );

  it.skipIf(skip !== undefined)('launches the browser again after it was closed', async () => {
    await renderReport(longDocument(1), 'pdf');
    await closeReportRenderer();
    const before = pdfPrinterLaunches();
    const pdf = await renderReport(longDocument(1), 'pdf');
    expect(pdfText(pdf.bytes)).toContain('web-001');
    expect(pdfPrinterLaunches()).toBe(before + 1);
  });

  it.skipIf(skip !== undefined)('gives up when the print takes longer than its limit', async () => {
    await expect(renderReport(longDocument(2000), 'pdf', { timeoutMs: 50 })).rejects.toThrow(
      /printing the PDF took longer than 50 ms/,
    );
    // The browser is still usable afterwards.
    const pdf = await renderReport(longDocument(2), 'pdf');
    expect(pdfText(pdf.bytes)).toContain('web-002');
  });

  it('stops at once when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('the run was cancelled'));
    await expect(
      renderReport(longDocument(2), 'pdf', { signal: controller.signal }),
    ).rejects.toThrow('the run was cancelled');
  });

  it('says how to install chromium when it is missing, and the other formats still work', async () => {
    const missing = '/nonexistent/chromium';
    const error: unknown = await renderReport(longDocument(2), 'pdf', { chromium: missing }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PdfRendererUnavailableError);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((error as Error).message).toBe(
      "Debian's chromium is needed to make PDF reports and was not found at /nonexistent/chromium: install it (apt-get install chromium) or set PATCHGATE_CHROMIUM to a chromium binary; the CSV, JSON and HTML formats work without it",
    );
    const csv = await renderReport(longDocument(2), 'csv', { chromium: missing });
    expect(csv).toEqual({
      bytes: Buffer.from('Asset,Advisory\r\nweb-001,CVE-2026-10000\r\nweb-002,CVE-2026-10001\r\n'),
      contentType: 'text/csv; charset=utf-8; header=present',
      filename: 'patch-compliance-web-2026-09-01-to-2026-11-30.csv',
    });
  });

  it('names a change report by its change number', async () => {
    const doc = longDocument(1);
    const json = await renderReport(
      {
        ...doc,
        type: 'change',
        inputs: {
          ...doc.inputs,
          type: 'change',
          period: null,
          scope: {},
          change: { id: 'c1', number: 'CHG-0042' },
        },
      },
      'json',
    );
    expect(json.filename).toBe('change-CHG-0042.json');
    expect(json.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(json.bytes.toString('utf8'))).toMatchObject({
      type: 'change',
      figures: { openFindings: 1234, slaCompliance: 0.8125 },
      tables: { overdue: [{ asset: 'web-001', advisory: 'CVE-2026-10000' }] },
    });
  });
});

describe('HTML in chromium', () => {
  /** Every request a page makes while loading `html` (JavaScript on), each refused. */
  async function requestsOf(html: string): Promise<string[]> {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      // Let late loads (fonts, lazy images) start, if there were any.
      await page.waitForLoadState('networkidle');
      return requests;
    } finally {
      await browser.close();
    }
  }

  it.skipIf(skip !== undefined)('makes no request: the page is self-contained', async () => {
    const doc = longDocument(40);
    // Data that looks like markup stays text.
    const hostile: ReportDocument = {
      ...doc,
      warnings: [...doc.warnings, '<img src="http://203.0.113.9/w.png">'],
      sections: [
        ...doc.sections,
        {
          title: 'Notes <link rel="stylesheet" href="http://203.0.113.9/s.css">',
          blocks: [{ kind: 'text', text: '<iframe src="http://203.0.113.9/"></iframe>' }],
        },
      ],
    };
    expect(await requestsOf(renderDocumentHtml(hostile))).toEqual([]);
    // The check sees a request when a page makes one (the same markup, not escaped).
    expect(await requestsOf('<!doctype html><img src="http://203.0.113.9/w.png"><p>x</p>')).toEqual(
      ['http://203.0.113.9/w.png'],
    );
  });
});

describe('loading', () => {
  const serverSrc = fileURLToPath(new URL('../../', import.meta.url));
  const cliSrc = fileURLToPath(new URL('../../../../cli/src/', import.meta.url));

  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sources(path);
      return /\.tsx?$/.test(name) && !/\.test(-support)?\.ts$/.test(name) ? [path] : [];
    });
  }

  it('loads playwright-core only in pdf.ts, and only when a PDF is printed', () => {
    const loaders = [...sources(serverSrc), ...sources(cliSrc)].filter((path) => {
      const text = readFileSync(path, 'utf8');
      return (
        /^import(?!\s+type\b)[^;]*from\s+'playwright-core'/m.test(text) ||
        text.includes("import('playwright-core')")
      );
    });
    expect(loaders.map((path) => path.slice(serverSrc.length))).toEqual([
      'contexts/reports/pdf.ts',
    ]);
    const pdf = readFileSync(join(serverSrc, 'contexts/reports/pdf.ts'), 'utf8');
    expect(pdf).not.toMatch(/^import(?!\s+type\b)[^;]*from\s+'playwright-core'/m);
    expect(pdf).toContain("await import('playwright-core')");
  });
});
