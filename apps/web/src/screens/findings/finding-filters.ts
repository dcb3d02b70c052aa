/**
 * The findings list's filters: the URL's query keys are `GET /api/v1/findings`'s own query
 * parameters (a dashboard link `/findings?priority=P1,P2&kev=true` is the API call's filter), so
 * turning the URL into the request is a copy of the keys the API knows, nothing renamed.
 */
import type { paths } from '../../api/client.ts';

export type FindingsQuery = NonNullable<paths['/api/v1/findings']['get']['parameters']['query']>;
export type SummaryQuery = NonNullable<
  paths['/api/v1/findings/summary']['get']['parameters']['query']
>;
export type FindingSort = NonNullable<FindingsQuery['sort']>;

/** Filters that take several values (comma-separated in the URL and in the request). */
export const multiFilters = {
  priority: { label: 'Priority', values: ['P1', 'P2', 'P3', 'P4', 'P5'] },
  status: {
    label: 'Status',
    values: [
      'open',
      'reopened',
      'accepted',
      'not_affected',
      'false_positive',
      'resolved',
      'fixed',
      'all',
    ],
  },
  environment: {
    label: 'Environment',
    values: ['production', 'staging', 'test', 'development', 'none'],
  },
  criticality: { label: 'Criticality', values: ['critical', 'high', 'medium', 'low'] },
  exposure: { label: 'Exposure', values: ['internet', 'internal', 'unknown'] },
  state: { label: 'Detection', values: ['open', 'fixed', 'reopened'] },
  triage: {
    label: 'Triage',
    values: ['in_triage', 'exploitable', 'false_positive', 'not_affected', 'resolved', 'none'],
  },
  due: { label: 'Due', values: ['overdue', 'soon', 'later', 'none'] },
} as const satisfies Record<string, { label: string; values: readonly string[] }>;
export type MultiFilter = keyof typeof multiFilters;

/** How a several-valued filter's value reads where its word alone would not say it. */
const valueLabels: Partial<Record<MultiFilter, Readonly<Record<string, string>>>> = {
  due: {
    overdue: 'overdue',
    soon: 'due within 7 days',
    later: 'due later',
    none: 'no due date',
  },
  triage: { none: 'never triaged' },
  environment: { none: 'unknown environment' },
};

/** A several-valued filter's value as it reads (`not_affected` → `not affected`). */
export const valueLabel = (name: MultiFilter, value: string): string =>
  valueLabels[name]?.[value] ?? words(value);

/** Yes/no filters (`true`/`false`; absent: either). */
export const booleanFilters = {
  kev: { label: 'In CISA KEV' },
  overdue: { label: 'Overdue' },
  actionable: { label: 'Actionable' },
  accepted: { label: 'Accepted (exception)' },
  noOwnerTeam: { label: 'Without owner team' },
} as const;
export type BooleanFilter = keyof typeof booleanFilters;

/** Free-text filters (applied on Enter or when the field is left). */
export const textFilters = {
  asset: { label: 'Asset', placeholder: 'name or id' },
  ownerTeam: { label: 'Owner team', placeholder: 'exact team name' },
  group: { label: 'Group', placeholder: 'asset group' },
  package: { label: 'Package', placeholder: 'exact name' },
  advisory: { label: 'Advisory', placeholder: 'CVE-… or GHSA-…' },
} as const;
export type TextFilter = keyof typeof textFilters;

/** Date filters (YYYY-MM-DD). */
export const dateFilters = {
  dueBefore: { label: 'Due before' },
} as const;
export type DateFilter = keyof typeof dateFilters;

export const sortOptions: readonly { value: FindingSort; label: string }[] = [
  { value: 'priority', label: 'Priority, then due date' },
  { value: 'due', label: 'Due date, earliest first' },
  { value: 'epss', label: 'EPSS, highest first' },
  { value: 'first_seen', label: 'First seen, newest first' },
];

export const filterKeys = [
  ...(Object.keys(textFilters) as TextFilter[]),
  ...(Object.keys(multiFilters) as MultiFilter[]),
  ...(Object.keys(booleanFilters) as BooleanFilter[]),
  ...(Object.keys(dateFilters) as DateFilter[]),
  'epssMin',
] as const;
export type FilterKey = (typeof filterKeys)[number];

/** Every key the findings screen keeps in its URL. */
export const findingsUrlKeys = [...filterKeys, 'sort', 'selected'] as const;
export type FindingsUrlKey = (typeof findingsUrlKeys)[number];

const isSort = (value: string | undefined): value is FindingSort =>
  sortOptions.some((option) => option.value === value);

const yesNo = (value: string | undefined): 'true' | 'false' | undefined =>
  value === 'true' || value === 'false' ? value : undefined;

/** The URL's filters as `GET /api/v1/findings/summary`'s query (no sort, no page). */
export function toSummaryQuery(values: Partial<Record<FindingsUrlKey, string>>): SummaryQuery {
  const query: SummaryQuery = {};
  for (const key of Object.keys(textFilters) as TextFilter[]) {
    const value = values[key]?.trim();
    if (value !== undefined && value !== '') query[key] = value;
  }
  for (const key of Object.keys(multiFilters) as MultiFilter[]) {
    const value = values[key];
    if (value !== undefined && value !== '') query[key] = value;
  }
  for (const key of Object.keys(booleanFilters) as BooleanFilter[]) {
    const value = yesNo(values[key]);
    if (value !== undefined) query[key] = value;
  }
  for (const key of Object.keys(dateFilters) as DateFilter[]) {
    const value = values[key];
    if (value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value)) query[key] = value;
  }
  const epss = values.epssMin === undefined ? Number.NaN : Number(values.epssMin);
  if (Number.isFinite(epss) && epss >= 0 && epss <= 1) query.epssMin = epss;
  return query;
}

/** The URL's filters and sort as `GET /api/v1/findings`'s query (the cursor comes per page). */
export function toFindingsQuery(values: Partial<Record<FindingsUrlKey, string>>): FindingsQuery {
  const query: FindingsQuery = toSummaryQuery(values);
  if (isSort(values.sort) && values.sort !== 'priority') query.sort = values.sort;
  return query;
}

/** The sort in the URL (the API's default when absent or unknown). */
export const sortOf = (values: Partial<Record<FindingsUrlKey, string>>): FindingSort =>
  isSort(values.sort) ? values.sort : 'priority';

/**
 * Whether the list shows only its default work queue (open and reopened findings): the API
 * applies it unless one of these filters is given.
 */
export const usesDefaultStatus = (query: SummaryQuery): boolean =>
  query.status === undefined &&
  query.state === undefined &&
  query.triage === undefined &&
  query.accepted === undefined &&
  query.actionable === undefined;

/** How many filters are set (for the "Clear filters" button). */
export const activeFilterCount = (values: Partial<Record<FindingsUrlKey, string>>): number =>
  filterKeys.filter((key) => values[key] !== undefined && values[key] !== '').length;

/** `not_affected` → `not affected`. */
export const words = (value: string): string => value.replaceAll('_', ' ');
