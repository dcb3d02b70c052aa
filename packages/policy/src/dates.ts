/**
 * Calendar-date arithmetic on `YYYY-MM-DD` strings (proleptic Gregorian, UTC).
 *
 * Due dates are days, not instants: "14 days from detection on 2026-11-22" is 2026-12-06 in
 * every time zone. So we never go through `Date` objects (whose local-time methods and DST
 * shifts cause off-by-one drift); dates become day numbers and back with integer arithmetic
 * (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * https://howardhinnant.github.io/date_algorithms.html, days_from_civil / civil_from_days).
 */

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `2024-02-29` → `{ year: 2024, month: 2, day: 29 }`; undefined unless a real calendar date. */
export function parseCalendarDate(text: string): CivilDate | undefined {
  const match = datePattern.exec(text);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export function isCalendarDate(text: string): boolean {
  return parseCalendarDate(text) !== undefined;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function formatCalendarDate(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Days since 1970-01-01 (days_from_civil). */
export function dayNumber(date: CivilDate): number {
  const y = date.month <= 2 ? date.year - 1 : date.year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (date.month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + date.day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (civil_from_days). */
export function fromDayNumber(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function mustParse(text: string): CivilDate {
  const date = parseCalendarDate(text);
  // A malformed date here is a caller bug (inputs are validated at the edge), not an outcome.
  if (date === undefined) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${text}`);
  return date;
}

/** `addDays('2024-02-28', 1)` → `2024-02-29`. */
export function addDays(date: string, days: number): string {
  return formatCalendarDate(fromDayNumber(dayNumber(mustParse(date)) + days));
}

/**
 * Calendar months, clamped to the last day of a shorter month: `addMonths('2024-01-31', 1)` →
 * `2024-02-29` (the convention of java.time `plusMonths` and PostgreSQL `interval '1 month'`).
 */
export function addMonths(date: string, months: number): string {
  const start = mustParse(date);
  const index = start.year * 12 + (start.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return formatCalendarDate({ year, month, day: Math.min(start.day, daysInMonth(year, month)) });
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(mustParse(to)) - dayNumber(mustParse(from));
}

/** Code-point order of `YYYY-MM-DD` strings is date order. */
export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The earlier of two dates. */
export function earlier(a: string, b: string): string {
  return compareDates(a, b) <= 0 ? a : b;
}

/**
 * The UTC calendar date of a source's date or timestamp: `2024-04-12` stays, an RFC 3339
 * timestamp becomes the UTC date of that instant (`2023-10-10T23:30:00-04:00` → `2023-10-11`).
 * Undefined when the text is neither.
 */
export function toCalendarDate(text: string): string | undefined {
  if (isCalendarDate(text)) return text;
  const match =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (match === null) return undefined;
  const day = match[1] ?? '';
  const base = parseCalendarDate(day);
  if (base === undefined) return undefined;
  const zone = match[5] ?? 'Z';
  if (zone.toUpperCase() === 'Z') return day;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  const localMinutes = Number(match[2]) * 60 + Number(match[3]);
  const utcMinutes = localMinutes - offsetMinutes;
  const shift = Math.floor(utcMinutes / 1440);
  return shift === 0 ? day : formatCalendarDate(fromDayNumber(dayNumber(base) + shift));
}
