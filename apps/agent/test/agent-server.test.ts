/**
 * The agent against the real server: a real Patchgate app listening on a port (its database
 * SQLite or PostgreSQL), a real agent process (`patchgate-agent run`, src/main.ts) in a sandbox
 * root with the real apt executors and a local repository of real .debs. It enrols with a
 * one-time token, heartbeats, its inventory becomes a snapshot, a task queued with the
 * server's `enqueueTask` runs once and its result arrives once; and with the server stopped
 * while a task runs, the result waits on disk and is sent when the server returns.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../server/test/app.ts';
import { testCaller } from '../../server/test/auth.ts';
import { testDatabases } from '../../server/test/databases.ts';
import { systemClock } from '../../server/src/clock.ts';
import type { Database } from '../../server/src/db/database.ts';
import type { EnqueueTaskInput } from '../../server/src/contexts/agents/index.ts';
import { agentTask, enqueueTask, taskEvents } from '../../server/src/contexts/agents/index.ts';
import { Journal } from '../src/journal.ts';
import { Outbox } from '../src/outbox.ts';
import type { TestRepository } from './fixtures/test-repo.ts';
import {
  buildTestRepository,
  healthCheckFor,
  installBase,
  installedVersion,
} from './fixtures/test-repo.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const isRoot = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a value (a condition with a deadline, not a timed sleep). */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let repo: TestRepository;
const work = mkdtempSync(join(tmpdir(), 'patchgate-agent-server-'));
beforeAll(async () => {
  if (isRoot) repo = await buildTestRepository(join(work, 'repo'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!isRoot).each(testDatabases())(
  'the agent against a real server on $name',
  ({ name, open, skip }) => {
    it.skipIf(skip !== undefined)(
      'enrols (--once), reports, runs a task once, survives a server outage and a kill -9',
      async () => {
        const database: Database = await open();
        const root = join(work, `root-${name}`);
        const stateDir = join(root, 'var/lib/patchgate-agent');
        await installBase(root, repo);
        const port = await freePort();
        const listen = async () => {
          const built = await testApp(
            database,
            systemClock,
            {},
            {
              agents: { longPoll: { recheckMs: 200, afterSignalMs: [20, 50] } },
            },
          );
          await built.app.listen({ port, host: '127.0.0.1' });
          return built;
        };
        let server = await listen();
        let agent: ChildProcess | undefined;
        let agentLog = '';
        try {
          const admin = await testCaller(database, ['admin']);
          const created = await server.app.inject({
            method: 'POST',
            url: '/api/v1/enrolment-tokens',
            headers: admin.headers,
            payload: { expiresInSeconds: 600 },
          });
          expect(created.statusCode).toBe(201);
          const { token } = created.json<{ token: string }>();

          const startAgent = (...extra: string[]) => {
            const child = spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                'apps/agent/src/main.ts',
                'run',
                '--server',
                `http://127.0.0.1:${port}`,
                '--name',
                `host-${name}`,
                '--root',
                root,
                ...extra,
              ],
              {
                cwd: repoRoot,
                env: { ...process.env, PATCHGATE_RETRY_MAX_SECONDS: '1' },
                stdio: ['ignore', 'ignore', 'pipe'],
              },
            );
            child.stderr?.on('data', (chunk: Buffer) => (agentLog += chunk.toString()));
            const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
            return { child, exited };
          };

          // One round with the enrolment token: enrol, heartbeat, the inventory it asks for.
          const once = startAgent('--once', '--enroll-token', token);
          expect(await once.exited).toBe(0);
          // From now on the stored credential is used; the token is never sent again.
          let running = startAgent();
          agent = running.child;

          // Enrolled: the agent row and its asset; the first heartbeat asks for an inventory.
          const enrolled = await eventually('the enrolment', async () =>
            database.db
              .selectFrom('agents')
              .select(['id', 'asset_id'])
              .where('name', '=', `host-${name}`)
              .executeTakeFirst(),
          );
          const snapshot = await eventually('the inventory snapshot', async () =>
            database.db
              .selectFrom('inventory_snapshots')
              .select(['id', 'package_count'])
              .where('asset_id', '=', enrolled.asset_id)
              .executeTakeFirst(),
          );
          expect(snapshot.package_count).toBeGreaterThanOrEqual(1);

          // A task queued by the server runs once; its result arrives once.
          const queue = (
            idempotencyKey: string,
            task: EnqueueTaskInput['task'],
            timeoutSeconds = 300,
          ) =>
            database.db.transaction().execute((trx) =>
              enqueueTask(trx, systemClock, {
                assetId: enrolled.asset_id,
                idempotencyKey,
                timeoutSeconds,
                task,
              }),
            );
          const install = await queue('it/install-1.1', {
            kind: 'install',
            packages: [{ name: repo.packageName, version: repo.versions.healthy }],
            backup: null,
            reboot: 'never',
            allowRemovals: false,
          });
          expect(install).toBeDefined();
          const finished = await eventually(
            'the install result',
            async () => {
              const task = await agentTask(database.db, install!.taskId);
              return task?.state === 'queued' || task?.state === 'delivered' ? undefined : task;
            },
            120_000,
          );
          expect(finished).toMatchObject({ state: 'succeeded', result: { outcome: 'succeeded' } });
          expect(await installedVersion(root, repo.packageName)).toBe(repo.versions.healthy);
          const events = await taskEvents(database.db, install!.taskId);
          expect(events.length).toBeGreaterThan(0);
          expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index));
          const finishedEvents = async (taskId: string) =>
            (
              await database.db
                .selectFrom('jobs')
                .select('payload_json')
                .where('kind', '=', 'event:agent.task-finished')
                .execute()
            ).filter((row) => row.payload_json.includes(taskId)).length;
          expect(await finishedEvents(install!.taskId)).toBe(1);
          // The install's fresh inventory (after the task) names the task in its source.
          await eventually('the post-install snapshot', async () => {
            const count = await database.db
              .selectFrom('inventory_snapshots')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('asset_id', '=', enrolled.asset_id)
              .executeTakeFirstOrThrow();
            return Number(count.n) >= 2 ? true : undefined;
          });

          // A task altered after signing (here: in the database) is rejected, never executed.
          const forged = await database.db.transaction().execute(async (trx) => {
            const queued = await enqueueTask(trx, systemClock, {
              assetId: enrolled.asset_id,
              idempotencyKey: 'it/forged',
              task: {
                kind: 'install',
                packages: [{ name: repo.packageName, version: repo.versions.healthy }],
                backup: null,
                reboot: 'never',
                allowRemovals: false,
              },
            });
            const row = await trx
              .selectFrom('agent_tasks')
              .select('payload')
              .where('id', '=', queued!.taskId)
              .executeTakeFirstOrThrow();
            await trx
              .updateTable('agent_tasks')
              .set({
                payload: row.payload.replace(repo.versions.healthy, repo.versions.breaksHealth),
              })
              .where('id', '=', queued!.taskId)
              .execute();
            return queued!;
          });
          const rejected = await eventually('the forged task to be rejected', async () => {
            const task = await agentTask(database.db, forged.taskId);
            return task?.state === 'queued' || task?.state === 'delivered' ? undefined : task;
          });
          expect(rejected).toMatchObject({
            state: 'rejected',
            result: {
              outcome: 'rejected',
              error: 'bad signature: the task was not signed by the server',
            },
          });
          expect(await installedVersion(root, repo.packageName)).toBe(repo.versions.healthy);

          // The server stops while the agent runs a task; the result waits on disk.
          const check = await queue('it/health-1', {
            kind: 'health-check',
            checks: [healthCheckFor(root)],
            observationSeconds: 3,
          });
          await eventually('the health check to be delivered', async () =>
            (await agentTask(database.db, check!.taskId))?.state === 'delivered' ? true : undefined,
          );
          await server.app.close();
          const waiting = await eventually('the result in the outbox', () =>
            new Outbox(stateDir)
              .list()
              .find(
                (queued) => queued.item.type === 'result' && queued.item.taskId === check!.taskId,
              ),
          );
          expect(waiting.item).toMatchObject({ type: 'result', result: { outcome: 'succeeded' } });
          expect((await agentTask(database.db, check!.taskId))?.state).toBe('delivered');

          server = await listen();
          const checked = await eventually('the health-check result after the outage', async () => {
            const task = await agentTask(database.db, check!.taskId);
            return task?.state === 'delivered' ? undefined : task;
          });
          expect(checked).toMatchObject({
            state: 'succeeded',
            result: { outcome: 'succeeded', data: { kind: 'health-check', verdict: 'pass' } },
          });
          expect(await finishedEvents(check!.taskId)).toBe(1);
          await eventually('an empty outbox', () =>
            new Outbox(stateDir).size === 0 ? true : undefined,
          );

          // kill -9 mid-task: after the restart the task is reported failed, never re-applied.
          const long = await queue('it/health-2', {
            kind: 'health-check',
            checks: [healthCheckFor(root)],
            observationSeconds: 120,
          });
          await eventually('the long task to start', () =>
            new Journal(stateDir)
              .entries()
              .some((entry) => entry.taskId === long!.taskId && entry.state === 'started')
              ? true
              : undefined,
          );
          running.child.kill('SIGKILL');
          await running.exited;
          running = startAgent();
          agent = running.child;
          const interrupted = await eventually('the interrupted task to be reported', async () => {
            const task = await agentTask(database.db, long!.taskId);
            return task?.state === 'delivered' ? undefined : task;
          });
          expect(interrupted).toMatchObject({
            state: 'failed',
            result: {
              outcome: 'failed',
              error: expect.stringContaining('interrupted by an agent restart') as unknown,
            },
          });
          expect(await finishedEvents(long!.taskId)).toBe(1);

          // SIGTERM while a task runs: the task may finish, its result is sent, then exit 0.
          const last = await queue('it/health-3', {
            kind: 'health-check',
            checks: [healthCheckFor(root)],
            observationSeconds: 2,
          });
          await eventually('the last task to start', () =>
            new Journal(stateDir)
              .entries()
              .some((entry) => entry.taskId === last!.taskId && entry.state === 'started')
              ? true
              : undefined,
          );
          running.child.kill('SIGTERM');
          expect(await running.exited).toBe(0);
          expect(await agentTask(database.db, last!.taskId)).toMatchObject({
            state: 'succeeded',
            result: { data: { verdict: 'pass' } },
          });

          // --dry-run: an install is only simulated, whatever the task said.
          const simulated = await queue('it/dry-run', {
            kind: 'install',
            packages: [{ name: repo.packageName, version: repo.versions.breaksHealth }],
            backup: null,
            reboot: 'never',
            allowRemovals: false,
          });
          const dry = startAgent('--once', '--dry-run');
          expect(await dry.exited).toBe(0);
          expect(await agentTask(database.db, simulated!.taskId)).toMatchObject({
            state: 'succeeded',
            result: { dryRun: true, data: { kind: 'install' } },
          });
          expect(await installedVersion(root, repo.packageName)).toBe(repo.versions.healthy);

          // Revoked by an admin: the agent stops with exit 78, which systemd does not restart.
          const revoked = await server.app.inject({
            method: 'POST',
            url: `/api/v1/agents/${enrolled.id}/revoke`,
            headers: admin.headers,
            payload: { reason: 'host retired' },
          });
          expect(revoked.statusCode).toBeLessThan(300);
          agentLog = '';
          running = startAgent();
          agent = running.child;
          expect(await running.exited).toBe(78);
          expect(agentLog).toContain('the agent was revoked');
          agent = undefined;
        } catch (error) {
          throw new Error(`${(error as Error).message}\n--- agent log ---\n${agentLog}`, {
            cause: error,
          });
        } finally {
          agent?.kill('SIGKILL');
          await server.app.close();
          await database.close();
        }
      },
      300_000,
    );
  },
);
