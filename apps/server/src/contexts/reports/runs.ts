/**
 * Report runs (docs/adr/0045-report-runs-schedules-delivery.md): a request records its inputs
 * and queues a `reports.generate` job in one audited transaction; the job builds the document,
 * renders it and stores the bytes with their SHA-256 and size (audited `report.generated`), or
 * records why it failed (`report.failed`). Progress is the job's; the run shows it. A run is
 * made again from its recorded inputs, data-as-of included, so it has the same figures.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DocumentFormat, ReportType } from '@patchgate/report';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { cursorError, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import type { AuditActor, RequestSource } from '../audit/index.ts';
import { describeChange } from '../changes/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { Executor, JobExecution } from '../jobs/index.ts';
import { enqueueTyped, getJob } from '../jobs/index.ts';
import type { AttachmentRef, MessageAttachment } from '../notifications/index.ts';
import { generateMaxAttempts, reportJobs } from './jobs.ts';
import type { GenerateReportBody, ReportListQuery, ReportRun, ReportRunInputs } from './schema.ts';
import type { ReportBuildRequest, ReportEngine } from './service.ts';
import { reportTypeInfo } from './service.ts';
import type { ReportRunTable } from './tables.ts';

type RunRow = Omit<Selectable<ReportRunTable>, 'content'>;

/** Every column but the bytes: lists and reads never load the content. */
const runColumns = [
  'id',
  'type',
  'format',
  'title',
  'inputs_json',
  'status',
  'error',
  'content_type',
  'filename',
  'size_bytes',
  'sha256',
  'schedule_id',
  'job_id',
  'requested_by_id',
  'requested_by_name',
  'created_at',
  'finished_at',
] as const;

/** The longest period a report may cover. */
export const maxPeriodDays = 3660;

function scopeOf(scope: GenerateReportBody['scope']): ReportRunInputs['scope'] {
  return {
    ...(scope?.team !== undefined && { team: scope.team }),
    ...(scope?.environment !== undefined && { environment: scope.environment }),
    ...(scope?.assetGroup !== undefined && { assetGroup: scope.assetGroup }),
  };
}

/** A request's inputs, checked: the type's needs (a period, or a change) with clear 422s. */
export function requestedInputs(body: GenerateReportBody): ReportRunInputs {
  const info = reportTypeInfo(body.type);
  if (info.needs === 'change') {
    if (body.change === undefined)
      throw new ValidationError(
        'body.change: a change report needs the change (its id or number, e.g. CHG-0001)',
        [{ field: 'body.change', message: 'required for the change report' }],
      );
    return {
      type: body.type,
      period: null,
      scope: {},
      change: null,
      changeRef: body.change,
      policy: null,
      dataAsOf: body.dataAsOf === undefined ? null : new Date(body.dataAsOf).toISOString(),
    };
  }
  if (body.change !== undefined)
    throw new ValidationError('body.change: only the change report is about one change', [
      { field: 'body.change', message: `not used by ${body.type}` },
    ]);
  const dataAsOf = body.dataAsOf === undefined ? null : new Date(body.dataAsOf).toISOString();
  if (body.period === undefined) {
    if (info.periodRequired)
      throw new ValidationError(
        `body.period: a ${info.title} report needs a period {from, to} (days YYYY-MM-DD)`,
        [{ field: 'body.period', message: `required for ${body.type}` }],
      );
    return {
      type: body.type,
      period: null,
      scope: scopeOf(body.scope),
      change: null,
      changeRef: null,
      policy: null,
      dataAsOf,
    };
  }
  const { from, to } = body.period;
  if (from > to)
    throw new ValidationError(`body.period: from (${from}) is after to (${to})`, [
      { field: 'body.period.to', message: 'must not be before from' },
    ]);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > maxPeriodDays)
    throw new ValidationError(
      `body.period: ${days} days is longer than a report may cover (${maxPeriodDays} days)`,
      [{ field: 'body.period', message: `at most ${maxPeriodDays} days` }],
    );
  return {
    type: body.type,
    period: { from, to },
    scope: scopeOf(body.scope),
    change: null,
    changeRef: null,
    policy: null,
    dataAsOf,
  };
}

/** The builder's request for recorded inputs (a regeneration keeps data-as-of and the change). */
export function buildRequestOf(inputs: ReportRunInputs): ReportBuildRequest {
  const change = inputs.change?.id ?? inputs.changeRef ?? undefined;
  return {
    type: inputs.type,
    ...(inputs.period !== null && { period: inputs.period }),
    ...(inputs.type !== 'change' && { scope: inputs.scope }),
    ...(change !== undefined && { change }),
    ...(inputs.dataAsOf !== null && { dataAsOf: inputs.dataAsOf }),
  };
}

function provisionalTitle(inputs: ReportRunInputs): string {
  const { title } = reportTypeInfo(inputs.type);
  if (inputs.period !== null) return `${title}, ${inputs.period.from} to ${inputs.period.to}`;
  if (inputs.type !== 'change') return `${title}, as of ${inputs.dataAsOf ?? 'now'}`;
  return `${title}: ${inputs.change?.number ?? inputs.changeRef ?? ''}`;
}

function parseInputs(row: Pick<RunRow, 'inputs_json'>): ReportRunInputs {
  return JSON.parse(row.inputs_json) as ReportRunInputs;
}

async function progressOf(
  ctx: ServerContext,
  row: RunRow,
): Promise<ReportRun['progress'] | undefined> {
  if ((row.status !== 'queued' && row.status !== 'running') || row.job_id === null) return null;
  try {
    const job = await getJob(ctx, row.job_id);
    return job.progress === null
      ? null
      : { done: job.progress.done, total: job.progress.total, step: job.progress.message ?? '' };
  } catch {
    return null;
  }
}

function runOf(row: RunRow, progress: ReportRun['progress'] | undefined): ReportRun {
  return {
    id: row.id,
    type: row.type as ReportType,
    format: row.format as DocumentFormat,
    title: row.title,
    status: row.status as ReportRun['status'],
    error: row.error,
    inputs: parseInputs(row),
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    filename: row.filename,
    contentType: row.content_type,
    scheduleId: row.schedule_id,
    jobId: row.job_id,
    requestedBy: row.requested_by_name,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    progress: progress ?? null,
  };
}

function findRun(db: Executor, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('report_runs').select(runColumns).where('id', '=', id).executeTakeFirst();
}

export interface NewRun {
  readonly inputs: ReportRunInputs;
  readonly format: DocumentFormat;
  readonly scheduleId: string | null;
  readonly requestedBy: { readonly id: string | null; readonly name: string };
  /** Recorded with the audit event (`regeneratedFrom`, the schedule's occurrence…). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** Insert a queued run and its job, audited `report.requested`, in the caller's transaction. */
export async function insertRun(
  ctx: ServerContext,
  trx: Parameters<typeof appendAuditEvent>[0],
  run: NewRun,
  source: RequestSource,
): Promise<RunRow> {
  const id = randomUUID();
  const job = await enqueueTyped(
    trx,
    ctx.clock,
    reportJobs.generate,
    { runId: id },
    { maxAttempts: generateMaxAttempts, createdBy: run.requestedBy.id },
  );
  const row: RunRow & { content: null } = {
    id,
    type: run.inputs.type,
    format: run.format,
    title: provisionalTitle(run.inputs),
    inputs_json: JSON.stringify(run.inputs),
    status: 'queued',
    error: null,
    content: null,
    content_type: null,
    filename: null,
    size_bytes: null,
    sha256: null,
    schedule_id: run.scheduleId,
    job_id: job.id,
    requested_by_id: run.requestedBy.id,
    requested_by_name: run.requestedBy.name,
    created_at: timestamp(ctx.clock),
    finished_at: null,
  };
  await trx.insertInto('report_runs').values(row).execute();
  await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    ...source,
    action: 'report.requested',
    subjectType: 'report',
    subjectId: id,
    after: {
      type: row.type,
      format: row.format,
      inputs: run.inputs,
      scheduleId: run.scheduleId,
      ...run.detail,
    },
  });
  return row;
}

function requesterOf(actor: AuditActor): { id: string | null; name: string } {
  return { id: actor.type === 'system' ? null : actor.id, name: actor.name };
}

/** POST /api/v1/reports: record the request and queue its generation. */
export async function requestReport(
  ctx: ServerContext,
  body: GenerateReportBody,
  source: RequestSource,
): Promise<ReportRun> {
  const inputs = requestedInputs(body);
  // A change that does not exist is a 404 now, not a run that fails later.
  if (
    inputs.changeRef !== null &&
    (await describeChange(ctx.database, inputs.changeRef)) === undefined
  )
    throw new NotFoundError(`The change "${inputs.changeRef}"`);
  const row = await ctx.database.db
    .transaction()
    .execute((trx) =>
      insertRun(
        ctx,
        trx,
        { inputs, format: body.format, scheduleId: null, requestedBy: requesterOf(source.actor) },
        source,
      ),
    );
  return runOf(row, null);
}

/** A new run from a run's recorded inputs (same data-as-of: the same figures). */
export async function regenerateReport(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<ReportRun> {
  const row = await ctx.database.db.transaction().execute(async (trx) => {
    const original = await findRun(trx, id);
    if (original === undefined) throw new NotFoundError(`Report ${id}`);
    return insertRun(
      ctx,
      trx,
      {
        inputs: parseInputs(original),
        format: original.format as DocumentFormat,
        scheduleId: null,
        requestedBy: requesterOf(source.actor),
        detail: { regeneratedFrom: original.id },
      },
      source,
    );
  });
  return runOf(row, null);
}

export async function getReportRun(ctx: ServerContext, id: string): Promise<ReportRun> {
  const row = await findRun(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Report ${id}`);
  return runOf(row, await progressOf(ctx, row));
}

export async function listReportRuns(
  ctx: ServerContext,
  query: ReportListQuery,
): Promise<{ reports: ReportRun[]; nextCursor: string | null }> {
  let q = ctx.database.db.selectFrom('report_runs').select(runColumns);
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.cursor !== undefined) {
    const [createdAt, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    if (Number.isNaN(Date.parse(createdAt))) throw cursorError('is not a cursor this API returned');
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const reports: ReportRun[] = [];
  for (const row of page) reports.push(runOf(row, await progressOf(ctx, row)));
  return {
    reports,
    nextCursor:
      rows.length > query.limit && last !== undefined
        ? encodeCursor([last.created_at, last.id])
        : null,
  };
}

export interface ReportContent {
  readonly content: Buffer;
  readonly filename: string;
  readonly contentType: string;
  readonly sha256: string;
}

async function storedContent(db: Executor, id: string) {
  return db
    .selectFrom('report_runs')
    .select(['status', 'content', 'filename', 'content_type', 'sha256'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The bytes of a made report, audited `report.downloaded` (who took the evidence, when). */
export async function downloadReport(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<ReportContent> {
  const row = await storedContent(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Report ${id}`);
  if (
    row.status !== 'succeeded' ||
    row.content === null ||
    row.filename === null ||
    row.content_type === null ||
    row.sha256 === null
  )
    throw new ConflictError(
      row.status === 'failed'
        ? `Report ${id} failed: it has no content (regenerate it)`
        : `Report ${id} is ${row.status}: its content is not made yet`,
    );
  await ctx.database.db.transaction().execute((trx) =>
    appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'report.downloaded',
      subjectType: 'report',
      subjectId: id,
      after: { sha256: row.sha256, filename: row.filename },
    }),
  );
  return {
    content: Buffer.from(row.content),
    filename: row.filename,
    contentType: row.content_type,
    sha256: row.sha256,
  };
}

/** Notifications' attachment loader (wired in main.ts): a made report's file, or undefined. */
export async function reportAttachment(
  database: Database,
  ref: AttachmentRef,
): Promise<MessageAttachment | undefined> {
  if (ref.kind !== 'report') return undefined;
  const row = await storedContent(database.db, ref.id);
  if (row?.status !== 'succeeded' || row.content === null) return undefined;
  return {
    filename: row.filename ?? ref.filename,
    contentType: row.content_type ?? ref.contentType,
    content: Buffer.from(row.content),
  };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/**
 * The generate job's body: build, render, store (one transaction with its audit event), then,
 * for a scheduled run, queue its deliveries. A re-run after a crash finds the run made and only
 * queues the deliveries again (their ids are derived: nothing is sent twice).
 */
export async function generateReport(
  ctx: ServerContext,
  engine: ReportEngine,
  job: Pick<JobExecution, 'signal' | 'progress'>,
  runId: string,
  deliver: (ctx: ServerContext, engine: ReportEngine, run: ReportRun) => Promise<unknown>,
): Promise<{ status: string; sha256?: string; error?: string; deliveries?: unknown }> {
  const { database, clock } = ctx;
  const row = await findRun(database.db, runId);
  if (row === undefined) return { status: 'gone' };
  if (row.status === 'succeeded') {
    if (row.schedule_id === null) return { status: row.status };
    return { status: row.status, deliveries: await deliver(ctx, engine, runOf(row, null)) };
  }
  if (row.status === 'failed') return { status: row.status };
  await database.db
    .updateTable('report_runs')
    .set({ status: 'running' })
    .where('id', '=', runId)
    .where('status', 'in', ['queued', 'running'])
    .execute();
  const inputs = parseInputs(row);
  const format = row.format as DocumentFormat;
  // The builder reports synchronously; its reports are written one after another.
  let reported: Promise<void> = Promise.resolve();
  let steps = 1;
  const report = (done: number, total: number, step: string) => {
    reported = reported.then(() => job.progress(done, total, step)).catch(() => undefined);
  };
  try {
    report(0, 1, 'starting');
    const document = await engine.build(ctx, buildRequestOf(inputs), (done, total, step) => {
      steps = total;
      report(done, total + 2, step);
    });
    report(steps, steps + 2, `rendering ${format.toUpperCase()}`);
    await reported;
    const rendered = await engine.render(document, format, { signal: job.signal });
    report(steps + 1, steps + 2, 'storing');
    await reported;
    const sha256 = createHash('sha256').update(rendered.bytes).digest('hex');
    const recorded: ReportRunInputs = {
      type: document.inputs.type,
      period: document.inputs.period,
      scope: scopeOf(document.inputs.scope),
      change: document.inputs.change ?? null,
      changeRef: inputs.changeRef,
      policy: document.inputs.policy,
      dataAsOf: document.inputs.dataAsOf,
    };
    const { filename } = rendered;
    const stored = await database.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('report_runs')
        .set({
          status: 'succeeded',
          error: null,
          title: document.title,
          inputs_json: JSON.stringify(recorded),
          content: rendered.bytes,
          content_type: rendered.contentType,
          filename,
          size_bytes: rendered.bytes.length,
          sha256,
          finished_at: timestamp(clock),
        })
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: systemActor,
        action: 'report.generated',
        subjectType: 'report',
        subjectId: runId,
        after: {
          title: document.title,
          format,
          sizeBytes: rendered.bytes.length,
          sha256,
          inputs: recorded,
          warnings: document.warnings,
        },
      });
      return true;
    });
    const made = await findRun(database.db, runId);
    if (!stored || made === undefined) return { status: made?.status ?? 'gone' };
    if (made.schedule_id === null) return { status: 'succeeded', sha256 };
    return {
      status: 'succeeded',
      sha256,
      deliveries: await deliver(ctx, engine, runOf(made, null)),
    };
  } catch (error) {
    // Shutdown or a lost lease: the job is handed back, the run is made by its next attempt.
    if (job.signal.aborted && job.signal.reason !== 'cancelled') throw error;
    await reported;
    const message = errorText(error);
    await database.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('report_runs')
        .set({ status: 'failed', error: message, finished_at: timestamp(clock) })
        .where('id', '=', runId)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return;
      await appendAuditEvent(trx, database.dialect, clock, {
        actor: systemActor,
        action: 'report.failed',
        subjectType: 'report',
        subjectId: runId,
        after: { error: message, inputs },
      });
    });
    return { status: 'failed', error: message };
  }
}
