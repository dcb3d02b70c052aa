import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { auditor, reportsManager } from '../reports/report-fixtures.ts';
import { ImprovementsScreen } from './improvements-screen.tsx';
import type { ImprovementAction, Recommendation } from './types.ts';

const routes = [{ path: '/improvements', element: <ImprovementsScreen /> }];

const openssl: Recommendation = {
  id: 'rec-1',
  rule: 'canary-failures',
  subjectKey: 'package:openssl',
  title: 'Changes to openssl failed in the canary wave 2 of 5 times: add a test wave',
  detail: 'The canary caught both failures; a test wave before it would catch them earlier.',
  evidence: {
    period: { from: '2026-09-01', to: '2026-11-30' },
    counts: { changes: 5, failedInCanary: 2 },
    changes: [
      {
        id: 'c1',
        number: 'CHG-0003',
        title: 'openssl on web',
        at: '2026-10-01T22:00:00.000Z',
        note: '2 hosts failed in wave canary',
      },
      {
        id: 'c2',
        number: 'CHG-0007',
        title: 'openssl on db',
        at: '2026-11-01T22:00:00.000Z',
        note: '1 host failed in wave canary',
      },
    ],
    facts: { package: 'openssl' },
  },
  action: {
    kind: 'add-test-wave',
    template: 'openssl-monthly',
    wave: { name: 'test', environments: ['test'], bakeMinutes: 30 },
  },
  state: 'open',
  decidedBy: null,
  decidedAt: null,
  reason: null,
  applied: null,
  createdAt: '2026-12-01T06:00:00.000Z',
  updatedAt: '2026-12-01T06:00:00.000Z',
};
const windows: Recommendation = {
  ...openssl,
  id: 'rec-2',
  rule: 'window-overrun',
  subjectKey: 'window:db-weekly',
  title: 'Windows for group db overran 3 times: lengthen by 30 minutes',
  detail: 'Three rollouts ended after their window.',
  evidence: {
    period: { from: '2026-09-01', to: '2026-11-30' },
    counts: { overruns: 3, meanOverrunMinutes: 22 },
    changes: [],
    facts: { window: 'db-weekly' },
  },
  action: { kind: 'lengthen-window', windowId: 'w1', windowName: 'db-weekly', byMinutes: 30 },
};

const actions: ImprovementAction[] = [
  {
    id: 'a1',
    title: 'Add a smoke test for nginx reloads',
    state: 'open',
    owner: 'maria.keller',
    dueDate: '2020-01-15',
    note: null,
    source: 'review',
    changeId: 'c1',
    recommendationId: null,
    overdue: true,
    closedBy: null,
    closedAt: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
  },
];

const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ status, title: 'Refused', detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

describe('ImprovementsScreen', () => {
  it('shows recommendations with their evidence and accepts one', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/recommendations': () => ({ recommendations: [openssl, windows] }),
        'POST /api/v1/recommendations/:id/accept': () => ({ ...openssl, state: 'accepted' }),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: '/improvements' });
    const list = await screen.findByRole('list', { name: 'Recommendations' });
    expect(
      new URLSearchParams(calls.find((c) => c.path === '/api/v1/recommendations')?.search).get(
        'state',
      ),
    ).toBe('open');
    const evidence = within(list).getByRole('table', { name: `Changes behind: ${openssl.title}` });
    expect(within(evidence).getByRole('link', { name: 'CHG-0007' }).getAttribute('href')).toBe(
      '/changes/c2',
    );
    expect(within(evidence).getByRole('row', { name: /CHG-0003/ }).textContent).toContain(
      '2 hosts failed in wave canary',
    );
    expect(within(list).getByText('Mean overrun minutes').nextSibling?.textContent).toBe('22');
    expect(within(list).getByText('lengthen the window db-weekly by 30 minutes')).toBeDefined();

    await userEvent.click(screen.getByRole('button', { name: `Accept: ${openssl.title}` }));
    const dialog = await screen.findByRole('dialog', { name: 'Accept this recommendation?' });
    expect(dialog.textContent).toContain(
      'add a test wave "test" (test, bake 30 minutes) to the template openssl-monthly',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Accept' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.path).toBe(
        '/api/v1/recommendations/rec-1/accept',
      ),
    );
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({});
    // Asked again after the decision.
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/recommendations')).toHaveLength(2),
    );
  });

  it('dismisses only with a reason, and shows the server refusing', async () => {
    let refused = false;
    const calls = installFakeApi(
      {
        'GET /api/v1/recommendations': () => ({ recommendations: [windows] }),
        'POST /api/v1/recommendations/:id/dismiss': () => {
          if (!refused) {
            refused = true;
            return problem(409, 'the recommendation was decided already');
          }
          return { ...windows, state: 'dismissed' };
        },
      },
      reportsManager,
    );
    renderWithApp(routes, { url: '/improvements' });
    await userEvent.click(await screen.findByRole('button', { name: `Dismiss: ${windows.title}` }));
    const dialog = await screen.findByRole('dialog', { name: 'Dismiss this recommendation?' });
    const confirm = within(dialog).getByRole('button', { name: 'Dismiss' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(
      within(dialog).getByLabelText('Why dismiss it'),
      'the db window is fixed by contract',
    );
    await userEvent.click(confirm);
    expect((await within(dialog).findByRole('alert')).textContent).toContain('decided already');
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(screen.queryByRole('dialog', { name: 'Dismiss this recommendation?' })).toBeNull(),
    );
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { reason: 'the db window is fixed by contract' },
      { reason: 'the db window is fixed by contract' },
    ]);
  });

  it('lets a reader see but not decide, and filters by state in the URL', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/recommendations': () => ({
          recommendations: [
            {
              ...openssl,
              state: 'dismissed',
              decidedBy: 'maria.keller',
              decidedAt: '2026-12-02T10:00:00.000Z',
              reason: 'not now',
            },
          ],
        }),
      },
      auditor,
    );
    const { router } = renderWithApp(routes, { url: '/improvements?state=dismissed' });
    await screen.findByRole('list', { name: 'Recommendations' });
    expect(screen.getByText(/dismissed by maria\.keller .* “not now”/)).toBeDefined();
    expect(screen.queryByRole('button', { name: /^Accept/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Refresh recommendations' })).toBeNull();
    await userEvent.selectOptions(screen.getByLabelText('State'), 'all');
    expect(router.state.location.search).toBe('?state=all');
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/recommendations')).toHaveLength(2),
    );
    expect(calls.at(-1)?.search).toBe('');
  });

  it('refreshes the recommendations', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/recommendations': () => ({ recommendations: [] }),
        'POST /api/v1/recommendations/refresh': () => ({
          created: 0,
          updated: 1,
          resolved: 2,
          actionsFromReviews: 0,
          open: 0,
        }),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: '/improvements' });
    await screen.findByText('No open recommendation: the reviews show nothing that recurs.');
    await userEvent.click(screen.getByRole('button', { name: 'Refresh recommendations' }));
    expect((await screen.findByRole('status')).textContent).toContain('2 resolved; 0 open');
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/recommendations')).toHaveLength(2),
    );
    expect(
      calls.some((c) => c.method === 'POST' && c.path === '/api/v1/recommendations/refresh'),
    ).toBe(true);
  });

  it('tracks follow-up actions: overdue shown, updated and created', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/improvement-actions': () => ({ actions }),
        'PATCH /api/v1/improvement-actions/:id': () => ({ ...actions[0], state: 'done' }),
        'POST /api/v1/improvement-actions': () => ({ ...actions[0], id: 'a2' }),
      },
      reportsManager,
    );
    renderWithApp(routes, { url: '/improvements?tab=actions' });
    const table = await screen.findByRole('table', { name: 'Follow-up actions' });
    const row = within(table).getByRole('row', { name: /smoke test/ });
    expect(within(row).getByText('overdue')).toBeDefined();
    expect(
      within(row).getByRole('link', { name: 'the change’s review' }).getAttribute('href'),
    ).toBe('/changes/c1');

    await userEvent.click(
      within(row).getByRole('button', { name: 'Update Add a smoke test for nginx reloads' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Update: Add a smoke test for nginx reloads',
    });
    await userEvent.selectOptions(within(dialog).getByLabelText('State'), 'done');
    await userEvent.type(within(dialog).getByLabelText('Note'), 'added in the template');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        state: 'done',
        owner: 'maria.keller',
        dueDate: '2020-01-15',
        note: 'added in the template',
      }),
    );
    expect(calls.find((c) => c.method === 'PATCH')?.path).toBe('/api/v1/improvement-actions/a1');

    await userEvent.click(screen.getByRole('button', { name: 'New action' }));
    const create = await screen.findByRole('dialog', { name: 'New follow-up action' });
    await userEvent.type(within(create).getByLabelText('What to do'), 'Document the db failover');
    await userEvent.click(within(create).getByRole('button', { name: 'Create action' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
        title: 'Document the db failover',
      }),
    );
  });

  it('shows the review trends for a period, each change a link', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/review-trends': () => ({
          period: { from: '2026-09-01', to: '2026-11-30' },
          changes: 12,
          failedChanges: 3,
          failureCauses: [
            {
              cause: 'install: dpkg conflict',
              kind: 'install',
              step: 'dpkg',
              failures: 3,
              changes: [{ id: 'c1', number: 'CHG-0003' }],
            },
          ],
          packages: [
            {
              package: 'openssl',
              changes: 5,
              failedChanges: 2,
              failedInFirstWave: 2,
              failureRate: 0.4,
              failed: [{ id: 'c1', number: 'CHG-0003' }],
            },
          ],
          assetGroups: [],
          waves: [
            {
              wave: 'canary',
              position: 0,
              changes: 8,
              caught: 2,
              hostFailures: 3,
              caughtIn: [{ id: 'c2', number: 'CHG-0007' }],
            },
          ],
          windows: [
            {
              windowId: 'w1',
              windowName: 'db-weekly',
              durationMinutes: 120,
              changes: 4,
              overruns: 3,
              maxOverrunMinutes: 41.5,
              overran: [{ id: 'c4', number: 'CHG-0011', overrunMinutes: 41.5 }],
            },
          ],
        }),
      },
      auditor,
    );
    renderWithApp(routes, { url: '/improvements?tab=trends&from=2026-09-01&to=2026-11-30' });
    const causes = await screen.findByRole(
      'table',
      { name: 'Recurring failure causes' },
      { timeout: 4000 },
    );
    expect(within(causes).getByRole('link', { name: 'CHG-0003' }).getAttribute('href')).toBe(
      '/changes/c1',
    );
    const packages = screen.getByRole('table', { name: 'Packages that fail more often' });
    expect(within(packages).getByRole('row', { name: /openssl/ }).textContent).toContain('40 %');
    expect(screen.getByText('No asset group was changed in this period.')).toBeDefined();
    const windowsTable = screen.getByRole('table', { name: 'Windows that overrun' });
    expect(within(windowsTable).getByRole('row', { name: /db-weekly/ }).textContent).toContain(
      '42 min',
    );
    expect(screen.getByText(/12 changes reviewed or rolled out/)).toBeDefined();
    expect(
      Object.fromEntries(
        new URLSearchParams(calls.find((c) => c.path === '/api/v1/review-trends')?.search),
      ),
    ).toEqual({ from: '2026-09-01', to: '2026-11-30' });
  });
});
