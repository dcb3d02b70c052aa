/**
 * Daily metric snapshots (issue 11; ADR 0043): for each UTC day D, the MetricSet of the 30 days
 * ending D (`[D − 29, D]`) as of the end of D, for every asset and for each team, environment
 * and asset group on its own. Trends read them, so a trend is a line of figures each computed
 * once, as of its day. A day is snapshotted only once it has ended.
 *
 * - `backfillSnapshots`: compute the days of a range (e.g. after an install, or for the demo).
 * - the `reports.metric-snapshots` job (hourly): snapshot every ended day of the last week that
 *   has none yet (so a server down for a few days catches up).
 * - `metricTrend`: one figure per day from the snapshots; a day without one is null.
 */
import type { MetricScope, MetricSet } from '@patchgate/metrics';
import {
  addDays,
  computeMetricSet,
  daysBetween,
  endOfDay,
  isValidPeriod,
  metricRefProblem,
  metricValue,
  scopeOf,
} from '@patchgate/metrics';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { ValidationError } from '../../http/problems.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { RequestSource } from '../audit/index.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType, enqueueTyped } from '../jobs/index.ts';
import { metricSettings, narrowMetricInputs, readMetricSource } from './metrics.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

/** A snapshot covers the 30 days ending its day. */
export const snapshotPeriodDays = 30;
/** The job looks this many ended days back for missing snapshots. */
export const snapshotCatchUpDays = 7;
/** How often the snapshot job runs (cheap when every day is done). */
export const metricSnapshotIntervalSeconds = 3600;
/** The longest range a backfill or a trend takes. */
export const maxSnapshotDays = 400;

const actorSchema = z.object({
  type: z.enum(['user', 'token', 'system', 'agent']),
  id: z.string().nullable(),
  name: z.string(),
});

export const metricJobs = {
  snapshots: defineJobType('reports.metric-snapshots', z.object({})),
  /** A backfill asked for through the API: who asked, for the audit event (same ask: coalesced). */
  backfill: defineJobType(
    'reports.metric-backfill',
    z.object({ from: z.string(), to: z.string(), actor: actorSchema }),
  ),
} as const;

/** A snapshot's scope key: `all`, or one key on its own (`team:web`, `environment:prod`, `group:dmz`). */
export function snapshotScopeKey(scope: MetricScope): string | undefined {
  const s = scopeOf(scope);
  const keys = Object.keys(s);
  if (keys.length === 0) return 'all';
  if (keys.length > 1) return undefined;
  if (s.team !== undefined) return `team:${s.team}`;
  if (s.environment !== undefined) return `environment:${s.environment}`;
  if (s.assetGroup !== undefined) return `group:${s.assetGroup}`;
  return undefined;
}

function scopeOfKey(key: string): MetricScope {
  const [kind, ...rest] = key.split(':');
  const value = rest.join(':');
  if (kind === 'team') return { team: value };
  if (kind === 'environment') return { environment: value };
  if (kind === 'group') return { assetGroup: value };
  return {};
}

/** The last day that has ended at `now` (yesterday, UTC). */
export function lastEndedDay(now: Date): string {
  return addDays(now.toISOString().slice(0, 10), -1);
}

/** Refuse a range that is malformed, too long, or not over yet (a ValidationError naming why). */
export function checkRange(from: string, to: string, now: Date): void {
  if (!isValidPeriod({ from, to })) {
    throw new ValidationError(
      `from and to must be days YYYY-MM-DD with from ≤ to (got ${from}..${to})`,
      [{ field: 'query.from', message: 'a day YYYY-MM-DD, not after to' }],
    );
  }
  if (daysBetween(from, to) + 1 > maxSnapshotDays) {
    throw new ValidationError(
      `at most ${maxSnapshotDays} days at a time (got ${daysBetween(from, to) + 1})`,
      [{ field: 'query.to', message: `at most ${maxSnapshotDays} days after from` }],
    );
  }
  if (to > lastEndedDay(now)) {
    throw new ValidationError(
      `${to} has not ended yet: snapshots are taken of ended days (up to ${lastEndedDay(now)})`,
      [{ field: 'query.to', message: 'a day that has ended' }],
    );
  }
}

/** Compute and store the snapshots of one day for every scope; the number written. */
async function snapshotDay(ctx: Ctx, day: string): Promise<number> {
  const asOf = endOfDay(day);
  const period = { from: addDays(day, -(snapshotPeriodDays - 1)), to: day };
  const source = await readMetricSource(ctx, asOf);
  const keys = new Set<string>(['all']);
  for (const a of source.assetKeys.values()) {
    if (a.team !== null) keys.add(`team:${a.team}`);
    if (a.environment !== null) keys.add(`environment:${a.environment}`);
    for (const g of a.groups) keys.add(`group:${g}`);
  }
  const computedAt = ctx.clock.now().toISOString();
  const rows = [...keys].sort().map((key) => {
    const scope = scopeOfKey(key);
    const set = computeMetricSet(
      narrowMetricInputs(source, scope),
      { period, asOf, scope },
      metricSettings,
    );
    return { day, scope: key, metrics_json: JSON.stringify(set), computed_at: computedAt };
  });
  await ctx.database.db
    .insertInto('metric_snapshots')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['scope', 'day']).doUpdateSet((eb) => ({
        metrics_json: eb.ref('excluded.metrics_json'),
        computed_at: eb.ref('excluded.computed_at'),
      })),
    )
    .execute();
  return rows.length;
}

/**
 * Compute the snapshots of every day in `[from, to]` (ended days only), for every scope,
 * replacing what was there; audited once (`metrics.snapshots-backfilled`). Returns the number
 * of snapshots written.
 */
export async function backfillSnapshots(
  ctx: Ctx,
  q: {
    readonly from: string;
    readonly to: string;
    readonly onProgress?: (done: number, total: number) => void;
    readonly source?: RequestSource;
  },
): Promise<number> {
  checkRange(q.from, q.to, ctx.clock.now());
  const total = daysBetween(q.from, q.to) + 1;
  let written = 0;
  for (let i = 0; i < total; i += 1) {
    written += await snapshotDay(ctx, addDays(q.from, i));
    q.onProgress?.(i + 1, total);
  }
  await audit(
    ctx,
    'metrics.snapshots-backfilled',
    { from: q.from, to: q.to, days: total, snapshots: written },
    q.source,
  );
  return written;
}

async function audit(
  ctx: Ctx,
  action: string,
  after: Record<string, unknown>,
  source?: RequestSource,
) {
  await ctx.database.db.transaction().execute(async (trx) => {
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      actor: source?.actor ?? systemActor,
      action,
      subjectType: 'metric_snapshots',
      subjectId: `${String(after.from)}..${String(after.to)}`,
      after,
      requestId: source?.requestId ?? null,
      ip: source?.ip ?? null,
    });
  });
}

/** The job's work: snapshot the ended days of the last week that have none (`all` scope). */
export async function snapshotMissingDays(ctx: Ctx): Promise<string[]> {
  const to = lastEndedDay(ctx.clock.now());
  const from = addDays(to, -(snapshotCatchUpDays - 1));
  const present = await ctx.database.db
    .selectFrom('metric_snapshots')
    .select('day')
    .where('scope', '=', 'all')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  const have = new Set(present.map((r) => r.day));
  const missing = Array.from({ length: snapshotCatchUpDays }, (_, i) => addDays(from, i)).filter(
    (d) => !have.has(d),
  );
  let written = 0;
  for (const day of missing) written += await snapshotDay(ctx, day);
  if (missing.length > 0) {
    await audit(ctx, 'metrics.snapshots-taken', {
      from: missing[0],
      to: missing.at(-1),
      days: missing,
      snapshots: written,
    });
  }
  return missing;
}

/** The job's schedule (main.ts upserts it at start). */
export const metricSnapshotSchedule = {
  id: metricJobs.snapshots.kind,
  kind: metricJobs.snapshots.kind,
  payload: {},
  intervalSeconds: metricSnapshotIntervalSeconds,
  enabled: true,
} as const;

/** Register the daily snapshot job's handler (main.ts upserts `metricSnapshotSchedule`). */
export function registerMetricJobs(runner: Pick<JobRunner, 'handle'>, ctx: Ctx): void {
  runner.handle(metricJobs.snapshots, async () => {
    await snapshotMissingDays(ctx);
  });
  runner.handle(metricJobs.backfill, async (job) => {
    const snapshots = await backfillSnapshots(ctx, {
      from: job.payload.from,
      to: job.payload.to,
      source: { actor: job.payload.actor },
      onProgress: (done, total) => void job.progress(done, total, 'days snapshotted'),
    });
    return { snapshots };
  });
}

/** Queue a backfill of `[from, to]` (checked now) as a job; its id, to follow at /api/v1/jobs/{id}. */
export async function requestBackfill(
  ctx: Ctx,
  q: { readonly from: string; readonly to: string },
  source: RequestSource,
): Promise<{ jobId: string; alreadyQueued: boolean }> {
  checkRange(q.from, q.to, ctx.clock.now());
  const queued = await ctx.database.db.transaction().execute(async (trx) => {
    const enqueued = await enqueueTyped(
      trx,
      ctx.clock,
      metricJobs.backfill,
      { from: q.from, to: q.to, actor: { ...source.actor } },
      { coalesce: true, createdBy: source.actor.name },
    );
    if (!enqueued.coalesced) {
      await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
        actor: source.actor,
        action: 'metrics.backfill-requested',
        subjectType: 'metric_snapshots',
        subjectId: `${q.from}..${q.to}`,
        after: { from: q.from, to: q.to, jobId: enqueued.id },
        requestId: source.requestId ?? null,
        ip: source.ip ?? null,
      });
    }
    return enqueued;
  });
  return { jobId: queued.id, alreadyQueued: queued.coalesced };
}

/** The stored snapshot of a day and scope key, or undefined. */
export async function snapshotOf(
  ctx: Ctx,
  day: string,
  scope: MetricScope,
): Promise<MetricSet | undefined> {
  const key = snapshotScopeKey(scope);
  if (key === undefined) return undefined;
  const row = await ctx.database.db
    .selectFrom('metric_snapshots')
    .select('metrics_json')
    .where('scope', '=', key)
    .where('day', '=', day)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.metrics_json) as MetricSet);
}

export interface MetricTrend {
  readonly metric: string;
  readonly key: string | null;
  readonly points: readonly { readonly day: string; readonly value: number | null }[];
  /** Days of the range without a snapshot (their value is null). */
  readonly missingDays: number;
  /** What the points are, and how to fill the missing days. */
  readonly note: string;
}

/** One figure per day of `[from, to]` from the snapshots (null: no snapshot that day). */
export async function metricTrend(
  ctx: Ctx,
  q: Parameters<typeof metricTrendReport>[1],
): Promise<{ day: string; value: number | null }[]> {
  return (await metricTrendReport(ctx, q)).points.map((p) => ({ ...p }));
}

/** One figure per day of `[from, to]`, read from the snapshots (each: the 30 days ending it). */
export async function metricTrendReport(
  ctx: Ctx,
  q: {
    readonly metric: string;
    readonly key?: string | undefined;
    readonly scope: MetricScope;
    readonly from: string;
    readonly to: string;
  },
): Promise<MetricTrend> {
  const problem = metricRefProblem(q.metric, q.key);
  if (problem !== undefined) {
    throw new ValidationError(problem, [
      { field: q.key === undefined ? 'query.metric' : 'query.key', message: problem },
    ]);
  }
  if (
    !isValidPeriod({ from: q.from, to: q.to }) ||
    daysBetween(q.from, q.to) + 1 > maxSnapshotDays
  ) {
    throw new ValidationError(
      `from and to must be days YYYY-MM-DD, from ≤ to, at most ${maxSnapshotDays} days apart`,
      [{ field: 'query.from', message: 'a day YYYY-MM-DD, not after to' }],
    );
  }
  const key = snapshotScopeKey(q.scope);
  const days = Array.from({ length: daysBetween(q.from, q.to) + 1 }, (_, i) => addDays(q.from, i));
  const rows =
    key === undefined
      ? []
      : await ctx.database.db
          .selectFrom('metric_snapshots')
          .select(['day', 'metrics_json'])
          .where('scope', '=', key)
          .where('day', '>=', q.from)
          .where('day', '<=', q.to)
          .execute();
  const byDay = new Map(rows.map((r) => [r.day, JSON.parse(r.metrics_json) as MetricSet]));
  const points = days.map((day) => {
    const set = byDay.get(day);
    return { day, value: set === undefined ? null : metricValue(set, q.metric, q.key) };
  });
  const missingDays = days.filter((d) => !byDay.has(d)).length;
  const what = `each point is the figure for the ${snapshotPeriodDays} days ending that day, as of its end (a daily snapshot)`;
  const note =
    key === undefined
      ? `${what}; snapshots are kept for all assets and for one team, environment or asset group at a time, not for a combination: use GET /api/v1/metrics for this scope`
      : missingDays === 0
        ? what
        : `${what}; ${missingDays} of ${days.length} days have no snapshot (null): days before the first snapshot, or today (not ended) — an admin fills past days with backfillSnapshots (the daily job keeps the last ${snapshotCatchUpDays} days)`;
  return { metric: q.metric, key: q.key ?? null, points, missingDays, note };
}
