import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AssetListScreen } from './asset-list-screen.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import type { Asset, AssetPage } from './asset-types.ts';

const asset = (name: string, overrides: Partial<Asset> = {}): Asset => ({
  id: `id-${name}`,
  name,
  kind: 'host',
  osRelease: 'Debian:12',
  environment: 'production',
  criticality: 'high',
  exposure: 'internet',
  owner: 'team-web',
  tags: ['pci'],
  groups: ['web'],
  maintenanceWindow: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:00.000Z',
  currentSnapshot: {
    id: `snap-${name}`,
    takenAt: '2026-12-05T09:00:00.000Z',
    format: 'dpkg-query',
    packageCount: 412,
  },
  ...overrides,
});

const page = (assets: Asset[]): AssetPage => ({ assets, nextCursor: null, total: assets.length });

const summary = {
  total: 9,
  byState: { open: 7, fixed: 2, reopened: 0 },
  byPriority: { P1: 2, P2: 1, P3: 3, P4: 1, P5: 0 },
  accepted: 0,
  triagedAway: 0,
  overdue: 1,
};

const agent = {
  id: 'agent-1',
  assetId: 'id-web-01',
  name: 'web-01',
  hostname: 'web-01',
  version: '0.4.2',
  os: { id: 'debian', versionId: '12' },
  architecture: 'amd64',
  packageManagers: ['apt'],
  enrolledAt: '2026-11-01T00:00:00.000Z',
  lastSeenAt: '2026-12-06T10:00:00.000Z',
  lastHeartbeatAt: '2026-12-06T10:00:00.000Z',
  online: false,
  clockSkewMs: 10,
  bootId: 'b',
  rebootRequired: true,
  rebootPackages: ['linux-image-amd64'],
  servicesNeedingRestart: [],
  queuedResults: 0,
  runningTaskId: null,
  lastInventoryAt: null,
  lastUpdatesAt: null,
  revokedAt: null,
};

const routes = [
  { path: '/assets', element: <AssetListScreen /> },
  { path: '/assets/:assetId', element: <p>asset detail</p> },
];

const approver: SessionUser = {
  ...adminUser,
  username: 'aisha.khan',
  roles: ['approver'],
  permissions: adminUser.permissions.filter(
    (permission) => permission !== 'assets:write' && permission !== 'users:manage',
  ),
};

describe('AssetListScreen', () => {
  withLaidOutElements({ clientWidth: 1000, offsetWidth: 1000 });

  it('sends the URL’s filters to GET /assets, and a changed filter goes into the URL and a new request', async () => {
    const calls = installFakeApi({
      'GET /api/v1/assets': () => page([asset('web-01')]),
      'GET /api/v1/agents': () => ({ agents: [agent] }),
      'GET /api/v1/findings/summary': () => summary,
    });
    const { router } = renderWithApp(routes, {
      url: '/assets?environment=production&group=web&sort=updatedAt&order=desc',
    });
    const table = await screen.findByRole('table', { name: 'Assets' });
    const first = calls.find((call) => call.path === '/api/v1/assets');
    const sent = new URLSearchParams(first?.search);
    expect(Object.fromEntries(sent)).toEqual({
      environment: 'production',
      group: 'web',
      sort: 'updatedAt',
      order: 'desc',
      limit: '200',
    });
    // The row: a link to the asset, its agent (offline, reboot pending), its open findings.
    expect((await within(table).findByRole('link', { name: 'web-01' })).getAttribute('href')).toBe(
      '/assets/id-web-01',
    );
    expect(within(table).getByText('offline')).toBeDefined();
    expect(within(table).getByText('reboot pending')).toBeDefined();
    expect(
      (await within(table).findByRole('link', { name: /^7 open findings on web-01/ })).getAttribute(
        'href',
      ),
    ).toBe('/findings?asset=web-01');

    await userEvent.selectOptions(screen.getByLabelText('Criticality'), 'critical');
    await userEvent.type(screen.getByLabelText('Name contains'), 'db');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('q')).toBe('db'),
    );
    const params = new URLSearchParams(router.state.location.search);
    expect(params.get('criticality')).toBe('critical');
    expect(params.get('environment')).toBe('production');
    const last = calls.filter((call) => call.path === '/api/v1/assets').at(-1);
    expect(new URLSearchParams(last?.search).get('criticality')).toBe('critical');
    expect(new URLSearchParams(last?.search).get('q')).toBe('db');
  });

  it('sorts by a header: the sort goes into the URL and to the server', async () => {
    const calls = installFakeApi({
      'GET /api/v1/assets': () => page([asset('web-01'), asset('db-01')]),
      'GET /api/v1/agents': () => ({ agents: [] }),
      'GET /api/v1/findings/summary': () => summary,
    });
    const { router } = renderWithApp(routes, { url: '/assets' });
    await screen.findByRole('table', { name: 'Assets' });
    await userEvent.click(screen.getByRole('button', { name: /Name/ }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('order')).toBe('desc'),
    );
    const last = calls.filter((call) => call.path === '/api/v1/assets').at(-1);
    expect(new URLSearchParams(last?.search).get('order')).toBe('desc');
    expect(new URLSearchParams(last?.search).get('sort')).toBe('name');
  });

  it('creates an asset in a dialog (assets:write) and opens it', async () => {
    const calls = installFakeApi({
      'GET /api/v1/assets': () => page([]),
      'GET /api/v1/agents': () => ({ agents: [] }),
      'POST /api/v1/assets': () => asset('web-02'),
    });
    renderWithApp(routes, { url: '/assets' });
    expect(await screen.findByText('No assets yet')).toBeDefined();
    await userEvent.click(screen.getByRole('button', { name: 'New asset' }));
    const dialog = await screen.findByRole('dialog', { name: 'New asset' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'web-02');
    await userEvent.selectOptions(within(dialog).getByLabelText('Environment'), 'production');
    await userEvent.type(within(dialog).getByLabelText('Groups'), 'web, edge');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create asset' }));
    expect(await screen.findByText('asset detail')).toBeDefined();
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      name: 'web-02',
      kind: 'host',
      osRelease: null,
      environment: 'production',
      criticality: 'medium',
      exposure: 'unknown',
      owner: null,
      tags: [],
      groups: ['web', 'edge'],
    });
  });

  it('imports a JSON list of assets and says what it did; refuses what is not JSON', async () => {
    const calls = installFakeApi({
      'GET /api/v1/assets': () => page([asset('web-01')]),
      'GET /api/v1/agents': () => ({ agents: [] }),
      'GET /api/v1/findings/summary': () => summary,
      'POST /api/v1/assets/import': () => ({ created: 1, updated: 1, unchanged: 0 }),
    });
    renderWithApp(routes, { url: '/assets' });
    await userEvent.click(await screen.findByRole('button', { name: 'Import assets' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import assets' });
    const field = within(dialog).getByLabelText('Assets (JSON array)');
    await userEvent.type(field, 'not json');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/^This is not JSON/);
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
    await userEvent.clear(field);
    await userEvent.click(field);
    await userEvent.paste('[{"name":"web-02","environment":"production"},{"name":"web-01"}]');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    expect((await within(dialog).findByRole('status')).textContent).toBe(
      'Created 1, updated 1, unchanged 0.',
    );
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual([
      { name: 'web-02', environment: 'production' },
      { name: 'web-01' },
    ]);
  });

  it('offers no create or import to a role without assets:write, and says when nothing matches', async () => {
    installFakeApi(
      {
        'GET /api/v1/assets': () => page([]),
        'GET /api/v1/agents': () => ({ agents: [] }),
      },
      approver,
    );
    renderWithApp(routes, { url: '/assets?exposure=internet' });
    expect(await screen.findByText('No asset matches these filters')).toBeDefined();
    expect(screen.queryByRole('button', { name: 'New asset' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Import assets' })).toBeNull();
  });

  it('shows the server’s error', async () => {
    installFakeApi({
      'GET /api/v1/assets': () =>
        new Response(JSON.stringify({ status: 500, title: 'Internal', detail: 'database down' }), {
          status: 500,
          headers: { 'content-type': 'application/problem+json' },
        }),
      'GET /api/v1/agents': () => ({ agents: [] }),
    });
    renderWithApp(routes, { url: '/assets' });
    expect((await screen.findByRole('alert')).textContent).toContain('database down');
  });
});
