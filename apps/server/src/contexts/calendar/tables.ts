/**
 * The calendar context's tables (migration 0012). Timestamps are ISO 8601 UTC text, JSON is
 * text, booleans 0/1 (docs/adr/0007-server-storage.md). Windows and recurring freezes keep
 * their rule as written (RRULE, wall-clock DTSTART, IANA zone): occurrences are computed by
 * @patchgate/calendar when asked, never stored (ADR 0024).
 */
export interface MaintenanceWindowTable {
  id: string;
  name: string;
  rrule: string;
  /** First occurrence on the wall clock of `time_zone`: `2026-01-06T22:00`. */
  dtstart: string;
  time_zone: string;
  duration_minutes: number;
  cutoff_minutes: number;
  /** JSON AssetSelector (@patchgate/model). */
  selector_json: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChangeFreezeTable {
  id: string;
  name: string;
  /** One-off freezes: the interval, ISO 8601 UTC; null for a recurring one. */
  start_at: string | null;
  end_at: string | null;
  /** Recurring freezes: the rule; null for a one-off one. */
  rrule: string | null;
  dtstart: string | null;
  time_zone: string | null;
  duration_minutes: number | null;
  /** JSON string[]: excluded local dates (holidays) or date-times. */
  exdates_json: string;
  allow_emergency: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One calendar feed token per user: only its SHA-256 hash is stored. */
export interface CalendarFeedTokenTable {
  user_id: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface CalendarTables {
  maintenance_windows: MaintenanceWindowTable;
  change_freezes: ChangeFreezeTable;
  calendar_feed_tokens: CalendarFeedTokenTable;
}
