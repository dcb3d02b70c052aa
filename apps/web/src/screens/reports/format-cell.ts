/** A value of a row whose shape the screen does not know (drill-down rows, evidence) as text. */
import { formatDateTime, formatNumber } from '../../ui/format.ts';

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export function formatCell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number')
    return Number.isInteger(value) ? formatNumber(value) : value.toFixed(2);
  if (typeof value === 'string') return isoTime.test(value) ? formatDateTime(value) : value;
  return JSON.stringify(value);
}

/** `dueDate` → `Due date`, `assetId` → `Asset id`. */
export const columnLabel = (key: string): string =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());
