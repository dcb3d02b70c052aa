/** Agents as other contexts see them: one summary per asset (its unrevoked agent). */
import type { Clock } from '../../clock.ts';
import { systemClock } from '../../clock.ts';
import type { AgentSummary } from './model.ts';
import { heartbeatSeconds } from './model.ts';
import type { AgentRow, Reader } from './repository.ts';
import { executorOf } from './repository.ts';

/** Online: seen within three heartbeat intervals. */
export function isOnline(lastSeenAt: string | null, now: Date): boolean {
  if (lastSeenAt === null) return false;
  return now.getTime() - new Date(lastSeenAt).getTime() <= 3 * heartbeatSeconds * 1000;
}

export function summaryOf(row: AgentRow, now: Date): AgentSummary {
  return {
    agentId: row.id,
    assetId: row.asset_id,
    name: row.name,
    lastSeenAt: row.last_seen_at,
    online: isOnline(row.last_seen_at, now),
    rebootRequired: Number(row.reboot_required) === 1,
    version: row.agent_version,
  };
}

/**
 * The unrevoked agent of each of these assets, keyed by asset id (assets without one are
 * absent). `clock` decides "online" (the server's clock by default).
 */
export async function agentsForAssets(
  db: Reader,
  assetIds: readonly string[],
  clock: Clock = systemClock,
): Promise<Map<string, AgentSummary>> {
  const result = new Map<string, AgentSummary>();
  const now = clock.now();
  const unique = [...new Set(assetIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await executorOf(db)
      .selectFrom('agents')
      .selectAll()
      .where('asset_id', 'in', unique.slice(i, i + 500))
      .where('revoked_at', 'is', null)
      .orderBy('enrolled_at')
      .orderBy('id')
      .execute();
    // Newest enrolment last, so it wins.
    for (const row of rows) result.set(row.asset_id, summaryOf(row, now));
  }
  return result;
}
