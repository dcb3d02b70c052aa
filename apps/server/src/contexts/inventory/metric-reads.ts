/**
 * What the reports context's metrics read of the inventory (issue 11, ADR 0043): every asset
 * created by `asOf` with its owner team, environment and groups, and when its latest inventory
 * at `asOf` was uploaded. Read only.
 */
import type { Database } from '../../db/database.ts';

export interface AssetMetricRow {
  readonly id: string;
  readonly name: string;
  readonly team: string | null;
  readonly environment: string | null;
  readonly groups: readonly string[];
  readonly createdAt: string;
  /** The latest `uploaded_at` of its inventory snapshots at or before `asOf` (null: none). */
  readonly lastReportAt: string | null;
}

function strings(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export async function assetMetricRows(database: Database, asOf: string): Promise<AssetMetricRow[]> {
  const db = database.db;
  const [assets, reports] = await Promise.all([
    db
      .selectFrom('assets')
      .select(['id', 'name', 'owner_team', 'environment', 'groups_json', 'created_at'])
      .where('created_at', '<=', asOf)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('inventory_snapshots')
      .select((eb) => ['asset_id', eb.fn.max('uploaded_at').as('last')])
      .where('uploaded_at', '<=', asOf)
      .groupBy('asset_id')
      .execute(),
  ]);
  const last = new Map(reports.map((r) => [r.asset_id, r.last as string | null]));
  return assets.map((a) => ({
    id: a.id,
    name: a.name,
    team: a.owner_team,
    environment: a.environment,
    groups: strings(a.groups_json),
    createdAt: a.created_at,
    lastReportAt: last.get(a.id) ?? null,
  }));
}
