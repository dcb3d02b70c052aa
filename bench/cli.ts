/**
 * `npm run bench -- cli`: the `patchgate` executable's start-up, as a user meets it. Wall time
 * of whole processes (median of several runs), as ratios against `node -e 0` measured in the
 * same run: `--version` (target: within 2x of node -e 0), `scan --help` (loads the scan
 * command only) and a one-shot scan of one real lockfile (OWASP NodeGoat's package-lock.json
 * from the shared data) against the repository's example advisories.
 *
 * Reference, not run here (osv-scanner is not installable on this machine): issue 7 measured
 * osv-scanner v1.4.3 at 0.31 s for a one-lockfile scan, with `node -e 0` at 0.10 s on the same
 * machine; the target for Patchgate's scan is within 1.2x of that.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireSharedData, sharedData } from './shared-data.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = `${root}apps/cli/bin/patchgate.js`;
const runs = Number(process.env['PATCHGATE_BENCH_CLI_RUNS'] ?? 11);

/** Wall-clock milliseconds of one run of `node <args>`. */
function once(args: readonly string[], expectStatus: readonly number[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (!expectStatus.includes(result.status ?? -1))
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const median = (times: number[]): number =>
  [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Number.NaN;

export function benchCli(): Promise<void> {
  if (!existsSync(`${root}apps/cli/dist/patchgate.mjs`)) {
    process.stdout.write('SKIP cli: the CLI is not built (npm run build)\n');
    return Promise.resolve();
  }
  const rows: [string, readonly string[], readonly number[], string?][] = [
    ['node -e 0', ['-e', '0'], [0]],
    ['patchgate --version', [bin, '--version'], [0], 'target ≤ 2.0x'],
    ['patchgate scan --help', [bin, 'scan', '--help'], [0]],
  ];
  const lockfile = sharedData('lockfiles/NodeGoat/package-lock.json');
  if (requireSharedData('cli one-lockfile scan')) {
    rows.push([
      'patchgate scan <NodeGoat package-lock.json>',
      [bin, 'scan', lockfile, '--advisories', 'examples/advisories', '--quiet'],
      [0, 1],
      'osv-scanner: 0.31 s (issue 7)',
    ]);
  }
  // PATCHGATE_BENCH_CLI_BEFORE=<another build's bin/patchgate.js>: the same rows for it, in
  // the same run (how the before/after figures of issue 7 were taken).
  const before = process.env['PATCHGATE_BENCH_CLI_BEFORE'];
  if (before !== undefined) {
    for (const [name, args, status, note] of [...rows.slice(1)]) {
      rows.push([
        `${name} (before)`,
        args.map((arg) => (arg === bin ? before : arg)),
        status,
        note,
      ]);
    }
  }
  // Rows take turns within each round, so a machine's changing load weighs on all alike.
  const times = rows.map(() => [] as number[]);
  for (let round = 0; round <= runs; round++) {
    rows.forEach(([, args, status], row) => {
      const ms = once(args, status);
      if (round > 0) times[row]?.push(ms); // round 0 warms the file cache
    });
  }
  const baseline = median(times[0] ?? []);
  rows.forEach(([name, , , note], row) => {
    const ms = median(times[row] ?? []);
    process.stdout.write(
      `cli    ${name.padEnd(55)} ${(ms / 1000).toFixed(3)} s  ${(ms / baseline).toFixed(2)}x node -e 0${note === undefined ? '' : `  (${note})`}\n`,
    );
  });
  process.stdout.write(
    `cli    median of ${runs} rounds (the rows take turns in each), after one warm-up round\n`,
  );
  return Promise.resolve();
}
