/**
 * Typed queries on the change context's own tables. The list is keyset-paginated over
 * (created_at, id), newest first, as every list of the API.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type {
  ChangeAssetTable,
  ChangeFindingTable,
  ChangePatchTable,
  ChangePlanVersionTable,
  ChangeRequestTable,
  ChangeReviewTable,
  ChangeTemplateTable,
  ChangeTransitionTable,
} from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** A lock id for numbering changes on PostgreSQL (SQLite serialises writers anyway). */
const numberLock = 0x50474348; // "PGCH"

/** The next change number; call inside the transaction that inserts the change. */
export async function nextChangeNumber(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
): Promise<number> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${numberLock})`.execute(trx);
  const row = await trx
    .selectFrom('change_requests')
    .select((eb) => eb.fn.max('number').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export async function insertChange(db: Executor, row: ChangeRequestTable): Promise<void> {
  await db.insertInto('change_requests').values(row).execute();
}

export async function updateChange(
  db: Executor,
  id: string,
  changes: Partial<Omit<ChangeRequestTable, 'id' | 'number'>>,
): Promise<void> {
  await db.updateTable('change_requests').set(changes).where('id', '=', id).execute();
}

export function changeRow(db: Executor, id: string): Promise<ChangeRequestTable | undefined> {
  return db.selectFrom('change_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export function changeRowByNumber(
  db: Executor,
  number: number,
): Promise<ChangeRequestTable | undefined> {
  return db
    .selectFrom('change_requests')
    .selectAll()
    .where('number', '=', number)
    .executeTakeFirst();
}

/** Re-read a change for update: on PostgreSQL the row is locked until the transaction ends. */
export function lockChangeRow(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  id: string,
): Promise<ChangeRequestTable | undefined> {
  const query = trx.selectFrom('change_requests').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

export async function replaceScope(
  db: Executor,
  changeId: string,
  scope: {
    readonly assets: readonly ChangeAssetTable[];
    readonly patches: readonly ChangePatchTable[];
    readonly findings: readonly ChangeFindingTable[];
  },
): Promise<void> {
  await db.deleteFrom('change_assets').where('change_id', '=', changeId).execute();
  await db.deleteFrom('change_patches').where('change_id', '=', changeId).execute();
  await db.deleteFrom('change_findings').where('change_id', '=', changeId).execute();
  for (const [table, rows] of [
    ['change_assets', scope.assets],
    ['change_patches', scope.patches],
    ['change_findings', scope.findings],
  ] as const) {
    for (let i = 0; i < rows.length; i += 200) {
      await db
        .insertInto(table)
        .values(rows.slice(i, i + 200))
        .execute();
    }
  }
}

export function assetsOf(db: Executor, changeId: string): Promise<ChangeAssetTable[]> {
  return db
    .selectFrom('change_assets')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('asset_name')
    .execute();
}

export function patchesOf(db: Executor, changeId: string): Promise<ChangePatchTable[]> {
  return db
    .selectFrom('change_patches')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('seq')
    .execute();
}

export function findingsOf(db: Executor, changeId: string): Promise<ChangeFindingTable[]> {
  return db
    .selectFrom('change_findings')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('priority')
    .orderBy('finding_id')
    .execute();
}

export async function insertPlanVersion(db: Executor, row: ChangePlanVersionTable): Promise<void> {
  await db.insertInto('change_plan_versions').values(row).execute();
}

export function planVersionsOf(db: Executor, changeId: string): Promise<ChangePlanVersionTable[]> {
  return db
    .selectFrom('change_plan_versions')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('version')
    .execute();
}

export async function insertTransition(
  db: Executor,
  row: Omit<ChangeTransitionTable, 'seq'>,
): Promise<ChangeTransitionTable> {
  const last = await db
    .selectFrom('change_transitions')
    .select((eb) => eb.fn.max('seq').as('max'))
    .where('change_id', '=', row.change_id)
    .executeTakeFirst();
  const full = { ...row, seq: Number(last?.max ?? 0) + 1 };
  await db.insertInto('change_transitions').values(full).execute();
  return full;
}

export function transitionsOf(db: Executor, changeId: string): Promise<ChangeTransitionTable[]> {
  return db
    .selectFrom('change_transitions')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('seq')
    .execute();
}

export function reviewOf(db: Executor, changeId: string): Promise<ChangeReviewTable | undefined> {
  return db
    .selectFrom('change_reviews')
    .selectAll()
    .where('change_id', '=', changeId)
    .executeTakeFirst();
}

export async function upsertReview(db: Executor, row: ChangeReviewTable): Promise<void> {
  const rest = {
    went_well: row.went_well,
    did_not_go_well: row.did_not_go_well,
    incidents_json: row.incidents_json,
    lessons: row.lessons,
    follow_ups_json: row.follow_ups_json,
    author_id: row.author_id,
    author_name: row.author_name,
    updated_at: row.updated_at,
  };
  await db
    .insertInto('change_reviews')
    .values(row)
    .onConflict((oc) => oc.column('change_id').doUpdateSet(rest))
    .execute();
}

export interface ChangeFilters {
  readonly state?: readonly string[];
  readonly type?: readonly string[];
  readonly risk?: readonly string[];
  /** Changes whose scope includes this asset (by id). */
  readonly assetId?: string;
  /** Text in the title or the description (any case), or the number (`CHG-0042`, `42`). */
  readonly q?: string;
}

export const changeSorts = ['created', 'number', 'risk', 'scheduled'] as const;
export type ChangeSort = (typeof changeSorts)[number];
export const sortOrders = ['asc', 'desc'] as const;
export type SortOrder = (typeof sortOrders)[number];

/** Where a page ends: the last row's sort key and number (unique, the tie-breaker). */
export type ChangeKeyset = readonly [string | number, number];

/** The effective risk level's rank (the override when there is one): low 0 … high 2. */
const riskRank = sql<number>`case coalesce(risk_override, risk_level) when 'low' then 0 when 'moderate' then 1 when 'high' then 2 else 3 end`;

/** A row's sort key as the list compares it (unscheduled changes last in either order). */
export function changeSortKey(sort: ChangeSort, order: SortOrder) {
  switch (sort) {
    case 'created':
      return sql<string>`created_at`;
    case 'number':
      return sql<number>`number`;
    case 'risk':
      return riskRank;
    case 'scheduled':
      return order === 'asc'
        ? sql<string>`coalesce(scheduled_start, '9999-12-31T23:59:59.999Z')`
        : sql<string>`coalesce(scheduled_start, '')`;
  }
}

/** The sort key of one row, as `changeSortKey` computes it in SQL (for the next cursor). */
export function changeSortValue(
  row: ChangeRequestTable,
  sort: ChangeSort,
  order: SortOrder,
): string | number {
  switch (sort) {
    case 'created':
      return row.created_at;
    case 'number':
      return row.number;
    case 'risk':
      return { low: 0, moderate: 1, high: 2 }[row.risk_override ?? row.risk_level] ?? 3;
    case 'scheduled':
      return row.scheduled_start ?? (order === 'asc' ? '9999-12-31T23:59:59.999Z' : '');
  }
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (with `escape '\'`). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A page of changes in the chosen order, after the keyset (sort key, number). */
export async function listChanges(
  db: Executor,
  filters: ChangeFilters,
  after: ChangeKeyset | undefined,
  limit: number,
  sort: ChangeSort = 'created',
  order: SortOrder = 'desc',
): Promise<ChangeRequestTable[]> {
  let query = db.selectFrom('change_requests').selectAll();
  if (filters.state !== undefined) query = query.where('state', 'in', filters.state);
  if (filters.type !== undefined) query = query.where('type', 'in', filters.type);
  if (filters.risk !== undefined) {
    // The effective level: the override when there is one.
    const risk = filters.risk;
    query = query.where((eb) => eb(eb.fn.coalesce('risk_override', 'risk_level'), 'in', risk));
  }
  if (filters.assetId !== undefined) {
    const assetId = filters.assetId;
    query = query.where('id', 'in', (eb) =>
      eb.selectFrom('change_assets').select('change_id').where('asset_id', '=', assetId),
    );
  }
  if (filters.q !== undefined) {
    const pattern = `%${likeLiteral(filters.q.toLowerCase())}%`;
    const number = /^(?:chg-?)?0*(\d{1,9})$/i.exec(filters.q.trim())?.[1];
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(title)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(description)`, 'like', sql`${pattern} escape '\\'`),
        ...(number === undefined ? [] : [eb('number', '=', Number(number))]),
      ]),
    );
  }
  const key = changeSortKey(sort, order);
  if (after !== undefined) {
    query = query.where((eb) =>
      eb(
        eb.tuple(key, eb.ref('number')),
        order === 'asc' ? '>' : '<',
        eb.tuple(after[0], after[1]),
      ),
    );
  }
  return query.orderBy(key, order).orderBy('number', order).limit(limit).execute();
}

/** Changes in these states. */
export function changesInStates(
  db: Executor,
  states: readonly string[],
): Promise<ChangeRequestTable[]> {
  return db.selectFrom('change_requests').selectAll().where('state', 'in', states).execute();
}

/** Changes whose schedule overlaps [from, to), in the given states. */
export function changesOverlapping(
  db: Executor,
  from: string,
  to: string,
  states: readonly string[],
): Promise<ChangeRequestTable[]> {
  return db
    .selectFrom('change_requests')
    .selectAll()
    .where('scheduled_start', 'is not', null)
    .where('scheduled_start', '<', to)
    .where('scheduled_end', '>', from)
    .where('state', 'in', states)
    .orderBy('scheduled_start')
    .execute();
}

/** Asset rows of several changes at once. */
export async function assetsOfChanges(
  db: Executor,
  changeIds: readonly string[],
): Promise<ChangeAssetTable[]> {
  if (changeIds.length === 0) return [];
  return db
    .selectFrom('change_assets')
    .selectAll()
    .where('change_id', 'in', changeIds)
    .orderBy('asset_name')
    .execute();
}

/**
 * How past changes touching these packages or assets ended: finished ones (closed, failed,
 * rolled back, or in review after implementing) and how many of them failed or were rolled back.
 */
export async function pastOutcomes(
  db: Executor,
  packages: readonly string[],
  assetIds: readonly string[],
  excluding: string | undefined,
): Promise<{ finished: number; failed: number }> {
  if (packages.length === 0 && assetIds.length === 0) return { finished: 0, failed: 0 };
  const ids = db
    .selectFrom('change_patches')
    .select('change_id')
    .where((eb) =>
      eb.or([
        ...(packages.length > 0 ? [eb('package_name', 'in', packages)] : []),
        ...(assetIds.length > 0 ? [eb('asset_id', 'in', assetIds)] : []),
      ]),
    );
  const rows = await db
    .selectFrom('change_transitions')
    .select(['change_id', 'to_state'])
    .where('change_id', 'in', ids)
    .where('to_state', 'in', ['failed', 'rolled_back', 'review'])
    .where('action', 'in', ['complete', 'fail', 'roll-back'])
    .execute();
  const outcome = new Map<string, boolean>();
  for (const row of rows) {
    if (row.change_id === excluding) continue;
    const failed = row.to_state !== 'review';
    outcome.set(row.change_id, (outcome.get(row.change_id) ?? false) || failed);
  }
  const values = [...outcome.values()];
  return { finished: values.length, failed: values.filter(Boolean).length };
}

// ---------------------------------------------------------------- templates

/** The latest version of a template, or that version. */
export function templateRow(
  db: Executor,
  name: string,
  version?: number,
): Promise<ChangeTemplateTable | undefined> {
  let query = db.selectFrom('change_templates').selectAll().where('name', '=', name);
  if (version !== undefined) query = query.where('version', '=', version);
  return query.orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** The latest version of every template, by name. */
export async function latestTemplates(db: Executor): Promise<ChangeTemplateTable[]> {
  const rows = await db
    .selectFrom('change_templates')
    .selectAll()
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
  return rows.filter((row, i) => rows[i - 1]?.name !== row.name);
}

export async function insertTemplate(db: Executor, row: ChangeTemplateTable): Promise<void> {
  await db.insertInto('change_templates').values(row).execute();
}
