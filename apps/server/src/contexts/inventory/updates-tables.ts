/** The available-updates tables of the inventory context (migration 0009; ./updates.ts). */

/** The latest report of an asset's available updates: one row per asset, replaced whole. */
export interface AvailableUpdateReportTable {
  asset_id: string;
  /** `apt-list-upgradable` or `apt-get-simulate` (@patchgate/inventory). */
  format: string;
  /** The file name given with the upload (`?name=`). */
  source_name: string;
  taken_at: string;
  uploaded_at: string;
  uploaded_by: string | null;
  update_count: number;
  security_count: number;
  /** JSON array of package names apt kept back (an update exists, its version not printed). */
  kept_back_json: string;
  /** JSON array of unreadable lines, said plainly. */
  warnings_json: string;
}

export interface AvailableUpdateTable {
  asset_id: string;
  /** Position in the report, from 1. */
  seq: number;
  name: string;
  arch: string | null;
  installed_version: string;
  candidate_version: string;
  /** JSON array of { archive, label?, version? }. */
  origins_json: string;
  /** 1 when an origin is a security archive. */
  security: number;
}

export interface AvailableUpdateTables {
  available_update_reports: AvailableUpdateReportTable;
  available_updates: AvailableUpdateTable;
}
