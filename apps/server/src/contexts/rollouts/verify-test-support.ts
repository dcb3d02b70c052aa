/**
 * Test support for the verify part (pre-flight, verification, review): an agent's result for a
 * pre-flight or install task written as the agents context stores it, then delivered as
 * `agent.task-finished` is (through the verify jobs' handlers).
 */
import type { Simulation, TaskResult } from '@patchgate/agent-protocol';
import type { RolloutWorld } from './test-support.ts';
import { onPreflightTaskFinished } from './preflight.ts';
import { onInstallTaskFinished } from './verification.ts';

export const noChange: Simulation = {
  install: [],
  upgrade: [],
  downgrade: [],
  remove: [],
  held: [],
  newDependencies: [],
  servicesNeedingRestart: [],
  problems: [],
};

/** Store an agent's result for a task and deliver `agent.task-finished` to the verify part. */
export async function reportTask(
  w: RolloutWorld,
  taskId: string,
  outcome: 'succeeded' | 'failed' | 'rejected',
  data: TaskResult['data'],
  extra: Partial<TaskResult> = {},
): Promise<void> {
  const row = await w.database.db
    .selectFrom('agent_tasks')
    .selectAll()
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  const at = w.clock.now().toISOString();
  const result: TaskResult = {
    idempotencyKey: row.idempotency_key,
    outcome,
    startedAt: at,
    finishedAt: at,
    steps: [],
    data,
    dryRun: false,
    ...extra,
  };
  await w.database.db
    .updateTable('agent_tasks')
    .set({ state: outcome, result_json: JSON.stringify(result), finished_at: at })
    .where('id', '=', taskId)
    .execute();
  const event = {
    taskId,
    agentId: row.agent_id,
    assetId: row.asset_id,
    kind: row.kind,
    outcome,
    rolloutId: row.rollout_id,
  };
  await onPreflightTaskFinished(w.context, event);
  await onInstallTaskFinished(w.context, event);
}
