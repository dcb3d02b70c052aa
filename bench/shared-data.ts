/** Benchmarks that need the large public data set skip with a message when it is absent. */
import { hasSharedData, sharedDataMissing } from '@patchgate/testing';

export { sharedData } from '@patchgate/testing';

export function requireSharedData(what: string): boolean {
  if (hasSharedData()) return true;
  process.stdout.write(`SKIP ${what}: ${sharedDataMissing}\n`);
  return false;
}
