/**
 * The dashboard's figures in one read. Findings are counted with grouped queries over the
 * findings context's table (read only, the columns its list filters on: this context writes
 * nothing); assets, changes, rollouts and agents come through their contexts' public reads.
 */
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { ServerContext } from '../../context.ts';
import { agentsForAssets } from '../agents/index.ts';
import { scheduledChanges } from '../changes/index.ts';
import {
  kevInternetFindings,
  openFindingsByPriorityAndDue,
  overdueFindingsByAsset,
  slaFindingRows,
} from '../findings/index.ts';
import { listAssetFacts } from '../inventory/index.ts';
import { listRollouts, rolloutDetail } from '../rollouts/index.ts';
import type { DueBucket } from './model.ts';
import { addDays, dueBucketOf, slaCompliance, slaTarget, slaWeeks, weekStart } from './model.ts';
import type { Dashboard, FindingsFilter } from './schema.ts';
import { slaDefinition } from './schema.ts';

/** Rollout phases still in progress (every phase but completed, rolled_back, aborted). */
export const runningPhases = [
  'pending',
  'running',
  'baking',
  'awaiting_gate',
  'paused',
  'halted',
  'rolling_back',
] as const;

const hostDoneStates = new Set(['succeeded', 'failed', 'skipped', 'rolled_back']);

/** Which optional parts the caller may see. */
export interface DashboardParts {
  /** changes:read — changes this week and running rollouts. */
  readonly changes: boolean;
  /** agents:read — agents not reporting. */
  readonly agents: boolean;
}

const exact = (query: Record<string, string>): FindingsFilter => ({
  query,
  exact: true,
  note: null,
});
const superset = (query: Record<string, string>, note: string): FindingsFilter => ({
  query,
  exact: false,
  note,
});

/** The list's parameters for one priority's due bucket. */
export function bucketFilter(priority: Priority, bucket: DueBucket): FindingsFilter {
  switch (bucket) {
    case 'overdue':
      return exact({ priority, overdue: 'true' });
    case 'dueSoon':
      return exact({ priority, due: 'soon' });
    case 'later':
      return exact({ priority, due: 'later' });
    case 'noDueDate':
      return exact({ priority, due: 'none' });
  }
}

const toCount = (value: number | string | bigint | null | undefined) => Number(value ?? 0);

export async function dashboard(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  parts: DashboardParts,
): Promise<Dashboard> {
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  const today = nowIso.slice(0, 10);
  const monday = weekStart(today);
  const slaFrom = addDays(monday, -7 * (slaWeeks - 1));

  // Independent reads, in parallel.
  const [byDue, overdueRows, kev, slaRows, assets, changes, rollouts] = await Promise.all([
    openFindingsByPriorityAndDue(ctx.database, nowIso),
    overdueFindingsByAsset(ctx.database, nowIso, today),
    kevInternetFindings(ctx.database, nowIso, 10),
    slaFindingRows(ctx.database, slaFrom),
    listAssetFacts(ctx.database),
    parts.changes
      ? scheduledChanges(
          ctx.database,
          new Date(`${monday}T00:00:00.000Z`),
          new Date(`${addDays(monday, 7)}T00:00:00.000Z`),
        )
      : undefined,
    parts.changes ? runningRollouts(ctx) : undefined,
  ]);

  // Open findings by priority × due status.
  const cells = new Map<string, number>();
  for (const row of byDue) {
    const key = `${row.priority}:${dueBucketOf(row.due_date, today)}`;
    cells.set(key, (cells.get(key) ?? 0) + toCount(row.n));
  }
  const cell = (priority: Priority, bucket: DueBucket) => ({
    count: cells.get(`${priority}:${bucket}`) ?? 0,
    filter: bucketFilter(priority, bucket),
  });
  const byPriority = priorities.map((priority) => {
    const row = {
      overdue: cell(priority, 'overdue'),
      dueSoon: cell(priority, 'dueSoon'),
      later: cell(priority, 'later'),
      noDueDate: cell(priority, 'noDueDate'),
    };
    return {
      priority,
      total: row.overdue.count + row.dueSoon.count + row.later.count + row.noDueDate.count,
      ...row,
      filter: exact({ priority }),
    };
  });
  const open = byPriority.reduce((sum, row) => sum + row.total, 0);

  // Overdue by the asset's owner team (the inventory's `owner`) and by environment.
  const teamOf = new Map(assets.map((a) => [a.id, a.team]));
  const teams = new Map<string | null, { count: number; assets: Set<string> }>();
  const environments = new Map<string | null, number>();
  let overdue = 0;
  for (const row of overdueRows) {
    const n = toCount(row.n);
    overdue += n;
    const team = teamOf.get(row.asset_id) ?? null;
    const entry = teams.get(team) ?? { count: 0, assets: new Set<string>() };
    entry.count += n;
    entry.assets.add(row.asset_name);
    teams.set(team, entry);
    environments.set(row.environment, (environments.get(row.environment) ?? 0) + n);
  }
  const byCount = <T extends { count: number }>(a: T & { key: string }, b: T & { key: string }) =>
    b.count - a.count || a.key.localeCompare(b.key);
  const overdueByTeam = [...teams]
    .map(([team, { count, assets: names }]) => {
      const sorted = [...names].sort();
      return {
        key: team ?? '\uffff',
        team,
        count,
        assets: sorted,
        filter:
          team === null
            ? exact({ overdue: 'true', noOwnerTeam: 'true' })
            : exact({ overdue: 'true', ownerTeam: team }),
        assetsQuery: team === null ? null : { owner: team },
      };
    })
    .sort(byCount)
    .map(({ key: _key, ...rest }) => rest);
  const overdueByEnvironment = [...environments]
    .map(([environment, count]) => ({
      key: environment ?? '\uffff',
      environment,
      count,
      filter: exact({ overdue: 'true', environment: environment ?? 'none' }),
    }))
    .sort(byCount)
    .map(({ key: _key, ...rest }) => rest);

  const sla = slaCompliance(
    slaRows.map((r) => ({
      dueDate: r.due_date,
      state: r.state,
      fixedAt: r.fixed_at,
      triageState: r.triage_state,
      acceptedUntil: r.accepted_until,
    })),
    today,
    nowIso,
  ).map((week) => ({
    ...week,
    filter: superset(
      { status: 'all', dueBefore: week.weekEnd, sort: 'due' },
      'the list cannot filter by fixed date or by "due on or after": it shows every finding due before the week ends, earliest first',
    ),
  }));

  const result: Dashboard = {
    generatedAt: nowIso,
    today,
    findings: {
      open,
      filter: exact({}),
      overdue,
      byPriority,
      overdueByTeam,
      overdueByEnvironment,
      kevInternet: {
        count: kev.count,
        filter: exact({ kev: 'true', exposure: 'internet' }),
        top: kev.top.map((r) => ({
          id: r.id,
          assetId: r.asset_id,
          assetName: r.asset_name,
          advisoryId: r.advisory_id,
          packageName: r.package_name,
          priority: r.priority as Priority,
          dueDate: r.due_date,
          overdue: r.due_date !== null && r.due_date < today,
        })),
      },
      assets: assets.length,
    },
    sla: { target: slaTarget, definition: slaDefinition, weeks: sla },
  };
  if (changes !== undefined) {
    const items = changes.map((c) => {
      // scheduledChanges titles each change "CHG-0042 <title>" (the calendar's label).
      const [, number = '', title = c.title] = /^(\S+) (.*)$/s.exec(c.title) ?? [];
      return {
        id: c.id,
        number,
        title,
        state: c.state ?? '',
        start: c.start.toISOString(),
        end: c.end.toISOString(),
        assets: c.assetIds.length,
      };
    });
    result.changes = {
      weekStart: `${monday}T00:00:00.000Z`,
      weekEnd: `${addDays(monday, 7)}T00:00:00.000Z`,
      count: items.length,
      items,
    };
  }
  if (rollouts !== undefined) result.rollouts = { count: rollouts.length, items: rollouts };
  if (parts.agents) {
    const agents = await agentsForAssets(
      ctx.database,
      assets.map((a) => a.id),
      ctx.clock,
    );
    const all = [...agents.values()];
    result.agents = {
      total: all.length,
      notReporting: all
        .filter((a) => !a.online)
        .sort(
          (a, b) =>
            (a.lastSeenAt ?? '').localeCompare(b.lastSeenAt ?? '') || a.name.localeCompare(b.name),
        )
        .map((a) => ({
          agentId: a.agentId,
          assetId: a.assetId,
          name: a.name,
          lastSeenAt: a.lastSeenAt,
        })),
    };
  }
  return result;
}

/** Rollouts in progress (not dry runs), newest first, at most 20, with their host progress. */
async function runningRollouts(ctx: Pick<ServerContext, 'database'>) {
  const db = ctx.database.db;
  const lists = await Promise.all(
    runningPhases.map((phase) => listRollouts(db, { phase, dryRun: false, limit: 20 })),
  );
  const summaries = lists
    .flatMap((l) => l.rollouts)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .slice(0, 20);
  const details = await Promise.all(summaries.map((s) => rolloutDetail(db, s.id)));
  return summaries.map((s, i) => {
    const hosts = (details[i]?.waves ?? []).flatMap((w) => w.hosts);
    const done = hosts.filter((h) => hostDoneStates.has(h.state)).length;
    return {
      id: s.id,
      changeId: s.change.id,
      changeNumber: s.change.number,
      changeTitle: s.change.title,
      phase: s.phase,
      currentWave: s.currentWave,
      hostsDone: done,
      hostsTotal: hosts.length,
      progress: hosts.length === 0 ? 0 : done / hosts.length,
      startedAt: s.startedAt,
    };
  });
}
