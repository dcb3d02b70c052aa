/** The autopilot's typed SQL: rules, runs, the items its changes cover, version sightings. */
import { changeNumber } from './model.ts';
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type {
  AutopilotChangeItemTable,
  AutopilotRuleTable,
  AutopilotRunTable,
} from './autopilot-tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** Change states in which a change still carries its items (anything not at an end). */
export const endedChangeStates = ['closed', 'rejected', 'cancelled', 'failed', 'rolled_back'];

export function findRule(db: Executor, idOrName: string): Promise<AutopilotRuleTable | undefined> {
  return db
    .selectFrom('autopilot_rules')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('id')
    .executeTakeFirst();
}

export function listRuleRows(db: Executor): Promise<AutopilotRuleTable[]> {
  return db.selectFrom('autopilot_rules').selectAll().orderBy('name').orderBy('id').execute();
}

export async function insertRule(db: Executor, row: AutopilotRuleTable): Promise<void> {
  await db.insertInto('autopilot_rules').values(row).execute();
}

export async function updateRule(
  db: Executor,
  id: string,
  set: Partial<Omit<AutopilotRuleTable, 'id'>>,
): Promise<AutopilotRuleTable | undefined> {
  return db
    .updateTable('autopilot_rules')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteRuleRow(db: Executor, id: string): Promise<void> {
  // Runs and covered items go with it (ON DELETE CASCADE); SQLite enforces that too here.
  await db.deleteFrom('autopilot_change_items').where('rule_id', '=', id).execute();
  await db.deleteFrom('autopilot_runs').where('rule_id', '=', id).execute();
  await db.deleteFrom('autopilot_rules').where('id', '=', id).execute();
}

export async function nameTaken(db: Executor, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('autopilot_rules').select('id').where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertRun(db: Executor, row: AutopilotRunTable): Promise<void> {
  await db.insertInto('autopilot_runs').values(row).execute();
}

export function findRun(db: Executor, id: string): Promise<AutopilotRunTable | undefined> {
  return db.selectFrom('autopilot_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listRunRows(
  db: Executor,
  ruleId: string | undefined,
  limit: number,
): Promise<AutopilotRunTable[]> {
  let query = db
    .selectFrom('autopilot_runs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (ruleId !== undefined) query = query.where('rule_id', '=', ruleId);
  return query.execute();
}

export async function updateRun(
  db: Executor,
  id: string,
  set: Partial<Omit<AutopilotRunTable, 'id'>>,
  whereState?: string,
): Promise<AutopilotRunTable | undefined> {
  let query = db.updateTable('autopilot_runs').set(set).where('id', '=', id);
  if (whereState !== undefined) query = query.where('state', '=', whereState);
  return query.returningAll().executeTakeFirst();
}

/**
 * What the changes not yet at an end carry (any change, by hand or by a rule; this context's
 * own tables): `finding:<id>` for each linked finding and `package:<asset id>:<package>` for
 * each patch, with the covering change's number (CHG-…), oldest first.
 */
export async function coveredItems(db: Executor): Promise<Map<string, string>> {
  const findings = await db
    .selectFrom('change_findings as f')
    .innerJoin('change_requests as c', 'c.id', 'f.change_id')
    .select(['f.finding_id', 'c.number'])
    .where('c.state', 'not in', endedChangeStates)
    .orderBy('c.created_at', 'desc')
    .execute();
  const patches = await db
    .selectFrom('change_patches as p')
    .innerJoin('change_requests as c', 'c.id', 'p.change_id')
    .select(['p.asset_id', 'p.package_name', 'c.number'])
    .where('c.state', 'not in', endedChangeStates)
    .orderBy('c.created_at', 'desc')
    .execute();
  // Newest first, so the oldest covering change is the one kept.
  return new Map([
    ...findings.map((r) => [`finding:${r.finding_id}`, changeNumber(r.number)] as const),
    ...patches.map(
      (r) => [`package:${r.asset_id}:${r.package_name}`, changeNumber(r.number)] as const,
    ),
  ]);
}

export async function insertChangeItems(
  db: Executor,
  rows: readonly AutopilotChangeItemTable[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('autopilot_change_items')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['change_id', 'item_key']).doNothing())
      .execute();
}

/** Record a change's new state; the rule that made it, when it is an autopilot change. */
export async function setChangeState(
  db: Executor,
  changeId: string,
  state: string,
): Promise<string | undefined> {
  const row = await db
    .updateTable('autopilot_change_items')
    .set({ change_state: state })
    .where('change_id', '=', changeId)
    .returning('rule_id')
    .executeTakeFirst();
  return row?.rule_id;
}

/** When each (package, version) was first seen offered; records the ones seen now. */
export async function sightings(
  db: Executor,
  seen: readonly { readonly packageName: string; readonly version: string; readonly at: string }[],
): Promise<Map<string, string>> {
  const key = (p: string, v: string) => `${p}\0${v}`;
  const out = new Map<string, string>();
  // The earliest sighting of each version in this batch.
  const earliest = new Map<string, (typeof seen)[number]>();
  for (const s of seen) {
    const k = key(s.packageName, s.version);
    const known = earliest.get(k);
    if (known === undefined || s.at < known.at) earliest.set(k, s);
  }
  const unique = [...earliest.values()];
  for (let i = 0; i < unique.length; i += 300) {
    const batch = unique.slice(i, i + 300);
    await db
      .insertInto('autopilot_version_sightings')
      .values(
        batch.map((s) => ({
          package_name: s.packageName,
          version: s.version,
          first_seen_at: s.at,
        })),
      )
      .onConflict((oc) => oc.columns(['package_name', 'version']).doNothing())
      .execute();
    const rows = await db
      .selectFrom('autopilot_version_sightings')
      .selectAll()
      .where((eb) =>
        eb.or(
          batch.map((s) =>
            eb.and([eb('package_name', '=', s.packageName), eb('version', '=', s.version)]),
          ),
        ),
      )
      .execute();
    for (const row of rows) out.set(key(row.package_name, row.version), row.first_seen_at);
  }
  return out;
}

export const sightingKey = (packageName: string, version: string) => `${packageName}\0${version}`;
