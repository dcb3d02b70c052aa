/**
 * PDF printing (ADR 0044): the HTML renderer's page printed by Debian's chromium, driven by
 * playwright-core (never a downloaded browser). One browser per chromium binary, launched on
 * the first PDF and reused; each PDF gets its own browser context (no cookies or cache shared
 * between reports) with JavaScript off and every request refused, and is closed after it.
 * `closeReportPdfPrinter` closes the browsers at shutdown.
 *
 * playwright-core is imported here only, and only when a PDF is printed: the CLI and a server
 * that never prints a PDF do not load it.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ApiError, problemTypes } from '../../http/problems.ts';

/** The chromium binary: PATCHGATE_CHROMIUM, else Debian's package. */
export function defaultChromiumPath(): string {
  const configured = process.env['PATCHGATE_CHROMIUM'];
  return configured !== undefined && configured !== '' ? configured : '/usr/bin/chromium';
}

/**
 * A PDF cannot be made on this server: chromium is missing or does not start. A 422 answer
 * (the request asks for a format this server cannot make) whose detail says how to fix it;
 * the other formats still work.
 */
export class PdfRendererUnavailableError extends ApiError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(422, 'validation_failed', problemTypes.validation_failed.title, detail, [], options);
    this.name = 'PdfRendererUnavailableError';
  }
}

export interface PrintOptions {
  /** Shown in every page's header. */
  readonly title: string;
  /** Shown in every page's footer beside the page number. */
  readonly generatedAt: string;
  readonly chromium?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The whole print (browser start included); 60 s unless said. */
  readonly timeoutMs?: number | undefined;
}

const browsers = new Map<string, Promise<Browser>>();
let launches = 0;

/** How many browsers this process has launched (tests: one browser serves many PDFs). */
export function pdfPrinterLaunches(): number {
  return launches;
}

function installHint(path: string): string {
  return `Debian's chromium is needed to make PDF reports and was not found at ${path}: install it (apt-get install chromium) or set PATCHGATE_CHROMIUM to a chromium binary; the CSV, JSON and HTML formats work without it`;
}

async function launch(path: string): Promise<Browser> {
  if (!existsSync(path)) throw new PdfRendererUnavailableError(installHint(path));
  const { chromium } = await import('playwright-core');
  launches += 1;
  try {
    const browser = await chromium.launch({
      executablePath: path,
      headless: true,
      // Root in a container has no user namespace for chromium's sandbox.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      timeout: 30_000,
    });
    return browser;
  } catch (error) {
    throw new PdfRendererUnavailableError(
      `chromium at ${path} did not start (${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}); check that it runs (${path} --headless --version) or set PATCHGATE_CHROMIUM to another chromium binary`,
      { cause: error },
    );
  }
}

function sharedBrowser(path: string): Promise<Browser> {
  const existing = browsers.get(path);
  if (existing !== undefined) return existing;
  const started = launch(path);
  browsers.set(path, started);
  const forget = () => {
    if (browsers.get(path) === started) browsers.delete(path);
  };
  // A failed start is not cached: the next PDF tries again (chromium may be installed since);
  // a crashed or killed browser is launched again on the next PDF.
  started.then((browser) => browser.on('disconnected', forget), forget);
  return started;
}

/** Header and footer templates: chromium fills `title`, `pageNumber`, `totalPages` spans. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const templateStyle =
  'font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 8px; color: #5a6272; width: 100%; margin: 0 12mm; display: flex; justify-content: space-between;';

function headerTemplate(title: string): string {
  return `<div style='${templateStyle}'><span>${escape(title)}</span><span>Patchgate</span></div>`;
}

function footerTemplate(generatedAt: string): string {
  return `<div style='${templateStyle}'><span>Generated ${escape(generatedAt)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}

/** The page printed to an A4 PDF with a header (title) and footer (generated at, page x of y). */
export async function printPdf(html: string, options: PrintOptions): Promise<Buffer> {
  const path = options.chromium ?? defaultChromiumPath();
  const timeoutMs = options.timeoutMs ?? 60_000;
  options.signal?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`printing the PDF took longer than ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
      once: true,
    });
  });
  aborted.catch(() => undefined);
  let close: (() => Promise<void>) | undefined;
  try {
    const browser = await Promise.race([sharedBrowser(path), aborted]);
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    close = () => context.close();
    // Nothing leaves the page: the HTML is self-contained and its CSP refuses fetching too.
    await context.route('**/*', (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    const pdf = Promise.resolve().then(async () => {
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      return page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: headerTemplate(options.title),
        footerTemplate: footerTemplate(options.generatedAt),
        margin: { top: '18mm', right: '12mm', bottom: '16mm', left: '12mm' },
        outline: true,
        tagged: true,
      });
    });
    return await Promise.race([pdf, aborted]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await close?.().catch(() => undefined);
  }
}

/** Close the shared browsers (at shutdown); the next PDF launches one again. */
export async function closeReportPdfPrinter(): Promise<void> {
  const started = [...browsers.values()];
  browsers.clear();
  await Promise.all(
    started.map(async (browser) => {
      try {
        await (await browser).close();
      } catch {
        // It never started, or is gone already.
      }
    }),
  );
}
