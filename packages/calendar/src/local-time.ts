/**
 * Wall-clock date-times (no zone) and their arithmetic. A `LocalDateTime` is what a person
 * writes for a maintenance window ("Tuesdays at 22:00 in Europe/Berlin"); `zoned-time.ts`
 * turns it into an instant. Day arithmetic runs on `Date.UTC` values, where every day has
 * 24 hours, so it never meets a DST transition.
 */

export interface LocalDateTime {
  readonly year: number;
  readonly month: number; // 1–12
  readonly day: number; // 1–31
  readonly hour: number; // 0–23
  readonly minute: number; // 0–59
  readonly second: number; // 0–59
}

export type LocalParse =
  | { readonly ok: true; readonly value: LocalDateTime; readonly dateOnly: boolean }
  | { readonly ok: false; readonly error: string };

const dayMs = 86_400_000;

/** Milliseconds of a wall-clock time as if it were UTC: a total order on wall-clock times. */
export const naiveMs = (t: LocalDateTime): number =>
  Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

export const fromNaiveMs = (ms: number): LocalDateTime => {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
};

export const daysInMonth = (year: number, month: number): number =>
  new Date(Date.UTC(year, month, 0)).getUTCDate();

export const daysInYear = (year: number): number =>
  (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;

/** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
export const weekday = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** The day-number (days since 1970-01-01) of a calendar date. */
export const dayNumber = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day) / dayMs;

export const fromDayNumber = (n: number): { year: number; month: number; day: number } => {
  const d = new Date(n * dayMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-03-29T02:30` (seconds only when not zero). */
export const formatLocal = (t: LocalDateTime): string =>
  `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}${t.second === 0 ? '' : `:${pad(t.second)}`}`;

export const formatLocalDate = (t: Pick<LocalDateTime, 'year' | 'month' | 'day'>): string =>
  `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;

const isoForm = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const icalForm = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?$/;

/**
 * A wall-clock date or date-time: `2026-03-29`, `2026-03-29T02:30[:00]` or the iCalendar
 * forms `20260329` and `20260329T023000` (RFC 5545 §3.3.4, §3.3.5 form 1, "floating").
 */
export function parseLocal(text: string): LocalParse {
  const m = isoForm.exec(text) ?? icalForm.exec(text);
  if (m === null)
    return {
      ok: false,
      error: `"${text.slice(0, 40)}" is not a local date-time: use YYYY-MM-DDTHH:MM (no zone)`,
    };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return { ok: false, error: `"${text}" is not a date of the calendar` };
  if (hour > 23 || minute > 59 || second > 59)
    return { ok: false, error: `"${text}" is not a time of day (00:00–23:59:59)` };
  return {
    ok: true,
    value: { year, month, day, hour, minute, second },
    dateOnly: m[4] === undefined,
  };
}
