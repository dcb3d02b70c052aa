/**
 * The auth context's public face: roles and permissions, the caller (Principal) and how it is
 * authenticated and authorised, first-run bootstrap for the CLI, and the routes. Other
 * contexts and the HTTP layer use only what is exported here.
 */
export type { DirectoryUser } from './directory.ts';
export { resolveUserRef, usersByIds } from './directory.ts';
export type { Permission, Role } from './permissions.ts';
export { permissions, permissionsOf, rolePermissions, roles } from './permissions.ts';
export type {
  Authentication,
  Authorization,
  Credential,
  PresentedCredentials,
  Principal,
  PrincipalBase,
  PrincipalKind,
  Requirement,
  UserPrincipal,
} from './principal.ts';
export {
  authenticate,
  authorize,
  principalKinds,
  requiredPermissions,
  userHolds,
} from './principal.ts';
export { csrfHeader, sessionCookie } from './secrets.ts';
export type { LoginLimits } from './login-limiter.ts';
export { defaultLoginLimits } from './login-limiter.ts';
export type { AuthRouteOptions } from './routes.ts';
export { registerAuthRoutes } from './routes.ts';
export type { AuditSource, BootstrapResult } from './service.ts';
export { bootstrapAdmin, sessionLifetimeMs } from './service.ts';
export { checkPassword, minimumPasswordLength, passwordPolicy } from './password-policy.ts';
