/**
 * Verification and the review's facts on both databases, with the rollouts context's real
 * driver and the agents context's real tasks: installs verified against the patches (a wrong
 * version is not confirmed, and claims no fix), reboot pending until a heartbeat after the
 * install says none is required; when the rollout ends, the review pre-filled with planned vs
 * actual times, hosts per wave, the failure with its log excerpt and the rollback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerJobs } from '../../main.ts';
import { JobRunner } from '../jobs/index.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { ChangeDetail } from '../changes/index.ts';
import { rolloutDetail } from './index.ts';
import { prefillReviewOnRolloutEnd } from './verification-jobs.ts';
import { prefillReviewOf } from './review.ts';
import { checkReboots, onInstallTaskFinished } from './verification.ts';
import type { VerificationReport } from './verification-schema.ts';
import type { RolloutWorld } from './test-support.ts';
import { T0, call, plansWith, rolloutWorld, scheduledChange, settle } from './test-support.ts';

const check = { kind: 'command', command: 'true' };
const minutes = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();

describe.each(testDatabases())('verification and review on $name', ({ open, skip }) => {
  let world: RolloutWorld | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await world?.close();
    world = undefined;
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  const installTasks = (w: RolloutWorld) =>
    w.database.db
      .selectFrom('agent_tasks')
      .selectAll()
      .where('kind', '=', 'install')
      .orderBy('created_at')
      .execute();

  /** Deliver agent.task-finished for a finished install to the verify part. */
  const verify = (w: RolloutWorld, task: Awaited<ReturnType<typeof installTasks>>[number]) =>
    onInstallTaskFinished(w.context, {
      taskId: task.id,
      agentId: task.agent_id,
      assetId: task.asset_id,
      kind: 'install',
      outcome: 'succeeded',
      rolloutId: task.rollout_id,
    });

  /** Rewrite an install's stored result as the agent would have reported it. */
  const amendResult = async (
    w: RolloutWorld,
    taskId: string,
    amend: (data: Record<string, unknown>) => Record<string, unknown>,
  ) => {
    const row = await w.database.db
      .selectFrom('agent_tasks')
      .select('result_json')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    const result = JSON.parse(row.result_json ?? '{}') as { data: Record<string, unknown> };
    await w.database.db
      .updateTable('agent_tasks')
      .set({ result_json: JSON.stringify({ ...result, data: amend(result.data) }) })
      .where('id', '=', taskId)
      .execute();
  };

  it.skipIf(skip !== undefined)(
    'verifies each install against the patches, claims the fix, tracks the reboot until a later heartbeat clears it',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1', 'web-2']));
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([
          { name: 'all', assets: ['web-1', 'web-2'], concurrency: 2, healthChecks: [check] },
        ]),
        minutes(10),
      );
      w.clock.set(minutes(10));
      await settle(w, w.driver());
      const installs = await installTasks(w);
      expect(installs).toHaveLength(2);
      const of = (name: string) => installs.find((t) => t.asset_id === w.hosts[name])!;
      // web-1's agent reported success but the package stayed at 1.0; web-2 needs a reboot.
      await amendResult(w, of('web-1').id, (d) => ({
        ...d,
        after: [{ name: 'pg-demo-service', version: '1.0' }],
      }));
      await amendResult(w, of('web-2').id, (d) => ({ ...d, rebootRequired: true }));
      w.clock.set(minutes(20));
      for (const task of installs) {
        await verify(w, task);
        await verify(w, task); // a repeated event records nothing twice
      }
      const report = await call<VerificationReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${changeId}/verification`,
        200,
      );
      expect(report.hosts).toMatchObject([
        {
          assetName: 'web-1',
          confirmed: false,
          mismatches: [{ name: 'pg-demo-service', expected: '1.1', actual: '1.0' }],
          rebootPending: false,
        },
        {
          assetName: 'web-2',
          confirmed: true,
          expected: [{ name: 'pg-demo-service', version: '1.1' }],
          after: [{ name: 'pg-demo-service', version: '1.1' }],
          mismatches: [],
          rebootPending: true,
        },
      ]);
      expect(report.rebootPending).toEqual(['web-2']);
      // The fix claims left with the findings context: only confirmed packages count.
      const claims = await w.database.db
        .selectFrom('finding_fix_claims')
        .select(['asset_id', 'change_id', 'packages_json'])
        .execute();
      claims.sort((a, b) => a.packages_json.length - b.packages_json.length);
      expect(claims).toEqual([
        { asset_id: w.hosts['web-1'], change_id: changeId, packages_json: '[]' },
        { asset_id: w.hosts['web-2'], change_id: changeId, packages_json: '["pg-demo-service"]' },
      ]);
      // The last heartbeat predates the install: the reboot stays pending.
      expect(await checkReboots(w.context)).toEqual([]);
      // A later heartbeat still says reboot required; then one that says none is.
      const heartbeat = (rebootRequired: boolean, at: string) =>
        w.database.db
          .updateTable('agents')
          .set({ reboot_required: rebootRequired ? 1 : 0, last_seen_at: at, last_heartbeat_at: at })
          .where('asset_id', '=', w.hosts['web-2'] ?? '')
          .execute();
      await heartbeat(true, minutes(21));
      expect(await checkReboots(w.context)).toEqual([]);
      await heartbeat(false, minutes(25));
      w.clock.set(minutes(26));
      expect(await checkReboots(w.context)).toEqual([of('web-2').id]);
      const after = await call<VerificationReport>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${changeId}/verification`,
        200,
      );
      expect(after.rebootPending).toEqual([]);
      expect(after.hosts[1]).toMatchObject({ rebootPending: false, rebootClearedAt: minutes(26) });
      const audits = await w.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'in', ['change.host-verified', 'change.host-rebooted'])
        .orderBy('seq')
        .execute();
      expect(audits.map((a) => a.action)).toEqual([
        'change.host-verified',
        'change.host-verified',
        'change.host-rebooted',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'end to end: findings of the change closed by the rescan’s reconcile carry the change; the review counts them',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1', 'web-2']));
      const runner = new JobRunner(w.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerJobs(runner, w.context);
      const drain = async () => {
        for (let outcome = await runner.runOnce(); outcome; outcome = await runner.runOnce());
      };
      // A real OSV record: pg-demo-service before 1.1 is affected; synced, reconciled.
      const dir = mkdtempSync(join(tmpdir(), 'patchgate-osv-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(
        join(dir, 'PGDEMO-2026-0001.json'),
        JSON.stringify({
          schema_version: '1.6.0',
          id: 'PGDEMO-2026-0001',
          modified: '2026-12-01T00:00:00Z',
          published: '2026-12-01T00:00:00Z',
          aliases: ['CVE-2026-99001'],
          summary: 'pg-demo-service: remote crash, fixed in 1.1',
          affected: [
            {
              package: { ecosystem: 'Debian:12', name: 'pg-demo-service' },
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1' }] }],
            },
          ],
        }),
      );
      const source = await call<{ id: string }>(
        w.app,
        w.admin,
        'POST',
        '/api/v1/advisory-sources',
        201,
        { name: 'pg-demo', kind: 'osv-directory', path: dir },
      );
      await call(w.app, w.admin, 'POST', `/api/v1/advisory-sources/${source.id}/sync`, 202);
      await drain();
      const findings = () =>
        call<{ findings: { id: string; state: string; fixedByChangeId: string | null }[] }>(
          w.app,
          w.viewer,
          'GET',
          '/api/v1/findings?status=all&package=pg-demo-service',
          200,
        ).then((r) => r.findings);
      expect((await findings()).map((f) => f.state)).toEqual(['open', 'open']);

      // The change from those findings, approved and scheduled; its rollout runs.
      const change = await call<{ id: string }>(
        w.app,
        w.requester,
        'POST',
        '/api/v1/changes',
        201,
        {
          title: 'pg-demo-service 1.1 (PGDEMO-2026-0001)',
          findings: { package: 'pg-demo-service' },
          plans: plansWith([
            { name: 'all', assets: ['web-1', 'web-2'], concurrency: 2, healthChecks: [check] },
          ]),
        },
      );
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/schedule`, 200, {
        start: minutes(10),
        end: minutes(70),
      });
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/evidence`, 201, {
        kind: 'automated',
        suite: 'lab',
        passed: 12,
        failed: 0,
      });
      await call(w.app, w.requester, 'POST', `/api/v1/changes/${change.id}/submit`, 200, {});
      const approved = await call<{ state: string }>(
        w.app,
        w.owner,
        'POST',
        `/api/v1/changes/${change.id}/approve`,
        200,
        {},
      );
      expect(approved.state).toBe('scheduled');
      w.clock.set(minutes(10));
      await settle(w, w.driver());
      await drain(); // rollout.progressed completed → main.ts's subscription → the review's facts
      const atEnd = await call<ChangeDetail>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${change.id}`,
        200,
      );
      expect(atEnd.reviewFacts).toMatchObject({
        outcome: 'completed',
        findings: { linked: 2, closed: 0, dueMissed: 0 },
      });
      const installs = await installTasks(w);
      expect(installs.map((t) => JSON.parse(t.payload) as unknown)).toMatchObject([
        { packages: [{ name: 'pg-demo-service', version: '1.1' }], changeId: change.id },
        { packages: [{ name: 'pg-demo-service', version: '1.1' }], changeId: change.id },
      ]);
      for (const task of installs) await verify(w, task);
      // The agents' rescans: the hosts now have 1.1 (as the agent's inventory upload records it).
      w.clock.set(minutes(12));
      for (const name of ['web-1', 'web-2'])
        await call(w.app, w.admin, 'POST', `/api/v1/assets/${name}/snapshots`, 201, {
          packages: [{ ecosystem: 'Debian:12', name: 'pg-demo-service', version: '1.1' }],
        });
      await drain(); // inventory.snapshot-recorded → reconcile → the claims apply
      expect(await findings()).toMatchObject([
        { state: 'fixed', fixedByChangeId: change.id },
        { state: 'fixed', fixedByChangeId: change.id },
      ]);
      const detail = await rolloutDetail(w.database.db, change.id);
      const facts = await prefillReviewOf(w.context, {
        rolloutId: detail?.id ?? '',
        changeId: change.id,
        kind: 'completed',
      });
      expect(facts?.findings).toMatchObject({
        linked: 2,
        closed: 2,
        closedByChange: 2,
        dueMet: 2,
        dueMissed: 0,
      });
      expect(facts?.findings.items.map((i) => [i.advisory, i.fixedByChange, i.due])).toEqual([
        ['PGDEMO-2026-0001', true, 'met'],
        ['PGDEMO-2026-0001', true, 'met'],
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'pre-fills the review when the rollout ends: times, hosts per wave, the failure with its log, the rollback',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1', 'web-2', 'web-3']));
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2', 'web-3'],
        plansWith([
          {
            name: 'canary',
            assets: ['web-1'],
            concurrency: 1,
            healthChecks: [check],
            onFailure: 'rollback',
          },
          { name: 'rest', assets: ['web-2', 'web-3'], concurrency: 2, healthChecks: [check] },
        ]),
        minutes(10),
      );
      w.clock.set(minutes(15));
      const answered = await settle(w, w.driver(), {
        'web-1': { 'health-check': { verdict: 'fail' } },
      });
      const failedCheck = answered.find((t) => t.kind === 'health-check');
      expect(failedCheck?.agent_task_id).toBeDefined();
      // The agent streamed its check's output (as the agents context stores task events).
      await w.database.db
        .insertInto('agent_task_events')
        .values(
          [
            'curl: (7) Failed to connect to 127.0.0.1 port 8080',
            'check http failed after 3 attempts',
          ].map((line, seq) => ({
            task_id: failedCheck?.agent_task_id ?? '',
            seq,
            at: minutes(15),
            type: 'log',
            step: 'health-checks',
            stream: 'stdout',
            line,
            received_at: minutes(15),
          })),
        )
        .execute();
      const detail = await rolloutDetail(w.database.db, changeId);
      expect(detail).toBeDefined();
      const ending = ['completed', 'rolled-back', 'aborted', 'halted'];
      // The job is queued for an ending only.
      expect(
        prefillReviewOnRolloutEnd.payload({
          rolloutId: detail!.id,
          changeId,
          kind: 'wave-started',
        }),
      ).toBeUndefined();
      const kind = ending.includes(detail!.phase.replace('_', '-'))
        ? detail!.phase.replace('_', '-')
        : 'halted';
      expect(prefillReviewOnRolloutEnd.payload({ rolloutId: detail!.id, changeId, kind })).toEqual({
        rolloutId: detail!.id,
        changeId,
        kind,
      });
      w.clock.set(minutes(40));
      await prefillReviewOf(w.context, { rolloutId: detail!.id, changeId, kind });
      const change = await call<ChangeDetail>(
        w.app,
        w.viewer,
        'GET',
        `/api/v1/changes/${changeId}`,
        200,
      );
      const facts = change.reviewFacts;
      expect(facts).toMatchObject({
        rolloutId: detail!.id,
        outcome: detail!.phase,
        planned: { start: minutes(10), end: minutes(70) },
        actual: { start: detail!.startedAt },
        startDelayMinutes: 5,
      });
      expect(
        facts?.waves.map((wave) => [wave.name, wave.hosts.map((h) => [h.assetName, h.outcome])]),
      ).toEqual(detail!.waves.map((wave) => [wave.name, wave.hosts.map((h) => [h.name, h.state])]));
      expect(facts?.waves[0]?.hosts[0]).toMatchObject({
        assetName: 'web-1',
        before: [{ name: 'pg-demo-service', version: '1.0' }],
        after: [{ name: 'pg-demo-service', version: '1.1' }],
      });
      expect(facts?.failures).toEqual([
        {
          assetId: w.hosts['web-1'],
          assetName: 'web-1',
          wave: 'canary',
          taskId: failedCheck?.agent_task_id,
          kind: 'health-check',
          step: null,
          detail: 'health check fail',
          log: [
            'curl: (7) Failed to connect to 127.0.0.1 port 8080',
            'check http failed after 3 attempts',
          ],
        },
      ]);
      expect(facts?.rollbacks).toMatchObject([
        {
          assetName: 'web-1',
          outcome: 'succeeded',
          restored: [{ name: 'pg-demo-service', version: '1.0' }],
        },
      ]);
      // The later waves were never touched.
      expect(facts?.waves[1]?.hosts.every((h) => h.after.length === 0)).toBe(true);
      expect(facts?.findings).toMatchObject({ linked: 0, closed: 0, dueMet: 0, dueMissed: 0 });
      const audit = await w.database.db
        .selectFrom('audit_events')
        .select(['action', 'subject_id'])
        .where('action', '=', 'change.review-prefilled')
        .execute();
      expect(audit).toEqual([{ action: 'change.review-prefilled', subject_id: changeId }]);
    },
  );
});
