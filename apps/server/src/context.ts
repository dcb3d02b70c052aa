/** What every context's routes and services are given by the composition root (main.ts). */
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import type { Database } from './db/database.ts';

export interface ServerContext {
  readonly database: Database;
  readonly clock: Clock;
  readonly config: ServerConfig;
  readonly logger: FastifyBaseLogger;
  readonly metrics: Registry;
}
