/**
 * Test helpers of the jobs context (used by its tests and the advisories context's tests):
 * a settable clock, a server context on any database, and a second, independent connection
 * pool to the same database (two "servers" racing for the same jobs).
 */
import { inject } from 'vitest';
import type { Clock } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { testClock } from '@patchgate/testing';
import { openPostgres } from '../../db/database.ts';
import { testContext } from '../../../test/app.ts';

export interface SettableClock extends Clock {
  set(iso: string): void;
  advance(seconds: number): void;
}

export function settableClock(start = '2026-11-22T09:00:00.000Z'): SettableClock {
  const clock = testClock(start);
  return { ...clock, advance: (seconds) => clock.advance(seconds * 1000) };
}

export function contextOf(database: Database, clock: Clock): ServerContext {
  return testContext(database, clock);
}

/**
 * Another "server" on the same database: a second pg pool to the same PostgreSQL database.
 * On SQLite the same handle (closing it does nothing): SQLite serves one server process, and
 * two better-sqlite3 connections in one process would block each other's event loop while
 * one waits for the other's lock. Close it before `database`.
 */
export function secondHandle(database: Database): Database {
  if (database.dialect === 'sqlite') return { ...database, close: () => Promise.resolve() };
  const url = inject('postgresUrl');
  const name = database.location.split('/').at(-1);
  if (url === null || name === undefined) throw new Error('PostgreSQL is not available');
  return openPostgres(url.replace('/postgres?', `/${name}?`), 5);
}
