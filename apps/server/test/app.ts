/** Build the real app on a real database for HTTP tests (fastify.inject: no port needed). */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sharedDataRoot } from '@patchgate/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { testClock as createTestClock } from '@patchgate/testing';
import type { App, AppOptions } from '../src/app.ts';
import { buildApp } from '../src/app.ts';
import type { Clock } from '../src/clock.ts';
import type { ServerConfig } from '../src/config.ts';
import { configFromEnv } from '../src/config.ts';
import type { ServerContext } from '../src/context.ts';
import type { Database } from '../src/db/database.ts';

export const testClock: Clock & { set(iso: string): void } = createTestClock();

/**
 * Advisory roots of the tests: the repository (examples/, testdata/), the temporary directory
 * and the shared data set. Tests of the confinement itself set their own.
 */
const testAdvisoryRoots = [
  resolve(import.meta.dirname, '../../..'),
  realpathSync(tmpdir()),
  sharedDataRoot,
].join(':');

/**
 * Every configuration gets a data directory of its own (the server writes there: audit
 * checkpoints and their key, downloads), removed when the test process ends, so no test sees
 * another's files and none writes outside the temporary directory.
 */
const dataDirs: string[] = [];
process.on('exit', () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
function freshDataDir(): string {
  const dir = mkdtempSync(join(realpathSync(tmpdir()), 'patchgate-test-data-'));
  dataDirs.push(dir);
  return dir;
}

/**
 * The real configuration's defaults, silent, with the cheapest password hashing the server
 * accepts (scrypt 2^10: tests hash many passwords); follows whatever fields the config gains.
 */
export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const result = configFromEnv({ PATCHGATE_ADVISORY_ROOTS: testAdvisoryRoots }, '/nonexistent', {
    dataDir: freshDataDir(),
    logLevel: 'silent',
    passwordHashCost: 10,
    ...overrides,
  });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config;
}

export function testContext(
  database: Database,
  clock: Clock = testClock,
  config: Partial<ServerConfig> = {},
): ServerContext {
  return {
    database,
    clock,
    config: testConfig(config),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
  };
}

export async function testApp(
  database: Database,
  clock: Clock = testClock,
  config: Partial<ServerConfig> = {},
  options: AppOptions = {},
): Promise<App & { context: ServerContext }> {
  const context = testContext(database, clock, config);
  const built = await buildApp(context, options);
  await built.app.ready();
  return { ...built, context };
}
