/** When advisories were published and last modified, for contexts that weigh a fix's age. */
import type { Database } from '../../db/database.ts';

export interface AdvisoryDates {
  readonly published: string | null;
  readonly modified: string;
}

/** The dates of these advisories (by OSV id); unknown ids are absent from the map. */
export async function advisoryDates(
  database: Database,
  ids: readonly string[],
): Promise<Map<string, AdvisoryDates>> {
  const out = new Map<string, AdvisoryDates>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await database.db
      .selectFrom('advisories')
      .select(['id', 'published', 'modified'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const row of rows) out.set(row.id, { published: row.published, modified: row.modified });
  }
  return out;
}
