/**
 * RFC 5545 §3.3.10 recurrence rules: parsing with clear errors, and expansion in an IANA time
 * zone. Expansion happens on the wall clock (a window "every Tuesday at 22:00" stays at 22:00
 * across DST) and each occurrence is turned into an instant by `toUtc` (§3.3.5's rules for
 * gaps and overlaps). The frequencies a maintenance calendar needs are supported: DAILY,
 * WEEKLY, MONTHLY and YEARLY with INTERVAL, COUNT, UNTIL, BYDAY (ordinals such as 2TU, -1FR
 * in MONTHLY and YEARLY), BYMONTHDAY (negative counts from the month's end), BYMONTH, BYHOUR,
 * BYMINUTE, BYSETPOS and WKST. SECONDLY/MINUTELY/HOURLY, BYSECOND, BYWEEKNO and BYYEARDAY are
 * refused by name rather than half-implemented.
 */
import type { LocalDateTime } from './local-time.ts';
import {
  dayNumber,
  daysInMonth,
  fromDayNumber,
  naiveMs,
  parseLocal,
  weekday,
} from './local-time.ts';
import { isTimeZone, timeZoneError, toUtc } from './zoned-time.ts';

export const frequencies = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
export type Frequency = (typeof frequencies)[number];

/** RFC 5545 weekday codes in `Date#getUTCDay` order (0 = SU). */
export const weekdayCodes = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
export type WeekdayCode = (typeof weekdayCodes)[number];

export interface ByDay {
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  /** 0 = every such weekday of the period; n = the nth, −n = the nth from the end. */
  readonly ordinal: number;
}

/** UNTIL: an instant (`…Z`), or a wall-clock date or date-time read in the rule's zone. */
export type Until =
  | { readonly kind: 'utc'; readonly ms: number }
  | { readonly kind: 'local'; readonly value: LocalDateTime; readonly dateOnly: boolean };

export interface RRule {
  readonly freq: Frequency;
  readonly interval: number;
  readonly count?: number;
  readonly until?: Until;
  readonly byDay?: readonly ByDay[];
  readonly byMonthDay?: readonly number[];
  readonly byMonth?: readonly number[];
  readonly byHour?: readonly number[];
  readonly byMinute?: readonly number[];
  readonly bySetPos?: readonly number[];
  /** Week start, 0 = Sunday … 6 = Saturday; RFC default MO. */
  readonly wkst: number;
}

export type RRuleParse =
  { readonly ok: true; readonly rule: RRule } | { readonly ok: false; readonly error: string };

const maxRuleLength = 1000;
const unsupported = new Set(['BYSECOND', 'BYWEEKNO', 'BYYEARDAY', 'RSCALE', 'SKIP']);

function intList(
  name: string,
  value: string,
  min: number,
  max: number,
  allowNegative: boolean,
): number[] | string {
  const items = value.split(',');
  const out: number[] = [];
  for (const item of items) {
    if (!/^[+-]?\d{1,4}$/.test(item)) return `${name}=${value}: "${item}" is not a whole number`;
    const n = Number(item);
    const abs = Math.abs(n);
    if ((n < 0 && !allowNegative) || abs < min || abs > max || (allowNegative && n === 0))
      return `${name}=${value}: ${item} is out of range (${allowNegative ? `±${Math.max(min, 1)}` : min}…${allowNegative ? '±' : ''}${max})`;
    out.push(n);
  }
  return [...new Set(out)];
}

/**
 * Parses the value of an RRULE property (`FREQ=WEEKLY;BYDAY=TU;BYHOUR=22`), with or without
 * the `RRULE:` prefix. Every error names the part at fault.
 */
export function parseRRule(text: string): RRuleParse {
  const fail = (error: string): RRuleParse => ({ ok: false, error: `RRULE: ${error}` });
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '') return fail('empty rule; it needs at least FREQ, e.g. FREQ=WEEKLY;BYDAY=TU');
  if (body.length > maxRuleLength) return fail(`longer than ${maxRuleLength} characters`);
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toUpperCase();
    if (eq < 0 || eq === part.length - 1) return fail(`"${part.slice(0, 40)}" is not NAME=VALUE`);
    if (parts.has(name)) return fail(`${name} is given twice`);
    parts.set(name, part.slice(eq + 1).toUpperCase());
  }
  const known = new Set([
    'FREQ',
    'INTERVAL',
    'COUNT',
    'UNTIL',
    'BYDAY',
    'BYMONTHDAY',
    'BYMONTH',
    'BYHOUR',
    'BYMINUTE',
    'BYSETPOS',
    'WKST',
  ]);
  for (const name of parts.keys()) {
    if (unsupported.has(name)) return fail(`${name} is not supported`);
    if (!known.has(name)) return fail(`unknown rule part ${name.slice(0, 20)}`);
  }
  const freqText = parts.get('FREQ');
  if (freqText === undefined) return fail('FREQ is required (DAILY, WEEKLY, MONTHLY or YEARLY)');
  if (['SECONDLY', 'MINUTELY', 'HOURLY'].includes(freqText))
    return fail(
      `FREQ=${freqText} is not supported for maintenance calendars; use DAILY with BYHOUR`,
    );
  if (!(frequencies as readonly string[]).includes(freqText))
    return fail(`FREQ=${freqText.slice(0, 20)} is not one of ${frequencies.join(', ')}`);
  const freq = freqText as Frequency;

  let interval = 1;
  const intervalText = parts.get('INTERVAL');
  if (intervalText !== undefined) {
    if (!/^\d{1,4}$/.test(intervalText) || Number(intervalText) < 1)
      return fail(`INTERVAL=${intervalText} is not a positive whole number (1…9999)`);
    interval = Number(intervalText);
  }
  let count: number | undefined;
  const countText = parts.get('COUNT');
  if (countText !== undefined) {
    if (!/^\d{1,6}$/.test(countText) || Number(countText) < 1)
      return fail(`COUNT=${countText} is not a positive whole number`);
    count = Number(countText);
  }
  let until: Until | undefined;
  const untilText = parts.get('UNTIL');
  if (untilText !== undefined) {
    if (count !== undefined) return fail('COUNT and UNTIL must not both be given (§3.3.10)');
    const utc = untilText.endsWith('Z');
    const local = parseLocal(utc ? untilText.slice(0, -1) : untilText);
    if (!local.ok || (utc && local.dateOnly) || !/^\d{8}(T\d{6})?Z?$/.test(untilText))
      return fail(
        `UNTIL=${untilText.slice(0, 30)} is not a DATE (20261231) or DATE-TIME (20261231T235959Z)`,
      );
    until = utc
      ? { kind: 'utc', ms: naiveMs(local.value) }
      : { kind: 'local', value: local.value, dateOnly: local.dateOnly };
  }

  let byDay: ByDay[] | undefined;
  const byDayText = parts.get('BYDAY');
  if (byDayText !== undefined) {
    byDay = [];
    for (const item of byDayText.split(',')) {
      const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item);
      if (m === null)
        return fail(`BYDAY=${byDayText}: "${item}" is not a weekday such as TU, 2TU or -1FR`);
      const ordinal = m[1] === undefined ? 0 : Number(m[1]);
      if (m[1] !== undefined && (ordinal === 0 || Math.abs(ordinal) > 53))
        return fail(`BYDAY=${byDayText}: the ordinal in "${item}" must be 1…53 or -53…-1`);
      if (ordinal !== 0 && (freq === 'DAILY' || freq === 'WEEKLY'))
        return fail(
          `BYDAY=${byDayText}: ordinals such as "${item}" only apply to MONTHLY and YEARLY rules`,
        );
      if (ordinal !== 0 && freq === 'MONTHLY' && Math.abs(ordinal) > 5)
        return fail(`BYDAY=${byDayText}: a month has at most 5 of each weekday`);
      byDay.push({ weekday: weekdayCodes.indexOf(m[2] as WeekdayCode), ordinal });
    }
  }
  const lists: Record<string, number[] | undefined> = {};
  const listSpecs = [
    ['BYMONTHDAY', 1, 31, true],
    ['BYMONTH', 1, 12, false],
    ['BYHOUR', 0, 23, false],
    ['BYMINUTE', 0, 59, false],
    ['BYSETPOS', 1, 366, true],
  ] as const;
  for (const [name, min, max, negative] of listSpecs) {
    const value = parts.get(name);
    if (value === undefined) continue;
    const parsed = intList(name, value, min, max, negative);
    if (typeof parsed === 'string') return fail(parsed);
    lists[name] = parsed;
  }
  if (lists.BYMONTHDAY !== undefined && freq === 'WEEKLY')
    return fail('BYMONTHDAY does not apply to WEEKLY rules (§3.3.10)');
  if (
    lists.BYSETPOS !== undefined &&
    byDay === undefined &&
    lists.BYMONTHDAY === undefined &&
    lists.BYMONTH === undefined &&
    lists.BYHOUR === undefined &&
    lists.BYMINUTE === undefined
  )
    return fail('BYSETPOS needs another BYxxx part to select from (§3.3.10)');
  let wkst = 1;
  const wkstText = parts.get('WKST');
  if (wkstText !== undefined) {
    const i = weekdayCodes.indexOf(wkstText as WeekdayCode);
    if (i < 0) return fail(`WKST=${wkstText.slice(0, 10)} is not a weekday code (SU…SA)`);
    wkst = i;
  }
  return {
    ok: true,
    rule: {
      freq,
      interval,
      wkst,
      ...(count === undefined ? {} : { count }),
      ...(until === undefined ? {} : { until }),
      ...(byDay === undefined ? {} : { byDay }),
      ...(lists.BYMONTHDAY === undefined ? {} : { byMonthDay: lists.BYMONTHDAY }),
      ...(lists.BYMONTH === undefined ? {} : { byMonth: lists.BYMONTH }),
      ...(lists.BYHOUR === undefined ? {} : { byHour: lists.BYHOUR }),
      ...(lists.BYMINUTE === undefined ? {} : { byMinute: lists.BYMINUTE }),
      ...(lists.BYSETPOS === undefined ? {} : { bySetPos: lists.BYSETPOS }),
    },
  };
}

/** Limits that keep a rule from expanding without end (a rule that never matches, a huge range). */
export interface ExpansionLimits {
  /** At most this many occurrences are returned (default 5000). */
  readonly maxOccurrences?: number;
  /** At most this many periods (days, weeks, months, years) are visited (default 100 000). */
  readonly maxPeriods?: number;
}

export interface ExpandInput {
  readonly rule: RRule;
  /** The first occurrence's wall-clock time; also the source of the defaults (§3.3.10). */
  readonly dtstart: LocalDateTime;
  readonly timeZone: string;
  /** Occurrences starting at or after this instant (ms)… */
  readonly from: number;
  /** …and before this instant (ms). */
  readonly to: number;
  /** Excluded occurrences: exact wall-clock times, or whole local dates (holidays). */
  readonly exdates?: readonly { readonly value: LocalDateTime; readonly dateOnly: boolean }[];
  readonly limits?: ExpansionLimits;
}

export interface Expansion {
  /** Occurrence start instants (ms since the epoch, UTC), ascending, unique. */
  readonly starts: readonly number[];
  /** True when a limit stopped the expansion before the rule or the range ended. */
  readonly truncated: boolean;
}

interface Day {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The days of one period (a year, month, week or day) before the BYxxx filters. */
function periodDays(rule: RRule, start: LocalDateTime, index: number): Day[] {
  const step = index * rule.interval;
  switch (rule.freq) {
    case 'DAILY':
      return [fromDayNumber(dayNumber(start.year, start.month, start.day) + step)];
    case 'WEEKLY': {
      const first = dayNumber(start.year, start.month, start.day);
      const weekStart =
        first - ((weekday(start.year, start.month, start.day) - rule.wkst + 7) % 7) + step * 7;
      return Array.from({ length: 7 }, (_, i) => fromDayNumber(weekStart + i));
    }
    case 'MONTHLY': {
      const monthIndex = start.year * 12 + (start.month - 1) + step;
      const year = Math.floor(monthIndex / 12);
      const month = (monthIndex % 12) + 1;
      return Array.from({ length: daysInMonth(year, month) }, (_, i) => ({
        year,
        month,
        day: i + 1,
      }));
    }
    case 'YEARLY': {
      const year = start.year + step;
      const first = dayNumber(year, 1, 1);
      const length = dayNumber(year + 1, 1, 1) - first;
      return Array.from({ length }, (_, i) => fromDayNumber(first + i));
    }
  }
}

/** The nth (or −nth) day among `days` falling on `wd`. */
function nthWeekday(days: readonly Day[], wd: number, ordinal: number): Day | undefined {
  const matching = days.filter((d) => weekday(d.year, d.month, d.day) === wd);
  return ordinal > 0 ? matching[ordinal - 1] : matching[matching.length + ordinal];
}

const sameDay = (a: Day, b: Day): boolean =>
  a.year === b.year && a.month === b.month && a.day === b.day;

/** The period's days after BYMONTH, BYMONTHDAY and BYDAY, with the RFC's defaults from DTSTART. */
function selectDays(rule: RRule, start: LocalDateTime, all: Day[]): Day[] {
  let byMonth = rule.byMonth;
  let byMonthDay = rule.byMonthDay;
  let byDay = rule.byDay;
  // §3.3.10: missing BYxxx parts are taken from DTSTART, depending on the frequency.
  if (byDay === undefined && byMonthDay === undefined) {
    if (rule.freq === 'WEEKLY')
      byDay = [{ weekday: weekday(start.year, start.month, start.day), ordinal: 0 }];
    if (rule.freq === 'MONTHLY') byMonthDay = [start.day];
    if (rule.freq === 'YEARLY') {
      byMonthDay = [start.day];
      byMonth ??= [start.month];
    }
  }
  let days = all;
  if (byMonth !== undefined) days = days.filter((d) => byMonth.includes(d.month));
  if (byMonthDay !== undefined)
    days = days.filter((d) => {
      const length = daysInMonth(d.year, d.month);
      return byMonthDay.some((n) => (n > 0 ? n : length + 1 + n) === d.day);
    });
  if (byDay !== undefined) {
    const plain = byDay.filter((b) => b.ordinal === 0).map((b) => b.weekday);
    const ordinals = byDay.filter((b) => b.ordinal !== 0);
    // Ordinals count within the month for MONTHLY rules and for YEARLY rules with BYMONTH,
    // within the year otherwise (§3.3.10, BYDAY).
    const withinMonth = rule.freq === 'MONTHLY' || rule.byMonth !== undefined;
    const groups = withinMonth
      ? [...new Set(all.map((d) => `${d.year}-${d.month}`))].map((key) =>
          all.filter((d) => `${d.year}-${d.month}` === key),
        )
      : [all];
    const picked = ordinals.flatMap((b) =>
      groups.flatMap((group) => {
        const hit = nthWeekday(group, b.weekday, b.ordinal);
        return hit === undefined ? [] : [hit];
      }),
    );
    days = days.filter(
      (d) => plain.includes(weekday(d.year, d.month, d.day)) || picked.some((p) => sameDay(p, d)),
    );
  }
  return days;
}

/**
 * The occurrences of `rule` starting in [from, to), as UTC instants. Expansion walks the
 * periods from DTSTART (COUNT counts from there) and stops at the range's end, at COUNT or
 * UNTIL, or at a limit (then `truncated`). Only occurrences at or after DTSTART count,
 * so a DTSTART that does not match the rule is not itself an occurrence (as python-dateutil).
 */
export function expandRRule(input: ExpandInput): Expansion {
  const { rule, dtstart, timeZone, from, to } = input;
  if (!isTimeZone(timeZone)) throw new RangeError(timeZoneError(timeZone));
  const maxOccurrences = input.limits?.maxOccurrences ?? 5000;
  const maxPeriods = input.limits?.maxPeriods ?? 100_000;
  const startNaive = naiveMs(dtstart);
  const untilMs =
    rule.until === undefined
      ? Infinity
      : rule.until.kind === 'utc'
        ? rule.until.ms
        : rule.until.dateOnly
          ? toUtc({ ...rule.until.value, hour: 23, minute: 59, second: 59 }, timeZone)
          : toUtc(rule.until.value, timeZone);
  const hours = rule.byHour ?? [dtstart.hour];
  const minutes = rule.byMinute ?? [dtstart.minute];
  const excluded = input.exdates ?? [];
  const isExcluded = (t: LocalDateTime): boolean =>
    excluded.some((x) => (x.dateOnly ? sameDay(x.value, t) : naiveMs(x.value) === naiveMs(t)));

  const starts: number[] = [];
  let counted = 0;
  for (let period = 0; period < maxPeriods; period++) {
    const all = periodDays(rule, dtstart, period);
    const first = all[0];
    // Past the range (a day's margin covers any zone offset): nothing later can be in it.
    if (
      first !== undefined &&
      Date.UTC(first.year, first.month - 1, first.day) > to + 2 * 86_400_000
    )
      return { starts, truncated: false };
    const days = selectDays(rule, dtstart, all);
    let times: LocalDateTime[] = days
      .flatMap((d) =>
        hours.flatMap((hour) =>
          minutes.map((minute) => ({ ...d, hour, minute, second: dtstart.second })),
        ),
      )
      .sort((a, b) => naiveMs(a) - naiveMs(b));
    if (rule.bySetPos !== undefined) {
      const set = times;
      times = [...new Set(rule.bySetPos.map((p) => (p > 0 ? set[p - 1] : set[set.length + p])))]
        .filter((t): t is LocalDateTime => t !== undefined)
        .sort((a, b) => naiveMs(a) - naiveMs(b));
    }
    for (const t of times) {
      if (naiveMs(t) < startNaive) continue;
      const utc = toUtc(t, timeZone);
      if (utc > untilMs) return { starts, truncated: false };
      counted += 1;
      if (rule.count !== undefined && counted > rule.count) return { starts, truncated: false };
      if (utc >= to) return { starts, truncated: false };
      if (utc >= from && !isExcluded(t) && starts.at(-1) !== utc) {
        if (starts.length >= maxOccurrences) return { starts, truncated: true };
        starts.push(utc);
      }
    }
  }
  return { starts, truncated: true };
}
