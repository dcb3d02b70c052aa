/**
 * The inventory context's available updates: per asset, the latest report of what its package
 * manager could upgrade (apt list --upgradable, apt-get -s upgrade; the agent later), replaced
 * whole by each new report. Both tables go with their asset.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('available_update_reports')
    .addColumn('asset_id', 'text', (c) =>
      c.primaryKey().references('assets.id').onDelete('cascade'),
    )
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addColumn('update_count', 'integer', (c) => c.notNull())
    .addColumn('security_count', 'integer', (c) => c.notNull())
    .addColumn('kept_back_json', 'text', (c) => c.notNull())
    .addColumn('warnings_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('available_updates')
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('arch', 'text')
    .addColumn('installed_version', 'text', (c) => c.notNull())
    .addColumn('candidate_version', 'text', (c) => c.notNull())
    .addColumn('origins_json', 'text', (c) => c.notNull())
    .addColumn('security', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('available_updates_pk', ['asset_id', 'seq'])
    .execute();
}
