/**
 * Verification after an install (issue 9, seed step "Post-Deployment Verification"; ADR 0039).
 *
 * When an install task succeeds (`agent.task-finished`), the versions the agent reports
 * afterwards (`after`) are checked against the patches' exact versions and recorded per host;
 * the packages confirmed leave a fix claim with the findings context (`recordFixClaim`), so the
 * reconcile of the install's rescan (snapshot → `inventory.snapshot-recorded` → reconcile)
 * closes their findings with the change as the evidence, whichever of the two comes first.
 * A reboot the install left pending is tracked until the agent's heartbeat says none is
 * required (`checkReboots`, a scheduled job).
 */
import type { Transaction } from 'kysely';
import type { ServerContext } from '../../context.ts';
import { timestamp } from '../../clock.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { DomainEventData } from '../../events/index.ts';
import { agentTask, agentsForAssets } from '../agents/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import { changePatchPlan } from '../changes/index.ts';
import { recordFixClaim } from '../findings/index.ts';
import type { HostVerification, VerificationReport } from './verification-schema.ts';
import type { RolloutVerificationTable } from './verification-tables.ts';
import { transactionRetryingDeadlocks } from '../../db/database.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;
type Trx = Transaction<DatabaseSchema>;

interface Target {
  readonly name: string;
  readonly version: string;
}
interface Installed {
  readonly name: string;
  readonly version: string | null;
}

/** The patches not at their exact version afterwards (empty: confirmed). */
export function versionMismatches(
  expected: readonly Target[],
  after: readonly Installed[],
): { name: string; expected: string; actual: string | null }[] {
  const found = new Map(after.map((p) => [p.name, p.version] as const));
  return expected.flatMap((target) => {
    const actual = found.get(target.name) ?? null;
    return actual === target.version
      ? []
      : [{ name: target.name, expected: target.version, actual }];
  });
}

/**
 * Verify a succeeded install task: versions, the fix claim, reboot pending; audited, once per
 * task (a repeated event records nothing twice). Anything else is left alone.
 */
export async function onInstallTaskFinished(
  ctx: Ctx,
  data: DomainEventData<'agent.task-finished'>,
): Promise<void> {
  if (data.kind !== 'install' || data.outcome !== 'succeeded') return;
  const task = await agentTask(ctx.database, data.taskId);
  if (task === undefined || task.changeId === null || task.payload.kind !== 'install') return;
  const resultData = task.result?.data;
  if (resultData?.kind !== 'install' || task.result?.dryRun === true) return;
  const changeId = task.changeId;
  const expected = task.payload.packages.map((p) => ({ name: p.name, version: p.version }));
  const mismatches = versionMismatches(expected, resultData.after);
  const rebootPending = resultData.rebootRequired && !resultData.rebooted;
  const now = timestamp(ctx.clock);
  const row: RolloutVerificationTable = {
    task_id: task.taskId,
    change_id: changeId,
    rollout_id: task.rolloutId,
    asset_id: task.assetId,
    expected_json: JSON.stringify(expected),
    after_json: JSON.stringify(resultData.after),
    confirmed: mismatches.length === 0 ? 1 : 0,
    mismatches_json: JSON.stringify(mismatches),
    reboot_pending: rebootPending ? 1 : 0,
    rebooted: resultData.rebooted ? 1 : 0,
    reboot_cleared_at: null,
    installed_at: task.createdAt,
    recorded_at: now,
  };
  await transactionRetryingDeadlocks(ctx.database, async (trx: Trx) => {
    const inserted = await trx
      .insertInto('rollout_verifications')
      .values(row)
      .onConflict((oc) => oc.column('task_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    const wrong = new Set(mismatches.map((m) => m.name));
    const confirmedPackages = expected.filter((p) => !wrong.has(p.name)).map((p) => p.name);
    const claimed = await recordFixClaim(trx, ctx.database.dialect, ctx.clock, {
      assetId: task.assetId,
      changeId,
      packages: confirmedPackages,
      since: task.createdAt,
    });
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      actor: systemActor,
      action: 'change.host-verified',
      subjectType: 'change',
      subjectId: changeId,
      after: {
        assetId: task.assetId,
        taskId: task.taskId,
        rolloutId: task.rolloutId,
        confirmed: mismatches.length === 0,
        mismatches,
        rebootPending,
        findingsFixed: claimed.findingIds.length,
      },
    });
  });
}

/** How often pending reboots are compared with the agents' heartbeats. */
export const rebootCheckIntervalSeconds = 60;

/**
 * Clear the reboots the agents no longer report as required: a heartbeat after the install
 * saying no reboot is required. Returns the tasks cleared.
 */
export async function checkReboots(ctx: Ctx): Promise<string[]> {
  const pending = await ctx.database.db
    .selectFrom('rollout_verifications')
    .select(['task_id', 'asset_id', 'change_id', 'recorded_at'])
    .where('reboot_pending', '=', 1)
    .execute();
  if (pending.length === 0) return [];
  const agents = await agentsForAssets(ctx.database, [...new Set(pending.map((p) => p.asset_id))]);
  const done = pending.filter((p) => {
    const agent = agents.get(p.asset_id);
    return (
      agent !== undefined &&
      !agent.rebootRequired &&
      agent.lastSeenAt !== null &&
      agent.lastSeenAt >= p.recorded_at
    );
  });
  if (done.length === 0) return [];
  const now = timestamp(ctx.clock);
  await transactionRetryingDeadlocks(ctx.database, async (trx) => {
    for (const row of done) {
      await trx
        .updateTable('rollout_verifications')
        .set({ reboot_pending: 0, reboot_cleared_at: now })
        .where('task_id', '=', row.task_id)
        .execute();
      await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
        actor: systemActor,
        action: 'change.host-rebooted',
        subjectType: 'change',
        subjectId: row.change_id,
        after: { assetId: row.asset_id, taskId: row.task_id },
      });
    }
  });
  return done.map((d) => d.task_id);
}

function toVerification(row: RolloutVerificationTable, assetName: string): HostVerification {
  return {
    assetId: row.asset_id,
    assetName,
    taskId: row.task_id,
    rolloutId: row.rollout_id,
    confirmed: row.confirmed === 1,
    expected: JSON.parse(row.expected_json) as Target[],
    after: JSON.parse(row.after_json) as Installed[],
    mismatches: JSON.parse(row.mismatches_json) as HostVerification['mismatches'],
    rebootPending: row.reboot_pending === 1,
    rebootClearedAt: row.reboot_cleared_at,
    installedAt: row.installed_at,
    recordedAt: row.recorded_at,
  };
}

/** The latest verified install per host of a change (404 when the change is unknown). */
export async function verificationReport(ctx: Ctx, changeRef: string): Promise<VerificationReport> {
  const plan = await changePatchPlan(ctx.database.db, changeRef);
  const names = new Map(plan.hosts.map((h) => [h.assetId, h.assetName] as const));
  const rows = await ctx.database.db
    .selectFrom('rollout_verifications')
    .selectAll()
    .where('change_id', '=', plan.id)
    .orderBy('recorded_at', 'desc')
    .orderBy('task_id')
    .execute();
  const latest = new Map<string, RolloutVerificationTable>();
  for (const row of rows) if (!latest.has(row.asset_id)) latest.set(row.asset_id, row);
  const hosts = [...latest.values()]
    .map((row) => toVerification(row, names.get(row.asset_id) ?? row.asset_id))
    .sort((a, b) => (a.assetName < b.assetName ? -1 : a.assetName > b.assetName ? 1 : 0));
  return {
    change: { id: plan.id, number: plan.number },
    hosts,
    rebootPending: hosts.filter((h) => h.rebootPending).map((h) => h.assetName),
  };
}
