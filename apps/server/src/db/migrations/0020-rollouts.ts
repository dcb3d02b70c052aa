/**
 * The rollouts context (contexts/rollouts, docs/adr/0038-durable-rollouts.md): each rollout's
 * engine state (@patchgate/rollout, JSON) with a version for optimistic concurrency and a lease
 * naming the replica that drives it; the log of every event the engine was fed; and the agent
 * tasks each host was given, keyed so a replay after a crash queues nothing twice.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('rollouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) =>
      c.notNull().references('change_requests.id').onDelete('cascade'),
    )
    // The change's one real rollout (null for a dry run): unique, so two replicas starting a
    // due change at once cannot both create one.
    .addColumn('live_change_id', 'text', (c) => c.unique())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('state_json', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('options_json', 'text', (c) => c.notNull())
    // The scope's asset facts at the start (the window checks read them on every tick).
    .addColumn('assets_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .execute();
  await db.schema.createIndex('rollouts_change').on('rollouts').columns(['change_id']).execute();
  await db.schema
    .createIndex('rollouts_phase')
    .on('rollouts')
    .columns(['phase', 'created_at'])
    .execute();

  await db.schema
    .createTable('rollout_events')
    .addColumn('rollout_id', 'text', (c) =>
      c.notNull().references('rollouts.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('event_json', 'text', (c) => c.notNull())
    // What the engine answered (its commands, and notices), for the stream and the detail.
    .addColumn('commands_json', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_events_pk', ['rollout_id', 'seq'])
    .execute();

  await db.schema
    .createTable('rollout_host_tasks')
    // `<rolloutId>:<assetId>:<kind>[:<wave>]:<attempt>`: the agent task's idempotency key too.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('rollout_id', 'text', (c) =>
      c.notNull().references('rollouts.id').onDelete('cascade'),
    )
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('wave', 'text', (c) => c.notNull())
    // install | health-check | rollback
    .addColumn('kind', 'text', (c) => c.notNull())
    // host | wave (a health check asked for the whole wave after its bake)
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('agent_task_id', 'text')
    // waiting-agent (no agent yet) | queued | finished | cancelled
    .addColumn('state', 'text', (c) => c.notNull())
    // succeeded | failed | rejected | expired, or a health verdict pass | fail | inconclusive
    .addColumn('outcome', 'text')
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('rollout_host_tasks_rollout')
    .on('rollout_host_tasks')
    .columns(['rollout_id', 'asset_id'])
    .execute();
  await db.schema
    .createIndex('rollout_host_tasks_agent_task')
    .on('rollout_host_tasks')
    .columns(['agent_task_id'])
    .execute();
  await db.schema
    .createIndex('rollout_host_tasks_state')
    .on('rollout_host_tasks')
    .columns(['rollout_id', 'state'])
    .execute();
}
