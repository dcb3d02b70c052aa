/**
 * The e-mail channel against a real SMTP server process (smtp-server): STARTTLS required with a
 * certificate openssl generated for this test (trusted through the channel's CA setting), AUTH,
 * the received message read back with a real MIME parser (mailparser) and its invitation with
 * a real iCalendar parser (ical.js). On both databases: the message goes through the outbox.
 */
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { eventSubscriptions } from '../../main.ts';
import { publishEvent } from '../../events/index.ts';
import { JobRunner } from '../jobs/index.ts';
import { contextOf, settableClock } from '../jobs/test-support.ts';
import { registerNotificationJobs } from './jobs.ts';
import { addContact, createChannel, createSubscription, testChannel } from './service.ts';
import { describeFrom, smtpReceiver, testChange } from './test-support.ts';

const source = { actor: systemActor };

describe.each(testDatabases())('e-mail notifications on $name', ({ open, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.skipIf(skip !== undefined)(
    'announces a scheduled change by e-mail over STARTTLS with AUTH, with its invitation attached',
    async () => {
      const database: Database = await open();
      cleanups.push(() => database.close());
      const smtp = await smtpReceiver('patchgate', 'mail-password');
      cleanups.push(smtp.close);
      const clock = settableClock('2026-11-25T10:00:00.000Z');
      const base = contextOf(database, clock);
      // PATCHGATE_PUBLIC_URL set: the message and the invitation link absolutely.
      const ctx = {
        ...base,
        config: { ...base.config, publicUrl: 'https://patchgate.example.org' },
      };
      const runner = new JobRunner(ctx, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerNotificationJobs(runner, ctx, { describeChange: describeFrom([testChange()]) });
      eventSubscriptions().register(runner, ctx);
      await createChannel(
        ctx,
        {
          name: 'mail',
          kind: 'email',
          host: '127.0.0.1',
          port: smtp.port,
          security: 'starttls',
          username: 'patchgate',
          password: 'mail-password',
          from: 'patchgate@example.org',
          caCertificate: smtp.ca,
          enabled: true,
        },
        source,
      );
      await addContact(ctx, { kind: 'team', key: 'web-team', address: 'web@example.org' }, source);
      await createSubscription(
        ctx,
        {
          name: 'owners',
          channel: 'mail',
          audience: 'service-owners',
          events: ['scheduled'],
          digest: 'none',
          digestHour: 8,
          digestWeekday: 1,
          timeZone: 'UTC',
          enabled: true,
        },
        source,
      );
      await database.db.transaction().execute((trx) =>
        publishEvent(trx, clock, 'change.state-changed', {
          changeId: 'c-1',
          from: 'authorise',
          to: 'scheduled',
          action: 'schedule',
          actorId: 'u-imp',
        }),
      );
      const outcomes = [];
      for (let o = await runner.runOnce(); o; o = await runner.runOnce()) outcomes.push(o.state);
      expect(outcomes).toEqual(['succeeded', 'succeeded', 'succeeded']);

      const received = await smtp.next();
      expect({
        secure: received.secure,
        user: received.user,
        from: received.from,
        to: received.to,
      }).toEqual({
        secure: true,
        user: 'patchgate',
        from: 'patchgate@example.org',
        to: ['web@example.org'],
      });
      const delivery = await database.db
        .selectFrom('notification_deliveries')
        .select(['id', 'status', 'last_code'])
        .executeTakeFirstOrThrow();
      expect(delivery).toMatchObject({ status: 'sent', last_code: 250 });

      const mail = await simpleParser(received.raw);
      expect(mail.subject).toBe(
        '[Patchgate] Scheduled 2026-11-28T22:00:00.000Z: Patch openssl on the web tier',
      );
      expect(mail.messageId).toBe(`<${delivery.id}@patchgate>`);
      expect(mail.headers.get('patchgate-delivery-id')).toBe(delivery.id);
      expect(mail.text).toContain('Before the window: save your work');
      expect(mail.html).toContain('Assets: web-01, web-02');
      expect(mail.text).toContain('Details: https://patchgate.example.org/api/v1/changes/c-1');
      expect(mail.text).not.toContain('PATCHGATE_PUBLIC_URL');
      const ics = mail.attachments.find((a) => a.filename === 'change-window.ics');
      expect(ics?.contentType).toBe('application/ics');
      // The text/calendar alternative carries the iTIP method for mail clients.
      expect(received.raw.toString('utf8')).toMatch(
        /Content-Type: text\/calendar; charset=utf-8;\s+method=REQUEST/i,
      );
      const calendar = new ICAL.Component(
        ICAL.parse(ics?.content.toString('utf8') ?? '') as unknown[],
      );
      expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
      const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent') ?? undefined);
      expect({
        uid: event.uid,
        summary: event.summary,
        start: event.startDate.toJSDate().toISOString(),
        end: event.endDate.toJSDate().toISOString(),
        attendees: event.attendees.map((a) => a.getFirstValue() as string),
        url: event.component.getFirstPropertyValue('url'),
      }).toEqual({
        uid: 'change-c-1@patchgate',
        summary: 'Change: Patch openssl on the web tier',
        start: '2026-11-28T22:00:00.000Z',
        end: '2026-11-29T01:00:00.000Z',
        attendees: ['mailto:web@example.org'],
        url: 'https://patchgate.example.org/api/v1/changes/c-1',
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'reports a refused AUTH (535) and a server without a trusted certificate as failures',
    async () => {
      const database: Database = await open();
      cleanups.push(() => database.close());
      const smtp = await smtpReceiver('patchgate', 'mail-password');
      cleanups.push(smtp.close);
      const ctx = contextOf(database, settableClock());
      const channel = (name: string, extra: object) =>
        createChannel(
          ctx,
          {
            name,
            kind: 'email',
            host: '127.0.0.1',
            port: smtp.port,
            security: 'starttls',
            from: 'patchgate@example.org',
            enabled: true,
            ...extra,
          } as never,
          source,
        );
      await channel('wrong-password', {
        username: 'patchgate',
        password: 'not-it',
        caCertificate: smtp.ca,
      });
      await channel('untrusted', { username: 'patchgate', password: 'mail-password' });
      expect(await testChannel(ctx, 'wrong-password', 'x@example.org', source)).toMatchObject({
        ok: false,
        code: 535,
      });
      const untrusted = await testChannel(ctx, 'untrusted', 'x@example.org', source);
      expect(untrusted).toMatchObject({ ok: false });
      expect(untrusted.error).toMatch(/certificate/i);
      expect(smtp.received()).toBe(0);
    },
  );
});
