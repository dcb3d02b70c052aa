/**
 * The task queue per agent: queuing a signed task (the seam rollouts and verification use),
 * reading tasks and their events. Delivery, events and results from the agent's side are in
 * agent-service.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { TaskPayload, TaskResult } from '@patchgate/agent-protocol';
import type { TaskEvent, TaskKind } from '@patchgate/agent-protocol';
import type { Clock } from '../../clock.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { AgentTask, EnqueuedTask, EnqueueTaskInput, TaskState } from './model.ts';
import { defaultTaskLifetimeMs } from './model.ts';
import type { Reader, TaskEventRow, TaskRow } from './repository.ts';
import { activeAgentOfAsset, executorOf, findTask, findTaskByKey } from './repository.ts';
import { activeSigningKey, signPayload } from './signing.ts';
import { signalTasks } from './task-signals.ts';

/**
 * Queue a task for the asset's agent, signed: builds the whole TaskPayload (taskId, agentId,
 * issuedAt, notAfter — one hour by default —, the idempotency key…), validates it with the
 * protocol's schema, signs its JSON text with the active key and stores text and signature.
 * The same idempotency key for the same agent returns the task already queued. `undefined`:
 * the asset has no (unrevoked) agent. Call it inside the transaction of the change it serves.
 */
export async function enqueueTask(
  trx: Transaction<DatabaseSchema>,
  clock: Clock,
  input: EnqueueTaskInput,
): Promise<EnqueuedTask | undefined> {
  const agent = await activeAgentOfAsset(trx, input.assetId);
  if (agent === undefined) return undefined;
  const existing = await findTaskByKey(trx, agent.id, input.idempotencyKey);
  if (existing !== undefined) return { taskId: existing.id, agentId: agent.id };
  const now = clock.now();
  const notAfter = input.notAfter ?? new Date(now.getTime() + defaultTaskLifetimeMs);
  const taskId = randomUUID();
  const checked = TaskPayload.safeParse({
    ...input.task,
    taskId,
    agentId: agent.id,
    issuedAt: now.toISOString(),
    notAfter: notAfter.toISOString(),
    idempotencyKey: input.idempotencyKey,
    changeId: input.changeId ?? null,
    rolloutId: input.rolloutId ?? null,
    dryRun: input.dryRun ?? false,
    ...(input.timeoutSeconds !== undefined && { timeoutSeconds: input.timeoutSeconds }),
  });
  if (!checked.success) {
    // The caller built a task the protocol does not allow: a programming error, not input.
    throw new Error(`enqueueTask: not a valid ${input.task.kind} task: ${checked.error.message}`);
  }
  const payload = JSON.stringify(checked.data);
  const key = await activeSigningKey(trx, clock);
  await trx
    .insertInto('agent_tasks')
    .values({
      id: taskId,
      agent_id: agent.id,
      asset_id: agent.asset_id,
      kind: checked.data.kind,
      idempotency_key: input.idempotencyKey,
      change_id: checked.data.changeId,
      rollout_id: checked.data.rolloutId,
      payload,
      signature: signPayload(key, payload),
      key_id: key.keyId,
      state: 'queued',
      not_after: notAfter.toISOString(),
      result_json: null,
      error: null,
      created_at: now.toISOString(),
      delivered_at: null,
      last_delivered_at: null,
      deliveries: 0,
      finished_at: null,
    })
    .onConflict((oc) => oc.columns(['agent_id', 'idempotency_key']).doNothing())
    .execute();
  // A concurrent enqueue with the same key may have won the insert: answer with its task.
  const stored = await findTaskByKey(trx, agent.id, input.idempotencyKey);
  if (stored === undefined) throw new Error('enqueueTask: the task was not stored');
  signalTasks(agent.id);
  return { taskId: stored.id, agentId: agent.id };
}

export function taskOf(row: TaskRow): AgentTask {
  return {
    taskId: row.id,
    agentId: row.agent_id,
    assetId: row.asset_id,
    kind: row.kind as TaskKind,
    state: row.state as TaskState,
    idempotencyKey: row.idempotency_key,
    changeId: row.change_id,
    rolloutId: row.rollout_id,
    payload: TaskPayload.parse(JSON.parse(row.payload)),
    notAfter: row.not_after,
    result: row.result_json === null ? null : TaskResult.parse(JSON.parse(row.result_json)),
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    finishedAt: row.finished_at,
  };
}

/** A task by id, whoever it is for. */
export async function agentTask(db: Reader, taskId: string): Promise<AgentTask | undefined> {
  const row = await findTask(executorOf(db), taskId);
  return row === undefined ? undefined : taskOf(row);
}

/** The most events one read returns; page with `afterSeq`. */
export const maxEventsPerRead = 5000;

export function eventOf(row: TaskEventRow): TaskEvent {
  return {
    seq: Number(row.seq),
    at: row.at,
    type: row.type as TaskEvent['type'],
    ...(row.step !== null && { step: row.step as NonNullable<TaskEvent['step']> }),
    ...(row.stream !== null && { stream: row.stream as NonNullable<TaskEvent['stream']> }),
    ...(row.line !== null && { line: row.line }),
  };
}

/** A task's events in seq order, after `afterSeq` when given (at most `maxEventsPerRead`). */
export async function taskEvents(
  db: Reader,
  taskId: string,
  afterSeq?: number,
  limit = maxEventsPerRead,
): Promise<TaskEvent[]> {
  let query = executorOf(db)
    .selectFrom('agent_task_events')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('seq')
    .limit(Math.min(limit, maxEventsPerRead));
  if (afterSeq !== undefined) query = query.where('seq', '>', afterSeq);
  return (await query.execute()).map(eventOf);
}
