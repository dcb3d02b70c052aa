/**
 * The advisories context's public face. The findings context matches against
 * `loadAdvisoryIndex` and prioritises with `factsForCves`; the composition root registers
 * the routes and the sync job.
 */
import type { ServerContext } from '../../context.ts';
import type { JobRunner } from '../jobs/index.ts';
import type { SyncOptions } from './sync.ts';
import { syncJobKind, syncSource } from './sync.ts';

export { registerAdvisoryRoutes } from './routes.ts';
export type { AdvisoryDates } from './dates.ts';
export { advisoryDates } from './dates.ts';
export { factsForCves, loadAdvisoryIndex } from './service.ts';
export type { SyncOptions, SyncPayload, SyncResult } from './sync.ts';
export { syncJobKind } from './sync.ts';

/** Register the `advisories.sync` job handler on the runner. */
export function registerAdvisoryJobs(
  runner: JobRunner,
  ctx: ServerContext,
  options: SyncOptions = {},
): void {
  runner.register(syncJobKind, (job) => syncSource(ctx, job, options));
}
