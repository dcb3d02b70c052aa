/** The notifications context's queries: only its own tables. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { ContactKind } from './model.ts';
import type {
  NotificationChannelTable,
  NotificationDeliveryTable,
  NotificationSubscriptionTable,
} from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type ChannelRow = Selectable<NotificationChannelTable>;
export type SubscriptionRow = Selectable<NotificationSubscriptionTable>;
export type DeliveryRow = Selectable<NotificationDeliveryTable>;

export function findChannel(db: Executor, ref: string): Promise<ChannelRow | undefined> {
  return db
    .selectFrom('notification_channels')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .orderBy('id')
    .executeTakeFirst();
}

export function listChannelRows(db: Executor): Promise<ChannelRow[]> {
  return db.selectFrom('notification_channels').selectAll().orderBy('name').execute();
}

export function findSubscription(db: Executor, ref: string): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('notification_subscriptions')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .orderBy('id')
    .executeTakeFirst();
}

export function listSubscriptionRows(db: Executor): Promise<SubscriptionRow[]> {
  return db.selectFrom('notification_subscriptions').selectAll().orderBy('name').execute();
}

export function enabledSubscriptions(db: Executor): Promise<SubscriptionRow[]> {
  return db
    .selectFrom('notification_subscriptions')
    .selectAll()
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
}

/** The addresses of the contacts of one kind with any of these keys. */
export async function contactAddresses(
  db: Executor,
  kind: ContactKind,
  keys: readonly string[],
): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('notification_contacts')
    .select('address')
    .where('kind', '=', kind)
    .where('key', 'in', [...keys])
    .execute();
  return rows.map((r) => r.address);
}

export function templateOverride(db: Executor, event: string) {
  return db
    .selectFrom('notification_templates')
    .selectAll()
    .where('event', '=', event)
    .executeTakeFirst();
}

export function findDelivery(db: Executor, id: string): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('notification_deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Insert a delivery unless one with its id exists (a re-run writes nothing twice); true if new. */
export async function insertDelivery(db: Executor, row: DeliveryRow): Promise<boolean> {
  const inserted = await db
    .insertInto('notification_deliveries')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
