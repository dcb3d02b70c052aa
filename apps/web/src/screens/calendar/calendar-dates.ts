/**
 * Days of the calendar, in UTC like every date of the UI: a `Day` is `YYYY-MM-DD`; weeks start
 * on Monday (ISO 8601). Pure functions, no clock inside.
 */

export type CalendarView = 'month' | 'week';

const dayMs = 86_400_000;

/** `YYYY-MM-DD` of an instant (UTC). */
export const dayOf = (date: Date): string => date.toISOString().slice(0, 10);

/** Midnight UTC of a `YYYY-MM-DD` day; undefined when it is not one. */
export function parseDay(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || dayOf(date) !== value ? undefined : date;
}

export const addDays = (day: string, days: number): string =>
  dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs));

/** The Monday of the week holding `day`. */
export function weekStart(day: string): string {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** The first day of the month holding `day`. */
export const monthStart = (day: string): string => `${day.slice(0, 7)}-01`;

/** The same day (clamped to the month's last) `months` months later. */
export function addMonths(day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const last = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), last));
  return dayOf(target);
}

/**
 * The weeks a view shows: a month's weeks from the Monday on or before its first day to the
 * Sunday on or after its last; a week's seven days.
 */
export function weeksOf(view: CalendarView, day: string): string[][] {
  const first = view === 'week' ? weekStart(day) : weekStart(monthStart(day));
  const nextMonth = addMonths(monthStart(day), 1);
  const weeks: string[][] = [];
  for (let start = first; ; start = addDays(start, 7)) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(start, i)));
    if (view === 'week' || addDays(start, 7) >= nextMonth) break;
  }
  return weeks;
}

/** The instants the view covers: [first day 00:00, day after the last 00:00). */
export function rangeOf(weeks: readonly (readonly string[])[]): { from: string; to: string } {
  const first = weeks[0]?.[0] ?? '1970-01-01';
  const last = weeks.at(-1)?.at(-1) ?? first;
  return { from: `${first}T00:00:00.000Z`, to: `${addDays(last, 1)}T00:00:00.000Z` };
}

/** Whether [start, end) overlaps the day. */
export function overlapsDay(start: string, end: string, day: string): boolean {
  const from = Date.parse(`${day}T00:00:00Z`);
  return Date.parse(start) < from + dayMs && Date.parse(end) > from;
}

/** `HH:MM` of an instant (UTC). */
export const timeOf = (value: string): string => new Date(value).toISOString().slice(11, 16);

/** What a `datetime-local` input shows for an instant (UTC): `YYYY-MM-DDTHH:MM`. */
export const toLocalInput = (value: string | null | undefined): string =>
  value === null || value === undefined || value === ''
    ? ''
    : new Date(value).toISOString().slice(0, 16);

/** An ISO instant from a `datetime-local` value read as UTC; undefined when incomplete. */
export function fromLocalInput(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const monthTitle = new Intl.DateTimeFormat('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const dayTitle = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

const plainDay = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** `December 2026`; for a week `Week of 7 December 2026`. */
export function viewTitle(view: CalendarView, day: string): string {
  if (view === 'month') return monthTitle.format(new Date(`${day}T00:00:00Z`));
  return `Week of ${plainDay.format(new Date(`${weekStart(day)}T00:00:00Z`))}`;
}

/** `Monday 7 December 2026` (a cell's accessible name). */
export const longDay = (day: string): string => dayTitle.format(new Date(`${day}T00:00:00Z`));

export const weekdayNames = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
