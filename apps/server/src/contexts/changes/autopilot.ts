/**
 * Autopilot rules (docs/adr/0032-autopilot-rules.md): rules that create changes by themselves.
 * Each run reads the findings or available updates its selection names (through the findings
 * and inventory contexts' public reads), plans with @patchgate/changes' `planAutopilotRun`
 * (one change per maintenance window and asset group, cool-down, KEV bypass, idempotence) and
 * creates the changes through the changes context's `createChange`, as the system acting for
 * the rule, with the reason; then, as far as the rule's stage says, submits each and schedules
 * it at its next feasible slot (the API's submit and next-slot). A rule whose change fails or is rolled back pauses itself until
 * someone resumes it. Every state change is audited in its transaction.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  AutopilotCandidate,
  AutopilotPlan,
  AutopilotRule as PlannerRule,
  AutopilotRuleInput,
  AutopilotSchedule,
  AutopilotStage,
  CandidateWindow,
  PlannedChange,
} from '@patchgate/changes';
import { AutopilotRuleDefinition, isRuleDue, planAutopilotRun } from '@patchgate/changes';
import type { AssetFacts } from '@patchgate/model';
import { matchesSelector } from '@patchgate/model';
import { compareVersions, schemeForEcosystem } from '@patchgate/versioning';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { Transaction } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import { advisoryDates } from '../advisories/index.ts';
import type { AuditActor, RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import { workQueueFindings } from '../findings/index.ts';
import { availableUpdatesOf, listAssetFacts } from '../inventory/index.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType, enqueueTyped } from '../jobs/index.ts';
import type { Executor } from './autopilot-repository.ts';
import {
  coveredItems,
  deleteRuleRow,
  findRule,
  findRun,
  insertChangeItems,
  insertRule,
  insertRun,
  listRuleRows,
  listRunRows,
  nameTaken,
  setChangeState,
  sightingKey,
  sightings,
  updateRule,
  updateRun,
} from './autopilot-repository.ts';
import type { AutopilotRule, AutopilotRun, AutopilotRunList } from './autopilot-schema.ts';
import type { AutopilotRuleTable, AutopilotRunTable } from './autopilot-tables.ts';

/** What the autopilot asks the changes context to create: one planned change. */
export interface AutopilotChangeRequest {
  readonly title: string;
  /** Which rule made it and why (the change's description). */
  readonly reason: string;
  readonly type: PlannedChange['type'];
  readonly template: string | null;
  readonly assetIds: readonly string[];
  readonly findingIds: readonly string[];
  readonly patches: PlannedChange['patches'];
  /** Deployment rings as day offsets (+0/+3/+7). */
  readonly rings: readonly number[];
  /** The window the group shares, when the calendar knows one. */
  readonly windowId: string | null;
  readonly ruleId: string;
}

/** What a run asks after creating a change: carry it to the rule's stage. */
export interface AutopilotAdvanceRequest {
  readonly changeId: string;
  readonly stage: AutopilotStage;
  /** No start before this: now plus the rule's first ring offset. */
  readonly earliest: Date;
  /** The maintenance window the group shares; none: the change is not scheduled. */
  readonly window: { readonly id: string; readonly name: string } | null;
  readonly ruleName: string;
  readonly actor: AuditActor;
  readonly rule: { readonly id: string; readonly reason: string };
}

/** Where the change ended: its state, its schedule, and why it stopped short of the stage. */
export interface AutopilotAdvance {
  readonly state: string;
  readonly schedule: { readonly start: string; readonly end: string } | null;
  readonly note: string | null;
}

/**
 * The ports a run needs, wired by the composition root: the changes context's `createChange`
 * (adapted to a planned change), its submit and schedule (`advance`; without it the changes
 * stay drafts) and the calendar's windows of assets. Without a calendar every asset is "in no
 * window yet" and groups by asset group only.
 */
export interface AutopilotDeps {
  readonly createChange: (
    ctx: Pick<ServerContext, 'database' | 'clock'>,
    request: AutopilotChangeRequest,
    actor: AuditActor,
  ) => Promise<{ readonly id: string; readonly number: string; readonly state: string }>;
  readonly advance?: (
    ctx: Pick<ServerContext, 'database' | 'clock'>,
    request: AutopilotAdvanceRequest,
  ) => Promise<AutopilotAdvance>;
  readonly windowsOf?: (
    database: Database,
    assets: readonly AssetFacts[],
    now: Date,
  ) => Promise<Map<string, CandidateWindow | null>>;
}

/** The autopilot's job types. */
export const autopilotJobs = {
  /** Hourly: run every rule not paused whose own schedule (nightly/weekly/monthly) is due. */
  runDue: defineJobType('autopilot.run-due', z.object({})),
  /** One run (run-now), recorded in autopilot_runs under this id. */
  run: defineJobType('autopilot.run', z.object({ runId: z.string().min(1) })),
  /** A change's state changed: keep the covered items' state, pause the rule on failure. */
  changeStateChanged: defineJobType(
    'autopilot.change-state-changed',
    z.object({ changeId: z.string().min(1), to: z.string().min(1), reason: z.string().optional() }),
  ),
} as const;

/** How often the due-rules job fires (a job_schedules row main.ts keeps). */
export const autopilotIntervalSeconds = 3600;

/** The actor a rule's changes are made by: the system, naming the rule. */
export function autopilotActor(rule: { readonly id: string; readonly name: string }): AuditActor {
  return { type: 'system', id: null, name: `autopilot rule ${rule.name} (${rule.id})` };
}

/**
 * When a rule is next due on its schedule: the start of the UTC period (hour, day, ISO week from
 * Monday, month) after the one it last ran in, as `isRuleDue` counts periods; a rule that has
 * not run on its schedule yet is due from its creation.
 */
export function nextDueAt(
  schedule: AutopilotSchedule,
  lastRunAt: string | null,
  createdAt: string,
): string {
  if (lastRunAt === null) return createdAt;
  const last = new Date(lastRunAt);
  const [year, month, day, hour] = [
    last.getUTCFullYear(),
    last.getUTCMonth(),
    last.getUTCDate(),
    last.getUTCHours(),
  ];
  switch (schedule) {
    case 'hourly':
      return new Date(Date.UTC(year, month, day, hour + 1)).toISOString();
    case 'nightly':
      return new Date(Date.UTC(year, month, day + 1)).toISOString();
    case 'weekly': {
      const sinceMonday = (last.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(year, month, day - sinceMonday + 7)).toISOString();
    }
    case 'monthly':
      return new Date(Date.UTC(year, month + 1, 1)).toISOString();
  }
}

function ruleOf(row: AutopilotRuleTable): AutopilotRule {
  const definition = AutopilotRuleDefinition.parse(JSON.parse(row.definition_json));
  return {
    id: row.id,
    definition,
    paused: row.paused === 1,
    pausedReason: row.paused_reason,
    pausedAt: row.paused_at,
    lastRunAt: row.last_run_at,
    nextRunAt:
      row.paused === 1 ? null : nextDueAt(definition.schedule, row.last_run_at, row.created_at),
    lastChangeId: row.last_change_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function runOf(row: AutopilotRunTable): AutopilotRun {
  return {
    id: row.id,
    ruleId: row.rule_id,
    trigger: row.trigger as AutopilotRun['trigger'],
    requestedBy: row.requested_by,
    state: row.state as AutopilotRun['state'],
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    // Runs recorded before rules submitted and scheduled their changes left drafts.
    createdChanges: (
      JSON.parse(row.created_changes_json) as (Omit<
        AutopilotRun['createdChanges'][number],
        'state' | 'schedule' | 'note'
      > &
        Partial<AutopilotRun['createdChanges'][number]>)[]
    ).map((c) => ({
      ...c,
      state: c.state ?? 'draft',
      schedule: c.schedule ?? null,
      note: c.note ?? null,
    })),
    heldBack: JSON.parse(row.held_back_json) as AutopilotRun['heldBack'],
    skipped: JSON.parse(row.skipped_json) as AutopilotRun['skipped'],
    error: row.error,
  };
}

async function requireRule(db: Executor, ref: string): Promise<AutopilotRuleTable> {
  const row = await findRule(db, ref);
  if (row === undefined) throw new NotFoundError(`Autopilot rule ${ref}`);
  return row;
}

function parseDefinition(input: unknown) {
  const parsed = AutopilotRuleDefinition.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(
      'The autopilot rule is not valid',
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })),
    );
  return parsed.data;
}

export async function listRules(ctx: Pick<ServerContext, 'database'>): Promise<AutopilotRule[]> {
  return (await listRuleRows(ctx.database.db)).map(ruleOf);
}

export async function getRule(
  ctx: Pick<ServerContext, 'database'>,
  ref: string,
): Promise<AutopilotRule> {
  return ruleOf(await requireRule(ctx.database.db, ref));
}

export async function createRule(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  input: AutopilotRuleInput,
): Promise<AutopilotRule> {
  const definition = parseDefinition(input);
  const { database, clock } = ctx;
  const now = timestamp(clock);
  return database.db.transaction().execute(async (trx) => {
    if (await nameTaken(trx, definition.name))
      throw new ConflictError(`An autopilot rule named ${definition.name} already exists`);
    const row: AutopilotRuleTable = {
      id: randomUUID(),
      name: definition.name,
      definition_json: JSON.stringify(definition),
      paused: 0,
      paused_reason: null,
      paused_at: null,
      last_run_at: null,
      last_change_id: null,
      created_by: source.actor.id,
      created_at: now,
      updated_at: now,
    };
    await insertRule(trx, row);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'autopilot.rule-created',
      subjectType: 'autopilot_rule',
      subjectId: row.id,
      after: definition,
    });
    return ruleOf(row);
  });
}

export async function replaceRule(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  ref: string,
  input: AutopilotRuleInput,
): Promise<AutopilotRule> {
  const definition = parseDefinition(input);
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const before = await requireRule(trx, ref);
    if (await nameTaken(trx, definition.name, before.id))
      throw new ConflictError(`An autopilot rule named ${definition.name} already exists`);
    const after = await updateRule(trx, before.id, {
      name: definition.name,
      definition_json: JSON.stringify(definition),
      updated_at: timestamp(clock),
    });
    if (after === undefined) throw new NotFoundError(`Autopilot rule ${ref}`);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'autopilot.rule-updated',
      subjectType: 'autopilot_rule',
      subjectId: before.id,
      before: JSON.parse(before.definition_json) as unknown,
      after: definition,
    });
    return ruleOf(after);
  });
}

export async function deleteRule(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  ref: string,
): Promise<void> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const before = await requireRule(trx, ref);
    await deleteRuleRow(trx, before.id);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'autopilot.rule-deleted',
      subjectType: 'autopilot_rule',
      subjectId: before.id,
      before: JSON.parse(before.definition_json) as unknown,
    });
  });
}

/** Pause a rule by someone; pausing a paused rule is a 409. */
export async function pauseRule(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  ref: string,
  reason: string,
): Promise<AutopilotRule> {
  return ctx.database.db
    .transaction()
    .execute(async (trx) => pauseIn(trx, ctx, source, await requireRule(trx, ref), reason));
}

async function pauseIn(
  trx: Transaction<DatabaseSchema>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  before: AutopilotRuleTable,
  reason: string,
): Promise<AutopilotRule> {
  const { database, clock } = ctx;
  if (before.paused === 1)
    throw new ConflictError(
      `Autopilot rule ${before.name} is already paused: ${before.paused_reason ?? ''}`,
    );
  const now = timestamp(clock);
  const after = await updateRule(trx, before.id, {
    paused: 1,
    paused_reason: reason,
    paused_at: now,
    updated_at: now,
  });
  if (after === undefined) throw new NotFoundError(`Autopilot rule ${before.id}`);
  await appendAuditEvent(trx, database.dialect, clock, {
    ...source,
    action: 'autopilot.rule-paused',
    subjectType: 'autopilot_rule',
    subjectId: before.id,
    before: { paused: false },
    after: { paused: true, reason },
  });
  return ruleOf(after);
}

export async function resumeRule(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  ref: string,
  reason: string | undefined,
): Promise<AutopilotRule> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const before = await requireRule(trx, ref);
    if (before.paused === 0) throw new ConflictError(`Autopilot rule ${before.name} is not paused`);
    const after = await updateRule(trx, before.id, {
      paused: 0,
      paused_reason: null,
      paused_at: null,
      updated_at: timestamp(clock),
    });
    if (after === undefined) throw new NotFoundError(`Autopilot rule ${ref}`);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'autopilot.rule-resumed',
      subjectType: 'autopilot_rule',
      subjectId: before.id,
      before: { paused: true, reason: before.paused_reason },
      after: { paused: false, ...(reason !== undefined && { reason }) },
    });
    return ruleOf(after);
  });
}

function newRunRow(
  ruleId: string,
  trigger: 'schedule' | 'manual',
  requestedBy: string | null,
  now: string,
): AutopilotRunTable {
  return {
    id: randomUUID(),
    rule_id: ruleId,
    trigger,
    requested_by: requestedBy,
    state: 'queued',
    created_at: now,
    started_at: null,
    finished_at: null,
    created_changes_json: '[]',
    held_back_json: '[]',
    skipped_json: '[]',
    error: null,
  };
}

/** Run-now: a queued run and its job, in one transaction (audited); the run records the result. */
export async function requestRun(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  source: RequestSource,
  ref: string,
): Promise<AutopilotRun> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const rule = await requireRule(trx, ref);
    if (rule.paused === 1)
      throw new ConflictError(
        `Autopilot rule ${rule.name} is paused (${rule.paused_reason ?? 'no reason given'}); resume it first`,
      );
    const row = newRunRow(rule.id, 'manual', source.actor.id, timestamp(clock));
    await insertRun(trx, row);
    await enqueueTyped(
      trx,
      clock,
      autopilotJobs.run,
      { runId: row.id },
      {
        createdBy: source.actor.id,
        maxAttempts: 1,
      },
    );
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'autopilot.run-requested',
      subjectType: 'autopilot_rule',
      subjectId: rule.id,
      after: { runId: row.id },
    });
    return runOf(row);
  });
}

export async function getRun(
  ctx: Pick<ServerContext, 'database'>,
  id: string,
): Promise<AutopilotRun> {
  const row = await findRun(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Autopilot run ${id}`);
  return runOf(row);
}

export async function listRuns(
  ctx: Pick<ServerContext, 'database'>,
  query: { readonly rule?: string | undefined; readonly limit: number },
): Promise<AutopilotRunList> {
  const ruleId =
    query.rule === undefined ? undefined : (await requireRule(ctx.database.db, query.rule)).id;
  return { runs: (await listRunRows(ctx.database.db, ruleId, query.limit)).map(runOf) };
}

const itemKeyOf = (candidate: {
  kind: 'finding' | 'update';
  id: string;
  assetId: string;
  packageName: string;
}) =>
  candidate.kind === 'finding'
    ? `finding:${candidate.id}`
    : `update:${candidate.assetId}:${candidate.packageName}`;

/** The lowest fixed version above the installed one (the ecosystem's order), else the lowest. */
function targetVersionOf(ecosystem: string, installed: string, fixed: readonly string[]) {
  if (fixed.length === 0) return null;
  const scheme = schemeForEcosystem(ecosystem);
  if (scheme === undefined) return fixed[0] ?? null;
  const ordered = [...fixed].sort((a, b) => {
    try {
      return compareVersions(scheme, a, b);
    } catch {
      return a.localeCompare(b);
    }
  });
  const above = ordered.find((v) => {
    try {
      return compareVersions(scheme, v, installed) > 0;
    } catch {
      return false;
    }
  });
  return above ?? ordered[ordered.length - 1] ?? null;
}

/**
 * What the rule could act on now, as planner candidates. Release dates: a finding's fixed
 * version dates from its advisory's publication (its last modification when unpublished); an
 * update's from when Patchgate first saw that package version offered (the report's taken-at,
 * never later than now). Both are no earlier than the real release, so a cool-down measured
 * from them is never shorter than intended (ADR 0032).
 */
export async function gatherCandidates(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  deps: Pick<AutopilotDeps, 'windowsOf'>,
  rule: PlannerRule,
): Promise<AutopilotCandidate[]> {
  const { database, clock } = ctx;
  const now = timestamp(clock);
  const assets = (await listAssetFacts(database)).filter((a) => matchesSelector(a, rule.scope));
  if (assets.length === 0) return [];
  const byId = new Map(assets.map((a) => [a.id, a]));
  const windows =
    (await deps.windowsOf?.(database, assets, clock.now())) ?? new Map<string, null>();
  const covered = await coveredItems(database.db);
  // Covered: the finding is linked to an open change, or an open change patches its package
  // on its asset (a change made by hand counts as much as one a rule made).
  const base = (assetId: string, packageName: string, kind: 'finding' | 'update', id: string) => ({
    asset: byId.get(assetId)!,
    window: windows.get(assetId) ?? null,
    packageName,
    coveredBy:
      (kind === 'finding' ? covered.get(`finding:${id}`) : undefined) ??
      covered.get(`package:${assetId}:${packageName}`) ??
      null,
  });

  if (rule.selection.kind === 'findings') {
    const findings = (
      await workQueueFindings(database, now, {
        priorities: rule.selection.priorities,
        kevOnly: rule.selection.kevOnly,
      })
    ).filter((f) => byId.has(f.assetId));
    const dates = await advisoryDates(
      database,
      findings.map((f) => f.advisoryId),
    );
    return findings.map((f): AutopilotCandidate => {
      const date = dates.get(f.advisoryId);
      return {
        kind: 'finding',
        id: f.id,
        ...base(f.assetId, f.packageName, 'finding', f.id),
        installedVersion: f.installedVersion,
        targetVersion: targetVersionOf(f.ecosystem, f.installedVersion, f.fixedVersions),
        releasedAt: date?.published ?? date?.modified ?? null,
        releasedAtSource:
          date?.published != null
            ? `advisory ${f.advisoryId} published`
            : `advisory ${f.advisoryId} last modified`,
        advisoryId: f.advisoryId,
        priority: f.priority as 'P1',
        kev: f.kev,
        policyId: f.policyId,
        policyRuleId: f.policyRuleId,
      };
    });
  }

  const updates = await availableUpdatesOf(database, [...byId.keys()]);
  const seen = await sightings(
    database.db,
    updates.map((u) => ({
      packageName: u.name,
      version: u.candidateVersion,
      at: u.reportedAt < now ? u.reportedAt : now,
    })),
  );
  return updates.map((u): AutopilotCandidate => {
    const id = `${u.assetId}:${u.name}:${u.candidateVersion}`;
    return {
      kind: 'update',
      id,
      ...base(u.assetId, u.name, 'update', id),
      installedVersion: u.installedVersion,
      targetVersion: u.candidateVersion,
      releasedAt: seen.get(sightingKey(u.name, u.candidateVersion)) ?? null,
      releasedAtSource: 'first reported available',
      security: u.security,
    };
  });
}

function plannerRule(row: AutopilotRuleTable): PlannerRule {
  return {
    ...AutopilotRuleDefinition.parse(JSON.parse(row.definition_json)),
    id: row.id,
    paused: row.paused === 1,
  };
}

/**
 * Create one planned change and record what it covers, audited as the rule's doing; then carry
 * it to the rule's stage (submitted, scheduled), each step audited by the changes context as
 * the system acting for the rule. A refusal there is the change's note, not the run's failure.
 */
async function createOne(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  deps: AutopilotDeps,
  runId: string,
  rule: PlannerRule,
  actor: AuditActor,
  change: PlannedChange,
): Promise<AutopilotRun['createdChanges'][number]> {
  const { database, clock } = ctx;
  const made = await deps.createChange(
    ctx,
    {
      title: change.title,
      reason: change.reason,
      type: change.type,
      template: change.template,
      assetIds: change.assets.map((a) => a.id),
      findingIds: change.findingIds,
      patches: change.patches,
      rings: change.rings,
      windowId: change.window?.id ?? null,
      ruleId: rule.id,
    },
    actor,
  );
  const now = timestamp(clock);
  await database.db.transaction().execute(async (trx) => {
    await insertChangeItems(
      trx,
      change.items.map((item) => ({
        change_id: made.id,
        item_key: itemKeyOf(item),
        rule_id: rule.id,
        change_state: made.state,
        created_at: now,
      })),
    );
    await updateRule(trx, rule.id, { last_change_id: made.id });
    await appendAuditEvent(trx, database.dialect, clock, {
      actor,
      action: 'autopilot.change-created',
      subjectType: 'autopilot_rule',
      subjectId: rule.id,
      after: { runId, changeId: made.id, groupKey: change.groupKey, reason: change.reason },
    });
  });
  const advanced = (await deps.advance?.(ctx, {
    changeId: made.id,
    stage: rule.stage,
    earliest: new Date(clock.now().getTime() + (rule.rings[0] ?? 0) * 86_400_000),
    window: change.window === null ? null : { id: change.window.id, name: change.window.name },
    ruleName: rule.name,
    actor,
    rule: { id: rule.id, reason: change.reason },
  })) ?? { state: made.state, schedule: null, note: null };
  return {
    changeId: made.id,
    number: made.number,
    groupKey: change.groupKey,
    title: change.title,
    reason: change.reason,
    items: [...change.items],
    state: advanced.state,
    schedule: advanced.schedule,
    note: advanced.note,
  };
}

/**
 * Execute a queued run: plan, create each change, record what each carries, finish the run.
 * A run already claimed (a retried job) is returned as it is: runs never repeat.
 */
export async function executeRun(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  deps: AutopilotDeps,
  runId: string,
): Promise<AutopilotRun> {
  const { database, clock } = ctx;
  const claimed = await updateRun(
    database.db,
    runId,
    { state: 'running', started_at: timestamp(clock) },
    'queued',
  );
  if (claimed === undefined) return getRun(ctx, runId);
  const created: AutopilotRun['createdChanges'] = [];
  let plan: AutopilotPlan | undefined;
  let error: string | null = null;
  let ruleRow: AutopilotRuleTable | undefined;
  try {
    ruleRow = await requireRule(database.db, claimed.rule_id);
    const rule = plannerRule(ruleRow);
    const candidates = await gatherCandidates(ctx, deps, rule);
    plan = planAutopilotRun(rule, candidates, clock.now());
    const actor = autopilotActor(rule);
    const failures: string[] = [];
    for (const change of plan.changes) {
      // One group the changes context refuses (a template's criteria, a package no longer
      // installed) does not stop the others; the run fails and says which and why.
      try {
        created.push(await createOne(ctx, deps, runId, rule, actor, change));
      } catch (caught) {
        failures.push(
          `${change.title}: ${caught instanceof Error ? caught.message : String(caught)}`,
        );
      }
    }
    if (failures.length > 0) error = failures.join('; ');
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  const finished = await database.db.transaction().execute(async (trx) => {
    const row = await updateRun(trx, runId, {
      state: error === null ? 'succeeded' : 'failed',
      finished_at: timestamp(clock),
      created_changes_json: JSON.stringify(created),
      held_back_json: JSON.stringify(plan?.heldBack ?? []),
      skipped_json: JSON.stringify(plan?.skipped ?? []),
      error,
    });
    await appendAuditEvent(trx, database.dialect, clock, {
      actor:
        ruleRow === undefined
          ? autopilotActor({ id: claimed.rule_id, name: '?' })
          : autopilotActor(ruleRow),
      action: error === null ? 'autopilot.run-succeeded' : 'autopilot.run-failed',
      subjectType: 'autopilot_rule',
      subjectId: claimed.rule_id,
      after: {
        runId,
        createdChangeIds: created.map((c) => c.changeId),
        heldBack: plan?.heldBack.length ?? 0,
        skipped: plan?.skipped.length ?? 0,
        ...(error !== null && { error }),
      },
    });
    return row;
  });
  if (finished === undefined) throw new NotFoundError(`Autopilot run ${runId}`);
  return runOf(finished);
}

/**
 * The hourly job: every rule not paused whose schedule is due gets a run, executed here one
 * after the other. `last_run_at` moves when the run is created, so a crash mid-run does not
 * make the same period run twice (the next period runs again; covered items are skipped).
 */
export async function runDueRules(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  deps: AutopilotDeps,
): Promise<{ readonly runs: readonly string[] }> {
  const { database, clock } = ctx;
  const runs: string[] = [];
  for (const row of await listRuleRows(database.db)) {
    if (row.paused === 1) continue;
    const rule = plannerRule(row);
    if (!isRuleDue(rule.schedule, row.last_run_at, clock.now())) continue;
    const now = timestamp(clock);
    const run = newRunRow(row.id, 'schedule', null, now);
    await database.db.transaction().execute(async (trx) => {
      await insertRun(trx, run);
      await updateRule(trx, row.id, { last_run_at: now });
    });
    await executeRun(ctx, deps, run.id);
    runs.push(run.id);
  }
  return { runs };
}

/** States after which a rule stops itself: its last change did not go through. */
export const failedChangeStates = ['failed', 'rolled_back'];

/**
 * A change moved: record its state on the items it covers (so they are free again once it
 * ends), and when an autopilot change failed or was rolled back, pause its rule with the
 * reason (audited, by the system), unless it is paused already.
 */
export async function onChangeStateChanged(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  event: { readonly changeId: string; readonly to: string; readonly reason?: string | undefined },
): Promise<{ readonly ruleId: string | null; readonly paused: boolean }> {
  const { database } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const ruleId = await setChangeState(trx, event.changeId, event.to);
    if (ruleId === undefined || !failedChangeStates.includes(event.to))
      return { ruleId: ruleId ?? null, paused: false };
    const rule = await findRule(trx, ruleId);
    if (rule === undefined || rule.paused === 1) return { ruleId, paused: false };
    const verb = event.to === 'failed' ? 'failed' : 'was rolled back';
    await pauseIn(
      trx,
      ctx,
      { actor: autopilotActor(rule) },
      rule,
      `change ${event.changeId} ${verb}${event.reason === undefined ? '' : `: ${event.reason}`}; resume the rule once it is understood`,
    );
    return { ruleId, paused: true };
  });
}

/** Register the autopilot's jobs on a runner. */
export function registerAutopilotJobs(
  runner: Pick<JobRunner, 'handle'>,
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  deps: AutopilotDeps,
): void {
  runner.handle(autopilotJobs.runDue, () => runDueRules(ctx, deps));
  runner.handle(autopilotJobs.run, async (job) => {
    const run = await executeRun(ctx, deps, job.payload.runId);
    return { runId: run.id, state: run.state, created: run.createdChanges.length };
  });
  runner.handle(autopilotJobs.changeStateChanged, (job) => onChangeStateChanged(ctx, job.payload));
}
