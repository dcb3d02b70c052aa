/**
 * The calendar context's public face: the windows and freezes other contexts schedule
 * against (changes: conflicts and the next feasible slot), and the routes.
 */
export type { CalendarRouteOptions } from './routes.ts';
export { registerCalendarRoutes } from './routes.ts';
export type { ScheduledChanges } from './service.ts';
export { freezesBetween, windowsForAssets } from './service.ts';
