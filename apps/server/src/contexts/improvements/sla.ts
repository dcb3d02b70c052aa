/**
 * The SLA-drop rule (ADR 0046): for each team and priority, SLA compliance over the last 30 days
 * against the 30 days before, from the reports context's `computeMetrics` (the figures the
 * metrics API and the reports show). A fall of at least 10 points over enough findings proposes
 * a follow-up action for the team; the overdue count is the team's open findings of that
 * priority past their due date now.
 */
import type { MetricSet } from '@patchgate/metrics';
import { priorities } from '@patchgate/policy';
import type { ServerContext } from '../../context.ts';
import { computeMetrics } from '../reports/index.ts';
import type { Candidate } from './rules.ts';
import { thresholds } from './rules.ts';
import type { Period } from './trends.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

export const slaThresholds = {
  /** Days in each of the two periods compared. */
  periodDays: 30,
  /** A fall of at least this many percentage points… */
  dropPoints: 10,
  /** …with at least this many findings counted in each period. */
  minCounted: 5,
} as const;

const dayMs = 86_400_000;
const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
const pct = (ratio: number) => Math.round(ratio * 100);
/** Where a team is not set (metrics' noneKey). */
const noTeam = '(none)';

/** The current and the previous 30 days, ending on the refresh period's last day. */
export function slaPeriods(period: Period): { current: Period; previous: Period } {
  const n = slaThresholds.periodDays;
  return {
    current: { from: shift(period.to, -(n - 1)), to: period.to },
    previous: { from: shift(period.to, -(2 * n - 1)), to: shift(period.to, -n) },
  };
}

export async function slaDropCandidates(ctx: Ctx, period: Period): Promise<Candidate[]> {
  const { current, previous } = slaPeriods(period);
  const metrics = (p: Period, team?: string): Promise<MetricSet> =>
    computeMetrics(ctx, { period: p, scope: team === undefined ? {} : { team } });
  const [allNow, allBefore] = await Promise.all([metrics(current), metrics(previous)]);
  const teams = [
    ...new Set(
      [...allNow.remediation.slaComplianceByTeam, ...allBefore.remediation.slaComplianceByTeam].map(
        (k) => k.key,
      ),
    ),
  ]
    .filter((team) => team !== noTeam)
    .sort();
  const candidates: Candidate[] = [];
  for (const team of teams) {
    const [now, before] = await Promise.all([metrics(current, team), metrics(previous, team)]);
    for (const priority of priorities) {
      const was = before.remediation.slaComplianceByPriority[priority];
      const is = now.remediation.slaComplianceByPriority[priority];
      if (was.ratio === null || is.ratio === null) continue;
      if (was.counted < slaThresholds.minCounted || is.counted < slaThresholds.minCounted) continue;
      const drop = pct(was.ratio) - pct(is.ratio);
      if (drop < slaThresholds.dropPoints) continue;
      const overdue = now.remediation.overdueByPriority[priority];
      candidates.push({
        rule: 'sla-drop',
        subjectKey: `sla-drop:${team}:${priority}`,
        title: `${priority} SLA compliance fell from ${pct(was.ratio)} % to ${pct(is.ratio)} % for team ${team}: ${overdue} overdue`,
        detail:
          `Team ${team} fixed ${was.met} of ${was.counted} ${priority} findings by their due date between ${previous.from} and ${previous.to}, ` +
          `and ${is.met} of ${is.counted} between ${current.from} and ${current.to}; ${overdue} are open past their due date now. ` +
          'Accepting opens a follow-up action for the team.',
        evidence: {
          period: { from: previous.from, to: current.to },
          counts: {
            previousMet: was.met,
            previousCounted: was.counted,
            previousPercent: pct(was.ratio),
            currentMet: is.met,
            currentCounted: is.counted,
            currentPercent: pct(is.ratio),
            overdue,
          },
          changes: [],
          facts: {
            team,
            priority,
            previous,
            current,
            asOf: now.asOf,
            rows: `/api/v1/metrics/rows?metric=remediation.slaComplianceByPriority&key=${priority}&from=${current.from}&to=${current.to}&team=${encodeURIComponent(team)}`,
          },
        },
        action: {
          kind: 'follow-up',
          title: `Find why team ${team}'s ${priority} findings miss their due dates (${overdue} overdue)`,
          owner: team,
          dueInDays: thresholds.followUpDays,
        },
        // A decision holds for the 30 days it was made in: reopened when a later period falls again.
        freshAt: `${current.from}T00:00:00.000Z`,
      });
    }
  }
  return candidates;
}
