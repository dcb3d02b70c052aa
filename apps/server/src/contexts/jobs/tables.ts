/** Durable background jobs (advisory syncs, re-matching, imports) and their schedules. */
export interface JobTable {
  id: string;
  kind: string;
  payload_json: string;
  /** `queued`, `running`, `succeeded`, `failed`, `cancelled`. */
  state: string;
  attempts: number;
  max_attempts: number;
  /** JSON: `{ done, total, message }`, written as the job goes. */
  progress_json: string | null;
  result_json: string | null;
  error: string | null;
  /** Not before this time (retries back off). */
  run_after: string;
  /** The worker holding the lease, and until when: a lease that lapses (the process died) is re-claimed. */
  locked_by: string | null;
  locked_until: string | null;
  cancel_requested: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobScheduleTable {
  id: string;
  kind: string;
  payload_json: string;
  interval_seconds: number;
  next_run_at: string;
  enabled: number;
  last_job_id: string | null;
}

export interface JobTables {
  jobs: JobTable;
  job_schedules: JobScheduleTable;
}
