import { describe, expect, it } from 'vitest';
import { isTimeZone, latestDigestDue, localParts, quietUntil, zonedInstant } from './zoned-time.ts';

describe('zoned time', () => {
  it('converts wall time to instants across DST (Europe/Berlin)', () => {
    expect(zonedInstant(2026, 1, 15, 8, 0, 'Europe/Berlin').toISOString()).toBe(
      '2026-01-15T07:00:00.000Z',
    );
    expect(zonedInstant(2026, 7, 15, 8, 0, 'Europe/Berlin').toISOString()).toBe(
      '2026-07-15T06:00:00.000Z',
    );
    // 02:30 does not exist on 29 March 2026 in Berlin: it lands after the jump.
    expect(zonedInstant(2026, 3, 29, 2, 30, 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(localParts(new Date('2026-03-29T01:30:00.000Z'), 'Europe/Berlin')).toMatchObject({
      hour: 3,
      minute: 30,
      weekday: 7,
    });
  });

  it.each([
    // [now, start, end, expected end of quiet or undefined]
    ['2026-01-15T21:30:00.000Z', '22:00', '07:00', '2026-01-16T06:00:00.000Z'], // 22:30 local
    ['2026-01-16T05:00:00.000Z', '22:00', '07:00', '2026-01-16T06:00:00.000Z'], // 06:00 local
    ['2026-01-16T06:00:00.000Z', '22:00', '07:00', undefined], // 07:00 local: over
    ['2026-01-15T12:00:00.000Z', '12:00', '14:00', '2026-01-15T13:00:00.000Z'], // 13:00 local
    ['2026-01-15T12:00:00.000Z', '09:00', '09:00', undefined],
  ])('quiet hours at %s (%s–%s Berlin) end at %s', (now, start, end, expected) => {
    expect(quietUntil(new Date(now), 'Europe/Berlin', start, end)?.toISOString()).toBe(expected);
  });

  it('finds the latest digest due time, daily and weekly, in the time zone', () => {
    const now = new Date('2026-11-25T07:30:00.000Z'); // Wednesday 08:30 in Berlin
    expect(latestDigestDue(now, 'Europe/Berlin', 'daily', 8, 1).toISOString()).toBe(
      '2026-11-25T07:00:00.000Z',
    );
    expect(latestDigestDue(now, 'Europe/Berlin', 'daily', 9, 1).toISOString()).toBe(
      '2026-11-24T08:00:00.000Z',
    );
    expect(latestDigestDue(now, 'Europe/Berlin', 'weekly', 8, 1).toISOString()).toBe(
      '2026-11-23T07:00:00.000Z',
    );
    expect(latestDigestDue(now, 'America/New_York', 'daily', 8, 1).toISOString()).toBe(
      '2026-11-24T13:00:00.000Z',
    );
  });

  it('knows real time zones', () => {
    expect([isTimeZone('Europe/Berlin'), isTimeZone('UTC'), isTimeZone('Mars/Olympus')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
