/**
 * The report runs API on both databases, with the real builders and renderers (chromium for the
 * PDF, read back with pdftotext): a request queues a run and its job; the job makes it (progress
 * on the job, bytes + SHA-256 + size on the run); the content downloads as an attachment with
 * its hash; a regeneration from the recorded inputs has the same figures; a failure is recorded
 * with its reason; bad input is a 4xx naming the field; every step is audited.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { settableClock } from '../jobs/test-support.ts';
import { pdfText, popplerMissing } from './pdf-test-support.ts';
import { drain, findingRow, reportRunner } from './runs-test-support.ts';
import type { ReportRun } from './schema.ts';

const NOW = '2026-12-01T09:00:00.000Z';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(testDatabases())('report runs API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: (App & { context: ServerContext }) | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function world() {
    database = await open();
    const clock = settableClock(NOW);
    built = await testApp(database, clock);
    const { app, context } = built;
    const admin = await testCaller(database, ['admin']);
    const auditor = await testCaller(database, ['auditor']);
    const viewer = await testCaller(database, ['viewer']);
    const asset = await app.inject({
      method: 'POST',
      url: '/api/v1/assets',
      headers: admin.headers,
      payload: { name: 'web-1', environment: 'production', exposure: 'internet' },
    });
    expect(asset.statusCode, asset.body).toBe(201);
    const web1 = {
      id: asset.json<{ id: string }>().id,
      name: 'web-1',
      environment: 'production',
      exposure: 'internet',
    };
    await database.db
      .insertInto('findings')
      .values([
        findingRow(web1, { advisory_id: 'DSA-5001-1', aliases_json: '["CVE-2026-1111"]' }),
        findingRow(web1, {
          package_name: 'curl',
          advisory_id: 'DSA-5002-1',
          aliases_json: '["CVE-2026-2222"]',
          severity: 'high',
          priority: 'P2',
        }),
      ])
      .execute();
    const runner = reportRunner(context);
    return { app, context, clock, admin, auditor, viewer, runner, database };
  }

  const post = (app: App['app'], as: TestCaller, url: string, payload?: unknown) =>
    app.inject({
      method: 'POST',
      url,
      headers: as.headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
  const get = (app: App['app'], as: TestCaller, url: string) =>
    app.inject({ url, headers: as.headers });

  it.skipIf(skip !== undefined)(
    'makes a report by a job, serves its bytes with their hash, regenerates it with the same figures, audits every step',
    async () => {
      const { app, auditor, runner, clock, database: db } = await world();
      const types = await get(app, auditor, '/api/v1/report-types');
      expect(types.statusCode).toBe(200);
      expect(
        types
          .json<{ types: { type: string; needs: string }[] }>()
          .types.map((t) => [t.type, t.needs]),
      ).toEqual([
        ['patch-compliance', 'period'],
        ['change', 'change'],
        ['pci-dss', 'period'],
        ['fedramp-poam', 'period'],
        ['bod-26-04', 'period'],
        ['executive', 'period'],
      ]);

      const requested = await post(app, auditor, '/api/v1/reports', {
        type: 'fedramp-poam',
        format: 'csv',
        scope: { environment: 'production' },
        dataAsOf: '2026-11-30T00:00:00Z',
      });
      expect(requested.statusCode, requested.body).toBe(202);
      const queued = requested.json<ReportRun>();
      expect(queued).toMatchObject({
        type: 'fedramp-poam',
        format: 'csv',
        status: 'queued',
        error: null,
        sha256: null,
        scheduleId: null,
        requestedBy: auditor.username,
        inputs: {
          type: 'fedramp-poam',
          period: null,
          scope: { environment: 'production' },
          dataAsOf: '2026-11-30T00:00:00.000Z',
          policy: null,
        },
      });
      const early = await get(app, auditor, `/api/v1/reports/${queued.id}/content`);
      expect(early.statusCode).toBe(409);
      expect(early.json<{ detail: string }>().detail).toBe(
        `Report ${queued.id} is queued: its content is not made yet`,
      );

      expect(await drain(runner)).toEqual(['reports.generate:succeeded']);
      const made = (await get(app, auditor, `/api/v1/reports/${queued.id}`)).json<ReportRun>();
      expect(made).toMatchObject({
        status: 'succeeded',
        title: expect.stringContaining('POA&M') as string,
        contentType: 'text/csv; charset=utf-8; header=present',
        filename: 'fedramp-poam-production-2026-11-30.csv',
        progress: null,
      });
      expect(made.inputs.policy).not.toBeNull();
      // The job reported the builder's steps, then rendering and storing.
      const job = await get(app, auditor, `/api/v1/jobs/${made.jobId ?? ''}`);
      const progress = job.json<{ progress: { done: number; total: number; message: string } }>()
        .progress;
      expect(progress.message).toBe('storing');
      expect(progress.total - progress.done).toBe(1);

      const content = await get(app, auditor, `/api/v1/reports/${queued.id}/content`);
      expect(content.statusCode).toBe(200);
      const bytes = content.rawPayload;
      expect({
        type: content.headers['content-type'],
        disposition: content.headers['content-disposition'],
        sha: content.headers['x-patchgate-sha256'],
        size: bytes.length,
      }).toEqual({
        type: 'text/csv; charset=utf-8; header=present',
        disposition:
          'attachment; filename="fedramp-poam-production-2026-11-30.csv"; filename*=UTF-8\'\'fedramp-poam-production-2026-11-30.csv',
        sha: made.sha256,
        size: made.sizeBytes,
      });
      expect(sha256(bytes)).toBe(made.sha256);
      const csv = bytes.toString('utf8');
      expect(csv.split('\r\n')[0]).toMatch(/^POAM ID,Controls,Weakness Name,/);
      expect(csv).toContain('CVE-2026-1111');
      expect(csv).toContain('CVE-2026-2222');

      // Regenerated from the recorded inputs: the same data-as-of, the same rows.
      clock.advance(60);
      const again = await post(app, auditor, `/api/v1/reports/${queued.id}/regenerate`);
      expect(again.statusCode, again.body).toBe(202);
      const second = again.json<ReportRun>();
      expect(second.id).not.toBe(queued.id);
      expect(second.inputs).toEqual(made.inputs);
      expect(await drain(runner)).toEqual(['reports.generate:succeeded']);
      const secondContent = await get(app, auditor, `/api/v1/reports/${second.id}/content`);
      expect(secondContent.rawPayload.toString('utf8')).toBe(csv);

      const list = await get(app, auditor, '/api/v1/reports?limit=1');
      const page1 = list.json<{ reports: ReportRun[]; nextCursor: string | null }>();
      expect(page1.reports.map((r) => r.id)).toEqual([second.id]);
      const page2 = (
        await get(app, auditor, `/api/v1/reports?limit=1&cursor=${page1.nextCursor ?? ''}`)
      ).json<{ reports: ReportRun[]; nextCursor: string | null }>();
      expect(page2).toMatchObject({ reports: [{ id: queued.id }], nextCursor: null });
      expect(
        (await get(app, auditor, '/api/v1/reports?status=failed')).json<{ reports: [] }>().reports,
      ).toEqual([]);

      const audit = await db.db
        .selectFrom('audit_events')
        .select(['action', 'subject_id', 'actor_name'])
        .where('subject_type', '=', 'report')
        .orderBy('seq')
        .execute();
      expect(audit).toEqual([
        { action: 'report.requested', subject_id: queued.id, actor_name: auditor.username },
        { action: 'report.generated', subject_id: queued.id, actor_name: 'system' },
        { action: 'report.downloaded', subject_id: queued.id, actor_name: auditor.username },
        { action: 'report.requested', subject_id: second.id, actor_name: auditor.username },
        { action: 'report.generated', subject_id: second.id, actor_name: 'system' },
        { action: 'report.downloaded', subject_id: second.id, actor_name: auditor.username },
      ]);
    },
  );

  it.skipIf(skip !== undefined || popplerMissing() !== undefined)(
    'prints a PDF, showing the step while it runs; its text has the title and the figures',
    async () => {
      const { app, auditor, runner } = await world();
      const requested = await post(app, auditor, '/api/v1/reports', {
        type: 'fedramp-poam',
        format: 'pdf',
      });
      expect(requested.statusCode, requested.body).toBe(202);
      const { id } = requested.json<ReportRun>();
      // Followed while its job runs: the run shows the step (printing takes chromium a while).
      const running = drain(runner);
      const seen = new Set<string>();
      for (let run = requested.json<ReportRun>(); run.status !== 'succeeded';) {
        expect(run.status).not.toBe('failed');
        if (run.progress !== null) seen.add(`${run.status}: ${run.progress.step}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        run = (await get(app, auditor, `/api/v1/reports/${id}`)).json<ReportRun>();
      }
      expect(await running).toEqual(['reports.generate:succeeded']);
      expect(seen).toContain('running: rendering PDF');
      const made = (await get(app, auditor, `/api/v1/reports/${id}`)).json<ReportRun>();
      expect(made.progress).toBeNull();
      const content = await get(app, auditor, `/api/v1/reports/${id}/content`);
      expect(content.headers['content-type']).toBe('application/pdf');
      const bytes = content.rawPayload;
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(sha256(bytes)).toBe(made.sha256);
      const text = pdfText(bytes);
      expect(text).toContain(made.title);
      // The figures and the open weaknesses (the PDF shows the template's main columns).
      expect(text).toMatch(/Open POA&M items\s+Past their scheduled/);
      expect(text).toMatch(/DSA-5001-1:\s+web-1/);
      expect(text).toMatch(/DSA-5002-1:\s+web-1/);
      expect(text).toContain('Page 1 of');
    },
    120_000,
  );

  it.skipIf(skip !== undefined)(
    'records a failure with its reason, and refuses bad requests with the field at fault',
    async () => {
      const { app, admin, auditor, viewer, runner, database: db } = await world();
      // A change that does not exist: refused at once, no run recorded.
      const unknown = await post(app, auditor, '/api/v1/reports', {
        type: 'change',
        format: 'json',
        change: 'CHG-9999',
      });
      expect(unknown.statusCode, unknown.body).toBe(404);
      expect(unknown.json<{ detail: string }>().detail).toContain('CHG-9999');
      // A PDF on a server whose chromium is missing: the run fails and says how to fix it.
      const failing = await post(app, auditor, '/api/v1/reports', {
        type: 'fedramp-poam',
        format: 'pdf',
      });
      expect(failing.statusCode, failing.body).toBe(202);
      const { id } = failing.json<ReportRun>();
      const chromium = process.env['PATCHGATE_CHROMIUM'];
      process.env['PATCHGATE_CHROMIUM'] = '/nonexistent/chromium';
      try {
        expect(await drain(runner)).toEqual(['reports.generate:succeeded']);
      } finally {
        if (chromium === undefined) delete process.env['PATCHGATE_CHROMIUM'];
        else process.env['PATCHGATE_CHROMIUM'] = chromium;
      }
      const failed = (await get(app, auditor, `/api/v1/reports/${id}`)).json<ReportRun>();
      expect(failed).toMatchObject({ status: 'failed', sha256: null, progress: null });
      expect(failed.error).toContain('apt-get install chromium');
      const content = await get(app, auditor, `/api/v1/reports/${id}/content`);
      expect(content.statusCode).toBe(409);
      expect(content.json<{ detail: string }>().detail).toBe(
        `Report ${id} failed: it has no content (regenerate it)`,
      );
      const events = await db.db
        .selectFrom('audit_events')
        .select(['action', 'after_json'])
        .where('subject_id', '=', id)
        .orderBy('seq')
        .execute();
      expect(events.map((e) => e.action)).toEqual(['report.requested', 'report.failed']);
      expect(events[1]?.after_json).toContain('/nonexistent/chromium');

      const refusals: [unknown, number, string][] = [
        [{ type: 'pci-dss', format: 'pdf' }, 422, 'body.period'],
        [
          { type: 'pci-dss', format: 'pdf', period: { from: '2026-12-01', to: '2026-11-01' } },
          422,
          'body.period.to',
        ],
        [{ type: 'change', format: 'pdf' }, 422, 'body.change'],
        [
          {
            type: 'pci-dss',
            format: 'csv',
            period: { from: '2026-09-01', to: '2026-11-30' },
            change: 'CHG-0001',
          },
          422,
          'body.change',
        ],
        [{ type: 'weekly', format: 'pdf' }, 422, 'body.type'],
        [{ type: 'pci-dss', format: 'docx' }, 422, 'body.format'],
        [
          { type: 'pci-dss', format: 'csv', period: { from: '2026-02-30', to: '2026-03-01' } },
          422,
          'body.period.from',
        ],
      ];
      for (const [payload, status, field] of refusals) {
        const response = await post(app, auditor, '/api/v1/reports', payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(status);
        const problem = response.json<{ errors?: { field: string }[] }>();
        expect(
          problem.errors?.map((e) => e.field),
          JSON.stringify(payload),
        ).toContain(field);
      }
      expect(
        (
          await post(app, viewer, '/api/v1/reports', {
            type: 'bod-26-04',
            format: 'json',
          })
        ).statusCode,
      ).toBe(403);
      expect((await get(app, admin, '/api/v1/reports/nope')).statusCode).toBe(404);
      expect((await post(app, admin, '/api/v1/reports/nope/regenerate')).statusCode).toBe(404);
      expect((await get(app, admin, '/api/v1/reports/nope/content')).statusCode).toBe(404);
      expect((await get(app, admin, '/api/v1/reports?cursor=zzz')).statusCode).toBe(422);
    },
  );
});
