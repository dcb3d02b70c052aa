/**
 * The change context's test evidence (migration 0018, docs/adr/0034-change-evidence.md):
 * automated results and manual sign-offs recorded on a change, and the files attached to them
 * (stored in the database with their name, media type, size and SHA-256). Timestamps are
 * ISO 8601 UTC text (docs/adr/0007-server-storage.md).
 */
export interface ChangeEvidenceTable {
  id: string;
  change_id: string;
  /** 1, 2, 3… per change: the order evidence was recorded in. */
  seq: number;
  /** `automated` or `manual`. */
  kind: string;
  /** `passed` or `failed`. */
  outcome: string;
  /** Automated: the suite or pipeline; null for a manual sign-off. */
  suite: string | null;
  passed: number | null;
  failed: number | null;
  skipped: number | null;
  /** Automated: a link to the run. */
  link: string | null;
  /** Automated: when the suite ran; manual: when it was signed off. */
  at: string;
  /** Manual: what was tested and observed (automated: optional remarks). */
  notes: string;
  /** The plan version current when it was recorded (evidence is not a plan edit). */
  plan_version: number;
  /** Who recorded it: for a manual sign-off, the person signing off. */
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  recorded_at: string;
}

export interface ChangeEvidenceAttachmentTable {
  id: string;
  evidence_id: string;
  change_id: string;
  /** The sanitised file name. */
  name: string;
  /** The media type the uploader declared (served only when harmless, else octet-stream). */
  media_type: string;
  size: number;
  /** SHA-256 of `content`, lower-case hex. */
  sha256: string;
  content: Buffer;
  actor_id: string | null;
  actor_name: string;
  added_at: string;
}

export interface EvidenceTables {
  change_evidence: ChangeEvidenceTable;
  change_evidence_attachments: ChangeEvidenceAttachmentTable;
}
