/**
 * The notifications API on both databases: permission, secrets never returned, validation
 * (non-http URLs, unknown placeholders), conflicts, every change audited, the delivery log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { settableClock } from '../jobs/test-support.ts';
import { httpReceiver } from './test-support.ts';
import { verifyWebhookSignature } from './signing.ts';

describe.each(testDatabases())('notifications API on $name', ({ open, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const database: Database = await open();
    cleanups.push(() => database.close());
    const clock = settableClock();
    const app: App = await testApp(database, clock);
    cleanups.push(() => app.app.close());
    const manager = await testCaller(database, ['change_manager']);
    const operator = await testCaller(database, ['operator']);
    const call = (method: string, url: string, payload?: unknown, who = manager) =>
      app.app.inject({
        method: method as 'GET',
        url,
        headers: who.headers,
        ...(payload !== undefined && { payload: payload as object }),
      });
    const audit = async () =>
      (
        await database.db
          .selectFrom('audit_events')
          .select(['action', 'after_json', 'before_json'])
          .where('action', 'like', 'notification.%')
          .orderBy('seq')
          .execute()
      ).map((e) => e.action);
    return { database, clock, call, operator, audit };
  }

  it.skipIf(skip !== undefined)(
    'manages channels without ever returning a secret, refusing bad input clearly',
    async () => {
      const { call, operator, audit, database } = await setup();
      const receiver = await httpReceiver();
      cleanups.push(receiver.close);
      const secret = 'whsec-0123456789abcdef';
      const created = await call('POST', '/api/v1/notification-channels', {
        name: 'hook',
        kind: 'webhook',
        url: `${receiver.url}?token=abc`,
        secret,
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        name: 'hook',
        kind: 'webhook',
        enabled: true,
        target: receiver.url,
        secrets: ['secret'],
      });
      const slack = await call('POST', '/api/v1/notification-channels', {
        name: 'slack',
        kind: 'slack',
        url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
      });
      expect(slack.json()).toMatchObject({
        target: 'https://hooks.slack.com/…',
        settings: { origin: 'https://hooks.slack.com' },
        secrets: ['url'],
      });
      const list = await call('GET', '/api/v1/notification-channels');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(secret);
      expect(list.body).not.toContain('XXXXSECRET');
      const audited = await database.db
        .selectFrom('audit_events')
        .select(['after_json'])
        .where('action', 'like', 'notification.%')
        .execute();
      expect(JSON.stringify(audited)).not.toContain(secret);
      expect(JSON.stringify(audited)).not.toContain('XXXXSECRET');

      const refusals = await Promise.all([
        call('POST', '/api/v1/notification-channels', {
          name: 'ftp',
          kind: 'webhook',
          url: 'ftp://example.org/x',
          secret,
        }),
        call('POST', '/api/v1/notification-channels', {
          name: 'hook',
          kind: 'teams',
          url: 'https://example.org/x',
        }),
        call('POST', '/api/v1/notification-channels', {
          name: 'short',
          kind: 'webhook',
          url: receiver.url,
          secret: 'short',
        }),
        call('GET', '/api/v1/notification-channels', undefined, operator),
        call('PATCH', '/api/v1/notification-channels/hook', { url: 'file:///etc/passwd' }),
      ]);
      expect(refusals.map((r) => r.statusCode)).toEqual([422, 409, 422, 403, 422]);
      expect(refusals[0]?.json<{ detail: string }>().detail).toContain('http');

      const tested = await call('POST', '/api/v1/notification-channels/hook/test', {});
      expect(tested.json()).toMatchObject({ ok: true, code: 200, error: null });
      const [request] = receiver.received;
      expect(
        verifyWebhookSignature(
          secret,
          request?.headers['patchgate-signature'] as string,
          request?.body ?? '',
          new Date('2026-11-22T09:00:00.000Z'),
        ),
      ).toEqual({ ok: true });

      const patched = await call('PATCH', '/api/v1/notification-channels/hook', {
        enabled: false,
        name: 'hook-2',
      });
      expect(patched.json()).toMatchObject({ name: 'hook-2', enabled: false, secrets: ['secret'] });
      expect((await call('DELETE', '/api/v1/notification-channels/slack')).statusCode).toBe(204);
      expect((await call('GET', '/api/v1/notification-channels/slack')).statusCode).toBe(404);
      expect(await audit()).toEqual([
        'notification.channel-created',
        'notification.channel-created',
        'notification.channel-tested',
        'notification.channel-updated',
        'notification.channel-deleted',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'subscriptions, contacts and templates: validated, audited, listed',
    async () => {
      const { call, audit, operator } = await setup();
      await call('POST', '/api/v1/notification-channels', {
        name: 'mail',
        kind: 'email',
        host: 'smtp.example.org',
        port: 587,
        security: 'starttls',
        username: 'patchgate',
        password: 'hunter2-hunter2',
        from: 'patchgate@example.org',
      });
      const subscription = await call('POST', '/api/v1/notification-subscriptions', {
        name: 'owners',
        channel: 'mail',
        audience: 'service-owners',
        events: ['scheduled', 'starting', 'completed'],
        digest: 'daily',
        timeZone: 'Europe/Berlin',
        quietHours: { start: '22:00', end: '07:00' },
      });
      expect(subscription.statusCode).toBe(201);
      expect(subscription.json()).toMatchObject({
        channelName: 'mail',
        digest: 'daily',
        digestHour: 8,
        quietHours: { start: '22:00', end: '07:00' },
      });
      const bad = await Promise.all([
        call('POST', '/api/v1/notification-subscriptions', {
          name: 'x',
          channel: 'mail',
          audience: 'address',
          events: ['scheduled'],
        }),
        call('POST', '/api/v1/notification-subscriptions', {
          name: 'y',
          channel: 'nope',
          audience: 'cab',
          events: ['scheduled'],
        }),
        call('POST', '/api/v1/notification-subscriptions', {
          name: 'z',
          channel: 'mail',
          audience: 'cab',
          events: ['scheduled'],
          timeZone: 'Mars/Olympus',
        }),
      ]);
      expect(bad.map((r) => r.statusCode)).toEqual([422, 422, 422]);
      expect((await call('GET', '/api/v1/notification-subscriptions')).json()).toMatchObject({
        subscriptions: [{ name: 'owners' }],
      });
      const id0 = subscription.json<{ id: string }>().id;
      const patched = await call('PATCH', `/api/v1/notification-subscriptions/${id0}`, {
        audience: 'address',
        audienceValue: 'ops@example.org',
        digest: 'none',
        quietHours: null,
        events: ['failed'],
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({
        name: 'owners',
        audience: 'address',
        audienceValue: 'ops@example.org',
        digest: 'none',
        quietHours: null,
        events: ['failed'],
        timeZone: 'Europe/Berlin',
      });
      const patchRefusals = await Promise.all([
        call('PATCH', '/api/v1/notification-subscriptions/owners', { audience: 'cab' }),
        call('PATCH', '/api/v1/notification-subscriptions/owners', { channel: 'nope' }),
        call('PATCH', '/api/v1/notification-subscriptions/owners', {}),
        call('PATCH', '/api/v1/notification-subscriptions/nobody', { enabled: false }),
        call('PATCH', '/api/v1/notification-subscriptions/owners', { enabled: false }, operator),
      ]);
      expect(patchRefusals.map((r) => r.statusCode)).toEqual([422, 422, 422, 404, 403]);
      expect(
        patchRefusals[0]?.json<{ errors: { field: string }[] }>().errors.map((e) => e.field),
      ).toEqual(['body.audienceValue']);
      const renamed = await call('PATCH', '/api/v1/notification-subscriptions/owners', {
        name: 'ops',
        audience: 'cab',
        audienceValue: null,
        enabled: false,
      });
      expect(renamed.json()).toMatchObject({ name: 'ops', audienceValue: null, enabled: false });

      const contact = await call('POST', '/api/v1/notification-contacts', {
        kind: 'team',
        key: 'web-team',
        address: 'Web@Example.org',
      });
      expect(contact.json()).toMatchObject({ kind: 'team', address: 'web@example.org' });
      const again = await call('POST', '/api/v1/notification-contacts', {
        kind: 'team',
        key: 'web-team',
        address: 'web@example.org',
      });
      expect(again.statusCode).toBe(409);
      const id = contact.json<{ id: string }>().id;
      expect((await call('DELETE', `/api/v1/notification-contacts/${id}`)).statusCode).toBe(204);

      const templates = await call('GET', '/api/v1/notification-templates');
      expect(
        templates
          .json<{ templates: { event: string; phase: string }[] }>()
          .templates.map((t) => `${t.event}:${t.phase}`),
      ).toContain('starting:during');
      const refused = await call('PUT', '/api/v1/notification-templates/scheduled', {
        subject: '{{change.password}}',
        body: '{{#each x}}',
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([
        'body.subject',
        'body.body',
      ]);
      const edited = await call('PUT', '/api/v1/notification-templates/scheduled', {
        subject: 'Maintenance {{change.windowStart}}',
        body: 'Save your work before {{change.windowStart}}.',
      });
      expect(edited.json()).toMatchObject({ custom: true, phase: 'pre' });
      const builtIn = edited.json<{ default: { subject: string; body: string } }>().default;
      expect(builtIn.subject).not.toBe('Maintenance {{change.windowStart}}');
      expect(builtIn.subject.length).toBeGreaterThan(0);
      const reset = await call('DELETE', '/api/v1/notification-templates/scheduled');
      expect(reset.json()).toMatchObject({ custom: false, subject: builtIn.subject });

      const deliveries = await call('GET', '/api/v1/notification-deliveries?status=failed');
      expect(deliveries.json()).toEqual({ deliveries: [], nextCursor: null });
      expect((await call('GET', '/api/v1/notification-deliveries?cursor=zzz')).statusCode).toBe(
        422,
      );
      expect(await audit()).toEqual([
        'notification.channel-created',
        'notification.subscription-created',
        'notification.subscription-updated',
        'notification.subscription-updated',
        'notification.contact-added',
        'notification.contact-removed',
        'notification.template-updated',
        'notification.template-reset',
      ]);
    },
  );
});
