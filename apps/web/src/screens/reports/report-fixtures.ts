/** Answers of the metrics and reports API for the component tests (the contract's shapes). */
import type { SessionUser } from '../../api/session.tsx';
import { adminUser } from '../../test-support/render.tsx';
import type { DurationStats, MetricSet, ReportRun, ReportTypeInfo, SlaFigure } from './types.ts';

export const reportsManager: SessionUser = {
  ...adminUser,
  permissions: [...adminUser.permissions, 'reports:read', 'reports:manage', 'improvements:manage'],
};

export const auditor: SessionUser = {
  id: '00000000-0000-4000-8000-000000000003',
  username: 'aida',
  displayName: 'Aida Auditor',
  roles: ['auditor'],
  permissions: ['audit:read', 'findings:read', 'changes:read', 'reports:read'],
};

const sla = (met: number, counted: number): SlaFigure => ({
  met,
  missed: counted - met,
  counted,
  ratio: counted === 0 ? null : met / counted,
});
const stats = (count: number, mean: number | null, p90: number | null): DurationStats => ({
  count,
  mean,
  p90,
});
const none = stats(0, null, null);

export const metricSet: MetricSet = {
  version: 'metrics/1',
  asOf: '2026-11-30T23:59:59.999Z',
  period: { from: '2026-09-01', to: '2026-11-30' },
  scope: {},
  remediation: {
    openFindings: 42,
    openByPriority: { P1: 3, P2: 9, P3: 20, P4: 10, P5: 0 },
    openByAge: { d0_7: 5, d8_30: 12, d31_90: 15, d91_180: 8, d181plus: 2 },
    overdueFindings: 7,
    overdueByPriority: { P1: 1, P2: 4, P3: 2, P4: 0, P5: 0 },
    kevOpen: 2,
    kevInternetFacing: 1,
    slaCompliance: sla(81, 100),
    slaComplianceByPriority: {
      P1: sla(9, 10),
      P2: sla(30, 40),
      P3: sla(42, 50),
      P4: sla(0, 0),
      P5: sla(0, 0),
    },
    slaComplianceByPolicy: [{ key: 'default', ...sla(81, 100) }],
    slaComplianceByTeam: [
      { key: 'web', ...sla(40, 52) },
      { key: 'data', ...sla(41, 48) },
    ],
    slaComplianceByEnvironment: [{ key: 'production', ...sla(60, 75) }],
    slaComplianceByAssetGroup: [{ key: 'db', ...sla(10, 20) }],
    timeToTriageDays: {
      all: stats(60, 1.5, 4),
      P1: stats(8, 0.4, 1),
      P2: none,
      P3: none,
      P4: none,
      P5: none,
    },
    timeToRemediateDays: {
      all: stats(90, 12.25, 30),
      P1: stats(10, 3, 6),
      P2: none,
      P3: none,
      P4: none,
      P5: none,
    },
    patchLatencyDays: stats(14, 20.5, 41),
    exceptions: {
      active: 4,
      expiringWithin30Days: 1,
      requestedPending: 2,
      ageing: { d0_7: 1, d8_30: 1, d31_90: 2, d91_180: 0, d181plus: 0 },
      meanAgeDays: 30,
    },
  },
  changes: {
    closedChanges: 20,
    byType: { standard: 10, normal: 8, emergency: 2 },
    byOutcome: { succeeded: 16, failed: 2, rolled_back: 1, cancelled: 1 },
    changeSuccessRate: 16 / 19,
    rollbackRate: 1 / 19,
    emergencyShare: 0.1,
    plannedDurationMinutes: stats(19, 120, 180),
    actualDurationMinutes: stats(19, 95, 200),
    windowOverruns: 3,
    failuresPerWave: [
      { wave: 'canary', hosts: 20, failures: 2 },
      { wave: 'rest', hosts: 80, failures: 1 },
    ],
    leadTimeDays: stats(30, 9, 21),
  },
  coverage: {
    assets: 50,
    reportingWindowDays: 7,
    assetsReporting: 45,
    assetsReportingRatio: 0.9,
    staleAgents: 2,
    assetsWithoutWindow: 5,
    assetsWithoutOwner: 1,
  },
};

export const reportTypes: { types: ReportTypeInfo[] } = {
  types: [
    {
      type: 'patch-compliance',
      title: 'Patch compliance',
      description: 'SLA and overdue findings for a period and scope.',
      formats: ['pdf', 'csv', 'json'],
      needs: 'period',
      periodRequired: true,
    },
    {
      type: 'change',
      title: 'Change report',
      description: 'One change with its evidence and audit proof.',
      formats: ['pdf', 'json'],
      needs: 'change',
      periodRequired: false,
    },
    {
      type: 'fedramp-poam',
      title: 'FedRAMP POA&M',
      description: 'The POA&M template as CSV.',
      formats: ['csv'],
      needs: 'period',
      periodRequired: false,
    },
  ],
};

export const run = (overrides: Partial<ReportRun> = {}): ReportRun => ({
  id: 'run-1',
  type: 'patch-compliance',
  format: 'pdf',
  title: 'Patch compliance 2026-09-01 – 2026-11-30',
  status: 'succeeded',
  error: null,
  inputs: {
    type: 'patch-compliance',
    period: { from: '2026-09-01', to: '2026-11-30' },
    scope: {},
    change: null,
    changeRef: null,
    policy: { id: 'p1', name: 'default' },
    dataAsOf: '2026-11-30T23:59:59.999Z',
  },
  contentType: 'application/pdf',
  jobId: 'job-1',
  sizeBytes: 48_213,
  sha256: 'ab'.repeat(32),
  filename: 'patch-compliance-2026-09-01-2026-11-30.pdf',
  scheduleId: null,
  requestedBy: 'admin',
  createdAt: '2026-12-01T09:00:00.000Z',
  finishedAt: '2026-12-01T09:00:04.000Z',
  progress: { done: 5, total: 5, step: 'rendered' },
  ...overrides,
});
