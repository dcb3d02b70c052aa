import type { AvailableUpdateTables } from './updates-tables.ts';

/**
 * The inventory context's tables: assets, their inventory snapshots (history kept) and the
 * packages of the latest snapshots. Portability rules of db/database.ts: text UUID ids,
 * ISO 8601 UTC text timestamps, JSON as text, integer 0/1 booleans.
 */
export interface AssetTable {
  id: string;
  /** Unique: the bulk import upserts by it. */
  name: string;
  /** `host`, `container-image`, `application` (see ./schema.ts). */
  kind: string;
  /** The OSV release the operator declares (`Debian:12`), used when an upload does not tell. */
  os_release: string | null;
  /** `production`, `staging`, `test`, `development`, or unknown (null). */
  environment: string | null;
  /** `critical`, `high`, `medium`, `low`. */
  criticality: string;
  /** `internet`, `internal`, `unknown`. */
  exposure: string;
  owner_team: string | null;
  /** JSON array of strings, sorted, unique; mirrored in asset_labels for filtering. */
  tags_json: string;
  /** JSON array of strings, sorted, unique; mirrored in asset_labels for filtering. */
  groups_json: string;
  /** A reference to a maintenance window (defined by a later context), free text for now. */
  maintenance_window: string | null;
  created_at: string;
  updated_at: string;
  /** The newest upload; null until the first one. */
  current_snapshot_id: string | null;
}

/** One row per tag or group of an asset: what makes `?tag=` and `?group=` use an index. */
export interface AssetLabelTable {
  asset_id: string;
  /** `tag` or `group`. */
  label_kind: string;
  value: string;
}

export interface InventorySnapshotTable {
  id: string;
  asset_id: string;
  /** 1, 2, 3… per asset, in upload order: history order and the retention cut. */
  seq: number;
  /** When the inventory was taken (the uploader says; default the upload time). */
  taken_at: string;
  uploaded_at: string;
  uploaded_by: string | null;
  /** Parser id (`dpkg-query`, `cyclonedx-json`…) or `packages-json` for the JSON API. */
  format: string;
  /** The file name given with the upload (`?name=`), used for detection and shown. */
  source_name: string;
  /** JSON of @patchgate/inventory's OsRelease applied to the packages, or null. */
  os_json: string | null;
  package_count: number;
  /** JSON array of the parser's and the server's warnings. */
  warnings_json: string;
  /** The upload as received (gzip): evidence of what the asset reported. */
  raw_gzip: Buffer;
  raw_media_type: string;
  raw_sha256: string;
  raw_size: number;
  /** Set when this snapshot's package rows were pruned (only the latest few keep them). */
  packages_pruned_at: string | null;
}

export interface SnapshotPackageTable {
  snapshot_id: string;
  /** Position in the snapshot, from 1: the primary key with snapshot_id, and page order. */
  seq: number;
  ecosystem: string;
  name: string;
  version: string;
  source_name: string | null;
  source_version: string | null;
  purl: string | null;
  arch: string | null;
  /** 1: an rpm entry listed no epoch (docs/adr/0003-unknown-rpm-epoch.md). */
  epoch_unknown: number;
  location: string | null;
  /** 1 direct, 0 transitive, null unknown. */
  direct: number | null;
  /** 1 dev-only, 0 not, null unknown. */
  dev: number | null;
}

export interface InventoryTables extends AvailableUpdateTables {
  assets: AssetTable;
  asset_labels: AssetLabelTable;
  inventory_snapshots: InventorySnapshotTable;
  snapshot_packages: SnapshotPackageTable;
}
