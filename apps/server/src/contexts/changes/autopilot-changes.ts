/**
 * The autopilot's ports bound to the real services: the calendar's maintenance windows (each
 * asset's window is the one whose next occurrence comes first) and the changes context's
 * `createChange`. INTERIM: until the change requests land on this branch, creating a change
 * fails the run with a clear error.
 */
import type { CandidateWindow } from '@patchgate/changes';
import { windowOccurrences } from '@patchgate/calendar';
import type { AssetFacts } from '@patchgate/model';
import type { Database } from '../../db/database.ts';
import { windowsForAssets } from '../calendar/index.ts';
import type { AutopilotDeps } from './autopilot.ts';

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

export const defaultAutopilotDeps: AutopilotDeps = {
  windowsOf: nextWindowOfAssets,
  createChange: () =>
    Promise.reject(new Error('the changes context is not wired to the autopilot yet')),
};
