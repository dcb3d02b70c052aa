/**
 * The autopilot's tables (migration 0016). JSON is text, timestamps ISO 8601 UTC text,
 * booleans 0/1 (docs/adr/0007-server-storage.md).
 */
export interface AutopilotRuleTable {
  id: string;
  name: string;
  /** JSON `AutopilotRuleDefinition` (@patchgate/changes). */
  definition_json: string;
  paused: number;
  paused_reason: string | null;
  paused_at: string | null;
  /** When the rule last ran on its schedule (run-now does not move it). */
  last_run_at: string | null;
  last_change_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface AutopilotRunTable {
  id: string;
  rule_id: string;
  /** `schedule` or `manual` (run-now). */
  trigger: string;
  requested_by: string | null;
  /** `queued`, `running`, `succeeded`, `failed`. */
  state: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** JSON: [{ changeId, groupKey, title, reason, items }]. */
  created_changes_json: string;
  /** JSON: the plan's heldBack. */
  held_back_json: string;
  /** JSON: the plan's skipped. */
  skipped_json: string;
  error: string | null;
}

export interface AutopilotChangeItemTable {
  change_id: string;
  /** `finding:<id>` or `update:<asset id>:<package>`. */
  item_key: string;
  rule_id: string;
  /** The change's state as last reported by change.state-changed. */
  change_state: string;
  created_at: string;
}

export interface AutopilotVersionSightingTable {
  package_name: string;
  version: string;
  first_seen_at: string;
}

export interface AutopilotTables {
  autopilot_rules: AutopilotRuleTable;
  autopilot_runs: AutopilotRunTable;
  autopilot_change_items: AutopilotChangeItemTable;
  autopilot_version_sightings: AutopilotVersionSightingTable;
}
