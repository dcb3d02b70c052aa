/**
 * Wall-clock time in a subscription's IANA time zone (Intl, so DST is the platform's tz data):
 * when quiet hours end and when a digest is due. Pure: the instant is always passed in.
 */

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    weekday: weekdays.indexOf(parts['weekday'] ?? '') + 1,
  };
}

function offsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(instant.getTime() / 60_000) * 60_000;
}

/**
 * The instant a local wall time happens in `timeZone`. A time skipped by a DST jump resolves
 * to the same wall time in the offset before the jump (so it lands just after the gap).
 */
export function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetMs(new Date(wall), timeZone);
  const second = wall - offsetMs(new Date(first), timeZone);
  return new Date(second);
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
