/**
 * The change context: change requests with their scope, patches, linked findings, every plan
 * version, the state history, the post-implementation review and the standard-change templates
 * (docs/adr/0027-change-requests.md). Asset and finding ids are not foreign keys: a change keeps
 * its record when the asset or finding is deleted (it copied the facts it was decided on).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('change_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('risk_level', 'text', (c) => c.notNull())
    .addColumn('risk_score', 'double precision', (c) => c.notNull())
    .addColumn('risk_factors_json', 'text', (c) => c.notNull())
    .addColumn('risk_override', 'text')
    .addColumn('risk_override_reason', 'text')
    .addColumn('template_id', 'text')
    .addColumn('template_version', 'integer')
    .addColumn('requester_id', 'text')
    .addColumn('requester_name', 'text', (c) => c.notNull())
    .addColumn('implementer_id', 'text')
    .addColumn('implementer_name', 'text')
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('plans_json', 'text', (c) => c.notNull())
    .addColumn('scheduled_start', 'text')
    .addColumn('scheduled_end', 'text')
    .addColumn('created_by_rule', 'text')
    .addColumn('created_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The list's keyset (newest first) and its filters; the calendar's range query.
  await db.schema
    .createIndex('change_requests_list')
    .on('change_requests')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('change_requests_state')
    .on('change_requests')
    .columns(['state', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('change_requests_schedule')
    .on('change_requests')
    .columns(['scheduled_start', 'scheduled_end'])
    .execute();

  await db.schema
    .createTable('change_assets')
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('asset_name', 'text', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('exposure', 'text', (c) => c.notNull())
    .addColumn('owner_team', 'text')
    .addColumn('groups_json', 'text', (c) => c.notNull())
    .addColumn('tags_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('change_assets_pk', ['change_id', 'asset_id'])
    .execute();
  await db.schema
    .createIndex('change_assets_asset')
    .on('change_assets')
    .columns(['asset_id', 'change_id'])
    .execute();

  await db.schema
    .createTable('change_patches')
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('from_version', 'text')
    .addColumn('to_version', 'text')
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('origin', 'text')
    .addPrimaryKeyConstraint('change_patches_pk', ['change_id', 'seq'])
    .execute();
  // Past failure rate by package: changes that touched it, and how they ended.
  await db.schema
    .createIndex('change_patches_package')
    .on('change_patches')
    .columns(['package_name', 'change_id'])
    .execute();

  await db.schema
    .createTable('change_findings')
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('finding_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('advisory_ids_json', 'text', (c) => c.notNull())
    .addColumn('cve_ids_json', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('kev', 'integer', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addPrimaryKeyConstraint('change_findings_pk', ['change_id', 'finding_id'])
    .execute();
  await db.schema
    .createIndex('change_findings_finding')
    .on('change_findings')
    .columns(['finding_id', 'change_id'])
    .execute();

  await db.schema
    .createTable('change_plan_versions')
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content_json', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('change_plan_versions_pk', ['change_id', 'version'])
    .execute();

  await db.schema
    .createTable('change_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('change_transitions_change')
    .on('change_transitions')
    .columns(['change_id', 'seq'])
    .unique()
    .execute();

  await db.schema
    .createTable('change_reviews')
    .addColumn('change_id', 'text', (c) =>
      c.primaryKey().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('went_well', 'text', (c) => c.notNull())
    .addColumn('did_not_go_well', 'text', (c) => c.notNull())
    .addColumn('incidents_json', 'text', (c) => c.notNull())
    .addColumn('lessons', 'text', (c) => c.notNull())
    .addColumn('follow_ups_json', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Standard-change templates: every version kept (a change records the one it used).
  await db.schema
    .createTable('change_templates')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('template_json', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('change_templates_pk', ['name', 'version'])
    .execute();
  // The starting template, written out (a migration never changes with the code it came from).
  const securityUpdatesTemplate = {
    name: 'security-updates-non-production',
    version: 1,
    description:
      'Security updates from the distribution’s security repository for test, development and staging assets.',
    criteria: {
      onlySecurityOrigin: true,
      securityOrigins: ['*security*'],
      maxAssets: 50,
      environments: ['test', 'development', 'staging'],
      nonProductionFirst: true,
      maxRisk: 'low',
      packages: { deny: ['linux-image-*', 'linux-headers-*', 'kernel*'] },
    },
  };
  await db
    .insertInto('change_templates' as never)
    .values({
      name: securityUpdatesTemplate.name,
      version: securityUpdatesTemplate.version,
      template_json: JSON.stringify(securityUpdatesTemplate),
      created_by_id: null,
      created_by_name: 'system',
      created_at: '2026-12-06T00:00:00.000Z',
    })
    .execute();
}
