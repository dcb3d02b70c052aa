/**
 * `npm run bench`: every benchmark, figures and ratios against a baseline measured in the
 * same process. Targets are reported here, never asserted in unit tests.
 */
import { benchCli } from './cli.ts';
import { benchCvss } from './cvss.ts';
import { benchEnrichFleet } from './enrich-fleet.ts';
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
  'rollout-engine': benchRolloutEngine,
};

const only = process.argv.slice(2);
for (const [name, bench] of Object.entries(benchmarks)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`\n## ${name}\n`);
  await bench();
}
