/**
 * The metrics of a period and scope from the system of record (issue 11; ADR 0043): the rows
 * are read through the other contexts' index.ts (findings, changes, inventory, agents,
 * calendar, advisories), narrowed to the scope, and handed to @patchgate/metrics, which
 * computes every figure and the rows each figure counts with the same rules.
 *
 * As of: every read keeps only what happened at or before `asOf` (first seen, fixed, triaged,
 * approved, transitioned, recorded), so figures for a past `asOf` stay as they were when later
 * data arrives (the known limits are listed in the ADR).
 */
import type {
  AssetFact,
  ChangeFact,
  FindingFact,
  MetricInputs,
  MetricPeriod,
  MetricRef,
  MetricRow,
  MetricRowKind,
  MetricScope,
  MetricSet,
  MetricSettings,
  RolloutFact,
} from '@patchgate/metrics';
import {
  classify,
  computeMetricSet,
  defaultReportingWindowDays,
  endOfDay,
  inScope,
  isValidPeriod,
  metricRefProblem,
  metricRowsOf,
  noneKey,
  scopeOf,
} from '@patchgate/metrics';
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { ServerContext } from '../../context.ts';
import { ValidationError } from '../../http/problems.ts';
import { advisoryDates } from '../advisories/index.ts';
import type { AgentMetricRow } from '../agents/index.ts';
import { agentMetricRows, heartbeatSeconds } from '../agents/index.ts';
import { windowsForAssets } from '../calendar/index.ts';
import type { ChangeMetricRow } from '../changes/index.ts';
import { changeMetricRows } from '../changes/index.ts';
import type { ExceptionMetricRow, FindingMetricRow } from '../findings/index.ts';
import { exceptionMetricRows, findingMetricRows } from '../findings/index.ts';
import type { AssetMetricRow } from '../inventory/index.ts';
import { assetMetricRows, listAssetFacts } from '../inventory/index.ts';

export interface MetricQuery {
  readonly period: MetricPeriod;
  readonly scope: MetricScope;
  /** ISO instant; default (and at most) the end of `period.to`, and never after now. */
  readonly asOf?: string | undefined;
}

export interface MetricRows {
  readonly metric: string;
  readonly key: string | null;
  readonly kind: MetricRowKind;
  readonly asOf: string;
  readonly total: number;
  readonly rows: readonly MetricRow[];
  /** Give it back as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

export const metricSettings: MetricSettings = {
  reportingWindowDays: defaultReportingWindowDays,
  // The dashboard's rule: not seen within three heartbeats.
  staleAgentSeconds: 3 * heartbeatSeconds,
};

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

/** The instant a query's figures describe: `asOf`, the end of `to`, or now, whichever is first. */
export function resolveAsOf(ctx: Pick<ServerContext, 'clock'>, query: MetricQuery): string {
  if (!isValidPeriod(query.period)) {
    throw new ValidationError(
      `the period must be two days YYYY-MM-DD with from ≤ to (got ${query.period.from}..${query.period.to})`,
      [{ field: 'query.from', message: 'from and to are days YYYY-MM-DD, from ≤ to' }],
    );
  }
  const candidates = [endOfDay(query.period.to), ctx.clock.now().toISOString()];
  if (query.asOf !== undefined) {
    const at = Date.parse(query.asOf);
    if (Number.isNaN(at)) {
      throw new ValidationError(`asOf is not a date-time: ${query.asOf}`, [
        { field: 'query.asOf', message: 'an ISO 8601 date-time' },
      ]);
    }
    candidates.push(new Date(at).toISOString());
  }
  return candidates.sort()[0] ?? endOfDay(query.period.to);
}

const isPriority = (p: string): p is Priority => (priorities as readonly string[]).includes(p);

/** Everything the figures read as of `asOf`, every scope (narrowed by `narrowMetricInputs`). */
export interface MetricSource {
  readonly findingRows: readonly FindingMetricRow[];
  readonly exceptionRows: readonly ExceptionMetricRow[];
  readonly changeRows: readonly ChangeMetricRow[];
  readonly assetRows: readonly AssetMetricRow[];
  /**
   * Every asset's scope keys as the inventory has them now (owner team, environment, groups),
   * also for assets created after `asOf` whose findings were imported with earlier dates: a
   * finding is placed in a team by its asset's current owner (coverage counts `assetRows`).
   */
  readonly assetKeys: ReadonlyMap<
    string,
    { team: string | null; environment: string | null; groups: readonly string[] }
  >;
  readonly agentRows: readonly AgentMetricRow[];
  readonly windowed: ReadonlySet<string>;
  readonly published: ReadonlyMap<string, string | null>;
}

/** Read the rows of every context the figures need, as of `asOf` (through their index.ts). */
export async function readMetricSource(ctx: Ctx, asOf: string): Promise<MetricSource> {
  const database = ctx.database;
  const [findingRows, exceptionRows, changeRows, assetRows, agentRows, facts] = await Promise.all([
    findingMetricRows(database, asOf),
    exceptionMetricRows(database, asOf),
    changeMetricRows(database, asOf),
    assetMetricRows(database, asOf),
    agentMetricRows(database, asOf),
    listAssetFacts(database),
  ]);
  const windows = await windowsForAssets(database, facts);
  const dates = await advisoryDates(
    database,
    findingRows.map((f) => f.advisoryId),
  );
  return {
    findingRows,
    exceptionRows,
    changeRows,
    assetRows,
    assetKeys: new Map(
      facts.map((a) => [a.id, { team: a.team, environment: a.environment, groups: a.groups }]),
    ),
    agentRows,
    windowed: new Set([...windows].filter(([, w]) => w.length > 0).map(([id]) => id)),
    published: new Map([...dates].map(([id, d]) => [id, d.published])),
  };
}

/** The rows the figures are computed from, narrowed to the scope, as of `asOf`. */
export async function readMetricInputs(
  ctx: Ctx,
  scope: MetricScope,
  asOf: string,
): Promise<MetricInputs> {
  return narrowMetricInputs(await readMetricSource(ctx, asOf), scope);
}

/** The inputs of one scope (pure: a day's source serves every scope of a snapshot). */
export function narrowMetricInputs(source: MetricSource, scope: MetricScope): MetricInputs {
  const { findingRows, exceptionRows, changeRows, assetRows, agentRows } = source;
  // The scope keys of an asset: the inventory's (current) owner team, environment and groups.
  const keysOf = source.assetKeys;
  const keysOfFinding = (f: FindingMetricRow) => {
    const a = keysOf.get(f.assetId);
    return a === undefined
      ? { team: null, environment: f.environment, groups: f.groups }
      : { team: a.team, environment: a.environment, groups: a.groups };
  };

  const findings: FindingFact[] = [];
  for (const f of findingRows) {
    const keys = keysOfFinding(f);
    if (!inScope(keys, scope)) continue;
    findings.push({
      id: f.id,
      assetId: f.assetId,
      assetName: f.assetName,
      advisoryId: f.advisoryId,
      packageName: f.packageName,
      priority: isPriority(f.priority) ? f.priority : 'P5',
      dueDate: f.dueDate,
      state: f.state,
      firstSeenAt: f.firstSeenAt,
      fixedAt: f.fixedAt,
      triageState: f.triageState,
      triageAt: f.triageAt,
      kev: f.kev,
      exposure: f.exposure,
      policy: f.policy ?? noneKey,
      ...keys,
      advisoryPublishedAt: source.published.get(f.advisoryId) ?? null,
    });
  }
  const findingIds = new Set(findingRows.map((f) => f.id));
  const firstSeen = new Map(findingRows.map((f) => [f.id, f.firstSeenAt]));
  const assetInScope = (assetId: string) => {
    const a = keysOf.get(assetId);
    return a !== undefined && inScope(a, scope);
  };
  const findingById = new Map(findingRows.map((f) => [f.id, f]));
  const exceptions = exceptionRows.filter((e) => {
    const finding = findingById.get(e.findingId);
    return finding !== undefined ? inScope(keysOfFinding(finding), scope) : assetInScope(e.assetId);
  });

  // A change is in scope when one of the assets it was scoped to is (the facts it copied).
  // Every change counts for all assets, even one whose scope is empty.
  const everything = Object.keys(scopeOf(scope)).length === 0;
  const scopedChanges = changeRows.filter(
    (c) => everything || c.assets.some((a) => inScope(a, scope)),
  );
  const changes: ChangeFact[] = scopedChanges.map((c) => ({
    id: c.id,
    number: c.number,
    title: c.title,
    type: c.type,
    transitions: c.transitions,
  }));
  const rollouts: RolloutFact[] = scopedChanges.flatMap((c) =>
    c.rollouts.map((r) => ({
      changeId: c.id,
      changeNumber: c.number,
      rolloutId: r.rolloutId,
      outcome: r.outcome,
      plannedStart: r.planned.start,
      plannedEnd: r.planned.end,
      actualStart: r.actual.start,
      actualEnd: r.actual.end,
      waves: r.waves.map((w) => ({
        name: w.name,
        hosts: w.hosts.map((h) => ({ assetName: h.assetName, outcome: h.outcome })),
      })),
      recordedAt: r.recordedAt,
    })),
  );
  const changeFindings = scopedChanges.flatMap((c) =>
    c.findings.flatMap((f) => {
      const seen = firstSeen.get(f.findingId);
      return seen === undefined || !findingIds.has(f.findingId)
        ? []
        : [{ changeId: c.id, findingId: f.findingId, firstSeenAt: seen }];
    }),
  );

  const assets: AssetFact[] = assetRows
    .filter((a) => inScope(a, scope))
    .map((a) => ({ ...a, hasWindow: source.windowed.has(a.id) }));
  const assetIds = new Set(assets.map((a) => a.id));
  const agents = agentRows.filter((a) => assetIds.has(a.assetId));

  return { findings, exceptions, changes, rollouts, changeFindings, assets, agents };
}

/** Every figure of a period and scope (issue 11), under the stable names of `MetricSet`. */
export async function computeMetrics(ctx: Ctx, query: MetricQuery): Promise<MetricSet> {
  const asOf = resolveAsOf(ctx, query);
  const scope = scopeOf(query.scope);
  const inputs = await readMetricInputs(ctx, scope, asOf);
  return computeMetricSet(inputs, { period: query.period, asOf, scope }, metricSettings);
}

export const defaultRowsLimit = 100;
export const maxRowsLimit = 1000;

/** The rows a figure counts (the drill-down), a page at a time (`cursor`: the offset so far). */
export async function metricRows(
  ctx: Ctx,
  query: MetricQuery & MetricRef & { readonly limit?: number; readonly cursor?: string },
): Promise<MetricRows> {
  const problem = metricRefProblem(query.metric, query.key);
  if (problem !== undefined) {
    throw new ValidationError(problem, [
      { field: query.key === undefined ? 'query.metric' : 'query.key', message: problem },
    ]);
  }
  const offset = query.cursor === undefined ? 0 : Number(query.cursor);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ValidationError(`cursor is not one this API gave: ${query.cursor ?? ''}`, [
      { field: 'query.cursor', message: 'the nextCursor of the previous page' },
    ]);
  }
  const limit = Math.min(Math.max(query.limit ?? defaultRowsLimit, 1), maxRowsLimit);
  const asOf = resolveAsOf(ctx, query);
  const scope = scopeOf(query.scope);
  const inputs = await readMetricInputs(ctx, scope, asOf);
  const classified = classify(inputs, { period: query.period, asOf }, metricSettings);
  const all = metricRowsOf(classified, query.metric, query.key);
  const rows = all.rows.slice(offset, offset + limit);
  return {
    metric: query.metric,
    key: query.key ?? null,
    kind: all.kind,
    asOf,
    total: all.rows.length,
    rows,
    nextCursor: offset + limit < all.rows.length ? String(offset + limit) : null,
  };
}
