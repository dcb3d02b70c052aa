/**
 * Reads the reports context makes of the inventory (issue 11: PCI DSS 11.3.1 scan coverage):
 * the assets with when they were added, and when each asset's inventory was taken.
 */
import type { Database } from '../../db/database.ts';
import { stringArray } from './repository.ts';

export interface ReportAsset {
  readonly id: string;
  readonly name: string;
  readonly environment: string | null;
  readonly team: string | null;
  readonly groups: readonly string[];
  readonly exposure: string;
  readonly createdAt: string;
}

/** Every asset (by name), with when it was added. */
export async function assetsForReport(database: Database): Promise<ReportAsset[]> {
  const rows = await database.db
    .selectFrom('assets')
    .select(['id', 'name', 'environment', 'owner_team', 'groups_json', 'exposure', 'created_at'])
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    environment: row.environment,
    team: row.owner_team,
    groups: stringArray(row.groups_json),
    exposure: row.exposure,
    createdAt: row.created_at,
  }));
}

export interface InventoryScan {
  readonly assetId: string;
  /** When the inventory was taken (the evidence's time). */
  readonly takenAt: string;
  /** The collector or file it came from (`dpkg`, `agent`, `cyclonedx`…). */
  readonly source: string;
}

/** The inventory snapshots taken in [from, to] (ISO instants), oldest first. */
export async function inventoryScans(
  database: Database,
  from: string,
  to: string,
): Promise<InventoryScan[]> {
  const rows = await database.db
    .selectFrom('inventory_snapshots')
    .select(['asset_id', 'taken_at', 'source_name'])
    .where('taken_at', '>=', from)
    .where('taken_at', '<=', to)
    .orderBy('taken_at')
    .orderBy('asset_id')
    .execute();
  return rows.map((row) => ({
    assetId: row.asset_id,
    takenAt: row.taken_at,
    source: row.source_name,
  }));
}
