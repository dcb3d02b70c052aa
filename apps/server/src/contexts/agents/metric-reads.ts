/**
 * What the reports context's metrics read of agents (issue 11, ADR 0043): every agent enrolled
 * by `asOf`, revoked or not, with when it was last seen. Read only.
 */
import type { Database } from '../../db/database.ts';

export interface AgentMetricRow {
  readonly id: string;
  readonly assetId: string;
  readonly name: string;
  readonly enrolledAt: string;
  readonly revokedAt: string | null;
  /** The latest call (the current value: a later call moves it past `asOf`). */
  readonly lastSeenAt: string | null;
}

export async function agentMetricRows(database: Database, asOf: string): Promise<AgentMetricRow[]> {
  const rows = await database.db
    .selectFrom('agents')
    .select(['id', 'asset_id', 'name', 'enrolled_at', 'revoked_at', 'last_seen_at'])
    .where('enrolled_at', '<=', asOf)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    assetId: r.asset_id,
    name: r.name,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    lastSeenAt: r.last_seen_at,
  }));
}
