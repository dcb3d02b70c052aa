/**
 * The autopilot's ports bound to the real services: the calendar's maintenance windows (each
 * asset's window is the one whose next occurrence comes first), the changes context's
 * `createChange`, the same service the API uses, as the system acting for the rule, and then
 * its submit and schedule (at the next feasible slot the API's next-slot computes).
 */
import type { CandidateWindow, DeploymentPlan, RollbackPlan } from '@patchgate/changes';
import { defaultDeploymentPlan } from '@patchgate/changes';
import { windowOccurrences } from '@patchgate/calendar';
import type { AssetFacts } from '@patchgate/model';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { ApiError } from '../../http/problems.ts';
import type { AuditActor } from '../audit/index.ts';
import { windowsForAssets } from '../calendar/index.ts';
import { listAssetFacts } from '../inventory/index.ts';
import type {
  AutopilotAdvance,
  AutopilotAdvanceRequest,
  AutopilotChangeRequest,
  AutopilotDeps,
} from './autopilot.ts';
import type { ChangeActor } from './model.ts';
import { ChangeCreateBody } from './schema.ts';
import { createChangeRequest, nextSlotOf, scheduleChange, submitChange } from './service.ts';

/** How far ahead a window's next occurrence is looked for. */
const lookAheadDays = 62;

/**
 * Each asset's maintenance window for grouping: of the windows whose selector matches it, the
 * one that opens first after `now` (ties by name); a window with no occurrence in the next
 * two months only when no other applies; null when none applies.
 */
export async function nextWindowOfAssets(
  database: Database,
  assets: readonly AssetFacts[],
  now: Date,
): Promise<Map<string, CandidateWindow | null>> {
  const byAsset = await windowsForAssets(database, assets);
  const until = new Date(now.getTime() + lookAheadDays * 86_400_000);
  const nextStart = new Map<string, number>();
  const out = new Map<string, CandidateWindow | null>();
  for (const asset of assets) {
    const windows = byAsset.get(asset.id) ?? [];
    let best: { window: CandidateWindow; start: number } | undefined;
    for (const window of windows) {
      let start = nextStart.get(window.id);
      if (start === undefined) {
        start = windowOccurrences(window, now, until)[0]?.start.getTime() ?? Infinity;
        nextStart.set(window.id, start);
      }
      if (
        best === undefined ||
        start < best.start ||
        (start === best.start && window.name < best.window.name)
      )
        best = { window: { id: window.id, name: window.name }, start };
    }
    out.set(asset.id, best?.window ?? null);
  }
  return out;
}

/**
 * The rule's rings on a deployment plan: its waves split in order into as many contiguous
 * rings as there are offsets (earlier rings take the extra wave); with fewer waves than
 * offsets the last offsets go unused. One offset: no rings (one ring starting at once).
 * Offsets are kept relative to the first ring, whose own offset moves the change's start
 * (`advanceAutopilotChange`): rule rings 2,5 start the change 2 days on, the second ring 3 later.
 */
export function withRings(plan: DeploymentPlan, offsets: readonly number[]): DeploymentPlan {
  const count = Math.min(offsets.length, plan.waves.length);
  if (count <= 1) return { ...plan, rings: [] };
  const first = offsets[0] ?? 0;
  const base = Math.floor(plan.waves.length / count);
  const extra = plan.waves.length % count;
  const rings: DeploymentPlan['rings'] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    rings.push({
      name: `ring-${i + 1}`,
      offsetDays: (offsets[i] ?? first) - first,
      waves: plan.waves.slice(next, next + size).map((w) => w.name),
    });
    next += size;
  }
  return { ...plan, rings };
}

/**
 * The rollback every autopilot change carries: back to the versions recorded before it, when a
 * wave passes its failure threshold or a person decides. The default plan's canary and critical
 * waves roll back on failure, and normal and emergency changes need a rollback plan: without
 * it no change a rule made could be submitted as it stands.
 */
export const autopilotRollbackPlan: RollbackPlan = {
  triggers: ['failure-threshold', 'manual'],
  steps: [{ kind: 'downgrade' }],
};

/** A planned change as a change request: from its findings, else its update patches. */
export async function createAutopilotChange(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  request: AutopilotChangeRequest,
  actor: AuditActor,
): Promise<{ readonly id: string; readonly number: string; readonly state: string }> {
  const wanted = new Set(request.assetIds);
  const assets = (await listAssetFacts(ctx.database)).filter((a) => wanted.has(a.id));
  const deployment = withRings(defaultDeploymentPlan(assets).plan, request.rings);
  const input = ChangeCreateBody.parse({
    title: request.title.slice(0, 200),
    description: request.reason,
    type: request.type,
    ...(request.template !== null && { template: request.template }),
    ...(request.findingIds.length > 0
      ? { findings: { ids: request.findingIds } }
      : {
          patches: request.patches.map((p) => ({
            asset: p.assetId,
            package: p.packageName,
            toVersion: p.version,
          })),
        }),
    plans: { deploymentPlan: deployment, rollbackPlan: autopilotRollbackPlan },
  });
  const change = await createChangeRequest(ctx, input, {
    actor,
    rule: { id: request.ruleId, reason: request.reason },
  });
  return { id: change.id, number: change.number, state: change.state };
}

/** A refusal of the changes context (409/422): the change stays where it is, with the reason. */
function refusal(caught: unknown): string | undefined {
  return caught instanceof ApiError && (caught.status === 409 || caught.status === 422)
    ? caught.message
    : undefined;
}

/**
 * Carry a change a rule created as far as its stage allows, as the system acting for the rule:
 * submit it (the API's submit: a standard change whose template criteria hold is auto-approved
 * by the approval policy, a normal or emergency one waits in authorise for the CAB), then
 * schedule it at its assets' next feasible slot (the API's next-slot: inside their windows,
 * outside freezes, free of other changes) from `earliest` on. A freeze is never overridden; a
 * refused submit leaves the draft, no window or no slot leaves it unscheduled (the calendar
 * would let assets without a window change at any time), each with the reason. Other
 * errors are thrown (the run fails).
 */
export async function advanceAutopilotChange(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  request: AutopilotAdvanceRequest,
): Promise<AutopilotAdvance> {
  const { changeId, stage, earliest, ruleName } = request;
  const by: ChangeActor = { actor: request.actor, rule: request.rule };
  if (stage === 'draft') return { state: 'draft', schedule: null, note: null };
  let state: string;
  try {
    state = (
      await submitChange(ctx, changeId, { reason: `submitted by autopilot rule ${ruleName}` }, by)
    ).state;
  } catch (caught) {
    const reason = refusal(caught);
    if (reason === undefined) throw caught;
    return { state: 'draft', schedule: null, note: `not submitted: ${reason}` };
  }
  if (stage === 'submit') return { state, schedule: null, note: null };
  // The calendar lets assets without a window change at any time; a rule waits for one.
  if (request.window === null)
    return {
      state,
      schedule: null,
      note: 'not scheduled: its assets have no maintenance window',
    };
  // Never into a freeze, not even one an emergency change may override (a person decides that).
  const slot = await nextSlotOf(ctx, changeId, { after: earliest, avoidEveryFreeze: true });
  if (slot.start === null || slot.end === null)
    return { state, schedule: null, note: `not scheduled: ${slot.reason ?? 'no feasible slot'}` };
  try {
    const scheduled = await scheduleChange(
      ctx,
      changeId,
      {
        start: slot.start,
        end: slot.end,
        reason: `autopilot rule ${ruleName}: next feasible slot from ${earliest.toISOString()}`,
      },
      by,
    );
    return {
      state: scheduled.state,
      schedule: { start: slot.start, end: slot.end },
      note:
        scheduled.state === 'authorise' ? 'scheduled; waits in authorise for its approvals' : null,
    };
  } catch (caught) {
    const reason = refusal(caught);
    if (reason === undefined) throw caught;
    return { state, schedule: null, note: `not scheduled: ${reason}` };
  }
}

export const defaultAutopilotDeps: AutopilotDeps = {
  windowsOf: nextWindowOfAssets,
  createChange: createAutopilotChange,
  advance: advanceAutopilotChange,
};
