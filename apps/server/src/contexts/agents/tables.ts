/**
 * The agents context's tables (migration 0019). JSON is text, timestamps ISO 8601 UTC text,
 * booleans 0/1 (docs/adr/0007-server-storage.md). Enrolment tokens and agent credentials are
 * kept as SHA-256 hashes; the task-signing private key is kept here so every replica signs with
 * the same key (docs/adr/0035-agent-protocol.md).
 */
export interface AgentEnrolmentTokenTable {
  id: string;
  token_hash: string;
  /** `pge_` and 8 characters: tells tokens apart, useless to an attacker. */
  prefix: string;
  description: string | null;
  created_by: string | null;
  created_by_name: string;
  created_at: string;
  expires_at: string;
  uses_allowed: number;
  uses: number;
  /** Applied to an asset the enrolment creates. */
  environment: string | null;
  groups_json: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AgentTable {
  id: string;
  asset_id: string;
  /** The name the agent enrolled with (the asset's name then). */
  name: string;
  credential_hash: string;
  enrolment_token_id: string | null;
  hostname: string | null;
  agent_version: string;
  os_json: string | null;
  architecture: string | null;
  package_managers_json: string;
  boot_id: string | null;
  enrolled_at: string;
  enrolled_ip: string | null;
  /** Any authenticated call. */
  last_seen_at: string | null;
  last_heartbeat_at: string | null;
  /** The agent's clock minus the server's at its last heartbeat, in milliseconds. */
  clock_skew_ms: number | null;
  reboot_required: number;
  reboot_packages_json: string;
  services_needing_restart_json: string;
  queued_results: number;
  running_task_id: string | null;
  last_inventory_at: string | null;
  last_updates_at: string | null;
  revoked_at: string | null;
}

export interface AgentSigningKeyTable {
  key_id: string;
  /** 'active' for the key new tasks are signed with; null once retired. */
  slot: string | null;
  /** SPKI PEM. */
  public_key: string;
  /** PKCS#8 PEM. */
  private_key: string;
  created_at: string;
  retired_at: string | null;
}

export interface AgentTaskTable {
  id: string;
  agent_id: string;
  asset_id: string;
  kind: string;
  idempotency_key: string;
  change_id: string | null;
  rollout_id: string | null;
  /** The TaskPayload JSON text exactly as signed. */
  payload: string;
  /** Ed25519 over the payload's UTF-8, base64. */
  signature: string;
  key_id: string;
  /** queued | delivered | succeeded | failed | rejected | expired */
  state: string;
  not_after: string;
  /** The TaskResult as the agent reported it. */
  result_json: string | null;
  error: string | null;
  created_at: string;
  /** The first delivery. */
  delivered_at: string | null;
  /** The latest delivery (a task without a result is delivered again after a while). */
  last_delivered_at: string | null;
  deliveries: number;
  finished_at: string | null;
}

export interface AgentTaskEventTable {
  task_id: string;
  seq: number;
  at: string;
  type: string;
  step: string | null;
  stream: string | null;
  line: string | null;
  received_at: string;
}

export interface AgentTables {
  agent_enrolment_tokens: AgentEnrolmentTokenTable;
  agents: AgentTable;
  agent_signing_keys: AgentSigningKeyTable;
  agent_tasks: AgentTaskTable;
  agent_task_events: AgentTaskEventTable;
}
