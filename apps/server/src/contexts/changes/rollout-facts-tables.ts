/**
 * What rollouts tell a change (migration 0021, docs/adr/0039-preflight-verification.md): the
 * latest pre-flight's summary, shown on the change and the CAB agenda, and the review's facts
 * pre-filled when its rollout ends. Written only through this context's index.ts.
 */
export interface ChangePreflightSummaryTable {
  change_id: string;
  run_id: string;
  /** pending | passed | failed */
  state: string;
  /** JSON `PreflightSummary`. */
  summary_json: string;
  checked_at: string;
}

export interface ChangeReviewFactsTable {
  change_id: string;
  rollout_id: string;
  /** JSON `ReviewFacts`. */
  facts_json: string;
  recorded_at: string;
}

export interface RolloutFactsTables {
  change_preflight_summaries: ChangePreflightSummaryTable;
  change_review_facts: ChangeReviewFactsTable;
}
