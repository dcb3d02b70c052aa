/**
 * The change report on both databases: a real change made, approved and scheduled through the
 * API, test evidence recorded, rolled out by the real driver over two waves (an obliging agent
 * answering its tasks; web-1's install reports a backup manifest), then the report: request,
 * approvals with the plan version and hash they approved, evidence, backup, per-host versions
 * before and after, history, and the audit excerpt whose every hash is recomputed — and a forged
 * event breaks the proof.
 */
import { sql } from 'kysely';
import type { ReportDocument } from '@patchgate/report';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../../test/databases.ts';
import type { RolloutWorld } from '../../rollouts/test-support.ts';
import {
  T0,
  call,
  plansWith,
  rolloutWorld,
  scheduledChange,
  settle,
} from '../../rollouts/test-support.ts';
import { NotFoundError } from '../../../http/problems.ts';
import { buildReport } from '../index.ts';

const minutes = (n: number) => new Date(Date.parse(T0) + n * 60_000).toISOString();
const check = { kind: 'command', command: 'true' };

function tableRows(doc: ReportDocument, name: string) {
  for (const section of doc.sections)
    for (const block of section.blocks)
      if (block.kind === 'table' && block.name === name) return block.rows;
  throw new Error(`no table ${name}`);
}

describe.each(testDatabases())('the change report on $name', ({ open, skip }) => {
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function implemented() {
    const w = (world = await rolloutWorld(open, ['web-1', 'web-2']));
    const changeId = await scheduledChange(
      w,
      ['web-1', 'web-2'],
      plansWith([
        { name: 'canary', assets: ['web-1'], concurrency: 1, healthChecks: [check] },
        { name: 'rest', assets: ['web-2'], concurrency: 1, healthChecks: [check] },
      ]),
      minutes(10),
    );
    await call(w.app, w.requester, 'POST', `/api/v1/changes/${changeId}/evidence`, 201, {
      kind: 'automated',
      suite: 'lab smoke',
      passed: 12,
      failed: 0,
    });
    const driver = w.driver();
    w.clock.set(minutes(10));
    await settle(w, driver);
    // web-1's agent reported the backup it took before installing (as the agents context stores it).
    const install = await w.database.db
      .selectFrom('agent_tasks')
      .select(['id', 'result_json'])
      .where('asset_id', '=', w.hosts['web-1'] ?? '')
      .where('kind', '=', 'install')
      .executeTakeFirstOrThrow();
    const result = JSON.parse(install.result_json ?? '{}') as { data: Record<string, unknown> };
    result.data['backup'] = {
      backupId: '7d0c3b9e-1111-4222-8333-944445555666',
      installTaskId: install.id,
      createdAt: minutes(10),
      expiresAt: minutes(10 + 7 * 24 * 60),
      packages: [
        { name: 'pg-demo-service', version: '1.0' },
        { name: 'libc6', version: '2.36-9' },
      ],
      archive: {
        path: '/var/lib/patchgate/backups/7d0c.tar.gz',
        sha256: 'a'.repeat(64),
        bytes: 2048,
        paths: ['/etc/pg-demo'],
        files: 3,
      },
      hooks: [{ name: 'snapshot', exitCode: 0 }],
    };
    await w.database.db
      .updateTable('agent_tasks')
      .set({ result_json: JSON.stringify(result) })
      .where('id', '=', install.id)
      .execute();
    w.clock.set(minutes(120));
    return { w, changeId };
  }

  it.skipIf(skip !== undefined)(
    'records the request, approvals, evidence, backup, per-host results and a verified audit excerpt',
    async () => {
      const { w, changeId } = await implemented();
      const number = (
        await call<{ number: string }>(w.app, w.viewer, 'GET', `/api/v1/changes/${changeId}`, 200)
      ).number;
      const doc = await buildReport(w.context, { type: 'change', change: number });
      expect(doc.inputs).toMatchObject({
        type: 'change',
        period: null,
        change: { id: changeId, number },
        dataAsOf: minutes(120),
      });
      expect(doc.title).toBe(`Change report ${number}: pg-demo-service 1.1`);
      expect(doc.figures).toMatchObject({
        changeNumber: number,
        changeType: 'normal',
        changeState: 'review',
        planVersion: 1,
        approvals: 1,
        testEvidence: 1,
        hosts: 2,
        hostsSucceeded: 2,
        hostsFailed: 0,
        hostsRolledBack: 0,
        backups: 1,
        auditChainVerified: 'yes',
      });
      const approvals = tableRows(doc, 'approvals');
      expect(approvals).toEqual([
        expect.objectContaining({
          approver: 'olga-owner',
          decision: 'approved',
          planVersion: 1,
          currentPlan: true,
          planHash: tableRows(doc, 'planVersions')[0]?.['hash'],
        }),
      ]);
      expect(tableRows(doc, 'testEvidence')).toEqual([
        expect.objectContaining({
          kind: 'automated',
          suite: 'lab smoke',
          passed: 12,
          failed: 0,
          outcome: 'passed',
          planVersion: 1,
        }),
      ]);
      expect(tableRows(doc, 'backups')).toEqual([
        {
          host: 'web-1',
          backupId: '7d0c3b9e-1111-4222-8333-944445555666',
          createdAt: minutes(10),
          expiresAt: minutes(10 + 7 * 24 * 60),
          packages: 2,
          archive: `/var/lib/patchgate/backups/7d0c.tar.gz (3 files, 2048 bytes, sha256 ${'a'.repeat(64)})`,
          hooks: 'snapshot: exit 0',
        },
        {
          host: 'web-2',
          backupId: null,
          createdAt: null,
          expiresAt: null,
          packages: null,
          archive: null,
          hooks: null,
        },
      ]);
      expect(
        doc.csv.rows.map((r) => [r['wave'], r['host'], r['state'], r['before'], r['after']]),
      ).toEqual([
        ['canary', 'web-1', 'succeeded', 'pg-demo-service 1.0', 'pg-demo-service 1.1'],
        ['rest', 'web-2', 'succeeded', 'pg-demo-service 1.0', 'pg-demo-service 1.1'],
      ]);
      expect(doc.csv.columns.map((c) => c.key)).toEqual([
        'wave',
        'host',
        'state',
        'startedAt',
        'finishedAt',
        'before',
        'after',
        'restored',
        'backup',
        'tasks',
      ]);
      expect(tableRows(doc, 'transitions').map((t) => [t['from'], t['to'], t['action']])).toEqual([
        [null, 'draft', 'create'],
        ['draft', 'submitted', 'submit'],
        ['submitted', 'authorise', 'assess'],
        ['authorise', 'scheduled', 'approve'],
        ['scheduled', 'implementing', 'start'],
        ['implementing', 'review', 'complete'],
      ]);
      const audit = tableRows(doc, 'audit');
      expect(audit.length).toBeGreaterThan(5);
      expect(audit.map((e) => e['action'])).toContain('change.created');
      expect(
        audit.every((e) => e['verified'] === true && /^[0-9a-f]{64}$/.test(String(e['hash']))),
      ).toBe(true);
      const seqs = audit.map((e) => Number(e['seq']));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(doc.warnings).toEqual([]);

      // The same report as of the approval: no rollout events, no evidence yet after it.
      const early = await buildReport(w.context, {
        type: 'change',
        change: changeId,
        dataAsOf: minutes(0),
      });
      expect(early.figures['testEvidence']).toBe(1);
      expect(tableRows(early, 'audit').length).toBeLessThan(audit.length);
    },
  );

  it.skipIf(skip !== undefined)('a forged audit event breaks the proof', async () => {
    const { w, changeId } = await implemented();
    const db = w.database.db;
    if (w.database.dialect === 'sqlite') await sql`DROP TRIGGER audit_events_no_update`.execute(db);
    else await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`.execute(db);
    const first = await db
      .selectFrom('audit_events')
      .select('seq')
      .where('subject_type', '=', 'change')
      .where('subject_id', '=', changeId)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('audit_events')
      .set({ actor_name: 'mallory' })
      .where('seq', '=', first.seq)
      .execute();
    const doc = await buildReport(w.context, { type: 'change', change: changeId });
    expect(doc.figures['auditChainVerified']).toBe('no');
    expect(tableRows(doc, 'audit').find((e) => e['seq'] === Number(first.seq))?.['verified']).toBe(
      false,
    );
    expect(doc.warnings).toEqual([
      expect.stringContaining('The audit chain does not verify at event'),
    ]);
  });

  it.skipIf(skip !== undefined)(
    'an unknown change is not found; a change without rollout warns',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1']));
      await expect(
        buildReport(w.context, { type: 'change', change: 'CHG-9999' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      const id = await scheduledChange(
        w,
        ['web-1'],
        plansWith([{ name: 'all', assets: ['web-1'] }]),
        minutes(60),
      );
      const doc = await buildReport(w.context, { type: 'change', change: id });
      expect(doc.figures).toMatchObject({
        hosts: 0,
        changeState: 'scheduled',
        auditChainVerified: 'yes',
      });
      expect(doc.warnings).toEqual([
        expect.stringContaining('no rollout yet'),
        expect.stringContaining('No test evidence'),
      ]);
    },
  );
});
