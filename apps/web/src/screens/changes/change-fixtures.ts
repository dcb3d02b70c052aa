/** Test data for the change screens' component tests: what the API answers, typed by its schema. */
import type { SessionUser } from '../../api/session.tsx';
import { adminUser } from '../../test-support/render.tsx';
import type { ChangeDetail } from './change-model.ts';

export const jonas: SessionUser = {
  id: '00000000-0000-4000-8000-00000000000a',
  username: 'jonas.weber',
  displayName: 'Jonas Weber',
  roles: ['approver'],
  permissions: ['changes:read', 'changes:approve', 'findings:read', 'assets:read'],
};

export const tom: SessionUser = {
  id: '00000000-0000-4000-8000-00000000000b',
  username: 'tom.berg',
  displayName: 'Tom Berg',
  roles: ['operator'],
  permissions: ['changes:read', 'changes:implement', 'assets:read'],
};

export const changeId = '11111111-1111-4111-8111-111111111111';

export function changeDetail(overrides: Partial<ChangeDetail> = {}): ChangeDetail {
  return {
    id: changeId,
    number: 'CHG-0007',
    title: 'Patch web-01 P1/P2 findings',
    description: 'OpenSSL and curl on the web tier.',
    type: 'normal',
    state: 'authorise',
    risk: {
      level: 'moderate',
      assessed: 'moderate',
      score: 42,
      factors: [
        {
          id: 'exposure',
          label: 'Exposure',
          points: 20,
          detail: 'web-01 is internet-facing',
        },
      ],
      explanation: 'Moderate: one internet-facing production host, a service restart.',
      override: null,
    },
    template: null,
    requester: { id: adminUser.id, name: 'Administrator' },
    implementer: { id: tom.id, name: 'Tom Berg' },
    planVersion: 2,
    schedule: null,
    freezeOverride: null,
    createdBy: { rule: null, reason: null },
    counts: { assets: 1, patches: 1, findings: 1 },
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    assets: [
      {
        id: 'a1',
        name: 'web-01',
        environment: 'production',
        criticality: 'high',
        exposure: 'internet',
        owner: 'team-web',
        groups: ['web'],
        tags: ['pci'],
      },
    ],
    patches: [
      {
        assetId: 'a1',
        assetName: 'web-01',
        ecosystem: 'Debian:12',
        package: 'openssl',
        fromVersion: '3.0.11-1~deb12u1',
        toVersion: '3.0.15-1~deb12u1',
        mode: 'fixed',
        origin: 'bookworm-security',
      },
    ],
    findings: [
      {
        findingId: 'f1',
        assetId: 'a1',
        package: 'openssl',
        advisoryIds: ['DSA-5764-1'],
        cves: ['CVE-2024-5535'],
        priority: 'P1',
        kev: false,
        dueDate: '2026-12-10',
      },
    ],
    plans: {
      testEvidence: [],
      deploymentPlan: {
        waves: [
          {
            name: 'canary',
            assets: ['web-01'],
            concurrency: 1,
            failureThreshold: 0,
            bakeMinutes: 15,
            healthChecks: [
              {
                kind: 'http',
                url: 'http://localhost/health',
                expectStatus: 200,
                retries: 3,
                intervalSeconds: 10,
                timeoutSeconds: 5,
              },
            ],
            gate: 'auto',
            onFailure: 'pause',
          },
        ],
        rings: [],
      },
      rollbackPlan: { triggers: ['manual'], steps: [{ kind: 'downgrade' }] },
      roles: { approvers: [] },
    },
    planCheck: { ok: true, errors: [] },
    planVersions: [
      {
        version: 1,
        hash: 'a'.repeat(64),
        author: { id: adminUser.id, name: 'Administrator' },
        reason: null,
        createdAt: '2026-12-01T09:00:00.000Z',
      },
      {
        version: 2,
        hash: 'b'.repeat(64),
        author: { id: adminUser.id, name: 'Administrator' },
        reason: 'canary first',
        createdAt: '2026-12-01T10:00:00.000Z',
      },
    ],
    approvals: {
      changeId,
      planVersion: 2,
      ruleId: 'normal-production',
      complete: false,
      rejected: false,
      currentStage: 1,
      autoApproved: false,
      retrospectiveReviewRequired: false,
      stages: [
        {
          stage: 1,
          name: 'service owner',
          groups: [{ id: 'g1', name: 'service-owners' }],
          quorum: { kind: 'any' },
          required: 1,
          approvals: [],
          rejections: [],
          satisfied: false,
          eligibleApproverIds: [jonas.id],
          unreachable: null,
          freezeOverride: false,
        },
        {
          stage: 2,
          name: 'CAB',
          groups: [{ id: 'g2', name: 'cab' }],
          quorum: { kind: 'count', count: 2 },
          required: 2,
          approvals: [],
          rejections: [],
          satisfied: false,
          eligibleApproverIds: [jonas.id],
          unreachable: null,
          freezeOverride: false,
        },
      ],
    },
    conflicts: [],
    history: [
      {
        from: null,
        to: 'draft',
        action: 'create',
        actor: { id: adminUser.id, name: 'Administrator', type: 'user' },
        reason: null,
        at: '2026-12-01T09:00:00.000Z',
      },
    ],
    evidence: [],
    review: null,
    preflight: {
      runId: 'p1',
      state: 'failed',
      checkedAt: '2026-12-01T10:05:00.000Z',
      hosts: { total: 1, pending: 0, passed: 0, failed: 1, noAgent: 0 },
      warnings: ['web-01: would remove libssl1.1'],
    },
    reviewFacts: null,
    ...overrides,
  };
}

export const approverGroups = {
  groups: [
    {
      id: 'g1',
      name: 'service-owners',
      description: '',
      emergency: false,
      members: [{ id: jonas.id, username: 'jonas.weber', displayName: 'Jonas Weber' }],
      createdAt: '2026-12-01T09:00:00.000Z',
      updatedAt: '2026-12-01T09:00:00.000Z',
    },
    {
      id: 'g2',
      name: 'cab',
      description: '',
      emergency: false,
      members: [{ id: jonas.id, username: 'jonas.weber', displayName: 'Jonas Weber' }],
      createdAt: '2026-12-01T09:00:00.000Z',
      updatedAt: '2026-12-01T09:00:00.000Z',
    },
  ],
};

/** A problem+json answer. */
export function problem(
  status: number,
  detail: string,
  errors?: { field: string; message: string }[],
) {
  return new Response(
    JSON.stringify({
      type: `/problems/${status === 409 ? 'conflict' : 'validation'}`,
      title: status === 409 ? 'Conflict' : 'Unprocessable Entity',
      status,
      detail,
      code: status === 409 ? 'conflict' : 'validation_failed',
      ...(errors !== undefined && { errors }),
    }),
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

/** The reads a change's page makes, answered for `change`. */
export function changeApi(change: ChangeDetail) {
  return {
    'GET /api/v1/changes/:id': () => change,
    'GET /api/v1/changes/:id/conflicts': () => ({ schedule: change.schedule, conflicts: [] }),
    'GET /api/v1/changes/:id/preflight': () => ({
      change: { id: change.id, number: change.number, state: change.state },
      run: null,
      hosts: [],
      warnings: [],
    }),
    'GET /api/v1/changes/:id/verification': () => ({
      change: { id: change.id, number: change.number },
      hosts: [],
      rebootPending: [],
    }),
    'GET /api/v1/rollouts': () => ({ rollouts: [], nextCursor: null }),
    'GET /api/v1/approver-groups': () => approverGroups,
  };
}
