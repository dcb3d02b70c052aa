/**
 * Wall-clock time in an IANA zone ↔ UTC instants, with `Intl.DateTimeFormat` (no Temporal on
 * Node 20, no zone database of our own: the runtime's ICU data is the browser's too).
 *
 * RFC 5545 §3.3.5 decides the two hard cases: a local time that does not exist (the spring-
 * forward gap) "is interpreted using the UTC offset before the transition", so it moves
 * forward by the gap (02:30 on 2026-03-29 in Berlin is 03:30 CEST); an ambiguous one (fall
 * back) "refers to the first occurrence", the one with the earlier instant.
 */
import type { LocalDateTime } from './local-time.ts';
import { naiveMs } from './local-time.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  let made: Intl.DateTimeFormat;
  try {
    made = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return undefined;
  }
  formatters.set(timeZone, made);
  return made;
}

/** Whether the runtime knows `timeZone` as an IANA zone name (e.g. `Europe/Berlin`, `UTC`). */
export const isTimeZone = (timeZone: string): boolean =>
  timeZone.length > 0 && timeZone.length <= 64 && formatterFor(timeZone) !== undefined;

export const timeZoneError = (timeZone: string): string =>
  `"${timeZone.slice(0, 64)}" is not an IANA time zone known here (e.g. Europe/Berlin, America/New_York, UTC)`;

function requireFormatter(timeZone: string): Intl.DateTimeFormat {
  const f = formatterFor(timeZone);
  if (f === undefined) throw new RangeError(timeZoneError(timeZone));
  return f;
}

/** The wall-clock time in `timeZone` at the instant `utcMs`. */
export function toLocal(utcMs: number, timeZone: string): LocalDateTime {
  const parts = requireFormatter(timeZone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = get('year');
  return {
    year: era === 'BC' || era === 'B' ? 1 - year : year,
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC, in milliseconds, at the instant `utcMs` (whole seconds). */
export function offsetAt(utcMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(utcMs / 1000) * 1000;
  return naiveMs(toLocal(wholeSecond, timeZone)) - wholeSecond;
}

const dayMs = 86_400_000;

/**
 * The instant of a wall-clock time in `timeZone` (RFC 5545 §3.3.5: gap → offset before the
 * transition, overlap → first occurrence). Assumes at most one transition within a day of
 * the time, which holds for every zone in the IANA database since 1900.
 */
export function toUtc(local: LocalDateTime, timeZone: string): number {
  const naive = naiveMs(local);
  const before = offsetAt(naive - dayMs, timeZone);
  const after = offsetAt(naive + dayMs, timeZone);
  const valid = [...new Set([before, after])]
    .map((offset) => naive - offset)
    .filter((utc) => naiveMs(toLocal(utc, timeZone)) === naive)
    .sort((a, b) => a - b);
  // In a gap no offset reproduces the wall-clock time: use the offset before the transition.
  return valid[0] ?? naive - before;
}
