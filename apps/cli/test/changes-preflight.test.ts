/**
 * `patchgate changes preflight` and the pre-flight / review-facts sections of `changes show` and
 * `changes review`, against a real server over HTTP: a pre-flight requested with --run queues a
 * task per host with an agent; the agent's result (delivered as `agent.task-finished` is)
 * fails a host on a removal; the command exits 1 then and says why.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCaller } from '../../server/test/auth.ts';
import { testCaller } from '../../server/test/auth.ts';
import { onPreflightTaskFinished } from '../../server/src/contexts/rollouts/index.ts';
import { prefillReview } from '../../server/src/contexts/changes/index.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let served: CliTestServer | undefined;
let requester: TestCaller;
let viewer: TestCaller;

function server(): CliTestServer {
  if (served === undefined) throw new Error('the test server did not start');
  return served;
}
const patchgate = (argv: string[], as: TestCaller = requester) =>
  runCliWith(argv, server().envFor(as.token), server().work);

async function api(as: TestCaller, method: string, path: string, body: unknown) {
  const response = await fetch(`${server().server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${as.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

beforeAll(async () => {
  served = await startCliTestServer('preflight');
  const database = server().server.context.database;
  requester = await testCaller(database, ['change_manager', 'operator'], 'rita');
  viewer = await testCaller(database, ['viewer'], 'vera');
  const admin = await testCaller(database, ['admin'], 'ada');
  for (const name of ['db-1', 'db-2']) {
    const asset = await api(admin, 'POST', '/api/v1/assets', {
      name,
      osRelease: 'Debian:12',
      environment: 'staging',
    });
    await api(admin, 'POST', `/api/v1/assets/${name}/snapshots`, {
      packages: [{ ecosystem: 'Debian:12', name: 'pg-demo-service', version: '1.0' }],
    });
    if (name === 'db-2') continue;
    // db-1's agent as enrolment leaves it (the agents context's row).
    const now = new Date().toISOString();
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
        enrolled_at: now,
        enrolled_ip: null,
        last_seen_at: now,
        last_heartbeat_at: now,
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
  await api(requester, 'POST', '/api/v1/changes', {
    title: 'pg-demo-service 1.1',
    patches: ['db-1', 'db-2'].map((asset) => ({
      asset,
      package: 'pg-demo-service',
      toVersion: '1.1',
    })),
    plans: {
      testPlan: {
        summary: 'Smoke test in the lab first.',
        steps: [{ description: 'Run the health check', expectedResult: 'exit 0' }],
      },
      deploymentPlan: {
        estimatedMinutes: 60,
        waves: [
          {
            name: 'all',
            assets: ['db-1', 'db-2'],
            healthChecks: [{ kind: 'command', command: 'true' }],
          },
        ],
      },
      rollbackPlan: { triggers: ['health-check-failure'], steps: [{ kind: 'downgrade' }] },
    },
  });
}, 60_000);

afterAll(async () => {
  await served?.close();
});

describe('patchgate changes preflight', () => {
  it('requests a pre-flight, shows each host, fails on a removal with exit 1', async () => {
    const none = await patchgate(['changes', 'preflight', 'CHG-0001']);
    expect(none).toEqual({
      code: 0,
      stdout: 'CHG-0001: no pre-flight yet (patchgate changes preflight CHG-0001 --run)\n',
      stderr: '',
    });
    // A viewer may read but not request.
    const refused = await patchgate(['changes', 'preflight', 'CHG-0001', '--run'], viewer);
    expect(refused.code).toBe(4);
    const run = await patchgate(['changes', 'preflight', 'CHG-0001', '--run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^CHG-0001 pre-flight PENDING — 1 of 2 host\(s\) NOT CHECKED \(no agent\) \(on-demand, .* by rita\)\n/,
    );
    expect(run.stdout).toContain('\n  db-1: pending\n  db-2: no-agent\n');

    const context = server().server.context;
    const task = await context.database.db
      .selectFrom('agent_tasks')
      .selectAll()
      .where('kind', '=', 'preflight')
      .executeTakeFirstOrThrow();
    const at = new Date().toISOString();
    await context.database.db
      .updateTable('agent_tasks')
      .set({
        state: 'succeeded',
        finished_at: at,
        result_json: JSON.stringify({
          idempotencyKey: task.idempotency_key,
          outcome: 'succeeded',
          startedAt: at,
          finishedAt: at,
          steps: [],
          dryRun: false,
          data: {
            kind: 'preflight',
            ok: false,
            simulation: {
              install: [],
              upgrade: [{ name: 'pg-demo-service', from: '1.0', to: '1.1' }],
              downgrade: [],
              remove: [{ name: 'pg-legacy-plugin', version: '0.9' }],
              held: [],
              newDependencies: [],
              servicesNeedingRestart: ['pg-demo.service'],
              problems: [],
            },
          },
        }),
      })
      .where('id', '=', task.id)
      .execute();
    await onPreflightTaskFinished(context, {
      taskId: task.id,
      agentId: task.agent_id,
      assetId: task.asset_id,
      kind: 'preflight',
      outcome: 'succeeded',
      rolloutId: null,
    });

    const failed = await patchgate(['changes', 'preflight', 'CHG-0001'], viewer);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      [
        '  db-1: failed — would remove pg-legacy-plugin 0.9',
        '      upgrade: pg-demo-service 1.0 → 1.1',
        '      REMOVE: pg-legacy-plugin 0.9',
        '      services to restart: pg-demo.service',
        '  db-2: no-agent',
      ].join('\n'),
    );
    const json = await patchgate(['changes', 'preflight', 'CHG-0001', '--json'], viewer);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      change: { number: 'CHG-0001' },
      run: { state: 'failed' },
      warnings: ['db-1: would remove pg-legacy-plugin 0.9', 'db-2: no agent, not checked'],
    });
    const show = await patchgate(['changes', 'show', 'CHG-0001'], viewer);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(
      /\n {2}pre-flight:\n {4}CHG-0001 pre-flight FAILED — 1 of 2 host\(s\) NOT CHECKED \(no agent\)/,
    );
    expect(show.stdout).toContain('    db-1: failed — would remove pg-legacy-plugin 0.9\n');
    // The CAB agenda (a submitted change in authorise) carries the warnings.
    expect((await patchgate(['changes', 'submit', 'CHG-0001'])).stderr).toBe('');
    const agenda = await patchgate(['changes', 'agenda'], viewer);
    expect(agenda.stdout).toContain('  pre-flight: FAILED (0/2 hosts passed, ');
    expect(agenda.stdout).toContain(
      '    warning: db-1: would remove pg-legacy-plugin 0.9\n    warning: db-2: no agent, not checked\n',
    );
    const shown = JSON.parse(
      (await patchgate(['changes', 'show', 'CHG-0001', '--json'])).stdout,
    ) as unknown;
    expect(shown).toMatchObject({
      preflight: { state: 'failed', hosts: { failed: 1, noAgent: 1 } },
    });
  });

  it('prints the review’s facts pre-filled from the rollout', async () => {
    const context = server().server.context;
    const change = await context.database.db
      .selectFrom('change_requests')
      .select('id')
      .where('number', '=', 1)
      .executeTakeFirstOrThrow();
    await context.database.db.transaction().execute((trx) =>
      prefillReview(trx, context.database.dialect, context.clock, change.id, {
        rolloutId: 'r-1',
        outcome: 'rolled_back',
        planned: { start: '2026-12-07T08:00:00.000Z', end: '2026-12-07T09:00:00.000Z' },
        actual: { start: '2026-12-07T08:05:00.000Z', end: '2026-12-07T08:40:00.000Z' },
        startDelayMinutes: 5,
        overrunMinutes: -20,
        waves: [
          {
            name: 'canary',
            state: 'rolled_back',
            hosts: [
              {
                assetId: 'a-1',
                assetName: 'db-1',
                outcome: 'rolled_back',
                before: [{ name: 'pg-demo-service', version: '1.0' }],
                after: [{ name: 'pg-demo-service', version: '1.2' }],
                versionsConfirmed: true,
                rebootPending: false,
              },
            ],
          },
        ],
        failures: [
          {
            assetId: 'a-1',
            assetName: 'db-1',
            wave: 'canary',
            taskId: 't-1',
            kind: 'health-check',
            step: 'health-checks',
            detail: 'check pg-demo failed',
            log: ['exit status 1'],
          },
        ],
        rollbacks: [
          {
            assetId: 'a-1',
            assetName: 'db-1',
            outcome: 'succeeded',
            restored: [{ name: 'pg-demo-service', version: '1.0' }],
          },
        ],
        findings: { linked: 0, closed: 0, closedByChange: 0, dueMet: 0, dueMissed: 0, items: [] },
        recordedAt: '2026-12-07T08:41:00.000Z',
      }),
    );
    const review = await patchgate(['changes', 'review', 'CHG-0001'], viewer);
    expect(review.code).toBe(0);
    expect(review.stdout).toContain(
      [
        '  facts of rollout r-1: rolled_back (recorded 2026-12-07T08:41:00.000Z)',
        '    planned: 2026-12-07T08:00:00.000Z → 2026-12-07T09:00:00.000Z',
        '    actual:  2026-12-07T08:05:00.000Z (5 min late) → 2026-12-07T08:40:00.000Z (20 min inside the window)',
        '    wave canary: rolled_back',
        '      db-1: rolled_back, pg-demo-service 1.2',
        '    failures:',
        '      db-1 (canary) health-check health-checks: check pg-demo failed',
        '        | exit status 1',
        '    rollbacks:',
        '      db-1: succeeded, restored pg-demo-service 1.0',
        '    findings: 0 of 0 closed (0 by this change); due dates met 0, missed 0',
      ].join('\n'),
    );
    expect((await patchgate(['changes', 'review', 'CHG-0001', '--json'])).stdout).toBe('null\n');
  });
});
