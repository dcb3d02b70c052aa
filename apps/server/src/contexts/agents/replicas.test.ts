/**
 * Two real server processes on one PostgreSQL database (replicas): agents enrolling through
 * both at once get the same signing key (generated once, race-safe), and a task queued by a
 * third process (no in-process wake-up reaches the replica holding the poll) is found by the
 * poll's periodic re-read and verifies with the key the agent got at enrolment.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EnrolResponse, TaskPoll } from '@patchgate/agent-protocol';
import { protocolHeader } from '@patchgate/agent-protocol';
import { systemClock } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { ServerDatabase, ServerProcess } from '../../../test/server-process.ts';
import {
  adminToken,
  buildCli,
  freshServerDatabase,
  startServerProcess,
} from '../../../test/server-process.ts';
import { enqueueTask } from './index.ts';
import { verifyPayload } from './signing.ts';

const postgresUrl = inject('postgresUrl');
const skip = postgresUrl === null ? inject('postgresMissing') : undefined;

describe.skipIf(skip !== undefined)('agents across two server replicas on PostgreSQL', () => {
  let database: ServerDatabase | undefined;
  let handle: Database | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    const built = buildCli();
    expect(built.ok, built.stderr).toBe(true);
    database = await freshServerDatabase('postgres', postgresUrl);
    // One after the other: the first migrates, the second finds it done.
    servers.push(await startServerProcess(database, { leaseSeconds: 5 }));
    servers.push(await startServerProcess(database, { leaseSeconds: 5 }));
    handle = database.open();
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await handle?.close();
    await database?.remove();
  });

  it('shares one signing key and finds a task queued elsewhere', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const admin = await adminToken(a.url);
    const created = await fetch(`${a.url}/api/v1/enrolment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uses: 2 }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const enrol = async (server: ServerProcess, name: string) => {
      const response = await fetch(`${server.url}/api/v1/agent/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [protocolHeader]: '1' },
        body: JSON.stringify({ token, name, agentVersion: '0.1.0' }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as EnrolResponse;
    };
    // Both replicas generate the key at the same moment; one wins, both answer with it.
    const [first, second] = await Promise.all([enrol(a, 'rep-01'), enrol(b, 'rep-02')]);
    expect(first.signingKeys).toEqual(second.signingKeys);

    const headers = { authorization: `Bearer ${first.credential}`, [protocolHeader]: '1' };
    const started = Date.now();
    const polling = fetch(`${b.url}/api/v1/agent/tasks?waitSeconds=30`, { headers });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const queued = await handle!.db.transaction().execute((trx) =>
      enqueueTask(trx, systemClock, {
        assetId: first.assetId,
        idempotencyKey: 'rescan:replicas',
        task: { kind: 'rescan' },
      }),
    );
    const answer = await polling;
    expect(answer.status).toBe(200);
    const { tasks } = (await answer.json()) as TaskPoll;
    // Found by the periodic re-read (every 5 s), well before the 30 s wait ran out.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(tasks.map((t) => t.taskId)).toEqual([queued!.taskId]);
    const key = first.signingKeys.find((k) => k.keyId === tasks[0]!.keyId)!;
    expect(verifyPayload(key.publicKey, tasks[0]!.payload, tasks[0]!.signature)).toBe(true);
  }, 60_000);
});
