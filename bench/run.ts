/**
 * `npm run bench`: every benchmark, figures and ratios against a baseline measured in the
 * same process. Targets are reported here, never asserted in unit tests.
 */
import { benchCli } from './cli.ts';
import { benchCvss } from './cvss.ts';
import { benchEnrichFleet } from './enrich-fleet.ts';
import { benchFleet } from './fleet-bench.ts';
import { benchRolloutEngine } from './rollout-engine.ts';
import { benchScanFleet } from './scan-fleet.ts';
import { benchServer } from './server.ts';
import { benchServerUpload } from './server-upload.ts';

const benchmarks: Record<string, () => Promise<void>> = {
  'scan-fleet': benchScanFleet,
  'enrich-fleet': benchEnrichFleet,
  cvss: benchCvss,
  server: benchServer,
  cli: benchCli,
  'server-upload': benchServerUpload,
  fleet: benchFleet,
  'rollout-engine': benchRolloutEngine,
};

// Names select benchmarks; flags (--agents 1000, --database=sqlite) are the benchmarks' own.
const args = process.argv.slice(2);
const only = args.filter(
  (arg, i) =>
    !arg.startsWith('--') && !(args[i - 1]?.startsWith('--') && !args[i - 1]?.includes('=')),
);
for (const [name, bench] of Object.entries(benchmarks)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`\n## ${name}\n`);
  await bench();
}
