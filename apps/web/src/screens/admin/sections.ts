/**
 * The sections of Administration: where each lives under /admin, what it is for, and the
 * permissions that open it (any one of them). The index and the sub-navigation list only the
 * sections the user's permissions open; a section opened by URL without them says which
 * permission it needs.
 */
import type { Permission } from '../../api/session.tsx';

export interface AdminSection {
  readonly path: string;
  readonly title: string;
  readonly description: string;
  /** Any one of these opens the section. */
  readonly permissions: readonly Permission[];
}

export const adminSections: readonly AdminSection[] = [
  {
    path: 'users',
    title: 'Users',
    description: 'Local accounts: create, change roles, disable, reset a password.',
    permissions: ['users:manage'],
  },
  {
    path: 'roles',
    title: 'Roles',
    description: 'What each role may do: the matrix of roles and permissions.',
    permissions: ['users:manage'],
  },
  {
    path: 'tokens',
    title: 'API tokens',
    description: 'Tokens for the CLI and scripts: create with scopes and an expiry, revoke.',
    permissions: ['tokens:own'],
  },
  {
    path: 'sources',
    title: 'Advisory sources',
    description: 'Where advisories come from, the built-in feeds, and every sync run.',
    permissions: ['advisories:read', 'advisories:manage'],
  },
  {
    path: 'agents',
    title: 'Agents',
    description: 'Enrolled agents: online or not, version, OS, reboot pending; revoke.',
    permissions: ['agents:read'],
  },
  {
    path: 'enrolment-tokens',
    title: 'Enrolment tokens',
    description: 'One-time secrets that let new agents enrol.',
    permissions: ['agents:manage'],
  },
  {
    path: 'notifications',
    title: 'Notifications',
    description: 'Channels, subscriptions and the delivery log.',
    permissions: ['notifications:manage'],
  },
  {
    path: 'approvals',
    title: 'Approvals',
    description: 'The approval policy, approver groups and their members, and delegations.',
    permissions: ['changes:manage', 'changes:approve'],
  },
];

export const sectionByPath = (path: string): AdminSection => {
  const section = adminSections.find((s) => s.path === path);
  if (section === undefined) throw new Error(`no admin section ${path}`);
  return section;
};
