/** How dates, durations and numbers read everywhere in the UI (UTC, as the server and CLI). */

const dateTime = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  timeZone: 'UTC',
});
const integer = new Intl.NumberFormat('en-GB');

/** `06 Dec 2026, 10:40 UTC`; '—' for none. */
export function formatDateTime(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${dateTime.format(date)} UTC`;
}

/** `06 Dec 2026` (a YYYY-MM-DD day or a timestamp); '—' for none. */
export function formatDate(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? value : dateOnly.format(date);
}

/** `3 h 20 min`, `45 s`. */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

/** `in 3 days`, `2 h ago` relative to `now`. */
export function formatRelative(value: string | null | undefined, now = Date.now()): string {
  if (value === null || value === undefined) return '—';
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return value;
  const delta = at - now;
  const text = formatDuration(Math.abs(delta));
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

export const formatNumber = (value: number): string => integer.format(value);

/** `42 %` from a 0–1 ratio. */
export const formatPercent = (ratio: number, digits = 0): string =>
  `${(ratio * 100).toFixed(digits)} %`;
