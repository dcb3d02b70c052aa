import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  dayNumber,
  daysBetween,
  fromDayNumber,
  isCalendarDate,
  parseCalendarDate,
  toCalendarDate,
} from './dates.ts';

describe('addDays', () => {
  it.each([
    ['2026-11-22', 14, '2026-12-06'],
    ['2026-11-22', 3, '2026-11-25'],
    ['2026-12-30', 3, '2027-01-02'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['2026-01-31', 30, '2026-03-02'],
    ['2026-03-29', 1, '2026-03-30'], // EU DST change weekend: no drift
    ['2026-11-01', 1, '2026-11-02'], // US DST change: no drift
    ['2024-01-01', 366, '2025-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-11-22', 0, '2026-11-22'],
  ])('%s + %i days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-11-22', 1, '2026-12-22'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2026-05-31', -3, '2026-02-28'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('calendar dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2026-13-01', false],
    ['2026-04-31', false],
    ['2026-4-1', false],
    ['2026-11-22T00:00:00Z', false],
  ])('isCalendarDate(%s) is %s', (text, expected) => {
    expect(isCalendarDate(text)).toBe(expected);
  });

  it('round-trips every day of four centuries through day numbers', () => {
    const start = dayNumber({ year: 1900, month: 1, day: 1 });
    const end = dayNumber({ year: 2300, month: 1, day: 1 });
    let failures = 0;
    for (let day = start; day < end; day += 1) {
      if (dayNumber(fromDayNumber(day)) !== day) failures += 1;
    }
    expect(failures).toBe(0);
    expect(dayNumber({ year: 1970, month: 1, day: 1 })).toBe(0);
    expect(fromDayNumber(-1)).toEqual({ year: 1969, month: 12, day: 31 });
  });

  it.each([
    ['2026-11-22', '2026-12-06', 14],
    ['2024-02-01', '2024-03-01', 29],
    ['2026-12-06', '2026-11-22', -14],
  ])('daysBetween(%s, %s) = %i', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it('rejects a malformed date with a RangeError (a caller bug, not an outcome)', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(parseCalendarDate('2026-02-30')).toBeUndefined();
  });
});

describe('toCalendarDate', () => {
  it.each([
    ['2024-04-12', '2024-04-12'],
    ['2023-10-18T03:51:31.276Z', '2023-10-18'],
    ['2023-10-10T23:30:00-04:00', '2023-10-11'],
    ['2023-10-11T01:30:00+02:00', '2023-10-10'],
    ['2024-02-29T12:00:00+0100', '2024-02-29'],
    ['2024-12-31T22:00:00-05:00', '2025-01-01'],
    ['yesterday', undefined],
    ['2024-02-30T00:00:00Z', undefined],
  ])('%s → %s', (text, expected) => {
    expect(toCalendarDate(text)).toBe(expected);
  });
});
