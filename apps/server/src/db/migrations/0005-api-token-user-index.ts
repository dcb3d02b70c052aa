/** The token list filters on the owner: index api_tokens by user (0001 had none). */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();
}
