/**
 * Migrations: numbered files in ./migrations, run at start-up, never edited once landed.
 * Each is written once for both dialects with Kysely's schema builder and the portability
 * rules of database.ts. A migration that transforms data has its own test.
 */
import type { Kysely, Migration, MigrationProvider, MigrationResultSet } from 'kysely';
import { Migrator } from 'kysely';
import type { Dialect } from './database.ts';
import * as m0001 from './migrations/0001-audit-auth-jobs.ts';
import * as m0002 from './migrations/0002-inventory.ts';
import * as m0003 from './migrations/0003-advisories.ts';
import * as m0004 from './migrations/0004-findings.ts';
import * as m0005 from './migrations/0005-api-token-user-index.ts';
import * as m0006 from './migrations/0006-token-lineage.ts';
import * as m0009 from './migrations/0009-available-updates.ts';
import * as m0010 from './migrations/0010-advisory-source-urls.ts';
import * as m0011 from './migrations/0011-query-indexes.ts';
import * as m0012 from './migrations/0012-calendar.ts';
import * as m0013 from './migrations/0013-change-requests.ts';
import * as m0014 from './migrations/0014-approvals.ts';
import * as m0015 from './migrations/0015-notifications.ts';
import * as m0016 from './migrations/0016-autopilot.ts';
import * as m0017 from './migrations/0017-freeze-override.ts';
import * as m0018 from './migrations/0018-change-evidence.ts';
import * as m0019 from './migrations/0019-agents.ts';
import * as m0020 from './migrations/0020-rollouts.ts';
import * as m0021 from './migrations/0021-preflight-verification.ts';
import * as m0022 from './migrations/0022-reports.ts';

/** Migration modules get the dialect for the rare statement that must differ. */
export interface PortableMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const migrations: Record<string, PortableMigration> = {
  '0001-audit-auth-jobs': m0001,
  '0002-inventory': m0002,
  '0003-advisories': m0003,
  '0004-findings': m0004,
  '0005-api-token-user-index': m0005,
  '0006-token-lineage': m0006,
  '0009-available-updates': m0009,
  '0010-advisory-source-urls': m0010,
  '0011-query-indexes': m0011,
  '0012-calendar': m0012,
  '0013-change-requests': m0013,
  '0014-approvals': m0014,
  '0015-notifications': m0015,
  '0016-autopilot': m0016,
  '0017-freeze-override': m0017,
  '0018-change-evidence': m0018,
  '0019-agents': m0019,
  '0020-rollouts': m0020,
  '0021-preflight-verification': m0021,
  '0022-reports': m0022,
};

function provider(dialect: Dialect, upTo?: string): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          Object.entries(migrations)
            .filter(([name]) => upTo === undefined || name <= upTo)
            .map(([name, migration]): [string, Migration] => [
              name,
              { up: (db) => migration.up(db, dialect) },
            ]),
        ),
      ),
  };
}

/** Apply every pending migration (or those up to `upTo`, for migration tests). Throws on failure. */
export async function migrate(
  // Any schema: migrations describe the tables, they do not use the typed schema.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: Dialect,
  upTo?: string,
): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: provider(dialect, upTo) });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, {
      cause: result.error,
    });
  }
  return result;
}
