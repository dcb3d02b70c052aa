/**
 * Agent task results → engine events. `onTaskFinished` is wired in main.ts to
 * `agent.task-finished` (one job per event, on any replica): it maps the task back to its host
 * through the host task's row and applies the event with the version check, so it works
 * wherever it runs. A rejected or expired task counts as failed.
 */
import type { RolloutEvent, RolloutState } from '@patchgate/rollout';
import type { Transaction } from 'kysely';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { DomainEventData } from '../../events/index.ts';
import type { AgentTask } from '../agents/index.ts';
import { agentTask } from '../agents/index.ts';
import * as repo from './repository.ts';
import { applyEvents } from './service.ts';
import { tickEvent } from './windows.ts';
import type { RolloutHostTaskTable } from './tables.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;
type Trx = Transaction<DatabaseSchema>;
type Verdict = 'pass' | 'fail' | 'inconclusive';

/** The health verdict of a finished health-check task (not succeeded → fail). */
function verdictOf(outcome: string, task: AgentTask | undefined): Verdict {
  if (outcome !== 'succeeded') return 'fail';
  const data = task?.result?.data;
  return data?.kind === 'health-check' ? data.verdict : 'inconclusive';
}

/**
 * Record that `row`'s agent task finished with `outcome` and return the engine's events for
 * it (none while a wave's other hosts are still being checked). In the caller's transaction.
 */
export async function finishHostTask(
  trx: Trx,
  row: RolloutHostTaskTable,
  outcome: string,
  at: string,
): Promise<RolloutEvent[]> {
  if (row.state === 'finished' || row.state === 'cancelled') return [];
  const task = row.agent_task_id === null ? undefined : await agentTask(trx, row.agent_task_id);
  const succeeded = outcome === 'succeeded' ? 'succeeded' : 'failed';
  if (row.kind === 'install') {
    await repo.updateHostTask(trx, row.key, { state: 'finished', outcome, finished_at: at });
    return [{ type: 'host-result', host: row.asset_id, outcome: succeeded, at }];
  }
  if (row.kind === 'rollback') {
    await repo.updateHostTask(trx, row.key, { state: 'finished', outcome, finished_at: at });
    return [{ type: 'rollback-result', host: row.asset_id, outcome: succeeded, at }];
  }
  const verdict = verdictOf(outcome, task);
  await repo.updateHostTask(trx, row.key, { state: 'finished', outcome: verdict, finished_at: at });
  if (row.scope === 'host') return [{ type: 'health', host: row.asset_id, verdict, at }];
  // A wave's checks: one verdict when every host answered (any fail → fail, else any
  // inconclusive → inconclusive, else pass).
  const group = await repo.waveCheckGroup(trx, row.rollout_id, row.wave, row.attempt);
  if (group.some((t) => t.state !== 'finished' && t.key !== row.key)) return [];
  const verdicts = group.map((t) => (t.key === row.key ? verdict : (t.outcome as Verdict)));
  const combined: Verdict = verdicts.includes('fail')
    ? 'fail'
    : verdicts.includes('inconclusive')
      ? 'inconclusive'
      : 'pass';
  return [{ type: 'health', wave: row.wave, verdict: combined, at }];
}

/** The listener of `agent.task-finished`: a task of a rollout → its host's event. */
export async function onTaskFinished(
  ctx: Ctx,
  data: DomainEventData<'agent.task-finished'>,
): Promise<void> {
  const found = await repo.hostTaskByAgentTask(ctx.database.db, data.taskId);
  if (found === undefined) return; // not a rollout's task (a preflight, a rescan…)
  const rollout = await repo.rolloutRow(ctx.database.db, found.rollout_id);
  if (rollout === undefined) return;
  // The window facts now, not the last tick's: a result must not start a host after the cutoff.
  const tick = await tickEvent(ctx, rollout, JSON.parse(rollout.state_json) as RolloutState);
  await applyEvents(ctx, found.rollout_id, async (trx) => {
    // Read again inside the transaction: a re-run after a conflict sees what won.
    const row = await repo.hostTask(trx, found.key);
    if (row === undefined) return [];
    const events = await finishHostTask(trx, row, data.outcome, ctx.clock.now().toISOString());
    return events.length === 0 ? [] : [tick, ...events];
  });
}
