/**
 * One database handle for the whole server, on the embedded SQLite file (default) or on
 * PostgreSQL. Repositories use Kysely only, so the same code and the same tests run on both.
 *
 * Portability rules (docs/adr/0007-server-storage.md): ids are text (UUIDs), timestamps are
 * ISO 8601 text in UTC, JSON is text, booleans are integers 0/1.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: Dialect;
  /** Where it lives, without credentials: the file path or host/database. */
  readonly location: string;
  close(): Promise<void>;
}

export function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(join(path, '..'), { recursive: true });
  const sqlite = new SQLite(path);
  // WAL: readers never block the writer; a crash loses nothing committed.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoint the WAL every 64 MiB rather than SQLite's 4 MiB: hot pages (indexes) are
  // copied once per checkpoint instead of many times, and the fsyncs are 16× fewer; an
  // upload's commit measured 35–50 % cheaper (docs/adr/0023-server-speed.md). A 64 MiB page cache keeps the
  // findings indexes of a 10,000-asset fleet in memory.
  sqlite.pragma('wal_autocheckpoint = 16384');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', location: path, close: () => db.destroy() };
}

export function openPostgres(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client whose connection drops (a server restart, a failover) makes the pool emit
  // 'error'; unhandled, that would end the process. The pool discards the client and the next
  // query opens a new connection, so there is nothing else to do here.
  pool.on('error', () => undefined);
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  const location = `${parsed.hostname || parsed.searchParams.get('host') || 'localhost'}/${parsed.pathname.slice(1)}`;
  return { db, dialect: 'postgres', location, close: () => db.destroy() };
}

export function openDatabase(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
}): Database {
  return options.databaseUrl !== undefined
    ? openPostgres(options.databaseUrl)
    : openSqlite(join(options.dataDir, 'patchgate.sqlite'));
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction may simply be run again. */
const retryableCodes = new Set(['40P01', '40001']);
export const isRetryableTransactionError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  retryableCodes.has(String(error.code));

/**
 * Run `work` in one transaction; when PostgreSQL ends it as a deadlock or a serialization
 * failure, everything it did was rolled back, so it is run again (at most `attempts` tries,
 * after a short random pause) instead of failing the request. Writers that lock rows of two
 * contexts (a change row and the audit chain, a rollout row and its change) cannot always take
 * them in one order, so every such writer goes through here. SQLite serialises writers and
 * never raises these codes.
 */
export async function transactionRetryingDeadlocks<T>(
  database: Database,
  work: (trx: Transaction<DatabaseSchema>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}
