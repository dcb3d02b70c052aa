/**
 * Pre-flight on both databases: on demand (the API) and when a change is submitted (the event
 * through the job runner); a preflight task per host with an agent, carrying the exact
 * versions; results as the agent reports them; a removal or a conflict fails the host and the
 * run, shown on the change (detail and CAB agenda); a host without agent is no-agent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EnrolResponse, TaskPoll } from '@patchgate/agent-protocol';
import { protocolHeader, TaskPayload } from '@patchgate/agent-protocol';
import { testDatabases } from '../../../test/databases.ts';
import { registerJobs } from '../../main.ts';
import { enqueueTyped, JobRunner } from '../jobs/index.ts';
import { agentJobs } from '../agents/index.ts';
import type { ChangeDetail } from '../changes/index.ts';
import type { PreflightReport } from './preflight-schema.ts';
import type { RolloutWorld } from './test-support.ts';
import { T0, call, plansWith, rolloutWorld } from './test-support.ts';
import { noChange, reportTask } from './verify-test-support.ts';

const check = { kind: 'command', command: 'true' };

describe.each(testDatabases())('pre-flight on $name', ({ open, skip }) => {
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function submittedChange(w: RolloutWorld, names: readonly string[]) {
    const change = await call<{ id: string; number: string }>(
      w.app,
      w.requester,
      'POST',
      '/api/v1/changes',
      201,
      {
        title: 'pg-demo-service 1.1',
        patches: names.map((asset) => ({ asset, package: 'pg-demo-service', toVersion: '1.1' })),
        plans: plansWith([{ name: 'all', assets: [...names], healthChecks: [check] }]),
      },
    );
    return change;
  }

  const preflightTasks = (w: RolloutWorld) =>
    w.database.db
      .selectFrom('agent_tasks')
      .select(['id', 'asset_id', 'payload', 'change_id'])
      .where('kind', '=', 'preflight')
      .orderBy('created_at')
      .execute();

  it.skipIf(skip !== undefined)(
    'on demand: a task per host with an agent; a removal fails the host, the run and shows on the change and the agenda',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1', 'web-2', 'web-3'], ['web-3']));
      const change = await submittedChange(w, ['web-1', 'web-2', 'web-3']);
      // Reading before any run: nothing yet.
      expect(
        await call<PreflightReport>(
          w.app,
          w.viewer,
          'GET',
          `/api/v1/changes/${change.id}/preflight`,
          200,
        ),
      ).toMatchObject({ run: null, hosts: [], warnings: [] });
      // A viewer may not request one.
      await call(w.app, w.viewer, 'POST', `/api/v1/changes/${change.id}/preflight`, 403);
      const requested = await call<PreflightReport>(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${change.number}/preflight`,
        202,
      );
      expect(requested.run).toMatchObject({
        trigger: 'on-demand',
        state: 'pending',
        requestedBy: { name: 'rita-requester' },
      });
      expect(requested.hosts.map((h) => [h.assetName, h.status])).toEqual([
        ['web-1', 'pending'],
        ['web-2', 'pending'],
        ['web-3', 'no-agent'],
      ]);
      const tasks = await preflightTasks(w);
      expect(tasks.map((t) => t.asset_id).sort()).toEqual(
        [w.hosts['web-1'], w.hosts['web-2']].sort(),
      );
      for (const task of tasks)
        expect(JSON.parse(task.payload)).toMatchObject({
          kind: 'preflight',
          changeId: change.id,
          packages: [{ name: 'pg-demo-service', version: '1.1' }],
        });
      const taskOf = (name: string) => tasks.find((t) => t.asset_id === w.hosts[name])?.id ?? '';

      await reportTask(w, taskOf('web-1'), 'succeeded', {
        kind: 'preflight',
        ok: true,
        simulation: {
          ...noChange,
          upgrade: [{ name: 'pg-demo-service', from: '1.0', to: '1.1' }],
          newDependencies: ['libpq5'],
          install: [{ name: 'libpq5', version: '15.4-0+deb12u1' }],
          servicesNeedingRestart: ['pg-demo.service'],
        },
      });
      const halfway = await call<PreflightReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}/preflight`,
        200,
      );
      expect(halfway.run?.state).toBe('pending');
      expect(halfway.hosts[0]).toMatchObject({
        assetName: 'web-1',
        status: 'passed',
        simulation: { newDependencies: ['libpq5'], servicesNeedingRestart: ['pg-demo.service'] },
      });

      await reportTask(w, taskOf('web-2'), 'succeeded', {
        kind: 'preflight',
        ok: false,
        simulation: {
          ...noChange,
          upgrade: [{ name: 'pg-demo-service', from: '1.0', to: '1.1' }],
          remove: [{ name: 'pg-legacy-plugin', version: '0.9' }],
          problems: ['pg-demo-service : Breaks: pg-legacy-plugin (< 1.0)'],
        },
      });
      // A repeated report changes nothing.
      await reportTask(w, taskOf('web-2'), 'succeeded', {
        kind: 'preflight',
        ok: true,
        simulation: noChange,
      });
      const report = await call<PreflightReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}/preflight`,
        200,
      );
      expect(report.run).toMatchObject({ state: 'failed' });
      expect(report.run?.finishedAt).not.toBeNull();
      expect(report.hosts.map((h) => [h.assetName, h.status, h.detail])).toEqual([
        ['web-1', 'passed', null],
        [
          'web-2',
          'failed',
          'would remove pg-legacy-plugin 0.9; pg-demo-service : Breaks: pg-legacy-plugin (< 1.0)',
        ],
        ['web-3', 'no-agent', null],
      ]);
      const warnings = [
        'web-2: would remove pg-legacy-plugin 0.9; pg-demo-service : Breaks: pg-legacy-plugin (< 1.0)',
        'web-3: no agent, not checked',
      ];
      expect(report.warnings).toEqual(warnings);
      // On the change: its detail carries the summary the CAB reads.
      const detail = await call<ChangeDetail>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}`,
        200,
      );
      expect(detail.preflight).toEqual({
        runId: report.run?.id,
        state: 'failed',
        checkedAt: report.run?.createdAt,
        hosts: { total: 3, pending: 0, passed: 1, failed: 1, noAgent: 1 },
        warnings,
      });
      // Audited: the request, each host's result, the summary on the change.
      const actions = await w.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'like', 'change.preflight%')
        .orderBy('seq')
        .execute();
      expect(actions.map((a) => a.action)).toEqual([
        'change.preflight-requested',
        'change.preflight-recorded',
        'change.preflight-host-checked',
        'change.preflight-host-checked',
        'change.preflight-recorded',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'when the change is submitted: the event queues a pre-flight; the CAB agenda shows its failure',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1']));
      const runner = new JobRunner(w.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerJobs(runner, w.context);
      const drain = async () => {
        for (let outcome = await runner.runOnce(); outcome; outcome = await runner.runOnce());
      };
      const change = await submittedChange(w, ['web-1']);
      await drain();
      expect(await preflightTasks(w)).toEqual([]); // a draft is not pre-flighted
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/submit`, 200, {});
      await drain();
      const [task] = await preflightTasks(w);
      expect(task).toBeDefined();
      // The agent's result, delivered as agent.task-finished's job delivers it.
      await reportTask(w, task?.id ?? '', 'failed', null, { error: 'apt-get -s exited 100' });
      const report = await call<PreflightReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}/preflight`,
        200,
      );
      expect(report.run).toMatchObject({ trigger: 'submitted', state: 'failed' });
      expect(report.hosts[0]).toMatchObject({
        status: 'failed',
        detail: 'the agent failed the pre-flight: apt-get -s exited 100',
      });
      const agenda = await call<{ changes: ChangeDetail[] }>(
        w.app,
        w.owner,
        'GET',
        '/api/v1/changes/agenda',
        200,
      );
      expect(agenda.changes.find((c) => c.id === change.id)?.preflight).toMatchObject({
        state: 'failed',
        warnings: ['web-1: the agent failed the pre-flight: apt-get -s exited 100'],
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'end to end through the agents context: an enrolled agent polls the signed preflight task and posts its result',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-9'], ['web-9']));
      const runner = new JobRunner(w.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerJobs(runner, w.context);
      const drain = async () => {
        for (let outcome = await runner.runOnce(); outcome; outcome = await runner.runOnce());
      };
      const protocol = { [protocolHeader]: '1' };
      const { token } = await call<{ token: string }>(
        w.app,
        w.admin,
        'POST',
        '/api/v1/enrolment-tokens',
        201,
        {},
      );
      const enrolled = await w.app.inject({
        method: 'POST',
        url: '/api/v1/agent/enrol',
        headers: protocol,
        payload: { token, name: 'web-9', agentVersion: '0.1.0', packageManagers: ['apt'] },
      });
      expect(enrolled.statusCode).toBe(201);
      const agent = enrolled.json<EnrolResponse>();
      expect(agent.assetId).toBe(w.hosts['web-9']);
      const headers = { ...protocol, authorization: `Bearer ${agent.credential}` };
      const change = await submittedChange(w, ['web-9']);
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/submit`, 200, {});
      await drain();
      const poll = await w.app.inject({
        method: 'GET',
        url: '/api/v1/agent/tasks?waitSeconds=0',
        headers,
      });
      const [envelope] = poll.json<TaskPoll>().tasks;
      expect(envelope).toBeDefined();
      const payload = TaskPayload.parse(JSON.parse(envelope?.payload ?? '{}'));
      expect(payload).toMatchObject({
        kind: 'preflight',
        agentId: agent.agentId,
        changeId: change.id,
        packages: [{ name: 'pg-demo-service', version: '1.1' }],
      });
      const at = w.clock.now().toISOString();
      const posted = await w.app.inject({
        method: 'POST',
        url: `/api/v1/agent/tasks/${payload.taskId}/result`,
        headers,
        payload: {
          idempotencyKey: payload.idempotencyKey,
          outcome: 'succeeded',
          startedAt: at,
          finishedAt: at,
          steps: [],
          data: {
            kind: 'preflight',
            ok: true,
            simulation: {
              ...noChange,
              upgrade: [{ name: 'pg-demo-service', from: '1.0', to: '1.1' }],
              held: ['pg-demo-tools'],
            },
          },
        },
      });
      expect(posted.statusCode).toBe(200);
      await drain(); // agent.task-finished → the verify job
      const report = await call<PreflightReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}/preflight`,
        200,
      );
      expect(report.run).toMatchObject({ trigger: 'submitted', state: 'passed' });
      expect(report.hosts).toMatchObject([
        {
          assetName: 'web-9',
          status: 'passed',
          agentId: agent.agentId,
          taskId: payload.taskId,
          simulation: { held: ['pg-demo-tools'] },
        },
      ]);
      expect(report.warnings).toEqual([]);
    },
  );

  it.skipIf(skip !== undefined)(
    'a task the agent never runs expires (agents’ job) and fails its host',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1']));
      const runner = new JobRunner(w.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerJobs(runner, w.context);
      const drain = async () => {
        for (let outcome = await runner.runOnce(); outcome; outcome = await runner.runOnce());
      };
      const change = await submittedChange(w, ['web-1']);
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/preflight`, 202);
      w.clock.set(new Date(Date.parse(T0) + 2 * 3600_000).toISOString());
      await w.database.db
        .transaction()
        .execute((trx) => enqueueTyped(trx, w.clock, agentJobs.expireTasks, {}));
      await drain(); // expiry → agent.task-finished (rejected) → the verify job
      const report = await call<PreflightReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}/preflight`,
        200,
      );
      expect(report.run?.state).toBe('failed');
      expect(report.hosts).toMatchObject([
        { status: 'failed', detail: 'the agent did not run the pre-flight in time' },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'refuses a change without hosts or over, and an unknown one',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1']));
      await call(w.app, w.requester, 'POST', '/api/v1/changes/CHG-9999/preflight', 404);
      const change = await submittedChange(w, ['web-1']);
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/cancel`, 200, {
        reason: 'not needed',
      });
      const refused = await call<{ detail: string }>(
        w.app,
        w.requester,
        'POST',
        `/api/v1/changes/${change.id}/preflight`,
        409,
      );
      expect(refused.detail).toMatch(/is cancelled: there is nothing to pre-flight/);
    },
  );
});
