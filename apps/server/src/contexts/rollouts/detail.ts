/** Reading rollouts: the detail (waves, hosts, tasks, versions, times), the list, the events. */
import type { RolloutPhase, RolloutState } from '@patchgate/rollout';
import { hostOf } from '@patchgate/rollout';
import { cursorError, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { agentTask } from '../agents/index.ts';
import { changeForRollout } from '../changes/index.ts';
import type { RolloutRunOptions } from './model.ts';
import * as repo from './repository.ts';
import type {
  HostTask,
  RolloutDetail,
  RolloutEventRecord,
  RolloutHost,
  RolloutList,
  RolloutSummary,
} from './schema.ts';
import type { RolloutEventTable, RolloutTable } from './tables.ts';

/** The database, or a transaction (the review pre-fill reads inside its own). */
type Db = repo.Executor;

/** The rollout named by its id, or its change's (id or number): the real one, else the latest. */
export async function rolloutRowOf(db: Db, ref: string): Promise<RolloutTable | undefined> {
  const byId = await repo.rolloutRow(db, ref);
  if (byId !== undefined) return byId;
  const change = await changeForRollout(db, ref);
  if (change === undefined) return undefined;
  const rows = await repo.rolloutsOfChange(db, change.id);
  return rows.find((r) => r.dry_run === 0) ?? rows[0];
}

async function summaryOf(db: Db, row: RolloutTable): Promise<RolloutSummary> {
  const change = await changeForRollout(db, row.change_id);
  const state = JSON.parse(row.state_json) as RolloutState;
  return {
    id: row.id,
    change: {
      id: row.change_id,
      number: change?.number ?? '',
      title: change?.title ?? '',
      state: change?.state ?? 'unknown',
    },
    dryRun: row.dry_run === 1,
    phase: row.phase as RolloutPhase,
    reason: row.reason,
    currentWave: state.waves[state.current]?.name ?? null,
    options: JSON.parse(row.options_json) as RolloutRunOptions,
    createdBy: row.created_by_name,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    version: row.version,
    leaseOwner: row.lease_owner,
  };
}

/**
 * One rollout as people (and the review pre-fill) read it: its change, state, waves with their
 * hosts, each host's tasks and outcomes, versions before and after, times. By the rollout's id
 * or its change's id or number.
 */
export async function rolloutDetail(db: Db, ref: string): Promise<RolloutDetail | undefined> {
  const row = await rolloutRowOf(db, ref);
  if (row === undefined) return undefined;
  const summary = await summaryOf(db, row);
  const change = await changeForRollout(db, row.change_id);
  const state = JSON.parse(row.state_json) as RolloutState;
  const tasks = await repo.hostTasksOf(db, row.id);
  const byHost = new Map<string, typeof tasks>();
  for (const t of tasks) byHost.set(t.asset_id, [...(byHost.get(t.asset_id) ?? []), t]);
  const hostDetail = async (id: string): Promise<RolloutHost> => {
    const record = hostOf(state, id);
    const own = byHost.get(id) ?? [];
    const detailed: HostTask[] = [];
    let before: RolloutHost['before'] = [];
    let after: RolloutHost['after'] = [];
    let restored: RolloutHost['restored'] = [];
    let backup: RolloutHost['backup'] = null;
    for (const t of own) {
      const agent = t.agent_task_id === null ? undefined : await agentTask(db, t.agent_task_id);
      const data = agent?.result?.data;
      if (data?.kind === 'install') {
        before = data.before;
        after = data.after;
        if (data.backup !== null) {
          const { backupId, createdAt, expiresAt, packages, archive, hooks } = data.backup;
          backup = { backupId, createdAt, expiresAt, packages: packages.length, archive, hooks };
        }
      }
      if (data?.kind === 'rollback') restored = data.restored;
      detailed.push({
        key: t.key,
        kind: t.kind as HostTask['kind'],
        scope: t.scope as HostTask['scope'],
        attempt: t.attempt,
        agentTaskId: t.agent_task_id,
        state: t.state as HostTask['state'],
        outcome: t.outcome,
        agentState: agent?.state ?? null,
        error: agent?.result?.error ?? null,
        createdAt: t.created_at,
        finishedAt: t.finished_at,
      });
    }
    return {
      assetId: id,
      name: record?.name ?? id,
      state: record?.state ?? 'pending',
      checks: record?.checks ?? 'none',
      rollback: record?.rollback ?? 'none',
      startedAt: record?.startedAt ?? null,
      finishedAt: record?.finishedAt ?? null,
      before,
      after,
      restored,
      backup,
      tasks: detailed,
    };
  };
  const waves = [];
  for (const wave of state.waves) {
    const hosts: RolloutHost[] = [];
    for (const id of wave.hosts) hosts.push(await hostDetail(id));
    waves.push({
      name: wave.name,
      state: wave.state,
      gate: wave.gate,
      releasedBy: wave.releasedBy,
      concurrency: wave.concurrency,
      failureThreshold: wave.failureThreshold,
      onFailure: wave.onFailure,
      checks: wave.checks,
      startedAt: wave.startedAt,
      bakeUntil: wave.bakeUntil,
      finishedAt: wave.finishedAt,
      counts: { ...wave.counts },
      hosts,
    });
  }
  return {
    ...summary,
    planned: { start: change?.scheduledStart ?? null, end: change?.scheduledEnd ?? null },
    waves,
    lastEventSeq: await repo.lastEventSeq(db, row.id),
  };
}

export async function listRollouts(
  db: Db,
  query: { phase?: string; change?: string; dryRun?: boolean; cursor?: string; limit: number },
): Promise<RolloutList> {
  let after: [string, string] | undefined;
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, ['string', 'string']);
    if (typeof at !== 'string' || typeof id !== 'string') throw cursorError('is not valid');
    after = [at, id];
  }
  let changeId: string | undefined;
  if (query.change !== undefined) {
    const change = await changeForRollout(db, query.change);
    if (change === undefined) return { rollouts: [], nextCursor: null };
    changeId = change.id;
  }
  const rows = await repo.listRolloutRows(
    db,
    {
      ...(query.phase !== undefined && { phase: query.phase }),
      ...(changeId !== undefined && { changeId }),
      ...(query.dryRun !== undefined && { dryRun: query.dryRun }),
    },
    after,
    query.limit + 1,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    rollouts: await Promise.all(page.map((r) => summaryOf(db, r))),
    nextCursor:
      rows.length > query.limit && last !== undefined
        ? encodeCursor([last.created_at, last.id])
        : null,
  };
}

export function eventRecord(row: RolloutEventTable): RolloutEventRecord {
  return {
    seq: Number(row.seq),
    at: row.at,
    phase: row.phase,
    actor: row.actor_name,
    event: JSON.parse(row.event_json) as Record<string, unknown>,
    commands: JSON.parse(row.commands_json) as Record<string, unknown>[],
  };
}
