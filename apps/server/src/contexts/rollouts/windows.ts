/**
 * Window enforcement (ADR 0038): the engine's window facts at a moment, from the calendar's
 * windows of the hosts in play (`windowsForAssets`) and @patchgate/calendar's occurrences.
 */
import { windowOccurrences } from '@patchgate/calendar';
import type { RolloutEvent, RolloutState } from '@patchgate/rollout';
import { hostOf } from '@patchgate/rollout';
import type { ServerContext } from '../../context.ts';
import { agentsForAssets } from '../agents/index.ts';
import { windowsForAssets } from '../calendar/index.ts';
import type { AssetFacts } from '@patchgate/model';
import type { RolloutRunOptions } from './model.ts';
import type { RolloutTable } from './tables.ts';

/** The hosts the window facts are about: the current wave's hosts not yet finished. */
export function hostsInPlay(state: RolloutState): string[] {
  const wave = state.waves[state.current];
  return (wave?.hosts ?? []).filter((h) => {
    const s = hostOf(state, h)?.state;
    return s === 'pending' || s === 'running';
  });
}

/**
 * Window facts for `hosts` at `now` (ADR 0038): inside when every host that has windows is in
 * one of them (a host with none is unconstrained, ADR 0025); new work only before each of
 * those windows' cutoff. The next window, the next ticks say so again.
 */
export async function windowFacts(
  ctx: Pick<ServerContext, 'database'>,
  scope: readonly AssetFacts[],
  hosts: readonly string[],
  now: Date,
): Promise<{ insideWindow: boolean; acceptsNewWork: boolean }> {
  const ids = new Set(hosts);
  const assets = scope.filter((a) => ids.has(a.id));
  if (assets.length === 0) return { insideWindow: true, acceptsNewWork: true };
  const windows = await windowsForAssets(ctx.database, assets);
  let insideWindow = true;
  let acceptsNewWork = true;
  const until = new Date(now.getTime() + 1);
  for (const asset of assets) {
    const own = windows.get(asset.id) ?? [];
    if (own.length === 0) continue;
    const open = own
      .flatMap((w) => windowOccurrences(w, now, until))
      .filter((o) => o.start <= now && now < o.end);
    if (open.length === 0) {
      insideWindow = false;
      acceptsNewWork = false;
    } else if (!open.some((o) => now < o.cutoffAt)) acceptsNewWork = false;
  }
  return { insideWindow, acceptsNewWork };
}

/** A tick at the clock's now with the window facts of `state`'s hosts in play. */
export async function tickEvent(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  row: RolloutTable,
  state: RolloutState,
): Promise<RolloutEvent> {
  const now = ctx.clock.now();
  const scope = JSON.parse(row.assets_json) as AssetFacts[];
  const facts = await windowFacts(ctx, scope, hostsInPlay(state), now);
  return { type: 'tick', now: now.toISOString(), ...facts };
}

/**
 * With `offlineHosts: 'skip'`: a `host-offline` event for each host of the current wave not
 * yet started whose agent is offline or missing (the engine skips it). None with `wait`.
 */
export async function offlineEvents(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  row: RolloutTable,
  state: RolloutState,
): Promise<RolloutEvent[]> {
  const options = JSON.parse(row.options_json) as RolloutRunOptions;
  if (options.offlineHosts !== 'skip') return [];
  const pending = hostsInPlay(state).filter((h) => hostOf(state, h)?.state === 'pending');
  if (pending.length === 0) return [];
  const agents = await agentsForAssets(ctx.database.db, pending, ctx.clock);
  const at = ctx.clock.now().toISOString();
  return pending
    .filter((host) => agents.get(host)?.online !== true)
    .map((host): RolloutEvent => ({ type: 'host-offline', host, at }));
}
