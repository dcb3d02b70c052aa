/**
 * Composition root: configuration → database (migrated) → context → app → listen, and a
 * graceful shutdown (stop accepting, drain, close the database) on SIGINT/SIGTERM.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { hostname } from 'node:os';
import type { App } from './app.ts';
import { buildApp } from './app.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import { ConfigurationError } from './config.ts';
import type { ServerContext } from './context.ts';
import type { Database } from './db/database.ts';
import { openDatabase } from './db/database.ts';
import { readFileSync } from 'node:fs';
import type { Policy } from '@patchgate/policy';
import { findPolicy, parsePolicy } from '@patchgate/policy';
import { migrate } from './db/migrate.ts';
import { registerAdvisoryJobs } from './contexts/advisories/index.ts';
import {
  agentJobs,
  expireTasksIntervalSeconds,
  registerAgentJobs,
} from './contexts/agents/index.ts';
import {
  databaseFindingInputs,
  expireExceptionsIntervalSeconds,
  findingJobs,
  registerFindingJobs,
} from './contexts/findings/index.ts';
import { JobRunner, upsertSchedule } from './contexts/jobs/index.ts';
import { metricSnapshotSchedule, registerMetricJobs } from './contexts/reports/index.ts';
import type { AutopilotDeps } from './contexts/changes/index.ts';
import {
  buildReport,
  closeReportRenderer,
  registerReportJobs,
  renderReport,
  reportAttachment,
  reportJobs,
  reportScheduleTickSeconds,
} from './contexts/reports/index.ts';
import {
  autopilotIntervalSeconds,
  autopilotJobs,
  defaultAutopilotDeps,
  describeChange,
  registerAutopilotJobs,
} from './contexts/changes/index.ts';
import {
  checkpointerFor,
  loadOrCreateCheckpointKey,
  startPeriodicCheckpoints,
} from './contexts/audit/index.ts';
import {
  digestIntervalSeconds,
  findingsDueIntervalSeconds,
  notificationJobs,
  notificationSubscriber,
  notifyReport,
  registerNotificationJobs,
} from './contexts/notifications/index.ts';
import { EventSubscriptions, eventJobKind } from './events/index.ts';
import {
  improvementJobs,
  improvementRefreshIntervalSeconds,
  registerImprovementJobs,
} from './contexts/improvements/index.ts';
import {
  registerRolloutJobs,
  rolloutDriverSettings,
  rolloutJobs,
  startRolloutDriver,
} from './contexts/rollouts/index.ts';
import {
  prefillReviewOnRolloutEnd,
  preflightOnSubmit,
  rebootCheckIntervalSeconds,
  registerVerificationJobs,
  verificationJobs,
  verifyTaskFinished,
} from './contexts/rollouts/index.ts';

/** The configured policy: a built-in id or a policy file; a bad one stops the start. */
export function loadServerPolicy(setting: string): Policy {
  const builtin = findPolicy(setting);
  if (builtin !== undefined) return builtin;
  let text: string;
  try {
    text = readFileSync(setting, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `PATCHGATE_POLICY: "${setting}" is neither a built-in policy nor a readable file`,
      { cause: error },
    );
  }
  const parsed = parsePolicy(text, setting);
  if (!parsed.ok)
    throw new ConfigurationError(
      `PATCHGATE_POLICY: ${setting} is not a valid policy:\n  ${parsed.errors.join('\n  ')}`,
    );
  return parsed.policy;
}

/**
 * Who listens to which domain event. Findings reconciles an asset when its inventory or its
 * attributes change or it goes (coalesced: one queued reconcile per asset covers every
 * change before it starts), and every asset after a sync that stored something new.
 */
export function eventSubscriptions(): EventSubscriptions {
  const reconcileAsset = {
    id: 'findings.reconcile-asset',
    job: findingJobs.reconcileAsset,
    payload: ({ assetId }: { assetId: string }) => ({ assetId }),
    coalesce: true,
  };
  return (
    new EventSubscriptions()
      .on('inventory.snapshot-recorded', reconcileAsset)
      .on('inventory.asset-deleted', reconcileAsset)
      .on('asset.context-changed', reconcileAsset)
      .on('advisories.sync-completed', {
        id: 'findings.reconcile-all',
        job: findingJobs.reconcileAll,
        payload: ({ changed }) => (changed ? { trigger: 'advisories.sync-completed' } : undefined),
        coalesce: true,
      })
      // Notifications fans every change event out into its outbox (one job per event).
      .on('change.state-changed', notificationSubscriber('change.state-changed'))
      .on('change.approval-requested', notificationSubscriber('change.approval-requested'))
      .on('change.approval-decided', notificationSubscriber('change.approval-decided'))
      // Rollouts: an agent task of a rollout finished → its host's event (any replica).
      .on('agent.task-finished', {
        id: 'rollouts.task-finished',
        job: rolloutJobs.taskFinished,
        payload: (data) => (data.rolloutId === null ? undefined : data),
      })
      .on('rollout.progressed', notificationSubscriber('rollout.progressed'))
      // Verification (rollouts' verify part): pre-flight on submit, task results, the review.
      .on('change.state-changed', preflightOnSubmit)
      .on('agent.task-finished', verifyTaskFinished)
      .on('rollout.progressed', prefillReviewOnRolloutEnd)
      // Autopilot: keep the state of the changes its rules made; a failed one pauses its rule.
      .on('change.state-changed', {
        id: 'autopilot.change-state-changed',
        job: autopilotJobs.changeStateChanged,
        payload: ({ changeId, to, reason }) => ({
          changeId,
          to,
          ...(reason !== undefined && { reason }),
        }),
      })
  );
}

/** Register every background job and event delivery of the server on a runner. */
export function registerJobs(
  runner: JobRunner,
  context: ServerContext,
  options: {
    readonly policy?: Policy;
    readonly autopilot?: AutopilotDeps;
  } = {},
): void {
  registerAdvisoryJobs(runner, context);
  registerAutopilotJobs(runner, context, options.autopilot ?? defaultAutopilotDeps);
  registerFindingJobs(runner, context, databaseFindingInputs(context.database), {
    ...(options.policy !== undefined && { policy: options.policy }),
  });
  registerNotificationJobs(runner, context, {
    describeChange,
    // A scheduled report's file, attached to e-mails when sent (notifications never reads reports).
    loadAttachment: reportAttachment,
  });
  // Report runs: built by the builders, rendered by the renderers, delivered by notifications.
  registerReportJobs(runner, context, {
    build: buildReport,
    render: renderReport,
    notify: notifyReport,
  });
  registerRolloutJobs(runner, context);
  registerAgentJobs(runner, context);
  registerVerificationJobs(runner, context);
  registerImprovementJobs(runner, context);
  registerMetricJobs(runner, context);
  eventSubscriptions().register(runner, context);
}

export interface RunningServer {
  readonly url: string;
  readonly app: App;
  readonly context: ServerContext;
  /** The background job runner of this process (advisory syncs, reconciliation…). */
  readonly jobs: JobRunner;
  /** Stop accepting requests, finish the ones in flight, close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: ServerConfig;
  readonly clock?: Clock;
  readonly logger?: FastifyBaseLogger;
  /** An already open database (tests); otherwise opened from the configuration. */
  readonly database?: Database;
  /** Run background jobs in this process (default true); several servers may all run them. */
  readonly runJobs?: boolean;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  // Logs are structured JSON on standard error; standard output is for people.
  const policy = loadServerPolicy(config.policy);
  const logger = options.logger ?? pino({ level: config.logLevel }, pino.destination(2));
  const database = options.database ?? openDatabase(config);
  await migrate(database.db, database.dialect);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const context: ServerContext = {
    database,
    clock: options.clock ?? systemClock,
    config,
    logger,
    metrics,
  };
  const app = await buildApp(context);
  const jobs = new JobRunner(context, {
    workerId: `${hostname()}:${process.pid}`,
    concurrency: 2,
    leaseSeconds: config.jobLeaseSeconds,
    pollMs: Math.min(2000, (config.jobLeaseSeconds * 1000) / 3),
    // A rollout's next step waits on these: an agent's result, delivered, then applied.
    urgentKinds: [eventJobKind('agent.task-finished'), rolloutJobs.taskFinished.kind],
  });
  registerJobs(jobs, context, { policy });
  // Exceptions lapse on their own: an hourly job records and audits each expiry.
  await upsertSchedule(database.db, context.clock, {
    id: findingJobs.expireExceptions.kind,
    kind: findingJobs.expireExceptions.kind,
    payload: {},
    intervalSeconds: expireExceptionsIntervalSeconds,
    enabled: true,
  });
  // Notifications: due digests are gathered every few minutes; findings due soon / overdue daily.
  for (const [type, intervalSeconds] of [
    [notificationJobs.digests, digestIntervalSeconds],
    [notificationJobs.findingsDue, findingsDueIntervalSeconds],
  ] as const)
    await upsertSchedule(database.db, context.clock, {
      id: type.kind,
      kind: type.kind,
      payload: {},
      intervalSeconds,
      enabled: true,
    });
  // Report schedules: a tick every minute starts the runs whose occurrence has come.
  await upsertSchedule(database.db, context.clock, {
    id: reportJobs.dueSchedules.kind,
    kind: reportJobs.dueSchedules.kind,
    payload: {},
    intervalSeconds: reportScheduleTickSeconds,
    enabled: true,
  });
  // Verification: pending reboots are compared with the agents' heartbeats every minute.
  await upsertSchedule(database.db, context.clock, {
    id: verificationJobs.rebootCheck.kind,
    kind: verificationJobs.rebootCheck.kind,
    payload: {},
    intervalSeconds: rebootCheckIntervalSeconds,
    enabled: true,
  });
  // Autopilot rules: an hourly job runs each rule whose own schedule (nightly…) is due.
  await upsertSchedule(database.db, context.clock, {
    id: autopilotJobs.runDue.kind,
    kind: autopilotJobs.runDue.kind,
    payload: {},
    intervalSeconds: autopilotIntervalSeconds,
    enabled: true,
  });
  // Agents: queued tasks nobody came for before their notAfter are expired (and reported).
  await upsertSchedule(database.db, context.clock, {
    id: agentJobs.expireTasks.kind,
    kind: agentJobs.expireTasks.kind,
    payload: {},
    intervalSeconds: expireTasksIntervalSeconds,
    enabled: true,
  });
  // Improvements: the recommendations are refreshed from the reviews (and metrics) daily.
  await upsertSchedule(database.db, context.clock, {
    id: improvementJobs.refresh.kind,
    kind: improvementJobs.refresh.kind,
    payload: {},
    intervalSeconds: improvementRefreshIntervalSeconds,
    enabled: true,
  });
  // Metrics: every ended day gets its snapshot (trends read them); the hourly job catches up.
  await upsertSchedule(database.db, context.clock, metricSnapshotSchedule);
  if (options.runJobs !== false) jobs.start();
  // Rollouts: started when due, driven tick by tick under a lease per rollout (ADR 0038).
  const rollouts =
    options.runJobs !== false
      ? startRolloutDriver(context, rolloutDriverSettings(process.env))
      : undefined;
  // Audit checkpoints: the signing key is created (0600) on first start, a checkpoint is taken
  // now, then periodically and at shutdown (contexts/audit/readme.md).
  await loadOrCreateCheckpointKey(config.auditKeyFile);
  const checkpoints = startPeriodicCheckpoints(
    checkpointerFor(config, context.clock, logger),
    database.db,
    config.auditCheckpointIntervalSeconds,
    logger,
  );
  const address = await app.app.listen({ host: config.host, port: config.port });
  logger.info(
    { address, database: database.dialect, location: database.location },
    'patchgate server listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url: address,
    app,
    context,
    jobs,
    close: () =>
      (closing ??= (async () => {
        app.state.draining = true;
        await app.app.close();
        await rollouts?.stop();
        // Jobs in flight are handed back to the queue; another process (or the next start) resumes them.
        await jobs.stop();
        await checkpoints.stop();
        // The browser PDF reports are printed with, when one was started.
        await closeReportRenderer();
        await database.close();
        logger.info('patchgate server stopped');
      })()),
  };
}
