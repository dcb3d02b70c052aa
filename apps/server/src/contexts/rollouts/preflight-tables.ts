/**
 * Pre-flight runs and their per-host results (migration 0021; ADR 0039). A run is one request
 * (a submit or a person's); each host in the change's scope gets a `preflight` task with its
 * patches, or is recorded as having no agent.
 */
export interface PreflightRunTable {
  id: string;
  change_id: string;
  /** submitted | on-demand */
  trigger: string;
  requested_by_id: string | null;
  requested_by_name: string;
  /** pending | passed | failed */
  state: string;
  created_at: string;
  finished_at: string | null;
}

export interface PreflightHostTable {
  run_id: string;
  asset_id: string;
  asset_name: string;
  agent_id: string | null;
  task_id: string | null;
  /** pending | passed | failed | no-agent */
  status: string;
  /** JSON `{ name, version }[]`: what the task simulates. */
  packages_json: string;
  /** JSON `Simulation` of the agent's result; null until it reports. */
  simulation_json: string | null;
  /** Why it failed (the removals, the problems, the task's error). */
  detail: string | null;
  finished_at: string | null;
}

export interface PreflightTables {
  preflight_runs: PreflightRunTable;
  preflight_hosts: PreflightHostTable;
}
