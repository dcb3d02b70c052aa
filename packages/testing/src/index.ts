/**
 * Where the large public data set lives (`../shared/data` beside the repository, or
 * PATCHGATE_SHARED_DATA). Tests and benchmarks that need it skip with a clear message when
 * it is absent; small fixtures are committed beside the tests instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sharedDataRoot: string =
  process.env['PATCHGATE_SHARED_DATA'] ??
  fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** Absolute path of a file or folder inside the shared data set. */
export function sharedData(relative = ''): string {
  return join(sharedDataRoot, relative);
}

/** True when the shared data set is present; the message to skip with otherwise. */
export function hasSharedData(relative = ''): boolean {
  return existsSync(sharedData(relative));
}

export const sharedDataMissing = `the public data set is not at ${sharedDataRoot} (set PATCHGATE_SHARED_DATA)`;

export type { TestClock } from './clock.ts';
export { testClock } from './clock.ts';
