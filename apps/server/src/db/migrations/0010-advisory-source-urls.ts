/**
 * Advisory sources by URL (docs/adr/0021-advisory-sources-by-url.md): what was last downloaded
 * and applied per URL source (the validators of conditional requests, the digest and size of
 * the body), and what each sync run downloaded. Portable: text and integers only.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('advisory_source_urls')
    .addColumn('source_id', 'text', (c) =>
      c.primaryKey().references('advisory_sources.id').onDelete('cascade'),
    )
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('checksum_url', 'text')
    .addColumn('catalogue_id', 'text', (c) => c.unique())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('sha256', 'text')
    .addColumn('bytes', 'bigint')
    .addColumn('applied_at', 'text')
    .addColumn('checked_at', 'text')
    .execute();
  await db.schema.alterTable('sync_runs').addColumn('download_json', 'text').execute();
}
