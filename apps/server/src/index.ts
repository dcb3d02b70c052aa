export type { App } from './app.ts';
export { buildApp } from './app.ts';
export type { ConfigResult } from './config.ts';
export { configFromEnv, ServerConfig } from './config.ts';
export type { Database } from './db/database.ts';
export { openDatabase } from './db/database.ts';
export { migrate } from './db/migrate.ts';
export type { RunningServer, StartOptions } from './main.ts';
export { startServer } from './main.ts';
