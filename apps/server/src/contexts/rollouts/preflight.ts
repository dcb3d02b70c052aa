/**
 * Pre-flight (issue 9, seed step 2 "validate patches for compatibility with existing systems";
 * docs/adr/0039-preflight-verification.md): before approval, every host in a change's scope
 * simulates the install of its patches at their exact versions (`apt-get -s` on the agent, a
 * `preflight` task). A removal or a conflict fails it; the summary is recorded on the change
 * (its detail and the CAB agenda show it). The install task repeats the same simulation as its
 * pre-check before each host's wave (`allowRemovals: false` unless the plan allows it).
 *
 * Requested when a change is submitted (`change.state-changed` → submitted, wired in main.ts)
 * and on demand (`POST /api/v1/changes/:id/preflight`). Results arrive as
 * `agent.task-finished` for preflight tasks (`onPreflightTaskFinished`).
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Simulation } from '@patchgate/agent-protocol';
import type { ServerContext } from '../../context.ts';
import { timestamp } from '../../clock.ts';
import type { DomainEventData } from '../../events/index.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { ConflictError } from '../../http/problems.ts';
import { agentTask, enqueueTask } from '../agents/index.ts';
import type { AuditActor, RequestSource } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { ChangePatchPlan, PreflightSummary } from '../changes/index.ts';
import { changePatchPlan, recordPreflightSummary } from '../changes/index.ts';
import type {
  PreflightHost,
  PreflightHostStatus,
  PreflightReport,
  PreflightRunState,
  PreflightTrigger,
} from './preflight-schema.ts';
import type { PreflightHostTable, PreflightRunTable } from './preflight-tables.ts';
import { transactionRetryingDeadlocks } from '../../db/database.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;
type Trx = Transaction<DatabaseSchema>;

/** A pre-flight task's limit; the simulation itself takes seconds. */
export const preflightTimeoutSeconds = 600;
/** Changes that are over: nothing to validate any more. */
const closedStates: readonly string[] = ['closed', 'cancelled', 'rejected'];

/** Why a simulation fails the pre-flight; empty when it passes. */
export function simulationFailures(simulation: Simulation): string[] {
  return [
    ...simulation.remove.map(
      (p) => `would remove ${p.name}${p.version === null ? '' : ` ${p.version}`}`,
    ),
    ...simulation.problems,
  ];
}

function runStateOf(statuses: readonly string[]): PreflightRunState {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('pending')) return 'pending';
  return 'passed';
}

function warningOf(host: HostStatusRow): string[] {
  if (host.status === 'failed') return [`${host.asset_name}: ${host.detail ?? 'failed'}`];
  if (host.status === 'no-agent')
    return [
      `${host.asset_name}: no agent, not checked${host.detail === null ? '' : ` (${host.detail})`}`,
    ];
  return [];
}

/** Warning lines kept on the change's summary (the API's report lists every host). */
export const summaryWarningLimit = 50;

type HostStatusRow = Pick<PreflightHostTable, 'asset_name' | 'status' | 'detail'>;

function summaryOf(run: PreflightRunTable, hosts: readonly HostStatusRow[]): PreflightSummary {
  const count = (status: PreflightHostStatus) => hosts.filter((h) => h.status === status).length;
  return {
    runId: run.id,
    state: run.state as PreflightRunState,
    checkedAt: run.created_at,
    hosts: {
      total: hosts.length,
      pending: count('pending'),
      passed: count('passed'),
      failed: count('failed'),
      noAgent: count('no-agent'),
    },
    warnings: limited(hosts.flatMap(warningOf)),
  };
}

function limited(warnings: string[]): string[] {
  if (warnings.length <= summaryWarningLimit) return warnings;
  return [
    ...warnings.slice(0, summaryWarningLimit),
    `… and ${warnings.length - summaryWarningLimit} more (patchgate changes preflight)`,
  ];
}

async function hostsOf(db: Ctx['database']['db'] | Trx, runId: string) {
  return db
    .selectFrom('preflight_hosts')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('asset_name')
    .orderBy('asset_id')
    .execute();
}

/** Recompute the run's state from its hosts, record it and the change's summary. */
async function settleRun(ctx: Ctx, trx: Trx, runId: string): Promise<void> {
  const run = await trx
    .selectFrom('preflight_runs')
    .selectAll()
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  // The statuses only (a run may have thousands of hosts, each result settles it again).
  const hosts = await trx
    .selectFrom('preflight_hosts')
    .select(['asset_name', 'status', 'detail'])
    .where('run_id', '=', runId)
    .orderBy('asset_name')
    .orderBy('asset_id')
    .execute();
  const state = runStateOf(hosts.map((h) => h.status));
  const finished = state === 'pending' ? null : (run.finished_at ?? timestamp(ctx.clock));
  if (state !== run.state || finished !== run.finished_at)
    await trx
      .updateTable('preflight_runs')
      .set({ state, finished_at: finished })
      .where('id', '=', runId)
      .execute();
  // Only the latest run speaks for the change.
  const latest = await latestRun(trx, run.change_id);
  if (latest?.id === runId)
    await recordPreflightSummary(
      trx,
      ctx.database.dialect,
      ctx.clock,
      run.change_id,
      summaryOf({ ...run, state, finished_at: finished }, hosts),
    );
}

function latestRun(db: Ctx['database']['db'] | Trx, changeId: string) {
  return db
    .selectFrom('preflight_runs')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A host's row before its task is queued: what it simulates, or why it cannot. */
function plannedHost(
  runId: string,
  host: ChangePatchPlan['hosts'][number],
): PreflightHostTable & { targets: { name: string; version: string }[] } {
  const targets = host.packages.flatMap((p) =>
    p.version === null ? [] : [{ name: p.name, version: p.version }],
  );
  const latest = host.packages.filter((p) => p.version === null).map((p) => p.name);
  const base = {
    run_id: runId,
    asset_id: host.assetId,
    asset_name: host.assetName,
    agent_id: null,
    task_id: null,
    packages_json: JSON.stringify(targets),
    simulation_json: null,
    finished_at: null,
    targets,
  };
  if (latest.length > 0)
    return {
      ...base,
      status: 'failed',
      detail: `no exact version to simulate for ${latest.join(', ')} (patch mode latest)`,
    };
  if (targets.length === 0) return { ...base, status: 'passed', detail: 'no patches on this host' };
  return { ...base, status: 'pending', detail: null };
}

/**
 * Queue a pre-flight of the change's patches on every host in its scope, in one transaction
 * (run, hosts, tasks, audit, summary). 409 when the change is over or has no hosts.
 */
export async function requestPreflight(
  ctx: Ctx,
  changeRef: string,
  trigger: PreflightTrigger,
  by: RequestSource,
): Promise<PreflightReport> {
  const plan = await changePatchPlan(ctx.database.db, changeRef);
  if (closedStates.includes(plan.state))
    throw new ConflictError(`${plan.number} is ${plan.state}: there is nothing to pre-flight`);
  if (plan.hosts.length === 0)
    throw new ConflictError(
      `${plan.number} has no assets in scope: there is nothing to pre-flight`,
    );
  const runId = randomUUID();
  await transactionRetryingDeadlocks(ctx.database, async (trx) => {
    const now = timestamp(ctx.clock);
    await trx
      .insertInto('preflight_runs')
      .values({
        id: runId,
        change_id: plan.id,
        trigger,
        requested_by_id: by.actor.id,
        requested_by_name: by.actor.name,
        state: 'pending',
        created_at: now,
        finished_at: null,
      })
      .execute();
    for (const host of plan.hosts) {
      const { targets, ...row } = plannedHost(runId, host);
      if (row.status === 'pending') {
        const task = await enqueueTask(trx, ctx.clock, {
          assetId: host.assetId,
          idempotencyKey: `preflight:${runId}`,
          changeId: plan.id,
          timeoutSeconds: preflightTimeoutSeconds,
          task: { kind: 'preflight', packages: targets },
        });
        if (task === undefined) {
          row.status = 'no-agent';
          row.finished_at = now;
        } else {
          row.agent_id = task.agentId;
          row.task_id = task.taskId;
        }
      } else row.finished_at = now;
      await trx.insertInto('preflight_hosts').values(row).execute();
    }
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      actor: by.actor,
      action: 'change.preflight-requested',
      subjectType: 'change',
      subjectId: plan.id,
      after: { runId, trigger, hosts: plan.hosts.length },
      requestId: by.requestId ?? null,
      ...(by.ip !== undefined && { ip: by.ip }),
    });
    await settleRun(ctx, trx, runId);
  });
  return preflightReport(ctx, plan.id);
}

/**
 * An agent reported a task (`agent.task-finished`): record a preflight task's result on its
 * host and settle the run. Anything else, or a task no run knows, is left alone; a repeated
 * report changes nothing.
 */
export async function onPreflightTaskFinished(
  ctx: Ctx,
  data: DomainEventData<'agent.task-finished'>,
): Promise<void> {
  if (data.kind !== 'preflight') return;
  const task = await agentTask(ctx.database, data.taskId);
  if (task === undefined) return;
  await transactionRetryingDeadlocks(ctx.database, async (trx) => {
    const host = await trx
      .selectFrom('preflight_hosts')
      .selectAll()
      .where('task_id', '=', data.taskId)
      .executeTakeFirst();
    if (host === undefined || host.status !== 'pending') return;
    const result = task.result;
    const simulation = result?.data?.kind === 'preflight' ? result.data.simulation : null;
    let status: PreflightHostStatus;
    let detail: string | null;
    if (task.state === 'expired') {
      status = 'failed';
      detail = 'the agent did not run the pre-flight in time';
    } else if (data.outcome !== 'succeeded' || simulation === null) {
      status = 'failed';
      detail = `the agent ${data.outcome === 'rejected' ? 'rejected' : 'failed'} the pre-flight: ${result?.error ?? 'no simulation reported'}`;
    } else {
      const failures = simulationFailures(simulation);
      const agentSaysOk = result?.data?.kind === 'preflight' && result.data.ok;
      status = failures.length === 0 && agentSaysOk ? 'passed' : 'failed';
      detail =
        status === 'passed'
          ? null
          : failures.length > 0
            ? failures.join('; ')
            : 'the agent reported the simulation as not ok';
    }
    const finishedAt = timestamp(ctx.clock);
    await trx
      .updateTable('preflight_hosts')
      .set({
        status,
        detail,
        simulation_json: simulation === null ? null : JSON.stringify(simulation),
        finished_at: finishedAt,
      })
      .where('run_id', '=', host.run_id)
      .where('asset_id', '=', host.asset_id)
      .execute();
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      actor: systemActor satisfies AuditActor,
      action: 'change.preflight-host-checked',
      subjectType: 'change',
      subjectId: task.changeId ?? host.run_id,
      after: { runId: host.run_id, asset: host.asset_name, taskId: data.taskId, status, detail },
    });
    await settleRun(ctx, trx, host.run_id);
  });
}

function toHost(row: PreflightHostTable): PreflightHost {
  return {
    assetId: row.asset_id,
    assetName: row.asset_name,
    status: row.status as PreflightHostStatus,
    agentId: row.agent_id,
    taskId: row.task_id,
    packages: JSON.parse(row.packages_json) as { name: string; version: string }[],
    simulation:
      row.simulation_json === null ? null : (JSON.parse(row.simulation_json) as Simulation),
    detail: row.detail,
    finishedAt: row.finished_at,
  };
}

/** The change's latest pre-flight, per host (404 when the change is unknown). */
export async function preflightReport(ctx: Ctx, changeRef: string): Promise<PreflightReport> {
  const plan = await changePatchPlan(ctx.database.db, changeRef);
  const run = await latestRun(ctx.database.db, plan.id);
  const change = { id: plan.id, number: plan.number, state: plan.state };
  if (run === undefined) return { change, run: null, hosts: [], warnings: [] };
  const rows = await hostsOf(ctx.database.db, run.id);
  // A task the agent never ran (expired, or its agent revoked) fails its host when read.
  const hosts = await Promise.all(
    rows.map(async (row) => {
      if (row.status !== 'pending' || row.task_id === null) return row;
      const task = await agentTask(ctx.database, row.task_id);
      if (task === undefined || task.state === 'expired')
        return { ...row, status: 'failed', detail: 'the agent did not run the pre-flight in time' };
      return row;
    }),
  );
  return {
    change,
    run: {
      id: run.id,
      trigger: run.trigger as PreflightTrigger,
      state: runStateOf(hosts.map((h) => h.status)),
      requestedBy: { id: run.requested_by_id, name: run.requested_by_name },
      createdAt: run.created_at,
      finishedAt: run.finished_at,
    },
    hosts: hosts.map(toHost),
    warnings: hosts.flatMap(warningOf),
  };
}
