/**
 * What agents do through the protocol (@patchgate/agent-protocol): enrol, heartbeat, report
 * inventories and available updates, take their tasks (long-poll), stream task events and
 * report results. Every state change that matters commits with its audit event and, for a
 * result, its domain event (`agent.task-finished`, once per task).
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type {
  EnrolRequest,
  EnrolResponse,
  Heartbeat,
  HeartbeatResponse,
  TaskEnvelope,
  TaskEventBatch,
  TaskPoll,
  TaskResult,
} from '@patchgate/agent-protocol';
import { agentCredentialPrefix } from '@patchgate/agent-protocol';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { publishEvent } from '../../events/index.ts';
import type { AgentCaller } from '../../http/access.ts';
import { NotFoundError, ValidationError } from '../../http/problems.ts';
import type { AuditActor, RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { ensureHostAsset } from '../inventory/index.ts';
import type { Environment } from '@patchgate/model';
import { heartbeatSeconds, pollSeconds } from './model.ts';
import type { AgentRow, EnrolmentTokenRow, Executor, TaskRow } from './repository.ts';
import { findAgentById, findEnrolmentTokenByHash, findTask } from './repository.ts';
import { newSecret, sha256 } from './secrets.ts';
import { publishedSigningKeys } from './signing.ts';

type Trx = Transaction<DatabaseSchema>;

/** An agent's calls are audited as the agent. */
export function agentActor(agent: AgentCaller): AuditActor {
  return { type: 'agent', id: agent.agentId, name: agent.name };
}

export interface CallSource {
  readonly requestId: string;
  readonly ip: string;
}

function agentSource(agent: AgentCaller, call: CallSource): RequestSource {
  return { actor: agentActor(agent), requestId: call.requestId, ip: call.ip };
}

/** last_seen_at is written at most this often per agent (long-polls would write constantly). */
const seenResolutionMs = 10_000;

/** The agent of a credential, unless unknown or revoked; records that it was seen. */
export async function authenticateAgent(
  database: Database,
  clock: Clock,
  credential: string,
): Promise<AgentCaller | undefined> {
  if (!credential.startsWith(agentCredentialPrefix)) return undefined;
  const row = await database.db
    .selectFrom('agents')
    .select(['id', 'asset_id', 'name', 'revoked_at', 'last_seen_at'])
    .where('credential_hash', '=', sha256(credential))
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null) return undefined;
  const now = clock.now();
  if (
    row.last_seen_at === null ||
    now.getTime() - new Date(row.last_seen_at).getTime() >= seenResolutionMs
  ) {
    await database.db
      .updateTable('agents')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
  }
  return { agentId: row.id, assetId: row.asset_id, name: row.name };
}

// ---------------------------------------------------------------------------------------------
// Enrolment

export type EnrolOutcome =
  | { readonly status: 'enrolled'; readonly response: EnrolResponse }
  /** The token cannot be used: answered 401 with this message (and counted against the IP). */
  | { readonly status: 'refused'; readonly message: string };

function refusal(token: EnrolmentTokenRow | undefined, now: string): string {
  if (token === undefined) return 'The enrolment token is unknown: ask an admin for a new one';
  if (token.revoked_at !== null)
    return 'The enrolment token was revoked: ask an admin for a new one';
  if (token.expires_at <= now)
    return `The enrolment token expired at ${token.expires_at}: ask an admin for a new one`;
  return `The enrolment token is spent (${token.uses_allowed} of ${token.uses_allowed} uses): ask an admin for a new one`;
}

function osReleaseOf(request: EnrolRequest): string | undefined {
  const os = request.os;
  if (os?.versionId === undefined) return undefined;
  return `${os.id}:${os.versionId}`;
}

/**
 * Spend one use of the token (atomically: a conditional update, so two agents racing for the
 * last use cannot both win), link or create the asset, revoke the asset's previous agent (a
 * re-enrolment replaces it), store the new agent with its credential's hash, audit, publish
 * `agent.enrolled`. The credential is returned once.
 */
export async function enrol(
  ctx: ServerContext,
  request: EnrolRequest,
  call: CallSource,
): Promise<EnrolOutcome> {
  const { database, clock } = ctx;
  const now = timestamp(clock);
  const tokenHash = sha256(request.token);
  const credential = newSecret(agentCredentialPrefix);
  const agentId = randomUUID();
  return database.db.transaction().execute(async (trx): Promise<EnrolOutcome> => {
    const spent = await trx
      .updateTable('agent_enrolment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1), last_used_at: now }))
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where((eb) => eb('uses', '<', eb.ref('uses_allowed')))
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) === 0) {
      return {
        status: 'refused',
        message: refusal(await findEnrolmentTokenByHash(trx, tokenHash), now),
      };
    }
    const token = await findEnrolmentTokenByHash(trx, tokenHash);
    if (token === undefined) throw new Error('the enrolment token vanished');
    const actor: AuditActor = { type: 'agent', id: agentId, name: request.name };
    const source: RequestSource = { actor, requestId: call.requestId, ip: call.ip };
    const asset = await ensureHostAsset(trx, database.dialect, clock, source, {
      name: request.name,
      environment: token.environment as Environment | null,
      groups: JSON.parse(token.groups_json) as string[],
      osRelease: osReleaseOf(request),
    });
    const previous = await trx
      .selectFrom('agents')
      .select(['id', 'name'])
      .where('asset_id', '=', asset.assetId)
      .where('revoked_at', 'is', null)
      .execute();
    for (const old of previous) {
      await revokeAgentRow(ctx, trx, old.id, source, 'replaced by a new enrolment of the asset');
    }
    const row: AgentRow = {
      id: agentId,
      asset_id: asset.assetId,
      name: asset.assetName,
      credential_hash: sha256(credential),
      enrolment_token_id: token.id,
      hostname: request.hostname ?? null,
      agent_version: request.agentVersion,
      os_json: request.os === undefined ? null : JSON.stringify(request.os),
      architecture: request.architecture ?? null,
      package_managers_json: JSON.stringify(request.packageManagers),
      boot_id: null,
      enrolled_at: now,
      enrolled_ip: call.ip,
      last_seen_at: now,
      last_heartbeat_at: null,
      clock_skew_ms: null,
      reboot_required: 0,
      reboot_packages_json: '[]',
      services_needing_restart_json: '[]',
      queued_results: 0,
      running_task_id: null,
      last_inventory_at: null,
      last_updates_at: null,
      revoked_at: null,
    };
    await trx.insertInto('agents').values(row).execute();
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'agent.enrolled',
      subjectType: 'agent',
      subjectId: agentId,
      after: {
        agentId,
        assetId: asset.assetId,
        name: asset.assetName,
        assetCreated: asset.created,
        enrolmentTokenId: token.id,
        replaced: previous.map((p) => p.id),
        agentVersion: request.agentVersion,
      },
    });
    await publishEvent(trx, clock, 'agent.enrolled', { agentId, assetId: asset.assetId });
    return {
      status: 'enrolled',
      response: {
        agentId,
        assetId: asset.assetId,
        assetName: asset.assetName,
        credential,
        signingKeys: await publishedSigningKeys(trx, clock),
        pollSeconds,
        heartbeatSeconds,
        serverTime: timestamp(clock),
      },
    };
  });
}

/**
 * Revoke an agent inside `trx`: its credential stops working at once, and its tasks that are
 * not finished are marked rejected (publishing `agent.task-finished`, so a rollout waiting on
 * them moves on). Returns false when it was revoked already.
 */
export async function revokeAgentRow(
  ctx: ServerContext,
  trx: Trx,
  agentId: string,
  source: RequestSource,
  reason: string,
): Promise<boolean> {
  const now = timestamp(ctx.clock);
  const updated = await trx
    .updateTable('agents')
    .set({ revoked_at: now })
    .where('id', '=', agentId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  const open = await trx
    .selectFrom('agent_tasks')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('state', 'in', ['queued', 'delivered'])
    .execute();
  for (const task of open) {
    await finishWithoutResult(ctx, trx, task, 'rejected', `the agent was revoked: ${reason}`);
  }
  await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    ...source,
    action: 'agent.revoked',
    subjectType: 'agent',
    subjectId: agentId,
    after: { revokedAt: now, reason, openTasksRejected: open.map((t) => t.id) },
  });
  return true;
}

/** Close a task the agent will never report on (expired, or its agent revoked). */
async function finishWithoutResult(
  ctx: ServerContext,
  trx: Trx,
  task: TaskRow,
  state: 'rejected' | 'expired',
  error: string,
): Promise<void> {
  const now = timestamp(ctx.clock);
  const updated = await trx
    .updateTable('agent_tasks')
    .set({ state, error, finished_at: now })
    .where('id', '=', task.id)
    .where('state', 'in', ['queued', 'delivered'])
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return;
  // `expired` travels as `rejected`: the agent would have refused it (agentTask has the state).
  await publishEvent(trx, ctx.clock, 'agent.task-finished', {
    taskId: task.id,
    agentId: task.agent_id,
    assetId: task.asset_id,
    kind: task.kind,
    outcome: 'rejected',
    rolloutId: task.rollout_id,
  });
}

// ---------------------------------------------------------------------------------------------
// Heartbeats

/** An inventory or updates report older than this is asked for again. */
export const inventoryMaxAgeMs = 24 * 60 * 60 * 1000;

function stale(at: string | null, now: Date): boolean {
  return at === null || now.getTime() - new Date(at).getTime() > inventoryMaxAgeMs;
}

/** Records what the agent says about its host; answers the server's time and wishes. */
export async function recordHeartbeat(
  ctx: ServerContext,
  agent: AgentCaller,
  heartbeat: Heartbeat,
): Promise<HeartbeatResponse> {
  const now = ctx.clock.now();
  const row = await findAgentById(ctx.database.db, agent.agentId);
  if (row === undefined) throw new NotFoundError('The agent');
  await ctx.database.db
    .updateTable('agents')
    .set({
      last_seen_at: now.toISOString(),
      last_heartbeat_at: now.toISOString(),
      clock_skew_ms: new Date(heartbeat.sentAt).getTime() - now.getTime(),
      agent_version: heartbeat.agentVersion,
      boot_id: heartbeat.bootId ?? row.boot_id,
      reboot_required: heartbeat.rebootRequired ? 1 : 0,
      reboot_packages_json: JSON.stringify(heartbeat.rebootPackages),
      services_needing_restart_json: JSON.stringify(heartbeat.servicesNeedingRestart),
      queued_results: heartbeat.queuedResults,
      running_task_id: heartbeat.runningTaskId,
    })
    .where('id', '=', agent.agentId)
    .execute();
  return {
    serverTime: now.toISOString(),
    inventoryWanted: stale(row.last_inventory_at, now) || stale(row.last_updates_at, now),
  };
}

/** After a report: when it arrived (heartbeats then stop asking for one). */
export async function markReported(
  db: Executor,
  agentId: string,
  what: 'inventory' | 'updates',
  at: string,
): Promise<void> {
  await db
    .updateTable('agents')
    .set(what === 'inventory' ? { last_inventory_at: at } : { last_updates_at: at })
    .where('id', '=', agentId)
    .execute();
}

/** The task an agent names in a report, which must be its own (404 otherwise). */
export async function ownTask(db: Executor, agent: AgentCaller, taskId: string): Promise<TaskRow> {
  const task = await findTask(db, taskId);
  if (task === undefined || task.agent_id !== agent.agentId) throw new NotFoundError('The task');
  return task;
}

// ---------------------------------------------------------------------------------------------
// Tasks: delivery

/** A delivered task without a result is delivered again once this long has passed. */
export const redeliverAfterMs = 15_000;
/** At most this many tasks per poll (TaskPoll allows 100). */
const maxTasksPerPoll = 20;

function envelopeOf(row: TaskRow): TaskEnvelope {
  return { taskId: row.id, keyId: row.key_id, payload: row.payload, signature: row.signature };
}

/**
 * The agent's due tasks, marked delivered: queued ones, and delivered ones whose result has
 * not arrived a while after their last delivery (the agent crashed, or lost the answer; its
 * idempotency journal keeps it from applying one twice). Queued tasks past their notAfter are
 * expired first.
 */
export async function takeDueTasks(
  ctx: ServerContext,
  agent: AgentCaller,
): Promise<TaskEnvelope[]> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const now = timestamp(clock);
    const redeliverBefore = new Date(clock.now().getTime() - redeliverAfterMs).toISOString();
    await expireInTransaction(ctx, trx, now, agent.agentId);
    const due = await trx
      .selectFrom('agent_tasks')
      .selectAll()
      .where('agent_id', '=', agent.agentId)
      .where((eb) =>
        eb.or([
          eb('state', '=', 'queued'),
          eb.and([eb('state', '=', 'delivered'), eb('last_delivered_at', '<=', redeliverBefore)]),
        ]),
      )
      .where('not_after', '>', now)
      .orderBy('created_at')
      .orderBy('id')
      .limit(maxTasksPerPoll)
      .execute();
    if (due.length === 0) return [];
    await trx
      .updateTable('agent_tasks')
      .set((eb) => ({
        state: 'delivered',
        delivered_at: eb.fn.coalesce('delivered_at', sql.lit(now)),
        last_delivered_at: now,
        deliveries: eb('deliveries', '+', 1),
      }))
      .where(
        'id',
        'in',
        due.map((t) => t.id),
      )
      .where('state', 'in', ['queued', 'delivered'])
      .execute();
    return due.map(envelopeOf);
  });
}

const notDelivered = 'not delivered before its notAfter (the agent did not poll in time)';

async function expireInTransaction(
  ctx: ServerContext,
  trx: Trx,
  now: string,
  agentId?: string,
): Promise<number> {
  let query = trx
    .selectFrom('agent_tasks')
    .selectAll()
    .where('state', '=', 'queued')
    .where('not_after', '<=', now)
    .orderBy('not_after')
    .limit(500);
  if (agentId !== undefined) query = query.where('agent_id', '=', agentId);
  const expired = await query.execute();
  for (const task of expired) await finishWithoutResult(ctx, trx, task, 'expired', notDelivered);
  return expired.length;
}

/**
 * Expire every queued task past its notAfter (an agent that never polled in time: offline, or
 * gone), so whoever queued it hears `agent.task-finished` (outcome rejected, state expired).
 * Delivered tasks are left alone: the agent may be running one and reports it when it can.
 * A periodic job (jobs.ts); each poll also does it for its own agent.
 */
export async function expireOverdueTasks(ctx: ServerContext): Promise<{ expired: number }> {
  let total = 0;
  for (;;) {
    const now = timestamp(ctx.clock);
    const count = await ctx.database.db
      .transaction()
      .execute((trx) => expireInTransaction(ctx, trx, now));
    total += count;
    if (count < 500) return { expired: total };
  }
}

export function pollAnswer(clock: Clock, tasks: TaskEnvelope[]): TaskPoll {
  return { serverTime: timestamp(clock), tasks };
}

// ---------------------------------------------------------------------------------------------
// Tasks: events and results

/** Stores the events it does not have yet (by seq); returns how many were new. */
export async function recordTaskEvents(
  ctx: ServerContext,
  agent: AgentCaller,
  taskId: string,
  batch: TaskEventBatch,
): Promise<{ accepted: number; duplicates: number }> {
  const { db } = ctx.database;
  await ownTask(db, agent, taskId);
  const receivedAt = timestamp(ctx.clock);
  const rows = batch.events.map((event) => ({
    task_id: taskId,
    seq: event.seq,
    at: event.at,
    type: event.type,
    step: event.step ?? null,
    stream: event.stream ?? null,
    line: event.line ?? null,
    received_at: receivedAt,
  }));
  let accepted = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const result = await db
      .insertInto('agent_task_events')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['task_id', 'seq']).doNothing())
      .executeTakeFirst();
    accepted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return { accepted, duplicates: rows.length - accepted };
}

export interface ResultOutcome {
  readonly taskId: string;
  readonly state: string;
  /** True when the task already had its result (nothing was recorded or published). */
  readonly duplicate: boolean;
}

/**
 * The task's result, accepted once (by the task's idempotency key): the first report sets the
 * task's state, audits, and publishes `agent.task-finished` in one transaction; a repeat (the
 * agent resending from its queue after a lost answer) changes nothing and publishes nothing.
 */
export async function recordTaskResult(
  ctx: ServerContext,
  agent: AgentCaller,
  taskId: string,
  result: TaskResult,
  call: CallSource,
): Promise<ResultOutcome> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx): Promise<ResultOutcome> => {
    const task = await ownTask(trx, agent, taskId);
    if (result.idempotencyKey !== task.idempotency_key) {
      const message = "is not this task's idempotency key";
      throw new ValidationError(`body.idempotencyKey: ${message}`, [
        { field: 'body.idempotencyKey', message },
      ]);
    }
    if (result.data !== null && result.data.kind !== task.kind) {
      const message = `is a ${result.data.kind} result; the task is ${task.kind}`;
      throw new ValidationError(`body.data.kind: ${message}`, [
        { field: 'body.data.kind', message },
      ]);
    }
    if (task.state !== 'queued' && task.state !== 'delivered') {
      return { taskId, state: task.state, duplicate: true };
    }
    const now = timestamp(clock);
    const updated = await trx
      .updateTable('agent_tasks')
      .set({
        state: result.outcome,
        result_json: JSON.stringify(result),
        error: result.error ?? null,
        finished_at: now,
        delivered_at: task.delivered_at ?? now,
      })
      .where('id', '=', taskId)
      .where('state', 'in', ['queued', 'delivered'])
      .executeTakeFirst();
    // Another replica recorded the same result a moment ago.
    if (Number(updated.numUpdatedRows) === 0)
      return { taskId, state: result.outcome, duplicate: true };
    await appendAuditEvent(trx, database.dialect, clock, {
      ...agentSource(agent, call),
      action: 'agent.task_finished',
      subjectType: 'agent_task',
      subjectId: taskId,
      before: { state: task.state },
      after: {
        state: result.outcome,
        kind: task.kind,
        assetId: task.asset_id,
        changeId: task.change_id,
        rolloutId: task.rollout_id,
        dryRun: result.dryRun,
        ...(result.error !== undefined && { error: result.error }),
      },
    });
    await publishEvent(trx, clock, 'agent.task-finished', {
      taskId,
      agentId: agent.agentId,
      assetId: task.asset_id,
      kind: task.kind,
      outcome: result.outcome,
      rolloutId: task.rollout_id,
    });
    return { taskId, state: result.outcome, duplicate: false };
  });
}
