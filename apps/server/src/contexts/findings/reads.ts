/**
 * Reads other contexts make of findings (the change context builds a change from findings):
 * whole `ApiFinding`s, the same shape the API returns, at the clock's time.
 */
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { FindingFilters } from './repository.ts';
import { listFindings } from './repository.ts';
import type { ApiFinding } from './schema.ts';
import { toApiFinding, withDefaultStatus } from './service.ts';
import type { FindingStatus } from './model.ts';

/** The findings with these ids (unknown ids are left out: the caller says which are missing). */
export async function findingsByIds(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  ids: readonly string[],
): Promise<ApiFinding[]> {
  const now = timestamp(ctx.clock);
  const found: ApiFinding[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await ctx.database.db
      .selectFrom('findings')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    found.push(...rows.map((row) => toApiFinding(row, now)));
  }
  return found;
}

/**
 * The findings matching a list's filters (by default the work queue, as the list shows it),
 * most urgent first, at most `limit`; `truncated` when there were more.
 */
export async function findingsMatching(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  filters: Omit<FindingFilters, 'status'>,
  status: readonly (FindingStatus | 'all')[] | undefined,
  limit: number,
): Promise<{ findings: ApiFinding[]; truncated: boolean }> {
  const now = timestamp(ctx.clock);
  const page = await listFindings(
    ctx.database.db,
    { filters: withDefaultStatus(filters, status), sort: 'priority', limit },
    now,
  );
  return {
    findings: page.rows.map((row) => toApiFinding(row, now)),
    truncated: page.next !== undefined,
  };
}
