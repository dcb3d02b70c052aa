/**
 * The OpenAPI document, generated from the routes' zod schemas by building the app on an
 * in-memory database. `npm run openapi` writes it to apps/server/openapi.json (checked in)
 * and the typed client's types from it; a test fails when either drifts from the code.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { configFromEnv } from './config.ts';
import { openSqlite } from './db/database.ts';
import { migrate } from './db/migrate.ts';

/** The configuration's defaults: the document does not depend on any setting. */
function defaultsOnly(): ServerConfig {
  const result = configFromEnv({}, '/nonexistent', { logLevel: 'silent' });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config;
}

export async function generateOpenApiDocument(): Promise<string> {
  const database = openSqlite(':memory:');
  try {
    await migrate(database.db, 'sqlite');
    const { app } = await buildApp({
      database,
      clock: { now: () => new Date(0) },
      config: defaultsOnly(),
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
