/**
 * Composition root: configuration → database (migrated) → context → app → listen, and a
 * graceful shutdown (stop accepting, drain, close the database) on SIGINT/SIGTERM.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { App } from './app.ts';
import { buildApp } from './app.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import type { Database } from './db/database.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';

export interface RunningServer {
  readonly url: string;
  readonly app: App;
  readonly context: ServerContext;
  /** Stop accepting requests, finish the ones in flight, close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: ServerConfig;
  readonly clock?: Clock;
  readonly logger?: FastifyBaseLogger;
  /** An already open database (tests); otherwise opened from the configuration. */
  readonly database?: Database;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  // Logs are structured JSON on standard error; standard output is for people.
  const logger = options.logger ?? pino({ level: config.logLevel }, pino.destination(2));
  const database = options.database ?? openDatabase(config);
  await migrate(database.db, database.dialect);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const context: ServerContext = {
    database,
    clock: options.clock ?? systemClock,
    config,
    logger,
    metrics,
  };
  const app = await buildApp(context);
  const address = await app.app.listen({ host: config.host, port: config.port });
  logger.info(
    { address, database: database.dialect, location: database.location },
    'patchgate server listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url: address,
    app,
    context,
    close: () =>
      (closing ??= (async () => {
        app.state.draining = true;
        await app.app.close();
        await database.close();
        logger.info('patchgate server stopped');
      })()),
  };
}
