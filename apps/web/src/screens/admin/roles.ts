/**
 * What each role is for, in a sentence (the permissions themselves come from
 * `GET /api/v1/permissions`, docs/adr/0008-roles-and-permissions.md).
 */
import type { Role } from '../../api/session.tsx';

export const roleSummaries: Readonly<Record<Role, string>> = {
  admin: 'Everything, including users, tokens, sources, agents and notifications.',
  security_analyst: 'Triage findings, manage advisory sources, request exceptions and changes.',
  change_manager: 'Run change management: approve, plan, schedule, calendar and notifications.',
  approver: 'Approve or reject changes and exceptions (never their own).',
  operator: 'Implement changes and rollouts, update assets, run jobs.',
  auditor: 'Read everything, including the audit log.',
  viewer: 'Read assets, findings, advisories, changes and the calendar.',
};

export const roleLabel = (role: string): string => role.replaceAll('_', ' ');
