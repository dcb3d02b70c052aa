/** Typed queries on the calendar context's own tables: rows in, rows out. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type {
  CalendarFeedTokenTable,
  ChangeFreezeTable,
  MaintenanceWindowTable,
} from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type WindowRow = Selectable<MaintenanceWindowTable>;
export type FreezeRow = Selectable<ChangeFreezeTable>;
export type FeedTokenRow = Selectable<CalendarFeedTokenTable>;

export const listWindowRows = (db: Executor): Promise<WindowRow[]> =>
  db.selectFrom('maintenance_windows').selectAll().orderBy('name').orderBy('id').execute();

export const findWindowRow = (db: Executor, id: string): Promise<WindowRow | undefined> =>
  db.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();

export async function windowNameTaken(
  db: Executor,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let query = db.selectFrom('maintenance_windows').select('id').where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertWindowRow(db: Executor, row: WindowRow): Promise<void> {
  await db.insertInto('maintenance_windows').values(row).execute();
}

export async function updateWindowRow(db: Executor, row: WindowRow): Promise<void> {
  await db.updateTable('maintenance_windows').set(row).where('id', '=', row.id).execute();
}

export async function deleteWindowRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('maintenance_windows').where('id', '=', id).execute();
}

export const listFreezeRows = (db: Executor): Promise<FreezeRow[]> =>
  db.selectFrom('change_freezes').selectAll().orderBy('name').orderBy('id').execute();

export const findFreezeRow = (db: Executor, id: string): Promise<FreezeRow | undefined> =>
  db.selectFrom('change_freezes').selectAll().where('id', '=', id).executeTakeFirst();

export async function freezeNameTaken(
  db: Executor,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let query = db.selectFrom('change_freezes').select('id').where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertFreezeRow(db: Executor, row: FreezeRow): Promise<void> {
  await db.insertInto('change_freezes').values(row).execute();
}

export async function updateFreezeRow(db: Executor, row: FreezeRow): Promise<void> {
  await db.updateTable('change_freezes').set(row).where('id', '=', row.id).execute();
}

export async function deleteFreezeRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('change_freezes').where('id', '=', id).execute();
}

export const findFeedToken = (db: Executor, tokenHash: string): Promise<FeedTokenRow | undefined> =>
  db
    .selectFrom('calendar_feed_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();

export const findFeedTokenOfUser = (
  db: Executor,
  userId: string,
): Promise<FeedTokenRow | undefined> =>
  db
    .selectFrom('calendar_feed_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();

/** One token per user: a new one replaces the old (rotation). */
export async function replaceFeedToken(db: Executor, row: FeedTokenRow): Promise<void> {
  await db.deleteFrom('calendar_feed_tokens').where('user_id', '=', row.user_id).execute();
  await db.insertInto('calendar_feed_tokens').values(row).execute();
}

export async function deleteFeedToken(db: Executor, userId: string): Promise<number> {
  const result = await db
    .deleteFrom('calendar_feed_tokens')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function touchFeedToken(db: Executor, userId: string, at: string): Promise<void> {
  await db
    .updateTable('calendar_feed_tokens')
    .set({ last_used_at: at })
    .where('user_id', '=', userId)
    .execute();
}
