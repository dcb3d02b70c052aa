import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/databases.ts';
import { rolloutDetail } from './index.ts';
import type { RolloutWorld } from './test-support.ts';
import {
  T0,
  call,
  finishTask,
  hostTasks,
  nameOf,
  plansWith,
  rolloutWorld,
  scheduledChange,
  settle,
} from './test-support.ts';

const check = { kind: 'command', command: 'true' };
const minutes = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();

interface Problem {
  status: number;
  detail: string;
}

describe.each(testDatabases())('rollout driver on $name', ({ name, open, skip }) => {
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  const setUp = async (
    ...args: Parameters<typeof rolloutWorld> extends [unknown, ...infer R] ? R : never
  ) => {
    world = await rolloutWorld(open, ...args);
    return world;
  };

  const changeState = async (w: RolloutWorld, id: string) =>
    (await call<{ state: string }>(w.app, w.viewer, 'GET', `/api/v1/changes/${id}`, 200)).state;

  it.skipIf(skip !== undefined)(
    'starts a due change, runs its waves in order with host and wave checks, completes the change',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2', 'web-3', 'web-4'],
        plansWith([
          { name: 'canary', assets: ['web-1', 'web-2'], concurrency: 1, healthChecks: [check] },
          { name: 'rest', assets: ['web-3', 'web-4'], concurrency: 2, healthChecks: [check] },
        ]),
        minutes(10),
      );
      const driver = w.driver();
      await driver.tick();
      expect(await hostTasks(w)).toEqual([]); // not due yet
      w.clock.set(minutes(10));
      const answered = await settle(w, driver);
      const order = answered.map(
        (t) => `${t.kind}${t.scope === 'wave' ? '(wave)' : ''} ${nameOf(w, t.asset_id)}`,
      );
      // Wave two's hosts run together (concurrency 2): the order inside a pair is free.
      const pairs = [0, 2, 4, 6, 8, 10].map((i) => order.slice(i, i + 2).sort());
      expect(pairs).toEqual([
        ['install web-1', 'health-check web-1'].sort(),
        ['install web-2', 'health-check web-2'].sort(),
        ['health-check(wave) web-1', 'health-check(wave) web-2'],
        ['install web-3', 'install web-4'],
        ['health-check web-3', 'health-check web-4'],
        ['health-check(wave) web-3', 'health-check(wave) web-4'],
      ]);
      expect(order.slice(0, 4)).toEqual([
        'install web-1',
        'health-check web-1',
        'install web-2',
        'health-check web-2',
      ]);
      const detail = await rolloutDetail(w.database.db, changeId);
      expect(detail).toMatchObject({
        phase: 'completed',
        dryRun: false,
        change: { state: 'review' },
        waves: [
          { name: 'canary', state: 'completed', counts: { succeeded: 2 } },
          { name: 'rest', state: 'completed', counts: { succeeded: 2 } },
        ],
      });
      expect(detail?.waves[0]?.hosts[0]).toMatchObject({
        name: 'web-1',
        state: 'succeeded',
        before: [{ name: 'pg-demo-service', version: '1.0' }],
        after: [{ name: 'pg-demo-service', version: '1.1' }],
      });
      // The install task carries the exact version, signed for the host's agent.
      const install = await w.database.db
        .selectFrom('agent_tasks')
        .select(['payload', 'idempotency_key'])
        .where('kind', '=', 'install')
        .orderBy('created_at')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(install.payload)).toMatchObject({
        kind: 'install',
        packages: [{ name: 'pg-demo-service', version: '1.1' }],
        changeId,
        reboot: 'never',
      });
      expect(install.idempotency_key).toBe(`${detail?.id}:${w.hosts['web-1']}:install:1`);
      // Every notify went to the outbox as rollout.progressed, in the change's transaction.
      const progressed = await w.database.db
        .selectFrom('jobs')
        .select(['payload_json'])
        .where('kind', '=', 'event:rollout.progressed')
        .orderBy('created_at')
        .execute();
      expect(progressed.map((p) => (JSON.parse(p.payload_json) as { kind: string }).kind)).toEqual([
        'started',
        'wave-started',
        'wave-completed',
        'wave-started',
        'wave-completed',
        'completed',
      ]);
      expect(await changeState(w, changeId)).toBe('review');
      void name;
    },
  );

  it.skipIf(skip !== undefined)(
    'a health failure beyond the budget halts the wave, rolls its host back to the install, never touches later waves',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2', 'web-3'],
        plansWith([
          {
            name: 'one',
            assets: ['web-1', 'web-2'],
            concurrency: 1,
            failureThreshold: 0,
            onFailure: 'rollback',
            healthChecks: [check],
          },
          { name: 'two', assets: ['web-3'], healthChecks: [check] },
        ]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await settle(w, driver, { 'web-1': { 'health-check': { verdict: 'fail' } } });
      const tasks = await hostTasks(w);
      expect(tasks.map((t) => `${t.kind} ${nameOf(w, t.asset_id)} ${t.outcome}`).sort()).toEqual([
        'health-check web-1 fail',
        'install web-1 succeeded',
        'rollback web-1 succeeded',
      ]);
      const rollback = await w.database.db
        .selectFrom('agent_tasks')
        .select(['payload'])
        .where('kind', '=', 'rollback')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(rollback.payload)).toMatchObject({
        kind: 'rollback',
        installTaskId: tasks.find((t) => t.kind === 'install')?.agent_task_id,
        packages: null,
        steps: [{ kind: 'downgrade' }],
      });
      const detail = await rolloutDetail(w.database.db, changeId);
      expect(detail).toMatchObject({
        phase: 'rolled_back',
        reason: '1 failed in wave one, budget 0',
        waves: [
          {
            state: 'rolled_back',
            hosts: [
              {
                name: 'web-1',
                state: 'rolled_back',
                restored: [{ name: 'pg-demo-service', version: '1.0' }],
              },
              { name: 'web-2', state: 'skipped' },
            ],
          },
          { state: 'pending', hosts: [{ name: 'web-3', state: 'skipped' }] },
        ],
      });
      expect(await changeState(w, changeId)).toBe('rolled_back');
    },
  );

  it.skipIf(skip !== undefined)(
    'windows: no start outside, no new host after the cutoff, continues in the next window',
    async () => {
      const w = await setUp();
      // Daily 08:00–10:00 UTC, no new work in its last 30 minutes.
      await call(w.app, w.admin, 'POST', '/api/v1/calendar/windows', 201, {
        name: 'mornings',
        rrule: 'FREQ=DAILY',
        dtstart: '2026-12-01T08:00',
        timeZone: 'UTC',
        durationMinutes: 120,
        cutoffMinutes: 30,
        selector: { groups: ['web'] },
      });
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([{ name: 'all', concurrency: 1 }]),
        minutes(5),
      );
      const driver = w.driver();
      w.clock.set(minutes(5));
      await driver.tick();
      const installs = async () =>
        (await hostTasks(w)).filter((t) => t.kind === 'install').map((t) => nameOf(w, t.asset_id));
      expect(await installs()).toEqual(['web-1']);
      // 09:40: past the cutoff (09:30). web-1 reports; web-2 must wait.
      w.clock.set(minutes(100));
      const first = (await hostTasks(w))[0];
      if (first === undefined) throw new Error('no task');
      await finishTask(w, first);
      await driver.tick();
      expect(await installs()).toEqual(['web-1']);
      // 12:00: outside any window.
      w.clock.set(minutes(240));
      await driver.tick();
      expect(await installs()).toEqual(['web-1']);
      const waiting = await rolloutDetail(w.database.db, changeId);
      expect(waiting?.phase).toBe('running');
      // Next morning, 08:01: the next window continues the rollout.
      w.clock.set(new Date(Date.parse(T0) + 24 * 3600_000 + 60_000).toISOString());
      await driver.tick();
      expect(await installs()).toEqual(['web-1', 'web-2']);
    },
  );

  it.skipIf(skip !== undefined)(
    'a dry run does not start outside its window and does not move the change',
    async () => {
      const w = await setUp();
      await call(w.app, w.admin, 'POST', '/api/v1/calendar/windows', 201, {
        name: 'mornings',
        rrule: 'FREQ=DAILY',
        dtstart: '2026-12-01T08:00',
        timeZone: 'UTC',
        durationMinutes: 120,
        cutoffMinutes: 30,
        selector: { groups: ['web'] },
      });
      const changeId = await scheduledChange(
        w,
        ['web-1'],
        plansWith([{ name: 'all' }]),
        minutes(30),
      );
      w.clock.set(minutes(180)); // 11:00, outside the window
      const started = await call<{ id: string; dryRun: boolean; phase: string }>(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${changeId}/rollout`,
        201,
        { dryRun: true },
      );
      expect(started).toMatchObject({ dryRun: true, phase: 'pending' });
      // The real one starts too (the change is due): only the dry run is looked at here.
      const driver = w.driver();
      await driver.tick();
      const dry = (await hostTasks(w, started.id)).length;
      expect(dry).toBe(0);
      w.clock.set(new Date(Date.parse(T0) + 24 * 3600_000 + 60_000).toISOString());
      await driver.tick();
      const tasks = await hostTasks(w, started.id);
      expect(tasks.map((t) => t.kind)).toEqual(['install']);
      const payload = await w.database.db
        .selectFrom('agent_tasks')
        .select(['payload'])
        .where('id', '=', tasks[0]?.agent_task_id ?? '')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(payload.payload)).toMatchObject({ dryRun: true, rolloutId: started.id });
    },
  );

  it.skipIf(skip !== undefined)(
    'pause, resume and abort by a person: audited, permission-checked, refused with the phase',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2', 'web-3'],
        plansWith([{ name: 'all', concurrency: 1 }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick();
      const url = `/api/v1/rollouts/${changeId}`;
      // A viewer may read, not act.
      await call(w.app, w.viewer, 'GET', url, 200);
      await call(w.app, w.viewer, 'POST', `${url}/pause`, 403, {});
      const paused = await call<{ phase: string; reason: string }>(
        w.app,
        w.requester,
        'POST',
        `${url}/pause`,
        200,
        { reason: 'db maintenance' },
      );
      expect(paused).toMatchObject({ phase: 'paused', reason: 'db maintenance (rita-requester)' });
      const again = await call<Problem>(w.app, w.requester, 'POST', `${url}/pause`, 409, {});
      expect(again.detail).toContain('cannot pause now: it is paused');
      // While paused, web-1's result is recorded but no new host starts.
      const [first] = await hostTasks(w);
      if (first === undefined) throw new Error('no task');
      await finishTask(w, first);
      await driver.tick();
      expect((await hostTasks(w)).length).toBe(1);
      await call(w.app, w.requester, 'POST', `${url}/resume`, 200, {});
      await driver.tick();
      expect((await hostTasks(w)).map((t) => nameOf(w, t.asset_id)).sort()).toEqual([
        'web-1',
        'web-2',
      ]);
      const aborted = await call<{ phase: string }>(
        w.app,
        w.requester,
        'POST',
        `${url}/abort`,
        200,
        { reason: 'enough' },
      );
      expect(aborted.phase).toBe('aborted');
      await driver.tick();
      expect((await hostTasks(w)).length).toBe(2);
      expect(await changeState(w, changeId)).toBe('failed');
      const audit = await w.database.db
        .selectFrom('audit_events')
        .select(['action', 'actor_name'])
        .where('subject_type', '=', 'rollout')
        .where('action', 'in', ['rollout.pause', 'rollout.resume', 'rollout.abort'])
        .orderBy('seq')
        .execute();
      expect(audit).toEqual([
        { action: 'rollout.pause', actor_name: 'rita-requester' },
        { action: 'rollout.resume', actor_name: 'rita-requester' },
        { action: 'rollout.abort', actor_name: 'rita-requester' },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'a replay after a crash that lost the state write queues nothing twice; a repeated result changes nothing',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([{ name: 'all', concurrency: 2, healthChecks: [check] }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick();
      const detail = await rolloutDetail(w.database.db, changeId);
      const rolloutId = detail?.id ?? '';
      const agentTasks = () =>
        w.database.db
          .selectFrom('agent_tasks')
          .select(['id', 'idempotency_key'])
          .orderBy('idempotency_key')
          .execute();
      const before = await agentTasks();
      expect(before).toHaveLength(2);
      // The worst case: the engine's state goes back to before the tick (as if its write was
      // lost) while the tasks it queued stay. The tick is re-run: the same keys, no new task.
      const initial = await w.database.db
        .selectFrom('rollout_events')
        .select(['seq'])
        .where('rollout_id', '=', rolloutId)
        .execute();
      expect(initial.length).toBeGreaterThan(0);
      const changeRow = await w.database.db
        .selectFrom('rollouts')
        .selectAll()
        .where('id', '=', rolloutId)
        .executeTakeFirstOrThrow();
      const { startRollout } = await import('@patchgate/rollout');
      const { changeForRollout } = await import('../changes/index.ts');
      const change = await changeForRollout(w.database.db, changeId);
      const plan = change?.plans.deploymentPlan;
      if (change === undefined || plan === undefined) throw new Error('no plan');
      await w.database.db
        .updateTable('rollouts')
        .set({
          state_json: JSON.stringify(
            startRollout(plan, change.assets, {
              ...(change.plans.rollbackPlan !== undefined && {
                rollbackPlan: change.plans.rollbackPlan,
              }),
            }),
          ),
          phase: 'pending',
          version: changeRow.version + 1,
        })
        .where('id', '=', rolloutId)
        .execute();
      await driver.tick();
      expect(await agentTasks()).toEqual(before);
      expect((await hostTasks(w)).length).toBe(2);
      // The same result delivered twice (a redelivered event): applied once.
      const [first] = await hostTasks(w);
      if (first === undefined) throw new Error('no task');
      await finishTask(w, first);
      const seq = await rolloutDetail(w.database.db, rolloutId);
      await finishTask(w, first);
      expect((await rolloutDetail(w.database.db, rolloutId))?.lastEventSeq).toBe(seq?.lastEventSeq);
      expect((await hostTasks(w)).filter((t) => t.kind === 'health-check')).toHaveLength(1);
    },
  );

  it.skipIf(skip !== undefined)(
    'a host without an agent is skipped when the rollout says so',
    async () => {
      const w = await setUp(['web-1', 'web-2'], ['web-2']);
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([{ name: 'all', concurrency: 2 }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const started = await call<{ id: string }>(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${changeId}/rollout`,
        201,
        { offlineHosts: 'skip' },
      );
      const driver = w.driver();
      await settle(w, driver);
      const detail = await rolloutDetail(w.database.db, started.id);
      expect(detail?.phase).toBe('completed');
      expect(detail?.waves[0]?.hosts.map((h) => [h.name, h.state])).toEqual([
        ['web-1', 'succeeded'],
        ['web-2', 'skipped'],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'a host without an agent is waited for: its install is queued when an agent enrols',
    async () => {
      const w = await setUp(['web-1', 'web-2'], ['web-2']);
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([{ name: 'all', concurrency: 2 }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick();
      const states = async () =>
        Object.fromEntries((await hostTasks(w)).map((t) => [nameOf(w, t.asset_id), t.state]));
      expect(await states()).toEqual({ 'web-1': 'queued', 'web-2': 'waiting-agent' });
      const agent = await w.database.db
        .selectFrom('agents')
        .selectAll()
        .where('asset_id', '=', w.hosts['web-1'] ?? '')
        .executeTakeFirstOrThrow();
      await w.database.db
        .insertInto('agents')
        .values({
          ...agent,
          id: 'agent-web-2',
          asset_id: w.hosts['web-2'] ?? '',
          name: 'web-2',
          credential_hash: 'another',
        })
        .execute();
      await settle(w, driver);
      expect(await states()).toEqual({ 'web-1': 'finished', 'web-2': 'finished' });
      expect((await rolloutDetail(w.database.db, changeId))?.phase).toBe('completed');
    },
  );

  it.skipIf(skip !== undefined)(
    'the event stream polls the database: it delivers progress written after it opened, and ends with the rollout',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1'],
        plansWith([{ name: 'all' }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick(); // started: web-1 installing
      const stream = w.app.inject({
        method: 'GET',
        url: `/api/v1/rollouts/${changeId}/events`,
        headers: w.viewer.headers,
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await settle(w, driver); // web-1 reports: the wave and the rollout complete
      const response = await stream;
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/event-stream');
      const blocks = response.body.split('\n\n').filter((b) => b.includes('event: '));
      const names = blocks.map((b) =>
        b
          .split('\n')
          .find((l) => l.startsWith('event: '))
          ?.slice(7),
      );
      expect(names.at(-1)).toBe('end');
      expect(names.filter((e) => e === 'progress')).toHaveLength(2);
      expect(blocks[0]).toMatch(/^id: 1\nevent: progress\ndata: .*"kind":"started"/);
      expect(blocks[1]).toMatch(
        /^id: 2\nevent: progress\ndata: .*"type":"host-result".*"kind":"completed"/,
      );
      expect(blocks.at(-1)).toContain('"phase":"completed"');
      // Resumed after seq 1: only what came later.
      const resumed = await w.app.inject({
        method: 'GET',
        url: `/api/v1/rollouts/${changeId}/events`,
        headers: { ...w.viewer.headers, 'last-event-id': '1' },
      });
      expect(resumed.body).not.toContain('id: 1\n');
      expect(resumed.body).toContain('id: 2\n');
      await call(w.app, w.viewer, 'GET', '/api/v1/rollouts/nope/events', 404);
    },
  );

  it.skipIf(skip !== undefined)(
    'a manual gate waits for its release; a completed rollout can still be rolled back by a person',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        {
          ...plansWith([
            { name: 'one', assets: ['web-1'] },
            { name: 'two', assets: ['web-2'], gate: 'manual' },
          ]),
          roles: { implementer: 'rita-requester' },
        },
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await settle(w, driver);
      const url = `/api/v1/rollouts/${changeId}`;
      expect(await call(w.app, w.viewer, 'GET', url, 200)).toMatchObject({
        phase: 'awaiting_gate',
      });
      const wrong = await call<Problem>(
        w.app,
        w.requester,
        'POST',
        `${url}/waves/one/release`,
        409,
        {},
      );
      expect(wrong.detail).toBe('The rollout cannot release wave one now: it is awaiting_gate');
      // Only the plan's implementer releases its gates.
      const admin = await call<Problem>(
        w.app,
        w.admin,
        'POST',
        `${url}/waves/two/release`,
        409,
        {},
      );
      expect(admin.detail).toContain('the plan names rita-requester as its implementer');
      await call(w.app, w.requester, 'POST', `${url}/waves/two/release`, 200, {
        reason: 'canary fine',
      });
      await settle(w, driver);
      expect(await call(w.app, w.viewer, 'GET', url, 200)).toMatchObject({
        phase: 'completed',
        waves: [{ state: 'completed' }, { state: 'completed', releasedBy: 'rita-requester' }],
      });
      expect(await changeState(w, changeId)).toBe('review');
      // Rolled back after completion: every host is undone; the change, in review, stays there
      // (its state machine refuses roll-back from review) and the rollout says so in the audit.
      await call(w.app, w.requester, 'POST', `${url}/rollback`, 200, { reason: 'latency up' });
      await settle(w, driver);
      const done = await call<{ phase: string; waves: { hosts: { state: string }[] }[] }>(
        w.app,
        w.viewer,
        'GET',
        url,
        200,
      );
      expect(done.phase).toBe('rolled_back');
      expect(done.waves.flatMap((x) => x.hosts.map((h) => h.state))).toEqual([
        'rolled_back',
        'rolled_back',
      ]);
      expect(await changeState(w, changeId)).toBe('review');
      const notMoved = await w.database.db
        .selectFrom('audit_events')
        .select(['action'])
        .where('action', '=', 'rollout.change-not-moved')
        .execute();
      expect(notMoved).toHaveLength(1);
    },
  );

  it.skipIf(skip !== undefined)(
    'results and commands arriving at once are all applied: version conflicts re-run, nothing lost',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2', 'web-3', 'web-4'],
        plansWith([{ name: 'all', concurrency: 4, healthChecks: [check] }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick();
      const installs = await hostTasks(w);
      expect(installs).toHaveLength(4);
      const url = `/api/v1/rollouts/${changeId}`;
      await Promise.all([
        ...installs.map((t) => finishTask(w, t)),
        call(w.app, w.requester, 'POST', `${url}/pause`, 200, {}),
        driver.tick(),
      ]);
      const detail = await rolloutDetail(w.database.db, changeId);
      expect(detail?.phase).toBe('paused');
      // Every install result was applied: each host had its health check asked for, once.
      const checks = (await hostTasks(w)).filter((t) => t.kind === 'health-check');
      expect(checks.map((t) => nameOf(w, t.asset_id)).sort()).toEqual([
        'web-1',
        'web-2',
        'web-3',
        'web-4',
      ]);
      const events = await w.database.db
        .selectFrom('rollout_events')
        .select(['seq'])
        .where('rollout_id', '=', detail?.id ?? '')
        .orderBy('seq')
        .execute();
      expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
      expect(detail?.version).toBeGreaterThanOrEqual(6);
    },
  );

  it.skipIf(skip !== undefined)(
    'start by command: refused before the scheduled start; a change started by hand gets its rollout',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1'],
        plansWith([{ name: 'all' }]),
        minutes(30),
      );
      const early = await call<Problem>(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${changeId}/rollout`,
        409,
        {},
      );
      expect(early.detail).toBe('CHG-0001: the scheduled start has not been reached');
      await call(w.app, w.viewer, 'POST', `/api/v1/changes/${changeId}/rollout`, 403, {});
      w.clock.set(minutes(30));
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${changeId}/start`, 200, {});
      const started = await call<{ phase: string; change: { state: string } }>(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${changeId}/rollout`,
        201,
        {},
      );
      expect(started).toMatchObject({ phase: 'running', change: { state: 'implementing' } });
      expect((await hostTasks(w)).map((t) => t.kind)).toEqual(['install']);
    },
  );

  it.skipIf(skip !== undefined)(
    'an agent gone after the install: its check is inconclusive, the rollout pauses; resume asks again',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1'],
        plansWith([{ name: 'all', healthChecks: [check] }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick();
      const revoke = (at: string | null) =>
        w.database.db
          .updateTable('agents')
          .set({ revoked_at: at })
          .where('asset_id', '=', w.hosts['web-1'] ?? '')
          .execute();
      const [install] = await hostTasks(w);
      if (install === undefined) throw new Error('no install');
      await revoke(minutes(1));
      await finishTask(w, install);
      const paused = await rolloutDetail(w.database.db, changeId);
      expect(paused).toMatchObject({
        phase: 'paused',
        reason: 'health checks of web-1 inconclusive',
      });
      expect((await hostTasks(w)).map((t) => [t.kind, t.attempt, t.state, t.outcome])).toEqual([
        ['health-check', 1, 'finished', 'inconclusive'],
        ['install', 1, 'finished', 'succeeded'],
      ]);
      await revoke(null);
      await call(w.app, w.requester, 'POST', `/api/v1/rollouts/${changeId}/resume`, 200, {});
      await settle(w, driver);
      expect((await rolloutDetail(w.database.db, changeId))?.phase).toBe('completed');
      const checks = (await hostTasks(w)).filter(
        (t) => t.kind === 'health-check' && t.scope === 'host',
      );
      expect(checks.map((t) => [t.attempt, t.outcome])).toEqual([
        [1, 'inconclusive'],
        [2, 'pass'],
      ]);
    },
  );

  it.skipIf(skip !== undefined || name !== 'postgres')(
    'two drivers on one database: only the lease holder drives; when it stops renewing, the other takes over',
    async () => {
      const w = await setUp();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([
          { name: 'one', assets: ['web-1'], bakeMinutes: 10 },
          { name: 'two', assets: ['web-2'] },
        ]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const lease = 15 * 60_000;
      const a = w.driver('replica-a', lease);
      const b = w.driver('replica-b', lease);
      await Promise.all([a.tick(), b.tick()]);
      const holder = async () => (await rolloutDetail(w.database.db, changeId))?.leaseOwner;
      const first = await holder();
      expect(['replica-a', 'replica-b']).toContain(first);
      const other = first === 'replica-a' ? b : a;
      expect((await hostTasks(w)).length).toBe(1);
      // web-1 reports (on any replica); wave one bakes until 10 minutes later.
      const [task] = await hostTasks(w);
      if (task === undefined) throw new Error('no task');
      await finishTask(w, task);
      // The holder dies (ticks no more). After the bake, the other's tick is refused by the
      // lease, which has 5 minutes to run: wave two does not start.
      w.clock.set(minutes(12));
      await other.tick();
      expect(await holder()).toBe(first);
      expect((await hostTasks(w)).length).toBe(1);
      // The lease has expired: the other takes over and starts wave two.
      w.clock.set(minutes(17));
      await other.tick();
      expect(await holder()).toBe(other.owner);
      expect((await hostTasks(w)).map((t) => nameOf(w, t.asset_id)).sort()).toEqual([
        'web-1',
        'web-2',
      ]);
    },
  );
});
