/** Where the large public data set lives; benchmarks skip with a message when it is absent. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sharedData =
  process.env['PATCHGATE_SHARED_DATA'] ??
  fileURLToPath(new URL('../../shared/data/', import.meta.url));

export function requireSharedData(what: string): boolean {
  if (existsSync(sharedData)) return true;
  process.stdout.write(
    `SKIP ${what}: the shared data set is not at ${sharedData} (set PATCHGATE_SHARED_DATA to its path)\n`,
  );
  return false;
}
