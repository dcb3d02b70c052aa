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
  /** Read change requests, their plans, approvals, history and the CAB agenda. */
  'changes:read',
  /** Create, plan, submit, schedule and cancel change requests (as their requester). */
  'changes:request',
  /** Approve or reject changes (never one's own: separation of duties). */
  'changes:approve',
  /** Implement changes: start, complete, fail, roll back, write the review. */
  'changes:implement',
  /** Templates, approval policies, approver groups, delegations and autopilot rules. */
  'changes:manage',
  /** Read maintenance windows, freezes and the change calendar (and own a feed token). */
  'calendar:read',
  /** Define maintenance windows and freezes. */
  'calendar:manage',
  /** Channels, subscriptions, templates; read the delivery log. */
  'notifications:manage',
  /** Read enrolled agents, their heartbeats and tasks, and rollouts' host details. */
  'agents:read',
  /** Create and revoke enrolment tokens; revoke agents. */
  'agents:manage',
  /** Read metrics, their trends and drill-downs; generate and download reports. */
  'reports:read',
  /** Report schedules (what is sent, when, through which channels). */
  'reports:manage',
  /** Accept or dismiss recommendations; manage follow-up actions. */
  'improvements:manage',
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
  'changes:read',
  'calendar:read',
  'agents:read',
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
    'changes:request',
    'reports:read',
  ],
  change_manager: [
    ...read,
    'exceptions:approve',
    'audit:read',
    'changes:request',
    'changes:approve',
    'changes:manage',
    'calendar:manage',
    'notifications:manage',
    'reports:read',
    'reports:manage',
    'improvements:manage',
  ],
  approver: [...read, 'exceptions:approve', 'changes:approve'],
  operator: [
    ...read,
    'assets:write',
    'exceptions:request',
    'jobs:manage',
    'metrics:read',
    'changes:request',
    'changes:implement',
  ],
  auditor: [...read, 'audit:read', 'reports:read'],
  viewer: read,
};

export function permissionsOf(userRoles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of userRoles) {
    for (const permission of rolePermissions[role as Role] ?? []) granted.add(permission);
  }
  return granted;
}
