import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { operations } from '../../api/client.ts';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { DashboardScreen } from './dashboard-screen.tsx';

type Dashboard = operations['getDashboard']['responses'][200]['content']['application/json'];

const exact = (query: Record<string, string>) => ({ query, exact: true, note: null });
const cell = (count: number, query: Record<string, string>) => ({ count, filter: exact(query) });
const row = (
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5',
  counts: [number, number, number, number],
) => ({
  priority,
  total: counts.reduce((a, b) => a + b, 0),
  overdue: cell(counts[0], { priority, overdue: 'true' }),
  dueSoon: cell(counts[1], { priority, due: 'soon' }),
  later: cell(counts[2], { priority, due: 'later' }),
  noDueDate: cell(counts[3], { priority, due: 'none' }),
  filter: exact({ priority }),
});

const weeks = Array.from({ length: 12 }, (_, i) => {
  const start = new Date(Date.UTC(2026, 8, 21 + 7 * i)).toISOString().slice(0, 10);
  const end = new Date(Date.UTC(2026, 8, 28 + 7 * i)).toISOString().slice(0, 10);
  const counted = i === 11 ? 4 : i === 10 ? 0 : 2;
  const met = i === 11 ? 3 : i === 10 ? 0 : 2;
  return {
    weekStart: start,
    weekEnd: end,
    counted,
    met,
    compliance: counted === 0 ? null : met / counted,
    filter: {
      query: { status: 'all', dueBefore: end, sort: 'due' },
      exact: false,
      note: 'superset',
    },
  };
});

const full: Dashboard = {
  generatedAt: '2026-12-09T08:00:00.000Z',
  today: '2026-12-09',
  findings: {
    open: 19,
    filter: exact({}),
    overdue: 5,
    byPriority: [
      row('P1', [2, 1, 0, 0]),
      row('P2', [3, 0, 4, 1]),
      row('P3', [0, 0, 6, 2]),
      row('P4', [0, 0, 0, 0]),
      row('P5', [0, 0, 0, 0]),
    ],
    overdueByTeam: [
      {
        team: 'team-web',
        count: 3,
        assets: ['web-01', 'web-02'],
        filter: exact({ overdue: 'true', ownerTeam: 'team-web' }),
        assetsQuery: { owner: 'team-web' },
      },
      {
        team: 'team-data',
        count: 2,
        assets: ['db-01'],
        filter: exact({ overdue: 'true', ownerTeam: 'team-data' }),
        assetsQuery: { owner: 'team-data' },
      },
      {
        team: null,
        count: 1,
        assets: ['x-01'],
        filter: exact({ overdue: 'true', noOwnerTeam: 'true' }),
        assetsQuery: null,
      },
    ],
    overdueByEnvironment: [
      {
        environment: 'production',
        count: 4,
        filter: exact({ overdue: 'true', environment: 'production' }),
      },
      {
        environment: 'staging',
        count: 1,
        filter: exact({ overdue: 'true', environment: 'staging' }),
      },
    ],
    kevInternet: {
      count: 1,
      filter: exact({ kev: 'true', exposure: 'internet' }),
      top: [
        {
          id: '11111111-1111-4111-8111-111111111111',
          assetId: 'a1',
          assetName: 'web-01',
          advisoryId: 'CVE-2024-6387',
          packageName: 'openssh-server',
          priority: 'P1',
          dueDate: '2026-12-01',
          overdue: true,
        },
      ],
    },
    assets: 3,
  },
  sla: { target: 0.9, definition: 'per week…', weeks },
  changes: {
    weekStart: '2026-12-07T00:00:00.000Z',
    weekEnd: '2026-12-14T00:00:00.000Z',
    count: 1,
    items: [
      {
        id: 'c1',
        number: 'CHG-0007',
        title: 'openssh on the web tier',
        state: 'scheduled',
        start: '2026-12-10T20:00:00.000Z',
        end: '2026-12-10T22:00:00.000Z',
        assets: 2,
      },
    ],
  },
  rollouts: {
    count: 1,
    items: [
      {
        id: 'r1',
        changeId: 'c0',
        changeNumber: 'CHG-0005',
        changeTitle: 'nginx',
        phase: 'running',
        currentWave: 'canary',
        hostsDone: 1,
        hostsTotal: 4,
        progress: 0.25,
        startedAt: '2026-12-09T07:00:00.000Z',
      },
    ],
  },
  agents: {
    total: 3,
    notReporting: [{ agentId: 'g1', assetId: 'a9', name: 'mail-01', lastSeenAt: null }],
  },
};

const routes = [
  { path: '/', element: <DashboardScreen /> },
  { path: '/findings', element: <p>findings list</p> },
];

const hrefOf = (name: string | RegExp) => screen.getByRole('link', { name }).getAttribute('href');

describe('DashboardScreen', () => {
  it('draws every figure as a link into the list it counts', async () => {
    const calls = installFakeApi({ 'GET /api/v1/dashboard': () => full });
    renderWithApp(routes);
    await screen.findByRole('link', { name: 'P1 overdue: 2 findings' });
    // One call feeds the whole screen.
    expect(calls.filter((c) => c.path === '/api/v1/dashboard')).toHaveLength(1);

    expect(hrefOf('P1 overdue: 2 findings')).toBe('/findings?priority=P1&overdue=true');
    expect(hrefOf('P1 due within 7 days: 1 finding')).toBe('/findings?priority=P1&due=soon');
    expect(hrefOf('P2 due later: 4 findings')).toBe('/findings?priority=P2&due=later');
    expect(hrefOf('P3 no due date: 2 findings')).toBe('/findings?priority=P3&due=none');
    expect(hrefOf('P3: 8 findings')).toBe('/findings?priority=P3');
    // Zero segments are not drawn.
    expect(screen.queryByRole('link', { name: /^P1 due later/ })).toBeNull();
    expect(screen.queryByRole('link', { name: /^P4 overdue/ })).toBeNull();

    expect(hrefOf('19 open findings')).toBe('/findings');
    expect(hrefOf('5 overdue')).toBe('/findings?overdue=true');
    expect(hrefOf('1 KEV on internet-facing assets')).toBe('/findings?kev=true&exposure=internet');
    // A team's overdue findings, whatever the number of its assets.
    expect(hrefOf('team-data overdue: 2 findings')).toBe(
      '/findings?overdue=true&ownerTeam=team-data',
    );
    expect(hrefOf('team-web overdue: 3 findings')).toBe(
      '/findings?overdue=true&ownerTeam=team-web',
    );
    expect(hrefOf('no owner team overdue: 1 finding')).toBe(
      '/findings?overdue=true&noOwnerTeam=true',
    );
    expect(hrefOf('production overdue: 4 findings')).toBe(
      '/findings?overdue=true&environment=production',
    );
    expect(hrefOf('Week of 07 Dec 2026: 75 % on time (3 of 4 findings)')).toBe(
      '/findings?status=all&dueBefore=2026-12-14&sort=due',
    );
    // A week with nothing counted has no point.
    expect(screen.queryByRole('link', { name: /^Week of 30 Nov 2026/ })).toBeNull();
    expect(hrefOf('CVE-2024-6387 · openssh-server')).toBe(
      '/findings/11111111-1111-4111-8111-111111111111',
    );
    expect(hrefOf('CHG-0007 openssh on the web tier')).toBe('/changes/c1');
    expect(hrefOf('CHG-0005 nginx')).toBe('/rollouts/r1');
    expect(
      screen
        .getByRole('progressbar', { name: 'CHG-0005: 1 of 4 hosts done' })
        .getAttribute('aria-valuenow'),
    ).toBe('25');
    expect(hrefOf('1 agents not reporting')).toBe('/admin/agents');
    expect(hrefOf('mail-01')).toBe('/assets/a9');
    expect(screen.getByText('never seen')).toBeDefined();
  });

  it('gives every chart a table of its numbers', async () => {
    installFakeApi({ 'GET /api/v1/dashboard': () => full });
    renderWithApp(routes);
    const table = await screen.findByRole('table', {
      name: 'Open findings by priority and due status',
    });
    const p2 = within(table).getByRole('row', { name: /^P2/ });
    expect(
      within(p2)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['3', '0', '4', '1', '8']);
    const sla = screen.getByRole('table', { name: 'SLA compliance per week' });
    expect(within(sla).getAllByRole('row')).toHaveLength(13);
    expect(within(sla).getByRole('row', { name: /07 Dec 2026/ }).textContent).toContain('75 %');
  });

  it('opens the filtered findings list when a bar is clicked', async () => {
    installFakeApi({ 'GET /api/v1/dashboard': () => full });
    const { router } = renderWithApp(routes);
    await userEvent.click(await screen.findByRole('link', { name: 'P2 overdue: 3 findings' }));
    expect(await screen.findByText('findings list')).toBeDefined();
    expect(router.state.location.search).toBe('?priority=P2&overdue=true');
  });

  it('leaves out changes, rollouts and agents when the server does', async () => {
    const findingsOnly: Dashboard = {
      generatedAt: full.generatedAt,
      today: full.today,
      findings: full.findings,
      sla: full.sla,
    };
    installFakeApi({ 'GET /api/v1/dashboard': () => findingsOnly });
    renderWithApp(routes);
    await screen.findByRole('heading', { name: 'Open findings by priority and due status' });
    expect(screen.queryByRole('heading', { name: 'Changes this week' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Rollouts running' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Agents not reporting' })).toBeNull();
  });

  it('says how to start when there is no asset yet', async () => {
    installFakeApi({
      'GET /api/v1/dashboard': () => ({
        ...full,
        findings: {
          ...full.findings,
          assets: 0,
          open: 0,
          overdue: 0,
          overdueByTeam: [],
          overdueByEnvironment: [],
        },
      }),
    });
    renderWithApp(routes);
    expect(
      await screen.findByText('No findings yet: add an asset and upload its inventory.'),
    ).toBeDefined();
    expect(hrefOf('Add an asset')).toBe('/assets');
    expect(screen.queryByRole('link', { name: /overdue:/ })).toBeNull();
  });

  it('shows the error with a retry when the dashboard cannot be loaded', async () => {
    let attempts = 0;
    installFakeApi({
      'GET /api/v1/dashboard': () => {
        attempts += 1;
        return attempts === 1
          ? new Response(
              JSON.stringify({
                status: 500,
                title: 'Internal Server Error',
                detail: 'database unavailable',
              }),
              {
                status: 500,
                headers: { 'content-type': 'application/problem+json' },
              },
            )
          : full;
      },
    });
    renderWithApp(routes);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The dashboard could not be loaded');
    expect(alert.textContent).toContain('database unavailable');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'P1 overdue: 2 findings' })).toBeDefined();
  });

  it('does not ask without the permission to read findings', async () => {
    const calls = installFakeApi(
      { 'GET /api/v1/dashboard': () => full },
      { ...adminUser, permissions: ['changes:read'] },
    );
    renderWithApp(routes);
    expect(
      await screen.findByText('The dashboard needs the permission to read findings.'),
    ).toBeDefined();
    expect(calls.some((c) => c.path === '/api/v1/dashboard')).toBe(false);
  });
});
