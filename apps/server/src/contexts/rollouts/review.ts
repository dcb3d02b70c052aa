/**
 * The change's review pre-filled when its rollout ends (issue 9; ADR 0039): planned vs actual
 * times (the change window vs the rollout's start and end), results per wave and host, the
 * failures with their log excerpts, the rollbacks, the verifications, the findings closed and
 * their due dates met or missed. Recorded on the change as facts (`prefillReview` of the
 * changes context); the implementer writes the review itself later.
 *
 * The rollout's shape comes from the rollouts context (`RolloutRun`, what `rolloutDetail`
 * gives, adapted in index.ts); each host's tasks are read through the agents context.
 */
import type { TaskResult } from '@patchgate/agent-protocol';
import type { ServerContext } from '../../context.ts';
import { agentTask, taskEvents } from '../agents/index.ts';
import type { AgentTask } from '../agents/index.ts';
import type { ChangePatchPlan, ReviewFacts } from '../changes/index.ts';
import { changePatchPlan, prefillReview } from '../changes/index.ts';
import { findingsByIds } from '../findings/index.ts';
import { rolloutDetail } from './detail.ts';
import { verificationReport } from './verification.ts';
import { transactionRetryingDeadlocks } from '../../db/database.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

/** `rollout.progressed` kinds that end a rollout (the review is pre-filled then). */
export const reviewEndingKinds: readonly string[] = [
  'completed',
  'rolled-back',
  'aborted',
  'halted',
];

/** What the review needs of a rollout (the rollouts context's `rolloutDetail`, adapted). */
export interface RolloutRun {
  readonly rolloutId: string;
  readonly changeId: string;
  readonly state: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly waves: readonly {
    readonly name: string;
    readonly state: string;
    readonly hosts: readonly {
      readonly assetId: string;
      readonly assetName: string;
      readonly outcome: string;
      /** The host's tasks in this rollout, oldest first. */
      readonly taskIds: readonly string[];
    }[];
  }[];
}

export type ReadRollout = (ctx: Ctx, rolloutId: string) => Promise<RolloutRun | undefined>;

/** The rollout as this context's `rolloutDetail` gives it, in the review's terms. */
export const readRollout: ReadRollout = async (ctx, rolloutId) => {
  const detail = await rolloutDetail(ctx.database.db, rolloutId);
  if (detail === undefined) return undefined;
  return {
    rolloutId: detail.id,
    changeId: detail.change.id,
    state: detail.phase,
    startedAt: detail.startedAt,
    endedAt: detail.finishedAt,
    waves: detail.waves.map((wave) => ({
      name: wave.name,
      state: wave.state,
      hosts: wave.hosts.map((host) => ({
        assetId: host.assetId,
        assetName: host.name,
        outcome: host.state,
        taskIds: host.tasks.flatMap((t) => (t.agentTaskId === null ? [] : [t.agentTaskId])),
      })),
    })),
  };
};

/** Lines kept of a failed step's output. */
export const logExcerptLines = 20;

const minutesBetween = (from: string | null, to: string | null): number | null =>
  from === null || to === null ? null : Math.round((Date.parse(to) - Date.parse(from)) / 60_000);

function failedStepOf(result: TaskResult | null) {
  return result?.steps.find((s) => s.outcome === 'failed');
}

async function failureOf(
  ctx: Ctx,
  task: AgentTask,
  host: { assetId: string; assetName: string },
  wave: string,
): Promise<ReviewFacts['failures'][number] | undefined> {
  const result = task.result;
  const healthFailed =
    result?.data?.kind === 'health-check' && result.data.verdict !== 'pass' ? result.data : null;
  const failed = task.state === 'failed' || task.state === 'rejected' || task.state === 'expired';
  if (!failed && healthFailed === null) return undefined;
  const step = failedStepOf(result);
  let log = [...(step?.logTail ?? [])];
  if (log.length === 0) {
    // No tail in the result: the streamed lines of the task, the last ones.
    const events = await taskEvents(ctx.database, task.taskId);
    log = events.flatMap((e) => (e.type === 'log' && e.line !== undefined ? [e.line] : []));
  }
  const checks =
    healthFailed === null
      ? ''
      : healthFailed.checks
          .filter((c) => !c.passed)
          .map((c) => `${c.name}${c.detail === undefined ? '' : `: ${c.detail}`}`)
          .join('; ');
  return {
    assetId: host.assetId,
    assetName: host.assetName,
    wave,
    taskId: task.taskId,
    kind: task.kind,
    step: step?.name ?? null,
    detail:
      step?.detail ??
      result?.error ??
      (healthFailed !== null
        ? `health check ${healthFailed.verdict}${checks === '' ? '' : `: ${checks}`}`
        : task.state),
    log: log.slice(-logExcerptLines),
  };
}

function findingFacts(
  plan: ChangePatchPlan,
  findings: Awaited<ReturnType<typeof findingsByIds>>,
  endedOn: string,
): ReviewFacts['findings'] {
  const byId = new Map(findings.map((f) => [f.id, f] as const));
  const items = plan.findings.flatMap((link) => {
    const f = byId.get(link.findingId);
    if (f === undefined) return [];
    const dueDate = f.dueDate ?? link.dueDate;
    const fixedOn = f.fixedAt?.slice(0, 10) ?? null;
    const due: 'met' | 'missed' | 'open' | 'none' =
      dueDate === null
        ? 'none'
        : fixedOn !== null && f.state === 'fixed'
          ? fixedOn <= dueDate
            ? 'met'
            : 'missed'
          : endedOn > dueDate
            ? 'missed'
            : 'open';
    return [
      {
        findingId: f.id,
        assetName: f.asset.name,
        package: f.package.name,
        advisory: f.advisory.id,
        state: f.state,
        dueDate,
        fixedAt: f.fixedAt,
        fixedByChange: f.fixedByChangeId === plan.id,
        due,
      },
    ];
  });
  return {
    linked: plan.findings.length,
    closed: items.filter((i) => i.state === 'fixed').length,
    closedByChange: items.filter((i) => i.fixedByChange).length,
    dueMet: items.filter((i) => i.due === 'met').length,
    dueMissed: items.filter((i) => i.due === 'missed').length,
    items,
  };
}

/** The facts of an ended rollout (pure reads). */
export async function reviewFactsOf(ctx: Ctx, run: RolloutRun): Promise<ReviewFacts> {
  const plan = await changePatchPlan(ctx.database.db, run.changeId);
  const verification = await verificationReport(ctx, plan.id);
  const verified = new Map(verification.hosts.map((h) => [h.taskId, h] as const));
  const failures: ReviewFacts['failures'] = [];
  const rollbacks: ReviewFacts['rollbacks'] = [];
  const waves: ReviewFacts['waves'] = [];
  for (const wave of run.waves) {
    const hosts: ReviewFacts['waves'][number]['hosts'] = [];
    for (const host of wave.hosts) {
      const tasks = (
        await Promise.all(host.taskIds.map((id) => agentTask(ctx.database, id)))
      ).filter((t): t is AgentTask => t !== undefined);
      let before: { name: string; version: string | null }[] = [];
      let after: { name: string; version: string | null }[] = [];
      let confirmed: boolean | null = null;
      let rebootPending = false;
      for (const task of tasks) {
        const data = task.result?.data;
        if (data?.kind === 'install') {
          before = [...data.before];
          after = [...data.after];
          const check = verified.get(task.taskId);
          confirmed = check?.confirmed ?? null;
          rebootPending = check?.rebootPending ?? (data.rebootRequired && !data.rebooted);
        }
        if (task.kind === 'rollback')
          rollbacks.push({
            assetId: host.assetId,
            assetName: host.assetName,
            outcome: task.state,
            restored: data?.kind === 'rollback' ? [...data.restored] : [],
          });
        const failure = await failureOf(ctx, task, host, wave.name);
        if (failure !== undefined) failures.push(failure);
      }
      hosts.push({
        assetId: host.assetId,
        assetName: host.assetName,
        outcome: host.outcome,
        before,
        after,
        versionsConfirmed: confirmed,
        rebootPending,
      });
    }
    waves.push({ name: wave.name, state: wave.state, hosts });
  }
  const now = ctx.clock.now().toISOString();
  const findings = await findingsByIds(
    ctx,
    plan.findings.map((f) => f.findingId),
  );
  return {
    rolloutId: run.rolloutId,
    outcome: run.state,
    planned: { start: plan.windowStart, end: plan.windowEnd },
    actual: { start: run.startedAt, end: run.endedAt },
    startDelayMinutes: minutesBetween(plan.windowStart, run.startedAt),
    overrunMinutes: minutesBetween(plan.windowEnd, run.endedAt),
    waves,
    failures,
    rollbacks,
    findings: findingFacts(plan, findings, (run.endedAt ?? now).slice(0, 10)),
    recordedAt: now,
  };
}

/** Compute and record the review's facts of an ended rollout (the job's body). */
export async function prefillReviewOf(
  ctx: Ctx,
  input: { rolloutId: string; changeId: string; kind: string },
  read: ReadRollout = readRollout,
): Promise<ReviewFacts | undefined> {
  const run = await read(ctx, input.rolloutId);
  if (run === undefined) return undefined;
  const facts = await reviewFactsOf(ctx, { ...run, state: run.state || input.kind });
  await transactionRetryingDeadlocks(ctx.database, (trx) =>
    prefillReview(trx, ctx.database.dialect, ctx.clock, run.changeId, facts),
  );
  return facts;
}
