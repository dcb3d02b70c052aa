/**
 * Report schedules on both databases, end to end with real components: a schedule made through
 * the API (RRULE in Europe/Berlin, the previous week, an e-mail and a webhook channel), the due
 * tick at its time, the real builder and chromium's PDF, and the notifications outbox sending
 * it — the PDF attached to an e-mail a real smtp-server receives (read back with mailparser and
 * pdftotext), and the absolute link to its content to a real HTTP receiver. Validation: every
 * problem a 4xx naming its field. A second tick starts nothing; every change is audited.
 */
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { enqueueTyped } from '../jobs/index.ts';
import { settableClock } from '../jobs/test-support.ts';
import { httpReceiver, smtpReceiver } from '../notifications/test-support.ts';
import { reportJobs } from './jobs.ts';
import { pdfText, popplerMissing } from './pdf-test-support.ts';
import { drain, findingRow, reportRunner } from './runs-test-support.ts';
import type { ReportRun, ReportSchedule } from './schema.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(testDatabases())('report schedules on $name', ({ open, skip }) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function world() {
    const database = await open();
    cleanups.push(() => database.close());
    // A Wednesday; the schedule's first Monday 07:00 in Berlin (CET) is 2026-11-30T06:00Z.
    const clock = settableClock('2026-11-25T10:00:00.000Z');
    const built = await testApp(database, clock, { publicUrl: 'https://patchgate.example.org' });
    cleanups.push(() => built.app.close());
    const manager = await testCaller(database, ['change_manager']);
    const auditor = await testCaller(database, ['auditor']);
    const admin = await testCaller(database, ['admin']);
    const smtp = await smtpReceiver('patchgate', 'mail-password');
    cleanups.push(smtp.close);
    const hook = await httpReceiver();
    cleanups.push(hook.close);
    const app = built.app;
    const post = async (url: string, payload: unknown, as = manager) =>
      app.inject({ method: 'POST', url, headers: as.headers, payload: payload as object });
    const channel = async (payload: unknown) => {
      const response = await post('/api/v1/notification-channels', payload);
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string }>().id;
    };
    const mail = await channel({
      name: 'mail',
      kind: 'email',
      host: '127.0.0.1',
      port: smtp.port,
      security: 'starttls',
      username: 'patchgate',
      password: 'mail-password',
      from: 'patchgate@example.org',
      caCertificate: smtp.ca,
    });
    const webhook = await channel({
      name: 'hook',
      kind: 'webhook',
      url: hook.url,
      secret: 'a-signing-secret-of-32-characters',
    });
    const asset = await post(
      '/api/v1/assets',
      { name: 'db-1', environment: 'production', exposure: 'internal' },
      admin,
    );
    expect(asset.statusCode, asset.body).toBe(201);
    const db1 = {
      id: asset.json<{ id: string }>().id,
      name: 'db-1',
      environment: 'production',
      exposure: 'internal',
    };
    await database.db
      .insertInto('findings')
      .values([
        findingRow(db1, {
          first_seen_at: '2026-10-20T00:00:00.000Z',
          state: 'fixed',
          fixed_at: '2026-11-24T10:00:00.000Z',
        }),
      ])
      .execute();
    return {
      database,
      clock,
      app,
      post,
      manager,
      auditor,
      smtp,
      hook,
      mail,
      webhook,
      runner: reportRunner(built.context),
    };
  }

  it.skipIf(skip !== undefined || popplerMissing() !== undefined)(
    'at its time makes the report and delivers it: the PDF attached to an e-mail, the link to a webhook',
    async () => {
      const w = await world();
      const created = await w.post('/api/v1/report-schedules', {
        name: 'weekly PCI evidence',
        type: 'pci-dss',
        format: 'pdf',
        rrule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0',
        timeZone: 'Europe/Berlin',
        startsAt: '2026-11-01T07:00',
        period: 'previous-week',
        channelIds: ['mail', w.webhook],
        recipients: ['CISO@example.org'],
      });
      expect(created.statusCode, created.body).toBe(201);
      const schedule = created.json<ReportSchedule>();
      expect(schedule).toMatchObject({
        channelIds: [w.mail, w.webhook],
        recipients: ['CISO@example.org'],
        enabled: true,
        nextRunAt: '2026-11-30T06:00:00.000Z',
        lastRunId: null,
      });

      // Not yet due: the tick starts nothing.
      await enqueueTyped(w.database.db, w.clock, reportJobs.dueSchedules, {});
      expect(await drain(w.runner)).toEqual(['reports.due-schedules:succeeded']);

      w.clock.set('2026-11-30T06:00:20.000Z');
      await enqueueTyped(w.database.db, w.clock, reportJobs.dueSchedules, {});
      expect(await drain(w.runner)).toEqual([
        'reports.due-schedules:succeeded',
        'reports.generate:succeeded',
        'notifications.deliver:succeeded',
        'notifications.deliver:succeeded',
      ]);
      const after = (
        await w.app.inject({
          url: `/api/v1/report-schedules/${schedule.id}`,
          headers: w.manager.headers,
        })
      ).json<ReportSchedule>();
      expect(after.nextRunAt).toBe('2026-12-07T06:00:00.000Z');
      const run = (
        await w.app.inject({
          url: `/api/v1/reports/${after.lastRunId ?? ''}`,
          headers: w.auditor.headers,
        })
      ).json<ReportRun>();
      expect(run).toMatchObject({
        status: 'succeeded',
        scheduleId: schedule.id,
        requestedBy: 'schedule weekly PCI evidence',
        inputs: { period: { from: '2026-11-23', to: '2026-11-29' } },
      });

      // The e-mail: the PDF attached, the same bytes as stored.
      const received = await w.smtp.next();
      expect(received.to).toEqual(['ciso@example.org']);
      const message = await simpleParser(received.raw);
      expect(message.subject).toBe(`[Patchgate] Report: ${run.title}`);
      expect(message.text).toContain('Period: 2026-11-23 to 2026-11-29');
      expect(message.text).toContain(
        `Download: https://patchgate.example.org/api/v1/reports/${run.id}/content`,
      );
      const [attachment, ...others] = message.attachments;
      expect(others).toEqual([]);
      expect({
        filename: attachment?.filename,
        contentType: attachment?.contentType,
      }).toEqual({ filename: run.filename, contentType: 'application/pdf' });
      const pdf = attachment?.content ?? Buffer.alloc(0);
      expect(sha256(pdf)).toBe(run.sha256);
      const text = pdfText(pdf);
      expect(text).toContain(run.title);
      expect(text).toContain('2026-11-23 to 2026-11-29');

      // The webhook: the link, absolute with PATCHGATE_PUBLIC_URL, with size and hash.
      expect(w.hook.received).toHaveLength(1);
      const body = JSON.parse(w.hook.received[0]?.body ?? '{}') as {
        event: string;
        report: Record<string, unknown>;
      };
      expect(body.event).toBe('report');
      expect(body.report).toEqual({
        id: run.id,
        title: run.title,
        type: 'pci-dss',
        format: 'pdf',
        filename: run.filename,
        contentType: 'application/pdf',
        sizeBytes: run.sizeBytes,
        sha256: run.sha256,
        link: `https://patchgate.example.org/api/v1/reports/${run.id}/content`,
      });

      // The same occurrence again (a second server's tick): nothing new.
      await enqueueTyped(w.database.db, w.clock, reportJobs.dueSchedules, {});
      expect(await drain(w.runner)).toEqual(['reports.due-schedules:succeeded']);
      expect(w.smtp.received()).toBe(0);

      const deliveries = await w.database.db
        .selectFrom('notification_deliveries')
        .select(['event', 'recipient', 'status', 'source_id'])
        .orderBy('recipient')
        .execute();
      expect(deliveries).toEqual([
        { event: 'report', recipient: 'channel', status: 'sent', source_id: run.id },
        { event: 'report', recipient: 'ciso@example.org', status: 'sent', source_id: run.id },
      ]);
    },
    120_000,
  );

  it.skipIf(skip !== undefined)(
    'refuses a bad schedule naming the field; run now, change, delete; audited',
    async () => {
      const w = await world();
      const good = {
        name: 'monthly POA&M',
        type: 'fedramp-poam',
        format: 'csv',
        rrule: 'FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=6;BYMINUTE=0',
        timeZone: 'UTC',
        period: 'previous-month',
        channelIds: ['hook'],
      };
      const refusals: [unknown, number, string][] = [
        [{ ...good, rrule: 'FREQ=SOMETIMES' }, 422, 'body.rrule'],
        [{ ...good, timeZone: 'Mars/Olympus' }, 422, 'body.timeZone'],
        [{ ...good, channelIds: ['hook', 'pager'] }, 422, 'body.channelIds[1]'],
        [{ ...good, channelIds: ['mail'] }, 422, 'body.recipients'],
        [{ ...good, type: 'change' }, 422, 'body.type'],
        [{ ...good, startsAt: 'tomorrow' }, 422, 'body.startsAt'],
        [{ ...good, period: 'last-week' }, 422, 'body.period'],
        [{ ...good, recipients: ['not-an-address'] }, 422, 'body.recipients[0]'],
      ];
      for (const [payload, status, field] of refusals) {
        const response = await w.post('/api/v1/report-schedules', payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(status);
        expect(
          response.json<{ errors?: { field: string }[] }>().errors?.map((e) => e.field),
          JSON.stringify(payload),
        ).toContain(field);
      }
      expect((await w.post('/api/v1/report-schedules', good, w.auditor)).statusCode).toBe(403);
      const created = await w.post('/api/v1/report-schedules', good);
      expect(created.statusCode, created.body).toBe(201);
      const schedule = created.json<ReportSchedule>();
      expect(schedule.nextRunAt).toBe('2026-12-01T06:00:00.000Z');
      expect((await w.post('/api/v1/report-schedules', good)).statusCode).toBe(409);

      const now = await w.post(`/api/v1/report-schedules/${schedule.name}/run`, undefined);
      expect(now.statusCode, now.body).toBe(202);
      const run = now.json<ReportRun>();
      expect(run).toMatchObject({
        status: 'queued',
        scheduleId: schedule.id,
        inputs: { period: { from: '2026-10-01', to: '2026-10-31' } },
      });
      expect(await drain(w.runner)).toEqual([
        'reports.generate:succeeded',
        'notifications.deliver:succeeded',
      ]);
      const hooked = JSON.parse(w.hook.received[0]?.body ?? '{}') as {
        report: { link: string };
      };
      expect(hooked.report.link).toBe(
        `https://patchgate.example.org/api/v1/reports/${run.id}/content`,
      );

      const patched = await w.app.inject({
        method: 'PATCH',
        url: `/api/v1/report-schedules/${schedule.id}`,
        headers: w.manager.headers,
        payload: { rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=30', enabled: true },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json<ReportSchedule>().nextRunAt).toBe('2026-11-27T16:30:00.000Z');
      const badPatch = await w.app.inject({
        method: 'PATCH',
        url: `/api/v1/report-schedules/${schedule.id}`,
        headers: w.manager.headers,
        payload: { channelIds: ['mail'] },
      });
      expect(badPatch.statusCode).toBe(422);

      const deleted = await w.app.inject({
        method: 'DELETE',
        url: `/api/v1/report-schedules/${schedule.id}`,
        headers: w.manager.headers,
      });
      expect(deleted.statusCode).toBe(204);
      const kept = (
        await w.app.inject({ url: `/api/v1/reports/${run.id}`, headers: w.auditor.headers })
      ).json<ReportRun>();
      expect(kept).toMatchObject({ status: 'succeeded', scheduleId: null });
      const list = await w.app.inject({
        url: '/api/v1/report-schedules',
        headers: w.manager.headers,
      });
      expect(list.json<{ schedules: [] }>().schedules).toEqual([]);

      const audit = await w.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_type', 'in', ['report-schedule', 'report'])
        .orderBy('seq')
        .execute();
      expect(audit.map((a) => a.action)).toEqual([
        'report.schedule-created',
        'report.requested',
        'report.generated',
        'report.schedule-updated',
        'report.schedule-deleted',
      ]);
    },
    60_000,
  );
});
