/**
 * The inventory context: assets, their labels, inventory snapshots and snapshot packages
 * (apps/server/src/contexts/inventory/readme.md). Every list filter has an index; list sorts
 * are keyset-paginated on (column, id).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('assets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('os_release', 'text')
    .addColumn('environment', 'text')
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('exposure', 'text', (c) => c.notNull())
    .addColumn('owner_team', 'text')
    .addColumn('tags_json', 'text', (c) => c.notNull())
    .addColumn('groups_json', 'text', (c) => c.notNull())
    .addColumn('maintenance_window', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Plain text, not a foreign key: the snapshot row is written after the asset row.
    .addColumn('current_snapshot_id', 'text')
    .execute();
  for (const [name, columns] of [
    ['assets_created', ['created_at', 'id']],
    ['assets_updated', ['updated_at', 'id']],
    ['assets_environment', ['environment', 'name']],
    ['assets_criticality', ['criticality', 'name']],
    ['assets_exposure', ['exposure', 'name']],
    ['assets_owner', ['owner_team', 'name']],
    ['assets_kind', ['kind', 'name']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('assets')
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable('asset_labels')
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('label_kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('asset_labels_pk', ['asset_id', 'label_kind', 'value'])
    .execute();
  await db.schema
    .createIndex('asset_labels_lookup')
    .on('asset_labels')
    .columns(['label_kind', 'value', 'asset_id'])
    .execute();

  await db.schema
    .createTable('inventory_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('os_json', 'text')
    .addColumn('package_count', 'integer', (c) => c.notNull())
    .addColumn('warnings_json', 'text', (c) => c.notNull())
    // The one binary column: SQLite's BLOB is PostgreSQL's BYTEA.
    .addColumn('raw_gzip', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('raw_media_type', 'text', (c) => c.notNull())
    .addColumn('raw_sha256', 'text', (c) => c.notNull())
    .addColumn('raw_size', 'integer', (c) => c.notNull())
    .addColumn('packages_pruned_at', 'text')
    .addUniqueConstraint('inventory_snapshots_asset_seq', ['asset_id', 'seq'])
    .execute();

  await db.schema
    .createTable('snapshot_packages')
    .addColumn('snapshot_id', 'text', (c) =>
      c.notNull().references('inventory_snapshots.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .addColumn('source_version', 'text')
    .addColumn('purl', 'text')
    .addColumn('arch', 'text')
    .addColumn('epoch_unknown', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('location', 'text')
    .addColumn('direct', 'integer')
    .addColumn('dev', 'integer')
    .addPrimaryKeyConstraint('snapshot_packages_pk', ['snapshot_id', 'seq'])
    .execute();
  // Which snapshots hold package X (findings, "who runs openssl?"); source packages too,
  // since Debian, Ubuntu and Alpine advisories name those.
  await db.schema
    .createIndex('snapshot_packages_name')
    .on('snapshot_packages')
    .columns(['ecosystem', 'name', 'snapshot_id'])
    .execute();
  await db.schema
    .createIndex('snapshot_packages_source_name')
    .on('snapshot_packages')
    .columns(['ecosystem', 'source_name', 'snapshot_id'])
    .execute();
}
