/**
 * A token minted by a token remembers its parent: it may not outlive or out-scope it, and it
 * dies with it (revoking a token revokes its descendants; use checks every ancestor).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('parent_token_id', 'text').execute();
  await db.schema
    .createIndex('api_tokens_parent')
    .on('api_tokens')
    .column('parent_token_id')
    .execute();
}
