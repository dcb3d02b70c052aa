/**
 * Roles and what they may do. Every route declares the one permission it needs; a role is a
 * fixed set of permissions (docs/adr/0008-roles-and-permissions.md).
 */
export const permissions = [
  'assets:read',
  'assets:write',
  'advisories:read',
  'advisories:manage',
  'findings:read',
  'findings:triage',
  'exceptions:request',
  'exceptions:approve',
  'jobs:read',
  'jobs:manage',
  'audit:read',
  'users:manage',
  'tokens:own',
  /** Scrape `/metrics` (unless the server exposes it publicly, PATCHGATE_METRICS_PUBLIC). */
  'metrics:read',
] as const;
export type Permission = (typeof permissions)[number];

export const roles = [
  'admin',
  'security_analyst',
  'change_manager',
  'approver',
  'operator',
  'auditor',
  'viewer',
] as const;
export type Role = (typeof roles)[number];

const read: Permission[] = [
  'assets:read',
  'advisories:read',
  'findings:read',
  'jobs:read',
  'tokens:own',
];

export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  admin: permissions,
  security_analyst: [
    ...read,
    'advisories:manage',
    'findings:triage',
    'exceptions:request',
    'jobs:manage',
    'audit:read',
  ],
  change_manager: [...read, 'exceptions:approve', 'audit:read'],
  approver: [...read, 'exceptions:approve'],
  operator: [...read, 'assets:write', 'exceptions:request', 'jobs:manage', 'metrics:read'],
  auditor: [...read, 'audit:read'],
  viewer: read,
};

export function permissionsOf(userRoles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of userRoles) {
    for (const permission of rolePermissions[role as Role] ?? []) granted.add(permission);
  }
  return granted;
}
