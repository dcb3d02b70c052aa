/**
 * The advisories context: sources and their sync runs, stored OSV records with the package
 * and alias keys they are searched by, enrichment facts per CVE, and the data version that
 * tells the in-memory advisory index when to reload. Portable: text ids and timestamps,
 * JSON as text, integer booleans (db/database.ts).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('advisory_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_sync_at', 'text')
    .addColumn('last_sync_state', 'text')
    .addColumn('last_sync_run_id', 'text')
    .execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) =>
      c.notNull().references('advisory_sources.id').onDelete('cascade'),
    )
    .addColumn('job_id', 'text', (c) => c.notNull().unique())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('counts_json', 'text', (c) => c.notNull())
    .addColumn('errors_json', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('sync_runs_source')
    .on('sync_runs')
    .columns(['source_id', 'started_at'])
    .execute();
  await db.schema.createIndex('sync_runs_state').on('sync_runs').column('state').execute();

  await db.schema
    .createTable('advisories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('published', 'text')
    .addColumn('withdrawn', 'text')
    .addColumn('summary', 'text')
    .addColumn('aliases_json', 'text', (c) => c.notNull())
    .addColumn('cves_json', 'text', (c) => c.notNull())
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('advisories_source').on('advisories').column('source_id').execute();
  await db.schema.createIndex('advisories_modified').on('advisories').column('modified').execute();

  await db.schema
    .createTable('advisory_packages')
    .addColumn('advisory_id', 'text', (c) =>
      c.notNull().references('advisories.id').onDelete('cascade'),
    )
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_packages_pk', ['advisory_id', 'ecosystem', 'name'])
    .execute();
  await db.schema
    .createIndex('advisory_packages_name')
    .on('advisory_packages')
    .columns(['ecosystem', 'name_key'])
    .execute();

  await db.schema
    .createTable('advisory_aliases')
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) =>
      c.notNull().references('advisories.id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('advisory_aliases_pk', ['alias', 'advisory_id'])
    .execute();
  await db.schema
    .createIndex('advisory_aliases_advisory')
    .on('advisory_aliases')
    .column('advisory_id')
    .execute();

  await db.schema
    .createTable('vulnerability_facts')
    .addColumn('cve', 'text', (c) => c.primaryKey())
    .addColumn('facts_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // One row: bumped in every sync batch that changes stored advisories or facts.
  await db.schema
    .createTable('advisory_data_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO advisory_data_version (id, version) VALUES (1, 0)`.execute(db);
}
