/**
 * Run the same repository tests on both databases: `describe.each(testDatabases())`, each
 * entry opens a fresh, migrated database (a new SQLite file, or a new PostgreSQL database in
 * the run's throwaway cluster).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../src/db/database.ts';
import { openPostgres, openSqlite } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';

export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh database, migrated (to `upTo`, or fully). Close it with `close()`. */
  readonly open: (upTo?: string) => Promise<Database>;
  /** Why this database is skipped, or undefined when it runs. */
  readonly skip?: string;
}

export function testDatabases(): TestDatabase[] {
  const url = inject('postgresUrl');
  return [
    {
      name: 'sqlite',
      open: async (upTo) => {
        const dir = mkdtempSync(join(tmpdir(), 'patchgate-sqlite-'));
        const database = openSqlite(join(dir, 'test.sqlite'));
        await migrate(database.db, 'sqlite', upTo);
        return {
          ...database,
          close: async () => {
            await database.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      ...(url === null && { skip: inject('postgresMissing') }),
      open: async (upTo) => {
        if (url === null) throw new Error('PostgreSQL is not available');
        const name = `test_${randomUUID().replace(/-/g, '')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const database = openPostgres(url.replace('/postgres?', `/${name}?`), 5);
        await migrate(database.db, 'postgres', upTo);
        return {
          ...database,
          close: async () => {
            await database.close();
            const cleanup = new pg.Client({ connectionString: url });
            await cleanup.connect();
            await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await cleanup.end();
          },
        };
      },
    },
  ];
}
