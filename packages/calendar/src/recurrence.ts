/**
 * A recurring interval as windows and freezes store it: an RRULE, its DTSTART on the wall
 * clock of an IANA zone, a duration, and exclusions. One validation and one expansion for both.
 */
import type { LocalDateTime } from './local-time.ts';
import { formatLocal, parseLocal } from './local-time.ts';
import type { ExpansionLimits, RRule } from './rrule.ts';
import { expandRRule, parseRRule } from './rrule.ts';
import { isTimeZone, timeZoneError } from './zoned-time.ts';

export interface RecurrenceSpec {
  /** RRULE value, e.g. `FREQ=WEEKLY;BYDAY=TU;BYHOUR=22;BYMINUTE=0`. */
  readonly rrule: string;
  /** First occurrence, wall clock in `timeZone`: `2026-01-06T22:00`. */
  readonly dtstart: string;
  /** IANA zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  readonly durationMinutes: number;
  /** Excluded occurrences: `2026-12-24` (a whole local day, e.g. a holiday) or `2026-12-22T22:00`. */
  readonly exdates?: readonly string[];
}

export interface CompiledRecurrence {
  readonly rule: RRule;
  readonly dtstart: LocalDateTime;
  readonly timeZone: string;
  readonly durationMs: number;
  readonly exdates: readonly { readonly value: LocalDateTime; readonly dateOnly: boolean }[];
}

export type RecurrenceCheck =
  | { readonly ok: true; readonly recurrence: CompiledRecurrence }
  | { readonly ok: false; readonly error: string };

/** The longest interval a window or freeze may last: 366 days. */
export const maxDurationMinutes = 366 * 24 * 60;

/** Validates a recurrence: rule, zone, DTSTART, duration and exclusions, each with its reason. */
export function compileRecurrence(spec: RecurrenceSpec): RecurrenceCheck {
  const parsed = parseRRule(spec.rrule);
  if (!parsed.ok) return parsed;
  if (!isTimeZone(spec.timeZone)) return { ok: false, error: timeZoneError(spec.timeZone) };
  const start = parseLocal(spec.dtstart);
  if (!start.ok) return { ok: false, error: `dtstart: ${start.error}` };
  if (
    !Number.isInteger(spec.durationMinutes) ||
    spec.durationMinutes < 1 ||
    spec.durationMinutes > maxDurationMinutes
  )
    return { ok: false, error: `duration must be 1…${maxDurationMinutes} whole minutes` };
  const exdates = [];
  for (const text of spec.exdates ?? []) {
    const x = parseLocal(text);
    if (!x.ok) return { ok: false, error: `exclusion: ${x.error}` };
    exdates.push({ value: x.value, dateOnly: x.dateOnly });
  }
  return {
    ok: true,
    recurrence: {
      rule: parsed.rule,
      dtstart: start.value,
      timeZone: spec.timeZone,
      durationMs: spec.durationMinutes * 60_000,
      exdates,
    },
  };
}

export interface Interval {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The occurrences of a recurrence that overlap [from, to): an occurrence that began before
 * `from` and is still running counts (a window open at midnight is open).
 */
export function occurrencesBetween(
  recurrence: CompiledRecurrence,
  from: Date,
  to: Date,
  limits?: ExpansionLimits,
): { readonly intervals: readonly Interval[]; readonly truncated: boolean } {
  const expansion = expandRRule({
    rule: recurrence.rule,
    dtstart: recurrence.dtstart,
    timeZone: recurrence.timeZone,
    from: from.getTime() - recurrence.durationMs + 1,
    to: to.getTime(),
    exdates: recurrence.exdates,
    ...(limits === undefined ? {} : { limits }),
  });
  return {
    intervals: expansion.starts.map((s) => ({
      start: new Date(s),
      end: new Date(s + recurrence.durationMs),
    })),
    truncated: expansion.truncated,
  };
}

/** Human text for a recurrence (`FREQ=WEEKLY;BYDAY=TU from 2026-01-06T22:00 Europe/Berlin, 4h`). */
export const describeRecurrence = (r: CompiledRecurrence, rrule: string): string =>
  `${rrule} from ${formatLocal(r.dtstart)} ${r.timeZone}, ${r.durationMs / 60_000} min`;
