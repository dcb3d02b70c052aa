/**
 * The improvement loop's tables (migration 0022, issue 11): recommendations drawn from the
 * reviews and the metrics, and the follow-up actions tracked to closure.
 */

export interface RecommendationTable {
  id: string;
  /** The rule that made it (`canary-failures`, `window-overrun`, `sla-drop`…). */
  rule: string;
  /** Unique per rule and subject (e.g. `window-overrun:<window id>`): one open recommendation each. */
  subject_key: string;
  title: string;
  detail: string;
  /** JSON: the rows and figures behind it (change ids, counts, periods). */
  evidence_json: string;
  /** JSON: what accepting it does (a window, template or policy edit, or a follow-up action). */
  action_json: string;
  /** `open`, `accepted`, `dismissed`, `resolved` (its evidence no longer holds). */
  state: string;
  decided_by_id: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  /** JSON: what accepting it changed (ids, before/after), for the audit and the UI. */
  applied_json: string | null;
  created_at: string;
  updated_at: string;
}

/** A follow-up action: from a review, an accepted recommendation, or entered by hand. */
export interface ImprovementActionTable {
  id: string;
  /** `review`, `recommendation`, `manual`. */
  source: string;
  change_id: string | null;
  recommendation_id: string | null;
  title: string;
  owner: string | null;
  /** YYYY-MM-DD or null. */
  due_date: string | null;
  /** `open`, `done`, `cancelled`. */
  state: string;
  note: string | null;
  closed_by_name: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ImprovementTables {
  improvement_recommendations: RecommendationTable;
  improvement_actions: ImprovementActionTable;
}
