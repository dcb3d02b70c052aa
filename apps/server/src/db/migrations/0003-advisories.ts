// PLACEHOLDER until the advisories context lands: creates nothing yet.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export function up(_db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  return Promise.resolve();
}
