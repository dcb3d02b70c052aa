import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { auditor, reportTypes, reportsManager, run } from './report-fixtures.ts';
import { ReportsScreen } from './reports-screen.tsx';
import type { ReportRun, ReportSchedule } from './types.ts';
// The screens ReportsScreen loads lazily, loaded up front so the first test does not wait.
import './runs-screen.tsx';
import './run-screen.tsx';
import './schedules-screen.tsx';

const routes = [{ path: '/reports/*', element: <ReportsScreen /> }];

describe('generated reports', () => {
  withLaidOutElements();

  it('generates a report for a period and scope and follows its run to the download', async () => {
    let polls = 0;
    const calls = installFakeApi(
      {
        'GET /api/v1/report-types': () => reportTypes,
        'GET /api/v1/reports': () => ({ reports: [], nextCursor: null }),
        'POST /api/v1/reports': () =>
          new Response(
            JSON.stringify(run({ id: 'run-9', status: 'queued', progress: null, sha256: null })),
            { status: 202, headers: { 'content-type': 'application/json' } },
          ),
        'GET /api/v1/reports/:id': () => {
          polls += 1;
          if (polls === 1) return run({ id: 'run-9', status: 'queued', progress: null });
          if (polls === 2)
            return run({
              id: 'run-9',
              status: 'running',
              progress: { done: 2, total: 5, step: 'computing the figures' },
            });
          return run({ id: 'run-9' });
        },
      },
      reportsManager,
    );
    const { router } = renderWithApp(routes, { url: '/reports/runs' });
    await screen.findByText('No report yet: generate one.');
    await userEvent.click(screen.getByRole('button', { name: 'Generate a report' }));
    const dialog = await screen.findByRole('dialog', { name: 'Generate a report' });
    await within(dialog).findByRole('option', { name: 'Change report' });
    await userEvent.selectOptions(within(dialog).getByLabelText('Format'), 'csv');
    await userEvent.clear(within(dialog).getByLabelText('Period from'));
    await userEvent.type(within(dialog).getByLabelText('Period from'), '2026-09-01');
    await userEvent.clear(within(dialog).getByLabelText('Period to'));
    await userEvent.type(within(dialog).getByLabelText('Period to'), '2026-11-30');
    await userEvent.type(within(dialog).getByLabelText('Team (optional)'), 'web');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/reports/runs/run-9'));
    const posted = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/reports');
    expect(posted?.body).toEqual({
      type: 'patch-compliance',
      format: 'csv',
      period: { from: '2026-09-01', to: '2026-11-30' },
      scope: { team: 'web' },
    });
    expect(posted?.headers.get('x-csrf-token')).toBe('test-csrf-token');
    // Followed: queued, running 2 of 5, then done with the file.
    await screen.findByText(/computing the figures \(2 of 5\)/, {}, { timeout: 4000 });
    const download = await screen.findByRole(
      'link',
      { name: /^Download Patch compliance/ },
      { timeout: 4000 },
    );
    expect(download.getAttribute('href')).toBe('/api/v1/reports/run-9/content');
    expect(
      screen.getByRole('progressbar', { name: /^Generating/ }).getAttribute('aria-valuenow'),
    ).toBe('100');
    expect(screen.getByText('ab'.repeat(32))).toBeDefined();
    expect(screen.getByText('48.2 KB')).toBeDefined();
    const polled = polls;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Done: no more asking.
    expect(polls).toBe(polled);
  });

  it('asks for a change, not a period, for the change report', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/report-types': () => reportTypes,
        'GET /api/v1/reports': () => ({ reports: [], nextCursor: null }),
        'POST /api/v1/reports': () =>
          new Response(
            JSON.stringify({ status: 404, title: 'Not Found', detail: 'no change CHG-9999' }),
            { status: 404, headers: { 'content-type': 'application/problem+json' } },
          ),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: '/reports/runs?generate=1' });
    const dialog = await screen.findByRole('dialog', { name: 'Generate a report' });
    await within(dialog).findByRole('option', { name: 'Change report' });
    await userEvent.selectOptions(within(dialog).getByLabelText('Report type'), 'change');
    expect(within(dialog).queryByLabelText('Period from')).toBeNull();
    const generate = within(dialog).getByRole('button', { name: 'Generate' });
    expect((generate as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Change'), 'CHG-9999');
    await userEvent.type(
      within(dialog).getByLabelText('Data as of (UTC, optional)'),
      '2026-12-01T10:00',
    );
    await userEvent.click(generate);
    expect((await within(dialog).findByRole('alert')).textContent).toContain('no change CHG-9999');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      type: 'change',
      format: 'pdf',
      change: 'CHG-9999',
      dataAsOf: '2026-12-01T10:00:00Z',
    });
  });

  it('offers no period for a type whose period is optional (the status as of the data)', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/report-types': () => reportTypes,
        'GET /api/v1/reports': () => ({ reports: [], nextCursor: null }),
        'POST /api/v1/reports': () =>
          new Response(JSON.stringify(run({ id: 'run-poam', type: 'fedramp-poam' })), {
            status: 202,
            headers: { 'content-type': 'application/json' },
          }),
        'GET /api/v1/reports/:id': () => run({ id: 'run-poam', type: 'fedramp-poam' }),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: '/reports/runs?generate=1' });
    const dialog = await screen.findByRole('dialog', { name: 'Generate a report' });
    await within(dialog).findByRole('option', { name: 'FedRAMP POA&M' });
    // A type whose period is required has no such choice.
    expect(within(dialog).queryByLabelText(/No period/)).toBeNull();
    await userEvent.selectOptions(within(dialog).getByLabelText('Report type'), 'fedramp-poam');
    await userEvent.click(within(dialog).getByLabelText(/No period/));
    expect(within(dialog).queryByLabelText('Period from')).toBeNull();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Generate' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
        type: 'fedramp-poam',
        format: 'csv',
      }),
    );
  });

  it('lists runs with download for the finished ones and regenerates from the recorded inputs', async () => {
    const runs: ReportRun[] = [
      run({ id: 'r2', title: 'Executive summary', type: 'executive', status: 'running' }),
      run({ id: 'r1' }),
      run({
        id: 'r0',
        title: 'POA&M',
        status: 'failed',
        error: 'chromium missing',
        sizeBytes: null,
      }),
    ];
    const calls = installFakeApi(
      {
        'GET /api/v1/report-types': () => reportTypes,
        'GET /api/v1/reports': () => ({ reports: runs, nextCursor: null }),
        'POST /api/v1/reports/:id/regenerate': () =>
          new Response(JSON.stringify(run({ id: 'r3', status: 'queued' })), {
            status: 202,
            headers: { 'content-type': 'application/json' },
          }),
        'GET /api/v1/reports/:id': (_request, url) =>
          run({ id: url.pathname.split('/').at(-1) ?? '' }),
      },
      auditor,
    );
    const { router } = renderWithApp(routes, { url: '/reports/runs?status=succeeded' });
    const table = await screen.findByRole('table', { name: 'Generated reports' });
    expect(
      new URLSearchParams(calls.find((c) => c.path === '/api/v1/reports')?.search).get('status'),
    ).toBe('succeeded');
    const downloads = within(table).getAllByRole('link', { name: /^Download/ });
    expect(downloads.map((a) => a.getAttribute('href'))).toEqual(['/api/v1/reports/r1/content']);
    // A running report is neither downloadable nor regenerated yet.
    expect(
      within(table).queryByRole('button', { name: /^Regenerate Executive summary/ }),
    ).toBeNull();
    await userEvent.click(
      within(table).getByRole('button', { name: 'Regenerate POA&M from its recorded inputs' }),
    );
    await waitFor(() => expect(router.state.location.pathname).toBe('/reports/runs/r3'));
    expect(
      calls.some((c) => c.method === 'POST' && c.path === '/api/v1/reports/r0/regenerate'),
    ).toBe(true);
  });

  it('shows why a run failed', async () => {
    installFakeApi(
      {
        'GET /api/v1/reports/:id': () =>
          run({ status: 'failed', error: 'chromium is not installed: apt-get install chromium' }),
      },
      auditor,
    );
    renderWithApp(routes, { url: '/reports/runs/run-1' });
    const alert = await screen.findByRole('alert', {}, { timeout: 4000 });
    expect(alert.textContent).toContain('apt-get install chromium');
    expect(screen.queryByRole('link', { name: /^Download/ })).toBeNull();
  });
});

describe('report schedules', () => {
  const schedule: ReportSchedule = {
    id: 's1',
    name: 'Weekly compliance',
    type: 'patch-compliance',
    format: 'pdf',
    rrule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=6;BYMINUTE=0',
    timeZone: 'Europe/Berlin',
    period: 'previous-week',
    scope: {},
    channelIds: ['ch1'],
    enabled: true,
    nextRunAt: '2026-12-07T05:00:00.000Z',
    lastRunAt: null,
    startsAt: '2026-12-01T07:00',
    recipients: ['security@example.org'],
    lastRunId: null,
    createdBy: 'maria.keller',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  };

  it('creates a schedule delivered to a channel, pauses, runs and deletes one', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/report-types': () => reportTypes,
        'GET /api/v1/report-schedules': () => ({ schedules: [schedule] }),
        'POST /api/v1/report-schedules': () => ({ ...schedule, id: 's2' }),
        'PATCH /api/v1/report-schedules/:id': () => ({ ...schedule, enabled: false }),
        'DELETE /api/v1/report-schedules/:id': () => undefined,
        'POST /api/v1/report-schedules/:id/run': () => run({ id: 'r7', status: 'queued' }),
        'GET /api/v1/reports/:id': () => run({ id: 'r7' }),
        'GET /api/v1/notification-channels': () => ({
          channels: [
            {
              id: 'ch1',
              name: 'security mail',
              kind: 'email',
              enabled: true,
              target: 'smtp:25',
              settings: {},
              secrets: [],
              createdAt: '2026-12-01T00:00:00.000Z',
              updatedAt: '2026-12-01T00:00:00.000Z',
            },
          ],
        }),
      },
      reportsManager,
    );
    const { router } = renderWithApp(routes, { url: '/reports/schedules' });
    const table = await screen.findByRole('table', { name: 'Report schedules' }, { timeout: 4000 });
    expect(within(table).getByText('the previous week')).toBeDefined();

    await userEvent.click(screen.getByRole('button', { name: 'New schedule' }));
    const dialog = await screen.findByRole('dialog', { name: 'New report schedule' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Monthly POA&M');
    // Only the types made for a period can be scheduled.
    expect(within(dialog).queryByRole('option', { name: 'Change report' })).toBeNull();
    await userEvent.selectOptions(within(dialog).getByLabelText('Report type'), 'fedramp-poam');
    await userEvent.selectOptions(within(dialog).getByLabelText('When'), 'monthly');
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Period covered'),
      'previous-month',
    );
    const createButton = within(dialog).getByRole('button', { name: 'Create schedule' });
    // A schedule delivers somewhere: no channel, no schedule.
    expect((createButton as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(
      await within(dialog).findByRole('checkbox', { name: 'security mail (email)' }),
    );
    expect((createButton as HTMLButtonElement).disabled).toBe(false);
    await userEvent.type(
      within(dialog).getByLabelText('E-mail recipients (comma-separated)'),
      'ciso@example.org, audit@example.org',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create schedule' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog', { name: 'New report schedule' })).toBeNull(),
    );
    expect(
      calls.find((c) => c.method === 'POST' && c.path === '/api/v1/report-schedules')?.body,
    ).toEqual({
      name: 'Monthly POA&M',
      type: 'fedramp-poam',
      format: 'csv',
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=6;BYMINUTE=0',
      timeZone: 'UTC',
      period: 'previous-month',
      channelIds: ['ch1'],
      recipients: ['ciso@example.org', 'audit@example.org'],
      enabled: true,
    });

    await userEvent.click(screen.getByRole('button', { name: 'Pause Weekly compliance' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ enabled: false }),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Delete Weekly compliance' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete Weekly compliance?' });
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete schedule' }));
    await waitFor(() =>
      expect(
        calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/report-schedules/s1'),
      ).toBe(true),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Run now: Weekly compliance' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/reports/runs/r7'));
  });

  it('is refused without reports:manage', async () => {
    const calls = installFakeApi({}, auditor);
    renderWithApp(routes, { url: '/reports/schedules' });
    await screen.findByText(
      'You do not have permission to open this screen.',
      {},
      { timeout: 4000 },
    );
    expect(screen.getByText('reports:manage')).toBeDefined();
    expect(calls.some((c) => c.path === '/api/v1/report-schedules')).toBe(false);
  });
});
