/**
 * The whole path through the composition root's wiring, with the agents context's real routes:
 * an agent enrolled with a one-time token polls its signed install task, reports the result;
 * `agent.task-finished` is delivered by the job runner (main.ts's subscriptions) as the job
 * `rollouts.task-finished`, which moves the rollout on; the change completes.
 */
import { protocolHeader } from '@patchgate/agent-protocol';
import type { EnrolResponse, TaskPoll } from '@patchgate/agent-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/databases.ts';
import { JobRunner } from '../jobs/index.ts';
import { registerJobs } from '../../main.ts';
import { rolloutDetail } from './index.ts';
import type { RolloutWorld } from './test-support.ts';
import { T0, call, plansWith, rolloutWorld, scheduledChange } from './test-support.ts';

const protocol = { [protocolHeader]: '1' };
const minutes = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();

describe.each(testDatabases())('rollout wiring on $name', ({ open, skip }) => {
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.skipIf(skip !== undefined)(
    'an enrolled agent reports its install; the event reaches the rollout through the job runner',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1'], ['web-1']));
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
        payload: { token, name: 'web-1', agentVersion: '0.1.0', packageManagers: ['apt'] },
      });
      expect(enrolled.statusCode, enrolled.body).toBe(201);
      const agent = enrolled.json<EnrolResponse>();
      const headers = { ...protocol, authorization: `Bearer ${agent.credential}` };

      const changeId = await scheduledChange(
        w,
        ['web-1'],
        plansWith([{ name: 'all' }]),
        minutes(1),
      );
      w.clock.set(minutes(1));
      const driver = w.driver();
      await driver.tick();

      const poll = await w.app.inject({
        method: 'GET',
        url: '/api/v1/agent/tasks?waitSeconds=0',
        headers,
      });
      expect(poll.statusCode, poll.body).toBe(200);
      const [envelope] = poll.json<TaskPoll>().tasks;
      if (envelope === undefined) throw new Error('no task for the agent');
      const payload = JSON.parse(envelope.payload) as {
        kind: string;
        idempotencyKey: string;
        packages: unknown;
      };
      expect(payload).toMatchObject({
        kind: 'install',
        packages: [{ name: 'pg-demo-service', version: '1.1' }],
      });
      const at = w.clock.now().toISOString();
      const logged = await w.app.inject({
        method: 'POST',
        url: `/api/v1/agent/tasks/${envelope.taskId}/events`,
        headers,
        payload: {
          events: [
            { seq: 0, at, type: 'step-started', step: 'install' },
            {
              seq: 1,
              at,
              type: 'log',
              step: 'install',
              stream: 'stdout',
              line: 'Setting up pg-demo-service (1.1) ...',
            },
          ],
        },
      });
      expect(logged.statusCode, logged.body).toBe(200);
      const reported = await w.app.inject({
        method: 'POST',
        url: `/api/v1/agent/tasks/${envelope.taskId}/result`,
        headers,
        payload: {
          idempotencyKey: payload.idempotencyKey,
          outcome: 'succeeded',
          startedAt: at,
          finishedAt: at,
          steps: [],
          data: {
            kind: 'install',
            simulation: null,
            before: [{ name: 'pg-demo-service', version: '1.0' }],
            after: [{ name: 'pg-demo-service', version: '1.1' }],
            backup: null,
            rebootRequired: false,
            rebooted: false,
          },
        },
      });
      expect(reported.statusCode, reported.body).toBe(200);

      const runner = new JobRunner(w.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 30,
        pollMs: 1000,
      });
      registerJobs(runner, w.context);
      for (let i = 0; i < 500 && (await runner.runOnce()) !== undefined; i++);

      const finished = await w.database.db
        .selectFrom('jobs')
        .select(['state'])
        .where('kind', '=', 'rollouts.task-finished')
        .execute();
      expect(finished).toEqual([{ state: 'succeeded' }]);
      const detail = await rolloutDetail(w.database.db, changeId);
      expect(detail).toMatchObject({
        phase: 'completed',
        change: { state: 'review' },
        waves: [
          {
            hosts: [
              {
                name: 'web-1',
                state: 'succeeded',
                after: [{ name: 'pg-demo-service', version: '1.1' }],
              },
            ],
          },
        ],
      });
      // The live stream carries the agent's log lines with the progress.
      const sse = await w.app.inject({
        method: 'GET',
        url: `/api/v1/rollouts/${changeId}/events`,
        headers: w.viewer.headers,
      });
      expect(sse.body).toMatch(
        /event: task-log\ndata: \{"taskKey":"[^"]+:install:1".*"line":"Setting up pg-demo-service \(1\.1\) \.\.\."/,
      );
      expect(sse.body).toContain('event: end');
    },
  );
});
