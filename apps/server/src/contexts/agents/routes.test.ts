/**
 * The agents context on both databases, through the real app: enrolment (one-time, expiring,
 * revocable, throttled), heartbeats, reports becoming snapshots, the long-poll, signed tasks
 * verified with the key from enrolment, an agent confined to its own tasks, results accepted
 * once, permissions, bad input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EnrolResponse, TaskPoll } from '@patchgate/agent-protocol';
import { protocolHeader, TaskPayload } from '@patchgate/agent-protocol';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { Database } from '../../db/database.ts';
import { settableClock } from '../jobs/test-support.ts';
import { agentsForAssets, agentTask, enqueueTask, taskEvents } from './index.ts';
import { expireOverdueTasks } from './agent-service.ts';
import { activeSigningKey, verifyPayload } from './signing.ts';

const protocol = { [protocolHeader]: '1' };
const dpkgStatus = [
  'Package: zlib1g',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 1:1.2.13.dfsg-1',
  '',
  'Package: openssl',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 3.0.11-1~deb12u2',
  '',
].join('\n');
const aptUpgradable = [
  'Listing... Done',
  'openssl/stable-security 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.11-1~deb12u2]',
  '',
].join('\n');

describe.each(testDatabases())('agents on $name', ({ open, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const database: Database = await open();
    cleanups.push(() => database.close());
    const clock = settableClock();
    const built = await testApp(
      database,
      clock,
      {},
      {
        agents: {
          enrolmentLimits: { windowMs: 60_000, perIp: 5, maxKeys: 100 },
          longPoll: { recheckMs: 200, afterSignalMs: [20, 50] },
        },
      },
    );
    cleanups.push(() => built.app.close());
    const admin = await testCaller(database, ['admin']);
    const viewer = await testCaller(database, ['viewer']);
    const { app } = built;
    const call = (method: string, url: string, payload?: unknown, who = admin) =>
      app.inject({
        method: method as 'GET',
        url,
        headers: who.headers,
        ...(payload !== undefined && { payload: payload as object }),
      });
    const newToken = async (body: object = {}) => {
      const response = await call('POST', '/api/v1/enrolment-tokens', body);
      expect(response.statusCode).toBe(201);
      return response.json<{ id: string; token: string }>();
    };
    const enrolWith = (token: string, name: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/agent/enrol',
        headers: protocol,
        payload: {
          token,
          name,
          agentVersion: '0.1.0',
          os: { id: 'debian', versionId: '12' },
          architecture: 'amd64',
          packageManagers: ['apt'],
        },
      });
    const enrolled = async (name: string) => {
      const { token } = await newToken();
      const response = await enrolWith(token, name);
      expect(response.statusCode).toBe(201);
      const body = response.json<EnrolResponse>();
      return {
        ...body,
        headers: { ...protocol, authorization: `Bearer ${body.credential}` },
      };
    };
    const queue = (assetId: string, idempotencyKey: string, rolloutId: string | null = null) =>
      database.db.transaction().execute((trx) =>
        enqueueTask(trx, clock, {
          assetId,
          idempotencyKey,
          rolloutId,
          task: { kind: 'preflight', packages: [{ name: 'openssl', version: '3.0.15-1~deb12u1' }] },
        }),
      );
    const jobs = (kind: string) =>
      database.db.selectFrom('jobs').select('payload_json').where('kind', '=', kind).execute();
    return {
      database,
      clock,
      app,
      context: built.context,
      admin,
      viewer,
      call,
      newToken,
      enrolWith,
      enrolled,
      queue,
      jobs,
    };
  }

  it.skipIf(skip !== undefined)(
    'enrols once per one-time token; expired, spent and revoked tokens are refused clearly',
    async () => {
      const { call, newToken, enrolWith, clock, database, jobs } = await setup();
      const { token, id } = await newToken({ environment: 'staging', groups: ['wave-1'] });
      const first = await enrolWith(token, 'web-01');
      expect(first.statusCode).toBe(201);
      const agent = first.json<EnrolResponse>();
      expect(agent.credential).toMatch(/^pga_/);
      expect(agent.assetName).toBe('web-01');
      expect(agent.signingKeys).toHaveLength(1);
      // The asset was created as a host with the token's attributes.
      const asset = await call('GET', `/api/v1/assets/${agent.assetId}`);
      expect(asset.json()).toMatchObject({
        name: 'web-01',
        kind: 'host',
        environment: 'staging',
        groups: ['wave-1'],
        osRelease: 'debian:12',
      });
      expect(await jobs('event:agent.enrolled')).toHaveLength(1);

      const again = await enrolWith(token, 'web-02');
      expect(again.statusCode).toBe(401);
      expect(again.json<{ detail: string }>().detail).toMatch(/spent \(1 of 1 uses\)/);

      const expiring = await newToken({ expiresInSeconds: 60 });
      clock.advance(61);
      const late = await enrolWith(expiring.token, 'web-03');
      expect(late.statusCode).toBe(401);
      expect(late.json<{ detail: string }>().detail).toMatch(/expired/);

      const revoked = await newToken({ uses: 5 });
      expect((await call('DELETE', `/api/v1/enrolment-tokens/${revoked.id}`)).statusCode).toBe(204);
      const refused = await enrolWith(revoked.token, 'web-04');
      expect(refused.statusCode).toBe(401);
      expect(refused.json<{ detail: string }>().detail).toMatch(/revoked/);

      const listed = await call('GET', '/api/v1/enrolment-tokens');
      const states = Object.fromEntries(
        listed
          .json<{ tokens: { id: string; state: string }[] }>()
          .tokens.map((t) => [t.id, t.state]),
      );
      expect(states).toMatchObject({
        [id]: 'spent',
        [expiring.id]: 'expired',
        [revoked.id]: 'revoked',
      });
      expect(JSON.stringify(listed.json())).not.toContain(token);

      // Enrolling with an existing asset's name links it; the old agent is replaced.
      const relink = await newToken();
      const second = await enrolWith(relink.token, 'web-01');
      expect(second.json<EnrolResponse>().assetId).toBe(agent.assetId);
      const old = await call('GET', `/api/v1/agents/${agent.agentId}`);
      expect(old.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();

      const actions = await database.db
        .selectFrom('audit_events')
        .select(['action', 'actor_type'])
        .where('action', 'like', 'agent.%')
        .orderBy('seq')
        .execute();
      // The audit log shows the agent as the actor, and still verifies.
      const log = await call('GET', '/api/v1/audit/events?limit=500');
      expect(log.statusCode).toBe(200);
      expect(JSON.stringify(log.json())).toContain('"type":"agent"');
      const verification = await call('GET', '/api/v1/audit/verification');
      expect(verification.json()).toMatchObject({ ok: true });
      expect(actions.map((a) => a.action)).toEqual([
        'agent.enrolment_token_created',
        'agent.enrolled',
        'agent.enrolment_token_created',
        'agent.enrolment_token_created',
        'agent.enrolment_token_revoked',
        'agent.enrolment_token_created',
        'agent.revoked',
        'agent.enrolled',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'throttles failed enrolments per address and wants the protocol header',
    async () => {
      const { enrolWith, app } = await setup();
      for (let i = 0; i < 5; i++) {
        expect((await enrolWith('pge_not-a-real-token', 'x')).statusCode).toBe(401);
      }
      const throttled = await enrolWith('pge_not-a-real-token', 'x');
      expect(throttled.statusCode).toBe(429);
      expect(throttled.headers['retry-after']).toBeDefined();
      const noHeader = await app.inject({
        method: 'POST',
        url: '/api/v1/agent/enrol',
        payload: { token: 'pge_xxxxxxxxxxxx', name: 'a', agentVersion: '1' },
      });
      expect(noHeader.statusCode).toBe(400);
      expect(noHeader.json<{ detail: string }>().detail).toMatch(/patchgate-agent-protocol: 1/);
    },
  );

  it.skipIf(skip !== undefined)(
    'records heartbeats, turns reports into a snapshot and available updates, and stops wanting them',
    async () => {
      const { app, enrolled, clock, call, database } = await setup();
      const agent = await enrolled('db-01');
      const beat = (body: object) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/agent/heartbeat',
          headers: agent.headers,
          payload: {
            sentAt: new Date(clock.now().getTime() + 5000).toISOString(),
            agentVersion: '0.1.1',
            bootId: 'boot-1',
            rebootRequired: true,
            rebootPackages: ['linux-image-amd64'],
            queuedResults: 0,
            ...body,
          },
        });
      const first = await beat({});
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({
        serverTime: clock.now().toISOString(),
        inventoryWanted: true,
      });

      const inventory = await app.inject({
        method: 'POST',
        url: '/api/v1/agent/inventory',
        headers: { ...agent.headers, 'content-type': 'text/plain' },
        payload: dpkgStatus,
      });
      expect(inventory.statusCode).toBe(201);
      expect(inventory.json()).toMatchObject({ packageCount: 2 });
      const updates = await app.inject({
        method: 'POST',
        url: '/api/v1/agent/available-updates',
        headers: { ...agent.headers, 'content-type': 'text/plain' },
        payload: aptUpgradable,
      });
      expect(updates.statusCode).toBe(201);
      expect(updates.json()).toEqual({ updates: 1, securityUpdates: 1 });
      expect((await beat({})).json<{ inventoryWanted: boolean }>().inventoryWanted).toBe(false);

      const snapshot = await database.db
        .selectFrom('inventory_snapshots')
        .select(['source_name', 'uploaded_by'])
        .executeTakeFirstOrThrow();
      expect(snapshot).toEqual({ source_name: 'agent db-01', uploaded_by: agent.agentId });
      const recorded = await database.db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', 'event:inventory.snapshot-recorded')
        .execute();
      expect(recorded).toHaveLength(1);

      const shown = await call('GET', '/api/v1/agents/db-01');
      expect(shown.json()).toMatchObject({
        id: agent.agentId,
        version: '0.1.1',
        online: true,
        clockSkewMs: 5000,
        rebootRequired: true,
        rebootPackages: ['linux-image-amd64'],
        bootId: 'boot-1',
      });
      clock.advance(3 * 60 + 1);
      const offline = await call('GET', '/api/v1/agents?online=false');
      expect(offline.json<{ agents: { name: string }[] }>().agents.map((a) => a.name)).toEqual([
        'db-01',
      ]);
      const summaries = await agentsForAssets(database, [agent.assetId], clock);
      expect(summaries.get(agent.assetId)).toMatchObject({ online: false, rebootRequired: true });

      // A report naming a task that is not this agent's: 404, nothing stored.
      const foreign = await app.inject({
        method: 'POST',
        url: '/api/v1/agent/available-updates',
        headers: {
          ...agent.headers,
          'content-type': 'text/plain',
          'patchgate-task-id': '00000000-0000-4000-8000-000000000000',
        },
        payload: aptUpgradable,
      });
      expect(foreign.statusCode).toBe(404);
    },
  );

  it.skipIf(skip !== undefined)(
    'long-polls: a queued task at once, signed with the key from enrolment; empty after the wait',
    async () => {
      const { app, enrolled, queue, clock } = await setup();
      const agent = await enrolled('app-01');
      const poll = (waitSeconds: number) =>
        app.inject({
          method: 'GET',
          url: `/api/v1/agent/tasks?waitSeconds=${waitSeconds}`,
          headers: agent.headers,
        });

      const started = Date.now();
      const empty = await poll(1);
      expect(empty.statusCode).toBe(200);
      expect(empty.json<TaskPoll>().tasks).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);

      const queued = await queue(agent.assetId, 'preflight:change-1');
      expect(queued).toMatchObject({ agentId: agent.agentId });
      // The same key again: the same task, nothing new.
      expect(await queue(agent.assetId, 'preflight:change-1')).toEqual(queued);
      const now = Date.now();
      const answered = await poll(30);
      expect(Date.now() - now).toBeLessThan(5000);
      const { tasks } = answered.json<TaskPoll>();
      expect(tasks).toHaveLength(1);
      const envelope = tasks[0]!;
      const key = agent.signingKeys.find((k) => k.keyId === envelope.keyId);
      expect(key).toBeDefined();
      expect(verifyPayload(key!.publicKey, envelope.payload, envelope.signature)).toBe(true);
      expect(verifyPayload(key!.publicKey, `${envelope.payload} `, envelope.signature)).toBe(false);
      const payload = TaskPayload.parse(JSON.parse(envelope.payload));
      expect(payload).toMatchObject({
        kind: 'preflight',
        taskId: queued!.taskId,
        agentId: agent.agentId,
        idempotencyKey: 'preflight:change-1',
        issuedAt: clock.now().toISOString(),
        notAfter: new Date(clock.now().getTime() + 3600_000).toISOString(),
      });

      // Delivered: not handed out again at once; a wake-up answers a waiting poll quickly.
      const waiting = poll(30);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await queue(agent.assetId, 'preflight:change-2');
      const woken = await waiting;
      expect(woken.json<TaskPoll>().tasks.map((t) => t.taskId)).toEqual([second!.taskId]);

      // Without a result, a delivered task is delivered again 15 s after its last delivery.
      clock.advance(14);
      expect((await poll(0)).json<TaskPoll>().tasks).toEqual([]);
      clock.advance(1);
      const redelivered = await poll(0);
      expect(
        redelivered
          .json<TaskPoll>()
          .tasks.map((t) => t.taskId)
          .sort(),
      ).toEqual([queued!.taskId, second!.taskId].sort());
    },
  );

  it.skipIf(skip !== undefined)(
    'accepts a result once, publishing one event; an agent never sees another agent’s task',
    async () => {
      const { app, enrolled, queue, jobs, call, viewer, database, clock } = await setup();
      const a = await enrolled('a-01');
      const b = await enrolled('b-01');
      const queued = (await queue(a.assetId, 'install:1', 'rollout-1'))!;
      const events = {
        events: [
          { seq: 0, at: clock.now().toISOString(), type: 'step-started', step: 'verify' },
          { seq: 1, at: clock.now().toISOString(), type: 'log', stream: 'stdout', line: 'ok' },
        ],
      };
      const result = {
        idempotencyKey: 'install:1',
        outcome: 'succeeded',
        startedAt: clock.now().toISOString(),
        finishedAt: clock.now().toISOString(),
        steps: [],
        data: {
          kind: 'preflight',
          ok: true,
          simulation: {
            install: [],
            upgrade: [{ name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.15-1~deb12u1' }],
            downgrade: [],
            remove: [],
            held: [],
            newDependencies: [],
            servicesNeedingRestart: [],
            problems: [],
          },
        },
      };
      const post = (who: typeof a, what: 'events' | 'result', body: object) =>
        app.inject({
          method: 'POST',
          url: `/api/v1/agent/tasks/${queued.taskId}/${what}`,
          headers: who.headers,
          payload: body,
        });

      // B may neither see nor report A's task.
      const bPoll = await app.inject({
        method: 'GET',
        url: '/api/v1/agent/tasks',
        headers: b.headers,
      });
      expect(bPoll.json<TaskPoll>().tasks).toEqual([]);
      expect((await post(b, 'events', events)).statusCode).toBe(404);
      expect((await post(b, 'result', result)).statusCode).toBe(404);

      const stored = await post(a, 'events', events);
      expect(stored.json()).toEqual({ accepted: 2, duplicates: 0 });
      expect((await post(a, 'events', events)).json()).toEqual({ accepted: 0, duplicates: 2 });
      expect(await taskEvents(database, queued.taskId, 0)).toEqual([events.events[1]]);

      expect((await post(a, 'result', { ...result, idempotencyKey: 'other' })).statusCode).toBe(
        422,
      );
      const first = await post(a, 'result', result);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ taskId: queued.taskId, state: 'succeeded', duplicate: false });
      const repeat = await post(a, 'result', result);
      expect(repeat.statusCode).toBe(200);
      expect(repeat.json()).toEqual({ taskId: queued.taskId, state: 'succeeded', duplicate: true });
      const finished = await jobs('event:agent.task-finished');
      expect(finished.map((j) => JSON.parse(j.payload_json) as unknown)).toEqual([
        {
          taskId: queued.taskId,
          agentId: a.agentId,
          assetId: a.assetId,
          kind: 'preflight',
          outcome: 'succeeded',
          rolloutId: 'rollout-1',
        },
      ]);
      const task = await agentTask(database, queued.taskId);
      expect(task).toMatchObject({ state: 'succeeded', result: { outcome: 'succeeded' } });

      // People with agents:read see it all.
      const shown = await call('GET', `/api/v1/agent-tasks/${queued.taskId}`, undefined, viewer);
      expect(shown.json()).toMatchObject({ state: 'succeeded', agentId: a.agentId });
      const log = await call(
        'GET',
        `/api/v1/agent-tasks/${queued.taskId}/events?afterSeq=0`,
        undefined,
        viewer,
      );
      expect(log.json()).toEqual({ events: [events.events[1]], nextAfterSeq: 1 });
      const list = await call('GET', '/api/v1/agents/a-01/tasks', undefined, viewer);
      expect(list.json<{ tasks: { id: string }[] }>().tasks.map((t) => t.id)).toEqual([
        queued.taskId,
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'expires undelivered tasks, rejects a revoked agent’s, and refuses its credential',
    async () => {
      const { app, enrolled, queue, clock, call, jobs, database, context } = await setup();
      const agent = await enrolled('old-01');
      // The periodic job expires what an agent that never polls would leave queued.
      const unpolled = (await queue(agent.assetId, 'k0'))!;
      clock.advance(3601);
      expect(await expireOverdueTasks(context)).toEqual({ expired: 1 });
      expect((await agentTask(database, unpolled.taskId))?.state).toBe('expired');
      const expiring = (await queue(agent.assetId, 'k1'))!;
      clock.advance(3601);
      const polled = await app.inject({
        method: 'GET',
        url: '/api/v1/agent/tasks',
        headers: agent.headers,
      });
      expect(polled.json<TaskPoll>().tasks).toEqual([]);
      expect((await agentTask(database.db, expiring.taskId))?.state).toBe('expired');

      const open = (await queue(agent.assetId, 'k2'))!;
      const revoked = await call('POST', `/api/v1/agents/old-01/revoke`, { reason: 'retired' });
      expect(revoked.statusCode).toBe(200);
      expect((await agentTask(database, open.taskId))?.state).toBe('rejected');
      expect(await jobs('event:agent.task-finished')).toHaveLength(3);
      const refused = await app.inject({
        method: 'GET',
        url: '/api/v1/agent/tasks',
        headers: agent.headers,
      });
      expect(refused.statusCode).toBe(401);
      // No agent any more: nothing can be queued for the asset.
      expect(await queue(agent.assetId, 'k3')).toBeUndefined();
    },
  );

  it.skipIf(skip !== undefined)(
    'generates one signing key however many replicas race for it',
    async () => {
      const { database, clock } = await setup();
      const keys = await Promise.all(
        Array.from({ length: 5 }, () =>
          database.db.transaction().execute((trx) => activeSigningKey(trx, clock)),
        ),
      );
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
      const rows = await database.db.selectFrom('agent_signing_keys').select('key_id').execute();
      expect(rows).toHaveLength(1);
    },
  );

  it.skipIf(skip !== undefined)('checks permissions and refuses bad input with 4xx', async () => {
    const { call, viewer, app, enrolled } = await setup();
    expect((await call('POST', '/api/v1/enrolment-tokens', {}, viewer)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/enrolment-tokens', undefined, viewer)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/agents', undefined, viewer)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/agents/x/revoke', {}, viewer)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/enrolment-tokens', { uses: 0 })).statusCode).toBe(422);
    expect((await call('GET', '/api/v1/agents/nobody')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/agent-tasks/nothing')).statusCode).toBe(404);

    const agent = await enrolled('bad-01');
    // A user's token is not an agent credential, and an agent's is not a user's.
    const admin = await app.inject({
      method: 'GET',
      url: '/api/v1/agent/tasks',
      headers: { ...protocol, authorization: agent.headers.authorization.replace('pga_', 'pgt_') },
    });
    expect(admin.statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/agents',
          headers: { authorization: agent.headers.authorization },
        })
      ).statusCode,
    ).toBe(401);
    const badBeat = await app.inject({
      method: 'POST',
      url: '/api/v1/agent/heartbeat',
      headers: agent.headers,
      payload: { sentAt: 'yesterday' },
    });
    expect(badBeat.statusCode).toBe(422);
    const tooLong = await app.inject({
      method: 'GET',
      url: '/api/v1/agent/tasks?waitSeconds=56',
      headers: agent.headers,
    });
    expect(tooLong.statusCode).toBe(422);
    const emptyInventory = await app.inject({
      method: 'POST',
      url: '/api/v1/agent/inventory',
      headers: { ...agent.headers, 'content-type': 'text/plain' },
      payload: '',
    });
    expect(emptyInventory.statusCode).toBe(422);
    const huge = await app.inject({
      method: 'POST',
      url: '/api/v1/agent/heartbeat',
      headers: { ...agent.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ padding: 'x'.repeat(300 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    const wrongVersion = await app.inject({
      method: 'GET',
      url: '/api/v1/agent/tasks',
      headers: { ...agent.headers, [protocolHeader]: '2' },
    });
    expect(wrongVersion.statusCode).toBe(400);
  });
});
