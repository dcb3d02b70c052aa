/**
 * How a report document shows its values to people (the HTML renderer, hence the PDF). Locale
 * free on purpose: the same document renders to the same bytes on every machine, whatever ICU
 * data or `LANG` the server has.
 */
import type { Cell, ReportFigure } from './model.ts';

export type ValueUnit = NonNullable<ReportFigure['unit']>;

/** `12345` → `12,345`; `-3.5` → `-3.5`. */
function grouped(value: number, decimals: number): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${withCommas}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A number with at most `decimals` decimals, trailing zeros dropped: 2.50 → 2.5, 3.00 → 3. */
function trimmed(value: number, decimals: number): string {
  const text = grouped(value, decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** What a reader sees for a value: `96.4 %` for a ratio 0.964, `3.2 days`, `12,345`, `—`. */
export function formatValue(value: number | string | null, unit?: ValueUnit): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ratio':
      return `${trimmed(value * 100, 1)} %`;
    case 'days':
      return `${trimmed(value, 1)} ${value === 1 ? 'day' : 'days'}`;
    case 'minutes':
      return `${trimmed(value, 0)} min`;
    case 'count':
    case 'text':
    case undefined:
      return trimmed(value, Number.isInteger(value) ? 0 : 2);
  }
}

/** A chart axis tick: shorter than `formatValue` (`90 %`, `12 d`). */
export function formatTick(value: number, unit?: ValueUnit): string {
  switch (unit) {
    case 'ratio':
      return `${trimmed(value * 100, 0)} %`;
    case 'days':
      return `${trimmed(value, 1)} d`;
    case 'minutes':
      return `${trimmed(value, 0)} min`;
    default:
      return trimmed(value, 1);
  }
}

/** A table cell as text: empty for null, `yes`/`no` for booleans, numbers grouped. */
export function formatCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  // Not grouped: a cell may hold a year, a port or an identifier-like number.
  if (typeof cell === 'number')
    return Number.isInteger(cell) ? String(cell) : trimmed(cell, 2).replace(/,/g, '');
  return cell;
}
