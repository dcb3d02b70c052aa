/**
 * Wall-clock time in a subscription's IANA time zone (Intl, so DST is the platform's tz data):
 * when quiet hours end and when a digest is due. Pure: the instant is always passed in. The
 * zone arithmetic is @patchgate/calendar's, the one the maintenance windows use.
 */
import { isTimeZone, toLocal, toUtc } from '@patchgate/calendar';

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  readonly weekday: number;
}

export { isTimeZone };

/** The wall-clock date and time in `timeZone` at `instant`, with its ISO weekday. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const { year, month, day, hour, minute } = toLocal(instant.getTime(), timeZone);
  const isoWeekday = ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
  return { year, month, day, hour, minute, weekday: isoWeekday };
}

/**
 * The instant a local wall time happens in `timeZone` (@patchgate/calendar's RFC 5545 rule: a
 * time skipped by a DST jump moves forward by the gap, a repeated one is the first).
 */
export function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  return new Date(toUtc({ year, month, day, hour, minute, second: 0 }, timeZone));
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * When the quiet period that `now` falls in ends, or undefined when `now` is not quiet.
 * `start` and `end` are local `HH:MM`; a period may wrap midnight (22:00–07:00).
 */
export function quietUntil(
  now: Date,
  timeZone: string,
  start: string,
  end: string,
): Date | undefined {
  const local = localParts(now, timeZone);
  const minute = local.hour * 60 + local.minute;
  const [s, e] = [minutesOf(start), minutesOf(end)];
  if (s === e) return undefined;
  const quiet = s < e ? minute >= s && minute < e : minute >= s || minute < e;
  if (!quiet) return undefined;
  // The end is today when it is still ahead, otherwise tomorrow (a period wrapping midnight).
  const dayOffset = minute < e ? 0 : 1;
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
  return zonedInstant(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    Math.floor(e / 60),
    e % 60,
    timeZone,
  );
}

/**
 * The latest due time of a digest at or before `now`: today's (or the last matching weekday's)
 * `hour`:00 in `timeZone`.
 */
export function latestDigestDue(
  now: Date,
  timeZone: string,
  mode: 'daily' | 'weekly',
  hour: number,
  weekday: number,
): Date {
  const local = localParts(now, timeZone);
  for (let back = 0; back <= 8; back++) {
    const date = new Date(Date.UTC(local.year, local.month - 1, local.day - back));
    const isoWeekday = ((date.getUTCDay() + 6) % 7) + 1;
    if (mode === 'weekly' && isoWeekday !== weekday) continue;
    const due = zonedInstant(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      hour,
      0,
      timeZone,
    );
    if (due.getTime() <= now.getTime()) return due;
  }
  throw new Error('unreachable: a due time lies within 8 days');
}
