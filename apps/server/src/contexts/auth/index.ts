/**
 * The auth context's public face: roles and permissions, the caller (Principal), first-run
 * bootstrap for the CLI, and the routes. Other contexts use only what is exported here.
 */
export type { Permission, Role } from './permissions.ts';
export { permissions, permissionsOf, rolePermissions, roles } from './permissions.ts';
export type { Principal } from './principal.ts';
export type { LoginLimits } from './login-limiter.ts';
export { defaultLoginLimits } from './login-limiter.ts';
export type { AuthRouteOptions } from './routes.ts';
export { registerAuthRoutes } from './routes.ts';
export type { AuditSource, BootstrapResult } from './service.ts';
export { bootstrapAdmin, sessionLifetimeMs } from './service.ts';
export { minimumPasswordLength, passwordPolicy } from './schema.ts';
