import { defaultApprovalRules } from '@patchgate/changes';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import type {
  ApiApprovalPolicy,
  ApiApproverGroup,
  ApiDelegation,
  ApproverGroupList,
  DelegationList,
} from './approvals-schema.ts';

describe.each(testDatabases())('approvals API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setUp() {
    database = await open();
    built = await testApp(database);
    const manager = await testCaller(database, ['change_manager'], 'maria');
    const approver = await testCaller(database, ['approver'], 'alex');
    const other = await testCaller(database, ['approver'], 'olga');
    const viewer = await testCaller(database, ['viewer'], 'vic');
    return { app: built.app, db: database, manager, approver, other, viewer };
  }

  it.skipIf(skip !== undefined)(
    'approver groups: create, members by name, update, delete; permissions and conflicts',
    async () => {
      const { app, db, manager, approver, viewer } = await setUp();
      const listed = await app.inject({ url: '/api/v1/approver-groups', headers: viewer.headers });
      expect(listed.statusCode).toBe(200);
      expect(listed.json<ApproverGroupList>().groups.map((g) => g.name)).toEqual([
        'cab',
        'emergency',
        'service-owners',
      ]);
      const denied = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups',
        headers: approver.headers,
        payload: { name: 'dba' },
      });
      expect(denied.statusCode).toBe(403);
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups',
        headers: manager.headers,
        payload: { name: 'dba', description: 'Database owners' },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json<ApiApproverGroup>()).toMatchObject({
        name: 'dba',
        description: 'Database owners',
        emergency: false,
        members: [],
      });
      const again = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups',
        headers: manager.headers,
        payload: { name: 'dba' },
      });
      expect(again.statusCode).toBe(409);
      const badName = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups',
        headers: manager.headers,
        payload: { name: 'Bad Name' },
      });
      expect(badName.statusCode).toBe(422);

      const members = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups/dba/members',
        headers: manager.headers,
        payload: { add: ['alex', approver.userId, 'olga'] },
      });
      expect(members.statusCode).toBe(200);
      expect(members.json<ApiApproverGroup>().members).toEqual([
        { id: approver.userId, username: 'alex', displayName: 'alex' },
        { id: expect.any(String) as string, username: 'olga', displayName: 'olga' },
      ]);
      const unknown = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups/dba/members',
        headers: manager.headers,
        payload: { add: ['nobody'] },
      });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json<{ errors: unknown[] }>().errors).toEqual([
        { field: 'body.add[0]', message: 'names no user' },
      ]);
      const removed = await app.inject({
        method: 'POST',
        url: '/api/v1/approver-groups/dba/members',
        headers: manager.headers,
        payload: { remove: ['olga'] },
      });
      expect(removed.json<ApiApproverGroup>().members.map((m) => m.username)).toEqual(['alex']);

      const patched = await app.inject({
        method: 'PATCH',
        url: '/api/v1/approver-groups/dba',
        headers: manager.headers,
        payload: { emergency: true },
      });
      expect(patched.json<ApiApproverGroup>().emergency).toBe(true);

      const stillEmergency = await app.inject({
        method: 'PATCH',
        url: '/api/v1/approver-groups/emergency',
        headers: manager.headers,
        payload: { emergency: false },
      });
      expect(stillEmergency.statusCode).toBe(409);
      expect(stillEmergency.json<{ detail: string }>().detail).toBe(
        `The approval policy's emergency rule names "emergency": it stays an emergency group`,
      );

      const inUse = await app.inject({
        method: 'DELETE',
        url: '/api/v1/approver-groups/cab',
        headers: manager.headers,
      });
      expect(inUse.statusCode).toBe(409);
      expect(inUse.json<{ detail: string }>().detail).toBe(
        'The approval policy (version 1) names the group "cab"; change the policy first',
      );
      const deleted = await app.inject({
        method: 'DELETE',
        url: '/api/v1/approver-groups/dba',
        headers: manager.headers,
      });
      expect(deleted.statusCode).toBe(204);
      const gone = await app.inject({
        url: '/api/v1/approver-groups/dba',
        headers: viewer.headers,
      });
      expect(gone.statusCode).toBe(404);
      const actions = await db.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_type', '=', 'approver_group')
        .orderBy('seq')
        .execute();
      expect(actions.map((a) => a.action)).toEqual([
        'approver_group.created',
        'approver_group.members-changed',
        'approver_group.members-changed',
        'approver_group.updated',
        'approver_group.deleted',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'the approval policy: read, replace (validated, versioned, audited)',
    async () => {
      const { app, db, manager, approver } = await setUp();
      const current = await app.inject({
        url: '/api/v1/approval-policy',
        headers: approver.headers,
      });
      expect(current.json<ApiApprovalPolicy>()).toMatchObject({ version: 1, createdBy: null });
      expect(current.json<ApiApprovalPolicy>().rules.map((r) => r.id)).toEqual(
        defaultApprovalRules.map((r) => r.id),
      );
      const rules = [
        {
          id: 'everything',
          stages: [{ name: 'CAB', groups: ['cab'], quorum: { kind: 'all' } }],
        },
      ];
      const denied = await app.inject({
        method: 'PUT',
        url: '/api/v1/approval-policy',
        headers: approver.headers,
        payload: { rules },
      });
      expect(denied.statusCode).toBe(403);
      const cases: [unknown, number, string][] = [
        [
          [{ id: 'x', match: { types: ['normal'] }, stages: rules[0]?.stages }],
          422,
          'the last rule must match every change',
        ],
        [
          [{ id: 'x', stages: [{ name: 's', groups: ['nope'], quorum: { kind: 'any' } }] }],
          422,
          'unknown approver groups: nope',
        ],
        [
          [{ id: 'x', stages: [{ name: 's', groups: ['cab'], quorum: { kind: 'most' } }] }],
          422,
          'quorum',
        ],
        [
          [
            {
              id: 'urgent',
              match: { types: ['emergency'] },
              stages: [{ name: 's', groups: ['emergency', 'cab'], quorum: { kind: 'any' } }],
            },
            ...rules,
          ],
          422,
          'Rule urgent is for emergency changes but names groups that are not emergency groups: cab',
        ],
        [
          [
            {
              id: 'urgent',
              match: { types: ['emergency'] },
              stages: [{ name: 's', groups: ['emergency'], quorum: { kind: 'any' } }],
              freezeOverride: {
                name: 'freeze override',
                groups: ['nope'],
                quorum: { kind: 'any' },
              },
            },
            ...rules,
          ],
          422,
          'unknown approver groups: nope',
        ],
        // An emergency rule's freeze-override stage may name a group that is not an emergency
        // group (the extra approval comes from elsewhere, ADR 0033).
        [
          [
            {
              id: 'urgent',
              match: { types: ['emergency'] },
              stages: [{ name: 's', groups: ['emergency'], quorum: { kind: 'any' } }],
              freezeOverride: { name: 'freeze override', groups: ['cab'], quorum: { kind: 'any' } },
            },
            ...rules,
          ],
          200,
          '"freezeOverride":{"name":"freeze override","groups":["cab"]',
        ],
      ];
      for (const [payloadRules, status, message] of cases) {
        const response = await app.inject({
          method: 'PUT',
          url: '/api/v1/approval-policy',
          headers: manager.headers,
          payload: { rules: payloadRules },
        });
        expect(response.statusCode).toBe(status);
        expect(response.body).toContain(message);
      }
      const stored = await app.inject({
        method: 'PUT',
        url: '/api/v1/approval-policy',
        headers: manager.headers,
        payload: { rules },
      });
      expect(stored.statusCode).toBe(200);
      expect(stored.json<ApiApprovalPolicy>()).toMatchObject({
        version: 3,
        createdBy: { id: manager.userId, username: 'maria' },
        rules: [
          {
            id: 'everything',
            description: '',
            match: {},
            autoApprove: false,
            stages: [{ name: 'CAB', groups: ['cab'], quorum: { kind: 'all' } }],
          },
        ],
      });
      const audit = await db.db
        .selectFrom('audit_events')
        .select(['action', 'actor_id'])
        .where('subject_type', '=', 'approval_policy')
        .execute();
      expect(audit).toEqual([
        { action: 'approval_policy.updated', actor_id: manager.userId },
        { action: 'approval_policy.updated', actor_id: manager.userId },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'delegations: your own with changes:approve, others with changes:manage; list and revoke',
    async () => {
      const { app, manager, approver, other, viewer } = await setUp();
      const window = { startsAt: '2026-12-01T00:00:00Z', endsAt: '2027-06-01T00:00:00Z' };
      const own = await app.inject({
        method: 'POST',
        url: '/api/v1/delegations',
        headers: approver.headers,
        payload: { to: 'olga', ...window, reason: 'holiday' },
      });
      expect(own.statusCode, own.body).toBe(201);
      const delegation = own.json<ApiDelegation>();
      expect(delegation).toMatchObject({
        from: { id: approver.userId, username: 'alex' },
        to: { id: other.userId, username: 'olga' },
        reason: 'holiday',
        revokedAt: null,
      });
      const forOther = await app.inject({
        method: 'POST',
        url: '/api/v1/delegations',
        headers: approver.headers,
        payload: { from: 'olga', to: 'alex', ...window },
      });
      expect(forOther.statusCode).toBe(403);
      const byManager = await app.inject({
        method: 'POST',
        url: '/api/v1/delegations',
        headers: manager.headers,
        payload: { from: 'olga', to: 'alex', ...window },
      });
      expect(byManager.statusCode).toBe(201);
      const viewerDenied = await app.inject({
        method: 'POST',
        url: '/api/v1/delegations',
        headers: viewer.headers,
        payload: { to: 'alex', ...window },
      });
      expect(viewerDenied.statusCode).toBe(403);
      const invalid: [Record<string, unknown>, string][] = [
        [{ to: 'alex', ...window }, 'body.to'],
        [{ to: 'nobody', ...window }, 'body.to[0]'],
        [{ to: 'olga', startsAt: window.endsAt, endsAt: window.startsAt }, 'body.endsAt'],
        [
          { to: 'olga', startsAt: '2000-01-01T00:00:00Z', endsAt: '2000-02-01T00:00:00Z' },
          'body.endsAt',
        ],
        [{ to: 'olga', startsAt: 'tomorrow', endsAt: window.endsAt }, 'body.startsAt'],
      ];
      for (const [payload, field] of invalid) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/delegations',
          headers: approver.headers,
          payload,
        });
        expect(response.statusCode, JSON.stringify(payload)).toBe(422);
        expect(response.body).toContain(field);
      }
      const list = await app.inject({
        url: '/api/v1/delegations?user=olga',
        headers: viewer.headers,
      });
      expect(
        list
          .json<DelegationList>()
          .delegations.map((d) => [d.from.username, d.to.username])
          .sort(),
      ).toEqual([
        ['alex', 'olga'],
        ['olga', 'alex'],
      ]);
      const strangerRevoke = await app.inject({
        method: 'POST',
        url: `/api/v1/delegations/${byManager.json<ApiDelegation>().id}/revoke`,
        headers: (await testCaller(database!, ['approver'], 'sam')).headers,
      });
      expect(strangerRevoke.statusCode).toBe(403);
      const revoked = await app.inject({
        method: 'POST',
        url: `/api/v1/delegations/${delegation.id}/revoke`,
        headers: approver.headers,
      });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json<ApiDelegation>()).toMatchObject({
        active: false,
        revokedBy: { username: 'alex' },
      });
      const twice = await app.inject({
        method: 'POST',
        url: `/api/v1/delegations/${delegation.id}/revoke`,
        headers: approver.headers,
      });
      expect(twice.statusCode).toBe(409);
      const current = await app.inject({ url: '/api/v1/delegations', headers: viewer.headers });
      expect(current.json<DelegationList>().delegations).toHaveLength(1);
      const all = await app.inject({
        url: '/api/v1/delegations?ended=true',
        headers: viewer.headers,
      });
      expect(all.json<DelegationList>().delegations).toHaveLength(2);
    },
  );
});
