/**
 * Report schedules (docs/adr/0045-report-runs-schedules-delivery.md): a report type and format,
 * an RRULE on the wall clock of an IANA zone (packages/calendar), a period relative to each
 * occurrence, a scope, and the notification channels (and e-mail recipients) it goes to. The
 * `reports.due-schedules` tick starts the run of every schedule whose next occurrence has come,
 * advancing it first with a guarded UPDATE so two servers never start the same occurrence.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { RRule } from '@patchgate/calendar';
import {
  expandRRule,
  formatLocal,
  isTimeZone,
  parseLocal,
  parseRRule,
  toLocal,
} from '@patchgate/calendar';
import type { DocumentFormat, ReportType } from '@patchgate/report';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { FieldProblem } from '../../http/problems.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { Executor } from '../jobs/index.ts';
import { notificationChannelsOf } from '../notifications/index.ts';
import { insertRun } from './runs.ts';
import type {
  RelativePeriod,
  ReportRun,
  ReportRunInputs,
  ReportSchedule,
  ReportScheduleBody,
  ReportSchedulePatch,
} from './schema.ts';
import { reportTypeInfo } from './service.ts';
import type { ReportScheduleTable } from './tables.ts';

type ScheduleRow = Selectable<ReportScheduleTable>;

interface ScheduleParams {
  readonly period: RelativePeriod;
  readonly scope: ReportSchedule['scope'];
  readonly recipients: readonly string[];
}

const dayMs = 86_400_000;
/** How far ahead the next occurrence is looked for (a yearly rule with INTERVAL=3 fits). */
const lookaheadMs = 4 * 366 * dayMs;

function paramsOf(row: ScheduleRow): ScheduleParams {
  return JSON.parse(row.params_json) as ScheduleParams;
}

function scheduleOf(row: ScheduleRow): ReportSchedule {
  const params = paramsOf(row);
  return {
    id: row.id,
    name: row.name,
    type: row.type as ReportType,
    format: row.format as DocumentFormat,
    rrule: row.rrule,
    timeZone: row.time_zone,
    startsAt: row.starts_at,
    period: params.period,
    scope: params.scope,
    channelIds: JSON.parse(row.channel_ids_json) as string[],
    recipients: [...params.recipients],
    enabled: row.enabled === 1,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastRunId: row.last_run_id,
    createdBy: row.created_by_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The days a report made on local day `today` covers: previous-day, previous-week (ISO: Monday
 * to Sunday), previous-month, previous-quarter, or the last 30 / 90 days ending yesterday.
 */
export function periodOf(
  relative: RelativePeriod,
  today: { year: number; month: number; day: number },
): { from: string; to: string } {
  const t = Date.UTC(today.year, today.month - 1, today.day);
  switch (relative) {
    case 'previous-day':
      return { from: day(t - dayMs), to: day(t - dayMs) };
    case 'previous-week': {
      const isoWeekday = ((new Date(t).getUTCDay() + 6) % 7) + 1;
      const monday = t - (isoWeekday - 1) * dayMs;
      return { from: day(monday - 7 * dayMs), to: day(monday - dayMs) };
    }
    case 'previous-month': {
      const first = Date.UTC(today.year, today.month - 1, 1);
      return { from: day(Date.UTC(today.year, today.month - 2, 1)), to: day(first - dayMs) };
    }
    case 'previous-quarter': {
      const quarterStart = Date.UTC(today.year, Math.floor((today.month - 1) / 3) * 3, 1);
      const start = new Date(quarterStart);
      return {
        from: day(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 3, 1)),
        to: day(quarterStart - dayMs),
      };
    }
    case 'last-30-days':
      return { from: day(t - 30 * dayMs), to: day(t - dayMs) };
    case 'last-90-days':
      return { from: day(t - 90 * dayMs), to: day(t - dayMs) };
  }
}

/** The first occurrence strictly after `afterMs`, ISO; null when the rule has none left. */
export function nextOccurrence(
  rule: RRule,
  startsAt: string,
  timeZone: string,
  afterMs: number,
): string | null {
  const start = parseLocal(startsAt);
  if (!start.ok) return null;
  const expansion = expandRRule({
    rule,
    dtstart: start.value,
    timeZone,
    from: afterMs + 1,
    to: afterMs + lookaheadMs,
    limits: { maxOccurrences: 1 },
  });
  const next = expansion.starts[0];
  return next === undefined ? null : new Date(next).toISOString();
}

interface Checked {
  readonly rule: RRule;
  readonly startsAt: string;
  readonly channelIds: string[];
}

/** Every problem of a schedule at once, each naming its field. */
async function checkSchedule(
  ctx: ServerContext,
  s: Omit<
    ReportSchedule,
    | 'id'
    | 'nextRunAt'
    | 'lastRunAt'
    | 'lastRunId'
    | 'createdBy'
    | 'createdAt'
    | 'updatedAt'
    | 'startsAt'
  > & {
    startsAt: string | undefined;
  },
): Promise<Checked> {
  const problems: FieldProblem[] = [];
  if (reportTypeInfo(s.type).needs === 'change')
    problems.push({
      field: 'body.type',
      message: 'the change report is made for one change on demand, not on a schedule',
    });
  const parsed = parseRRule(s.rrule);
  if (!parsed.ok) problems.push({ field: 'body.rrule', message: parsed.error });
  const zoneOk = isTimeZone(s.timeZone);
  if (!zoneOk)
    problems.push({
      field: 'body.timeZone',
      message: `"${s.timeZone}" is not an IANA time zone (e.g. Europe/Berlin, UTC)`,
    });
  let startsAt = s.startsAt;
  if (startsAt === undefined && zoneOk) {
    const local = toLocal(ctx.clock.now().getTime(), s.timeZone);
    startsAt = formatLocal({ ...local, second: 0 });
  }
  if (startsAt !== undefined) {
    const start = parseLocal(startsAt);
    if (!start.ok) problems.push({ field: 'body.startsAt', message: start.error });
  }
  const found = await notificationChannelsOf(ctx.database, s.channelIds);
  s.channelIds.forEach((ref, i) => {
    if (!found.some((c) => c.ref === ref))
      problems.push({
        field: `body.channelIds[${i}]`,
        message: `no notification channel "${ref}" (see GET /api/v1/notification-channels)`,
      });
  });
  if (found.some((c) => c.kind === 'email') && s.recipients.length === 0)
    problems.push({
      field: 'body.recipients',
      message: 'an e-mail channel needs the addresses to send the report to',
    });
  if (problems.length > 0 || !parsed.ok || startsAt === undefined)
    throw new ValidationError(problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  return {
    rule: parsed.rule,
    startsAt,
    channelIds: [...new Set(found.map((c) => c.id))],
  };
}

function findSchedule(db: Executor, ref: string): Promise<ScheduleRow | undefined> {
  return db
    .selectFrom('report_schedules')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .orderBy('id')
    .executeTakeFirst();
}

async function nameTaken(db: Executor, name: string, except?: string): Promise<boolean> {
  let q = db.selectFrom('report_schedules').select('id').where('name', '=', name);
  if (except !== undefined) q = q.where('id', '!=', except);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function listReportSchedules(ctx: ServerContext): Promise<ReportSchedule[]> {
  const rows = await ctx.database.db
    .selectFrom('report_schedules')
    .selectAll()
    .orderBy('name')
    .execute();
  return rows.map(scheduleOf);
}

export async function getReportSchedule(ctx: ServerContext, ref: string): Promise<ReportSchedule> {
  const row = await findSchedule(ctx.database.db, ref);
  if (row === undefined) throw new NotFoundError(`Report schedule ${ref}`);
  return scheduleOf(row);
}

export async function createReportSchedule(
  ctx: ServerContext,
  body: ReportScheduleBody,
  source: RequestSource,
): Promise<ReportSchedule> {
  const wanted = {
    ...body,
    scope: body.scope ?? {},
    recipients: body.recipients ?? [],
    startsAt: body.startsAt,
  };
  const checked = await checkSchedule(ctx, wanted);
  const now = timestamp(ctx.clock);
  const row: ScheduleRow = {
    id: randomUUID(),
    name: body.name,
    type: body.type,
    format: body.format,
    params_json: JSON.stringify({
      period: body.period,
      scope: wanted.scope,
      recipients: wanted.recipients,
    } satisfies ScheduleParams),
    rrule: body.rrule,
    time_zone: body.timeZone,
    starts_at: checked.startsAt,
    channel_ids_json: JSON.stringify(checked.channelIds),
    enabled: body.enabled ? 1 : 0,
    next_run_at: nextOccurrence(
      checked.rule,
      checked.startsAt,
      body.timeZone,
      ctx.clock.now().getTime() - 1,
    ),
    last_run_at: null,
    last_run_id: null,
    created_by_id: source.actor.type === 'system' ? null : source.actor.id,
    created_by_name: source.actor.name,
    created_at: now,
    updated_at: now,
  };
  return ctx.database.db.transaction().execute(async (trx) => {
    if (await nameTaken(trx, body.name))
      throw new ConflictError(`A report schedule named "${body.name}" exists`);
    await trx.insertInto('report_schedules').values(row).execute();
    const schedule = scheduleOf(row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'report.schedule-created',
      subjectType: 'report-schedule',
      subjectId: row.id,
      after: schedule,
    });
    return schedule;
  });
}

export async function updateReportSchedule(
  ctx: ServerContext,
  ref: string,
  patch: ReportSchedulePatch,
  source: RequestSource,
): Promise<ReportSchedule> {
  const current = await findSchedule(ctx.database.db, ref);
  if (current === undefined) throw new NotFoundError(`Report schedule ${ref}`);
  const before = scheduleOf(current);
  const wanted = {
    name: patch.name ?? before.name,
    type: patch.type ?? before.type,
    format: patch.format ?? before.format,
    rrule: patch.rrule ?? before.rrule,
    timeZone: patch.timeZone ?? before.timeZone,
    startsAt: patch.startsAt ?? before.startsAt,
    period: patch.period ?? before.period,
    scope: patch.scope ?? before.scope,
    channelIds: patch.channelIds ?? before.channelIds,
    recipients: patch.recipients ?? before.recipients,
    enabled: patch.enabled ?? before.enabled,
  };
  const checked = await checkSchedule(ctx, wanted);
  const timing =
    patch.rrule !== undefined || patch.timeZone !== undefined || patch.startsAt !== undefined;
  const row: ScheduleRow = {
    ...current,
    name: wanted.name,
    type: wanted.type,
    format: wanted.format,
    params_json: JSON.stringify({
      period: wanted.period,
      scope: wanted.scope,
      recipients: wanted.recipients,
    } satisfies ScheduleParams),
    rrule: wanted.rrule,
    time_zone: wanted.timeZone,
    starts_at: checked.startsAt,
    channel_ids_json: JSON.stringify(checked.channelIds),
    enabled: wanted.enabled ? 1 : 0,
    // A new timing (or turning it on again) counts from now; otherwise the next stays.
    next_run_at:
      timing || (wanted.enabled && !before.enabled) || current.next_run_at === null
        ? nextOccurrence(
            checked.rule,
            checked.startsAt,
            wanted.timeZone,
            ctx.clock.now().getTime() - 1,
          )
        : current.next_run_at,
    updated_at: timestamp(ctx.clock),
  };
  return ctx.database.db.transaction().execute(async (trx) => {
    if (await nameTaken(trx, wanted.name, current.id))
      throw new ConflictError(`A report schedule named "${wanted.name}" exists`);
    await trx.updateTable('report_schedules').set(row).where('id', '=', current.id).execute();
    const schedule = scheduleOf(row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'report.schedule-updated',
      subjectType: 'report-schedule',
      subjectId: current.id,
      before,
      after: schedule,
    });
    return schedule;
  });
}

export async function deleteReportSchedule(
  ctx: ServerContext,
  ref: string,
  source: RequestSource,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const current = await findSchedule(trx, ref);
    if (current === undefined) throw new NotFoundError(`Report schedule ${ref}`);
    // Its reports stay (their schedule id is cleared): they are evidence.
    await trx
      .updateTable('report_runs')
      .set({ schedule_id: null })
      .where('schedule_id', '=', current.id)
      .execute();
    await trx.deleteFrom('report_schedules').where('id', '=', current.id).execute();
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'report.schedule-deleted',
      subjectType: 'report-schedule',
      subjectId: current.id,
      before: scheduleOf(current),
    });
  });
}

function scheduledInputs(row: ScheduleRow, atMs: number): ReportRunInputs {
  const params = paramsOf(row);
  const local = toLocal(atMs, row.time_zone);
  return {
    type: row.type as ReportType,
    period: periodOf(params.period, local),
    scope: params.scope,
    change: null,
    changeRef: null,
    policy: null,
    dataAsOf: null,
  };
}

async function startScheduledRun(
  ctx: ServerContext,
  trx: Parameters<typeof insertRun>[1],
  row: ScheduleRow,
  atMs: number,
  source: RequestSource,
  detail: Record<string, unknown>,
) {
  const run = await insertRun(
    ctx,
    trx,
    {
      inputs: scheduledInputs(row, atMs),
      format: row.format as DocumentFormat,
      scheduleId: row.id,
      requestedBy: { id: null, name: `schedule ${row.name}` },
      detail: { schedule: row.name, ...detail },
    },
    source,
  );
  await trx
    .updateTable('report_schedules')
    .set({ last_run_at: timestamp(ctx.clock), last_run_id: run.id })
    .where('id', '=', row.id)
    .execute();
  return run;
}

/** POST /api/v1/report-schedules/{id}/run: make and deliver it now (the period as of today). */
export async function runReportScheduleNow(
  ctx: ServerContext,
  ref: string,
  source: RequestSource,
): Promise<ReportRun['id']> {
  return ctx.database.db.transaction().execute(async (trx) => {
    const row = await findSchedule(trx, ref);
    if (row === undefined) throw new NotFoundError(`Report schedule ${ref}`);
    const run = await startScheduledRun(ctx, trx, row, ctx.clock.now().getTime(), source, {
      onDemand: true,
    });
    return run.id;
  });
}

/**
 * The tick: every enabled schedule whose next occurrence has come gets one run (missed
 * occurrences are not caught up: the next is the first after now).
 */
export async function runDueSchedules(ctx: ServerContext): Promise<{ started: string[] }> {
  const nowMs = ctx.clock.now().getTime();
  const nowIso = new Date(nowMs).toISOString();
  const due = await ctx.database.db
    .selectFrom('report_schedules')
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_run_at', 'is not', null)
    .where('next_run_at', '<=', nowIso)
    .orderBy('next_run_at')
    .execute();
  const started: string[] = [];
  for (const row of due) {
    const occurrence = row.next_run_at;
    if (occurrence === null) continue;
    const parsed = parseRRule(row.rrule);
    const next = parsed.ok
      ? nextOccurrence(parsed.rule, row.starts_at, row.time_zone, nowMs)
      : null;
    const runId = await ctx.database.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('report_schedules')
        .set({ next_run_at: next })
        .where('id', '=', row.id)
        .where('next_run_at', '=', occurrence)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return undefined;
      const run = await startScheduledRun(
        ctx,
        trx,
        row,
        Date.parse(occurrence),
        { actor: systemActor },
        { occurrence },
      );
      return run.id;
    });
    if (runId !== undefined) started.push(runId);
  }
  return { started };
}

/** A schedule as the delivery needs it (undefined when it was deleted meanwhile). */
export async function scheduleForDelivery(
  ctx: ServerContext,
  id: string,
): Promise<ReportSchedule | undefined> {
  const row = await findSchedule(ctx.database.db, id);
  return row === undefined ? undefined : scheduleOf(row);
}
