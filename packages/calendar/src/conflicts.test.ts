import type { AssetFacts } from '@patchgate/model';
import { describe, expect, it } from 'vitest';
import type { ConflictInput } from './conflicts.ts';
import { detectConflicts, nextFeasibleSlot } from './conflicts.ts';
import type { Freeze, MaintenanceWindow } from './windows.ts';

const asset = (id: string, groups: string[]): AssetFacts => ({
  id,
  name: id,
  environment: 'production',
  criticality: 'high',
  exposure: 'internal',
  team: null,
  tags: [],
  groups,
});
const web = asset('web-1', ['web']);
const db = asset('db-1', ['db']);
const lone = asset('lone-1', []);

/** Every night 22:00–02:00 Berlin; no new work in the last 30 minutes. */
const nightly: MaintenanceWindow = {
  id: 'w-web',
  name: 'web nightly',
  rrule: 'FREQ=DAILY',
  dtstart: '2026-01-01T22:00',
  timeZone: 'Europe/Berlin',
  durationMinutes: 240,
  cutoffMinutes: 30,
  selector: { groups: ['web'] },
};
/** Sundays 23:00–02:00 Berlin. */
const sunday: MaintenanceWindow = {
  id: 'w-db',
  name: 'db sunday',
  rrule: 'FREQ=WEEKLY;BYDAY=SU',
  dtstart: '2026-01-04T23:00',
  timeZone: 'Europe/Berlin',
  durationMinutes: 180,
  cutoffMinutes: 0,
  selector: { groups: ['db'] },
};
const yearEnd: Freeze = {
  id: 'f-year-end',
  name: 'year end',
  start: new Date('2026-12-20T00:00:00Z'),
  end: new Date('2027-01-04T00:00:00Z'),
  allowEmergency: true,
};
/** The first of every month (Berlin), all day, except 1 July. */
const monthClose: Freeze = {
  id: 'f-close',
  name: 'month close',
  recurrence: {
    rrule: 'FREQ=MONTHLY;BYMONTHDAY=1',
    dtstart: '2026-01-01T00:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 1440,
  },
  exdates: ['2026-07-01'],
  allowEmergency: false,
};

const base = {
  assets: [web],
  windows: [nightly, sunday],
  freezes: [yearEnd, monthClose],
  otherChanges: [],
} satisfies Omit<ConflictInput, 'change'>;
const change = (
  start: string,
  end: string,
  extra: Partial<ConflictInput['change']> = {},
): ConflictInput['change'] => ({
  id: 'c-1',
  type: 'normal',
  start: new Date(start),
  end: new Date(end),
  approved: true,
  ...extra,
});

describe('detectConflicts', () => {
  it('finds none for an approved change inside its window', () => {
    expect(
      detectConflicts({ ...base, change: change('2026-06-02T20:30:00Z', '2026-06-02T21:30:00Z') }),
    ).toEqual([]);
  });

  it.each([
    ['midday, outside the window', '2026-06-02T12:00:00Z', '2026-06-02T13:00:00Z'],
    [
      '01:45 Berlin, inside the window but after its cutoff',
      '2026-06-02T23:45:00Z',
      '2026-06-02T23:50:00Z',
    ],
  ])('outside-window: %s', (_name, start, end) => {
    expect(detectConflicts({ ...base, change: change(start, end) })).toEqual([
      {
        kind: 'outside-window',
        assetId: 'web-1',
        message: `web-1: ${start.replace(':00Z', 'Z')} is not inside any of its windows (web nightly) before their cutoff`,
      },
    ]);
  });

  it('window-too-short: the estimated duration runs past the window end minus its cutoff', () => {
    expect(
      detectConflicts({
        ...base,
        change: change('2026-06-02T20:30:00Z', '2026-06-02T21:30:00Z', { estimatedMinutes: 240 }),
      }),
    ).toEqual([
      {
        kind: 'window-too-short',
        assetId: 'web-1',
        windowId: 'w-web',
        message:
          'web-1: the change needs 240 min from 2026-06-02T20:30Z, but window "web nightly" allows work only until 2026-06-02T23:30Z (end 2026-06-03T00:00Z minus the cutoff)',
      },
    ]);
  });

  it('asset-in-overlapping-change: only for shared assets and overlapping times', () => {
    const others = [
      {
        id: 'c-2',
        title: 'kernel',
        start: new Date('2026-06-02T21:00:00Z'),
        end: new Date('2026-06-02T22:00:00Z'),
        assetIds: ['web-1'],
      },
      {
        id: 'c-3',
        start: new Date('2026-06-02T21:00:00Z'),
        end: new Date('2026-06-02T22:00:00Z'),
        assetIds: ['db-1'],
      },
      {
        id: 'c-4',
        start: new Date('2026-06-02T21:30:00Z'),
        end: new Date('2026-06-02T22:00:00Z'),
        assetIds: ['web-1'],
      },
      {
        id: 'c-1',
        start: new Date('2026-06-02T20:30:00Z'),
        end: new Date('2026-06-02T21:30:00Z'),
        assetIds: ['web-1'],
      },
    ];
    expect(
      detectConflicts({
        ...base,
        otherChanges: others,
        change: change('2026-06-02T20:30:00Z', '2026-06-02T21:30:00Z'),
      }),
    ).toEqual([
      {
        kind: 'asset-in-overlapping-change',
        assetId: 'web-1',
        otherChangeId: 'c-2',
        message: 'web-1 is also in change "kernel" (c-2), 2026-06-02T21:00Z–2026-06-02T22:00Z',
      },
    ]);
  });

  it.each([
    ['normal', false, 'only an emergency change may override it'],
    ['emergency', true, 'an emergency change may override it with the extra approval'],
  ] as const)('in-freeze for a %s change: override allowed = %s', (type, allowed, text) => {
    expect(
      detectConflicts({
        ...base,
        change: change('2026-12-22T21:00:00Z', '2026-12-22T22:00:00Z', { type }),
      }),
    ).toEqual([
      {
        kind: 'in-freeze',
        freezeId: 'f-year-end',
        emergencyOverrideAllowed: allowed,
        message: `the change overlaps freeze "year end" (2026-12-20T00:00Z–2027-01-04T00:00Z); ${text}`,
      },
    ]);
  });

  it('in-freeze for a recurring freeze, and none on its excluded holiday', () => {
    // 2026-06-01 is a month-close day in Berlin (2026-05-31T22:00Z – 2026-06-01T22:00Z).
    expect(
      detectConflicts({
        ...base,
        change: change('2026-05-31T22:00:00Z', '2026-05-31T22:30:00Z', { type: 'emergency' }),
      }),
    ).toEqual([
      {
        kind: 'in-freeze',
        freezeId: 'f-close',
        emergencyOverrideAllowed: false,
        message:
          'the change overlaps freeze "month close" (2026-05-31T22:00Z–2026-06-01T22:00Z); no change may override it',
      },
    ]);
    expect(
      detectConflicts({ ...base, change: change('2026-06-30T22:00:00Z', '2026-06-30T22:30:00Z') }),
    ).toEqual([]);
  });

  it('approval-missing-before-start', () => {
    expect(
      detectConflicts({
        ...base,
        change: change('2026-06-02T20:30:00Z', '2026-06-02T21:30:00Z', { approved: false }),
      }),
    ).toEqual([
      {
        kind: 'approval-missing-before-start',
        message:
          'the change is not fully approved; every approval must be given before it starts at 2026-06-02T20:30Z',
      },
    ]);
  });

  it('an asset without a window is free unless a window is required', () => {
    const c = change('2026-06-02T12:00:00Z', '2026-06-02T13:00:00Z');
    expect(detectConflicts({ ...base, assets: [lone], change: c })).toEqual([]);
    expect(detectConflicts({ ...base, assets: [lone], requireWindow: true, change: c })).toEqual([
      { kind: 'outside-window', assetId: 'lone-1', message: 'lone-1 has no maintenance window' },
    ]);
  });

  it('takes the windows per asset as a map too', () => {
    const c = change('2026-06-02T12:00:00Z', '2026-06-02T13:00:00Z');
    expect(
      detectConflicts({
        ...base,
        assets: [lone],
        windows: new Map([['lone-1', [nightly]]]),
        change: c,
      }).map((x) => x.kind),
    ).toEqual(['outside-window']);
  });
});

describe('nextFeasibleSlot', () => {
  const slot = (
    after: string,
    durationMinutes: number,
    extra: Partial<Parameters<typeof nextFeasibleSlot>[0]> = {},
  ) => {
    const result = nextFeasibleSlot({ ...base, after: new Date(after), durationMinutes, ...extra });
    return 'none' in result
      ? result
      : { start: result.start.toISOString(), end: result.end.toISOString() };
  };

  it('is the next window opening', () => {
    expect(slot('2026-06-02T12:00:00Z', 60)).toEqual({
      start: '2026-06-02T20:00:00.000Z',
      end: '2026-06-02T21:00:00.000Z',
    });
  });
  it('is the time asked for when that is feasible', () => {
    expect(slot('2026-06-02T20:10:00Z', 60)).toEqual({
      start: '2026-06-02T20:10:00.000Z',
      end: '2026-06-02T21:10:00.000Z',
    });
  });
  it('keeps 22:00 Berlin on the spring-forward day', () => {
    expect(slot('2026-03-29T12:00:00Z', 60)).toMatchObject({ start: '2026-03-29T20:00:00.000Z' });
  });
  it('needs every asset inside its window at once', () => {
    // web nightly 22:00–02:00, db Sundays 23:00–02:00: 2026-06-07 is the next Sunday.
    expect(slot('2026-06-02T12:00:00Z', 60, { assets: [web, db] })).toEqual({
      start: '2026-06-07T21:00:00.000Z',
      end: '2026-06-07T22:00:00.000Z',
    });
  });
  it('waits for another change on the same asset to end', () => {
    const busy = [
      {
        id: 'c-9',
        start: new Date('2026-06-02T19:00:00Z'),
        end: new Date('2026-06-02T21:00:00Z'),
        assetIds: ['web-1'],
      },
    ];
    expect(slot('2026-06-02T12:00:00Z', 60, { otherChanges: busy })).toMatchObject({
      start: '2026-06-02T21:00:00.000Z',
    });
  });
  it('skips a freeze, and the window whose rest is too short after it', () => {
    // The freeze ends 2027-01-04T00:00Z (01:00 CET) with 30 minutes left before the cutoff.
    expect(slot('2026-12-20T12:00:00Z', 60)).toMatchObject({ start: '2027-01-04T21:00:00.000Z' });
  });
  it('lets an emergency change into a freeze that allows it', () => {
    expect(slot('2026-12-20T12:00:00Z', 60, { changeType: 'emergency' })).toMatchObject({
      start: '2026-12-20T21:00:00.000Z',
    });
  });
  it('says why when no window is long enough', () => {
    expect(slot('2026-06-02T12:00:00Z', 240)).toEqual({
      none: 'no slot within 90 days: no window of web-1 leaves 240 min before its cutoff',
    });
  });
  it('says why when nothing fits within the horizon', () => {
    const busy = [
      {
        id: 'c-9',
        start: new Date('2026-06-01T00:00:00Z'),
        end: new Date('2026-12-01T00:00:00Z'),
        assetIds: ['web-1'],
      },
    ];
    expect(slot('2026-06-02T12:00:00Z', 60, { otherChanges: busy, horizonDays: 30 })).toEqual({
      none: 'no slot within 30 days where every asset is inside its window, outside freezes and free of other changes',
    });
  });
  it('requires a window when told to', () => {
    expect(slot('2026-06-02T12:00:00Z', 60, { assets: [lone], requireWindow: true })).toEqual({
      none: 'lone-1 has no maintenance window',
    });
  });
});
