/**
 * The period and scope every reports screen reads from the URL (`from`, `to`, `team`,
 * `environment`, `assetGroup`): the last 90 days to today (UTC) unless given, and the links a
 * figure opens (its drill-down rows) keep them.
 */
import { useUrlState } from '../../ui/url-state.ts';

export const periodKeys = ['from', 'to', 'team', 'environment', 'assetGroup'] as const;
export type PeriodKey = (typeof periodKeys)[number];

export interface PeriodScope {
  readonly from: string;
  readonly to: string;
  readonly team?: string | undefined;
  readonly environment?: string | undefined;
  readonly assetGroup?: string | undefined;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** `[today − days + 1, today]` in UTC days. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const from = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: day(from), to: day(now) };
}

export function usePeriodScope(): {
  readonly value: PeriodScope;
  readonly set: (changes: Partial<Record<PeriodKey, string | undefined>>) => void;
} {
  const url = useUrlState(periodKeys);
  const fallback = lastDays(90);
  const value: PeriodScope = {
    from: url.values.from ?? fallback.from,
    to: url.values.to ?? fallback.to,
    team: url.values.team,
    environment: url.values.environment,
    assetGroup: url.values.assetGroup,
  };
  return { value, set: (changes) => url.set(changes) };
}

/** The query of `/metrics…` calls (absent scope keys left out). */
export function scopeQuery(scope: PeriodScope): Record<string, string> {
  const query: Record<string, string> = { from: scope.from, to: scope.to };
  if (scope.team !== undefined) query['team'] = scope.team;
  if (scope.environment !== undefined) query['environment'] = scope.environment;
  if (scope.assetGroup !== undefined) query['assetGroup'] = scope.assetGroup;
  return query;
}

/** Where a figure's rows are listed: `/reports/rows?metric=…&key=…&from=…`. */
export function rowsLink(scope: PeriodScope, metric: string, key?: string): string {
  const query = new URLSearchParams({ metric, ...(key !== undefined && { key }) });
  for (const [name, value] of Object.entries(scopeQuery(scope))) query.set(name, value);
  return `/reports/rows?${query.toString()}`;
}

/** `last 90 days for team web`: the scope in words. */
export function describeScope(scope: PeriodScope): string {
  const parts = [
    scope.team !== undefined && `team ${scope.team}`,
    scope.environment !== undefined && `environment ${scope.environment}`,
    scope.assetGroup !== undefined && `asset group ${scope.assetGroup}`,
  ].filter((part) => part !== false);
  return parts.length === 0 ? 'every asset' : parts.join(', ');
}
