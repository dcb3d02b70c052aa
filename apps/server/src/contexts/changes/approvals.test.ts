import { randomUUID } from 'node:crypto';
import type { ApprovalSubject } from '@patchgate/changes';
import {
  ApprovalPolicyRules,
  defaultApprovalRules,
  defaultApproverGroups,
} from '@patchgate/changes';
import { testClock as createTestClock } from '@patchgate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { Database } from '../../db/database.ts';
import type { AuditActor } from '../audit/index.ts';
import {
  approvalHistory,
  approvalStatus,
  openApproval,
  recordDecision,
  withdrawApprovals,
} from './approvals.ts';
import {
  changeApproverGroupMembers,
  createDelegation,
  putApprovalPolicy,
} from './approvals-admin.ts';
import { listGroups } from './approvals-repository.ts';

describe.each(testDatabases())('approvals on $name', ({ open, skip }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function setUp() {
    database = await open();
    const clock = createTestClock();
    clock.set('2026-12-06T10:00:00.000Z');
    const ctx = { database, clock };
    const people: Record<string, { id: string; actor: AuditActor }> = {};
    for (const name of ['req', 'impl', 'owner', 'cab1', 'cab2', 'cab3', 'em', 'deputy', 'admin']) {
      const caller = await testCaller(
        database,
        ['approver'],
        `${name}-${randomUUID().slice(0, 6)}`,
      );
      people[name] = {
        id: caller.userId,
        actor: { type: 'user', id: caller.userId, name: caller.username },
      };
    }
    const who = (name: string) => {
      const person = people[name];
      if (person === undefined) throw new Error(name);
      return person;
    };
    const admin = { actor: who('admin').actor };
    const members = {
      'service-owners': ['owner', 'req'],
      cab: ['cab1', 'cab2', 'cab3', 'impl'],
      emergency: ['em', 'req'],
    };
    for (const [group, names] of Object.entries(members)) {
      await changeApproverGroupMembers(
        ctx,
        group,
        { add: names.map((n) => who(n).id), remove: [] },
        admin,
      );
    }
    const subject: ApprovalSubject = {
      changeId: randomUUID(),
      planVersion: 1,
      type: 'normal',
      risk: 'moderate',
      environments: ['production'],
      groups: ['web'],
      assetIds: [randomUUID()],
      requesterId: who('req').id,
      implementerId: who('impl').id,
    };
    const decide = (
      s: ApprovalSubject,
      name: string,
      decision: 'approved' | 'rejected',
      comment?: string,
    ) =>
      database!.db
        .transaction()
        .execute((trx) => recordDecision(trx, clock, s, who(name).actor, decision, comment))
        // Each decision a second after the one before (their order is their time).
        .finally(() => clock.set(new Date(clock.now().getTime() + 1000).toISOString()));
    const events = async (kind: string) =>
      (
        await database!.db
          .selectFrom('jobs')
          .select('payload_json')
          .where('kind', '=', `event:${kind}`)
          .orderBy('created_at')
          .execute()
      ).map((r) => JSON.parse(r.payload_json) as Record<string, unknown>);
    const audits = async (changeId: string) =>
      (
        await database!.db
          .selectFrom('audit_events')
          .select(['action', 'actor_id'])
          .where('subject_id', '=', changeId)
          .orderBy('seq')
          .execute()
      ).map((r) => [r.action, r.actor_id]);
    return { db: database, clock, ctx, who, subject, decide, events, audits };
  }

  it.skipIf(skip !== undefined)('seeds the default policy and its three groups', async () => {
    const { db } = await setUp();
    const groups = await listGroups(db.db);
    expect(groups.map((g) => [g.name, g.emergency])).toEqual([
      ['cab', false],
      ['emergency', true],
      ['service-owners', false],
    ]);
    expect(groups.map((g) => g.description).sort()).toEqual(
      defaultApproverGroups.map((g) => g.description).sort(),
    );
    const policy = await db.db.selectFrom('approval_policies').selectAll().execute();
    expect(policy.map((p) => [Number(p.version), p.created_by])).toEqual([[1, null]]);
    // The migration writes the default out; the package's copy must say the same.
    expect(JSON.parse(policy[0]?.rules_json ?? 'null')).toEqual(
      ApprovalPolicyRules.parse(defaultApprovalRules),
    );
  });

  it.skipIf(skip !== undefined)(
    'takes a production change through service owner then two of the CAB, refusing the requester and the implementer',
    async () => {
      const { db, clock, who, subject, decide, events, audits } = await setUp();
      const opened = await db.db.transaction().execute((trx) => openApproval(trx, clock, subject));
      expect(opened).toMatchObject({ ruleId: 'normal-production', currentStage: 1 });
      await expect(decide(subject, 'req', 'approved')).rejects.toMatchObject({
        status: 409,
        message: 'Separation of duties: you requested this change, so someone else must decide it',
      });
      await expect(decide(subject, 'cab1', 'approved')).rejects.toMatchObject({
        status: 409,
        message: 'Stage 1 (service owner) must be decided first; you approve stage 2',
      });
      const afterOwner = await decide(subject, 'owner', 'approved');
      expect(afterOwner.currentStage).toBe(2);
      await expect(decide(subject, 'impl', 'approved')).rejects.toMatchObject({
        status: 409,
        message: 'Separation of duties: you implement this change, so someone else must decide it',
      });
      await decide(subject, 'cab1', 'approved');
      await expect(decide(subject, 'cab1', 'approved')).rejects.toMatchObject({ status: 409 });
      const done = await decide(subject, 'cab2', 'approved', '  fine  ');
      expect(done).toMatchObject({ complete: true, currentStage: null });
      expect(done.stages[1]?.approvals.map((a) => [a.approverId, a.comment])).toEqual([
        [who('cab1').id, null],
        [who('cab2').id, 'fine'],
      ]);
      expect(await approvalStatus(db.db, subject, clock)).toEqual(done);

      const groups = await listGroups(db.db);
      const id = (name: string) => groups.find((g) => g.name === name)?.id;
      expect(await events('change.approval-requested')).toEqual([
        { changeId: subject.changeId, stage: 1, approverGroupIds: [id('service-owners')] },
        { changeId: subject.changeId, stage: 2, approverGroupIds: [id('cab')] },
      ]);
      expect(await events('change.approval-decided')).toEqual(
        ['owner', 'cab1', 'cab2'].map((name, i) => ({
          changeId: subject.changeId,
          stage: i === 0 ? 1 : 2,
          decision: 'approved',
          approverId: who(name).id,
        })),
      );
      expect(await audits(subject.changeId)).toEqual(
        ['owner', 'cab1', 'cab2'].map((name) => ['change_approval.approved', who(name).id]),
      );
    },
  );

  it.skipIf(skip !== undefined)('a rejection needs a comment and rejects the change', async () => {
    const { subject, decide, audits, who } = await setUp();
    await expect(decide(subject, 'owner', 'rejected')).rejects.toMatchObject({
      status: 409,
      message: 'A rejection needs a comment saying why',
    });
    await expect(decide(subject, 'owner', 'rejected', '   ')).rejects.toMatchObject({
      status: 409,
    });
    const status = await decide(subject, 'owner', 'rejected', 'no rollback plan');
    expect(status).toMatchObject({ rejected: true, complete: false, currentStage: null });
    expect(await audits(subject.changeId)).toEqual([['change_approval.rejected', who('owner').id]]);
  });

  it.skipIf(skip !== undefined)(
    'a delegate decides for the person away, recorded with the delegation; not for the requester',
    async () => {
      const { db, ctx, clock, subject, decide, who } = await setUp();
      const delegation = await createDelegation(
        ctx,
        {
          to: who('deputy').id,
          startsAt: '2026-12-01T00:00:00Z',
          endsAt: '2026-12-20T00:00:00Z',
          reason: 'holiday',
        },
        { actor: who('owner').actor, canManage: false },
      );
      await createDelegation(
        ctx,
        {
          to: who('cab3').id,
          startsAt: '2026-12-01T00:00:00Z',
          endsAt: '2026-12-20T00:00:00Z',
          reason: 'away',
        },
        { actor: who('impl').actor, canManage: false },
      );
      const status = await decide(subject, 'deputy', 'approved');
      expect(status.stages[0]?.approvals).toEqual([
        {
          approverId: who('deputy').id,
          onBehalfOf: who('owner').id,
          comment: null,
          at: '2026-12-06T10:00:00.000Z',
        },
      ]);
      const [row] = await db.db.selectFrom('approval_decisions').selectAll().execute();
      expect(row?.delegation_id).toBe(delegation.id);
      // cab3 is a CAB member in their own right: they approve as themself, never for impl.
      const next = await decide(subject, 'cab3', 'approved');
      expect(next.stages[1]?.approvals[0]?.onBehalfOf).toBeNull();
      // After the window the delegate has no right.
      clock.set('2026-12-21T00:00:00.000Z');
      const later = { ...subject, changeId: randomUUID() };
      await expect(decide(later, 'deputy', 'approved')).rejects.toMatchObject({ status: 409 });
    },
  );

  it.skipIf(skip !== undefined)(
    'withdrawn decisions and older plan versions no longer count; the history keeps them',
    async () => {
      const { db, clock, subject, decide } = await setUp();
      await decide(subject, 'owner', 'approved');
      await decide(subject, 'cab1', 'approved');
      const withdrawn = await db.db
        .transaction()
        .execute((trx) => withdrawApprovals(trx, clock, subject.changeId, 'scope changed'));
      expect(withdrawn).toBe(2);
      expect((await approvalStatus(db.db, subject, clock)).currentStage).toBe(1);
      expect(
        await db.db
          .transaction()
          .execute((trx) => withdrawApprovals(trx, clock, subject.changeId, 'again')),
      ).toBe(0);
      await decide(subject, 'owner', 'approved');
      const v2 = { ...subject, planVersion: 2 };
      expect((await approvalStatus(db.db, v2, clock)).currentStage).toBe(1);
      await decide(v2, 'owner', 'approved');
      const history = await approvalHistory(db.db, subject.changeId);
      expect(history.map((h) => [h.planVersion, h.stage, h.withdrawnReason])).toEqual([
        [1, 1, 'scope changed'],
        [1, 2, 'scope changed'],
        [1, 1, null],
        [2, 1, null],
      ]);
      const actions = await db.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', '=', subject.changeId)
        .orderBy('seq')
        .execute();
      expect(actions.map((a) => a.action)).toContain('change_approval.withdrawn');
    },
  );

  it.skipIf(skip !== undefined)(
    'standard changes: auto-approved by a system decision when the criteria hold, else the stages',
    async () => {
      const { db, clock, subject, events } = await setUp();
      const standard = { ...subject, type: 'standard' as const, risk: 'low' as const };
      const auto = await db.db
        .transaction()
        .execute((trx) => openApproval(trx, clock, standard, { ok: true, failures: [] }));
      expect(auto).toMatchObject({ complete: true, autoApproved: true });
      const [row] = await db.db.selectFrom('approval_decisions').selectAll().execute();
      expect(row).toMatchObject({ approver_id: 'system', decision: 'approved', stage: 1 });
      expect(await events('change.approval-decided')).toEqual([
        { changeId: standard.changeId, stage: 1, decision: 'approved', approverId: 'system' },
      ]);
      const failing = { ...standard, changeId: randomUUID() };
      const manual = await db.db
        .transaction()
        .execute((trx) => openApproval(trx, clock, failing, { ok: false, failures: ['too many'] }));
      expect(manual).toMatchObject({ complete: false, autoApproved: false, currentStage: 1 });
      expect((await events('change.approval-requested')).map((e) => e['changeId'])).toEqual([
        failing.changeId,
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'two decisions by one person at the same moment: one counts, the other is refused',
    async () => {
      const { db, clock, subject, who } = await setUp();
      const once = () =>
        db.db
          .transaction()
          .execute((trx) => recordDecision(trx, clock, subject, who('owner').actor, 'approved'));
      const results = await Promise.allSettled([once(), once(), once()]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected']);
      const rows = await db.db.selectFrom('approval_decisions').select('id').execute();
      expect(rows).toHaveLength(1);
    },
  );

  it.skipIf(skip !== undefined)(
    'a disabled member cannot approve and does not count toward an all quorum',
    async () => {
      const { db, ctx, clock, subject, decide, who } = await setUp();
      await putApprovalPolicy(
        ctx,
        {
          rules: ApprovalPolicyRules.parse([
            { id: 'all', stages: [{ name: 'CAB', groups: ['cab'], quorum: { kind: 'all' } }] },
          ]),
        },
        { actor: who('admin').actor },
      );
      await db.db
        .updateTable('users')
        .set({ disabled: 1 })
        .where('id', '=', who('cab3').id)
        .execute();
      await expect(decide(subject, 'cab3', 'approved')).rejects.toMatchObject({ status: 409 });
      await decide(subject, 'cab1', 'approved');
      const status = await decide(subject, 'cab2', 'approved');
      expect(status).toMatchObject({ complete: true, ruleId: 'all' });
      expect(status.stages[0]?.required).toBe(2);
      expect(await approvalStatus(db.db, subject, clock)).toEqual(status);
    },
  );

  it.skipIf(skip !== undefined)(
    'emergency: one member of the emergency group, and a retrospective review',
    async () => {
      const { subject, decide } = await setUp();
      const emergency = { ...subject, type: 'emergency' as const };
      await expect(decide(emergency, 'req', 'approved')).rejects.toMatchObject({ status: 409 });
      await expect(decide(emergency, 'cab1', 'approved')).rejects.toMatchObject({ status: 409 });
      expect(await decide(emergency, 'em', 'approved')).toMatchObject({
        complete: true,
        retrospectiveReviewRequired: true,
      });
    },
  );
});
