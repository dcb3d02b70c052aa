/**
 * Benchmark: does a big upload stall the server? A real `patchgate server` process (the built
 * CLI, on a fresh SQLite data directory) with the Debian advisories synced; a 50 MB dpkg
 * status (the real bookworm host's, its packages copied under new names) is uploaded while
 * another client asks `/healthz` every 20 ms. Reported: `/healthz` latency while idle (the
 * baseline, same run), during the upload, and during the reconcile it queues (matching the
 * 57,000 packages), with ratios to the baseline.
 *
 * PATCHGATE_BENCH_UPLOAD_MB (default 50); PATCHGATE_BENCH_UPLOAD_BIN: another build of the
 * CLI to measure (an older commit's `apps/cli/bin/patchgate.js`, for a before/after).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminPassword, adminToken } from '../apps/server/test/server-process.ts';
import { requireSharedData, sharedData } from './shared-data.ts';

const megabytes = Number(process.env['PATCHGATE_BENCH_UPLOAD_MB'] ?? 50);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const bin = process.env['PATCHGATE_BENCH_UPLOAD_BIN'] ?? `${repoRoot}apps/cli/bin/patchgate.js`;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** The real host's stanzas, copied under new package names until the text is big enough. */
function bigStatus(bytes: number): { text: string; packages: number } {
  const stanzas = readFileSync(sharedData('inventories/debian-bookworm-host/dpkg-status'), 'utf8')
    .split(/\n\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: string[] = [];
  let size = 0;
  for (let copy = 0; size < bytes; copy++) {
    for (const stanza of stanzas) {
      const text = copy === 0 ? stanza : stanza.replace(/^Package: (\S+)/m, `Package: $1-c${copy}`);
      out.push(text);
      size += text.length + 2;
    }
  }
  return { text: out.join('\n\n') + '\n', packages: out.length };
}

/** Ask /healthz every `everyMs` until stopped; the latencies in ms. */
function probeHealth(url: string, everyMs = 20) {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
      times.push(performance.now() - started);
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return times.sort((a, b) => a - b);
    },
  };
}

async function startServer(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [bin, 'server', '--port', '0', '--log-level', 'warn', '--data-dir', dataDir],
    {
      env: {
        ...process.env,
        PATCHGATE_ADMIN_USERNAME: 'admin',
        PATCHGATE_ADMIN_PASSWORD: adminPassword,
        PATCHGATE_PASSWORD_HASH_COST: '10',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function benchServerUpload(): Promise<void> {
  if (!requireSharedData('server-upload')) return;
  const debian = sharedData('advisories/osv/Debian-derived-2023/all.zip');
  if (!existsSync(bin)) {
    say(`SKIP server-upload: ${bin} is absent (npm run build)`);
    return;
  }
  const { text, packages } = bigStatus(megabytes * 1_000_000);
  say(
    `upload ${(text.length / 1e6).toFixed(1)} MB dpkg status, ${packages.toLocaleString('en')} packages; server ${bin}`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'patchgate-bench-upload-'));
  const server = await startServer(dataDir);
  try {
    const token = await adminToken(server.url);
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const waitForJob = async (id: string) => {
      for (;;) {
        const job = await api('GET', `/api/v1/jobs/${id}`);
        if (job.body['state'] === 'succeeded' || job.body['state'] === 'failed') return job.body;
        await sleep(100);
      }
    };
    if (existsSync(debian)) {
      const source = await api('POST', '/api/v1/advisory-sources', {
        name: 'osv-debian',
        kind: 'osv-zip',
        path: debian,
      });
      const sync = await api('POST', `/api/v1/advisory-sources/${String(source.body['id'])}/sync`);
      await waitForJob(String(sync.body['jobId']));
    }
    const asset = await api('POST', '/api/v1/assets', { name: 'big-01', osRelease: 'Debian:11' });
    const assetId = String(asset.body['id']);
    // Let the sync's own reconcile-all settle before measuring.
    await sleep(3000);

    const idle = probeHealth(server.url);
    await sleep(2000);
    const idleTimes = await idle.stop();

    const during = probeHealth(server.url);
    let started = performance.now();
    const upload = await fetch(
      `${server.url}/api/v1/assets/${assetId}/inventory?format=dpkg-status&name=status`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: text,
      },
    );
    const uploadMs = performance.now() - started;
    const uploadTimes = await during.stop();
    if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${await upload.text()}`);

    // The reconcile the upload queued (through its event): healthz while it matches.
    const reconciling = probeHealth(server.url);
    started = performance.now();
    let reconcile: Record<string, unknown> | undefined;
    while (reconcile === undefined) {
      const jobs = await api('GET', '/api/v1/jobs?kind=findings.reconcile-asset&limit=1');
      const job = (jobs.body['jobs'] as Record<string, unknown>[] | undefined)?.[0];
      if (job?.['state'] === 'succeeded' || job?.['state'] === 'failed') reconcile = job;
      else await sleep(100);
    }
    const reconcileMs = performance.now() - started;
    const reconcileTimes = await reconciling.stop();

    const row = (label: string, times: readonly number[]) =>
      `${label.padEnd(26)} ${String(times.length).padStart(6)} ${percentile(times, 50).toFixed(1).padStart(8)} ` +
      `${percentile(times, 99).toFixed(1).padStart(8)} ${(times.at(-1) ?? Number.NaN).toFixed(1).padStart(8)}`;
    say(`/healthz latency (ms), asked every 20 ms:`);
    say(
      `${'while'.padEnd(26)} ${'asks'.padStart(6)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`,
    );
    say(row('idle (baseline)', idleTimes));
    say(row(`upload (${(uploadMs / 1000).toFixed(1)} s)`, uploadTimes));
    say(
      row(
        `reconcile (${(reconcileMs / 1000).toFixed(1)} s, ${String(reconcile['state'])})`,
        reconcileTimes,
      ),
    );
    const base = percentile(idleTimes, 99);
    say(
      `ratio  worst /healthz vs idle p99: upload ${((uploadTimes.at(-1) ?? 0) / base).toFixed(1)}x, ` +
        `reconcile ${((reconcileTimes.at(-1) ?? 0) / base).toFixed(1)}x`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
