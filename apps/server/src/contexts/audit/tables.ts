/** The audit context's table: an append-only, hash-chained log (triggers refuse UPDATE and DELETE). */
export interface AuditEventTable {
  /** 1, 2, 3…: the position in the chain, assigned under the chain lock. */
  seq: number;
  id: string;
  occurred_at: string;
  /** `user`, `token` (an API token acting for a user), or `system` (jobs, start-up). */
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  /** `asset.created`, `finding.triaged`, `user.login_failed`… */
  action: string;
  subject_type: string;
  subject_id: string | null;
  /** JSON of the state before and after, when the change has one. */
  before_json: string | null;
  after_json: string | null;
  request_id: string | null;
  ip: string | null;
  /** SHA-256 of the previous event's `hash` (64 zeros for the first) and this event's canonical JSON. */
  prev_hash: string;
  hash: string;
}

export interface AuditTables {
  audit_events: AuditEventTable;
}
