/** The reports context's job handlers on a runner (main.ts registers them with the engine). */
import type { ServerContext } from '../../context.ts';
import type { JobRunner } from '../jobs/index.ts';
import { deliverScheduledRun } from './delivery.ts';
import { reportJobs } from './jobs.ts';
import { generateReport } from './runs.ts';
import { runDueSchedules } from './schedules.ts';
import type { ReportEngine } from './service.ts';

export function registerReportJobs(
  runner: Pick<JobRunner, 'handle'>,
  ctx: ServerContext,
  engine: ReportEngine,
): void {
  runner.handle(reportJobs.generate, (job) =>
    generateReport(ctx, engine, job, job.payload.runId, deliverScheduledRun),
  );
  runner.handle(reportJobs.dueSchedules, () => runDueSchedules(ctx));
}
