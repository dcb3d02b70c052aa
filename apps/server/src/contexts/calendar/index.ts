/**
 * The calendar context's public face: the windows and freezes other contexts schedule
 * against (changes: conflicts and the next feasible slot), and the routes.
 */
export type { CalendarRouteOptions } from './routes.ts';
export { registerCalendarRoutes } from './routes.ts';
export type { ScheduledChanges } from './service.ts';
export { freezesBetween, windowsForAssets } from './service.ts';

// What the improvement loop reads and does (contexts/improvements, issue 11, ADR 0046).
import type { MaintenanceWindow as CalendarWindow } from '@patchgate/calendar';
import { checkWindow } from '@patchgate/calendar';
import type { Transaction } from 'kysely';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { NotFoundError, ValidationError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import * as windowRepo from './repository.ts';

function calendarWindowOf(row: windowRepo.WindowRow): CalendarWindow {
  return {
    id: row.id,
    name: row.name,
    rrule: row.rrule,
    dtstart: row.dtstart,
    timeZone: row.time_zone,
    durationMinutes: row.duration_minutes,
    cutoffMinutes: row.cutoff_minutes,
    selector: JSON.parse(row.selector_json) as CalendarWindow['selector'],
  };
}

/** Every maintenance window, by name (@patchgate/calendar's `MaintenanceWindow`). */
export async function maintenanceWindows(database: Database): Promise<CalendarWindow[]> {
  return (await windowRepo.listWindowRows(database.db)).map(calendarWindowOf);
}

/**
 * Lengthen a window by `byMinutes` in the caller's transaction, audited `calendar.window-updated`
 * with before and after (as `PATCH /calendar/windows/{id}`). 404 when it is gone; 422 when the
 * window would not be valid (e.g. longer than its recurrence allows).
 */
export async function lengthenWindow(
  trx: Transaction<DatabaseSchema>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  id: string,
  byMinutes: number,
  source: RequestSource,
): Promise<{ before: CalendarWindow; after: CalendarWindow }> {
  const row = await windowRepo.findWindowRow(trx, id);
  if (row === undefined) throw new NotFoundError('The maintenance window');
  const updated = {
    ...row,
    duration_minutes: row.duration_minutes + byMinutes,
    updated_at: timestamp(ctx.clock),
  };
  const before = calendarWindowOf(row);
  const after = calendarWindowOf(updated);
  const checked = checkWindow(after);
  if (!checked.ok)
    throw new ValidationError(`The maintenance window is not valid: ${checked.error}`);
  await windowRepo.updateWindowRow(trx, updated);
  await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    ...source,
    action: 'calendar.window-updated',
    subjectType: 'maintenance-window',
    subjectId: id,
    before,
    after,
  });
  return { before, after };
}
