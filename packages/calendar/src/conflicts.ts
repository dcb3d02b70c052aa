/**
 * Conflict detection for a scheduled change, and the next feasible slot: the earliest start
 * at which every asset in scope is inside one of its windows (starting no later than the
 * window's cutoff and done by it), outside every freeze and free of other changes.
 */
import type { AssetFacts } from '@patchgate/model';
import type { Freeze, FreezeOccurrence, MaintenanceWindow, WindowOccurrence } from './windows.ts';
import { freezeOccurrences, windowOccurrences, windowsByAsset } from './windows.ts';

export const conflictKinds = [
  'asset-in-overlapping-change',
  'outside-window',
  'in-freeze',
  'window-too-short',
  'approval-missing-before-start',
] as const;
export type ConflictKind = (typeof conflictKinds)[number];

export interface Conflict {
  readonly kind: ConflictKind;
  readonly assetId?: string;
  readonly otherChangeId?: string;
  readonly windowId?: string;
  readonly freezeId?: string;
  /** For `in-freeze`: whether the freeze lets an emergency change override it. */
  readonly emergencyOverrideAllowed?: boolean;
  readonly message: string;
}

/** Another change already holding assets over an interval. */
export interface BusyChange {
  readonly id: string;
  readonly title?: string;
  readonly start: Date;
  readonly end: Date;
  readonly assetIds: readonly string[];
}

interface Scope {
  /** The assets in scope, as facts (their selectors decide the windows). */
  readonly assets: readonly AssetFacts[];
  /** Every window there is (matched to assets by selector), or the windows per asset id. */
  readonly windows:
    readonly MaintenanceWindow[] | ReadonlyMap<string, readonly MaintenanceWindow[]>;
  readonly freezes: readonly Freeze[];
  /** Other scheduled changes (the change itself may be among them: it is skipped by id). */
  readonly otherChanges: readonly BusyChange[];
  /**
   * When true, an asset that no window applies to may never be changed; by default it has
   * no window constraint (ADR 0025).
   */
  readonly requireWindow?: boolean;
}

export interface ConflictInput extends Scope {
  readonly change: {
    readonly id: string;
    readonly type: 'standard' | 'normal' | 'emergency';
    readonly start: Date;
    readonly end: Date;
    /** The plan's estimated duration; the scheduled interval when absent. */
    readonly estimatedMinutes?: number;
    /** Whether every approval the policy asks for has been given. */
    readonly approved: boolean;
  };
}

const iso = (d: Date): string => d.toISOString().replace(':00.000Z', 'Z');
const overlaps = (a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean =>
  a.start < b.end && b.start < a.end;
const minutes = (ms: number): number => Math.round(ms / 60_000);

function windowsFor(scope: Scope): Map<string, readonly MaintenanceWindow[]> {
  const given = scope.windows;
  if (isWindowMap(given))
    return new Map(scope.assets.map((a) => [a.id, given.get(a.id) ?? []] as const));
  return windowsByAsset(scope.assets, given);
}

const isWindowMap = (w: Scope['windows']): w is ReadonlyMap<string, readonly MaintenanceWindow[]> =>
  w instanceof Map;

/** Every conflict of a change, each with its reason; an empty list means none. */
export function detectConflicts(input: ConflictInput): Conflict[] {
  const { change } = input;
  const needMs = Math.max(
    change.end.getTime() - change.start.getTime(),
    (change.estimatedMinutes ?? 0) * 60_000,
  );
  const workEnd = new Date(change.start.getTime() + needMs);
  const span = { start: change.start, end: workEnd };
  const conflicts: Conflict[] = [];
  const byAsset = windowsFor(input);
  for (const asset of input.assets) {
    for (const other of input.otherChanges) {
      if (other.id === change.id || !other.assetIds.includes(asset.id) || !overlaps(span, other))
        continue;
      conflicts.push({
        kind: 'asset-in-overlapping-change',
        assetId: asset.id,
        otherChangeId: other.id,
        message: `${asset.name} is also in change ${other.title === undefined ? other.id : `"${other.title}" (${other.id})`}, ${iso(other.start)}–${iso(other.end)}`,
      });
    }
    const windows = byAsset.get(asset.id) ?? [];
    if (windows.length === 0) {
      if (input.requireWindow === true)
        conflicts.push({
          kind: 'outside-window',
          assetId: asset.id,
          message: `${asset.name} has no maintenance window`,
        });
      continue;
    }
    const occurrences = windows.flatMap((w) =>
      windowOccurrences(w, change.start, new Date(change.start.getTime() + 1)),
    );
    const containing = occurrences.find(
      (o) => o.start <= change.start && change.start < o.cutoffAt,
    );
    if (containing === undefined) {
      conflicts.push({
        kind: 'outside-window',
        assetId: asset.id,
        message: `${asset.name}: ${iso(change.start)} is not inside any of its windows (${windows.map((w) => w.name).join(', ')}) before their cutoff`,
      });
    } else if (workEnd > containing.cutoffAt) {
      conflicts.push({
        kind: 'window-too-short',
        assetId: asset.id,
        windowId: containing.windowId,
        message: `${asset.name}: the change needs ${minutes(needMs)} min from ${iso(change.start)}, but window "${containing.name}" allows work only until ${iso(containing.cutoffAt)} (end ${iso(containing.end)} minus the cutoff)`,
      });
    }
  }
  const seenFreezes = new Set<string>();
  for (const freeze of input.freezes) {
    for (const occurrence of freezeOccurrences(freeze, span.start, span.end)) {
      if (seenFreezes.has(freeze.id)) break;
      seenFreezes.add(freeze.id);
      const allowed = occurrence.allowEmergency && change.type === 'emergency';
      conflicts.push({
        kind: 'in-freeze',
        freezeId: freeze.id,
        emergencyOverrideAllowed: allowed,
        message: `the change overlaps freeze "${freeze.name}" (${iso(occurrence.start)}–${iso(occurrence.end)}); ${
          allowed
            ? 'an emergency change may override it with the extra approval'
            : occurrence.allowEmergency
              ? 'only an emergency change may override it'
              : 'no change may override it'
        }`,
      });
    }
  }
  if (!change.approved)
    conflicts.push({
      kind: 'approval-missing-before-start',
      message: `the change is not fully approved; every approval must be given before it starts at ${iso(change.start)}`,
    });
  return conflicts;
}

export interface SlotInput extends Scope {
  /** The earliest acceptable start. */
  readonly after: Date;
  readonly durationMinutes: number;
  /** How far to look (default 90 days). */
  readonly horizonDays?: number;
  /** The change's id (skipped among `otherChanges`) and type (emergency may enter permissive freezes). */
  readonly changeId?: string;
  readonly changeType?: 'standard' | 'normal' | 'emergency';
}

export type Slot = { readonly start: Date; readonly end: Date } | { readonly none: string };

/**
 * The earliest start ≥ `after` within the horizon where every constraint holds. The earliest
 * feasible start is always `after` or a moment some constraint starts to hold (a window
 * opens, a freeze or another change ends), so only those moments are tried.
 */
export function nextFeasibleSlot(input: SlotInput): Slot {
  const durationMs = input.durationMinutes * 60_000;
  const horizonDays = input.horizonDays ?? 90;
  if (!(durationMs > 0)) return { none: 'the duration must be positive' };
  const from = input.after;
  const until = new Date(from.getTime() + horizonDays * 86_400_000);
  const lookEnd = new Date(until.getTime() + durationMs);
  const byAsset = windowsFor(input);
  const windowOcc = new Map<string, WindowOccurrence[]>();
  for (const windows of byAsset.values())
    for (const w of windows)
      if (!windowOcc.has(w.id)) windowOcc.set(w.id, windowOccurrences(w, from, lookEnd));
  const emergency = input.changeType === 'emergency';
  const freezes: FreezeOccurrence[] = input.freezes
    .flatMap((f) => freezeOccurrences(f, from, lookEnd))
    .filter((f) => !(emergency && f.allowEmergency));
  const assetIds = new Set(input.assets.map((a) => a.id));
  const busy = input.otherChanges.filter(
    (c) => c.id !== input.changeId && c.assetIds.some((id) => assetIds.has(id)) && c.end > from,
  );

  // Assets with the same windows share one constraint: check it once, not once per asset.
  const groups = new Map<
    string,
    { asset: AssetFacts; occurrences: WindowOccurrence[]; hasWindow: boolean }
  >();
  for (const a of input.assets) {
    const windows = byAsset.get(a.id) ?? [];
    const key = windows
      .map((w) => w.id)
      .sort()
      .join('\u0000');
    if (!groups.has(key))
      groups.set(key, {
        asset: a,
        occurrences: windows.flatMap((w) => windowOcc.get(w.id) ?? []),
        hasWindow: windows.length > 0,
      });
  }
  const perAsset = [...groups.values()];
  const noWindow = perAsset.find((p) => !p.hasWindow);
  if (input.requireWindow === true && noWindow !== undefined)
    return { none: `${noWindow.asset.name} has no maintenance window` };

  const candidates = [
    from.getTime(),
    ...[...windowOcc.values()].flat().map((o) => o.start.getTime()),
    ...freezes.map((f) => f.end.getTime()),
    ...busy.map((c) => c.end.getTime()),
  ]
    .filter((t) => t >= from.getTime() && t <= until.getTime())
    .sort((a, b) => a - b);

  const feasible = (s: number): boolean => {
    const e = s + durationMs;
    return (
      perAsset.every(
        (p) =>
          !p.hasWindow ||
          p.occurrences.some((o) => o.start.getTime() <= s && e <= o.cutoffAt.getTime()),
      ) &&
      freezes.every((f) => !(f.start.getTime() < e && s < f.end.getTime())) &&
      busy.every((c) => !(c.start.getTime() < e && s < c.end.getTime()))
    );
  };
  let previous = NaN;
  for (const s of candidates) {
    if (s === previous) continue;
    previous = s;
    if (feasible(s)) return { start: new Date(s), end: new Date(s + durationMs) };
  }
  const tooShort = perAsset.find(
    (p) =>
      p.hasWindow &&
      p.occurrences.every((o) => o.cutoffAt.getTime() - o.start.getTime() < durationMs),
  );
  if (tooShort !== undefined)
    return {
      none: `no slot within ${horizonDays} days: no window of ${tooShort.asset.name} leaves ${input.durationMinutes} min before its cutoff`,
    };
  return {
    none: `no slot within ${horizonDays} days where every asset is inside its window, outside freezes and free of other changes`,
  };
}
