/**
 * Review trends across changes (issue 11): what the rollout facts and reviews of a period have
 * in common — recurring failure causes, packages and asset groups that fail more often, waves
 * whose gates caught failures, windows that overrun. Pure: records and windows in, figures out.
 */
import type { MaintenanceWindow } from '@patchgate/calendar';
import { windowOccurrences } from '@patchgate/calendar';
import { matchesSelector } from '@patchgate/model';
import type { ChangeReviewRecord } from '../changes/index.ts';
import type { ReviewTrends } from './schema.ts';

export interface Period {
  readonly from: string;
  readonly to: string;
}

type Facts = NonNullable<ChangeReviewRecord['facts']>;
type WithFacts = ChangeReviewRecord & { readonly facts: Facts };

const ref = (r: ChangeReviewRecord) => ({ id: r.id, number: r.number });
const rate = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;

/** A change failed when a host failed (install or health check), a host was rolled back, or its rollout did not complete. */
export function changeFailed(facts: Facts): boolean {
  return facts.failures.length > 0 || facts.rollbacks.length > 0 || facts.outcome !== 'completed';
}

/**
 * The failures of the change's canary: the first wave of a rollout of several waves (a rollout
 * of one wave has no canary, its failures are the whole change's).
 */
export function firstWaveFailures(facts: Facts): Facts['failures'] {
  const first = facts.waves[0]?.name;
  if (first === undefined || facts.waves.length < 2) return [];
  return facts.failures.filter((f) => f.wave === first);
}

export const causeOf = (f: { kind: string; step: string | null }): string =>
  f.step === null ? f.kind : `${f.kind} at ${f.step}`;

/**
 * The window a change ran in: among the windows whose selector picks one of its assets, the
 * first (by name) with an occurrence holding the planned start; undefined when none does.
 */
export function windowOfChange(
  record: WithFacts,
  windows: readonly MaintenanceWindow[],
): MaintenanceWindow | undefined {
  const start = record.facts.planned.start ?? record.scheduledStart;
  if (start === null) return undefined;
  const at = new Date(start);
  return [...windows]
    .sort((a, b) => a.name.localeCompare(b.name))
    .find(
      (w) =>
        record.assets.some((a) => matchesSelector(a, w.selector)) &&
        windowOccurrences(
          w,
          new Date(at.getTime() - (w.durationMinutes + 1) * 60_000),
          new Date(at.getTime() + 1),
        ).some((o) => o.start <= at && at < o.end),
    );
}

const byCountThenName =
  <T>(count: (t: T) => number, name: (t: T) => string) =>
  (a: T, b: T) =>
    count(b) - count(a) || name(a).localeCompare(name(b));

export function reviewTrends(
  records: readonly ChangeReviewRecord[],
  windows: readonly MaintenanceWindow[],
  period: Period,
): ReviewTrends {
  const withFacts = records.filter((r): r is WithFacts => r.facts !== null);
  const failed = withFacts.filter((r) => changeFailed(r.facts));

  const causes = new Map<string, ReviewTrends['failureCauses'][number]>();
  for (const r of withFacts)
    for (const f of r.facts.failures) {
      const cause = causeOf(f);
      const entry = causes.get(cause) ?? {
        cause,
        kind: f.kind,
        step: f.step,
        failures: 0,
        changes: [],
      };
      entry.failures += 1;
      if (!entry.changes.some((c) => c.id === r.id)) entry.changes.push(ref(r));
      causes.set(cause, entry);
    }

  const packages = new Map<string, ReviewTrends['packages'][number]>();
  for (const r of withFacts)
    for (const name of r.packages) {
      const entry = packages.get(name) ?? {
        package: name,
        changes: 0,
        failedChanges: 0,
        failedInFirstWave: 0,
        failureRate: null,
        failed: [],
      };
      entry.changes += 1;
      if (changeFailed(r.facts)) {
        entry.failedChanges += 1;
        entry.failed.push(ref(r));
      }
      if (firstWaveFailures(r.facts).length > 0) entry.failedInFirstWave += 1;
      packages.set(name, entry);
    }
  for (const entry of packages.values())
    entry.failureRate = rate(entry.failedChanges, entry.changes);

  const groups = new Map<string, ReviewTrends['assetGroups'][number]>();
  for (const r of withFacts) {
    const names = [...new Set(r.assets.flatMap((a) => a.groups))];
    for (const group of names) {
      const inGroup = new Set(r.assets.filter((a) => a.groups.includes(group)).map((a) => a.id));
      const hostFailures = r.facts.failures.filter((f) => inGroup.has(f.assetId)).length;
      const entry = groups.get(group) ?? {
        group,
        changes: 0,
        failedChanges: 0,
        hostFailures: 0,
        failureRate: null,
        failed: [],
      };
      entry.changes += 1;
      entry.hostFailures += hostFailures;
      if (hostFailures > 0) {
        entry.failedChanges += 1;
        entry.failed.push(ref(r));
      }
      groups.set(group, entry);
    }
  }
  for (const entry of groups.values()) entry.failureRate = rate(entry.failedChanges, entry.changes);

  const waves = new Map<string, ReviewTrends['waves'][number]>();
  for (const r of withFacts)
    r.facts.waves.forEach((wave, position) => {
      const key = `${position}\u0000${wave.name}`;
      const hostFailures = r.facts.failures.filter((f) => f.wave === wave.name).length;
      const entry = waves.get(key) ?? {
        wave: wave.name,
        position,
        changes: 0,
        caught: 0,
        hostFailures: 0,
        caughtIn: [],
      };
      entry.changes += 1;
      entry.hostFailures += hostFailures;
      if (hostFailures > 0) {
        entry.caught += 1;
        entry.caughtIn.push(ref(r));
      }
      waves.set(key, entry);
    });

  const windowRows = new Map<string, ReviewTrends['windows'][number]>();
  for (const r of withFacts) {
    if (r.facts.planned.end === null && r.scheduledEnd === null) continue;
    const window = windowOfChange(r, windows);
    const key = window?.id ?? '';
    const entry = windowRows.get(key) ?? {
      windowId: window?.id ?? null,
      windowName: window?.name ?? '(outside any window)',
      durationMinutes: window?.durationMinutes ?? null,
      changes: 0,
      overruns: 0,
      maxOverrunMinutes: null,
      overran: [],
    };
    entry.changes += 1;
    const overrun = r.facts.overrunMinutes;
    if (overrun !== null && overrun > 0) {
      entry.overruns += 1;
      entry.maxOverrunMinutes = Math.max(entry.maxOverrunMinutes ?? 0, overrun);
      entry.overran.push({ ...ref(r), overrunMinutes: overrun });
    }
    windowRows.set(key, entry);
  }

  return {
    period: { from: period.from, to: period.to },
    changes: records.length,
    failedChanges: failed.length,
    failureCauses: [...causes.values()].sort(
      byCountThenName(
        (c) => c.changes.length,
        (c) => c.cause,
      ),
    ),
    packages: [...packages.values()].sort(
      byCountThenName(
        (p) => p.failedChanges,
        (p) => p.package,
      ),
    ),
    assetGroups: [...groups.values()].sort(
      byCountThenName(
        (g) => g.failedChanges,
        (g) => g.group,
      ),
    ),
    waves: [...waves.values()].sort(
      (a, b) => a.position - b.position || b.caught - a.caught || a.wave.localeCompare(b.wave),
    ),
    windows: [...windowRows.values()].sort(
      byCountThenName(
        (w) => w.overruns,
        (w) => w.windowName,
      ),
    ),
  };
}
