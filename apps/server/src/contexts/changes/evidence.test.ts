/**
 * Test evidence on a change through the real API on SQLite and PostgreSQL: a manual sign-off
 * with two attached files (downloaded back byte for byte, never rendered), an oversized file
 * refused without storing anything, the permissions, evidence not withdrawing an approval, the
 * risk's test-evidence factor, and the export with its verification.
 */
import { createHash } from 'node:crypto';
import type { ChangePlansInput } from '@patchgate/changes';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { manualClock } from '../findings/test-support.ts';
import type { ChangeExport, ExportVerification } from './export.ts';
import type { EvidenceAttachment, EvidenceList, EvidenceRecord } from './evidence-schema.ts';
import type { ApiChange, ChangeDetail } from './schema.ts';
import { call, rolloutPlans } from './test-support.ts';

type TestApp = Awaited<ReturnType<typeof testApp>>['app'];

interface World {
  readonly app: TestApp;
  readonly database: Database;
  /** operator: changes:request and changes:implement. */
  readonly requester: TestCaller;
  /** Another operator. */
  readonly tester: TestCaller;
  readonly owner: TestCaller;
  readonly cab1: TestCaller;
  readonly cab2: TestCaller;
  readonly viewer: TestCaller;
  close(): Promise<void>;
}

const maxEvidenceBytes = 4096;

async function world(open: () => Promise<Database>): Promise<World> {
  const database = await open();
  const clock = manualClock('2026-12-01T09:00:00.000Z');
  const { app } = await testApp(database, clock, { maxEvidenceBytes });
  const admin = await testCaller(database, ['admin'], 'ada-admin');
  const requester = await testCaller(database, ['operator'], 'rita-requester');
  const tester = await testCaller(database, ['operator'], 'toni-tester');
  const owner = await testCaller(database, ['approver'], 'olga-owner');
  const cab1 = await testCaller(database, ['approver'], 'carl-cab');
  const cab2 = await testCaller(database, ['approver'], 'cora-cab');
  const viewer = await testCaller(database, ['viewer'], 'vera-viewer');
  const setUp: [string, string, unknown][] = [
    ['POST', '/api/v1/approver-groups/service-owners/members', { add: ['olga-owner'] }],
    ['POST', '/api/v1/approver-groups/cab/members', { add: ['carl-cab', 'cora-cab'] }],
    [
      'POST',
      '/api/v1/assets',
      { name: 'web-02', osRelease: 'Debian:12', environment: 'production', criticality: 'medium' },
    ],
    [
      'POST',
      '/api/v1/assets/web-02/snapshots',
      { packages: [{ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' }] },
    ],
  ];
  for (const [method, url, payload] of setUp) {
    const response = await app.inject({
      method: method as 'POST',
      url,
      headers: admin.headers,
      payload: payload as Record<string, unknown>,
    });
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.body}`);
  }
  return {
    app,
    database,
    requester,
    tester,
    owner,
    cab1,
    cab2,
    viewer,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

const plans = {
  testPlan: { summary: 'Smoke test on staging first.' },
  ...rolloutPlans,
} satisfies ChangePlansInput;

function upload(
  app: TestApp,
  caller: TestCaller,
  url: string,
  body: Buffer,
  contentType = 'application/octet-stream',
) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...caller.headers, 'content-type': contentType },
    payload: body,
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(testDatabases())('test evidence on $name', ({ open, skip }) => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  async function draft(app: TestApp, requester: TestCaller) {
    return call<ApiChange>(app, requester, 'POST', '/api/v1/changes', 201, {
      title: 'openssl on web-02',
      patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
      plans,
    });
  }

  const factor = (detail: ChangeDetail) =>
    detail.risk.factors.find((f) => f.id === 'test-evidence');

  it.skipIf(skip !== undefined)(
    'a sign-off with two files: downloaded back intact, never rendered; limits and permissions hold',
    async () => {
      w = await world(open);
      const { app, requester, tester, viewer, cab1 } = w;
      const change = await draft(app, requester);
      const base = `/api/v1/changes/${change.number}/evidence`;
      const before = await call(app, viewer, 'GET', `/api/v1/changes/${change.id}`, 200);
      expect(factor(before)).toMatchObject({ points: 15, detail: 'no test evidence' });

      const signOff = await call<EvidenceRecord>(app, requester, 'POST', base, 201, {
        kind: 'manual',
        outcome: 'passed',
        notes: 'Front page and login checked on staging.',
      });
      expect(signOff).toMatchObject({
        kind: 'manual',
        outcome: 'passed',
        seq: 1,
        recordedBy: { name: 'rita-requester' },
        planVersion: 1,
      });

      const log = Buffer.from('all 12 checks passed\n');
      const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
      const first = await upload(
        app,
        requester,
        `${base}/${signOff.id}/attachments?name=smoke.log`,
        log,
        'text/plain',
      );
      expect(first.statusCode, first.body).toBe(201);
      const second = await upload(
        app,
        requester,
        `${base}/${signOff.id}/attachments?name=${encodeURIComponent('../../etc/"evil"\u0000.html')}`,
        html,
        'text/html',
      );
      // A NUL in a declared input is refused before anything is read.
      expect(second.statusCode).toBe(422);
      const third = await upload(
        app,
        requester,
        `${base}/${signOff.id}/attachments?name=${encodeURIComponent('../../etc/"evil"\u202e.html')}`,
        html,
        'text/html; charset=utf-8',
      );
      expect(third.statusCode, third.body).toBe(201);
      const attached = [first.json<EvidenceAttachment>(), third.json<EvidenceAttachment>()];
      expect(attached[0]).toMatchObject({
        name: 'smoke.log',
        mediaType: 'text/plain',
        size: log.length,
        sha256: sha256(log),
      });
      expect(attached[1]).toMatchObject({
        name: '_evil_.html',
        mediaType: 'text/html',
        sha256: sha256(html),
      });

      const list = await call<EvidenceList>(app, viewer, 'GET', base, 200);
      expect(list.evidence).toHaveLength(1);
      expect(list.evidence[0]?.attachments.map((a) => a.sha256).sort()).toEqual(
        [sha256(log), sha256(html)].sort(),
      );
      expect(list.limits.maxAttachmentBytes).toBe(maxEvidenceBytes);

      for (const [attachment, bytes, type] of [
        [attached[0], log, 'text/plain; charset=utf-8'],
        [attached[1], html, 'application/octet-stream'],
      ] as const) {
        const download = await app.inject({
          method: 'GET',
          url: `${base}/${signOff.id}/attachments/${attachment?.id ?? ''}`,
          headers: viewer.headers,
        });
        expect(download.statusCode).toBe(200);
        expect(download.rawPayload.equals(bytes)).toBe(true);
        expect(sha256(download.rawPayload)).toBe(attachment?.sha256);
        expect(download.headers['content-type']).toBe(type);
        expect(download.headers['x-content-type-options']).toBe('nosniff');
        expect(String(download.headers['content-disposition'])).toMatch(/^attachment; filename="/);
      }

      // Too large: 413, nothing stored, nothing audited.
      const big = await upload(
        app,
        requester,
        `${base}/${signOff.id}/attachments?name=big.bin`,
        Buffer.alloc(maxEvidenceBytes + 1, 7),
      );
      expect(big.statusCode).toBe(413);
      expect(big.json<{ detail: string }>().detail).toMatch(/file is larger/);
      const rows = await w.database.db
        .selectFrom('change_evidence_attachments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(2);
      const empty = await upload(
        app,
        requester,
        `${base}/${signOff.id}/attachments`,
        Buffer.alloc(0),
      );
      expect(empty.statusCode).toBe(422);

      // Permissions: viewers and approvers read only; another operator cannot attach to it.
      await call(app, viewer, 'POST', base, 403, { kind: 'manual', outcome: 'passed', notes: 'x' });
      await call(app, cab1, 'POST', base, 403, { kind: 'manual', outcome: 'passed', notes: 'x' });
      expect((await upload(app, viewer, `${base}/${signOff.id}/attachments`, log)).statusCode).toBe(
        403,
      );
      const other = await upload(app, tester, `${base}/${signOff.id}/attachments`, log);
      expect(other.statusCode).toBe(409);
      expect(other.json<{ detail: string }>().detail).toMatch(/only rita-requester/);
      await call(app, viewer, 'GET', `${base}/${signOff.id}/attachments/${signOff.id}`, 404);

      // The risk counts the sign-off; a failed run by another tester counts against it.
      const after = await call(app, viewer, 'GET', `/api/v1/changes/${change.id}`, 200);
      expect(factor(after)).toMatchObject({ points: 0, detail: '1 test result, all passed' });
      expect(after.risk.score).toBeLessThan(before.risk.score);
      expect(after.evidence).toHaveLength(1);
      const run = await call<EvidenceRecord>(app, tester, 'POST', base, 201, {
        kind: 'automated',
        suite: 'smoke',
        passed: 10,
        failed: 2,
        link: 'https://ci.example.org/runs/1',
      });
      expect(run).toMatchObject({
        outcome: 'failed',
        skipped: 0,
        recordedBy: { name: 'toni-tester' },
      });
      const failing = await call(app, viewer, 'GET', `/api/v1/changes/${change.id}`, 200);
      expect(factor(failing)).toMatchObject({ points: 25 });
      // A re-run of the same suite supersedes the failed one.
      await call(app, tester, 'POST', base, 201, {
        kind: 'automated',
        suite: 'smoke',
        passed: 12,
        failed: 0,
      });
      expect(
        factor(await call(app, viewer, 'GET', `/api/v1/changes/${change.id}`, 200)),
      ).toMatchObject({ points: 0 });
      const contradiction = await call<{ errors: { field: string }[] }>(
        app,
        tester,
        'POST',
        base,
        422,
        {
          kind: 'automated',
          suite: 'smoke',
          passed: 1,
          failed: 1,
          outcome: 'passed',
        },
      );
      expect(contradiction.errors.map((e) => e.field)).toContain('body.outcome');

      // Audited, without any file content.
      const audit = await w.database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('subject_id', '=', change.id)
        .where('action', 'like', 'change.evidence-%')
        .execute();
      expect(audit.map((e) => e.action).sort()).toEqual([
        'change.evidence-added',
        'change.evidence-added',
        'change.evidence-added',
        'change.evidence-attached',
        'change.evidence-attached',
      ]);
      const text = JSON.stringify(audit);
      expect(text).toContain(sha256(html));
      expect(text).not.toContain('alert(document.cookie)');
      expect(text).not.toContain('all 12 checks passed');
    },
  );

  it.skipIf(skip !== undefined)(
    'evidence withdraws no approval; a closed change takes none; the export carries and verifies it',
    async () => {
      w = await world(open);
      const { app, requester, owner, cab1, cab2, viewer } = w;
      const change = await draft(app, requester);
      const url = `/api/v1/changes/${change.id}`;
      await call(app, requester, 'POST', `${url}/submit`, 200, {});
      await call(app, owner, 'POST', `${url}/approve`, 200, {});
      await call(app, cab1, 'POST', `${url}/approve`, 200, {});
      const approved = await call(app, cab2, 'POST', `${url}/approve`, 200, {});
      expect(approved.approvals.complete).toBe(true);

      const signOff = await call<EvidenceRecord>(app, requester, 'POST', `${url}/evidence`, 201, {
        kind: 'manual',
        outcome: 'passed',
        notes: 'Checked after approval.',
      });
      const report = Buffer.from('{"passed": 3}');
      const attached = await upload(
        app,
        requester,
        `${url}/evidence/${signOff.id}/attachments?name=report.json`,
        report,
        'application/json',
      );
      expect(attached.statusCode, attached.body).toBe(201);
      const detail = await call(app, viewer, 'GET', url, 200);
      expect(detail.approvals.complete).toBe(true);
      expect(detail.state).toBe(approved.state);
      expect(detail.planVersion).toBe(approved.planVersion);
      expect(detail.history).toEqual(approved.history);
      expect(detail.evidence[0]?.attachments[0]?.sha256).toBe(sha256(report));

      const exported = await call<ChangeExport>(app, viewer, 'GET', `${url}/export`, 200);
      expect(exported.change.evidence[0]).toMatchObject({ id: signOff.id, outcome: 'passed' });
      expect(exported.audit.map((e) => e.action)).toEqual(
        expect.arrayContaining(['change.evidence-added', 'change.evidence-attached']),
      );
      const verified = await call<ExportVerification>(
        app,
        viewer,
        'POST',
        '/api/v1/changes/verify-export',
        200,
        exported,
      );
      expect(verified.ok).toBe(true);
      expect(verified.checks.find((c) => c.name === 'evidence-on-record')).toMatchObject({
        ok: true,
        detail: '1 evidence records and 1 attached files match the record',
      });

      const tampered = structuredClone(exported);
      const file = tampered.change.evidence[0]?.attachments[0];
      if (file === undefined) throw new Error('no attachment exported');
      file.sha256 = sha256(Buffer.from('something else'));
      const refused = await call<ExportVerification>(
        app,
        viewer,
        'POST',
        '/api/v1/changes/verify-export',
        200,
        tampered,
      );
      expect(refused.ok).toBe(false);
      const evidenceCheck = refused.checks.find((c) => c.name === 'evidence-on-record');
      expect(evidenceCheck?.ok).toBe(false);
      expect(evidenceCheck?.detail).toMatch(/report\.json .*hash differs/);

      await call(app, requester, 'POST', `${url}/cancel`, 200, { reason: 'not needed' });
      const closed = await call<{ detail: string }>(
        app,
        requester,
        'POST',
        `${url}/evidence`,
        409,
        {
          kind: 'manual',
          outcome: 'passed',
          notes: 'too late',
        },
      );
      expect(closed.detail).toMatch(/cancelled/);
    },
  );
});
