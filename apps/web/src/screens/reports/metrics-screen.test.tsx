import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { auditor, metricSet, reportsManager } from './report-fixtures.ts';
import { ReportsScreen } from './reports-screen.tsx';
// The screens ReportsScreen loads lazily, loaded up front so the first test does not wait.
import './metrics-screen.tsx';
import './metric-rows-screen.tsx';
import type { MetricRows, MetricTrend } from './types.ts';

const routes = [
  { path: '/reports/*', element: <ReportsScreen /> },
  { path: '/findings/:id', element: <p>finding page</p> },
];
const period = 'from=2026-09-01&to=2026-11-30';
const hrefOf = (name: string | RegExp) => screen.getByRole('link', { name }).getAttribute('href');

const trend = (url: URL): MetricTrend => ({
  metric: url.searchParams.get('metric') ?? '',
  key: null,
  points: [
    { day: '2026-11-28', value: url.searchParams.get('metric')?.endsWith('Rate') ? 0.8 : 40 },
    { day: '2026-11-29', value: null },
    { day: '2026-11-30', value: url.searchParams.get('metric')?.endsWith('Rate') ? 0.9 : 42 },
  ],
  missingDays: 1,
  note: '',
});

describe('the metrics overview', () => {
  it('shows every figure as a link to the rows it counts, keeping the period and scope', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/metrics': () => metricSet,
        'GET /api/v1/metrics/trend': (_request, url) => trend(url),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: `/reports?${period}&team=web` });
    await screen.findByRole('link', { name: '42 open findings' }, { timeout: 5000 });
    const metrics = calls.filter((c) => c.path === '/api/v1/metrics');
    expect(metrics).toHaveLength(1);
    expect(new URLSearchParams(metrics[0]?.search).get('team')).toBe('web');
    expect(hrefOf('42 open findings')).toBe(
      `/reports/rows?metric=remediation.openFindings&${period}&team=web`,
    );
    expect(hrefOf('81 % SLA compliance (81 of 100 on time)')).toBe(
      `/reports/rows?metric=remediation.slaCompliance&${period}&team=web`,
    );
    expect(hrefOf('12.3 days mean time to remediate')).toBe(
      `/reports/rows?metric=remediation.timeToRemediateDays&key=all&${period}&team=web`,
    );
    expect(hrefOf('84 % change success rate')).toBe(
      `/reports/rows?metric=changes.changeSuccessRate&${period}&team=web`,
    );
    expect(hrefOf('90 % of 50 assets reported within 7 days')).toContain(
      'metric=coverage.assetsReportingRatio',
    );
    // Breakdowns: each bar and each table number links to its key's rows.
    expect(hrefOf('P2 overdue: 4')).toBe(
      `/reports/rows?metric=remediation.overdueByPriority&key=P2&${period}&team=web`,
    );
    expect(hrefOf('rolled back changes: 1')).toContain('metric=changes.byOutcome&key=rolled_back');
    expect(hrefOf('SLA for team web: 77 % (40 of 52)')).toBe(
      `/reports/rows?metric=remediation.slaComplianceByTeam&key=web&${period}&team=web`,
    );
    expect(hrefOf('canary: 2 of 20 hosts failed')).toContain(
      'metric=changes.failuresPerWave&key=canary',
    );
    expect(hrefOf('Triaged P1: 8 findings')).toContain(
      'metric=remediation.timeToTriageDays&key=P1',
    );
    // Priorities without anything counted stay in the SLA table (0 of 0 shows as —).
    const slaTable = screen.getByRole('table', { name: /^SLA compliance by priority/ });
    expect(within(slaTable).getByRole('row', { name: /Priority P4/ }).textContent).toContain('—');
  });

  it('draws the trends from the snapshots, each with a table of its days', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/metrics': () => metricSet,
        'GET /api/v1/metrics/trend': (_request, url) => trend(url),
      },
      auditor,
    );
    renderWithApp(routes, { url: `/reports?${period}` });
    const table = await screen.findByRole(
      'table',
      { name: 'SLA compliance per day' },
      { timeout: 5000 },
    );
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(within(table).getByRole('row', { name: /29 Nov 2026/ }).textContent).toContain('—');
    await screen.findByRole('table', { name: 'Open findings per day' });
    const asked = calls
      .filter((c) => c.path === '/api/v1/metrics/trend')
      .map((c) => new URLSearchParams(c.search).get('metric'))
      .sort();
    expect(asked).toEqual([
      'changes.changeSuccessRate',
      'remediation.openFindings',
      'remediation.overdueFindings',
      'remediation.slaCompliance',
    ]);
    expect(screen.getAllByText(/1 days without a snapshot/).length).toBeGreaterThan(0);
    // An auditor reads reports but manages no schedule.
    const nav = screen.getByRole('navigation', { name: 'Reports' });
    expect(within(nav).queryByRole('link', { name: 'Schedules' })).toBeNull();
  });

  it('asks again for another period and scope, kept in the URL', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/metrics': () => metricSet,
        'GET /api/v1/metrics/trend': (_request, url) => trend(url),
      },
      reportsManager,
    );
    const { router } = renderWithApp(routes, { url: `/reports?${period}` });
    await screen.findByRole('link', { name: '42 open findings' }, { timeout: 5000 });
    await userEvent.type(screen.getByLabelText('Environment'), 'production');
    await userEvent.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() =>
      expect(router.state.location.search).toBe(`?${period}&environment=production`),
    );
    await waitFor(() =>
      expect(
        calls.some(
          (c) =>
            c.path === '/api/v1/metrics' &&
            new URLSearchParams(c.search).get('environment') === 'production',
        ),
      ).toBe(true),
    );
  });

  it('fills the missing snapshots for a manager, follows the job, then asks the trends again', async () => {
    let polls = 0;
    const calls = installFakeApi(
      {
        'GET /api/v1/metrics': () => metricSet,
        'GET /api/v1/metrics/trend': (_request, url) => trend(url),
        'POST /api/v1/metrics/snapshots/backfill': () =>
          new Response(JSON.stringify({ jobId: 'job-7', alreadyQueued: false }), {
            status: 202,
            headers: { 'content-type': 'application/json' },
          }),
        'GET /api/v1/jobs/:id': () => {
          polls += 1;
          return {
            id: 'job-7',
            kind: 'reports.metric-backfill',
            state: polls === 1 ? 'running' : 'succeeded',
            progress: { done: polls === 1 ? 30 : 91, total: 91 },
            error: null,
          };
        },
      },
      reportsManager,
    );
    renderWithApp(routes, { url: `/reports?${period}` });
    const button = await screen.findByRole(
      'button',
      { name: 'Fill missing snapshots (2026-09-01 to 2026-11-30)' },
      { timeout: 5000 },
    );
    const trendsBefore = calls.filter((c) => c.path === '/api/v1/metrics/trend').length;
    await userEvent.click(button);
    await screen.findByText('Filling snapshots (30 of 91 days)');
    await screen.findByText('Snapshots filled: the trends are up to date.', {}, { timeout: 4000 });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      from: '2026-09-01',
      to: '2026-11-30',
    });
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/metrics/trend').length).toBeGreaterThan(
        trendsBefore,
      ),
    );
  });

  it('offers no backfill to a reader', async () => {
    installFakeApi(
      {
        'GET /api/v1/metrics': () => metricSet,
        'GET /api/v1/metrics/trend': (_request, url) => trend(url),
      },
      auditor,
    );
    renderWithApp(routes, { url: `/reports?${period}` });
    await screen.findByRole(
      'heading',
      { name: 'Trends from the daily snapshots' },
      { timeout: 5000 },
    );
    expect(screen.queryByRole('button', { name: /^Fill missing snapshots/ })).toBeNull();
  });

  it('says which permission it needs, and asks nothing without it', async () => {
    const calls = installFakeApi({ 'GET /api/v1/metrics': () => metricSet }, adminUser);
    renderWithApp(routes, { url: '/reports' });
    await screen.findByText('You do not have permission to open this screen.');
    expect(screen.getByText('reports:read')).toBeDefined();
    expect(calls.some((c) => c.path.startsWith('/api/v1/metrics'))).toBe(false);
  });
});

describe('the rows a figure counts', () => {
  withLaidOutElements();

  it('opens from a figure, lists the rows with links, and loads the next page', async () => {
    const page = (cursor: string | null): MetricRows => ({
      metric: 'remediation.overdueFindings',
      key: null,
      kind: 'findings',
      asOf: '2026-11-30T23:59:59.999Z',
      total: 3,
      rows:
        cursor === null
          ? [
              {
                id: 'f1',
                advisoryId: 'CVE-2024-6387',
                assetName: 'web-01',
                priority: 'P1',
                dueDate: '2026-11-01',
                firstSeenAt: '2026-10-01T08:00:00.000Z',
                overdue: true,
              },
              {
                id: 'f2',
                advisoryId: 'CVE-2024-0001',
                assetName: 'web-02',
                priority: 'P2',
                dueDate: '2026-11-10',
                firstSeenAt: '2026-10-02T08:00:00.000Z',
                overdue: true,
              },
            ]
          : [
              {
                id: 'f3',
                advisoryId: 'CVE-2024-0002',
                assetName: 'db-01',
                priority: 'P2',
                dueDate: '2026-11-12',
                firstSeenAt: '2026-10-03T08:00:00.000Z',
                overdue: true,
              },
            ],
      nextCursor: cursor === null ? 'c2' : null,
    });
    const calls = installFakeApi(
      {
        'GET /api/v1/metrics': () => metricSet,
        'GET /api/v1/metrics/trend': (_request, url) => trend(url),
        'GET /api/v1/metrics/rows': (_request, url) => page(url.searchParams.get('cursor')),
      },
      reportsManager,
    );
    const { router } = renderWithApp(routes, { url: `/reports?${period}` });
    await userEvent.click(
      await screen.findByRole('link', { name: '7 overdue' }, { timeout: 5000 }),
    );
    const table = await screen.findByRole('table', { name: 'Rows of remediation.overdueFindings' });
    expect(router.state.location.pathname).toBe('/reports/rows');
    const asked = calls.find((c) => c.path === '/api/v1/metrics/rows');
    expect(Object.fromEntries(new URLSearchParams(asked?.search))).toEqual({
      metric: 'remediation.overdueFindings',
      from: '2026-09-01',
      to: '2026-11-30',
      limit: '200',
    });
    expect(screen.getByText(/3 findings counted; 2 shown/)).toBeDefined();
    expect(within(table).getByRole('link', { name: 'CVE-2024-6387' }).getAttribute('href')).toBe(
      '/findings/f1',
    );
    expect(within(table).getByRole('columnheader', { name: 'Due date' })).toBeDefined();
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await within(table).findByRole('link', { name: 'CVE-2024-0002' });
    expect(
      new URLSearchParams(calls.filter((c) => c.path === '/api/v1/metrics/rows')[1]?.search).get(
        'cursor',
      ),
    ).toBe('c2');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    await userEvent.click(within(table).getByRole('link', { name: 'CVE-2024-6387' }));
    await screen.findByText('finding page');
  });

  it('shows the server refusing a figure it cannot list', async () => {
    installFakeApi(
      {
        'GET /api/v1/metrics/rows': () =>
          new Response(
            JSON.stringify({ status: 422, title: 'Refused', detail: 'unknown metric "nope"' }),
            { status: 422, headers: { 'content-type': 'application/problem+json' } },
          ),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: `/reports/rows?metric=nope&${period}` });
    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert.textContent).toContain('unknown metric "nope"');
  });
});
