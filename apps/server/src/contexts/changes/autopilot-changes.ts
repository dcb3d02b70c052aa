/**
 * The autopilot's ports bound to the real services: the calendar's maintenance windows (each
 * asset's window is the one whose next occurrence comes first) and the changes context's
 * `createChange`, the same service the API uses, as the system acting for the rule.
 */
import type { CandidateWindow, DeploymentPlan, RollbackPlan } from '@patchgate/changes';
import { defaultDeploymentPlan } from '@patchgate/changes';
import { windowOccurrences } from '@patchgate/calendar';
import type { AssetFacts } from '@patchgate/model';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import type { AuditActor } from '../audit/index.ts';
import { windowsForAssets } from '../calendar/index.ts';
import { listAssetFacts } from '../inventory/index.ts';
import type { AutopilotChangeRequest, AutopilotDeps } from './autopilot.ts';
import { ChangeCreateBody } from './schema.ts';
import { createChangeRequest } from './service.ts';

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
 */
export function withRings(plan: DeploymentPlan, offsets: readonly number[]): DeploymentPlan {
  const count = Math.min(offsets.length, plan.waves.length);
  if (count <= 1) return { ...plan, rings: [] };
  const base = Math.floor(plan.waves.length / count);
  const extra = plan.waves.length % count;
  const rings: DeploymentPlan['rings'] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    rings.push({
      name: `ring-${i + 1}`,
      offsetDays: offsets[i] ?? 0,
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
): Promise<{ readonly id: string; readonly state: string }> {
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
  return { id: change.id, state: change.state };
}

export const defaultAutopilotDeps: AutopilotDeps = {
  windowsOf: nextWindowOfAssets,
  createChange: createAutopilotChange,
};
