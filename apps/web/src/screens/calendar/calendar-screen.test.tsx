import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { addMonths, weeksOf } from './calendar-dates.ts';
import { CalendarScreen } from './calendar-screen.tsx';

const routes = [{ path: '/calendar', element: <CalendarScreen /> }];
const changeId = '11111111-1111-4111-8111-111111111111';
const otherId = '22222222-2222-4222-8222-222222222222';

const calendarView = {
  from: '2026-11-30T00:00:00.000Z',
  to: '2027-01-04T00:00:00.000Z',
  windows: [
    {
      windowId: 'w1',
      name: 'web nightly',
      start: '2026-12-08T21:00:00.000Z',
      end: '2026-12-09T01:00:00.000Z',
      cutoffAt: '2026-12-09T00:30:00.000Z',
    },
  ],
  freezes: [
    {
      freezeId: 'f1',
      name: 'year-end freeze',
      start: '2026-12-20T00:00:00.000Z',
      end: '2027-01-04T00:00:00.000Z',
      allowEmergency: true,
    },
  ],
  changes: [
    {
      id: changeId,
      title: 'CHG-0007 Urgent security updates on web-01',
      start: '2026-12-10T12:00:00.000Z',
      end: '2026-12-10T13:00:00.000Z',
      assetNames: ['web-01'],
      state: 'scheduled',
    },
  ],
  truncated: false,
};

const changeDetail = {
  id: changeId,
  number: 'CHG-0007',
  title: 'Urgent security updates on web-01',
  state: 'scheduled',
  type: 'normal',
  schedule: { start: '2026-12-10T12:00:00.000Z', end: '2026-12-10T13:00:00.000Z' },
  approvals: { complete: true, rejected: false },
  assets: [{ id: 'a1', name: 'web-01' }],
  plans: { deploymentPlan: { estimatedMinutes: 60 } },
};

const outsideWindow = {
  kind: 'outside-window',
  assetId: 'a1',
  windowId: 'w1',
  message: 'web-01 is outside its maintenance window at 12:00',
};

function api(extra: Record<string, (request: Request, url: URL) => unknown> = {}) {
  return installFakeApi({
    'GET /api/v1/calendar': () => calendarView,
    'GET /api/v1/calendar/windows': () => ({ windows: [] }),
    'GET /api/v1/calendar/freezes': () => ({ freezes: [] }),
    'GET /api/v1/changes': () => ({ changes: [], nextCursor: null }),
    'GET /api/v1/changes/:id/conflicts': () => ({
      schedule: changeDetail.schedule,
      conflicts: [outsideWindow],
    }),
    ...extra,
  });
}

const cell = (day: string) => {
  const element = document.querySelector<HTMLElement>(`[data-day="${day}"]`);
  if (element === null) throw new Error(`no cell for ${day}`);
  return element;
};

describe('calendar dates', () => {
  it('shows a month from the Monday before its first day to the Sunday after its last', () => {
    const weeks = weeksOf('month', '2026-12-06');
    expect(weeks.map((w) => [w[0], w[6]])).toEqual([
      ['2026-11-30', '2026-12-06'],
      ['2026-12-07', '2026-12-13'],
      ['2026-12-14', '2026-12-20'],
      ['2026-12-21', '2026-12-27'],
      ['2026-12-28', '2027-01-03'],
    ]);
    expect(weeksOf('week', '2026-12-10')).toEqual([
      [
        '2026-12-07',
        '2026-12-08',
        '2026-12-09',
        '2026-12-10',
        '2026-12-11',
        '2026-12-12',
        '2026-12-13',
      ],
    ]);
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
  });
});

describe('CalendarScreen', () => {
  it('places a window, a freeze and a change on their days of the month grid', async () => {
    const calls = api();
    renderWithApp(routes, { url: '/calendar?view=month&date=2026-12-06' });
    await screen.findByRole('grid', { name: /December 2026/ });
    expect(calls.find((c) => c.path === '/api/v1/calendar')?.search).toBe(
      `?from=${encodeURIComponent('2026-11-30T00:00:00.000Z')}&to=${encodeURIComponent('2027-01-04T00:00:00.000Z')}`,
    );
    // The window runs 21:00–01:00: on the 8th and, after midnight, the 9th; not the 7th.
    expect(cell('2026-12-08').textContent).toContain('web nightly');
    expect(cell('2026-12-08').textContent).toContain('21:00–…');
    expect(cell('2026-12-09').textContent).toContain('web nightly');
    expect(cell('2026-12-07').textContent).not.toContain('web nightly');
    // The change on the 10th only, as a button that picks it.
    expect(within(cell('2026-12-10')).getByRole('button').textContent).toContain('CHG-0007');
    expect(cell('2026-12-11').textContent).not.toContain('CHG-0007');
    expect(cell('2026-12-19').textContent).not.toContain('year-end freeze');
    expect(cell('2026-12-24').textContent).toContain('year-end freeze');
  });

  it('marks and lists the conflicts of the changes in view, in words', async () => {
    api();
    renderWithApp(routes, { url: '/calendar?date=2026-12-06' });
    const conflicts = await screen.findByRole('list', {
      name: 'Conflicts of CHG-0007 Urgent security updates on web-01',
    });
    expect(conflicts.textContent).toContain('web-01 is outside its maintenance window at 12:00');
    expect(conflicts.textContent).toContain('Outside a maintenance window');
    await waitFor(() => expect(cell('2026-12-10').textContent).toContain('1 conflict'));
    expect(cell('2026-12-10').textContent).toContain('10 December 2026: 1 item, with conflicts');
  });

  it('moves between days with the arrow keys and between months with Page Down', async () => {
    api();
    const { router } = renderWithApp(routes, { url: '/calendar?view=month&date=2026-12-06' });
    await screen.findByRole('grid');
    const active = cell('2026-12-06');
    expect(active.tabIndex).toBe(0);
    active.focus();
    await userEvent.keyboard('{ArrowDown}');
    await waitFor(() => expect(router.state.location.search).toContain('date=2026-12-13'));
    await waitFor(() => expect(document.activeElement).toBe(cell('2026-12-13')));
    await userEvent.keyboard('{PageDown}');
    await waitFor(() => expect(router.state.location.search).toContain('date=2027-01-13'));
  });

  it('checks a new slot before saving, applies the next feasible slot, and schedules it', async () => {
    const slotStart = '2026-12-11T21:00:00.000Z';
    const slotEnd = '2026-12-11T22:00:00.000Z';
    const calls = api({
      'GET /api/v1/changes/:id': () => changeDetail,
      'GET /api/v1/changes/:id/next-slot': () => ({ start: slotStart, end: slotEnd, reason: null }),
      'GET /api/v1/calendar/conflicts': (_request, url) =>
        url.searchParams.get('start') === slotStart
          ? { assets: ['web-01'], conflicts: [] }
          : {
              assets: ['web-01'],
              conflicts: [
                // The change itself, at its current time: not a conflict of its new slot.
                { kind: 'asset-in-overlapping-change', otherChangeId: changeId, message: 'itself' },
                {
                  kind: 'in-freeze',
                  freezeId: 'f1',
                  message: 'the slot falls into the freeze "journey freeze"',
                },
              ],
            },
      'POST /api/v1/changes/:id/schedule': () => ({
        ...changeDetail,
        schedule: { start: slotStart, end: slotEnd },
      }),
    });
    renderWithApp(routes, { url: `/calendar?date=2026-12-06&change=${changeId}` });
    const start = await screen.findByLabelText('New start (UTC)');
    await userEvent.clear(start);
    await userEvent.type(start, '2026-12-24T10:00');
    expect(screen.getByLabelText<HTMLInputElement>('New end (UTC)').value).toBe('2026-12-24T11:00');
    const proposed = await screen.findByRole('list', { name: 'Conflicts of the new slot' });
    expect(proposed.textContent).toContain('journey freeze');
    expect(proposed.textContent).not.toContain('itself');
    const asked = calls.filter((c) => c.path === '/api/v1/calendar/conflicts').at(-1);
    const query = new URLSearchParams(asked?.search);
    expect(Object.fromEntries(query)).toMatchObject({
      start: '2026-12-24T10:00:00.000Z',
      end: '2026-12-24T11:00:00.000Z',
      assets: 'name=web-01',
      type: 'normal',
      estimatedMinutes: '60',
      approved: 'true',
    });
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Find the next feasible slot' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Apply this slot' }));
    expect(screen.getByLabelText<HTMLInputElement>('New start (UTC)').value).toBe(
      '2026-12-11T21:00',
    );
    expect(screen.getByLabelText<HTMLInputElement>('New end (UTC)').value).toBe('2026-12-11T22:00');
    expect(await screen.findByText(/No conflicts: every asset is in its window/)).toBeDefined();

    await userEvent.click(screen.getByRole('button', { name: 'Schedule…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Schedule CHG-0007' });
    await userEvent.type(within(dialog).getByLabelText('Why this time (optional)'), 'next window');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Schedule' }));
    await screen.findByText(/CHG-0007 is scheduled for 11 Dec 2026, 21:00 UTC/);
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.path).toBe(`/api/v1/changes/${changeId}/schedule`);
    expect(post?.body).toEqual({ start: slotStart, end: slotEnd, reason: 'next window' });
  });

  it("shows the server's refusal to schedule into a freeze", async () => {
    api({
      'GET /api/v1/changes/:id': () => ({ ...changeDetail, id: otherId, schedule: null }),
      'GET /api/v1/calendar/conflicts': () => ({ assets: ['web-01'], conflicts: [] }),
      'POST /api/v1/changes/:id/schedule': () =>
        new Response(
          JSON.stringify({
            status: 409,
            title: 'Conflict',
            code: 'conflict',
            detail: 'CHG-0007 cannot be scheduled into a freeze: year-end freeze',
          }),
          { status: 409, headers: { 'content-type': 'application/problem+json' } },
        ),
    });
    renderWithApp(routes, { url: `/calendar?date=2026-12-06&change=${otherId}` });
    await userEvent.type(await screen.findByLabelText('New start (UTC)'), '2026-12-24T10:00');
    await userEvent.click(screen.getByRole('button', { name: 'Schedule…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Schedule CHG-0007' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Schedule' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'cannot be scheduled into a freeze: year-end freeze',
    );
  });

  it('creates a maintenance window with its rule and selector (calendar:manage)', async () => {
    const calls = api({
      'POST /api/v1/calendar/windows': () =>
        new Response(JSON.stringify({ id: 'w2' }), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
    });
    renderWithApp(routes, { url: '/calendar?date=2026-12-06' });
    await userEvent.click(await screen.findByRole('button', { name: 'New window…' }));
    const dialog = await screen.findByRole('dialog', { name: 'New maintenance window' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'db Thursday');
    const rule = within(dialog).getByLabelText('Recurrence (RFC 5545 RRULE)');
    await userEvent.clear(rule);
    await userEvent.type(rule, 'FREQ=WEEKLY;BYDAY=TH');
    await userEvent.type(
      within(dialog).getByLabelText('First occurrence (wall clock of the time zone)'),
      '2026-12-10T22:00',
    );
    await userEvent.type(within(dialog).getByLabelText('Groups (comma-separated)'), 'db, web');
    await userEvent.click(within(dialog).getByLabelText('production'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create window' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'db Thursday',
      rrule: 'FREQ=WEEKLY;BYDAY=TH',
      dtstart: '2026-12-10T22:00',
      timeZone: 'Europe/Berlin',
      durationMinutes: 240,
      cutoffMinutes: 30,
      selector: { groups: ['db', 'web'], environments: ['production'] },
    });
  });

  it('moves the new start to the day chosen in the grid, keeping its time and length', async () => {
    api({
      'GET /api/v1/changes/:id': () => changeDetail,
      'GET /api/v1/calendar/conflicts': () => ({ assets: ['web-01'], conflicts: [] }),
    });
    renderWithApp(routes, { url: `/calendar?date=2026-12-06&change=${changeId}` });
    await screen.findByLabelText('New start (UTC)');
    cell('2026-12-15').click();
    await userEvent.click(
      await screen.findByRole('button', { name: /^Start on Tuesday,? 15 December 2026/ }),
    );
    expect(screen.getByLabelText<HTMLInputElement>('New start (UTC)').value).toBe(
      '2026-12-15T12:00',
    );
    expect(screen.getByLabelText<HTMLInputElement>('New end (UTC)').value).toBe('2026-12-15T13:00');
  });
});
