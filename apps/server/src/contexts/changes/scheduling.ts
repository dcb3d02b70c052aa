/**
 * The change's place in the calendar: its conflicts (through @patchgate/calendar's
 * `detectConflicts` with the calendar context's windows and freezes and the other scheduled
 * changes), the freeze refusal when scheduling, and the next feasible slot.
 */
import type { ChangePlans, ChangeType } from '@patchgate/changes';
import type { BusyChange } from '@patchgate/calendar';
import { detectConflicts, nextFeasibleSlot } from '@patchgate/calendar';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { ConflictError } from '../../http/problems.ts';
import { freezesBetween, windowsForAssets } from '../calendar/index.ts';
import { approvalsOf } from './decisions.ts';
import { changeNumber } from './model.ts';
import { assetFacts } from './planning.ts';
import * as repo from './repository.ts';
import type { Conflict } from './schema.ts';
import type { Scope } from './scope.ts';
import type { ChangeRequestTable } from './tables.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

/** Without an estimate in the deployment plan, a change is given two hours. */
export const defaultChangeMinutes = 120;
/** How far ahead the next feasible slot is looked for. */
export const slotHorizonDays = 90;

/** States whose schedule holds its assets. */
const holding = ['submitted', 'authorise', 'scheduled', 'implementing'] as const;

export function estimatedMinutes(plans: ChangePlans): number {
  return plans.deploymentPlan?.estimatedMinutes ?? defaultChangeMinutes;
}

export function scheduleEnd(start: string, plans: ChangePlans): string {
  return new Date(Date.parse(start) + estimatedMinutes(plans) * 60_000).toISOString();
}

async function busyBetween(ctx: Ctx, from: string, to: string): Promise<BusyChange[]> {
  const rows = await repo.changesOverlapping(ctx.database.db, from, to, holding);
  const assets = await repo.assetsOfChanges(
    ctx.database.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    id: row.id,
    title: `${changeNumber(row.number)} ${row.title}`,
    start: new Date(row.scheduled_start ?? from),
    end: new Date(row.scheduled_end ?? to),
    assetIds: assets.filter((a) => a.change_id === row.id).map((a) => a.asset_id),
  }));
}

/** Every conflict of the change scheduled at [start, end). */
async function conflictsAt(
  ctx: Ctx,
  row: ChangeRequestTable,
  scope: Scope,
  start: string,
  end: string,
  approved: boolean,
): Promise<Conflict[]> {
  const facts = assetFacts(scope);
  const plans = JSON.parse(row.plans_json) as ChangePlans;
  const [windows, freezes, otherChanges] = await Promise.all([
    windowsForAssets(ctx.database, facts),
    freezesBetween(ctx.database, new Date(start), new Date(end)),
    busyBetween(ctx, start, end),
  ]);
  return detectConflicts({
    assets: facts,
    windows,
    freezes,
    otherChanges,
    change: {
      id: row.id,
      type: row.type as ChangeType,
      start: new Date(start),
      end: new Date(end),
      ...(plans.deploymentPlan?.estimatedMinutes !== undefined && {
        estimatedMinutes: plans.deploymentPlan.estimatedMinutes,
      }),
      approved,
    },
  }).map((c) => ({ ...c }));
}

/** The conflicts of a scheduled change, drafts included (none when unscheduled or over). */
export async function conflictsOf(
  ctx: Ctx,
  row: ChangeRequestTable,
  scope: Scope,
): Promise<Conflict[]> {
  if (row.scheduled_start === null || row.scheduled_end === null) return [];
  if (row.state !== 'draft' && !(holding as readonly string[]).includes(row.state)) return [];
  const status = await approvalsOf(ctx, row, scope);
  return conflictsAt(ctx, row, scope, row.scheduled_start, row.scheduled_end, status.complete);
}

/**
 * Scheduling into a freeze is refused (409, naming the freezes), unless the change is an
 * emergency, every freeze it meets lets emergencies override it, and the caller asked to
 * override. Returns the freezes overridden (none: the schedule meets no freeze), which the change
 * records: its approval then needs the policy rule's freeze-override stage (ADR 0033).
 */
export async function refuseFreeze(
  ctx: Ctx,
  row: ChangeRequestTable,
  scope: Scope,
  start: string,
  end: string,
  override: boolean,
): Promise<{ id: string; name: string }[]> {
  const freezes = (await conflictsAt(ctx, row, scope, start, end, true)).filter(
    (c) => c.kind === 'in-freeze',
  );
  if (freezes.length === 0) return [];
  const overridable = freezes.every((c) => c.emergencyOverrideAllowed === true);
  const number = changeNumber(row.number);
  const why = freezes.map((c) => c.message).join('; ');
  if (!overridable) throw new ConflictError(`${number} cannot be scheduled into a freeze: ${why}`);
  if (!override)
    throw new ConflictError(
      `${number} falls into a freeze an emergency change may override: ${why}; schedule again with overrideFreeze (the CLI's --override-freeze) to do so`,
    );
  const named = await freezesBetween(ctx.database, new Date(start), new Date(end));
  return freezes.flatMap((c) =>
    c.freezeId === undefined
      ? []
      : [{ id: c.freezeId, name: named.find((f) => f.id === c.freezeId)?.name ?? c.freezeId }],
  );
}

export async function changeConflicts(
  ctx: Ctx,
  row: ChangeRequestTable,
  scope: Scope,
): Promise<{ schedule: { start: string; end: string } | null; conflicts: Conflict[] }> {
  return {
    schedule:
      row.scheduled_start === null || row.scheduled_end === null
        ? null
        : { start: row.scheduled_start, end: row.scheduled_end },
    conflicts: await conflictsOf(ctx, row, scope),
  };
}

/**
 * The earliest start, from now (or from `after` when later: an autopilot rule's first ring),
 * with every asset in its window, no freeze, no other change. An emergency change may start in
 * a freeze that lets emergencies override it, unless `avoidEveryFreeze` (the autopilot never
 * overrides a freeze by itself).
 */
export async function nextSlot(
  ctx: Ctx,
  row: ChangeRequestTable,
  scope: Scope,
  options: { readonly after?: Date; readonly avoidEveryFreeze?: boolean } = {},
): Promise<{ start: string | null; end: string | null; reason: string | null }> {
  const { after } = options;
  const plans = JSON.parse(row.plans_json) as ChangePlans;
  const minutes = estimatedMinutes(plans);
  const current = timestamp(ctx.clock);
  const now = after !== undefined && after.toISOString() > current ? after.toISOString() : current;
  const until = new Date(Date.parse(now) + (slotHorizonDays + 1) * 86_400_000).toISOString();
  const facts = assetFacts(scope);
  const [windows, freezes, otherChanges] = await Promise.all([
    windowsForAssets(ctx.database, facts),
    freezesBetween(ctx.database, new Date(now), new Date(until)),
    busyBetween(ctx, now, until),
  ]);
  const slot = nextFeasibleSlot({
    assets: facts,
    windows,
    freezes,
    otherChanges,
    after: new Date(now),
    durationMinutes: minutes,
    horizonDays: slotHorizonDays,
    changeId: row.id,
    ...(options.avoidEveryFreeze !== true && { changeType: row.type as ChangeType }),
  });
  if ('none' in slot) return { start: null, end: null, reason: slot.none };
  return { start: slot.start.toISOString(), end: slot.end.toISOString(), reason: null };
}
