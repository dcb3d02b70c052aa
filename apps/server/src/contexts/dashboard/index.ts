/** The dashboard context's public face: its read-only routes (it owns no table). */
export type { DashboardRouteOptions } from './routes.ts';
export { registerDashboardRoutes } from './routes.ts';
