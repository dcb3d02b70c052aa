/** Build the real app on a real database for HTTP tests (fastify.inject: no port needed). */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { App } from '../src/app.ts';
import { buildApp } from '../src/app.ts';
import type { Clock } from '../src/clock.ts';
import type { ServerContext } from '../src/context.ts';
import type { Database } from '../src/db/database.ts';

export const testClock: Clock & { set(iso: string): void } = (() => {
  let now = new Date('2026-11-22T09:00:00.000Z');
  return { now: () => new Date(now), set: (iso: string) => (now = new Date(iso)) };
})();

export async function testApp(
  database: Database,
  clock: Clock = testClock,
): Promise<App & { context: ServerContext }> {
  const context: ServerContext = {
    database,
    clock,
    config: {
      dataDir: '/nonexistent',
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      secureCookies: false,
      passwordHashCost: 10,
      jobLeaseSeconds: 60,
      policy: 'default',
    },
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
  };
  const built = await buildApp(context);
  await built.app.ready();
  return { ...built, context };
}
