/**
 * The outbox end to end on both databases: a change event → fan-out → delivery rows and jobs →
 * a real local HTTP receiver that checks the HMAC signature, fails once with 500 and is
 * retried with backoff; a crash at each step duplicates nothing; quiet hours, digests and the
 * daily findings digest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { eventSubscriptions } from '../../main.ts';
import { publishEvent } from '../../events/index.ts';
import { JobRunner } from '../jobs/index.ts';
import { contextOf, settableClock } from '../jobs/test-support.ts';
import type { NotifiedChange } from './model.ts';
import { enqueueDelivery, notificationJobs, registerNotificationJobs } from './jobs.ts';
import { addContact, createChannel, createSubscription, retryDelivery } from './service.ts';
import type { SubscriptionInput } from './schema.ts';
import { verifyWebhookSignature } from './signing.ts';
import { describeFrom, httpReceiver, testChange } from './test-support.ts';

const source = { actor: systemActor };
const secret = 'a-signing-secret-of-some-length';

describe.each(testDatabases())('notifications outbox on $name', ({ open, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(
    changes: NotifiedChange[] = [testChange()],
    statuses: number[] = [],
    publicUrl?: string,
  ) {
    const database: Database = await open();
    cleanups.push(() => database.close());
    const receiver = await httpReceiver(statuses);
    cleanups.push(receiver.close);
    const clock = settableClock('2026-11-25T10:00:00.000Z');
    const base = contextOf(database, clock);
    // As main.ts does: the jobs take PATCHGATE_PUBLIC_URL from the server's configuration.
    const ctx = { ...base, config: { ...base.config, publicUrl } };
    const runner = new JobRunner(ctx, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    registerNotificationJobs(runner, ctx, { describeChange: describeFrom(changes) });
    eventSubscriptions().register(runner, ctx);
    const channel = await createChannel(
      ctx,
      { name: 'hook', kind: 'webhook', url: receiver.url, secret, enabled: true },
      source,
    );
    const subscribe = (input: Partial<SubscriptionInput>) =>
      createSubscription(
        ctx,
        {
          name: 'cab-hook',
          channel: 'hook',
          audience: 'cab',
          events: ['scheduled'],
          digest: 'none',
          digestHour: 8,
          digestWeekday: 1,
          timeZone: 'UTC',
          enabled: true,
          ...input,
        },
        source,
      );
    const publish = (changeId: string, to = 'scheduled', from = 'authorise', action = 'schedule') =>
      database.db.transaction().execute((trx) =>
        publishEvent(trx, clock, 'change.state-changed', {
          changeId,
          from,
          to,
          action,
          actorId: null,
        }),
      );
    const decide = (changeId: string, stage: number, decision: 'approved' | 'rejected') =>
      database.db.transaction().execute((trx) =>
        publishEvent(trx, clock, 'change.approval-decided', {
          changeId,
          stage,
          decision,
          approverId: `u-approver-${stage}`,
        }),
      );
    const drain = async () => {
      const outcomes = [];
      for (let outcome = await runner.runOnce(); outcome; outcome = await runner.runOnce())
        outcomes.push(outcome);
      return outcomes;
    };
    const deliveries = () =>
      database.db
        .selectFrom('notification_deliveries')
        .select(['id', 'event', 'recipient', 'status', 'attempts', 'last_code', 'last_error'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    const log = () =>
      database.db
        .selectFrom('notification_attempts')
        .select(['delivery_id', 'attempt', 'outcome', 'code'])
        .orderBy('attempt')
        .execute();
    const requeue = (kind: string) =>
      database.db
        .updateTable('jobs')
        .set({ state: 'queued', locked_by: null, locked_until: null })
        .where('kind', '=', kind)
        .execute();
    return {
      database,
      clock,
      ctx,
      runner,
      receiver,
      channel,
      subscribe,
      publish,
      decide,
      drain,
      deliveries,
      log,
      requeue,
    };
  }

  it.skipIf(skip !== undefined)(
    'delivers a signed webhook once, retried with backoff after a 500, and a crash duplicates nothing',
    async () => {
      const t = await setup([testChange()], [500]);
      await t.subscribe({});
      const eventId = await t.publish('c-1');
      // The event, then its fan-out: one delivery row and its job, in one transaction.
      await t.runner.runOnce();
      expect(await t.runner.runOnce()).toMatchObject({
        kind: notificationJobs.fanOut.kind,
        state: 'succeeded',
      });
      // The process died after the fan-out committed, before its job was marked done: a re-run
      // (and a re-delivered event) writes nothing twice.
      await t.requeue(notificationJobs.fanOut.kind);
      await t.database.db
        .updateTable('jobs')
        .set({ state: 'queued' })
        .where('id', '=', eventId)
        .execute();
      // The event, the fan-out and the first delivery attempt run (in the order claimed); the
      // receiver answers 500, so the delivery waits for its backoff.
      const outcomes = [
        await t.runner.runOnce(),
        await t.runner.runOnce(),
        await t.runner.runOnce(),
      ];
      expect(outcomes.map((o) => [o?.kind, o?.state]).sort()).toEqual([
        ['event:change.state-changed', 'succeeded'],
        [notificationJobs.deliver.kind, 'queued'],
        [notificationJobs.fanOut.kind, 'succeeded'],
      ]);
      const [delivery] = await t.deliveries();
      expect(await t.deliveries()).toEqual([
        {
          id: delivery?.id,
          event: 'scheduled',
          recipient: 'channel',
          status: 'pending',
          attempts: 1,
          last_code: 500,
          last_error: 'the receiver answered HTTP 500',
        },
      ]);
      const deliverJobs = await t.database.db
        .selectFrom('jobs')
        .select('state')
        .where('kind', '=', notificationJobs.deliver.kind)
        .execute();
      expect(deliverJobs).toEqual([{ state: 'queued' }]);

      expect(await t.runner.runOnce()).toBeUndefined();
      t.clock.advance(30);
      expect(await t.runner.runOnce()).toMatchObject({
        kind: notificationJobs.deliver.kind,
        state: 'succeeded',
      });
      // A crash after the send was recorded, before the job was marked done: nothing is resent.
      await t.requeue(notificationJobs.deliver.kind);
      expect(await t.runner.runOnce()).toMatchObject({ state: 'succeeded' });

      expect(t.receiver.received).toHaveLength(2);
      for (const request of t.receiver.received) {
        expect(request.headers['patchgate-delivery-id']).toBe(delivery?.id);
        expect(
          verifyWebhookSignature(
            secret,
            request.headers['patchgate-signature'] as string,
            request.body,
            t.clock.now(),
          ),
        ).toEqual({ ok: true });
      }
      expect(JSON.parse(t.receiver.received[1]?.body ?? '{}')).toMatchObject({
        id: delivery?.id,
        event: 'scheduled',
        subject: '[Patchgate] Scheduled 2026-11-28T22:00:00.000Z: Patch openssl on the web tier',
        audience: 'cab',
        phase: 'pre',
        change: {
          id: 'c-1',
          title: 'Patch openssl on the web tier',
          assets: [{ name: 'web-01' }, { name: 'web-02' }],
        },
        domainEvent: { name: 'change.state-changed', changeId: 'c-1', to: 'scheduled' },
      });
      expect(await t.deliveries()).toMatchObject([{ status: 'sent', attempts: 2, last_code: 200 }]);
      expect(await t.log()).toEqual([
        { delivery_id: delivery?.id, attempt: 1, outcome: 'failed', code: 500 },
        { delivery_id: delivery?.id, attempt: 2, outcome: 'sent', code: 200 },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'fails at once on a 4xx the receiver means, and sends again when a person retries it',
    async () => {
      const t = await setup([testChange()], [404]);
      await t.subscribe({});
      await t.publish('c-1');
      await t.drain();
      const [failed] = await t.deliveries();
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_code: 404 });
      const retried = await retryDelivery(t.ctx, failed?.id ?? '', source, (trx, row) =>
        enqueueDelivery(trx, t.clock, row),
      );
      expect(retried).toMatchObject({ status: 'pending', attempts: 1 });
      await t.drain();
      expect(await t.deliveries()).toMatchObject([{ status: 'sent', attempts: 2, last_code: 200 }]);
      expect((await t.log()).map((a) => [a.attempt, a.outcome, a.code])).toEqual([
        [1, 'failed', 404],
        [2, 'sent', 200],
      ]);
      await expect(
        retryDelivery(t.ctx, failed?.id ?? '', source, (trx, row) =>
          enqueueDelivery(trx, t.clock, row),
        ),
      ).rejects.toThrow(/is sent: only a failed delivery is retried/);
      expect(t.receiver.received).toHaveLength(2);
    },
  );

  it.skipIf(skip !== undefined)(
    'logs "change not found" when the change cannot be described, and sends nothing',
    async () => {
      const t = await setup([]);
      await t.subscribe({});
      await t.publish('c-missing');
      await t.drain();
      expect(await t.deliveries()).toMatchObject([
        {
          event: 'scheduled',
          recipient: '-',
          status: 'failed',
          last_error: 'change c-missing not found',
        },
      ]);
      expect(t.receiver.received).toEqual([]);
    },
  );

  it.skipIf(skip !== undefined)(
    'maps state changes to events: implementing → starting; review after implementing → completed and review due',
    async () => {
      const t = await setup();
      await t.subscribe({ events: ['starting', 'completed', 'review-due', 'scheduled'] });
      await t.publish('c-1', 'implementing', 'scheduled');
      await t.publish('c-1', 'review', 'implementing');
      await t.publish('c-1', 'closed', 'review');
      await t.drain();
      expect((await t.deliveries()).map((d) => [d.event, d.status]).sort()).toEqual([
        ['completed', 'sent'],
        ['review-due', 'sent'],
        ['starting', 'sent'],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'fans rollout progress out as rollout.* events to the change’s audiences; halts go through quiet hours',
    async () => {
      const t = await setup();
      await t.subscribe({
        events: [
          'rollout.started',
          'rollout.wave-completed',
          'rollout.paused',
          'rollout.halted',
          'rollout.completed',
          'rollout.rolled-back',
        ],
        quietHours: { start: '22:00', end: '07:00' },
      });
      t.clock.set('2026-11-25T23:00:00.000Z');
      const progress = (kind: string, wave?: string, detail?: string) =>
        t.database.db.transaction().execute((trx) =>
          publishEvent(trx, t.clock, 'rollout.progressed', {
            rolloutId: 'r-1',
            changeId: 'c-1',
            kind,
            ...(wave !== undefined && { wave }),
            ...(detail !== undefined && { detail }),
          }),
        );
      await progress('started');
      await progress('wave-started', 'canary');
      await progress('halted', 'canary', 'web-01: health check http failed');
      await t.drain();
      // The halt is sent at once; the start waits for the end of the quiet hours.
      expect((await t.deliveries()).map((d) => [d.event, d.status]).sort()).toEqual([
        ['rollout.halted', 'sent'],
        ['rollout.started', 'held'],
      ]);
      expect(t.receiver.received).toHaveLength(1);
      const [request] = t.receiver.received;
      expect(
        verifyWebhookSignature(
          secret,
          request?.headers['patchgate-signature'] as string,
          request?.body ?? '',
          t.clock.now(),
        ),
      ).toEqual({ ok: true });
      const body = JSON.parse(request?.body ?? '{}') as { text: string };
      expect(body).toMatchObject({
        event: 'rollout.halted',
        subject: '[Patchgate] ROLLOUT HALTED: Patch openssl on the web tier',
        audience: 'cab',
        phase: 'during',
        change: { id: 'c-1' },
        domainEvent: {
          name: 'rollout.progressed',
          rolloutId: 'r-1',
          changeId: 'c-1',
          kind: 'halted',
          wave: 'canary',
        },
      });
      expect(body.text).toContain(
        'The rollout halted (wave canary): web-01: health check http failed',
      );
      expect(body.text).toContain('Rollout: r-1');
      t.clock.set('2026-11-26T07:01:00.000Z');
      await progress('completed', undefined, '2 hosts patched');
      await t.drain();
      expect((await t.deliveries()).map((d) => [d.event, d.status]).sort()).toEqual([
        ['rollout.completed', 'sent'],
        ['rollout.halted', 'sent'],
        ['rollout.started', 'sent'],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'holds non-urgent messages in quiet hours until they end; an emergency goes through',
    async () => {
      const t = await setup([testChange(), testChange({ id: 'c-2', type: 'emergency' })]);
      await t.subscribe({ quietHours: { start: '22:00', end: '07:00' } });
      t.clock.set('2026-11-25T23:00:00.000Z');
      await t.publish('c-1');
      await t.publish('c-2');
      await t.drain();
      expect((await t.deliveries()).map((d) => d.status).sort()).toEqual(['held', 'sent']);
      expect(
        t.receiver.received.map(
          (r) => (JSON.parse(r.body) as { change: { id: string } }).change.id,
        ),
      ).toEqual(['c-2']);
      t.clock.set('2026-11-26T06:59:00.000Z');
      expect(await t.runner.runOnce()).toBeUndefined();
      t.clock.set('2026-11-26T07:00:00.000Z');
      await t.drain();
      expect((await t.deliveries()).map((d) => d.status)).toEqual(['sent', 'sent']);
      expect(t.receiver.received).toHaveLength(2);
    },
  );

  it.skipIf(skip !== undefined)(
    'gathers a daily digest at its hour in its time zone: one message for many events',
    async () => {
      const t = await setup([testChange(), testChange({ id: 'c-2', title: 'Patch glibc' })]);
      await t.subscribe({ digest: 'daily', digestHour: 8, timeZone: 'Europe/Berlin' });
      await t.publish('c-1');
      await t.publish('c-2');
      await t.drain();
      expect((await t.deliveries()).map((d) => d.status)).toEqual(['digest', 'digest']);
      const { gatherDigests } = await import('./jobs.ts');
      // 08:30 Berlin the next day is 07:30 UTC.
      t.clock.set('2026-11-26T06:30:00.000Z');
      expect(await gatherDigests(t.ctx)).toEqual({ digests: 0 });
      t.clock.set('2026-11-26T07:30:00.000Z');
      expect(await gatherDigests(t.ctx)).toEqual({ digests: 1 });
      expect(await gatherDigests(t.ctx)).toEqual({ digests: 0 });
      await t.drain();
      expect(t.receiver.received).toHaveLength(1);
      const body = JSON.parse(t.receiver.received[0]?.body ?? '{}') as {
        event: string;
        subject: string;
        items: { changeId: string }[];
      };
      expect(body).toMatchObject({
        event: 'digest',
        subject: '[Patchgate] Daily digest: 2 notifications (cab-hook)',
      });
      expect(body.items.map((i) => i.changeId).sort()).toEqual(['c-1', 'c-2']);
      expect((await t.deliveries()).map((d) => [d.event, d.status])).toEqual([
        ['scheduled', 'digested'],
        ['scheduled', 'digested'],
        ['digest', 'sent'],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'sends the findings due soon / overdue as one digest per subscription, once a day',
    async () => {
      const t = await setup();
      await t.subscribe({ events: ['finding-overdue', 'finding-due-soon'] });
      const finding = (id: string, due: string, priority: string) => ({
        id,
        asset_id: `a-${id}`,
        ecosystem: 'Debian:12',
        package_name: 'openssl',
        package_version: '3.0.1',
        source_name: null,
        advisory_id: `CVE-2026-${id}`,
        advisory_summary: null,
        aliases_json: '[]',
        match_json: '{}',
        state: 'open',
        first_seen_at: '2026-11-01T00:00:00.000Z',
        last_seen_at: '2026-11-01T00:00:00.000Z',
        snapshot_id: null,
        fixed_at: null,
        reopened_at: null,
        priority,
        due_date: due,
        due_key: due,
        severity: 'high',
        kev: 0,
        epss: null,
        epss_key: -1,
        decision_json: '{}',
        asset_name: `web-${id}`,
        environment: 'production',
        criticality: null,
        exposure: 'internal',
        groups_json: '[]',
        tags_json: '[]',
        triage_state: null,
        triage_justification: null,
        triage_detail: null,
        triage_by: null,
        triage_at: null,
        exception_id: null,
        accepted_until: null,
        updated_at: '2026-11-01T00:00:00.000Z',
      });
      await t.database.db
        .insertInto('findings')
        .values([
          finding('1', '2026-11-20', 'P1'),
          finding('2', '2026-11-24', 'P2'),
          finding('3', '2026-11-28', 'P2'),
          finding('4', '2026-12-30', 'P3'),
          { ...finding('5', '2026-11-20', 'P1'), triage_state: 'not_affected' },
        ])
        .execute();
      const { notifyDueFindings } = await import('./jobs.ts');
      expect(await notifyDueFindings(t.ctx, 'run-1')).toEqual({ deliveries: 2, written: 2 });
      // The same day again (a second run, a re-run after a crash): nothing new.
      expect(await notifyDueFindings(t.ctx, 'run-2')).toEqual({ deliveries: 2, written: 0 });
      await t.drain();
      const bodies = t.receiver.received.map(
        (r) => JSON.parse(r.body) as { event: string; findings: { id: string }[]; text: string },
      );
      expect(bodies.map((b) => [b.event, b.findings.map((f) => f.id)]).sort()).toEqual([
        ['finding-due-soon', ['3']],
        ['finding-overdue', ['1', '2']],
      ]);
      expect(bodies.find((b) => b.event === 'finding-overdue')?.text).toContain(
        '2026-11-20  P1  web-1  openssl  CVE-2026-1',
      );
    },
  );

  it.skipIf(skip !== undefined)(
    'e-mail audiences resolve through contacts; an audience without an address is logged',
    async () => {
      const t = await setup();
      await createChannel(
        t.ctx,
        {
          name: 'mail',
          kind: 'email',
          host: '127.0.0.1',
          port: 1,
          security: 'none',
          from: 'patchgate@example.org',
          enabled: false,
        },
        source,
      );
      await addContact(
        t.ctx,
        { kind: 'user', key: 'u-app', address: 'Approver@Example.org' },
        source,
      );
      await addContact(
        t.ctx,
        { kind: 'team', key: 'web-team', address: 'web@example.org' },
        source,
      );
      await addContact(t.ctx, { kind: 'team', key: 'db-team', address: 'db@example.org' }, source);
      await t.subscribe({ name: 'approvers', channel: 'mail', audience: 'approvers' });
      await t.subscribe({ name: 'owners', channel: 'mail', audience: 'service-owners' });
      await t.subscribe({ name: 'ops', channel: 'mail', audience: 'operators' });
      await t.publish('c-1');
      await t.drain();
      expect(
        (await t.deliveries()).map((d) => [d.recipient, d.status, d.last_error]).sort(),
      ).toEqual([
        ['-', 'failed', 'no contact address for the audience operators'],
        ['approver@example.org', 'failed', 'the channel is disabled'],
        ['web@example.org', 'failed', 'the channel is disabled'],
      ]);
    },
  );
  it.skipIf(skip !== undefined)(
    'sends "approved" once, when the approval completes; stage decisions are approval-progress; a rejection at once',
    async () => {
      const t = await setup([
        testChange(),
        testChange({ id: 'c-2', title: 'Patch glibc' }),
        testChange({ id: 'c-3', title: 'Patch curl' }),
      ]);
      await t.subscribe({ events: ['approved', 'rejected'] });
      await t.subscribe({ name: 'progress', events: ['approval-progress'] });
      // Three stages, one approver each, for c-1; the last decision finds a schedule set.
      await t.decide('c-1', 1, 'approved');
      await t.decide('c-1', 2, 'approved');
      await t.drain();
      expect((await t.deliveries()).map((d) => d.event)).toEqual([
        'approval-progress',
        'approval-progress',
      ]);
      await t.decide('c-1', 3, 'approved');
      await t.publish('c-1', 'scheduled', 'authorise', 'approve');
      // c-2: stage 1 approved, stage 2 rejected: the change is rejected in the same transaction.
      await t.decide('c-2', 1, 'approved');
      await t.decide('c-2', 2, 'rejected');
      await t.publish('c-2', 'rejected', 'authorise', 'reject');
      await t.drain();
      const sent = (await t.deliveries()).map((d) => d.event).sort();
      expect(sent).toEqual([
        'approval-progress',
        'approval-progress',
        'approval-progress',
        'approval-progress',
        'approved',
        'rejected',
      ]);
      const subjects = t.receiver.received
        .map((r) => (JSON.parse(r.body) as { subject: string }).subject)
        .filter((subject) => !subject.includes('progress'));
      expect(subjects.sort()).toEqual([
        '[Patchgate] Approved: Patch openssl on the web tier',
        '[Patchgate] Rejected: Patch glibc',
      ]);
      const approved = t.receiver.received
        .map((r) => JSON.parse(r.body) as { event: string; text: string })
        .find((m) => m.event === 'approved');
      expect(approved?.text).toContain('The approval is complete: every stage approved');
      // c-3's approval completed with no schedule set: it is approved when it is scheduled.
      await t.decide('c-3', 1, 'approved');
      await t.publish('c-3', 'scheduled', 'authorise', 'schedule');
      await t.drain();
      expect(
        (await t.deliveries())
          .map((d) => d.event)
          .filter((e) => e !== 'approval-progress')
          .sort(),
      ).toEqual(['approved', 'approved', 'rejected']);
    },
  );

  it.skipIf(skip !== undefined)(
    'links absolutely with PATCHGATE_PUBLIC_URL (a path prefix kept); without it, the link is relative and said so once',
    async () => {
      const withUrl = await setup([testChange()], [], 'https://patchgate.example.org/pg');
      await withUrl.subscribe({});
      await withUrl.publish('c-1');
      await withUrl.drain();
      const absolute = JSON.parse(withUrl.receiver.received[0]?.body ?? '{}') as {
        text: string;
        change: { link: string };
      };
      expect(absolute.change.link).toBe('https://patchgate.example.org/pg/api/v1/changes/c-1');
      expect(absolute.text).toMatch(
        /\n\nDetails: https:\/\/patchgate\.example\.org\/pg\/api\/v1\/changes\/c-1$/,
      );
      expect(absolute.text).not.toContain('PATCHGATE_PUBLIC_URL');

      const without = await setup([testChange(), testChange({ id: 'c-2' })]);
      await without.subscribe({});
      await without.subscribe({ name: 'digest', digest: 'daily', digestHour: 8 });
      await without.publish('c-1');
      await without.publish('c-2');
      await without.drain();
      const relative = without.receiver.received
        .map((r) => JSON.parse(r.body) as { text: string; change: { id: string; link: string } })
        .find((m) => m.change.id === 'c-1');
      expect(relative?.change.link).toBe('/api/v1/changes/c-1');
      expect(relative?.text).toMatch(
        /\n\nDetails: \/api\/v1\/changes\/c-1\n\nThis link is relative to the Patchgate server: its public address is not configured \(PATCHGATE_PUBLIC_URL\)\.$/,
      );
      // A digest of two such messages says it once, at its end.
      const { gatherDigests } = await import('./jobs.ts');
      without.clock.set('2026-11-26T08:30:00.000Z');
      expect(await gatherDigests(without.ctx)).toEqual({ digests: 1 });
      await without.drain();
      const digest = without.receiver.received
        .map((r) => JSON.parse(r.body) as { event: string; text: string })
        .find((m) => m.event === 'digest');
      expect(digest?.text.match(/PATCHGATE_PUBLIC_URL/g)).toHaveLength(1);
      expect(digest?.text).toMatch(/\(PATCHGATE_PUBLIC_URL\)\.$/);
      expect(digest?.text.match(/Details: \/api\/v1\/changes\//g)).toHaveLength(2);
    },
  );
});
