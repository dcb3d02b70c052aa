/** Typed queries on the improvement loop's own tables (migration 0022): rows in, rows out. */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { ImprovementActionTable, RecommendationTable } from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export function listRecommendationRows(
  db: Executor,
  state?: string,
): Promise<RecommendationTable[]> {
  let query = db.selectFrom('improvement_recommendations').selectAll();
  if (state !== undefined) query = query.where('state', '=', state);
  return query.orderBy('created_at', 'desc').orderBy('id').execute();
}

export function recommendationRow(
  db: Executor,
  id: string,
): Promise<RecommendationTable | undefined> {
  return db
    .selectFrom('improvement_recommendations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The row, locked for the transaction on PostgreSQL (SQLite serialises writers anyway). */
export function lockRecommendationRow(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  id: string,
): Promise<RecommendationTable | undefined> {
  const query = trx.selectFrom('improvement_recommendations').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

export async function insertRecommendation(db: Executor, row: RecommendationTable): Promise<void> {
  await db.insertInto('improvement_recommendations').values(row).execute();
}

export async function updateRecommendation(
  db: Executor,
  id: string,
  set: Partial<RecommendationTable>,
): Promise<void> {
  await db.updateTable('improvement_recommendations').set(set).where('id', '=', id).execute();
}

export function listActionRows(db: Executor, state?: string): Promise<ImprovementActionTable[]> {
  let query = db.selectFrom('improvement_actions').selectAll();
  if (state !== undefined) query = query.where('state', '=', state);
  // Soonest due first (no due date last, on both databases), then newest.
  return query
    .orderBy(sql`case when due_date is null then 1 else 0 end`)
    .orderBy('due_date')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

export function actionRow(db: Executor, id: string): Promise<ImprovementActionTable | undefined> {
  return db.selectFrom('improvement_actions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertAction(db: Executor, row: ImprovementActionTable): Promise<void> {
  await db.insertInto('improvement_actions').values(row).execute();
}

export async function updateAction(
  db: Executor,
  id: string,
  set: Partial<ImprovementActionTable>,
): Promise<void> {
  await db.updateTable('improvement_actions').set(set).where('id', '=', id).execute();
}

/** The review follow-ups already tracked: `change id \0 title`. */
export async function reviewActionKeys(db: Executor): Promise<Set<string>> {
  const rows = await db
    .selectFrom('improvement_actions')
    .select(['change_id', 'title'])
    .where('source', '=', 'review')
    .execute();
  return new Set(rows.map((r) => `${r.change_id ?? ''}\u0000${r.title}`));
}
