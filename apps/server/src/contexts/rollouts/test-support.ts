/**
 * Test support for this context's tests: a real app on a real database with staging hosts
 * (each with a registered agent and pg-demo-service 1.0 in its inventory), a change on them
 * approved and scheduled through the API, the driver with an injected clock, and an obliging
 * agent that finishes the rollout's queued agent tasks as told (its results written as the
 * agents context stores them, then `onTaskFinished`, as `agent.task-finished` would).
 */
import { randomUUID } from 'node:crypto';
import type { ChangePlansInput } from '@patchgate/changes';
import type { TaskResult } from '@patchgate/agent-protocol';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import type { Database } from '../../db/database.ts';
import { testClock as manualClock } from '@patchgate/testing';
import type { RolloutDriver } from './driver.ts';
import { startRolloutDriver } from './driver.ts';
import { onTaskFinished } from './task-results.ts';
import type { RolloutHostTaskTable } from './tables.ts';

type Inject = Awaited<ReturnType<typeof testApp>>['app']['inject'];

/** `method url` as `caller`, expecting `status`; returns the parsed body. */
export async function call<T = unknown>(
  app: { inject: Inject },
  caller: TestCaller,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  status: number,
  payload?: unknown,
): Promise<T> {
  const response = await app.inject({
    method,
    url,
    headers: caller.headers,
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  if (response.statusCode !== status)
    throw new Error(
      `${method} ${url}: expected ${status}, got ${response.statusCode} ${response.body}`,
    );
  return response.json<T>();
}

export interface RolloutWorld {
  readonly app: Awaited<ReturnType<typeof testApp>>['app'];
  readonly context: Awaited<ReturnType<typeof testApp>>['context'];
  readonly database: Database;
  readonly clock: ReturnType<typeof manualClock>;
  readonly admin: TestCaller;
  readonly requester: TestCaller;
  readonly owner: TestCaller;
  readonly viewer: TestCaller;
  readonly hosts: Record<string, string>;
  driver(owner?: string, leaseMs?: number): RolloutDriver;
  close(): Promise<void>;
}

export const T0 = '2026-12-07T08:00:00.000Z';

export async function rolloutWorld(
  open: () => Promise<Database>,
  names: readonly string[] = ['web-1', 'web-2', 'web-3', 'web-4'],
  agentless: readonly string[] = [],
): Promise<RolloutWorld> {
  const database = await open();
  const clock = manualClock(T0);
  const built = await testApp(database, clock);
  const app = built.app;
  const admin = await testCaller(database, ['admin'], 'ada-admin');
  const requester = await testCaller(database, ['operator'], 'rita-requester');
  const owner = await testCaller(database, ['approver'], 'olga-owner');
  const viewer = await testCaller(database, ['viewer'], 'vera-viewer');
  await call(app, admin, 'POST', '/api/v1/approver-groups/service-owners/members', 200, {
    add: [owner.username],
  });
  const hosts: Record<string, string> = {};
  for (const name of names) {
    const asset = await call<{ id: string }>(app, admin, 'POST', '/api/v1/assets', 201, {
      name,
      osRelease: 'Debian:12',
      environment: 'staging',
      criticality: 'low',
      groups: ['web'],
    });
    hosts[name] = asset.id;
    await call(app, admin, 'POST', `/api/v1/assets/${name}/snapshots`, 201, {
      packages: [{ ecosystem: 'Debian:12', name: 'pg-demo-service', version: '1.0' }],
    });
    if (agentless.includes(name)) continue;
    // The agent as enrolment leaves it (the agents context's row; its routes enrol for real).
    await database.db
      .insertInto('agents')
      .values({
        id: randomUUID(),
        asset_id: asset.id,
        name,
        credential_hash: randomUUID(),
        enrolment_token_id: null,
        hostname: name,
        agent_version: 'test',
        os_json: null,
        architecture: 'amd64',
        package_managers_json: '["apt"]',
        boot_id: null,
        enrolled_at: T0,
        enrolled_ip: null,
        last_seen_at: T0,
        last_heartbeat_at: T0,
        clock_skew_ms: 0,
        reboot_required: 0,
        reboot_packages_json: '[]',
        services_needing_restart_json: '[]',
        queued_results: 0,
        running_task_id: null,
        last_inventory_at: null,
        last_updates_at: null,
        revoked_at: null,
      })
      .execute();
  }
  const drivers: RolloutDriver[] = [];
  return {
    app,
    context: built.context,
    database,
    clock,
    admin,
    requester,
    owner,
    viewer,
    hosts,
    driver: (name = 'replica-a', leaseMs = 30_000) => {
      const d = startRolloutDriver(built.context, { autoStart: false, owner: name, leaseMs });
      drivers.push(d);
      return d;
    },
    close: async () => {
      for (const d of drivers) await d.stop();
      await app.close();
      await database.close();
    },
  };
}

/** Waves as given; every host installs pg-demo-service 1.1; rolled back by a downgrade. */
export function plansWith(
  waves: Record<string, unknown>[],
  rollbackTriggers: string[] = ['health-check-failure', 'failure-threshold', 'manual'],
): ChangePlansInput {
  return {
    testPlan: {
      summary: 'Smoke test in the lab first.',
      steps: [{ description: 'Run the health check', expectedResult: 'exit 0' }],
    },
    deploymentPlan: { estimatedMinutes: 60, waves } as ChangePlansInput['deploymentPlan'],
    rollbackPlan: {
      triggers: rollbackTriggers,
      steps: [{ kind: 'downgrade' }],
    } as ChangePlansInput['rollbackPlan'],
  };
}

/** A change on `names` approved and scheduled to start at `start` (1 h): its id. */
export async function scheduledChange(
  w: RolloutWorld,
  names: readonly string[],
  plans: ChangePlansInput,
  start: string,
  end = new Date(Date.parse(start) + 3600_000).toISOString(),
): Promise<string> {
  const change = await call<{ id: string }>(w.app, w.requester, 'POST', '/api/v1/changes', 201, {
    title: 'pg-demo-service 1.1',
    patches: names.map((asset) => ({ asset, package: 'pg-demo-service', toVersion: '1.1' })),
    plans,
  });
  await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/schedule`, 200, {
    start,
    end,
  });
  await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/submit`, 200, {});
  const approved = await call<{ state: string }>(
    w.app,
    w.owner,
    'POST',
    `/api/v1/changes/${change.id}/approve`,
    200,
    {},
  );
  if (approved.state !== 'scheduled') throw new Error(`change is ${approved.state}`);
  return change.id;
}

export type HostTaskRow = RolloutHostTaskTable;

export function hostTasks(w: RolloutWorld, rolloutId?: string): Promise<HostTaskRow[]> {
  let query = w.database.db.selectFrom('rollout_host_tasks').selectAll();
  if (rolloutId !== undefined) query = query.where('rollout_id', '=', rolloutId);
  return query.orderBy('created_at').orderBy('key').execute();
}

export function nameOf(w: RolloutWorld, assetId: string): string {
  return Object.entries(w.hosts).find(([, id]) => id === assetId)?.[0] ?? assetId;
}

export interface Answer {
  readonly outcome?: 'succeeded' | 'failed' | 'rejected';
  readonly verdict?: 'pass' | 'fail' | 'inconclusive';
}

/** Finish one agent task as an agent would report it, then deliver `agent.task-finished`. */
export async function finishTask(
  w: RolloutWorld,
  task: HostTaskRow,
  answer: Answer = {},
): Promise<void> {
  const agentTaskId = task.agent_task_id;
  if (agentTaskId === null) throw new Error(`${task.key} has no agent task`);
  const row = await w.database.db
    .selectFrom('agent_tasks')
    .selectAll()
    .where('id', '=', agentTaskId)
    .executeTakeFirstOrThrow();
  const outcome = answer.outcome ?? 'succeeded';
  const at = w.clock.now().toISOString();
  const data: TaskResult['data'] =
    outcome === 'rejected'
      ? null
      : task.kind === 'install'
        ? {
            kind: 'install',
            simulation: null,
            before: [{ name: 'pg-demo-service', version: '1.0' }],
            after: [{ name: 'pg-demo-service', version: outcome === 'succeeded' ? '1.1' : '1.0' }],
            backup: null,
            rebootRequired: false,
            rebooted: false,
          }
        : task.kind === 'health-check'
          ? { kind: 'health-check', verdict: answer.verdict ?? 'pass', checks: [] }
          : {
              kind: 'rollback',
              restored: [{ name: 'pg-demo-service', version: '1.0' }],
              pathsRestored: [],
            };
  const result: TaskResult = {
    idempotencyKey: row.idempotency_key,
    outcome,
    startedAt: at,
    finishedAt: at,
    steps: [],
    data,
    dryRun: false,
  };
  await w.database.db
    .updateTable('agent_tasks')
    .set({ state: outcome, result_json: JSON.stringify(result), finished_at: at })
    .where('id', '=', agentTaskId)
    .execute();
  await onTaskFinished(w.context, {
    taskId: agentTaskId,
    agentId: row.agent_id,
    assetId: row.asset_id,
    kind: row.kind,
    outcome,
    rolloutId: row.rollout_id,
  });
}

/**
 * Answer every queued task (as `answers` says per host name and kind, default healthy) and
 * tick, until nothing is queued. Returns the tasks answered, in order.
 */
export async function settle(
  w: RolloutWorld,
  driver: RolloutDriver,
  answers: Record<string, Partial<Record<string, Answer>>> = {},
  rounds = 50,
): Promise<HostTaskRow[]> {
  const answered: HostTaskRow[] = [];
  await driver.tick();
  for (let i = 0; i < rounds; i++) {
    const queued = (await hostTasks(w)).filter((t) => t.state === 'queued');
    if (queued.length === 0) break;
    for (const task of queued) {
      const kind = task.scope === 'wave' ? 'wave-check' : task.kind;
      await finishTask(w, task, answers[nameOf(w, task.asset_id)]?.[kind] ?? {});
      answered.push(task);
    }
    await driver.tick();
  }
  return answered;
}
