/**
 * The change context's tables (migration 0013). JSON is text, timestamps ISO 8601 UTC text,
 * booleans 0/1 (docs/adr/0007-server-storage.md). Asset attributes and finding facts are
 * copied in when a change is created or re-scoped: the change records what was decided on,
 * even after the asset or the finding moves on (docs/adr/0027-change-requests.md).
 */
export interface ChangeRequestTable {
  id: string;
  /** 1, 2, 3…: shown to people as `CHG-0001`. */
  number: number;
  title: string;
  description: string;
  /** `standard`, `normal`, `emergency` (@patchgate/changes `changeTypes`). */
  type: string;
  /** @patchgate/changes `changeStates`. */
  state: string;
  /** The assessed level, score and (JSON `{ factors, explanation }`) why, before any override. */
  risk_level: string;
  risk_score: number;
  risk_factors_json: string;
  /** A person's override of the level, with their reason; null when none. */
  risk_override: string | null;
  risk_override_reason: string | null;
  template_id: string | null;
  template_version: number | null;
  requester_id: string | null;
  requester_name: string;
  implementer_id: string | null;
  implementer_name: string | null;
  /** The current plan version (change_plan_versions): approvals name the one they approved. */
  plan_version: number;
  /** JSON `ChangePlans` of the current version. */
  plans_json: string;
  scheduled_start: string | null;
  scheduled_end: string | null;
  /**
   * JSON `FreezeOverride` (model.ts) when the schedule overrides freezes (an emergency change
   * let into a freeze that allows it, migration 0017): the approval then has its freeze-override
   * stage. Null when the schedule meets no freeze.
   */
  freeze_override_json: string | null;
  /** The autopilot rule that made it (null: made by a person), and why. */
  created_by_rule: string | null;
  created_reason: string | null;
  created_at: string;
  updated_at: string;
}

/** The assets in scope, with the facts the risk and the approvals were decided on. */
export interface ChangeAssetTable {
  change_id: string;
  asset_id: string;
  asset_name: string;
  environment: string | null;
  criticality: string;
  exposure: string;
  owner_team: string | null;
  groups_json: string;
  tags_json: string;
}

/** Package → target version per asset. */
export interface ChangePatchTable {
  change_id: string;
  seq: number;
  asset_id: string;
  ecosystem: string;
  package_name: string;
  from_version: string | null;
  /** Null with mode `latest`: whatever the package manager offers (all pending updates). */
  to_version: string | null;
  /** `fixed` (the lowest version closing the linked findings), `pinned` (asked for), `latest`. */
  mode: string;
  /** The repository the target comes from, when the asset reported it as an available update. */
  origin: string | null;
}

/** The findings a change closes, with the advisories, CVEs and due date they carry. */
export interface ChangeFindingTable {
  change_id: string;
  finding_id: string;
  asset_id: string;
  package_name: string;
  advisory_ids_json: string;
  cve_ids_json: string;
  priority: string;
  kev: number;
  due_date: string | null;
}

/**
 * Every version of what was planned: the plans and, with them, the scope, patches and schedule
 * they were written for (a material edit makes a new version). Approvals refer to a version.
 */
export interface ChangePlanVersionTable {
  change_id: string;
  version: number;
  /** JSON `{ plans, assets, patches, schedule }`. */
  content_json: string;
  /** SHA-256 of the canonical JSON of `content_json`. */
  hash: string;
  author_id: string | null;
  author_name: string;
  reason: string | null;
  created_at: string;
}

/** The state history: one row per transition (creation has from_state null). */
export interface ChangeTransitionTable {
  id: string;
  change_id: string;
  seq: number;
  from_state: string | null;
  to_state: string;
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  reason: string | null;
  at: string;
}

/** The post-implementation review (one per change, rewritten until closed). */
export interface ChangeReviewTable {
  change_id: string;
  went_well: string;
  did_not_go_well: string;
  /** JSON string[] (incident references or descriptions). */
  incidents_json: string;
  lessons: string;
  /** JSON `[{ action, owner, dueAt, done }]`. */
  follow_ups_json: string;
  author_id: string | null;
  author_name: string;
  updated_at: string;
}

/** A standard-change template version (JSON @patchgate/changes `StandardTemplate`). */
export interface ChangeTemplateTable {
  name: string;
  version: number;
  template_json: string;
  created_by_id: string | null;
  created_by_name: string;
  created_at: string;
}

export interface ChangeTables {
  change_templates: ChangeTemplateTable;
  change_requests: ChangeRequestTable;
  change_assets: ChangeAssetTable;
  change_patches: ChangePatchTable;
  change_findings: ChangeFindingTable;
  change_plan_versions: ChangePlanVersionTable;
  change_transitions: ChangeTransitionTable;
  change_reviews: ChangeReviewTable;
}
