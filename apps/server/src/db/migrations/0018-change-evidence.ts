/**
 * Test evidence on change requests (contexts/changes/evidence*.ts,
 * docs/adr/0034-change-evidence.md): automated results and manual sign-offs, and the files
 * attached to them, kept in the database (BLOB on SQLite, BYTEA on PostgreSQL) with their
 * SHA-256. Removed with their change.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('change_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('suite', 'text')
    .addColumn('passed', 'integer')
    .addColumn('failed', 'integer')
    .addColumn('skipped', 'integer')
    .addColumn('link', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('change_evidence_change')
    .on('change_evidence')
    .columns(['change_id', 'seq'])
    .unique()
    .execute();

  await db.schema
    .createTable('change_evidence_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('evidence_id', 'text', (c) =>
      c.notNull().references('change_evidence.id').onDelete('cascade'),
    )
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('change_evidence_attachments_evidence')
    .on('change_evidence_attachments')
    .columns(['change_id', 'evidence_id', 'added_at'])
    .execute();
}
