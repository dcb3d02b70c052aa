/**
 * The OpenAPI document, generated from the routes' zod schemas by building the app on an
 * in-memory database. `npm run openapi` writes it to apps/server/openapi.json (checked in)
 * and the typed client's types from it; a test fails when either drifts from the code.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildApp } from './app.ts';
import { openSqlite } from './db/database.ts';
import { migrate } from './db/migrate.ts';

export async function generateOpenApiDocument(): Promise<string> {
  const database = openSqlite(':memory:');
  try {
    await migrate(database.db, 'sqlite');
    const { app } = await buildApp({
      database,
      clock: { now: () => new Date(0) },
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
    });
    await app.ready();
    const document = app.swagger();
    await app.close();
    return JSON.stringify(document, null, 2) + '\n';
  } finally {
    await database.close();
  }
}
