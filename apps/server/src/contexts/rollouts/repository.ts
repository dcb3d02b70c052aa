/** The rollouts context's queries (its own tables only). */
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { RolloutEventTable, RolloutHostTaskTable, RolloutTable } from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export function rolloutRow(db: Executor, id: string): Promise<RolloutTable | undefined> {
  return db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The change's rollouts, newest first (a real one and any dry runs). */
export function rolloutsOfChange(db: Executor, changeId: string): Promise<RolloutTable[]> {
  return db
    .selectFrom('rollouts')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function insertRollout(db: Executor, row: RolloutTable): Promise<void> {
  await db.insertInto('rollouts').values(row).execute();
}

/** Write the state read at `version`; false when someone else wrote it first. */
export async function updateRolloutState(
  db: Executor,
  id: string,
  version: number,
  values: Pick<
    RolloutTable,
    'state_json' | 'phase' | 'reason' | 'started_at' | 'finished_at' | 'updated_at'
  >,
): Promise<boolean> {
  const result = await db
    .updateTable('rollouts')
    .set({ ...values, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Take or renew the lease of a rollout: a conditional UPDATE that succeeds when the lease is
 * free, expired, or already `owner`'s (portable: no advisory lock, no SELECT … FOR UPDATE).
 */
export async function acquireLease(
  db: Executor,
  id: string,
  owner: string,
  now: string,
  expiresAt: string,
): Promise<boolean> {
  const result = await db
    .updateTable('rollouts')
    .set({ lease_owner: owner, lease_expires_at: expiresAt })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', owner),
        eb('lease_expires_at', '<', now),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseLease(db: Executor, owner: string): Promise<void> {
  await db
    .updateTable('rollouts')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('lease_owner', '=', owner)
    .execute();
}

/** Rollouts still moving by themselves (not terminal, not halted), oldest first. */
export function activeRolloutIds(db: Executor): Promise<{ id: string }[]> {
  return db
    .selectFrom('rollouts')
    .select(['id'])
    .where('phase', 'not in', ['completed', 'rolled_back', 'aborted', 'halted'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface RolloutListFilters {
  readonly phase?: string;
  readonly changeId?: string;
  readonly dryRun?: boolean;
}

export function listRolloutRows(
  db: Executor,
  filters: RolloutListFilters,
  after: [string, string] | undefined,
  limit: number,
): Promise<RolloutTable[]> {
  let query = db.selectFrom('rollouts').selectAll();
  if (filters.phase !== undefined) query = query.where('phase', '=', filters.phase);
  if (filters.changeId !== undefined) query = query.where('change_id', '=', filters.changeId);
  if (filters.dryRun !== undefined) query = query.where('dry_run', '=', filters.dryRun ? 1 : 0);
  if (after !== undefined)
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after[0]),
        eb.and([eb('created_at', '=', after[0]), eb('id', '<', after[1])]),
      ]),
    );
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function lastEventSeq(db: Executor, rolloutId: string): Promise<number> {
  const row = await db
    .selectFrom('rollout_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('rollout_id', '=', rolloutId)
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
}

export async function insertEvent(db: Executor, row: RolloutEventTable): Promise<void> {
  await db.insertInto('rollout_events').values(row).execute();
}

export function eventsAfter(
  db: Executor,
  rolloutId: string,
  afterSeq: number,
  limit = 1000,
): Promise<RolloutEventTable[]> {
  return db
    .selectFrom('rollout_events')
    .selectAll()
    .where('rollout_id', '=', rolloutId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function insertHostTask(db: Executor, row: RolloutHostTaskTable): Promise<void> {
  await db
    .insertInto('rollout_host_tasks')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export function hostTask(db: Executor, key: string): Promise<RolloutHostTaskTable | undefined> {
  return db.selectFrom('rollout_host_tasks').selectAll().where('key', '=', key).executeTakeFirst();
}

export function hostTaskByAgentTask(
  db: Executor,
  agentTaskId: string,
): Promise<RolloutHostTaskTable | undefined> {
  return db
    .selectFrom('rollout_host_tasks')
    .selectAll()
    .where('agent_task_id', '=', agentTaskId)
    .executeTakeFirst();
}

export function hostTasksOf(db: Executor, rolloutId: string): Promise<RolloutHostTaskTable[]> {
  return db
    .selectFrom('rollout_host_tasks')
    .selectAll()
    .where('rollout_id', '=', rolloutId)
    .orderBy('created_at')
    .orderBy('key')
    .execute();
}

export function hostTasksInState(
  db: Executor,
  rolloutId: string,
  state: string,
): Promise<RolloutHostTaskTable[]> {
  return db
    .selectFrom('rollout_host_tasks')
    .selectAll()
    .where('rollout_id', '=', rolloutId)
    .where('state', '=', state)
    .execute();
}

export async function updateHostTask(
  db: Executor,
  key: string,
  values: Partial<
    Pick<RolloutHostTaskTable, 'agent_task_id' | 'state' | 'outcome' | 'finished_at'>
  >,
): Promise<void> {
  await db.updateTable('rollout_host_tasks').set(values).where('key', '=', key).execute();
}

/** How many tasks of `kind` (and scope/wave) the host was already given in this rollout. */
export async function countHostTasks(
  db: Executor,
  rolloutId: string,
  assetId: string,
  kind: string,
  scope: string,
): Promise<number> {
  const row = await db
    .selectFrom('rollout_host_tasks')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('rollout_id', '=', rolloutId)
    .where('asset_id', '=', assetId)
    .where('kind', '=', kind)
    .where('scope', '=', scope)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The last attempt number of a wave's own health checks (0: none yet). */
export async function lastWaveCheckAttempt(
  db: Executor,
  rolloutId: string,
  wave: string,
): Promise<number> {
  const row = await db
    .selectFrom('rollout_host_tasks')
    .select((eb) => eb.fn.max('attempt').as('attempt'))
    .where('rollout_id', '=', rolloutId)
    .where('kind', '=', 'health-check')
    .where('scope', '=', 'wave')
    .where('wave', '=', wave)
    .executeTakeFirst();
  return row?.attempt === null || row?.attempt === undefined ? 0 : Number(row.attempt);
}

export function waveCheckGroup(
  db: Executor,
  rolloutId: string,
  wave: string,
  attempt: number,
): Promise<RolloutHostTaskTable[]> {
  return db
    .selectFrom('rollout_host_tasks')
    .selectAll()
    .where('rollout_id', '=', rolloutId)
    .where('kind', '=', 'health-check')
    .where('scope', '=', 'wave')
    .where('wave', '=', wave)
    .where('attempt', '=', attempt)
    .execute();
}
