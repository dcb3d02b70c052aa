import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { testClock } from '@patchgate/testing';

const windowBody = {
  name: 'web nightly',
  rrule: 'FREQ=DAILY',
  dtstart: '2026-01-01T22:00',
  timeZone: 'Europe/Berlin',
  durationMinutes: 240,
  cutoffMinutes: 30,
  selector: { groups: ['web'] },
};

describe.each(testDatabases())('calendar API on $name', ({ open, skip }) => {
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
    const clock = testClock('2026-06-01T08:00:00.000Z');
    const app = await testApp(database, clock);
    built = app;
    const manager = await testCaller(database, ['change_manager']);
    const viewer = await testCaller(database, ['viewer']);
    const operator = await testCaller(database, ['operator', 'admin']);
    for (const [name, groups] of [
      ['web-1', ['web']],
      ['web-2', ['web']],
      ['db-1', ['db']],
    ] as const) {
      const response = await app.app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: operator.headers,
        payload: { name, groups },
      });
      expect(response.statusCode).toBe(201);
    }
    const server = app.app;
    const call = (
      who: { headers: { authorization: string } },
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
    ) =>
      server.inject({
        method,
        url,
        headers: who.headers,
        ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
      });
    const auditActions = async () =>
      (
        await database!.db
          .selectFrom('audit_events')
          .select('action')
          .where('action', 'like', 'calendar.%')
          .orderBy('seq')
          .execute()
      ).map((r) => r.action);
    return { server, clock, manager, viewer, call, auditActions };
  }

  it.skipIf(skip !== undefined)(
    'creates, lists, changes and removes windows, audited',
    async () => {
      const { call, manager, viewer, auditActions } = await setup();
      const created = await call(manager, 'POST', '/api/v1/calendar/windows', windowBody);
      expect(created.statusCode).toBe(201);
      const window = created.json<{ id: string }>();
      expect(window).toMatchObject({
        ...windowBody,
        selectorText: 'group=web',
        assets: ['web-1', 'web-2'],
      });
      expect((await call(viewer, 'GET', '/api/v1/calendar/windows')).json()).toEqual({
        windows: [window],
      });
      const patched = await call(manager, 'PATCH', `/api/v1/calendar/windows/${window.id}`, {
        selector: { names: ['db-1'] },
        cutoffMinutes: 0,
      });
      expect(patched.json()).toMatchObject({
        assets: ['db-1'],
        cutoffMinutes: 0,
        selectorText: 'name=db-1',
      });
      expect(
        (await call(manager, 'DELETE', `/api/v1/calendar/windows/${window.id}`)).statusCode,
      ).toBe(204);
      expect((await call(viewer, 'GET', `/api/v1/calendar/windows/${window.id}`)).statusCode).toBe(
        404,
      );
      expect(await auditActions()).toEqual([
        'calendar.window-created',
        'calendar.window-updated',
        'calendar.window-deleted',
      ]);
    },
  );

  it.skipIf(skip !== undefined).each([
    [{ rrule: 'FREQ=HOURLY' }, 'RRULE: FREQ=HOURLY is not supported'],
    [{ rrule: 'FREQ=WEEKLY;BYDAY=2TU' }, 'ordinals such as "2TU" only apply to MONTHLY and YEARLY'],
    [{ timeZone: 'Mars/Olympus' }, '"Mars/Olympus" is not an IANA time zone'],
    [{ dtstart: '2026-02-30T22:00' }, 'is not a date of the calendar'],
    [{ cutoffMinutes: 240 }, 'cutoff must be'],
  ])('refuses an invalid window %j with 422 and the reason', async (change, reason) => {
    const { call, manager } = await setup();
    const response = await call(manager, 'POST', '/api/v1/calendar/windows', {
      ...windowBody,
      ...change,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<{ detail: string }>().detail).toContain(reason);
  });

  it.skipIf(skip !== undefined)(
    'refuses a second window of the same name (409) and writes for a viewer (403)',
    async () => {
      const { call, manager, viewer } = await setup();
      expect((await call(manager, 'POST', '/api/v1/calendar/windows', windowBody)).statusCode).toBe(
        201,
      );
      const again = await call(manager, 'POST', '/api/v1/calendar/windows', windowBody);
      expect([again.statusCode, again.json<{ detail: string }>().detail]).toEqual([
        409,
        'A maintenance window named "web nightly" already exists',
      ]);
      expect(
        (await call(viewer, 'POST', '/api/v1/calendar/windows', { ...windowBody, name: 'x' }))
          .statusCode,
      ).toBe(403);
    },
  );

  it.skipIf(skip !== undefined)(
    'keeps one-off and recurring freezes, and shows the calendar in a range',
    async () => {
      const { call, manager, viewer, auditActions } = await setup();
      await call(manager, 'POST', '/api/v1/calendar/windows', windowBody);
      const oneOff = await call(manager, 'POST', '/api/v1/calendar/freezes', {
        name: 'launch',
        start: '2026-06-03T00:00:00Z',
        end: '2026-06-04T00:00:00+00:00',
        allowEmergency: true,
      });
      expect(oneOff.statusCode).toBe(201);
      const recurring = await call(manager, 'POST', '/api/v1/calendar/freezes', {
        name: 'month close',
        recurrence: {
          rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
          dtstart: '2026-01-01T00:00',
          timeZone: 'Europe/Berlin',
          durationMinutes: 1440,
        },
        exdates: ['2026-07-01'],
      });
      expect(recurring.json()).toMatchObject({
        start: null,
        end: null,
        allowEmergency: false,
        exdates: ['2026-07-01'],
      });
      const bad = await call(manager, 'POST', '/api/v1/calendar/freezes', {
        name: 'backwards',
        start: '2026-06-03T00:00:00Z',
        end: '2026-06-02T00:00:00Z',
      });
      expect([bad.statusCode, bad.json<{ detail: string }>().detail]).toEqual([
        422,
        'The freeze is not valid: a freeze must end after it starts',
      ]);
      const view = await call(
        viewer,
        'GET',
        '/api/v1/calendar?from=2026-06-01T12:00:00Z&to=2026-07-02T12:00:00Z',
      );
      const body = view.json<{
        windows: { start: string }[];
        freezes: { name: string; start: string; end: string; allowEmergency: boolean }[];
        changes: unknown[];
      }>();
      expect(body.windows).toHaveLength(31);
      expect(body.windows[0]).toMatchObject({
        name: 'web nightly',
        start: '2026-06-01T20:00:00.000Z',
        cutoffAt: '2026-06-01T23:30:00.000Z',
      });
      expect(body.freezes.map((f) => [f.name, f.start, f.end, f.allowEmergency])).toEqual([
        // 1 June in Berlin; 1 July is excluded.
        ['month close', '2026-05-31T22:00:00.000Z', '2026-06-01T22:00:00.000Z', false],
        ['launch', '2026-06-03T00:00:00.000Z', '2026-06-04T00:00:00.000Z', true],
      ]);
      expect(body.changes).toEqual([]);
      const range = await call(
        viewer,
        'GET',
        '/api/v1/calendar?from=2026-06-01T00:00:00Z&to=2027-07-01T00:00:00Z',
      );
      expect([range.statusCode, range.json<{ detail: string }>().detail]).toEqual([
        422,
        'The range may span at most 366 days',
      ]);
      expect(await auditActions()).toEqual([
        'calendar.window-created',
        'calendar.freeze-created',
        'calendar.freeze-created',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'serves the .ics feed for a feed token only; rotation and revocation end the old one',
    async () => {
      const { server, call, viewer, manager, auditActions } = await setup();
      await call(manager, 'POST', '/api/v1/calendar/windows', windowBody);
      await call(manager, 'POST', '/api/v1/calendar/freezes', {
        name: 'launch; "big", day',
        start: '2026-06-03T00:00:00Z',
        end: '2026-06-04T00:00:00Z',
      });
      const created = await call(viewer, 'POST', '/api/v1/calendar/feed-token');
      expect(created.statusCode).toBe(201);
      const { token, path } = created.json<{ token: string; path: string }>();
      expect(path).toBe(`/api/v1/calendar/feed/${token}`);
      const feed = await server.inject({ url: path });
      expect(feed.statusCode).toBe(200);
      expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
      const root = new ICAL.Component(ICAL.parse(feed.body) as unknown[]);
      const events = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      // A week back and 92 days ahead of 2026-06-01T08:00Z: the nights of 25 May to 31 August.
      expect(events.filter((e) => e.summary === 'Maintenance window: web nightly')).toHaveLength(
        99,
      );
      expect(
        events.filter((e) => e.summary.startsWith('Change freeze:')).map((e) => e.summary),
      ).toEqual(['Change freeze: launch; "big", day']);

      for (const wrong of [`${token}x`, 'pgc_nothing', 'x'.repeat(60)]) {
        const refused = await server.inject({ url: `/api/v1/calendar/feed/${wrong}` });
        expect([refused.statusCode, refused.json<{ detail: string }>().detail]).toEqual([
          404,
          'The calendar feed was not found',
        ]);
      }
      // The feed token is no API token.
      const asApi = await server.inject({
        url: '/api/v1/calendar/windows',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(asApi.statusCode).toBe(401);

      const rotated = (await call(viewer, 'POST', '/api/v1/calendar/feed-token')).json<{
        path: string;
      }>();
      expect((await server.inject({ url: path })).statusCode).toBe(404);
      expect((await server.inject({ url: rotated.path })).statusCode).toBe(200);
      expect((await call(viewer, 'DELETE', '/api/v1/calendar/feed-token')).statusCode).toBe(204);
      expect((await server.inject({ url: rotated.path })).statusCode).toBe(404);
      expect((await call(viewer, 'DELETE', '/api/v1/calendar/feed-token')).statusCode).toBe(404);
      expect(await auditActions()).toEqual([
        'calendar.window-created',
        'calendar.freeze-created',
        'calendar.feed-token-created',
        'calendar.feed-token-rotated',
        'calendar.feed-token-revoked',
      ]);
      const stored = await database!.db.selectFrom('calendar_feed_tokens').selectAll().execute();
      expect(stored).toEqual([]);
    },
  );

  it.skipIf(skip !== undefined)(
    'answers conflicts and the next feasible slot on demand',
    async () => {
      const { call, manager, viewer } = await setup();
      await call(manager, 'POST', '/api/v1/calendar/windows', windowBody);
      await call(manager, 'POST', '/api/v1/calendar/freezes', {
        name: 'launch',
        start: '2026-06-02T00:00:00Z',
        end: '2026-06-03T00:00:00Z',
        allowEmergency: true,
      });
      const inFreeze = await call(
        viewer,
        'GET',
        '/api/v1/calendar/conflicts?start=2026-06-02T12:00:00Z&end=2026-06-02T13:00:00Z&assets=group%3Dweb&approved=false',
      );
      expect(inFreeze.json()).toEqual({
        assets: ['web-1', 'web-2'],
        conflicts: [
          expect.objectContaining({
            kind: 'outside-window',
            message: expect.stringMatching(/^web-1: /) as string,
          }),
          expect.objectContaining({
            kind: 'outside-window',
            message: expect.stringMatching(/^web-2: /) as string,
          }),
          expect.objectContaining({ kind: 'in-freeze', emergencyOverrideAllowed: false }),
          expect.objectContaining({ kind: 'approval-missing-before-start' }),
        ],
      });
      const fine = await call(
        viewer,
        'GET',
        '/api/v1/calendar/conflicts?start=2026-06-03T20:30:00Z&end=2026-06-03T21:30:00Z&assets=group%3Dweb',
      );
      expect(fine.json()).toEqual({ assets: ['web-1', 'web-2'], conflicts: [] });
      const slot = await call(
        viewer,
        'GET',
        '/api/v1/calendar/next-slot?after=2026-06-02T08:00:00Z&durationMinutes=90&assets=group%3Dweb',
      );
      // 2 June is frozen: the next night, 22:00 CEST on 3 June.
      expect(slot.json()).toEqual({
        assets: ['web-1', 'web-2'],
        start: '2026-06-03T20:00:00.000Z',
        end: '2026-06-03T21:30:00.000Z',
        reason: null,
      });
      const emergency = await call(
        viewer,
        'GET',
        '/api/v1/calendar/next-slot?after=2026-06-02T08:00:00Z&durationMinutes=90&assets=group%3Dweb&type=emergency',
      );
      expect(emergency.json()).toMatchObject({ start: '2026-06-02T20:00:00.000Z' });
      const tooLong = await call(
        viewer,
        'GET',
        '/api/v1/calendar/next-slot?durationMinutes=300&assets=group%3Dweb',
      );
      expect(tooLong.json()).toMatchObject({
        start: null,
        reason: 'no slot within 90 days: no window of web-1 leaves 300 min before its cutoff',
      });
      const badSelector = await call(
        viewer,
        'GET',
        '/api/v1/calendar/next-slot?durationMinutes=30&assets=colour%3Dred',
      );
      expect(badSelector.statusCode).toBe(422);
    },
  );
});
