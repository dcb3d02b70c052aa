/**
 * The drill-down: the rows a figure counts, from the same classification the figure is computed
 * from (compute.ts `classify`), so a figure and its rows never disagree. Every figure of a
 * `MetricSet` has its rows: a count lists what it counts, a ratio what its denominator counts
 * (with the numerator's mark on each row), a duration the rows it averages (with their days).
 */
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { AgeBucketName, Classified, DurationRow, SlaBreakdown, SlaRow } from './compute.ts';
import {
  ageBucket,
  ageBucketNames,
  changeOutcomes,
  changeTypeNames,
  isHostFailure,
  keysOf,
} from './compute.ts';
import type { FindingFact } from './inputs.ts';

export type MetricRowKind =
  'findings' | 'changes' | 'assets' | 'exceptions' | 'agents' | 'advisories';
export type MetricRow = Readonly<Record<string, string | number | boolean | null>>;

export interface MetricRowSet {
  readonly kind: MetricRowKind;
  readonly rows: readonly MetricRow[];
}

/** A figure the drill-down knows, and the keys it takes (undefined: no key; empty: any key). */
interface Drill {
  readonly keys?: readonly string[] | 'any';
  /** A key is required (keyed figures). */
  readonly keyRequired?: boolean;
  readonly rows: (k: Classified, key: string | undefined) => MetricRowSet;
}

const priorityKeys: readonly string[] = priorities;
const durationKeys: readonly string[] = [...priorities, 'all'];

function findingRow(
  f: FindingFact,
  extra: Record<string, string | number | boolean | null> = {},
): MetricRow {
  return {
    id: f.id,
    assetId: f.assetId,
    assetName: f.assetName,
    advisoryId: f.advisoryId,
    packageName: f.packageName,
    priority: f.priority,
    dueDate: f.dueDate,
    state: f.state,
    firstSeenAt: f.firstSeenAt,
    fixedAt: f.fixedAt,
    triageState: f.triageState,
    kev: f.kev,
    exposure: f.exposure,
    team: f.team,
    environment: f.environment,
    groups: f.groups.join(', '),
    policy: f.policy,
    ...extra,
  };
}

const findings = (rows: MetricRow[]): MetricRowSet => ({ kind: 'findings', rows });

function slaRows(rows: readonly SlaRow[]): MetricRowSet {
  return findings(
    rows.map((r) => findingRow(r.finding, { slaMet: r.met, decidedBy: r.decidedBy })),
  );
}

const keyedSlaDrill = (by: SlaBreakdown): Drill => ({
  keys: 'any',
  keyRequired: true,
  rows: (k, key) => slaRows(k.sla.filter((r) => keysOf(r.finding, by).includes(key ?? ''))),
});

function durationDrill(pick: (k: Classified) => readonly DurationRow[], daysName: string): Drill {
  return {
    keys: durationKeys,
    rows: (k, key) =>
      findings(
        pick(k)
          .filter((r) => key === undefined || key === 'all' || r.finding.priority === key)
          .map((r) => findingRow(r.finding, { [daysName]: r.days, triageAt: r.finding.triageAt })),
      ),
  };
}

const openRows = (k: Classified, keep: (o: Classified['open'][number]) => boolean) =>
  findings(
    k.open
      .filter(keep)
      .map((o) => findingRow(o.finding, { ageDays: o.ageDays, overdue: o.overdue })),
  );

function exceptionRows(
  rows: readonly { exception: Classified['pendingExceptions'][number]; ageDays?: number }[],
): MetricRowSet {
  return {
    kind: 'exceptions',
    rows: rows.map(({ exception: e, ageDays }) => ({
      id: e.id,
      findingId: e.findingId,
      assetId: e.assetId,
      advisoryId: e.advisoryId,
      owner: e.owner,
      state: e.state,
      requestedAt: e.requestedAt,
      decidedAt: e.decidedAt,
      expiresAt: e.expiresAt,
      closedAt: e.closedAt,
      ...(ageDays !== undefined && { ageDays }),
    })),
  };
}

function changeRows(
  k: Classified,
  keep: (c: Classified['closedChanges'][number]) => boolean,
): MetricRowSet {
  return {
    kind: 'changes',
    rows: k.closedChanges.filter(keep).map((c) => ({
      id: c.change.id,
      number: c.change.number,
      title: c.change.title,
      type: c.change.type,
      outcome: c.outcome,
      closedAt: c.closedAt,
    })),
  };
}

function rolloutRows(
  k: Classified,
  keep: (r: Classified['rollouts'][number]) => boolean,
): MetricRowSet {
  return {
    kind: 'changes',
    rows: k.rollouts.filter(keep).map((r) => ({
      id: r.rollout.changeId,
      number: r.rollout.changeNumber,
      rolloutId: r.rollout.rolloutId,
      outcome: r.rollout.outcome,
      plannedStart: r.rollout.plannedStart,
      plannedEnd: r.rollout.plannedEnd,
      actualStart: r.rollout.actualStart,
      actualEnd: r.rollout.actualEnd,
      plannedMinutes: r.plannedMinutes,
      actualMinutes: r.actualMinutes,
      overrunMinutes: r.overrunMinutes,
    })),
  };
}

function assetRows(
  k: Classified,
  keep: (a: Classified['assets'][number]) => boolean,
): MetricRowSet {
  return {
    kind: 'assets',
    rows: k.assets.filter(keep).map((a) => ({
      id: a.asset.id,
      name: a.asset.name,
      team: a.asset.team,
      environment: a.asset.environment,
      groups: a.asset.groups.join(', '),
      lastReportAt: a.asset.lastReportAt,
      reporting: a.reporting,
      hasWindow: a.asset.hasWindow,
    })),
  };
}

const changeSetDrill: Drill = { rows: (k) => changeRows(k, (c) => c.outcome !== 'cancelled') };

/** Every figure of a MetricSet, by its path. */
const drills: Readonly<Record<string, Drill>> = {
  'remediation.openFindings': { rows: (k) => openRows(k, () => true) },
  'remediation.openByPriority': {
    keys: priorityKeys,
    keyRequired: true,
    rows: (k, key) => openRows(k, (o) => o.finding.priority === key),
  },
  'remediation.openByAge': {
    keys: ageBucketNames,
    keyRequired: true,
    rows: (k, key) => openRows(k, (o) => ageBucket(o.ageDays) === (key as AgeBucketName)),
  },
  'remediation.overdueFindings': { rows: (k) => openRows(k, (o) => o.overdue) },
  'remediation.overdueByPriority': {
    keys: priorityKeys,
    keyRequired: true,
    rows: (k, key) => openRows(k, (o) => o.overdue && o.finding.priority === key),
  },
  'remediation.kevOpen': { rows: (k) => openRows(k, (o) => o.finding.kev) },
  'remediation.kevInternetFacing': {
    rows: (k) => openRows(k, (o) => o.finding.kev && o.finding.exposure === 'internet'),
  },
  'remediation.slaCompliance': { rows: (k) => slaRows(k.sla) },
  'remediation.slaComplianceByPriority': {
    keys: priorityKeys,
    keyRequired: true,
    rows: (k, key) => slaRows(k.sla.filter((r) => r.finding.priority === (key as Priority))),
  },
  'remediation.slaComplianceByPolicy': keyedSlaDrill('policy'),
  'remediation.slaComplianceByTeam': keyedSlaDrill('team'),
  'remediation.slaComplianceByEnvironment': keyedSlaDrill('environment'),
  'remediation.slaComplianceByAssetGroup': keyedSlaDrill('assetGroup'),
  'remediation.timeToTriageDays': durationDrill((k) => k.triaged, 'days'),
  'remediation.timeToRemediateDays': durationDrill((k) => k.remediated, 'days'),
  'remediation.patchLatencyDays': {
    rows: (k) => ({
      kind: 'advisories',
      rows: k.latency.map((r) => ({
        id: r.advisoryId,
        publishedAt: r.publishedAt,
        lastFixedAt: r.lastFixedAt,
        findings: r.findings,
        days: r.days,
      })),
    }),
  },
  'remediation.exceptions.active': { rows: (k) => exceptionRows(k.activeExceptions) },
  'remediation.exceptions.expiringWithin30Days': {
    rows: (k) => exceptionRows(k.expiringExceptions),
  },
  'remediation.exceptions.requestedPending': {
    rows: (k) => exceptionRows(k.pendingExceptions.map((exception) => ({ exception }))),
  },
  'remediation.exceptions.ageing': {
    keys: ageBucketNames,
    keyRequired: true,
    rows: (k, key) =>
      exceptionRows(k.activeExceptions.filter((e) => ageBucket(Math.floor(e.ageDays)) === key)),
  },
  'remediation.exceptions.meanAgeDays': { rows: (k) => exceptionRows(k.activeExceptions) },
  'changes.closedChanges': { rows: (k) => changeRows(k, () => true) },
  'changes.byType': {
    keys: changeTypeNames,
    keyRequired: true,
    rows: (k, key) => changeRows(k, (c) => c.change.type === key),
  },
  'changes.byOutcome': {
    keys: changeOutcomes,
    keyRequired: true,
    rows: (k, key) => changeRows(k, (c) => c.outcome === key),
  },
  'changes.changeSuccessRate': changeSetDrill,
  'changes.rollbackRate': changeSetDrill,
  'changes.emergencyShare': { rows: (k) => changeRows(k, () => true) },
  'changes.plannedDurationMinutes': {
    rows: (k) => rolloutRows(k, (r) => r.plannedMinutes !== null),
  },
  'changes.actualDurationMinutes': { rows: (k) => rolloutRows(k, (r) => r.actualMinutes !== null) },
  'changes.windowOverruns': {
    rows: (k) => rolloutRows(k, (r) => r.overrunMinutes !== null && r.overrunMinutes > 0),
  },
  'changes.failuresPerWave': {
    keys: 'any',
    keyRequired: true,
    rows: (k, key) => ({
      kind: 'changes',
      rows: k.rollouts.flatMap((r) =>
        r.rollout.waves
          .filter((w) => w.name === key)
          .flatMap((w) =>
            w.hosts.map((h) => ({
              id: r.rollout.changeId,
              number: r.rollout.changeNumber,
              rolloutId: r.rollout.rolloutId,
              wave: w.name,
              assetName: h.assetName,
              outcome: h.outcome,
              failure: isHostFailure(h.outcome),
            })),
          ),
      ),
    }),
  },
  'changes.leadTimeDays': {
    rows: (k) => ({
      kind: 'findings',
      rows: k.leads.map((l) => ({
        id: l.findingId,
        changeId: l.changeId,
        changeNumber: l.changeNumber,
        firstSeenAt: l.firstSeenAt,
        closedAt: l.closedAt,
        days: l.days,
      })),
    }),
  },
  'coverage.assets': { rows: (k) => assetRows(k, () => true) },
  'coverage.reportingWindowDays': { rows: (k) => assetRows(k, () => true) },
  'coverage.assetsReporting': { rows: (k) => assetRows(k, (a) => a.reporting) },
  'coverage.assetsReportingRatio': { rows: (k) => assetRows(k, () => true) },
  'coverage.staleAgents': {
    rows: (k) => ({
      kind: 'agents',
      rows: k.staleAgents.map((a) => ({
        id: a.id,
        assetId: a.assetId,
        name: a.name,
        enrolledAt: a.enrolledAt,
        lastSeenAt: a.lastSeenAt,
      })),
    }),
  },
  'coverage.assetsWithoutWindow': { rows: (k) => assetRows(k, (a) => !a.asset.hasWindow) },
  'coverage.assetsWithoutOwner': { rows: (k) => assetRows(k, (a) => a.asset.team === null) },
};

/** The figure paths the drill-down knows (every figure of a MetricSet). */
export const metricNames: readonly string[] = Object.keys(drills);

/** Why a metric/key pair is not a figure (undefined: it is). */
export function metricRefProblem(metric: string, key: string | undefined): string | undefined {
  const drill = drills[metric];
  if (drill === undefined) return `unknown metric "${metric}" (one of ${metricNames.join(', ')})`;
  if (key === undefined) {
    return drill.keyRequired === true ? `metric "${metric}" needs a key` : undefined;
  }
  if (drill.keys === undefined) return `metric "${metric}" takes no key`;
  if (drill.keys !== 'any' && !drill.keys.includes(key)) {
    return `key "${key}" is not one of ${drill.keys.join(', ')} for "${metric}"`;
  }
  return undefined;
}

/** The rows a figure counts. Throws on an unknown metric or key (check `metricRefProblem`). */
export function metricRowsOf(k: Classified, metric: string, key: string | undefined): MetricRowSet {
  const problem = metricRefProblem(metric, key);
  const drill = drills[metric];
  if (problem !== undefined || drill === undefined) throw new Error(problem);
  return drill.rows(k, key);
}
