/**
 * The findings context's tables (migration 0004). JSON is text, timestamps ISO 8601 UTC text,
 * booleans 0/1 (docs/adr/0007-server-storage.md). Asset attributes are copied here at each
 * reconcile so that lists filter without reaching into the inventory context's tables.
 */
export interface FindingTable {
  id: string;
  asset_id: string;
  /** OSV ecosystem of the installed package, with its release: `Debian:12`, `Go`. */
  ecosystem: string;
  package_name: string;
  /** The installed version last seen (the lowest, when several copies share the name). */
  package_version: string;
  source_name: string | null;
  advisory_id: string;
  advisory_summary: string | null;
  aliases_json: string;
  /** JSON `StoredMatch`: the matcher's `match`, fixed versions, CVEs and every installed copy. */
  match_json: string;
  /** Detection state: `open`, `fixed`, `reopened`. */
  state: string;
  /** When the server first detected it (its clock). */
  first_seen_at: string;
  /** `takenAt` of the inventory snapshot it was last seen in (evidence time, not the clock). */
  last_seen_at: string;
  snapshot_id: string | null;
  fixed_at: string | null;
  reopened_at: string | null;
  /** `P1` … `P5`: sorts as text. */
  priority: string;
  /** YYYY-MM-DD or null (no date set by the policy). */
  due_date: string | null;
  /** `due_date`, or `9999-12-31` when none: the non-null sort key. */
  due_key: string;
  severity: string;
  kev: number;
  epss: number | null;
  /** `epss`, or -1 when unknown: the non-null sort key. */
  epss_key: number;
  /** JSON of the policy's `Decision`, explanation included. */
  decision_json: string;
  asset_name: string;
  environment: string | null;
  criticality: string | null;
  exposure: string;
  groups_json: string;
  tags_json: string;
  /** CycloneDX VEX analysis state; null until someone triages it. */
  triage_state: string | null;
  triage_justification: string | null;
  triage_detail: string | null;
  triage_by: string | null;
  triage_at: string | null;
  /** The approved exception accepting the risk, and until when (null: not accepted). */
  exception_id: string | null;
  accepted_until: string | null;
  /**
   * The change whose verified install fixed it (migration 0021): set when a reconcile after
   * that install closes it (a `finding_fix_claims` row), cleared when it reopens.
   */
  fixed_by_change_id: string | null;
  updated_at: string;
}

/**
 * A verified install's claim (migration 0021): findings of these packages on this asset that a
 * reconcile closes between `since` and `expires_at` were fixed by the change.
 */
export interface FindingFixClaimTable {
  id: string;
  asset_id: string;
  change_id: string;
  /** JSON string[]: binary package names (a finding's package or its source package). */
  packages_json: string;
  since: string;
  expires_at: string;
  created_at: string;
}

export interface FindingAssetGroupTable {
  asset_id: string;
  group_name: string;
}

export interface FindingAliasTable {
  alias: string;
  advisory_id: string;
}

export interface FindingExceptionTable {
  id: string;
  finding_id: string;
  asset_id: string;
  advisory_id: string;
  owner: string;
  reason: string;
  expires_at: string;
  /** `requested`, `approved`, `rejected`, `expired`, `revoked`. */
  state: string;
  requested_by: string;
  requested_by_name: string;
  requested_at: string;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  decision_note: string | null;
  /** When it was revoked or expired. */
  closed_at: string | null;
  updated_at: string;
}

/** One row (`findings`): bumped by every transaction that changes findings (summary cache). */
export interface FindingsVersionTable {
  id: string;
  version: number;
}

export interface FindingTables {
  findings: FindingTable;
  finding_asset_groups: FindingAssetGroupTable;
  finding_aliases: FindingAliasTable;
  finding_exceptions: FindingExceptionTable;
  findings_version: FindingsVersionTable;
  finding_fix_claims: FindingFixClaimTable;
}
