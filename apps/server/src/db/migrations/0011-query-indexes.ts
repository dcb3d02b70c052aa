/**
 * Indexes for the queries measured at 10,000 assets (bench/readme.md, ADR 0024), and the
 * findings version the summary cache keys on:
 * - `findings_summary`: every column the summary reads, in its GROUP BY order, so SQLite
 *   counts from the index alone (PostgreSQL can do an index-only scan once vacuumed);
 * - `findings_version`: one counter the findings context bumps in every transaction that
 *   changes findings, so the summary can be served from a cache until something changed;
 * - `jobs_kind_state`: coalescing ("a queued job of this kind with this payload?"), the
 *   job list's kind filter and the "already queued?" check of advisory syncs.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex('findings_summary')
    .on('findings')
    .columns(['state', 'priority', 'accepted_until', 'triage_state', 'due_key'])
    .execute();
  await db.schema
    .createTable('findings_version')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db
    .insertInto('findings_version' as never)
    .values({ id: 'findings', version: 0 })
    .execute();
  await db.schema
    .createIndex('jobs_kind_state')
    .on('jobs')
    .columns(['kind', 'state', 'created_at'])
    .execute();
}
