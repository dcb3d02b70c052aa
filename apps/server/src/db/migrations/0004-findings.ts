/**
 * The findings context: one row per (asset, package, advisory), its detection state, priority,
 * triage and the denormalised asset attributes lists filter on; risk-acceptance exceptions.
 *
 * Sort columns (`due_key`, `epss_key`) are never null so keyset pagination compares plain
 * tuples; every list filter has an index whose tail is the default sort (priority, due, id), so
 * a filtered first page is an ordered index range scan, not a sort of the whole table.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('package_version', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('advisory_summary', 'text')
    .addColumn('aliases_json', 'text', (c) => c.notNull())
    .addColumn('match_json', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('snapshot_id', 'text')
    .addColumn('fixed_at', 'text')
    .addColumn('reopened_at', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addColumn('due_key', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('kev', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('epss', 'double precision')
    .addColumn('epss_key', 'double precision', (c) => c.notNull())
    .addColumn('decision_json', 'text', (c) => c.notNull())
    .addColumn('asset_name', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('criticality', 'text')
    .addColumn('exposure', 'text', (c) => c.notNull())
    .addColumn('groups_json', 'text', (c) => c.notNull())
    .addColumn('tags_json', 'text', (c) => c.notNull())
    .addColumn('triage_state', 'text')
    .addColumn('triage_justification', 'text')
    .addColumn('triage_detail', 'text')
    .addColumn('triage_by', 'text')
    .addColumn('triage_at', 'text')
    .addColumn('exception_id', 'text')
    .addColumn('accepted_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // A finding is (asset, package, advisory): a new version that still matches is the same finding.
  await db.schema
    .createIndex('findings_identity')
    .on('findings')
    .columns(['asset_id', 'ecosystem', 'package_name', 'advisory_id'])
    .unique()
    .execute();

  const sortTail = ['priority', 'due_key', 'id'];
  const indexes: Record<string, string[]> = {
    findings_by_priority: sortTail,
    findings_by_due: ['due_key', 'id'],
    findings_by_epss: ['epss_key', 'id'],
    findings_by_first_seen: ['first_seen_at', 'id'],
    findings_by_state: ['state', ...sortTail],
    findings_by_asset: ['asset_id', ...sortTail],
    findings_by_advisory: ['advisory_id', ...sortTail],
    findings_by_package: ['package_name', ...sortTail],
    findings_by_environment: ['environment', ...sortTail],
    findings_by_criticality: ['criticality', ...sortTail],
    findings_by_exposure: ['exposure', ...sortTail],
    findings_by_triage: ['triage_state', ...sortTail],
    findings_by_kev: ['kev', ...sortTail],
    findings_by_accepted: ['accepted_until'],
  };
  for (const [name, columns] of Object.entries(indexes)) {
    await db.schema.createIndex(name).on('findings').columns(columns).execute();
  }

  // Asset groups, one row each, so "findings of group X" is an indexed semi-join.
  await db.schema
    .createTable('finding_asset_groups')
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_asset_groups_pk', ['asset_id', 'group_name'])
    .execute();
  await db.schema
    .createIndex('finding_asset_groups_group')
    .on('finding_asset_groups')
    .columns(['group_name', 'asset_id'])
    .execute();

  // Aliases of the advisories findings name (CVE, GHSA…), so a filter by alias is indexed.
  await db.schema
    .createTable('finding_aliases')
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_aliases_pk', ['alias', 'advisory_id'])
    .execute();

  await db.schema
    .createTable('finding_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('finding_id', 'text', (c) =>
      c.notNull().references('findings.id').onDelete('cascade'),
    )
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_name', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_by_name', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('finding_exceptions_finding')
    .on('finding_exceptions')
    .columns(['finding_id', 'requested_at'])
    .execute();
  await db.schema
    .createIndex('finding_exceptions_state')
    .on('finding_exceptions')
    .columns(['state', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('finding_exceptions_requested')
    .on('finding_exceptions')
    .columns(['requested_at', 'id'])
    .execute();
}
