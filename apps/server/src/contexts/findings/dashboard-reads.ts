/**
 * What the dashboard context counts of the findings (read only, grouped over the list's
 * columns): open findings by priority and due date, overdue ones per asset, KEV on
 * internet-facing assets, and the rows the weekly SLA compliance is computed from. "Open" is the
 * list's work queue (its default `status=open,reopened`).
 */
import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import { settledTriageStates } from './model.ts';

type Db = Pick<Database, 'db'>;

/** The work queue: open or reopened, not accepted now, not settled by triage. */
function openFinding(eb: ExpressionBuilder<DatabaseSchema, 'findings'>, now: string) {
  return eb.and([
    eb('state', 'in', ['open', 'reopened']),
    eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]),
    eb.or([eb('triage_state', 'is', null), eb('triage_state', 'not in', [...settledTriageStates])]),
  ]);
}

/** Open findings counted per (priority, due date). */
export function openFindingsByPriorityAndDue(database: Db, now: string) {
  return database.db
    .selectFrom('findings')
    .where((eb) => openFinding(eb, now))
    .select((eb) => ['priority', 'due_date', eb.fn.countAll<number | string>().as('n')])
    .groupBy(['priority', 'due_date'])
    .execute();
}

/** Open findings due before `today`, counted per asset (with its name and environment). */
export function overdueFindingsByAsset(database: Db, now: string, today: string) {
  return database.db
    .selectFrom('findings')
    .where((eb) => openFinding(eb, now))
    .where('due_key', '<', today)
    .select((eb) => [
      'asset_id',
      'asset_name',
      'environment',
      eb.fn.countAll<number | string>().as('n'),
    ])
    .groupBy(['asset_id', 'asset_name', 'environment'])
    .execute();
}

/** Open KEV findings on internet-facing assets: how many, and the `limit` most urgent. */
export async function kevInternetFindings(database: Db, now: string, limit: number) {
  const kevInternet = database.db
    .selectFrom('findings')
    .where((eb) => openFinding(eb, now))
    .where('kev', '=', 1)
    .where('exposure', '=', 'internet');
  const [count, top] = await Promise.all([
    kevInternet.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
    kevInternet
      .select([
        'id',
        'asset_id',
        'asset_name',
        'advisory_id',
        'package_name',
        'priority',
        'due_date',
      ])
      .orderBy('priority')
      .orderBy('due_key')
      .orderBy('id')
      .limit(limit)
      .execute(),
  ]);
  return { count: Number(count?.n ?? 0), top };
}

/** Findings with a due date, due or fixed on or after `from`: what SLA compliance reads. */
export function slaFindingRows(database: Db, from: string) {
  return database.db
    .selectFrom('findings')
    .where('due_date', 'is not', null)
    .where((eb) => eb.or([eb('due_date', '>=', from), eb('fixed_at', '>=', from)]))
    .select(['due_date', 'state', 'fixed_at', 'triage_state', 'accepted_until'])
    .execute();
}
