/**
 * A crash never loses a notification, through real processes: `patchgate server` is killed
 * with SIGKILL while its delivery is in flight (the receiver has the request and has not
 * answered, so the send was never recorded), then restarted on the same database. Once the
 * killed job's lease lapses the restarted server sends the message again with the same
 * `Patchgate-Delivery-Id`: one delivery row, sent, and a receiver that drops the repeat by its
 * id has processed it exactly once. The message is the daily findings digest (it needs no
 * other context), started by enqueuing the job as its schedule would.
 */
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { ServerDatabase, ServerProcess } from '../../../test/server-process.ts';
import {
  adminToken,
  buildCli,
  freshServerDatabase,
  startServerProcess,
} from '../../../test/server-process.ts';
import { enqueueJob } from '../jobs/index.ts';
import { notificationJobs } from './jobs.ts';
import { verifyWebhookSignature } from './signing.ts';

const leaseSeconds = 5;
const secret = 'crash-test-signing-secret';
const postgresUrl = inject('postgresUrl');
const targets = [
  { name: 'sqlite' as const, skip: undefined },
  { name: 'postgres' as const, skip: postgresUrl === null ? inject('postgresMissing') : undefined },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(() => {
  const built = buildCli();
  expect(built.ok, built.stderr).toBe(true);
}, 120_000);

describe.each(targets)('notifications across a kill -9 on $name', ({ name, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.skipIf(skip !== undefined)(
    'a delivery in flight when the server dies is sent again after restart, with the same id',
    async () => {
      // The receiver holds the first request open (the server dies waiting), answers the rest.
      const received: { id: string; signature: string; body: string }[] = [];
      const held: ServerResponse[] = [];
      let firstArrived: () => void = () => undefined;
      const first = new Promise<void>((resolve) => (firstArrived = resolve));
      const receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          received.push({
            id: String(request.headers['patchgate-delivery-id']),
            signature: String(request.headers['patchgate-signature']),
            body,
          });
          if (received.length === 1) {
            held.push(response);
            firstArrived();
          } else response.end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      cleanups.push(async () => {
        for (const response of held) response.destroy();
        await new Promise((resolve) => receiver.close(resolve));
      });
      const address = receiver.address();
      const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hook`;

      const database: ServerDatabase = await freshServerDatabase(name, postgresUrl);
      cleanups.push(() => database.remove());
      const servers: ServerProcess[] = [];
      cleanups.push(async () => {
        for (const server of servers) await server.stop();
      });
      servers.push(await startServerProcess(database, { leaseSeconds }));
      const firstServer = servers[0];
      if (firstServer === undefined) throw new Error('no server');
      const token = await adminToken(firstServer.url);
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${firstServer.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, await response.clone().text()).toBe(201);
      };
      await post('/api/v1/notification-channels', {
        name: 'hook',
        kind: 'webhook',
        url: hookUrl,
        secret,
      });
      await post('/api/v1/notification-subscriptions', {
        name: 'overdue',
        channel: 'hook',
        audience: 'operators',
        events: ['finding-overdue'],
      });

      const handle: Database = database.open();
      cleanups.push(() => handle.close());
      await handle.db
        .insertInto('findings')
        .values({
          id: 'f-1',
          asset_id: 'a-1',
          ecosystem: 'Debian:12',
          package_name: 'openssl',
          package_version: '3.0.1',
          source_name: null,
          advisory_id: 'CVE-2026-0001',
          advisory_summary: null,
          aliases_json: '[]',
          match_json: '{}',
          state: 'open',
          first_seen_at: '2026-01-01T00:00:00.000Z',
          last_seen_at: '2026-01-01T00:00:00.000Z',
          snapshot_id: null,
          fixed_at: null,
          reopened_at: null,
          priority: 'P1',
          due_date: '2026-01-15',
          due_key: '2026-01-15',
          severity: 'critical',
          kev: 1,
          epss: null,
          epss_key: -1,
          decision_json: '{}',
          asset_name: 'web-01',
          environment: 'production',
          criticality: null,
          exposure: 'internet',
          groups_json: '[]',
          tags_json: '[]',
          triage_state: null,
          triage_justification: null,
          triage_detail: null,
          triage_by: null,
          triage_at: null,
          exception_id: null,
          accepted_until: null,
          updated_at: '2026-01-01T00:00:00.000Z',
        })
        .execute();
      await enqueueJob(handle.db, systemClock, {
        kind: notificationJobs.findingsDue.kind,
        payload: {},
      });

      // The server sent the digest; the receiver has not answered: kill it now.
      await first;
      await firstServer.kill();
      const deliveries = () =>
        handle.db
          .selectFrom('notification_deliveries')
          .select(['id', 'event', 'status', 'attempts', 'last_code'])
          .execute();
      const [inFlight] = await deliveries();
      expect(await deliveries()).toEqual([
        {
          id: inFlight?.id,
          event: 'finding-overdue',
          status: 'pending',
          attempts: 0,
          last_code: null,
        },
      ]);

      servers.push(await startServerProcess(database, { leaseSeconds }));
      await until('the delivery to be sent after the restart', 30_000, async () => {
        const [row] = await deliveries();
        return row?.status === 'sent' ? row : undefined;
      });
      expect(await deliveries()).toEqual([
        { id: inFlight?.id, event: 'finding-overdue', status: 'sent', attempts: 1, last_code: 200 },
      ]);
      // Sent twice over the wire, with one id: a receiver keeping the ids it has processed
      // processes it once.
      expect(received.map((r) => r.id)).toEqual([inFlight?.id, inFlight?.id]);
      expect(new Set(received.map((r) => r.id)).size).toBe(1);
      for (const request of received)
        expect(verifyWebhookSignature(secret, request.signature, request.body, new Date())).toEqual(
          {
            ok: true,
          },
        );
      expect(JSON.parse(received[1]?.body ?? '{}')).toMatchObject({
        event: 'finding-overdue',
        findings: [{ id: 'f-1', assetName: 'web-01', advisoryId: 'CVE-2026-0001' }],
      });
    },
    90_000,
  );
});
