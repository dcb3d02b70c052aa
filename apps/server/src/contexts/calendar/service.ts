/**
 * The calendar context's rules: maintenance windows and freezes (validated by
 * @patchgate/calendar, audited), the calendar over a range, and the per-user `.ics` feed
 * with its token (random, stored as a SHA-256 hash, shown once, rotated or revoked).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  CalendarChange,
  Freeze as DomainFreeze,
  MaintenanceWindow as DomainWindow,
} from '@patchgate/calendar';
import {
  calendarFeed,
  checkFreeze,
  detectConflicts,
  nextFeasibleSlot,
  checkWindow,
  freezeOccurrences,
  windowOccurrences,
  windowsByAsset,
} from '@patchgate/calendar';
import type { AssetFacts } from '@patchgate/model';
import { formatSelector, matchesSelector, parseSelector } from '@patchgate/model';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { userHolds } from '../auth/index.ts';
import { listAssetFacts } from '../inventory/index.ts';
import * as repo from './repository.ts';
import type {
  AssetSelector,
  CalendarQuery,
  ConflictList,
  ConflictQuery,
  SlotAnswer,
  SlotQuery,
  CalendarView,
  FeedToken,
  Freeze,
  FreezeInput,
  FreezePatch,
  MaintenanceWindow,
  WindowInput,
  WindowPatch,
} from './schema.ts';

/** The changes context's scheduled changes over [from, to) (wired in app.ts). */
export type ScheduledChanges = (
  database: Database,
  from: Date,
  to: Date,
) => Promise<readonly CalendarChange[]>;

export const feedTokenPrefix = 'pgc_';
export const feedPath = (token: string): string => `/api/v1/calendar/feed/${token}`;
const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const dayMs = 86_400_000;
/** The longest range `GET /calendar` expands. */
export const maxRangeDays = 366;
/** What the feed shows: a week back, a quarter ahead. */
export const feedPastDays = 7;
export const feedFutureDays = 92;

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

// ---- windows ---------------------------------------------------------------------------------

function domainWindow(row: repo.WindowRow): DomainWindow {
  return {
    id: row.id,
    name: row.name,
    rrule: row.rrule,
    dtstart: row.dtstart,
    timeZone: row.time_zone,
    durationMinutes: row.duration_minutes,
    cutoffMinutes: row.cutoff_minutes,
    selector: parseJson<AssetSelector>(row.selector_json, { names: [] }),
  };
}

function windowOf(row: repo.WindowRow, assets: readonly AssetFacts[]): MaintenanceWindow {
  const w = domainWindow(row);
  return {
    ...w,
    selector: w.selector as AssetSelector,
    selectorText: formatSelector(w.selector),
    assets: assets.filter((a) => matchesSelector(a, w.selector)).map((a) => a.name),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function validateWindow(w: DomainWindow): void {
  const checked = checkWindow(w);
  if (!checked.ok)
    throw new ValidationError(`The maintenance window is not valid: ${checked.error}`);
}

export async function listWindows(database: Database): Promise<MaintenanceWindow[]> {
  const assets = await listAssetFacts(database);
  return (await repo.listWindowRows(database.db)).map((row) => windowOf(row, assets));
}

export async function getWindow(database: Database, id: string): Promise<MaintenanceWindow> {
  const row = await repo.findWindowRow(database.db, id);
  if (row === undefined) throw new NotFoundError('The maintenance window');
  return windowOf(row, await listAssetFacts(database));
}

export async function createWindow(
  ctx: ServerContext,
  input: WindowInput,
  source: RequestSource,
): Promise<MaintenanceWindow> {
  const now = timestamp(ctx.clock);
  const row: repo.WindowRow = {
    id: randomUUID(),
    name: input.name,
    rrule: input.rrule.replace(/^RRULE:/i, ''),
    dtstart: input.dtstart,
    time_zone: input.timeZone,
    duration_minutes: input.durationMinutes,
    cutoff_minutes: input.cutoffMinutes,
    selector_json: JSON.stringify(input.selector),
    created_by: source.actor.id,
    created_at: now,
    updated_at: now,
  };
  validateWindow(domainWindow(row));
  await ctx.database.db.transaction().execute(async (trx) => {
    if (await repo.windowNameTaken(trx, row.name))
      throw new ConflictError(`A maintenance window named "${row.name}" already exists`);
    await repo.insertWindowRow(trx, row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.window-created',
      subjectType: 'maintenance-window',
      subjectId: row.id,
      after: domainWindow(row),
    });
  });
  return windowOf(row, await listAssetFacts(ctx.database));
}

export async function updateWindow(
  ctx: ServerContext,
  id: string,
  patch: WindowPatch,
  source: RequestSource,
): Promise<MaintenanceWindow> {
  const after = await ctx.database.db.transaction().execute(async (trx) => {
    const before = await repo.findWindowRow(trx, id);
    if (before === undefined) throw new NotFoundError('The maintenance window');
    const row: repo.WindowRow = {
      ...before,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.rrule !== undefined && { rrule: patch.rrule.replace(/^RRULE:/i, '') }),
      ...(patch.dtstart !== undefined && { dtstart: patch.dtstart }),
      ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
      ...(patch.durationMinutes !== undefined && { duration_minutes: patch.durationMinutes }),
      ...(patch.cutoffMinutes !== undefined && { cutoff_minutes: patch.cutoffMinutes }),
      ...(patch.selector !== undefined && { selector_json: JSON.stringify(patch.selector) }),
      updated_at: timestamp(ctx.clock),
    };
    validateWindow(domainWindow(row));
    if (await repo.windowNameTaken(trx, row.name, id))
      throw new ConflictError(`A maintenance window named "${row.name}" already exists`);
    await repo.updateWindowRow(trx, row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.window-updated',
      subjectType: 'maintenance-window',
      subjectId: id,
      before: domainWindow(before),
      after: domainWindow(row),
    });
    return row;
  });
  return windowOf(after, await listAssetFacts(ctx.database));
}

export async function deleteWindow(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const before = await repo.findWindowRow(trx, id);
    if (before === undefined) throw new NotFoundError('The maintenance window');
    await repo.deleteWindowRow(trx, id);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.window-deleted',
      subjectType: 'maintenance-window',
      subjectId: id,
      before: domainWindow(before),
    });
  });
}

/** The windows that apply to each asset (their selectors match it), by asset id. */
export async function windowsForAssets(
  database: Database,
  assets: readonly AssetFacts[],
): Promise<Map<string, DomainWindow[]>> {
  const windows = (await repo.listWindowRows(database.db)).map(domainWindow);
  return windowsByAsset(assets, windows);
}

// ---- freezes ---------------------------------------------------------------------------------

function domainFreeze(row: repo.FreezeRow): DomainFreeze {
  const recurring =
    row.rrule !== null &&
    row.dtstart !== null &&
    row.time_zone !== null &&
    row.duration_minutes !== null;
  return {
    id: row.id,
    name: row.name,
    ...(row.start_at !== null && { start: new Date(row.start_at) }),
    ...(row.end_at !== null && { end: new Date(row.end_at) }),
    ...(recurring && {
      recurrence: {
        rrule: row.rrule ?? '',
        dtstart: row.dtstart ?? '',
        timeZone: row.time_zone ?? '',
        durationMinutes: row.duration_minutes ?? 0,
      },
    }),
    exdates: parseJson<string[]>(row.exdates_json, []),
    allowEmergency: row.allow_emergency === 1,
  };
}

function freezeOf(row: repo.FreezeRow): Freeze {
  const f = domainFreeze(row);
  return {
    id: row.id,
    name: row.name,
    start: row.start_at,
    end: row.end_at,
    recurrence: f.recurrence ?? null,
    exdates: [...(f.exdates ?? [])],
    allowEmergency: f.allowEmergency,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function freezeRow(base: repo.FreezeRow, input: FreezePatch): repo.FreezeRow {
  const recurrence = input.recurrence;
  const oneOff = input.start !== undefined || input.end !== undefined;
  if (recurrence !== undefined && oneOff)
    throw new ValidationError('A freeze has start and end, or a recurrence; not both');
  return {
    ...base,
    ...(input.name !== undefined && { name: input.name }),
    ...(oneOff && {
      start_at: input.start === undefined ? base.start_at : new Date(input.start).toISOString(),
      end_at: input.end === undefined ? base.end_at : new Date(input.end).toISOString(),
      rrule: null,
      dtstart: null,
      time_zone: null,
      duration_minutes: null,
    }),
    ...(recurrence !== undefined && {
      start_at: null,
      end_at: null,
      rrule: recurrence.rrule.replace(/^RRULE:/i, ''),
      dtstart: recurrence.dtstart,
      time_zone: recurrence.timeZone,
      duration_minutes: recurrence.durationMinutes,
    }),
    ...(input.exdates !== undefined && { exdates_json: JSON.stringify(input.exdates) }),
    ...(input.allowEmergency !== undefined && { allow_emergency: input.allowEmergency ? 1 : 0 }),
  };
}

function validateFreeze(f: DomainFreeze): void {
  const checked = checkFreeze(f);
  if (!checked.ok) throw new ValidationError(`The freeze is not valid: ${checked.error}`);
}

export async function listFreezes(database: Database): Promise<Freeze[]> {
  return (await repo.listFreezeRows(database.db)).map(freezeOf);
}

export async function getFreeze(database: Database, id: string): Promise<Freeze> {
  const row = await repo.findFreezeRow(database.db, id);
  if (row === undefined) throw new NotFoundError('The freeze');
  return freezeOf(row);
}

export async function createFreeze(
  ctx: ServerContext,
  input: FreezeInput,
  source: RequestSource,
): Promise<Freeze> {
  const now = timestamp(ctx.clock);
  const empty: repo.FreezeRow = {
    id: randomUUID(),
    name: input.name,
    start_at: null,
    end_at: null,
    rrule: null,
    dtstart: null,
    time_zone: null,
    duration_minutes: null,
    exdates_json: '[]',
    allow_emergency: 0,
    created_by: source.actor.id,
    created_at: now,
    updated_at: now,
  };
  const row = freezeRow(empty, input);
  validateFreeze(domainFreeze(row));
  await ctx.database.db.transaction().execute(async (trx) => {
    if (await repo.freezeNameTaken(trx, row.name))
      throw new ConflictError(`A freeze named "${row.name}" already exists`);
    await repo.insertFreezeRow(trx, row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.freeze-created',
      subjectType: 'change-freeze',
      subjectId: row.id,
      after: freezeOf(row),
    });
  });
  return freezeOf(row);
}

export async function updateFreeze(
  ctx: ServerContext,
  id: string,
  patch: FreezePatch,
  source: RequestSource,
): Promise<Freeze> {
  const after = await ctx.database.db.transaction().execute(async (trx) => {
    const before = await repo.findFreezeRow(trx, id);
    if (before === undefined) throw new NotFoundError('The freeze');
    const row = { ...freezeRow(before, patch), updated_at: timestamp(ctx.clock) };
    validateFreeze(domainFreeze(row));
    if (await repo.freezeNameTaken(trx, row.name, id))
      throw new ConflictError(`A freeze named "${row.name}" already exists`);
    await repo.updateFreezeRow(trx, row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.freeze-updated',
      subjectType: 'change-freeze',
      subjectId: id,
      before: freezeOf(before),
      after: freezeOf(row),
    });
    return row;
  });
  return freezeOf(after);
}

export async function deleteFreeze(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const before = await repo.findFreezeRow(trx, id);
    if (before === undefined) throw new NotFoundError('The freeze');
    await repo.deleteFreezeRow(trx, id);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.freeze-deleted',
      subjectType: 'change-freeze',
      subjectId: id,
      before: freezeOf(before),
    });
  });
}

/**
 * The freezes in force over [from, to), each occurrence as a one-off freeze (a recurring
 * freeze gives one per occurrence, all with its id): what `detectConflicts` and
 * `nextFeasibleSlot` take.
 */
export async function freezesBetween(
  database: Database,
  from: Date,
  to: Date,
): Promise<DomainFreeze[]> {
  const freezes = (await repo.listFreezeRows(database.db)).map(domainFreeze);
  return freezes
    .flatMap((f) => freezeOccurrences(f, from, to))
    .map((o) => ({
      id: o.freezeId,
      name: o.name,
      start: o.start,
      end: o.end,
      allowEmergency: o.allowEmergency,
    }))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

// ---- the calendar ----------------------------------------------------------------------------

interface Occurrences {
  readonly windows: ReturnType<typeof windowOccurrences>;
  readonly freezes: ReturnType<typeof freezeOccurrences>;
  readonly changes: readonly CalendarChange[];
  readonly truncated: boolean;
}

const perItemLimit = 2000;

async function occurrences(
  database: Database,
  from: Date,
  to: Date,
  scheduledChanges: ScheduledChanges,
): Promise<Occurrences> {
  const limits = { maxOccurrences: perItemLimit };
  const windowLists = (await repo.listWindowRows(database.db))
    .map(domainWindow)
    .map((w) => windowOccurrences(w, from, to, limits));
  const freezeLists = (await repo.listFreezeRows(database.db))
    .map(domainFreeze)
    .map((f) => freezeOccurrences(f, from, to, limits));
  const byStart = <T extends { start: Date }>(a: T, b: T): number =>
    a.start.getTime() - b.start.getTime();
  return {
    windows: windowLists.flat().sort(byStart),
    freezes: freezeLists.flat().sort(byStart),
    changes: [...(await scheduledChanges(database, from, to))].sort(byStart),
    truncated: [...windowLists, ...freezeLists].some((l) => l.length >= perItemLimit),
  };
}

export async function calendarView(
  ctx: ServerContext,
  query: CalendarQuery,
  scheduledChanges: ScheduledChanges,
): Promise<CalendarView> {
  const from = query.from === undefined ? ctx.clock.now() : new Date(query.from);
  const to = query.to === undefined ? new Date(from.getTime() + 30 * dayMs) : new Date(query.to);
  if (!(to > from))
    throw new ValidationError('"to" must be after "from"', [
      { field: 'querystring.to', message: 'must be after from' },
    ]);
  if (to.getTime() - from.getTime() > maxRangeDays * dayMs)
    throw new ValidationError(`The range may span at most ${maxRangeDays} days`, [
      { field: 'querystring.to', message: `at most ${maxRangeDays} days after from` },
    ]);
  const found = await occurrences(ctx.database, from, to, scheduledChanges);
  const iso = (d: Date): string => d.toISOString();
  return {
    from: iso(from),
    to: iso(to),
    windows: found.windows.map((w) => ({
      ...w,
      start: iso(w.start),
      end: iso(w.end),
      cutoffAt: iso(w.cutoffAt),
    })),
    freezes: found.freezes.map((f) => ({ ...f, start: iso(f.start), end: iso(f.end) })),
    changes: found.changes.map((c) => ({
      id: c.id,
      title: c.title,
      start: iso(c.start),
      end: iso(c.end),
      assetNames: [...c.assetNames],
      state: c.state,
      ...(c.url !== undefined && { url: c.url }),
    })),
    truncated: found.truncated,
  };
}

// ---- the feed --------------------------------------------------------------------------------

/** A new feed token for the caller; the previous one stops working. The secret is shown once. */
export async function createFeedToken(
  ctx: ServerContext,
  userId: string,
  source: RequestSource,
): Promise<FeedToken> {
  const token = `${feedTokenPrefix}${randomBytes(32).toString('base64url')}`;
  const now = timestamp(ctx.clock);
  await ctx.database.db.transaction().execute(async (trx) => {
    const previous = await repo.findFeedTokenOfUser(trx, userId);
    await repo.replaceFeedToken(trx, {
      user_id: userId,
      token_hash: sha256(token),
      created_at: now,
      last_used_at: null,
    });
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action:
        previous === undefined ? 'calendar.feed-token-created' : 'calendar.feed-token-rotated',
      subjectType: 'calendar-feed-token',
      subjectId: userId,
    });
  });
  return { token, path: feedPath(token), createdAt: now };
}

export async function revokeFeedToken(
  ctx: ServerContext,
  userId: string,
  source: RequestSource,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    if ((await repo.deleteFeedToken(trx, userId)) === 0)
      throw new NotFoundError('Your calendar feed token');
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      ...source,
      action: 'calendar.feed-token-revoked',
      subjectType: 'calendar-feed-token',
      subjectId: userId,
    });
  });
}

/**
 * The `.ics` feed for a feed token, or undefined when the token is unknown or its user is
 * disabled or no longer holds `calendar:read` (the route answers the same 404 for each).
 */
export async function feedForToken(
  ctx: ServerContext,
  token: string,
  scheduledChanges: ScheduledChanges,
): Promise<string | undefined> {
  if (!token.startsWith(feedTokenPrefix) || token.length > 200) return undefined;
  const found = await repo.findFeedToken(ctx.database.db, sha256(token));
  // The token reads only what its user may read now: a disabled user's feed ends with them.
  if (found === undefined || !(await userHolds(ctx.database, found.user_id, 'calendar:read')))
    return undefined;
  const now = ctx.clock.now();
  await repo.touchFeedToken(ctx.database.db, found.user_id, now.toISOString());
  const from = new Date(now.getTime() - feedPastDays * dayMs);
  const to = new Date(now.getTime() + feedFutureDays * dayMs);
  const found2 = await occurrences(ctx.database, from, to, scheduledChanges);
  return calendarFeed({
    stamp: now,
    name: 'Patchgate changes',
    windows: found2.windows,
    freezes: found2.freezes,
    changes: found2.changes,
  });
}

// ---- conflicts and the next feasible slot, on demand -----------------------------------------

async function scopeOf(database: Database, selectorText: string): Promise<AssetFacts[]> {
  const parsed = parseSelector(selectorText);
  if (!parsed.ok)
    throw new ValidationError(`The asset selector is not valid: ${parsed.error}`, [
      { field: 'querystring.assets', message: parsed.error },
    ]);
  return (await listAssetFacts(database)).filter((a) => matchesSelector(a, parsed.selector));
}

/** Other changes as busy intervals on asset ids (the calendar's changes name their assets). */
function busyChanges(changes: readonly CalendarChange[], assets: readonly AssetFacts[]) {
  const idOf = new Map(assets.map((a) => [a.name, a.id]));
  return changes.map((c) => ({
    id: c.id,
    title: c.title,
    start: c.start,
    end: c.end,
    assetIds: c.assetNames.flatMap((n) => idOf.get(n) ?? []),
  }));
}

/** The conflicts a change over [start, end) on the selected assets would meet (ADR 0025). */
export async function conflictsFor(
  ctx: ServerContext,
  query: ConflictQuery,
  scheduledChanges: ScheduledChanges,
): Promise<ConflictList> {
  const start = new Date(query.start);
  const end = new Date(query.end);
  if (!(end > start))
    throw new ValidationError('"end" must be after "start"', [
      { field: 'querystring.end', message: 'must be after start' },
    ]);
  if (end.getTime() - start.getTime() > maxRangeDays * dayMs)
    throw new ValidationError(`A change may last at most ${maxRangeDays} days`);
  const assets = await scopeOf(ctx.database, query.assets);
  const all = await listAssetFacts(ctx.database);
  const windows = (await repo.listWindowRows(ctx.database.db)).map(domainWindow);
  const freezes = (await repo.listFreezeRows(ctx.database.db)).map(domainFreeze);
  const others = busyChanges(await scheduledChanges(ctx.database, start, end), all);
  const conflicts = detectConflicts({
    assets,
    windows,
    freezes,
    otherChanges: others,
    change: {
      id: '',
      type: query.type,
      start,
      end,
      approved: query.approved === 'true',
      ...(query.estimatedMinutes !== undefined && { estimatedMinutes: query.estimatedMinutes }),
    },
  });
  return { assets: assets.map((a) => a.name), conflicts };
}

/** The earliest start at which the selected assets are all in a window, unfrozen and free. */
export async function nextSlot(
  ctx: ServerContext,
  query: SlotQuery,
  scheduledChanges: ScheduledChanges,
): Promise<SlotAnswer> {
  const after = query.after === undefined ? ctx.clock.now() : new Date(query.after);
  const assets = await scopeOf(ctx.database, query.assets);
  if (assets.length === 0)
    return { assets: [], start: null, end: null, reason: 'the selector picks no asset' };
  const all = await listAssetFacts(ctx.database);
  const until = new Date(
    after.getTime() + query.horizonDays * dayMs + query.durationMinutes * 60_000,
  );
  const slot = nextFeasibleSlot({
    after,
    durationMinutes: query.durationMinutes,
    horizonDays: query.horizonDays,
    changeType: query.type,
    assets,
    windows: (await repo.listWindowRows(ctx.database.db)).map(domainWindow),
    freezes: (await repo.listFreezeRows(ctx.database.db)).map(domainFreeze),
    otherChanges: busyChanges(await scheduledChanges(ctx.database, after, until), all),
  });
  const names = assets.map((a) => a.name);
  return 'none' in slot
    ? { assets: names, start: null, end: null, reason: slot.none }
    : { assets: names, start: slot.start.toISOString(), end: slot.end.toISOString(), reason: null };
}
