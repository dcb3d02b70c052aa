/**
 * `patchgate rollouts …` against a real server over HTTP (started in this process on a fresh
 * data directory): a change on two staging hosts with agents, approved and scheduled through the
 * API, started by the CLI; list, show, pause (twice: the refusal exits 2 with the reason; a
 * viewer is refused with 4), resume, abort, and watch (human and --json) to the end.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCaller } from '../../server/test/auth.ts';
import { testCaller } from '../../server/test/auth.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let served: CliTestServer | undefined;
let operator: TestCaller;
let owner: TestCaller;
let viewer: TestCaller;
let admin: TestCaller;

function server(): CliTestServer {
  if (served === undefined) throw new Error('the test server did not start');
  return served;
}
const patchgate = (argv: string[], as: TestCaller = operator) =>
  runCliWith(argv, server().envFor(as.token), server().work);

async function api<T>(as: TestCaller, method: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server().server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${as.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  served = await startCliTestServer('rollouts');
  const db = served.server.context.database;
  operator = await testCaller(db, ['operator'], 'rita-requester');
  owner = await testCaller(db, ['approver'], 'olga-owner');
  viewer = await testCaller(db, ['viewer'], 'vera-viewer');
  admin = await testCaller(db, ['admin'], 'ada-admin');
  await api(admin, 'POST', '/api/v1/approver-groups/service-owners/members', {
    add: ['olga-owner'],
  });
  const now = new Date().toISOString();
  for (const name of ['lab-1', 'lab-2']) {
    const asset = await api<{ id: string }>(admin, 'POST', '/api/v1/assets', {
      name,
      osRelease: 'Debian:12',
      environment: 'staging',
      criticality: 'low',
      groups: ['lab'],
    });
    await api(admin, 'POST', `/api/v1/assets/${name}/snapshots`, {
      packages: [{ ecosystem: 'Debian:12', name: 'pg-demo-service', version: '1.0' }],
    });
    // An enrolled agent's record (the agents context's routes enrol for real).
    await db.db
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
  const change = await api<{ id: string }>(operator, 'POST', '/api/v1/changes', {
    title: 'pg-demo-service 1.1 on the lab',
    patches: ['lab-1', 'lab-2'].map((asset) => ({
      asset,
      package: 'pg-demo-service',
      toVersion: '1.1',
    })),
    plans: {
      testPlan: {
        summary: 'In the lab first.',
        steps: [{ description: 'health check', expectedResult: 'exit 0' }],
      },
      deploymentPlan: {
        estimatedMinutes: 30,
        waves: [
          { name: 'first', assets: ['lab-1'] },
          { name: 'second', assets: ['lab-2'] },
        ],
      },
      rollbackPlan: { triggers: ['manual'], steps: [{ kind: 'downgrade' }] },
    },
  });
  const start = new Date(Date.now() - 5_000).toISOString();
  const end = new Date(Date.now() + 3600_000).toISOString();
  await api(operator, 'POST', `/api/v1/changes/${change.id}/schedule`, { start, end });
  await api(operator, 'POST', `/api/v1/changes/${change.id}/submit`, {});
  await api(owner, 'POST', `/api/v1/changes/${change.id}/approve`, {});
}, 60_000);

afterAll(() => served?.close());

describe('patchgate rollouts', () => {
  it('starts, lists, shows, pauses, resumes, aborts and watches a rollout', async () => {
    const dry = await patchgate(['rollouts', 'start', 'CHG-0001', '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, phase: 'running' });

    const started = await patchgate(['rollouts', 'start', 'CHG-0001', '--reason', 'go']);
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(
      /^started the rollout [0-9a-f-]{36} of CHG-0001 \(running\); follow it with "patchgate rollouts watch [0-9a-f-]{36}"\n$/,
    );
    const twice = await patchgate(['rollouts', 'start', 'CHG-0001']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/409 CHG-0001 already has its rollout/);

    const listed = await patchgate(['rollouts', 'list', '--real']);
    expect(listed.stdout).toMatch(/^ID\s+CHANGE\s+PHASE\s+WAVE\s+DRY RUN\s+STARTED\s+FINISHED$/m);
    expect(listed.stdout).toMatch(/CHG-0001\s+running\s+first\s+-/);
    const all = JSON.parse((await patchgate(['rollouts', 'list', '--json'])).stdout) as {
      rollouts: { dryRun: boolean }[];
    };
    expect(all.rollouts.map((r) => r.dryRun).sort()).toEqual([false, true]);

    const shown = await patchgate(['rollouts', 'show', 'CHG-0001']);
    expect(shown.stdout).toContain(
      'of CHG-0001 pg-demo-service 1.1 on the lab (change implementing)',
    );
    expect(shown.stdout).toMatch(/wave first: running — 1 running/);
    expect(shown.stdout).toMatch(/lab-1\s+running\s+-\s+-\s+install queued/);
    expect(shown.stdout).toMatch(/wave second: pending — 1 pending/);

    const forbidden = await patchgate(['rollouts', 'pause', 'CHG-0001'], viewer);
    expect(forbidden.code).toBe(4);
    const paused = await patchgate(['rollouts', 'pause', 'CHG-0001', '--reason', 'lunch']);
    expect(paused.stdout).toMatch(/: paused — lunch \(rita-requester\)\n$/);
    const again = await patchgate(['rollouts', 'pause', 'CHG-0001']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/409 The rollout cannot pause now: it is paused/);
    const resumed = await patchgate(['rollouts', 'resume', 'CHG-0001', '--json']);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ phase: 'running' });
    const aborted = await patchgate(['rollouts', 'abort', 'CHG-0001', '--reason', 'test over']);
    expect(aborted.stdout).toMatch(/: aborted — test over \(rita-requester\)\n$/);

    const json = await patchgate(['rollouts', 'watch', 'CHG-0001', '--json'], viewer);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; data: { phase?: string } });
    expect(lines.at(-1)).toEqual({
      event: 'end',
      data: { phase: 'aborted', reason: 'test over (rita-requester)' },
    });
    expect(lines.slice(0, -1).map((l) => l.data.phase)).toEqual([
      'running',
      'paused',
      'running',
      'aborted',
    ]);

    expect(json.code).toBe(1);
    const human = await patchgate(['rollouts', 'watch', 'CHG-0001'], viewer);
    expect(human.stdout).toMatch(
      /^#1 .* \[running\] tick → started; wave-started first; install → /m,
    );
    expect(human.stdout).toMatch(/\nended: aborted\n$/);

    const missing = await patchgate(['rollouts', 'show', 'CHG-0099']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/404/);
    const usage = await patchgate(['rollouts', 'release', 'CHG-0001']);
    expect(usage.code).toBe(2);
  });
});
