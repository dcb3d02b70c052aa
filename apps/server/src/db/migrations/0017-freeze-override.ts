/**
 * Emergency override of a freeze (contexts/changes, docs/adr/0033-freeze-override-approval.md):
 * the change records which freezes its schedule overrides, who asked and when (JSON, null when
 * none). The approval reads it to add the policy rule's freeze-override stage; the change
 * detail shows it. Portable: one nullable text column.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('change_requests').addColumn('freeze_override_json', 'text').execute();
}
