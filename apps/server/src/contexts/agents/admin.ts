/**
 * The admin side: enrolment tokens (create, list, revoke), agents (list, show, revoke) and
 * their tasks and task events. Changes are audited in their transaction.
 */
import { randomUUID } from 'node:crypto';
import { enrolmentTokenPrefix, OsFacts, TaskPayload, TaskResult } from '@patchgate/agent-protocol';
import type { TaskKind } from '@patchgate/agent-protocol';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { NotFoundError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { revokeAgentRow } from './agent-service.ts';
import type { TaskState } from './model.ts';
import type { AgentRow, EnrolmentTokenRow, Executor, TaskRow } from './repository.ts';
import { findAgentById, findEnrolmentToken, findTask } from './repository.ts';
import type {
  Agent,
  AgentTaskView,
  CreatedEnrolmentToken,
  EnrolmentToken,
  EnrolmentTokenCreate,
} from './schema.ts';
import type { enrolmentTokenStates } from './schema.ts';
import { newSecret, sha256 } from './secrets.ts';
import { isOnline } from './summaries.ts';
import { maxEventsPerRead, taskEvents } from './tasks.ts';

/** `pge_` and 8 characters of the secret. */
const prefixLength = enrolmentTokenPrefix.length + 8;

function strings(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function tokenState(row: EnrolmentTokenRow, now: string): EnrolmentToken['state'] {
  if (row.revoked_at !== null) return 'revoked';
  if (Number(row.uses) >= Number(row.uses_allowed)) return 'spent';
  if (row.expires_at <= now) return 'expired';
  return 'active';
}

function tokenView(row: EnrolmentTokenRow, now: string): EnrolmentToken {
  return {
    id: row.id,
    prefix: row.prefix,
    description: row.description,
    createdBy: row.created_by_name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usesAllowed: Number(row.uses_allowed),
    uses: Number(row.uses),
    environment: row.environment as EnrolmentToken['environment'],
    groups: strings(row.groups_json),
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    state: tokenState(row, now),
  };
}

export async function createEnrolmentToken(
  ctx: ServerContext,
  source: RequestSource,
  input: EnrolmentTokenCreate,
): Promise<CreatedEnrolmentToken> {
  const now = ctx.clock.now();
  const token = newSecret(enrolmentTokenPrefix);
  const row: EnrolmentTokenRow = {
    id: randomUUID(),
    token_hash: sha256(token),
    prefix: token.slice(0, prefixLength),
    description: input.description ?? null,
    created_by: source.actor.id,
    created_by_name: source.actor.name,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString(),
    uses_allowed: input.uses,
    uses: 0,
    environment: input.environment ?? null,
    groups_json: JSON.stringify([...new Set(input.groups)].sort()),
    last_used_at: null,
    revoked_at: null,
  };
  const view = tokenView(row, now.toISOString());
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('agent_enrolment_tokens').values(row).execute();
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'agent.enrolment_token_created',
      subjectType: 'enrolment_token',
      subjectId: row.id,
      after: view,
    });
  });
  return { ...view, token };
}

export async function listEnrolmentTokens(
  ctx: ServerContext,
  query: { state?: (typeof enrolmentTokenStates)[number] | undefined },
): Promise<EnrolmentToken[]> {
  const now = timestamp(ctx.clock);
  const rows = await ctx.database.db
    .selectFrom('agent_enrolment_tokens')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(1000)
    .execute();
  return rows
    .map((row) => tokenView(row, now))
    .filter((token) => query.state === undefined || token.state === query.state);
}

/** Revoke a token: it enrols nothing more (agents it enrolled keep their credentials). */
export async function revokeEnrolmentToken(
  ctx: ServerContext,
  source: RequestSource,
  id: string,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const row = await findEnrolmentToken(trx, id);
    if (row === undefined) throw new NotFoundError('The enrolment token');
    if (row.revoked_at !== null) return;
    const now = timestamp(ctx.clock);
    await trx
      .updateTable('agent_enrolment_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .execute();
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'agent.enrolment_token_revoked',
      subjectType: 'enrolment_token',
      subjectId: id,
      before: tokenView(row, now),
      after: { revokedAt: now },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Agents

export function agentView(row: AgentRow, now: Date): Agent {
  return {
    id: row.id,
    assetId: row.asset_id,
    name: row.name,
    hostname: row.hostname,
    version: row.agent_version,
    os: row.os_json === null ? null : OsFacts.parse(JSON.parse(row.os_json)),
    architecture: row.architecture,
    packageManagers: strings(row.package_managers_json),
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    online: row.revoked_at === null && isOnline(row.last_seen_at, now),
    clockSkewMs: row.clock_skew_ms === null ? null : Number(row.clock_skew_ms),
    bootId: row.boot_id,
    rebootRequired: Number(row.reboot_required) === 1,
    rebootPackages: strings(row.reboot_packages_json),
    servicesNeedingRestart: strings(row.services_needing_restart_json),
    queuedResults: Number(row.queued_results),
    runningTaskId: row.running_task_id,
    lastInventoryAt: row.last_inventory_at,
    lastUpdatesAt: row.last_updates_at,
    revokedAt: row.revoked_at,
  };
}

export interface AgentFilter {
  readonly online?: 'true' | 'false' | undefined;
  readonly revoked?: 'true' | 'false' | undefined;
  readonly rebootRequired?: 'true' | 'false' | undefined;
  readonly q?: string | undefined;
}

export async function listAgents(ctx: ServerContext, filter: AgentFilter): Promise<Agent[]> {
  let query = ctx.database.db.selectFrom('agents').selectAll().orderBy('name').orderBy('id');
  query =
    filter.revoked === 'true'
      ? query.where('revoked_at', 'is not', null)
      : query.where('revoked_at', 'is', null);
  if (filter.rebootRequired !== undefined)
    query = query.where('reboot_required', '=', filter.rebootRequired === 'true' ? 1 : 0);
  const now = ctx.clock.now();
  const needle = filter.q?.toLowerCase();
  return (await query.execute())
    .map((row) => agentView(row, now))
    .filter((agent) => filter.online === undefined || String(agent.online) === filter.online)
    .filter((agent) => needle === undefined || agent.name.toLowerCase().includes(needle));
}

/** An agent by its id, or by its name (the unrevoked agent of that name, else the newest). */
export async function resolveAgent(db: Executor, ref: string): Promise<AgentRow> {
  const byId = await findAgentById(db, ref);
  if (byId !== undefined) return byId;
  const byName = await db
    .selectFrom('agents')
    .selectAll()
    .where('name', '=', ref)
    .orderBy('enrolled_at', 'desc')
    .orderBy('id')
    .execute();
  const row = byName.find((r) => r.revoked_at === null) ?? byName[0];
  if (row === undefined) throw new NotFoundError(`The agent "${ref}" (name or id)`);
  return row;
}

export async function getAgent(ctx: ServerContext, ref: string): Promise<Agent> {
  return agentView(await resolveAgent(ctx.database.db, ref), ctx.clock.now());
}

export async function revokeAgent(
  ctx: ServerContext,
  source: RequestSource,
  ref: string,
  reason: string | undefined,
): Promise<Agent> {
  const id = await ctx.database.db.transaction().execute(async (trx) => {
    const row = await resolveAgent(trx, ref);
    await revokeAgentRow(ctx, trx, row.id, source, reason ?? 'revoked by an admin');
    return row.id;
  });
  return getAgent(ctx, id);
}

// ---------------------------------------------------------------------------------------------
// Tasks

export function taskView(row: TaskRow): AgentTaskView {
  return {
    id: row.id,
    agentId: row.agent_id,
    assetId: row.asset_id,
    kind: row.kind as TaskKind,
    state: row.state as TaskState,
    idempotencyKey: row.idempotency_key,
    changeId: row.change_id,
    rolloutId: row.rollout_id,
    notAfter: row.not_after,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    finishedAt: row.finished_at,
    deliveries: Number(row.deliveries),
    error: row.error,
    payload: TaskPayload.parse(JSON.parse(row.payload)),
    keyId: row.key_id,
    result: row.result_json === null ? null : TaskResult.parse(JSON.parse(row.result_json)),
  };
}

export async function listAgentTasks(
  ctx: ServerContext,
  ref: string,
  query: { state?: TaskState | undefined; limit: number },
): Promise<AgentTaskView[]> {
  const agent = await resolveAgent(ctx.database.db, ref);
  let select = ctx.database.db
    .selectFrom('agent_tasks')
    .selectAll()
    .where('agent_id', '=', agent.id)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(query.limit);
  if (query.state !== undefined) select = select.where('state', '=', query.state);
  return (await select.execute()).map(taskView);
}

export async function getAgentTask(ctx: ServerContext, taskId: string): Promise<AgentTaskView> {
  const row = await findTask(ctx.database.db, taskId);
  if (row === undefined) throw new NotFoundError('The task');
  return taskView(row);
}

export async function listTaskEvents(
  ctx: ServerContext,
  taskId: string,
  afterSeq: number | undefined,
): Promise<{ events: Awaited<ReturnType<typeof taskEvents>>; nextAfterSeq: number | null }> {
  const row = await findTask(ctx.database.db, taskId);
  if (row === undefined) throw new NotFoundError('The task');
  const events = await taskEvents(ctx.database, taskId, afterSeq, maxEventsPerRead);
  const last = events.at(-1);
  return { events, nextAfterSeq: last === undefined ? (afterSeq ?? null) : last.seq };
}
