import { describe, expect, it } from 'vitest';
import { parseLocal } from './local-time.ts';
import { isTimeZone, toLocal, toUtc } from './zoned-time.ts';

const local = (text: string) => {
  const parsed = parseLocal(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('toUtc: wall-clock time in a zone to an instant (RFC 5545 §3.3.5)', () => {
  it.each([
    // Europe/Berlin 2026: CET→CEST on 29 March at 02:00, CEST→CET on 25 October at 03:00.
    ['Europe/Berlin', '2026-03-28T22:00', '2026-03-28T21:00:00.000Z', 'winter time'],
    ['Europe/Berlin', '2026-03-29T22:00', '2026-03-29T20:00:00.000Z', 'summer time'],
    [
      'Europe/Berlin',
      '2026-03-29T02:30',
      '2026-03-29T01:30:00.000Z',
      'gap: moves forward to 03:30 CEST',
    ],
    ['Europe/Berlin', '2026-03-29T02:00', '2026-03-29T01:00:00.000Z', 'gap start: 03:00 CEST'],
    ['Europe/Berlin', '2026-03-29T03:00', '2026-03-29T01:00:00.000Z', 'first summer minute'],
    [
      'Europe/Berlin',
      '2026-10-25T02:30',
      '2026-10-25T00:30:00.000Z',
      'overlap: first (CEST) occurrence',
    ],
    ['Europe/Berlin', '2026-10-25T03:00', '2026-10-25T02:00:00.000Z', 'after the overlap'],
    // America/New_York 2026: EST→EDT 8 March 02:00, EDT→EST 1 November 02:00.
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:30:00.000Z', 'gap: 03:30 EDT'],
    ['America/New_York', '2026-03-08T01:59', '2026-03-08T06:59:00.000Z', 'last EST minute'],
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00.000Z', 'overlap: first (EDT)'],
    ['America/New_York', '2026-11-01T02:30', '2026-11-01T07:30:00.000Z', 'after the overlap'],
    // Australia/Sydney 2026: AEDT→AEST 5 April 03:00, AEST→AEDT 4 October 02:00.
    ['Australia/Sydney', '2026-04-05T02:30', '2026-04-04T15:30:00.000Z', 'overlap: first (AEDT)'],
    ['Australia/Sydney', '2026-10-04T02:30', '2026-10-03T16:30:00.000Z', 'gap: 03:30 AEDT'],
    ['Australia/Sydney', '2026-07-01T12:00', '2026-07-01T02:00:00.000Z', 'southern winter'],
    // Asia/Kolkata: +05:30 all year.
    ['Asia/Kolkata', '2026-03-29T02:30', '2026-03-28T21:00:00.000Z', 'half-hour offset'],
    ['Asia/Kolkata', '2026-10-25T02:30', '2026-10-24T21:00:00.000Z', 'no DST'],
    ['UTC', '2026-01-01T00:00', '2026-01-01T00:00:00.000Z', 'UTC'],
  ])('%s %s → %s (%s)', (zone, wall, expected) => {
    expect(new Date(toUtc(local(wall), zone)).toISOString()).toBe(expected);
  });

  it('reads an instant back as the zone shows it', () => {
    expect(toLocal(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 10,
      day: 25,
      hour: 2,
      minute: 30,
      second: 0,
    });
  });

  it.each(['Europe/Berlin', 'UTC', 'Asia/Kolkata'])('knows %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });
  it.each(['Mars/Olympus', '', 'Europe/Berlin; DROP', '+02:00x'])('refuses %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
    expect(() => toUtc(local('2026-01-01T00:00'), zone)).toThrow(/not an IANA time zone/);
  });
});

describe('parseLocal', () => {
  it.each([
    ['2026-03-29T02:30', { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, false],
    ['20260329T023015', { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 15 }, false],
    ['2026-12-24', { year: 2026, month: 12, day: 24, hour: 0, minute: 0, second: 0 }, true],
  ])('%s', (text, value, dateOnly) => {
    expect(parseLocal(text)).toEqual({ ok: true, value, dateOnly });
  });
  it.each([
    ['2026-02-30T10:00', /not a date of the calendar/],
    ['2026-01-01T24:00', /not a time of day/],
    ['2026-01-01T10:00Z', /not a local date-time/],
    ['tomorrow', /not a local date-time/],
  ])('refuses %s', (text, error) => {
    const parsed = parseLocal(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});
