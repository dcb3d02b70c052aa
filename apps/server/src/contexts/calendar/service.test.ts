/**
 * The calendar with scheduled changes from the changes context's `scheduledChanges` (here a
 * function over fixed data, as app.ts will wire the real one): conflicts with other changes,
 * the next slot after them, and changes in the feed.
 */
import ICAL from 'ical.js';
import { testClock } from '@patchgate/testing';
import type { CalendarChange } from '@patchgate/calendar';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { systemActor } from '../audit/index.ts';
import { freezesBetween, windowsForAssets } from './index.ts';
import {
  conflictsFor,
  createFeedToken,
  createFreeze,
  createWindow,
  feedForToken,
  nextSlot,
} from './service.ts';

const kernel: CalendarChange = {
  id: 'chg-1',
  title: 'Kernel update, web tier',
  start: new Date('2026-06-02T20:00:00Z'),
  end: new Date('2026-06-02T21:00:00Z'),
  assetNames: ['web-1'],
  state: 'scheduled',
  url: 'https://patchgate.example/changes/chg-1',
};
const scheduledChanges = (_db: Database, from: Date, to: Date) =>
  Promise.resolve([kernel].filter((c) => c.start < to && c.end > from));

describe.each(testDatabases())('calendar service on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup() {
    database = await open();
    const app = await testApp(database, testClock('2026-06-01T08:00:00.000Z'));
    built = app;
    const admin = await testCaller(database, ['admin']);
    for (const name of ['web-1', 'web-2']) {
      await app.app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: admin.headers,
        payload: { name, groups: ['web'] },
      });
    }
    const source = { actor: systemActor };
    const ctx = app.context;
    await createWindow(
      ctx,
      {
        name: 'web nightly',
        rrule: 'FREQ=DAILY',
        dtstart: '2026-01-01T22:00',
        timeZone: 'Europe/Berlin',
        durationMinutes: 240,
        cutoffMinutes: 30,
        selector: { groups: ['web'] },
      },
      source,
    );
    await createFreeze(
      ctx,
      {
        name: 'month close',
        recurrence: {
          rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
          dtstart: '2026-01-01T00:00',
          timeZone: 'Europe/Berlin',
          durationMinutes: 1440,
        },
        exdates: [],
        allowEmergency: false,
      },
      source,
    );
    return { ctx, admin, source };
  }

  it.skipIf(skip !== undefined)(
    'finds the other change on a shared asset and the slot after it',
    async () => {
      const { ctx } = await setup();
      const conflicts = await conflictsFor(
        ctx,
        {
          start: '2026-06-02T20:30:00Z',
          end: '2026-06-02T21:30:00Z',
          assets: 'group=web',
          type: 'normal',
          approved: 'true',
        },
        scheduledChanges,
      );
      expect(conflicts).toEqual({
        assets: ['web-1', 'web-2'],
        conflicts: [
          {
            kind: 'asset-in-overlapping-change',
            assetId: expect.any(String) as string,
            otherChangeId: 'chg-1',
            message:
              'web-1 is also in change "Kernel update, web tier" (chg-1), 2026-06-02T20:00Z–2026-06-02T21:00Z',
          },
        ],
      });
      expect(
        await nextSlot(
          ctx,
          {
            after: '2026-06-02T19:00:00Z',
            durationMinutes: 60,
            assets: 'name=web-1|web-2',
            type: 'normal',
            horizonDays: 30,
          },
          scheduledChanges,
        ),
      ).toEqual({
        assets: ['web-1', 'web-2'],
        start: '2026-06-02T21:00:00.000Z',
        end: '2026-06-02T22:00:00.000Z',
        reason: null,
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'gives other contexts windows per asset and freeze occurrences',
    async () => {
      const { ctx } = await setup();
      const facts = {
        criticality: 'high',
        exposure: 'internal',
        team: null,
        tags: [],
        environment: null,
      } as const;
      const map = await windowsForAssets(ctx.database, [
        { ...facts, id: 'a', name: 'a', groups: ['web'] },
        { ...facts, id: 'b', name: 'b', groups: [] },
      ]);
      expect([...map].map(([id, ws]) => [id, ws.map((w) => w.name)])).toEqual([
        ['a', ['web nightly']],
        ['b', []],
      ]);
      expect(
        await freezesBetween(
          ctx.database,
          new Date('2026-06-15T00:00:00Z'),
          new Date('2026-08-15T00:00:00Z'),
        ),
      ).toEqual([
        {
          id: expect.any(String) as string,
          name: 'month close',
          start: new Date('2026-06-30T22:00:00Z'),
          end: new Date('2026-07-01T22:00:00Z'),
          allowEmergency: false,
        },
        {
          id: expect.any(String) as string,
          name: 'month close',
          start: new Date('2026-07-31T22:00:00Z'),
          end: new Date('2026-08-01T22:00:00Z'),
          allowEmergency: false,
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)('puts scheduled changes in the feed', async () => {
    const { ctx, admin, source } = await setup();
    const { token } = await createFeedToken(ctx, admin.userId, source);
    const ics = await feedForToken(ctx, token, scheduledChanges);
    const root = new ICAL.Component(ICAL.parse(ics ?? '') as unknown[]);
    const change = root
      .getAllSubcomponents('vevent')
      .map((v) => new ICAL.Event(v))
      .find((e) => e.uid === 'change-chg-1@patchgate');
    expect([
      change?.summary,
      change?.description,
      change?.startDate.toJSDate().toISOString(),
    ]).toEqual([
      'Change: Kernel update, web tier',
      'State: scheduled\nAssets: web-1',
      '2026-06-02T20:00:00.000Z',
    ]);
    expect(await feedForToken(ctx, 'pgc_unknown', scheduledChanges)).toBeUndefined();
    // A disabled user's feed ends with them (and comes back if they are enabled again).
    await ctx.database.db
      .updateTable('users')
      .set({ disabled: 1 })
      .where('id', '=', admin.userId)
      .execute();
    expect(await feedForToken(ctx, token, scheduledChanges)).toBeUndefined();
    await ctx.database.db
      .updateTable('users')
      .set({ roles_json: '["auditor"]', disabled: 0 })
      .where('id', '=', admin.userId)
      .execute();
    expect(await feedForToken(ctx, token, scheduledChanges)).toBeDefined();
    await ctx.database.db
      .updateTable('users')
      .set({ roles_json: '[]' })
      .where('id', '=', admin.userId)
      .execute();
    expect(await feedForToken(ctx, token, scheduledChanges)).toBeUndefined();
  });
});
