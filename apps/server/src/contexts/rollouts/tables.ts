/** The rollouts context's tables (migration 0020). */

export interface RolloutTable {
  id: string;
  change_id: string;
  /** The change's id for its one real rollout; null for a dry run (unique). */
  live_change_id: string | null;
  dry_run: number;
  /** JSON `RolloutState` of @patchgate/rollout. */
  state_json: string;
  /** The engine's phase (`rolloutPhases`), for queries. */
  phase: string;
  reason: string | null;
  /** Bumped by every write; a write names the version it read (optimistic concurrency). */
  version: number;
  /** JSON `RolloutOptions` (offlineHosts, reboot). */
  options_json: string;
  /** JSON `AssetFacts[]`: the scope at the start (window checks read it on every tick). */
  assets_json: string;
  created_by: string | null;
  created_by_name: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  /** The replica driving it (its ticks), until `lease_expires_at`. */
  lease_owner: string | null;
  lease_expires_at: string | null;
}

export interface RolloutEventTable {
  rollout_id: string;
  seq: number;
  /** JSON `RolloutEvent`. */
  event_json: string;
  /** JSON `RolloutCommand[]`: what the engine answered. */
  commands_json: string;
  /** The phase after the event. */
  phase: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  at: string;
}

export interface RolloutHostTaskTable {
  /** `<rolloutId>:<assetId>:<kind>[:<wave>]:<attempt>`, also the agent task's idempotency key. */
  key: string;
  rollout_id: string;
  asset_id: string;
  wave: string;
  kind: string;
  scope: string;
  attempt: number;
  agent_task_id: string | null;
  state: string;
  outcome: string | null;
  not_after: string;
  created_at: string;
  finished_at: string | null;
}

export interface RolloutTables {
  rollouts: RolloutTable;
  rollout_events: RolloutEventTable;
  rollout_host_tasks: RolloutHostTaskTable;
}
