/**
 * The reports context's background jobs (docs/adr/0045-report-runs-schedules-delivery.md): one
 * `reports.generate` job per run (build → render → store, then deliver when a schedule made it)
 * and the `reports.due-schedules` tick that starts the runs of schedules whose time has come.
 */
import { z } from 'zod';
import { defineJobType } from '../jobs/index.ts';

export const reportJobs = {
  generate: defineJobType('reports.generate', z.object({ runId: z.string().min(1) })),
  dueSchedules: defineJobType('reports.due-schedules', z.object({})),
};

/** How often due report schedules are looked for (a report goes out within this of its time). */
export const reportScheduleTickSeconds = 60;

/** Attempts of a generation: a process killed mid-render leaves its lease to lapse, then again. */
export const generateMaxAttempts = 3;
