/**
 * The figures of ADR 0044: how long renderReport takes to print a 1-page and a ~20-page PDF
 * (the first one with the browser's start, then warm), and the memory chromium holds.
 * Run: `node --import tsx apps/server/src/contexts/reports/pdf-measure.ts`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { closeReportRenderer, renderReport } from './render.ts';
import { longDocument, pdfPageCount } from './pdf-test-support.ts';

/**
 * Memory (KiB) of every process descending from this one (the browser and its helpers): PSS
 * from /proc/<pid>/smaps_rollup (shared pages split between the processes sharing them, so the
 * sum is what they cost together), else RSS.
 */
function descendantsMemoryKib(): number {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' }).stdout;
  const rows = ps
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells[3] !== 'ps')
    .map(([pid, ppid, rss]) => ({ pid: Number(pid), ppid: Number(ppid), rss: Number(rss) }));
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows)
      if (ours.has(row.ppid) && !ours.has(row.pid)) {
        ours.add(row.pid);
        grew = true;
      }
  }
  const pss = (pid: number, rss: number): number => {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      return match?.[1] === undefined ? rss : Number(match[1]);
    } catch {
      return rss;
    }
  };
  return rows
    .filter((r) => r.pid !== process.pid && ours.has(r.pid))
    .reduce((sum, r) => sum + pss(r.pid, r.rss), 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed(rows: number): Promise<{ ms: number; pages: number; bytes: number }> {
  const start = performance.now();
  const pdf = await renderReport(longDocument(rows), 'pdf');
  return {
    ms: performance.now() - start,
    pages: pdfPageCount(pdf.bytes),
    bytes: pdf.bytes.length,
  };
}

export async function measurePdfRendering(): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  // Child processes before any browser (tsx's esbuild service when run through tsx).
  const baseline = descendantsMemoryKib();
  const cold = await timed(3);
  const line = (label: string, r: { ms: number; pages: number; bytes: number }) =>
    process.stdout.write(
      `${label}: ${r.ms.toFixed(0)} ms, ${r.pages} page(s), ${(r.bytes / 1024).toFixed(0)} KiB\n`,
    );
  line('first PDF (browser start included), 3 rows', cold);
  for (const rows of [3, 720]) {
    const runs: { ms: number; pages: number; bytes: number }[] = [];
    for (let i = 0; i < 5; i += 1) runs.push(await timed(rows));
    const ms = median(runs.map((r) => r.ms));
    line(`warm, ${rows} rows (median of 5)`, { ...runs[0]!, ms });
  }
  process.stdout.write(
    `chromium processes' PSS after the prints: ${((descendantsMemoryKib() - baseline) / 1024).toFixed(0)} MiB; ` +
      `node RSS grew by ${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MiB\n`,
  );
  await closeReportRenderer();
  process.stdout.write(
    `after closeReportRenderer: ${((descendantsMemoryKib() - baseline) / 1024).toFixed(0)} MiB left in child processes\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await measurePdfRendering();
