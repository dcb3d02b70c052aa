/**
 * A read other contexts use to act on assets' available updates without reaching into these
 * tables (the autopilot's update rules): each asset's latest report, flattened.
 */
import type { Database } from '../../db/database.ts';

/** One available update of an asset (its latest report), as other contexts need it. */
export interface AssetAvailableUpdate {
  readonly assetId: string;
  readonly name: string;
  readonly installedVersion: string;
  readonly candidateVersion: string;
  readonly security: boolean;
  /** When the report that lists it was taken on the host. */
  readonly reportedAt: string;
}

/** The available updates of these assets, from each one's latest report. */
export async function availableUpdatesOf(
  database: Database,
  assetIds: readonly string[],
): Promise<AssetAvailableUpdate[]> {
  const out: AssetAvailableUpdate[] = [];
  // Batches keep every statement under the databases' bound-parameter limits.
  for (let i = 0; i < assetIds.length; i += 500) {
    const rows = await database.db
      .selectFrom('available_updates as u')
      .innerJoin('available_update_reports as r', 'r.asset_id', 'u.asset_id')
      .select([
        'u.asset_id',
        'u.name',
        'u.installed_version',
        'u.candidate_version',
        'u.security',
        'r.taken_at',
      ])
      .where('u.asset_id', 'in', assetIds.slice(i, i + 500))
      .orderBy('u.asset_id')
      .orderBy('u.seq')
      .execute();
    for (const row of rows)
      out.push({
        assetId: row.asset_id,
        name: row.name,
        installedVersion: row.installed_version,
        candidateVersion: row.candidate_version,
        security: Number(row.security) === 1,
        reportedAt: row.taken_at,
      });
  }
  return out;
}
