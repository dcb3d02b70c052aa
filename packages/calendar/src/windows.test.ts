import { describe, expect, it } from 'vitest';
import type { Freeze, MaintenanceWindow } from './windows.ts';
import {
  checkFreeze,
  checkWindow,
  freezeOccurrences,
  windowOccurrences,
  windowsByAsset,
} from './windows.ts';
import { parseDuration } from './duration.ts';

const window: MaintenanceWindow = {
  id: 'w1',
  name: 'Patch Tuesday evening',
  rrule: 'FREQ=MONTHLY;BYDAY=2TU',
  dtstart: '2026-01-13T20:00',
  timeZone: 'America/New_York',
  durationMinutes: 180,
  cutoffMinutes: 45,
  selector: { environments: ['production'] },
};

describe('maintenance windows', () => {
  it('lists the occurrences overlapping a range, including one already open', () => {
    const found = windowOccurrences(
      window,
      new Date('2026-03-11T01:00:00Z'),
      new Date('2026-04-30T00:00:00Z'),
    );
    expect(
      found.map((o) => [o.start.toISOString(), o.end.toISOString(), o.cutoffAt.toISOString()]),
    ).toEqual([
      // 10 March 20:00 EDT (the first Tuesday after the switch) is still open at 01:00Z.
      ['2026-03-11T00:00:00.000Z', '2026-03-11T03:00:00.000Z', '2026-03-11T02:15:00.000Z'],
      ['2026-04-15T00:00:00.000Z', '2026-04-15T03:00:00.000Z', '2026-04-15T02:15:00.000Z'],
    ]);
  });

  it.each([
    [{ rrule: 'FREQ=SOMETIMES' }, /FREQ=SOMETIMES is not one of/],
    [{ timeZone: 'Europe/Nowhere' }, /not an IANA time zone/],
    [{ dtstart: '2026-13-01T00:00' }, /dtstart: .* not a date of the calendar/],
    [{ durationMinutes: 0, cutoffMinutes: 0 }, /cutoff must be .*shorter/],
    [{ durationMinutes: 600_000, cutoffMinutes: 0 }, /duration must be 1…/],
    [{ cutoffMinutes: 180 }, /cutoff must be .* shorter than the window/],
    [{ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' }, /no occurrence within ten years/],
  ])('refuses %j', (change, error) => {
    const checked = checkWindow({ ...window, ...change });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toMatch(error);
  });

  it('accepts a valid window', () => {
    expect(checkWindow(window)).toEqual({ ok: true });
  });

  it('assigns windows to assets by selector', () => {
    const facts = {
      criticality: 'high',
      exposure: 'internal',
      team: null,
      tags: [],
      groups: [],
    } as const;
    const map = windowsByAsset(
      [
        { ...facts, id: 'a', name: 'prod', environment: 'production' },
        { ...facts, id: 'b', name: 'test', environment: 'test' },
      ],
      [window],
    );
    expect([...map].map(([id, ws]) => [id, ws.map((w) => w.id)])).toEqual([
      ['a', ['w1']],
      ['b', []],
    ]);
  });
});

describe('freezes', () => {
  const oneOff: Freeze = {
    id: 'f1',
    name: 'launch',
    start: new Date('2026-11-20T00:00:00Z'),
    end: new Date('2026-11-30T00:00:00Z'),
    allowEmergency: false,
  };
  it('a one-off freeze occurs once, when it overlaps the range', () => {
    expect(
      freezeOccurrences(oneOff, new Date('2026-11-29T00:00:00Z'), new Date('2026-12-01T00:00:00Z')),
    ).toEqual([
      {
        freezeId: 'f1',
        name: 'launch',
        start: oneOff.start,
        end: oneOff.end,
        allowEmergency: false,
      },
    ]);
    expect(
      freezeOccurrences(oneOff, new Date('2026-11-30T00:00:00Z'), new Date('2026-12-01T00:00:00Z')),
    ).toEqual([]);
  });
  it('a recurring freeze skips its holidays', () => {
    const weekends: Freeze = {
      id: 'f2',
      name: 'weekend',
      recurrence: {
        rrule: 'FREQ=WEEKLY;BYDAY=SA',
        dtstart: '2026-12-05T00:00',
        timeZone: 'Europe/Berlin',
        durationMinutes: 2880,
      },
      exdates: ['2026-12-26'],
      allowEmergency: true,
    };
    expect(
      freezeOccurrences(
        weekends,
        new Date('2026-12-14T00:00:00Z'),
        new Date('2027-01-04T00:00:00Z'),
      ).map((o) => o.start.toISOString()),
    ).toEqual(['2026-12-18T23:00:00.000Z', '2027-01-01T23:00:00.000Z']);
  });
  it.each([
    [{ end: new Date('2026-11-19T00:00:00Z') }, /must end after it starts/],
    [{ start: undefined }, /needs start and end, or a recurrence/],
    [
      {
        recurrence: {
          rrule: 'FREQ=DAILY',
          dtstart: '2026-01-01T00:00',
          timeZone: 'Nowhere',
          durationMinutes: 60,
        },
      },
      /IANA/,
    ],
    [
      {
        recurrence: {
          rrule: 'FREQ=DAILY',
          dtstart: '2026-01-01T00:00',
          timeZone: 'UTC',
          durationMinutes: 60,
        },
        exdates: ['xmas'],
      },
      /exclusion: /,
    ],
  ])('refuses %j', (change, error) => {
    const checked = checkFreeze({ ...oneOff, ...change });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toMatch(error);
  });
});

describe('parseDuration', () => {
  it.each([
    ['4h', 240],
    ['90m', 90],
    ['1h30m', 90],
    ['2d', 2880],
    ['45', 45],
    ['30min', 30],
  ])('%s = %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toEqual({ ok: true, minutes });
  });
  it.each(['', '4 hours', '-1h', '0m', 'h'])('refuses %j', (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });
});
