/**
 * What every report builder shares (issue 11): the request checked and completed into the
 * inputs a report records (period, scope, policy, data as of), the scope as a set of assets,
 * where a finding stood at `dataAsOf`, and the small document helpers (figures both as blocks
 * and under their stable JSON names).
 *
 * Reproducibility: a builder reads only what existed at `dataAsOf` (first seen, fixed, triaged,
 * decided, taken at ≤ dataAsOf), so a rebuild with the same inputs gives the same figures. One
 * limit, said in the reports' notes: a finding keeps only its latest fix and triage, so a
 * finding reopened or re-triaged after `dataAsOf` reads as open at `dataAsOf`.
 */
import type { MetricPeriod, MetricScope } from '@patchgate/metrics';
import { addDays, findPolicy, isCalendarDate } from '@patchgate/policy';
import type {
  Cell,
  ReportBlock,
  ReportFigure,
  ReportInputs,
  ReportType,
  TableColumn,
} from '@patchgate/report';
import { reportTypes } from '@patchgate/report';
import { timestamp } from '../../../clock.ts';
import type { ServerContext } from '../../../context.ts';
import { ValidationError } from '../../../http/problems.ts';
import type { ReportException, ReportFinding } from '../../findings/index.ts';
import type { ReportAsset } from '../../inventory/index.ts';
import { assetsForReport } from '../../inventory/index.ts';

/** What a caller asks for (the API body, the CLI, a schedule, a regeneration). */
export interface ReportRequest {
  readonly type: ReportType;
  /** Both days included, UTC `YYYY-MM-DD`. */
  readonly period?: MetricPeriod | undefined;
  readonly scope?: MetricScope | undefined;
  /** The change report's change: its id or number (CHG-0001). */
  readonly change?: string | undefined;
  /** The instant the figures describe (ISO 8601); default: now, or the end of the period. */
  readonly dataAsOf?: string | undefined;
}

/** The request that rebuilds a report from the inputs it recorded (same figures). */
export function requestOfInputs(inputs: ReportInputs): ReportRequest {
  return {
    type: inputs.type,
    ...(inputs.period !== null && { period: inputs.period }),
    scope: inputs.scope,
    ...(inputs.change !== undefined && { change: inputs.change.id }),
    dataAsOf: inputs.dataAsOf,
  };
}

export type Progress = (done: number, total: number, step: string) => void;

/** The request checked and completed: what a builder works from. */
export interface Resolved {
  readonly type: ReportType;
  readonly period: MetricPeriod | null;
  readonly scope: MetricScope;
  readonly change: string | undefined;
  readonly dataAsOf: string;
  /** `dataAsOf`'s UTC day. */
  readonly asOfDay: string;
}

/** The report types that need a period (the others may take one). */
export const periodRequired: readonly ReportType[] = ['patch-compliance', 'pci-dss', 'executive'];

/** The longest period a report covers (ten years): a typo in a year is refused, not run. */
export const maxPeriodDays = 3660;

const field = (name: string, message: string) => ({ field: `body.${name}`, message });

function fail(name: string, message: string): never {
  throw new ValidationError(`${name}: ${message}`, [field(name, message)]);
}

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** The last instant of a UTC day. */
export function endOfDay(day: string): string {
  return `${day}T23:59:59.999Z`;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Check a request and complete it (dataAsOf, trimmed scope). Bad input → ValidationError. */
export function resolveRequest(now: string, request: ReportRequest): Resolved {
  if (!(reportTypes as readonly string[]).includes(request.type))
    fail(
      'type',
      `"${String(request.type)}" is not a report type (one of ${reportTypes.join(', ')})`,
    );
  const type = request.type;
  let period: MetricPeriod | null = null;
  if (request.period !== undefined) {
    const { from, to } = request.period;
    if (!isCalendarDate(from)) fail('period.from', `"${from}" is not a date (YYYY-MM-DD)`);
    if (!isCalendarDate(to)) fail('period.to', `"${to}" is not a date (YYYY-MM-DD)`);
    if (from > to) fail('period', `starts (${from}) after it ends (${to})`);
    if (daysBetween(from, to) > maxPeriodDays)
      fail('period', `covers more than ${maxPeriodDays} days (${from}..${to})`);
    if (from > dayOf(now)) fail('period.from', `${from} is in the future`);
    period = { from, to };
  } else if (periodRequired.includes(type)) {
    fail('period', `a ${type} report covers a period: give period.from and period.to`);
  }
  if (type === 'change' && (request.change === undefined || request.change.trim() === ''))
    fail('change', 'a change report names its change (id or CHG-0001)');

  let dataAsOf: string;
  if (request.dataAsOf !== undefined) {
    const parsed = Date.parse(request.dataAsOf);
    if (Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}T/.test(request.dataAsOf))
      fail('dataAsOf', `"${request.dataAsOf}" is not an ISO 8601 instant`);
    dataAsOf = new Date(parsed).toISOString();
    if (dataAsOf > now) fail('dataAsOf', `${dataAsOf} is in the future (now is ${now})`);
  } else {
    const end = period === null ? now : endOfDay(period.to);
    dataAsOf = end < now ? end : now;
  }
  // The metrics describe a period as of its end at the latest (computeMetrics clamps too).
  if (period !== null && periodRequired.includes(type) && dataAsOf > endOfDay(period.to))
    dataAsOf = endOfDay(period.to);
  if (period !== null && period.from > dayOf(dataAsOf))
    fail('dataAsOf', `${dataAsOf} is before the period starts (${period.from})`);

  const clean = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value.trim();
  const scope: MetricScope = {
    ...(clean(request.scope?.team) !== undefined && { team: clean(request.scope?.team) }),
    ...(clean(request.scope?.environment) !== undefined && {
      environment: clean(request.scope?.environment),
    }),
    ...(clean(request.scope?.assetGroup) !== undefined && {
      assetGroup: clean(request.scope?.assetGroup),
    }),
  };
  return {
    type,
    period,
    scope,
    change: request.change?.trim(),
    dataAsOf,
    asOfDay: dayOf(dataAsOf),
  };
}

export function nowOf(ctx: Pick<ServerContext, 'clock'>): string {
  return timestamp(ctx.clock);
}

/** The scope in words: `team web, environment production` or `every asset`. */
export function scopeText(scope: MetricScope): string {
  const parts = [
    scope.team !== undefined && `team ${scope.team}`,
    scope.environment !== undefined && `environment ${scope.environment}`,
    scope.assetGroup !== undefined && `asset group ${scope.assetGroup}`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length === 0 ? 'every asset' : parts.join(', ');
}

export function hasScope(scope: MetricScope): boolean {
  return Object.keys(scope).length > 0;
}

export interface ScopedAssets {
  /** Every asset (by name). */
  readonly all: readonly ReportAsset[];
  /** The assets in scope (all when the scope is empty). */
  readonly assets: readonly ReportAsset[];
  /** Their ids, or undefined when the scope is empty (findings of every asset, even deleted ones). */
  readonly ids: readonly string[] | undefined;
}

export function inScope(asset: ReportAsset, scope: MetricScope): boolean {
  return (
    (scope.team === undefined || asset.team === scope.team) &&
    (scope.environment === undefined || asset.environment === scope.environment) &&
    (scope.assetGroup === undefined || asset.groups.includes(scope.assetGroup))
  );
}

/**
 * The assets in scope; when a scope names nothing that exists, a warning that says which
 * names do exist (the usual cause: a typo).
 */
export async function scopedAssets(
  ctx: Pick<ServerContext, 'database'>,
  resolved: Resolved,
  warnings: string[],
): Promise<ScopedAssets> {
  const all = await assetsForReport(ctx.database);
  if (!hasScope(resolved.scope)) return { all, assets: all, ids: undefined };
  const assets = all.filter((a) => inScope(a, resolved.scope));
  if (assets.length === 0) {
    const known = (values: (string | null)[]) => {
      const set = [...new Set(values.filter((v): v is string => v !== null))].sort();
      return set.length === 0 ? 'none set' : set.slice(0, 20).join(', ');
    };
    warnings.push(
      `No asset matches the scope (${scopeText(resolved.scope)}), so this report is empty. ` +
        `Check the names: teams ${known(all.map((a) => a.team))}; environments ${known(all.map((a) => a.environment))}; ` +
        `asset groups ${known(all.flatMap((a) => [...a.groups]))}. Set an asset's owner team, environment or groups in the inventory to bring it into scope.`,
    );
  }
  return { all, assets, ids: assets.map((a) => a.id) };
}

/** Where a finding stood at an instant (the findings context's status words). */
export type StatusAt =
  'open' | 'accepted' | 'not_affected' | 'false_positive' | 'resolved' | 'fixed';

const settled = new Set(['not_affected', 'false_positive', 'resolved']);

/** The exception accepting a finding at `asOf`: approved by then, not yet expired or closed. */
export function acceptingException(
  exceptions: readonly ReportException[],
  asOf: string,
): ReportException | undefined {
  return exceptions.find(
    (e) =>
      ['approved', 'expired', 'revoked'].includes(e.state) &&
      e.decidedAt !== null &&
      e.decidedAt <= asOf &&
      e.expiresAt > asOf &&
      (e.closedAt === null || e.closedAt > asOf),
  );
}

/**
 * A finding's status at `asOf`, in the findings context's order of precedence: fixed, accepted
 * (an exception), settled by triage (VEX), else open. Only what happened by `asOf` counts.
 */
export function statusAt(
  finding: ReportFinding,
  exceptions: readonly ReportException[],
  asOf: string,
): StatusAt {
  if (finding.fixedAt !== null && finding.fixedAt <= asOf) return 'fixed';
  if (acceptingException(exceptions, asOf) !== undefined) return 'accepted';
  if (
    finding.triageState !== null &&
    settled.has(finding.triageState) &&
    finding.triageAt !== null &&
    finding.triageAt <= asOf
  )
    return finding.triageState as StatusAt;
  return 'open';
}

export function exceptionsByFinding(
  exceptions: readonly ReportException[],
): Map<string, ReportException[]> {
  const map = new Map<string, ReportException[]>();
  for (const e of exceptions) map.set(e.findingId, [...(map.get(e.findingId) ?? []), e]);
  return map;
}

/**
 * The policy the due dates came from: the server's (PATCHGATE_POLICY) when it is a built-in,
 * else the one most findings' decisions name. Findings prioritised by another policy (before
 * the setting changed) are a warning: their due dates are their own policy's.
 */
export function policyOf(
  ctx: Pick<ServerContext, 'config'>,
  findings: readonly ReportFinding[],
  warnings: string[],
): ReportInputs['policy'] {
  const counts = new Map<string, { name: string; count: number }>();
  for (const f of findings) {
    const id = f.decision?.policyId;
    if (id === null || id === undefined) continue;
    const entry = counts.get(id) ?? { name: f.decision?.policyName ?? id, count: 0 };
    counts.set(id, { ...entry, count: entry.count + 1 });
  }
  const builtin = findPolicy(ctx.config.policy);
  const mostUsed = [...counts.entries()].sort(
    (a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1),
  )[0];
  const policy =
    builtin !== undefined
      ? { id: builtin.id, name: builtin.name }
      : mostUsed !== undefined
        ? { id: mostUsed[0], name: mostUsed[1].name }
        : { id: ctx.config.policy, name: ctx.config.policy };
  const others = [...counts.entries()].filter(([id]) => id !== policy.id);
  if (others.length > 0) {
    const n = others.reduce((sum, [, v]) => sum + v.count, 0);
    warnings.push(
      `${n} finding${n === 1 ? ' was' : 's were'} prioritised by ${others.map(([id, v]) => `${v.name} (${id}, ${v.count})`).join(', ')} ` +
        `rather than ${policy.name}, the policy of this report: their due dates are that policy's. A reconcile under the server's policy (PATCHGATE_POLICY) gives them its dates.`,
    );
  }
  return policy;
}

export function inputsOf(
  resolved: Resolved,
  policy: ReportInputs['policy'],
  change?: ReportInputs['change'],
): ReportInputs {
  return {
    type: resolved.type,
    period: resolved.period,
    scope: resolved.scope,
    ...(change !== undefined && { change }),
    policy,
    dataAsOf: resolved.dataAsOf,
  };
}

/** Figures as a block, and under their stable names for the JSON form. */
export function figureBlock(figures: readonly ReportFigure[]): ReportBlock {
  return { kind: 'figures', figures };
}

export function figureValues(
  figures: readonly ReportFigure[],
): Record<string, ReportFigure['value']> {
  return Object.fromEntries(figures.map((f) => [f.name, f.value]));
}

export function ratio(met: number, counted: number): number | null {
  return counted === 0 ? null : met / counted;
}

/** Good at or above the target, a warning within 10 points below, bad under that. */
export function statusOfRatio(
  value: number | null,
  target: number,
): ReportFigure['status'] | undefined {
  if (value === null) return undefined;
  if (value >= target) return 'good';
  return value >= target - 0.1 ? 'warning' : 'bad';
}

export function table(
  name: string,
  title: string,
  columns: readonly TableColumn[],
  rows: readonly Readonly<Record<string, Cell>>[],
  empty: string,
  note?: string,
): ReportBlock {
  return {
    kind: 'table',
    name,
    title,
    columns,
    rows,
    empty,
    ...(note !== undefined && { note }),
  };
}

export const col = (key: string, label: string, align?: 'left' | 'right'): TableColumn => ({
  key,
  label,
  ...(align !== undefined && { align }),
});

/** A period in words. */
export function periodText(period: MetricPeriod | null): string {
  return period === null ? 'no period' : `${period.from} to ${period.to}`;
}

export { addDays };

/** The usual note under a report built from findings (the reproducibility limit). */
export const asOfNote =
  'Figures describe the data as of the instant recorded in the inputs: findings first seen, fixed, triaged and accepted by then. A finding reopened or re-triaged after that instant keeps only its latest state and reads as open.';
