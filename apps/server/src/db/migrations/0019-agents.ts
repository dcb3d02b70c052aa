/**
 * The agents context (contexts/agents, docs/adr/0035-agent-protocol.md): enrolment tokens,
 * enrolled agents and their credentials, the task-signing keys, the task queue per agent and
 * each task's streamed events. Secrets (enrolment tokens, agent credentials) are stored as
 * SHA-256 hashes only.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('agent_enrolment_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('uses_allowed', 'integer', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull())
    .addColumn('environment', 'text')
    .addColumn('groups_json', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credential_hash', 'text', (c) => c.notNull().unique())
    .addColumn('enrolment_token_id', 'text')
    .addColumn('hostname', 'text')
    .addColumn('agent_version', 'text', (c) => c.notNull())
    .addColumn('os_json', 'text')
    .addColumn('architecture', 'text')
    .addColumn('package_managers_json', 'text', (c) => c.notNull())
    .addColumn('boot_id', 'text')
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('enrolled_ip', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('last_heartbeat_at', 'text')
    .addColumn('clock_skew_ms', 'integer')
    .addColumn('reboot_required', 'integer', (c) => c.notNull())
    .addColumn('reboot_packages_json', 'text', (c) => c.notNull())
    .addColumn('services_needing_restart_json', 'text', (c) => c.notNull())
    .addColumn('queued_results', 'integer', (c) => c.notNull())
    .addColumn('running_task_id', 'text')
    .addColumn('last_inventory_at', 'text')
    .addColumn('last_updates_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('agents_asset').on('agents').columns(['asset_id']).execute();
  await db.schema.createIndex('agents_name').on('agents').columns(['name']).execute();

  // One row per key; `slot` = 'active' names the key new tasks are signed with. The unique slot
  // makes generation race-safe: every replica inserts, one wins, all read the winner.
  await db.schema
    .createTable('agent_signing_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('slot', 'text', (c) => c.unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();

  await db.schema
    .createTable('agent_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('change_id', 'text')
    .addColumn('rollout_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('result_json', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('last_delivered_at', 'text')
    .addColumn('deliveries', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('agent_tasks_idempotency')
    .on('agent_tasks')
    .columns(['agent_id', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('agent_tasks_agent_state')
    .on('agent_tasks')
    .columns(['agent_id', 'state', 'created_at'])
    .execute();
  await db.schema
    .createIndex('agent_tasks_rollout')
    .on('agent_tasks')
    .columns(['rollout_id'])
    .execute();

  await db.schema
    .createTable('agent_task_events')
    .addColumn('task_id', 'text', (c) =>
      c.notNull().references('agent_tasks.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('step', 'text')
    .addColumn('stream', 'text')
    .addColumn('line', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_task_events_pk', ['task_id', 'seq'])
    .execute();
}
