/**
 * The reports context's tables (migration 0022, issue 11): daily metric snapshots, generated
 * reports with their recorded inputs and content, and report schedules.
 */

/** The figures of one day (period: the 30 days ending that day) for one scope. */
export interface MetricSnapshotTable {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** `all`, or `team:<name>`, `environment:<name>`, `group:<name>`. */
  scope: string;
  /** JSON `MetricSet` (@patchgate/metrics). */
  metrics_json: string;
  computed_at: string;
}

/** One generated (or failed) report. */
export interface ReportRunTable {
  id: string;
  /** @patchgate/report `reportTypes`. */
  type: string;
  /** `pdf`, `csv`, `json`, `html`. */
  format: string;
  title: string;
  /** JSON `ReportInputs`: enough to regenerate it identically. */
  inputs_json: string;
  /** `queued`, `running`, `succeeded`, `failed`. */
  status: string;
  error: string | null;
  content: Buffer | null;
  content_type: string | null;
  filename: string | null;
  size_bytes: number | null;
  sha256: string | null;
  /** The schedule that made it (null: on demand). */
  schedule_id: string | null;
  job_id: string | null;
  requested_by_id: string | null;
  requested_by_name: string;
  created_at: string;
  finished_at: string | null;
}

/** A report made on a recurrence and delivered through notification channels. */
export interface ReportScheduleTable {
  id: string;
  name: string;
  type: string;
  format: string;
  /** JSON `{ scope, period: 'previous-day'|'previous-week'|'previous-month'|'previous-quarter'|'last-30-days'|'last-90-days' }`. */
  params_json: string;
  /** RFC 5545 RRULE (FREQ=DAILY|WEEKLY|MONTHLY…), local to `time_zone`, from `starts_at`. */
  rrule: string;
  time_zone: string;
  /** The first occurrence, local `YYYY-MM-DDTHH:MM`. */
  starts_at: string;
  /** JSON string[] of notification channel ids. */
  channel_ids_json: string;
  enabled: number;
  next_run_at: string | null;
  last_run_at: string | null;
  last_run_id: string | null;
  created_by_id: string | null;
  created_by_name: string;
  created_at: string;
  updated_at: string;
}

export interface ReportTables {
  metric_snapshots: MetricSnapshotTable;
  report_runs: ReportRunTable;
  report_schedules: ReportScheduleTable;
}
