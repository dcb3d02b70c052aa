/** Rules and runs as the API answers them (typed from the generated schema), for the tests. */
import type { SessionUser } from '../../api/session.tsx';
import { adminUser } from '../../test-support/render.tsx';
import type { AutopilotRule, AutopilotRun } from './types.ts';

export const ruleId = '7b0c7d4e-1c7a-4c1e-9a7e-000000000001';
export const runId = '5f1e2d3c-0000-4000-8000-000000000009';

export function rule(overrides: Partial<AutopilotRule> = {}): AutopilotRule {
  return {
    id: ruleId,
    definition: {
      name: 'staging-security',
      selection: { kind: 'findings', priorities: ['P1', 'P2'], kevOnly: true, policies: [] },
      scope: { environments: ['staging'], groups: ['web', 'db'] },
      coolDownDays: 7,
      type: 'standard',
      template: 'security-updates-non-production',
      rings: [0, 3, 7],
      schedule: 'nightly',
      stage: 'submit',
    },
    paused: false,
    pausedReason: null,
    pausedAt: null,
    lastRunAt: '2026-12-05T02:00:00.000Z',
    nextRunAt: '2099-12-06T00:00:00.000Z',
    lastChangeId: 'c-17',
    createdBy: adminUser.id,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
    ...overrides,
  };
}

const item = {
  kind: 'finding' as const,
  id: 'f-1',
  assetId: 'a-1',
  assetName: 'web-01',
  packageName: 'openssl',
  targetVersion: '3.0.15-1',
  advisoryId: 'DSA-5801-1',
  kev: true,
};

export function run(overrides: Partial<AutopilotRun> = {}): AutopilotRun {
  return {
    id: runId,
    ruleId,
    trigger: 'manual',
    requestedBy: adminUser.id,
    state: 'succeeded',
    createdAt: '2026-12-06T10:00:00.000Z',
    startedAt: '2026-12-06T10:00:01.000Z',
    finishedAt: '2026-12-06T10:00:03.000Z',
    createdChanges: [
      {
        changeId: 'c-42',
        number: 'CHG-0042',
        groupKey: 'w-nights|web',
        title: 'Autopilot: openssl on web',
        reason: 'autopilot rule staging-security: P1 findings with a fixed version',
        items: [item],
        state: 'authorise',
        schedule: null,
        note: 'submitted: waits for the CAB',
      },
    ],
    heldBack: [
      {
        item: { ...item, id: 'f-2', assetName: 'db-01', packageName: 'libxml2', kev: false },
        reason: 'cool-down: the fixed version is 2 days old (7 required)',
        eligibleOn: '2026-12-11',
      },
    ],
    skipped: [
      {
        item: {
          kind: 'update',
          id: 'a-3:curl:8.5.0-2',
          assetId: 'a-3',
          assetName: 'bridge',
          packageName: 'curl',
          targetVersion: '8.5.0-2',
        },
        reason: 'already in an open change (CHG-0031)',
      },
    ],
    error: null,
    ...overrides,
  };
}

/** Reads changes, may not manage them (an operator). */
export const reader: SessionUser = {
  ...adminUser,
  id: '00000000-0000-4000-8000-000000000005',
  username: 'tom.berg',
  displayName: 'Tom Berg',
  roles: ['operator'],
  permissions: adminUser.permissions.filter(
    (p) => p !== 'changes:manage' && p !== 'changes:approve',
  ),
};

/** Without changes:read. */
export const outsider: SessionUser = {
  ...adminUser,
  id: '00000000-0000-4000-8000-000000000006',
  username: 'guest',
  displayName: 'Guest',
  roles: ['viewer'],
  permissions: ['assets:read'],
};

export const templates = {
  templates: [
    {
      name: 'security-updates-non-production',
      version: 1,
      description: 'Security updates outside production',
      criteria: {},
      createdBy: 'admin',
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
};

/** A problem answer (403, 409, 422…). */
export function problem(
  status: number,
  detail: string,
  errors?: { field: string; message: string }[],
) {
  return new Response(
    JSON.stringify({
      status,
      title: status === 422 ? 'Unprocessable Content' : status === 403 ? 'Forbidden' : 'Conflict',
      detail,
      ...(errors !== undefined && { errors }),
    }),
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

export const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
