/**
 * Every figure of a MetricSet on a hand-made organisation, checked by hand (the numbers in the
 * comments are worked out from the rows, not read back from the code). Period: November 2026,
 * as of its last millisecond.
 */
import { describe, expect, it } from 'vitest';
import {
  classify,
  computeMetricSet,
  durationStats,
  endOfDay,
  inScope,
  isValidPeriod,
  metricNames,
  metricRefProblem,
  metricRowsOf,
  metricValue,
  p90,
} from './index.ts';
import type {
  AgentFact,
  AssetFact,
  ChangeFact,
  ExceptionFact,
  FindingFact,
  MetricInputs,
  RolloutFact,
} from './index.ts';

const period = { from: '2026-11-01', to: '2026-11-30' };
const asOf = endOfDay('2026-11-30');
const settings = { reportingWindowDays: 7, staleAgentSeconds: 180 };

function finding(id: string, over: Partial<FindingFact>): FindingFact {
  return {
    id,
    assetId: `asset-${id}`,
    assetName: `host-${id}`,
    advisoryId: `ADV-${id}`,
    packageName: 'openssl',
    priority: 'P3',
    dueDate: null,
    state: 'open',
    firstSeenAt: '2026-11-01T00:00:00.000Z',
    fixedAt: null,
    triageState: null,
    triageAt: null,
    kev: false,
    exposure: 'internal',
    policy: 'default',
    team: null,
    environment: null,
    groups: [],
    advisoryPublishedAt: null,
    ...over,
  };
}

const findings: FindingFact[] = [
  // Fixed on time in the period: SLA met; 4 days to remediate.
  finding('F1', {
    priority: 'P1',
    dueDate: '2026-11-10',
    state: 'fixed',
    fixedAt: '2026-11-05T00:00:00.000Z',
    advisoryId: 'A1',
    advisoryPublishedAt: '2026-10-31T00:00:00.000Z',
    kev: true,
    exposure: 'internet',
    team: 'web',
    environment: 'prod',
    groups: ['dmz'],
  }),
  // Fixed late in the period: SLA missed; 19 days. A1's last fix: latency 20 days.
  finding('F2', {
    priority: 'P1',
    dueDate: '2026-11-10',
    state: 'fixed',
    fixedAt: '2026-11-20T00:00:00.000Z',
    advisoryId: 'A1',
    advisoryPublishedAt: '2026-10-31T00:00:00.000Z',
    team: 'web',
    environment: 'prod',
    groups: ['dmz', 'db'],
  }),
  // Open, fell due unfixed in the period: missed, overdue, KEV (internal), 28 days old.
  finding('F3', {
    priority: 'P2',
    dueDate: '2026-11-15',
    firstSeenAt: '2026-11-02T00:00:00.000Z',
    triageState: 'exploitable',
    triageAt: '2026-11-03T00:00:00.000Z',
    kev: true,
    policy: 'strict',
    team: 'db',
    environment: 'staging',
  }),
  // Open, due after the period: not counted by the SLA; 60 days old. A2 stays open.
  finding('F4', {
    priority: 'P3',
    dueDate: '2026-12-20',
    firstSeenAt: '2026-10-01T00:00:00.000Z',
    advisoryId: 'A2',
    advisoryPublishedAt: '2026-09-01T00:00:00.000Z',
  }),
  // Settled by triage: not open, not in the SLA; triaged after 1.5 days.
  finding('F5', {
    priority: 'P2',
    dueDate: '2026-11-12',
    firstSeenAt: '2026-11-03T00:00:00.000Z',
    triageState: 'not_affected',
    triageAt: '2026-11-04T12:00:00.000Z',
    team: 'web',
  }),
  // Accepted by exception E1: not open, not in the SLA.
  finding('F6', {
    priority: 'P4',
    dueDate: '2026-11-20',
    firstSeenAt: '2026-11-05T00:00:00.000Z',
    team: 'db',
  }),
  // Fixed only after asOf: open and overdue at asOf, missed; KEV on the internet.
  finding('F7', {
    priority: 'P2',
    dueDate: '2026-11-25',
    state: 'fixed',
    fixedAt: '2026-12-02T00:00:00.000Z',
    kev: true,
    exposure: 'internet',
    team: 'web',
    environment: 'prod',
  }),
  // First seen after asOf: not there yet.
  finding('F8', { priority: 'P1', dueDate: '2026-12-03', firstSeenAt: '2026-12-01T00:00:00.000Z' }),
  // Open without a due date: 2 days old.
  finding('F9', { priority: 'P5', firstSeenAt: '2026-11-28T00:00:00.000Z' }),
  // Fixed before the period: in no figure of November (but in C5's lead time).
  finding('F10', {
    priority: 'P1',
    dueDate: '2026-11-05',
    state: 'fixed',
    firstSeenAt: '2026-10-01T00:00:00.000Z',
    fixedAt: '2026-10-20T00:00:00.000Z',
    advisoryId: 'A3',
    advisoryPublishedAt: '2026-09-30T00:00:00.000Z',
  }),
];

function exception(id: string, over: Partial<ExceptionFact>): ExceptionFact {
  return {
    id,
    findingId: `F-${id}`,
    assetId: 'asset-x',
    advisoryId: 'ADV-x',
    owner: 'ops',
    state: 'approved',
    requestedAt: '2026-11-01T00:00:00.000Z',
    decidedAt: null,
    expiresAt: '2027-01-01T00:00:00.000Z',
    closedAt: null,
    ...over,
  };
}

const exceptions: ExceptionFact[] = [
  // Active, expires within 30 days of asOf; 24.99… days old.
  exception('E1', {
    findingId: 'F6',
    decidedAt: '2026-11-06T00:00:00.000Z',
    expiresAt: '2026-12-15T00:00:00.000Z',
  }),
  // Requested, undecided: pending.
  exception('E2', { state: 'requested', requestedAt: '2026-11-28T00:00:00.000Z' }),
  // Rejected: nothing.
  exception('E3', { state: 'rejected', decidedAt: '2026-11-12T00:00:00.000Z' }),
  // Approved then revoked before asOf: nothing.
  exception('E4', {
    state: 'revoked',
    decidedAt: '2026-11-02T00:00:00.000Z',
    closedAt: '2026-11-20T00:00:00.000Z',
  }),
  // Active, expires in 2027; 5.99… days old.
  exception('E5', {
    decidedAt: '2026-11-25T00:00:00.000Z',
    expiresAt: '2027-06-01T00:00:00.000Z',
  }),
  // Approved only after asOf: pending at asOf.
  exception('E6', {
    requestedAt: '2026-11-29T00:00:00.000Z',
    decidedAt: '2026-12-03T00:00:00.000Z',
  }),
];

const t = (action: string, toState: string, at: string) => ({ action, toState, at });
const changes: ChangeFact[] = [
  {
    id: 'C1',
    number: 'CHG-0001',
    title: 'openssl',
    type: 'normal',
    transitions: [
      t('start', 'implementing', '2026-11-02T10:05:00.000Z'),
      t('complete', 'review', '2026-11-02T12:35:00.000Z'),
      t('close', 'closed', '2026-11-05T00:00:00.000Z'),
    ],
  },
  {
    id: 'C2',
    number: 'CHG-0002',
    title: 'nginx',
    type: 'emergency',
    transitions: [
      t('fail', 'failed', '2026-11-10T11:00:00.000Z'),
      t('roll-back', 'rolled_back', '2026-11-10T12:00:00.000Z'),
    ],
  },
  {
    id: 'C3',
    number: 'CHG-0003',
    title: 'kernel',
    type: 'standard',
    transitions: [t('fail', 'failed', '2026-11-15T09:00:00.000Z')],
  },
  {
    id: 'C4',
    number: 'CHG-0004',
    title: 'cancelled',
    type: 'normal',
    transitions: [t('cancel', 'cancelled', '2026-11-20T09:00:00.000Z')],
  },
  {
    id: 'C5',
    number: 'CHG-0005',
    title: 'october',
    type: 'normal',
    transitions: [
      t('complete', 'review', '2026-10-30T09:00:00.000Z'),
      t('close', 'closed', '2026-11-03T00:00:00.000Z'),
    ],
  },
  {
    // Failed in the period, rolled back after asOf: failed at asOf.
    id: 'C6',
    number: 'CHG-0006',
    title: 'late',
    type: 'standard',
    transitions: [
      t('fail', 'failed', '2026-11-29T10:00:00.000Z'),
      t('roll-back', 'rolled_back', '2026-12-01T10:00:00.000Z'),
    ],
  },
];

const host = (assetName: string, outcome: string) => ({ assetName, outcome });
const rollouts: RolloutFact[] = [
  {
    changeId: 'C1',
    changeNumber: 'CHG-0001',
    rolloutId: 'R1',
    outcome: 'completed',
    plannedStart: '2026-11-02T10:00:00.000Z',
    plannedEnd: '2026-11-02T12:00:00.000Z',
    actualStart: '2026-11-02T10:05:00.000Z',
    actualEnd: '2026-11-02T12:30:00.000Z',
    waves: [
      { name: 'canary', hosts: [host('h1', 'succeeded')] },
      { name: 'all', hosts: [host('h2', 'succeeded'), host('h3', 'succeeded')] },
    ],
    recordedAt: '2026-11-02T12:31:00.000Z',
  },
  {
    changeId: 'C2',
    changeNumber: 'CHG-0002',
    rolloutId: 'R2',
    outcome: 'rolled-back',
    plannedStart: '2026-11-10T10:00:00.000Z',
    plannedEnd: '2026-11-10T14:00:00.000Z',
    actualStart: '2026-11-10T10:00:00.000Z',
    actualEnd: '2026-11-10T12:00:00.000Z',
    waves: [
      { name: 'canary', hosts: [host('h4', 'failed')] },
      { name: 'all', hosts: [host('h5', 'skipped')] },
    ],
    recordedAt: '2026-11-10T12:01:00.000Z',
  },
  {
    // Recorded after asOf: not yet known.
    changeId: 'C6',
    changeNumber: 'CHG-0006',
    rolloutId: 'R3',
    outcome: 'rolled-back',
    plannedStart: '2026-11-29T09:00:00.000Z',
    plannedEnd: '2026-11-29T10:00:00.000Z',
    actualStart: '2026-11-29T09:00:00.000Z',
    actualEnd: '2026-11-30T10:00:00.000Z',
    waves: [{ name: 'canary', hosts: [host('h6', 'failed')] }],
    recordedAt: '2026-12-01T10:00:00.000Z',
  },
];

function asset(name: string, over: Partial<AssetFact>): AssetFact {
  return {
    id: name,
    name,
    team: null,
    environment: null,
    groups: [],
    createdAt: '2026-10-01T00:00:00.000Z',
    lastReportAt: null,
    hasWindow: false,
    ...over,
  };
}
const assets: AssetFact[] = [
  asset('web-1', { team: 'web', lastReportAt: '2026-11-29T00:00:00.000Z', hasWindow: true }),
  asset('db-1', { lastReportAt: '2026-11-20T00:00:00.000Z' }),
  asset('new-1', { createdAt: '2026-12-01T00:00:00.000Z', team: 'web' }),
  asset('x-1', { team: 'db', createdAt: '2026-11-01T00:00:00.000Z' }),
];

function agent(id: string, over: Partial<AgentFact>): AgentFact {
  return {
    id,
    assetId: id,
    name: id,
    enrolledAt: '2026-10-01T00:00:00.000Z',
    revokedAt: null,
    lastSeenAt: null,
    ...over,
  };
}
const agents: AgentFact[] = [
  agent('ag1', { lastSeenAt: '2026-11-30T23:59:00.000Z' }), // 59.999 s before asOf: fresh
  agent('ag2', { lastSeenAt: '2026-11-30T23:00:00.000Z' }), // stale
  agent('ag3', { revokedAt: '2026-11-15T00:00:00.000Z' }), // revoked: not counted
  agent('ag4', { enrolledAt: '2026-12-01T00:00:00.000Z' }), // not enrolled yet
  agent('ag5', { enrolledAt: '2026-11-01T00:00:00.000Z' }), // never seen: stale
];

const inputs: MetricInputs = {
  findings,
  exceptions,
  changes,
  rollouts,
  changeFindings: [
    { changeId: 'C1', findingId: 'F1', firstSeenAt: '2026-11-01T00:00:00.000Z' },
    { changeId: 'C5', findingId: 'F10', firstSeenAt: '2026-10-01T00:00:00.000Z' },
    { changeId: 'C2', findingId: 'F3', firstSeenAt: '2026-11-02T00:00:00.000Z' },
  ],
  assets,
  agents,
};

const set = computeMetricSet(inputs, { period, asOf, scope: {} }, settings);
const approx = (n: number) => expect.closeTo(n, 6) as unknown as number;

describe('computeMetricSet: remediation', () => {
  const r = set.remediation;
  it('counts the open findings at asOf (F3, F4, F7, F9) by priority and age', () => {
    expect(r.openFindings).toBe(4);
    expect(r.openByPriority).toEqual({ P1: 0, P2: 2, P3: 1, P4: 0, P5: 1 });
    // F9 2 days, F3 28, F7 29, F4 60.
    expect(r.openByAge).toEqual({ d0_7: 1, d8_30: 2, d31_90: 1, d91_180: 0, d181plus: 0 });
  });
  it('counts overdue (F3, F7) and KEV (F3; F7 on the internet)', () => {
    expect(r.overdueFindings).toBe(2);
    expect(r.overdueByPriority).toEqual({ P1: 0, P2: 2, P3: 0, P4: 0, P5: 0 });
    expect(r.kevOpen).toBe(2);
    expect(r.kevInternetFacing).toBe(1);
  });
  it('computes SLA compliance: F1 met; F2 late; F3 and F7 fell due unfixed', () => {
    expect(r.slaCompliance).toEqual({ met: 1, missed: 3, counted: 4, ratio: 0.25 });
    expect(r.slaComplianceByPriority.P1).toEqual({ met: 1, missed: 1, counted: 2, ratio: 0.5 });
    expect(r.slaComplianceByPriority.P2).toEqual({ met: 0, missed: 2, counted: 2, ratio: 0 });
    expect(r.slaComplianceByPriority.P3).toEqual({ met: 0, missed: 0, counted: 0, ratio: null });
    expect(r.slaComplianceByPolicy).toEqual([
      { key: 'default', met: 1, missed: 2, counted: 3, ratio: 1 / 3 },
      { key: 'strict', met: 0, missed: 1, counted: 1, ratio: 0 },
    ]);
    expect(r.slaComplianceByTeam).toEqual([
      { key: 'db', met: 0, missed: 1, counted: 1, ratio: 0 },
      { key: 'web', met: 1, missed: 2, counted: 3, ratio: 1 / 3 },
    ]);
    expect(r.slaComplianceByEnvironment).toEqual([
      { key: 'prod', met: 1, missed: 2, counted: 3, ratio: 1 / 3 },
      { key: 'staging', met: 0, missed: 1, counted: 1, ratio: 0 },
    ]);
    // F2 counts in both of its groups; F3 and F7 have none.
    expect(r.slaComplianceByAssetGroup).toEqual([
      { key: '(none)', met: 0, missed: 2, counted: 2, ratio: 0 },
      { key: 'db', met: 0, missed: 1, counted: 1, ratio: 0 },
      { key: 'dmz', met: 1, missed: 1, counted: 2, ratio: 0.5 },
    ]);
  });
  it('computes time to triage (F3 1 day, F5 1.5) and to remediate (F1 4, F2 19)', () => {
    expect(r.timeToTriageDays.all).toEqual({ count: 2, mean: 1.25, p90: 1.5 });
    expect(r.timeToTriageDays.P2).toEqual({ count: 2, mean: 1.25, p90: 1.5 });
    expect(r.timeToTriageDays.P1).toEqual({ count: 0, mean: null, p90: null });
    expect(r.timeToRemediateDays.all).toEqual({ count: 2, mean: 11.5, p90: 19 });
    expect(r.timeToRemediateDays.P1).toEqual({ count: 2, mean: 11.5, p90: 19 });
  });
  it('computes patch latency per advisory fixed everywhere in the period (A1: 20 days)', () => {
    expect(r.patchLatencyDays).toEqual({ count: 1, mean: 20, p90: 20 });
  });
  it('counts exceptions at asOf: E1 and E5 active, E2 and E6 pending', () => {
    expect(r.exceptions.active).toBe(2);
    expect(r.exceptions.expiringWithin30Days).toBe(1);
    expect(r.exceptions.requestedPending).toBe(2);
    expect(r.exceptions.ageing).toEqual({ d0_7: 1, d8_30: 1, d31_90: 0, d91_180: 0, d181plus: 0 });
    // (24.99999… + 5.99999…) / 2
    expect(r.exceptions.meanAgeDays).toEqual(approx(15.5));
  });
});

describe('computeMetricSet: changes', () => {
  const c = set.changes;
  it('counts changes that ended in the period by type and outcome as of asOf', () => {
    expect(c.closedChanges).toBe(5);
    expect(c.byType).toEqual({ standard: 2, normal: 2, emergency: 1 });
    // C6 failed in November and was rolled back only in December: failed at asOf.
    expect(c.byOutcome).toEqual({ succeeded: 1, failed: 2, rolled_back: 1, cancelled: 1 });
    expect(c.changeSuccessRate).toBe(0.25);
    expect(c.rollbackRate).toBe(0.25);
    expect(c.emergencyShare).toBe(0.2);
  });
  it('reads durations, overruns and waves from the rollouts recorded by asOf (R1, R2)', () => {
    expect(c.plannedDurationMinutes).toEqual({ count: 2, mean: 180, p90: 240 });
    expect(c.actualDurationMinutes).toEqual({ count: 2, mean: 132.5, p90: 145 });
    expect(c.windowOverruns).toBe(1);
    expect(c.failuresPerWave).toEqual([
      { wave: 'all', hosts: 3, failures: 0 },
      { wave: 'canary', hosts: 2, failures: 1 },
    ]);
  });
  it('computes lead time from first seen to the change closed (4 and 33 days)', () => {
    expect(c.leadTimeDays).toEqual({ count: 2, mean: 18.5, p90: 33 });
  });
});

describe('computeMetricSet: coverage', () => {
  it('counts assets, reporting, stale agents and missing windows and owners at asOf', () => {
    expect(set.coverage).toEqual({
      assets: 3,
      reportingWindowDays: 7,
      assetsReporting: 1,
      assetsReportingRatio: 1 / 3,
      staleAgents: 2,
      assetsWithoutWindow: 2,
      assetsWithoutOwner: 1,
    });
  });
});

describe('edge cases', () => {
  const empty: MetricInputs = {
    findings: [],
    exceptions: [],
    changes: [],
    rollouts: [],
    changeFindings: [],
    assets: [],
    agents: [],
  };
  it('gives null, never 0 %, when nothing was counted', () => {
    const none = computeMetricSet(empty, { period, asOf, scope: {} }, settings);
    expect(none.remediation.slaCompliance).toEqual({ met: 0, missed: 0, counted: 0, ratio: null });
    expect(none.remediation.timeToRemediateDays.all).toEqual({ count: 0, mean: null, p90: null });
    expect(none.remediation.exceptions.meanAgeDays).toBeNull();
    expect(none.changes.changeSuccessRate).toBeNull();
    expect(none.changes.rollbackRate).toBeNull();
    expect(none.changes.emergencyShare).toBeNull();
    expect(none.coverage.assetsReportingRatio).toBeNull();
    expect(none.version).toBe('metrics/1');
  });
  it('takes p90 by nearest rank, also on small sets', () => {
    expect(p90([])).toBeNull();
    expect(p90([5])).toBe(5);
    expect(p90([2, 1])).toBe(2);
    expect(p90([3, 1, 2])).toBe(3);
    expect(p90([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toBe(9);
    expect(p90(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(18);
    expect(p90(Array.from({ length: 11 }, (_, i) => i + 1))).toBe(10);
    expect(durationStats([1, 2, 6])).toEqual({ count: 3, mean: 3, p90: 6 });
  });
  it('includes both ends of the period', () => {
    const edge = [
      finding('first', {
        dueDate: '2026-12-31',
        state: 'fixed',
        fixedAt: '2026-11-01T00:00:00.000Z',
      }),
      finding('last', {
        dueDate: '2026-12-31',
        state: 'fixed',
        fixedAt: '2026-11-30T23:59:59.000Z',
      }),
      finding('before', {
        dueDate: '2026-12-31',
        state: 'fixed',
        firstSeenAt: '2026-10-01T00:00:00.000Z',
        fixedAt: '2026-10-31T23:59:59.999Z',
      }),
      finding('after', {
        dueDate: '2026-12-31',
        state: 'fixed',
        fixedAt: '2026-12-01T00:00:00.000Z',
      }),
    ];
    const s = computeMetricSet({ ...empty, findings: edge }, { period, asOf, scope: {} }, settings);
    expect(s.remediation.slaCompliance).toEqual({ met: 2, missed: 0, counted: 2, ratio: 1 });
    expect(
      metricRowsOf(
        classify({ ...empty, findings: edge }, { period, asOf }, settings),
        'remediation.slaCompliance',
        undefined,
      ).rows.map((row) => row.id),
    ).toEqual(['first', 'last']);
    // A one-day period.
    const oneDay = computeMetricSet(
      { ...empty, findings: edge },
      { period: { from: '2026-11-30', to: '2026-11-30' }, asOf, scope: {} },
      settings,
    );
    expect(oneDay.remediation.slaCompliance.counted).toBe(1);
  });
  it('does not change for a past asOf when later data arrives', () => {
    const mid = endOfDay('2026-11-15');
    const half = { from: '2026-11-01', to: '2026-11-15' };
    const before = computeMetricSet(inputs, { period: half, asOf: mid, scope: {} }, settings);
    // Later: F3 and F4 get fixed, a new finding, E2 approved, C3 rolled back, a new rollout.
    const later: MetricInputs = {
      ...inputs,
      findings: [
        ...inputs.findings.map((f) =>
          f.id === 'F3' || f.id === 'F4'
            ? { ...f, state: 'fixed', fixedAt: '2026-11-16T08:00:00.000Z' }
            : f,
        ),
        finding('F11', {
          priority: 'P1',
          dueDate: '2026-11-14',
          firstSeenAt: '2026-11-16T00:00:00.000Z',
        }),
      ],
      exceptions: inputs.exceptions.map((e) =>
        e.id === 'E2' ? { ...e, state: 'approved', decidedAt: '2026-11-17T00:00:00.000Z' } : e,
      ),
      changes: inputs.changes.map((ch) =>
        ch.id === 'C3'
          ? {
              ...ch,
              transitions: [
                ...ch.transitions,
                t('roll-back', 'rolled_back', '2026-11-16T00:00:00.000Z'),
              ],
            }
          : ch,
      ),
    };
    expect(computeMetricSet(later, { period: half, asOf: mid, scope: {} }, settings)).toEqual(
      before,
    );
    // …and as of the middle of November the figures differ from the month's.
    // Open on 15 November: F2 (fixed on the 20th), F3, F4, F7; F9 was not seen yet.
    expect(before.remediation.openFindings).toBe(4);
    expect(before.changes.byOutcome.failed).toBe(1); // C3, rolled back only later
  });
  it('checks periods and scopes', () => {
    expect(isValidPeriod({ from: '2026-11-01', to: '2026-11-01' })).toBe(true);
    expect(isValidPeriod({ from: '2026-11-02', to: '2026-11-01' })).toBe(false);
    expect(isValidPeriod({ from: '2026-13-01', to: '2026-11-01' })).toBe(false);
    const keys = { team: 'web', environment: 'prod', groups: ['dmz', 'db'] };
    expect(inScope(keys, {})).toBe(true);
    expect(inScope(keys, { team: 'web', assetGroup: 'db' })).toBe(true);
    expect(inScope(keys, { team: 'db' })).toBe(false);
    expect(inScope(keys, { environment: 'staging' })).toBe(false);
    expect(inScope(keys, { assetGroup: 'web' })).toBe(false);
  });
});

describe('drill-down rows', () => {
  const k = classify(inputs, { period, asOf }, settings);
  const ids = (metric: string, key?: string) =>
    metricRowsOf(k, metric, key).rows.map((row) => row.id);

  it('lists exactly what each count counts', () => {
    expect(ids('remediation.openFindings')).toEqual(['F3', 'F7', 'F4', 'F9']);
    expect(ids('remediation.openByPriority', 'P2')).toEqual(['F3', 'F7']);
    expect(ids('remediation.openByAge', 'd8_30')).toEqual(['F3', 'F7']);
    expect(ids('remediation.overdueFindings')).toEqual(['F3', 'F7']);
    expect(ids('remediation.kevInternetFacing')).toEqual(['F7']);
    expect(ids('remediation.slaCompliance')).toEqual(['F1', 'F2', 'F3', 'F7']);
    expect(
      metricRowsOf(k, 'remediation.slaCompliance', undefined).rows.map((r) => r.slaMet),
    ).toEqual([true, false, false, false]);
    expect(ids('remediation.slaComplianceByAssetGroup', 'dmz')).toEqual(['F1', 'F2']);
    expect(ids('remediation.slaComplianceByTeam', '(none)')).toEqual([]);
    expect(ids('remediation.timeToTriageDays', 'all')).toEqual(['F3', 'F5']);
    expect(ids('remediation.timeToRemediateDays', 'P1')).toEqual(['F1', 'F2']);
    expect(ids('remediation.patchLatencyDays')).toEqual(['A1']);
    expect(ids('remediation.exceptions.active')).toEqual(['E1', 'E5']);
    expect(ids('remediation.exceptions.requestedPending')).toEqual(['E2', 'E6']);
    expect(ids('changes.closedChanges')).toEqual(['C1', 'C2', 'C3', 'C4', 'C6']);
    expect(ids('changes.byOutcome', 'failed')).toEqual(['C3', 'C6']);
    expect(ids('changes.changeSuccessRate')).toEqual(['C1', 'C2', 'C3', 'C6']);
    expect(ids('changes.windowOverruns')).toEqual(['C1']);
    expect(metricRowsOf(k, 'changes.failuresPerWave', 'canary').rows).toHaveLength(2);
    expect(ids('changes.leadTimeDays')).toEqual(['F1', 'F10']);
    expect(ids('coverage.assetsWithoutWindow')).toEqual(['db-1', 'x-1']);
    expect(ids('coverage.staleAgents')).toEqual(['ag2', 'ag5']);
  });

  it('has rows for every figure, as many as the figure counts', () => {
    for (const metric of metricNames) {
      const problem = metricRefProblem(metric, undefined);
      const keys = problem === undefined ? [undefined] : keysFor(metric);
      for (const key of keys) {
        const rows = metricRowsOf(k, metric, key);
        expect(rows.rows.every((row) => typeof row.id === 'string')).toBe(true);
        const value = valueAt(metric, key);
        if (
          typeof value === 'number' &&
          Number.isInteger(value) &&
          !metric.endsWith('Ratio') &&
          !metric.endsWith('Rate') &&
          !metric.endsWith('Share') &&
          metric !== 'coverage.reportingWindowDays'
        ) {
          expect([metric, key, rows.rows.length]).toEqual([metric, key, value]);
        }
        if (value !== null && typeof value === 'object' && 'counted' in value) {
          expect([metric, key, rows.rows.length]).toEqual([metric, key, value.counted]);
        }
        if (value !== null && typeof value === 'object' && 'count' in value) {
          expect([metric, key, rows.rows.length]).toEqual([metric, key, value.count]);
        }
      }
    }
  });

  it('refuses unknown metrics and keys', () => {
    expect(metricRefProblem('remediation.nope', undefined)).toMatch(/unknown metric/);
    expect(metricRefProblem('remediation.openByPriority', undefined)).toMatch(/needs a key/);
    expect(metricRefProblem('remediation.openByPriority', 'P9')).toMatch(/not one of/);
    expect(metricRefProblem('remediation.openFindings', 'P1')).toMatch(/takes no key/);
    expect(() => metricRowsOf(k, 'nope', undefined)).toThrow(/unknown metric/);
  });
});

function keysFor(metric: string): string[] {
  if (metric.endsWith('ByPriority')) return ['P1', 'P2', 'P3', 'P4', 'P5'];
  if (metric.endsWith('openByAge') || metric.endsWith('ageing'))
    return ['d0_7', 'd8_30', 'd31_90', 'd91_180', 'd181plus'];
  if (metric === 'changes.byType') return ['standard', 'normal', 'emergency'];
  if (metric === 'changes.byOutcome') return ['succeeded', 'failed', 'rolled_back', 'cancelled'];
  if (metric === 'changes.failuresPerWave') return ['canary', 'all'];
  if (metric === 'remediation.slaComplianceByPolicy') return ['default', 'strict'];
  if (metric === 'remediation.slaComplianceByTeam') return ['web', 'db'];
  if (metric === 'remediation.slaComplianceByEnvironment') return ['prod', 'staging'];
  if (metric === 'remediation.slaComplianceByAssetGroup') return ['dmz', 'db', '(none)'];
  return [];
}

/** The figure itself (not its scalar): a count, an SLA figure, duration stats or a wave. */
function valueAt(metric: string, key: string | undefined): unknown {
  let node: unknown = set;
  for (const part of metric.split('.')) node = (node as Record<string, unknown>)[part];
  if (key === undefined) return node;
  if (Array.isArray(node)) {
    const entry = (node as { key?: string; wave?: string; hosts?: number }[]).find(
      (e) => e.key === key || e.wave === key,
    );
    return entry?.hosts ?? entry;
  }
  return (node as Record<string, unknown>)[key];
}

describe('metricValue', () => {
  it('reads a figure for the trend: counts, ratios, SLA ratios, means, keyed entries', () => {
    expect(metricValue(set, 'remediation.openFindings')).toBe(4);
    expect(metricValue(set, 'remediation.openByPriority', 'P2')).toBe(2);
    expect(metricValue(set, 'remediation.slaCompliance')).toBe(0.25);
    expect(metricValue(set, 'remediation.slaComplianceByTeam', 'db')).toBe(0);
    expect(metricValue(set, 'remediation.slaComplianceByTeam', 'nobody')).toBeNull();
    expect(metricValue(set, 'remediation.timeToRemediateDays', 'all')).toBe(11.5);
    expect(metricValue(set, 'changes.changeSuccessRate')).toBe(0.25);
    expect(metricValue(set, 'changes.failuresPerWave', 'canary')).toBe(1);
    expect(metricValue(set, 'coverage.assetsReportingRatio')).toBe(1 / 3);
    expect(metricValue(set, 'nope.nothing')).toBeNull();
  });
});
