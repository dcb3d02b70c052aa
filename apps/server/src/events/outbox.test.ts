import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { testApp } from '../../test/app.ts';
import { testCaller } from '../../test/auth.ts';
import { testDatabases } from '../../test/databases.ts';
import { defineJobType, enqueueTyped, JobRunner } from '../contexts/jobs/index.ts';
import { contextOf, settableClock } from '../contexts/jobs/test-support.ts';
import { findingJobKinds } from '../contexts/findings/index.ts';
import { eventSubscriptions } from '../main.ts';
import { derivedId, EventSubscriptions, eventJobKind, publishEvent } from './index.ts';

const probe = defineJobType('test.probe', z.object({ assetId: z.string() }));

describe.each(testDatabases())('domain events on $name', ({ open, skip }) => {
  const opened: Database[] = [];
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
  });

  async function setup(subscriptions: EventSubscriptions) {
    const database = await open();
    opened.push(database);
    const clock = settableClock();
    const ctx = contextOf(database, clock);
    const runner = new JobRunner(ctx, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    subscriptions.register(runner, ctx);
    const jobs = async () =>
      (
        await database.db
          .selectFrom('jobs')
          .select(['id', 'kind', 'state', 'payload_json'])
          .orderBy('created_at')
          .orderBy('kind')
          .execute()
      ).map((j) => ({ ...j, payload: JSON.parse(j.payload_json) as unknown }));
    return { database, clock, ctx, runner, jobs };
  }

  it.skipIf(skip !== undefined)(
    'publishes with the transaction: nothing on rollback, a durable event on commit',
    async () => {
      const { database, clock, jobs } = await setup(new EventSubscriptions());
      await expect(
        database.db.transaction().execute(async (trx) => {
          await publishEvent(trx, clock, 'inventory.asset-deleted', { assetId: 'a-1' });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await jobs()).toEqual([]);

      const id = await database.db
        .transaction()
        .execute((trx) => publishEvent(trx, clock, 'inventory.asset-deleted', { assetId: 'a-2' }));
      expect(await jobs()).toMatchObject([
        { id, kind: 'event:inventory.asset-deleted', state: 'queued', payload: { assetId: 'a-2' } },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'delivers once per subscriber, even when a delivery is re-run after a crash',
    async () => {
      const subscriptions = new EventSubscriptions().on('inventory.snapshot-recorded', {
        id: 'test.probe',
        job: probe,
        payload: ({ assetId }) => ({ assetId }),
      });
      const { database, clock, runner, jobs } = await setup(subscriptions);
      const eventId = await database.db.transaction().execute((trx) =>
        publishEvent(trx, clock, 'inventory.snapshot-recorded', {
          assetId: 'a-1',
          snapshotId: 's-1',
        }),
      );
      expect(await runner.runOnce()).toMatchObject({ id: eventId, state: 'succeeded' });
      // The process died after the delivery committed, before the event was marked done: its
      // lease lapses and any runner takes the event again.
      await database.db
        .updateTable('jobs')
        .set({ state: 'queued' })
        .where('id', '=', eventId)
        .execute();
      expect(await runner.runOnce()).toMatchObject({ id: eventId, state: 'succeeded' });
      expect(await jobs()).toEqual([
        expect.objectContaining({ id: eventId, state: 'succeeded' }),
        expect.objectContaining({
          id: derivedId(eventId, 'test.probe'),
          kind: 'test.probe',
          state: 'queued',
          payload: { assetId: 'a-1' },
        }),
      ]);
    },
  );

  it.skipIf(skip !== undefined)('a malformed payload fails the job, naming the field', async () => {
    const { database, clock, ctx } = await setup(new EventSubscriptions());
    const runner = new JobRunner(ctx, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    runner.handle(probe, () => Promise.resolve('ran'));
    const { id } = await enqueueTyped(database.db, clock, probe, { assetId: 'a' });
    const bad = await database.db
      .insertInto('jobs')
      .values({
        ...(await database.db
          .selectFrom('jobs')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow()),
        id: derivedId('bad'),
        payload_json: JSON.stringify({ asset: 'a' }),
        max_attempts: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const outcomes = [await runner.runOnce(), await runner.runOnce()];
    expect(outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id, state: 'succeeded' }),
        expect.objectContaining({
          id: bad.id,
          state: 'failed',
          error: expect.stringContaining('assetId') as unknown,
        }),
      ]),
    );
  });

  it.skipIf(skip !== undefined)(
    '75 uploads to one asset queue one reconcile; an upload after it started queues another',
    async () => {
      const database = await open();
      opened.push(database);
      const clock = settableClock();
      const app = await testApp(database, clock);
      try {
        const runner = new JobRunner(app.context, {
          workerId: 'test',
          concurrency: 1,
          leaseSeconds: 60,
          pollMs: 1000,
        });
        eventSubscriptions().register(runner, app.context);
        const writer = await testCaller(database, ['operator']);
        const asset = (
          await app.app.inject({
            method: 'POST',
            url: '/api/v1/assets',
            headers: writer.headers,
            payload: { name: 'web-01', osRelease: 'Debian:12' },
          })
        ).json<{ id: string }>();
        const upload = async (n: number) => {
          const response = await app.app.inject({
            method: 'POST',
            url: `/api/v1/assets/${asset.id}/snapshots`,
            headers: writer.headers,
            payload: { packages: [{ ecosystem: 'npm', name: 'left-pad', version: `1.0.${n}` }] },
          });
          expect(response.statusCode).toBe(201);
        };
        for (let n = 0; n < 75; n++) await upload(n);
        while (await runner.runOnce()) {
          /* deliver every event */
        }
        const reconciles = () =>
          database.db
            .selectFrom('jobs')
            .select(['id', 'state', 'payload_json'])
            .where('kind', '=', findingJobKinds.reconcileAsset)
            .execute();
        const [only] = await reconciles();
        expect(await reconciles()).toEqual([
          { id: only?.id, state: 'queued', payload_json: JSON.stringify({ assetId: asset.id }) },
        ]);
        const events = await database.db
          .selectFrom('jobs')
          .select(({ fn }) => fn.countAll<number | string>().as('n'))
          .where('kind', '=', eventJobKind('inventory.snapshot-recorded'))
          .where('state', '=', 'succeeded')
          .executeTakeFirstOrThrow();
        expect(Number(events.n)).toBe(75);

        // The reconcile starts (claimed: it reads the inventory as it is now)…
        await database.db
          .updateTable('jobs')
          .set({ state: 'running' })
          .where('id', '=', only?.id ?? '')
          .execute();
        // …so a later upload needs a reconcile of its own.
        await upload(75);
        while (await runner.runOnce()) {
          /* deliver */
        }
        expect((await reconciles()).map((r) => r.state).sort()).toEqual(['queued', 'running']);
      } finally {
        await app.app.close();
      }
    },
  );
});
