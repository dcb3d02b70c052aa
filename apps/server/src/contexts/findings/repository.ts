/**
 * Typed queries on the findings context's own tables. Lists use keyset pagination over the
 * (sort columns…, id) tuples the migration indexes: a page costs the same at row 700,000 as
 * at row 0, where OFFSET would scan everything before it.
 */
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { DetectionState, DueStatus, FindingStatus, TriageState } from './model.ts';
import { addDays, dueSoonDays, settledTriageStates } from './model.ts';
import type { FindingExceptionTable, FindingTable } from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

// ---------------------------------------------------------------- reconcile

export function storedFindingsOfAsset(db: Executor, assetId: string): Promise<FindingTable[]> {
  return db.selectFrom('findings').selectAll().where('asset_id', '=', assetId).execute();
}

export async function insertFindings(db: Executor, rows: readonly FindingTable[]): Promise<void> {
  if (rows.length === 0) return;
  // Concurrent reconciles of one asset: the identity is unique, the second insert is a no-op.
  await db
    .insertInto('findings')
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(['asset_id', 'ecosystem', 'package_name', 'advisory_id']).doNothing(),
    )
    .execute();
}

export async function updateFinding(
  db: Executor,
  id: string,
  changes: Partial<Omit<FindingTable, 'id'>>,
): Promise<void> {
  await db.updateTable('findings').set(changes).where('id', '=', id).execute();
}

const idBatch = 500;

export async function markFindingsFixed(
  db: Executor,
  ids: readonly string[],
  now: string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += idBatch) {
    await db
      .updateTable('findings')
      .set({ state: 'fixed' satisfies DetectionState, fixed_at: now, updated_at: now })
      .where('id', 'in', ids.slice(i, i + idBatch))
      .execute();
  }
}

export async function addFindingAliases(
  db: Executor,
  pairs: readonly { alias: string; advisory_id: string }[],
): Promise<void> {
  const unique = [...new Map(pairs.map((p) => [`${p.alias}\0${p.advisory_id}`, p])).values()];
  for (let i = 0; i < unique.length; i += idBatch) {
    await db
      .insertInto('finding_aliases')
      .values(unique.slice(i, i + idBatch))
      .onConflict((oc) => oc.columns(['alias', 'advisory_id']).doNothing())
      .execute();
  }
}

/** Make the asset's stored groups exactly `groups`; true when that changed anything. */
export async function replaceAssetGroups(
  db: Executor,
  assetId: string,
  groups: readonly string[],
): Promise<boolean> {
  const stored = await db
    .selectFrom('finding_asset_groups')
    .select('group_name')
    .where('asset_id', '=', assetId)
    .execute();
  const have = new Set(stored.map((r) => r.group_name));
  const want = new Set(groups);
  const remove = [...have].filter((g) => !want.has(g));
  const add = [...want].filter((g) => !have.has(g));
  if (remove.length > 0) {
    await db
      .deleteFrom('finding_asset_groups')
      .where('asset_id', '=', assetId)
      .where('group_name', 'in', remove)
      .execute();
  }
  if (add.length > 0) {
    await db
      .insertInto('finding_asset_groups')
      .values(add.map((group_name) => ({ asset_id: assetId, group_name })))
      .execute();
  }
  return remove.length + add.length > 0;
}

/** Call in every transaction that changes findings: the summary cache keys on it. */
export async function bumpFindingsVersion(db: Executor): Promise<void> {
  await db
    .updateTable('findings_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 'findings')
    .execute();
}

export async function findingsVersion(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('findings_version')
    .select('version')
    .where('id', '=', 'findings')
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** The next time after `now` an acceptance lapses (the summary's counts change then). */
export async function nextAcceptanceLapse(db: Executor, now: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('findings')
    .select((eb) => eb.fn.min('accepted_until').as('next'))
    .where('accepted_until', '>', now)
    .executeTakeFirst();
  return row?.next ?? undefined;
}

// ---------------------------------------------------------------- lists

export interface FindingFilters {
  readonly assetId?: string;
  /** Any of these assets (the route resolves an owner team to its assets). */
  readonly assetIds?: readonly string[];
  readonly group?: string;
  readonly environment?: readonly string[];
  readonly criticality?: readonly string[];
  readonly exposure?: readonly string[];
  readonly priority?: readonly string[];
  readonly state?: readonly DetectionState[];
  /** Any of these statuses (model.ts `findingStatuses`: one per finding). */
  readonly status?: readonly FindingStatus[];
  /** `none`: never triaged. */
  readonly triage?: readonly (TriageState | 'none')[];
  /** true: covered by an approved, unexpired exception; false: not. */
  readonly accepted?: boolean;
  /** Open or reopened, not accepted, not triaged away: the work queue. */
  readonly actionable?: boolean;
  /** due date strictly before this day (YYYY-MM-DD). */
  readonly dueBefore?: string;
  /** open/reopened and due before today. */
  readonly overdue?: boolean;
  /** Any of these due statuses (model.ts `dueStatuses`, relative to today). */
  readonly due?: readonly DueStatus[];
  readonly kev?: boolean;
  readonly epssMin?: number;
  readonly package?: string;
  /** The binary package name or its source package's (curl: curl and libcurl4). */
  readonly packageOrSource?: string;
  /** An advisory id or one of its aliases (CVE, GHSA…). */
  readonly advisory?: string;
}

export const findingSorts = ['priority', 'due', 'epss', 'first_seen'] as const;
export type FindingSort = (typeof findingSorts)[number];

type SortColumn = 'priority' | 'due_key' | 'epss_key' | 'first_seen_at' | 'id';

/** Each sort: its columns (the id last, for a total order) and one direction for all. */
export const sortColumns: Readonly<
  Record<FindingSort, { columns: readonly SortColumn[]; direction: 'asc' | 'desc' }>
> = {
  priority: { columns: ['priority', 'due_key', 'id'], direction: 'asc' },
  due: { columns: ['due_key', 'id'], direction: 'asc' },
  epss: { columns: ['epss_key', 'id'], direction: 'desc' },
  first_seen: { columns: ['first_seen_at', 'id'], direction: 'desc' },
};

/** Where a page ends: the sort values of its last row. */
export type Keyset = readonly (string | number)[];

const active: DetectionState[] = ['open', 'reopened'];

/** The condition "this finding's status is `status`" (precedence as in model.ts). */
function statusIs(
  eb: ExpressionBuilder<DatabaseSchema, 'findings'>,
  status: FindingStatus,
  now: string,
) {
  if (status === 'fixed') return eb('state', '=', 'fixed');
  const accepted = eb('accepted_until', '>', now);
  if (status === 'accepted') return eb.and([eb('state', 'in', active), accepted]);
  const notAccepted = eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]);
  if (status === 'open' || status === 'reopened') {
    return eb.and([
      eb('state', '=', status),
      notAccepted,
      eb.or([eb('triage_state', 'is', null), eb('triage_state', 'not in', settledTriageStates)]),
    ]);
  }
  return eb.and([eb('state', 'in', active), notAccepted, eb('triage_state', '=', status)]);
}

/**
 * Any of `statuses`. The work queue (`open,reopened`, every list's default) is written
 * `state <> 'fixed' AND …`: no index matches it, so the planner walks the sort's index and
 * filters, where `state IN (…)` made SQLite sort every open finding first.
 */
function statusIn(
  eb: ExpressionBuilder<DatabaseSchema, 'findings'>,
  statuses: readonly FindingStatus[],
  now: string,
) {
  const queue = new Set(statuses);
  if (queue.size === 2 && queue.has('open') && queue.has('reopened')) {
    return eb.and([
      eb('state', '<>', 'fixed'),
      eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]),
      eb.or([eb('triage_state', 'is', null), eb('triage_state', 'not in', settledTriageStates)]),
    ]);
  }
  return eb.or(statuses.map((status) => statusIs(eb, status, now)));
}

function filtersOn(
  eb: ExpressionBuilder<DatabaseSchema, 'findings'>,
  filters: FindingFilters,
  now: string,
) {
  const today = now.slice(0, 10);
  const and = [];
  if (filters.assetId !== undefined) and.push(eb('asset_id', '=', filters.assetId));
  if (filters.assetIds !== undefined)
    and.push(
      filters.assetIds.length === 0
        ? sql<boolean>`1 = 0`
        : eb('asset_id', 'in', [...filters.assetIds]),
    );
  if (filters.group !== undefined) {
    and.push(
      eb(
        'asset_id',
        'in',
        eb
          .selectFrom('finding_asset_groups')
          .select('finding_asset_groups.asset_id')
          .where('group_name', '=', filters.group),
      ),
    );
  }
  if (filters.environment !== undefined) {
    const named = filters.environment.filter((e) => e !== 'none');
    const either = [];
    if (named.length > 0) either.push(eb('environment', 'in', named));
    if (filters.environment.includes('none')) either.push(eb('environment', 'is', null));
    and.push(eb.or(either));
  }
  if (filters.criticality !== undefined) and.push(eb('criticality', 'in', filters.criticality));
  if (filters.exposure !== undefined) and.push(eb('exposure', 'in', filters.exposure));
  if (filters.priority !== undefined) and.push(eb('priority', 'in', filters.priority));
  if (filters.state !== undefined) and.push(eb('state', 'in', filters.state));
  if (filters.status !== undefined) and.push(statusIn(eb, filters.status, now));
  if (filters.triage !== undefined) {
    const states = filters.triage.filter((t): t is TriageState => t !== 'none');
    const either = [];
    if (states.length > 0) either.push(eb('triage_state', 'in', states));
    if (filters.triage.includes('none')) either.push(eb('triage_state', 'is', null));
    and.push(eb.or(either));
  }
  if (filters.accepted === true) and.push(eb('accepted_until', '>', now));
  if (filters.accepted === false)
    and.push(eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]));
  if (filters.actionable !== undefined) {
    const actionable = eb.and([
      eb('state', 'in', active),
      eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]),
      eb.or([eb('triage_state', 'is', null), eb('triage_state', 'not in', settledTriageStates)]),
    ]);
    and.push(filters.actionable ? actionable : eb.not(actionable));
  }
  if (filters.dueBefore !== undefined) and.push(eb('due_key', '<', filters.dueBefore));
  if (filters.overdue === true)
    and.push(eb.and([eb('state', 'in', active), eb('due_key', '<', today)]));
  if (filters.overdue === false)
    and.push(eb.or([eb('state', 'not in', active), eb('due_key', '>=', today)]));
  if (filters.due !== undefined) {
    const soonEnd = addDays(today, dueSoonDays);
    const bounds: Record<DueStatus, ReturnType<typeof eb.and>> = {
      overdue: eb.and([eb('due_key', '<', today)]),
      soon: eb.and([eb('due_key', '>=', today), eb('due_key', '<', soonEnd)]),
      later: eb.and([eb('due_key', '>=', soonEnd), eb('due_date', 'is not', null)]),
      none: eb.and([eb('due_date', 'is', null)]),
    };
    and.push(eb.or(filters.due.map((status) => bounds[status])));
  }
  if (filters.kev !== undefined) and.push(eb('kev', '=', filters.kev ? 1 : 0));
  if (filters.epssMin !== undefined) and.push(eb('epss_key', '>=', filters.epssMin));
  if (filters.package !== undefined) and.push(eb('package_name', '=', filters.package));
  if (filters.packageOrSource !== undefined)
    and.push(
      eb.or([
        eb('package_name', '=', filters.packageOrSource),
        eb('source_name', '=', filters.packageOrSource),
      ]),
    );
  if (filters.advisory !== undefined) {
    and.push(
      eb.or([
        eb('advisory_id', '=', filters.advisory),
        eb(
          'advisory_id',
          'in',
          eb
            .selectFrom('finding_aliases')
            .select('finding_aliases.advisory_id')
            .where('alias', '=', filters.advisory),
        ),
      ]),
    );
  }
  return eb.and(and);
}

export interface FindingPage {
  readonly rows: FindingTable[];
  /** The keyset after the last row, or undefined on the last page. */
  readonly next: Keyset | undefined;
}

async function findingsAfter(
  db: Executor,
  filters: FindingFilters,
  sort: FindingSort,
  after: Keyset | undefined,
  limit: number,
  now: string,
): Promise<FindingTable[]> {
  const { columns, direction } = sortColumns[sort];
  let select = db
    .selectFrom('findings')
    .selectAll()
    .where((eb) => filtersOn(eb, filters, now));
  if (after !== undefined) {
    // Row-value comparison: (a, b, id) > (?, ?, ?) — one index range on both databases.
    select = select.where((eb) =>
      eb(
        eb.tuple(...(columns.map((c) => eb.ref(c)) as [never, never])),
        direction === 'asc' ? '>' : '<',
        eb.tuple(...(after.map((v) => eb.val(v)) as [never, never])),
      ),
    );
  }
  for (const column of columns) select = select.orderBy(column, direction);
  return select.limit(limit).execute();
}

/** (asset, source package, advisory): the binaries of one source package are one group. */
export function groupKeyOf(row: FindingTable): string {
  return `${row.asset_id}\0${row.source_name ?? row.package_name}\0${row.advisory_id}`;
}

/** Rows a page may grow by to finish its last group (a source package has rarely more binaries). */
const groupTail = 200;

export async function listFindings(
  db: Executor,
  query: {
    readonly filters: FindingFilters;
    readonly sort: FindingSort;
    readonly after?: Keyset;
    readonly limit: number;
    /** Extend the page until its last (asset, source package, advisory) group is complete. */
    readonly wholeGroups?: boolean;
  },
  now: string,
): Promise<FindingPage> {
  const { columns } = sortColumns[query.sort];
  const keyset = (row: FindingTable): Keyset => columns.map((c) => row[c]);
  const rows = await findingsAfter(
    db,
    query.filters,
    query.sort,
    query.after,
    query.limit + 1,
    now,
  );
  const page = rows.slice(0, query.limit);
  let more = rows.length > query.limit;
  const last = page.at(-1);
  if (query.wholeGroups === true && more && last !== undefined) {
    // Finding ids start with a hash of their group (reconcile.ts `findingId`), so a group's
    // rows are adjacent wherever they tie on the sort's other columns.
    const tail = await findingsAfter(
      db,
      query.filters,
      query.sort,
      keyset(last),
      groupTail + 1,
      now,
    );
    const key = groupKeyOf(last);
    const same = tail.findIndex((row) => groupKeyOf(row) !== key);
    const taken = same === -1 ? tail.slice(0, groupTail) : tail.slice(0, same);
    page.push(...taken);
    more = same !== -1 || tail.length > groupTail;
  }
  const end = page.at(-1);
  return { rows: page, next: more && end !== undefined ? keyset(end) : undefined };
}

export interface FindingCounts {
  readonly total: number;
  readonly byState: Record<string, number>;
  /** Actionable findings (open or reopened, not accepted, not triaged away) by priority. */
  readonly byPriority: Record<string, number>;
  readonly accepted: number;
  readonly triagedAway: number;
  readonly overdue: number;
}

/**
 * Every count of the summary in one pass: rows grouped by (state, priority), each group
 * with conditional sums. It reads only the columns of the `findings_summary` index (0011),
 * so SQLite answers from the index alone; before, five queries each scanned the table.
 */
export async function countFindings(
  db: Executor,
  filters: FindingFilters,
  now: string,
): Promise<FindingCounts> {
  const today = now.slice(0, 10);
  const rows = await db
    .selectFrom('findings')
    .where((eb) => filtersOn(eb, filters, now))
    .select((eb) => {
      const accepted = eb('accepted_until', '>', now);
      const settled = eb('triage_state', 'in', settledTriageStates);
      const actionable = eb.and([
        eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]),
        eb.or([eb('triage_state', 'is', null), eb.not(settled)]),
      ]);
      const countWhen = (condition: typeof accepted) =>
        eb.fn.sum<number | string | null>(eb.case().when(condition).then(1).else(0).end());
      return [
        'state',
        'priority',
        eb.fn.countAll<number | string>().as('n'),
        countWhen(accepted).as('accepted'),
        countWhen(settled).as('settled'),
        countWhen(actionable).as('actionable'),
        countWhen(eb.and([actionable, eb('due_key', '<', today)])).as('overdue'),
      ];
    })
    .groupBy(['state', 'priority'])
    .execute();
  const byState: Record<string, number> = {};
  const byPriority: Record<string, number> = {};
  let accepted = 0;
  let triagedAway = 0;
  let overdue = 0;
  for (const row of rows) {
    byState[row.state] = (byState[row.state] ?? 0) + Number(row.n);
    // Acceptance, triage and lateness count for findings still detected only.
    if (!active.includes(row.state as DetectionState)) continue;
    const actionable = Number(row.actionable ?? 0);
    if (actionable > 0) byPriority[row.priority] = (byPriority[row.priority] ?? 0) + actionable;
    accepted += Number(row.accepted ?? 0);
    triagedAway += Number(row.settled ?? 0);
    overdue += Number(row.overdue ?? 0);
  }
  return {
    total: Object.values(byState).reduce((a, b) => a + b, 0),
    byState,
    byPriority,
    accepted,
    triagedAway,
    overdue,
  };
}

export interface GroupCounts {
  /** (asset, source package, advisory) groups matching the filters, in any status. */
  readonly groups: number;
  /** Actionable groups, by the group's most urgent priority. */
  readonly groupsByPriority: Record<string, number>;
}

/**
 * Counts of (asset, source package, advisory) groups: the binaries of one source package count
 * once. Two grouped queries over the filtered rows, so only on request (`groups=true`).
 */
export async function countGroups(
  db: Executor,
  filters: FindingFilters,
  now: string,
): Promise<GroupCounts> {
  const groups = await db
    .selectFrom((qb) =>
      qb
        .selectFrom('findings')
        .where((eb) => filtersOn(eb, filters, now))
        .where((eb) => filtersOn(eb, { actionable: true }, now))
        .select((eb) => eb.fn.min('priority').as('priority'))
        .groupBy(['asset_id', sql`coalesce(source_name, package_name)`, 'advisory_id'])
        .as('g'),
    )
    .select(['g.priority', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('g.priority')
    .execute();
  const allGroups = await db
    .selectFrom((qb) =>
      qb
        .selectFrom('findings')
        .where((eb) => filtersOn(eb, filters, now))
        .select(sql<number>`1`.as('one'))
        .groupBy(['asset_id', sql`coalesce(source_name, package_name)`, 'advisory_id'])
        .as('g'),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    groups: Number(allGroups.n),
    groupsByPriority: Object.fromEntries(groups.map((r) => [r.priority, Number(r.n)])),
  };
}

export function getFindingRow(db: Executor, id: string): Promise<FindingTable | undefined> {
  return db.selectFrom('findings').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---------------------------------------------------------------- exceptions

export async function insertException(db: Executor, row: FindingExceptionTable): Promise<void> {
  await db.insertInto('finding_exceptions').values(row).execute();
}

export function getExceptionRow(
  db: Executor,
  id: string,
): Promise<FindingExceptionTable | undefined> {
  return db.selectFrom('finding_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateException(
  db: Executor,
  id: string,
  changes: Partial<Omit<FindingExceptionTable, 'id'>>,
): Promise<void> {
  await db.updateTable('finding_exceptions').set(changes).where('id', '=', id).execute();
}

export function exceptionsOfFinding(
  db: Executor,
  findingId: string,
): Promise<FindingExceptionTable[]> {
  return db
    .selectFrom('finding_exceptions')
    .selectAll()
    .where('finding_id', '=', findingId)
    .orderBy('requested_at')
    .orderBy('id')
    .execute();
}

/** Newest first, keyset on (requested_at, id). */
export async function listExceptions(
  db: Executor,
  query: {
    readonly state?: readonly string[];
    readonly findingId?: string;
    readonly after?: readonly [string, string];
    readonly limit: number;
  },
): Promise<{ rows: FindingExceptionTable[]; next: [string, string] | undefined }> {
  let select = db.selectFrom('finding_exceptions').selectAll();
  if (query.state !== undefined) select = select.where('state', 'in', query.state);
  if (query.findingId !== undefined) select = select.where('finding_id', '=', query.findingId);
  const after = query.after;
  if (after !== undefined) {
    select = select.where((eb) =>
      eb(eb.refTuple('requested_at', 'id'), '<', eb.tuple(after[0], after[1])),
    );
  }
  const rows = await select
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    rows: page,
    next:
      rows.length > query.limit && last !== undefined ? [last.requested_at, last.id] : undefined,
  };
}

/** Approved or requested exceptions whose expiry has passed. */
export function lapsedExceptions(db: Executor, now: string): Promise<FindingExceptionTable[]> {
  return db
    .selectFrom('finding_exceptions')
    .selectAll()
    .where('state', 'in', ['requested', 'approved'])
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .execute();
}
