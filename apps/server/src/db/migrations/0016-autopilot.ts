/**
 * Autopilot rules (contexts/changes/autopilot*.ts, docs/adr/0032-autopilot-rules.md): the
 * rules with their definition (JSON, validated by @patchgate/changes' AutopilotRuleDefinition)
 * and pause switch; every run with what it created, held back and skipped; which rule made
 * which change with its items and that change's last known state (kept from
 * change.state-changed), so a failed change pauses the right rule; and when Patchgate first saw
 * a package version offered, the conservative release date when no better one is known.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('autopilot_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    .addColumn('paused', 'integer', (c) => c.notNull())
    .addColumn('paused_reason', 'text')
    .addColumn('paused_at', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('last_change_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('autopilot_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) =>
      c.notNull().references('autopilot_rules.id').onDelete('cascade'),
    )
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('created_changes_json', 'text', (c) => c.notNull())
    .addColumn('held_back_json', 'text', (c) => c.notNull())
    .addColumn('skipped_json', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('autopilot_runs_rule')
    .on('autopilot_runs')
    .columns(['rule_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('autopilot_change_items')
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) =>
      c.notNull().references('autopilot_rules.id').onDelete('cascade'),
    )
    .addColumn('change_state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('autopilot_change_items_pk', ['change_id', 'item_key'])
    .execute();
  await db.schema
    .createIndex('autopilot_change_items_key')
    .on('autopilot_change_items')
    .columns(['item_key', 'change_state'])
    .execute();
  await db.schema
    .createTable('autopilot_version_sightings')
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('autopilot_version_sightings_pk', ['package_name', 'version'])
    .execute();
}
