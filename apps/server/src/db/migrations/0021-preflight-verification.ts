/**
 * Pre-flight, verification and the review's facts (issue 9; docs/adr/0039-preflight-verification.md).
 *
 * - rollouts (the verify part, contexts/rollouts/preflight*.ts, verification*.ts): a pre-flight
 *   run per request and its per-host results; one verification per install task (versions
 *   confirmed against the patches, reboot pending until the agent says otherwise).
 * - findings: `fixed_by_change_id`, the change whose install fixed a finding (evidence), and the
 *   claims a verified install leaves for the reconcile that closes its findings.
 * - changes: the pre-flight summary shown on the change and the CAB agenda, and the review's
 *   facts pre-filled when its rollout ends.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('preflight_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'text')
    .addColumn('requested_by_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('preflight_runs_change')
    .on('preflight_runs')
    .columns(['change_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createTable('preflight_hosts')
    .addColumn('run_id', 'text', (c) =>
      c.notNull().references('preflight_runs.id').onDelete('cascade'),
    )
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('asset_name', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('task_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('packages_json', 'text', (c) => c.notNull())
    .addColumn('simulation_json', 'text')
    .addColumn('detail', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('preflight_hosts_pk', ['run_id', 'asset_id'])
    .execute();
  await db.schema
    .createIndex('preflight_hosts_task')
    .on('preflight_hosts')
    .column('task_id')
    .execute();

  await db.schema
    .createTable('rollout_verifications')
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('rollout_id', 'text')
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('expected_json', 'text', (c) => c.notNull())
    .addColumn('after_json', 'text', (c) => c.notNull())
    .addColumn('confirmed', 'integer', (c) => c.notNull())
    .addColumn('mismatches_json', 'text', (c) => c.notNull())
    .addColumn('reboot_pending', 'integer', (c) => c.notNull())
    .addColumn('rebooted', 'integer', (c) => c.notNull())
    .addColumn('reboot_cleared_at', 'text')
    .addColumn('installed_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rollout_verifications_change')
    .on('rollout_verifications')
    .columns(['change_id', 'asset_id'])
    .execute();
  await db.schema
    .createIndex('rollout_verifications_reboot')
    .on('rollout_verifications')
    .columns(['reboot_pending', 'asset_id'])
    .execute();

  await db.schema.alterTable('findings').addColumn('fixed_by_change_id', 'text').execute();
  await db.schema
    .createTable('finding_fix_claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('packages_json', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('finding_fix_claims_asset')
    .on('finding_fix_claims')
    .columns(['asset_id', 'expires_at'])
    .execute();

  await db.schema
    .createTable('change_preflight_summaries')
    .addColumn('change_id', 'text', (c) =>
      c.primaryKey().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('summary_json', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('change_review_facts')
    .addColumn('change_id', 'text', (c) =>
      c.primaryKey().references('change_requests.id').onDelete('cascade'),
    )
    .addColumn('rollout_id', 'text', (c) => c.notNull())
    .addColumn('facts_json', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
}
