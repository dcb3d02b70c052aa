/**
 * A minimal public read for other contexts (notifications' daily "due soon / overdue" digest):
 * the findings in the work queue — open or reopened, not settled by triage, not accepted by an
 * exception — whose due date is on or before a day.
 */
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import { settledTriageStates } from './model.ts';

export interface DueFinding {
  readonly id: string;
  readonly assetName: string;
  readonly packageName: string;
  readonly advisoryId: string;
  readonly priority: string;
  /** YYYY-MM-DD */
  readonly dueDate: string;
  readonly groups: readonly string[];
}

/** Work-queue findings due on or before `dueBy` (YYYY-MM-DD), by due date then priority. */
export async function findingsDueBy(
  db: Kysely<DatabaseSchema>,
  dueBy: string,
  /** ISO now: an exception accepts a finding until its `accepted_until`. */
  now: string,
  limit = 5000,
): Promise<DueFinding[]> {
  const rows = await db
    .selectFrom('findings')
    .select([
      'id',
      'asset_name',
      'package_name',
      'advisory_id',
      'priority',
      'due_date',
      'groups_json',
    ])
    .where('state', 'in', ['open', 'reopened'])
    .where('due_date', 'is not', null)
    .where('due_date', '<=', dueBy)
    .where((eb) =>
      eb.or([
        eb('exception_id', 'is', null),
        eb('accepted_until', 'is', null),
        eb('accepted_until', '<=', now),
      ]),
    )
    .where((eb) =>
      eb.or([
        eb('triage_state', 'is', null),
        eb('triage_state', 'not in', [...settledTriageStates]),
      ]),
    )
    .orderBy('due_key')
    .orderBy('priority')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    assetName: r.asset_name,
    packageName: r.package_name,
    advisoryId: r.advisory_id,
    priority: r.priority,
    dueDate: r.due_date ?? '',
    groups: JSON.parse(r.groups_json) as string[],
  }));
}
