import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import type { FakeApi } from '../../test-support/render.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AssetDetailScreen } from './asset-detail-screen.tsx';
import type { Asset, Snapshot, SnapshotDiff } from './asset-types.ts';
import { withLaidOutElements } from '../../test-support/layout.ts';

const s1 = '11111111-1111-4111-8111-111111111111';
const s2 = '22222222-2222-4222-8222-222222222222';
const s3 = '33333333-3333-4333-8333-333333333333';

const web01: Asset = {
  id: 'asset-web-01',
  name: 'web-01',
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
    id: s3,
    takenAt: '2026-12-05T09:00:00.000Z',
    format: 'dpkg-query',
    packageCount: 3,
  },
};

const snapshot = (id: string, seq: number): Snapshot => ({
  id,
  seq,
  takenAt: `2026-12-0${seq}T09:00:00.000Z`,
  uploadedAt: `2026-12-0${seq}T09:01:00.000Z`,
  format: 'dpkg-query',
  sourceName: 'dpkg-query.tsv',
  os: { id: 'debian', versionId: '12', ecosystem: 'Debian:12', evidence: 'os-release' },
  packageCount: 3,
  warnings: [],
  packagesPruned: false,
  rawSize: 100,
  rawSha256: 'abc',
});

const diff: SnapshotDiff = {
  from: s1,
  to: s3,
  added: [{ ecosystem: 'Debian:12', name: 'nginx', version: '1.22.1-9' }],
  removed: [{ ecosystem: 'Debian:12', name: 'apache2', version: '2.4.62-1' }],
  changed: [
    {
      ecosystem: 'Debian:12',
      name: 'openssl',
      from: '3.0.11-1',
      to: '3.0.15-1',
      direction: 'upgraded',
    },
  ],
};

const summary = {
  total: 3,
  byState: { open: 3, fixed: 0, reopened: 0 },
  byPriority: { P1: 1, P2: 1, P3: 1, P4: 0, P5: 0 },
  accepted: 0,
  triagedAway: 0,
  overdue: 0,
};

const base: FakeApi = {
  'GET /api/v1/assets/:id': () => web01,
  'GET /api/v1/findings/summary': () => summary,
  'GET /api/v1/agents': () => ({ agents: [] }),
  'GET /api/v1/calendar/windows': () => ({ windows: [] }),
  'GET /api/v1/calendar': () => ({
    from: '2026-11-01T00:00:00Z',
    to: '2027-02-01T00:00:00Z',
    windows: [],
    freezes: [],
    changes: [],
    truncated: false,
  }),
};

const routes = [{ path: '/assets/:assetId', element: <AssetDetailScreen /> }];

const approver: SessionUser = {
  ...adminUser,
  username: 'aisha.khan',
  roles: ['approver'],
  permissions: adminUser.permissions.filter((permission) => permission !== 'assets:write'),
};

describe('AssetDetailScreen', () => {
  withLaidOutElements({ clientWidth: 1000, offsetWidth: 1000 });

  it('shows the history and the diff of two chosen snapshots: added, removed, changed', async () => {
    const calls = installFakeApi({
      ...base,
      'GET /api/v1/assets/:id/snapshots': () => ({
        snapshots: [snapshot(s3, 3), snapshot(s2, 2), snapshot(s1, 1)],
        nextBeforeSeq: null,
      }),
      'GET /api/v1/assets/:id/snapshots/diff': () => diff,
    });
    const { router } = renderWithApp(routes, { url: '/assets/web-01?tab=snapshots' });
    expect(
      await screen.findByRole('tab', { name: 'Snapshot history', selected: true }),
    ).toBeDefined();
    // By default the current snapshot against the one before (the API's defaults: no from/to).
    await screen.findByText('What changed: #1 → #3');
    const firstDiff = calls.find(
      (call) => call.path === '/api/v1/assets/asset-web-01/snapshots/diff',
    );
    expect(firstDiff?.search).toBe('');
    const added = await screen.findByRole('table', { name: 'Added packages' });
    expect(
      screen.getAllByRole('status').some((s) => s.textContent === '1 added1 removed1 changed'),
    ).toBe(true);
    expect(within(added).getByText('nginx')).toBeDefined();
    const removed = screen.getByRole('table', { name: 'Removed packages' });
    expect(within(removed).getByText('apache2')).toBeDefined();
    const changed = screen.getByRole('table', { name: 'Changed packages' });
    expect(within(changed).getByText('openssl')).toBeDefined();
    expect(within(changed).getByText('3.0.11-1')).toBeDefined();
    expect(within(changed).getByText('3.0.15-1')).toBeDefined();
    expect(within(changed).getByText('upgraded')).toBeDefined();

    // Choosing another "from": into the URL and the request.
    await userEvent.click(screen.getByRole('radio', { name: 'from snapshot 1' }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('from')).toBe(s1),
    );
    await waitFor(() => {
      const last = calls.filter((call) => call.path.endsWith('/snapshots/diff')).at(-1);
      expect(new URLSearchParams(last?.search).get('from')).toBe(s1);
    });
  });

  it('says when a diff reaches a pruned snapshot (410)', async () => {
    installFakeApi({
      ...base,
      'GET /api/v1/assets/:id/snapshots': () => ({
        snapshots: [snapshot(s3, 3), { ...snapshot(s1, 1), packagesPruned: true }],
        nextBeforeSeq: null,
      }),
      'GET /api/v1/assets/:id/snapshots/diff': () =>
        new Response(
          JSON.stringify({ status: 410, title: 'Gone', detail: 'pruned', code: 'gone' }),
          {
            status: 410,
            headers: { 'content-type': 'application/problem+json' },
          },
        ),
    });
    renderWithApp(routes, { url: `/assets/web-01?tab=snapshots&from=${s1}` });
    expect(
      await screen.findByText('One of these snapshots was pruned: its packages are no longer kept'),
    ).toBeDefined();
  });

  it('lists and searches the packages of the current snapshot, the search in the URL', async () => {
    const calls = installFakeApi({
      ...base,
      'GET /api/v1/assets/:id/snapshots/:snapshotId/packages': () => ({
        packages: [
          { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1', sourceName: 'openssl' },
          { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.15-1', sourceName: 'openssl' },
          { ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10+deb12u5' },
        ],
        nextAfterSeq: null,
      }),
    });
    const { router } = renderWithApp(routes, { url: '/assets/web-01?tab=inventory' });
    const table = await screen.findByRole('table', { name: 'Installed packages' });
    await within(table).findByText('curl');
    const request = calls.find((call) => call.path.endsWith('/packages'));
    expect(request?.path).toBe(`/api/v1/assets/asset-web-01/snapshots/${s3}/packages`);
    expect(new URLSearchParams(request?.search).get('afterSeq')).toBeNull();
    await userEvent.type(screen.getByLabelText('Search packages'), 'ssl');
    await waitFor(() => expect(within(table).queryByText('curl')).toBeNull());
    expect(within(table).getByText('libssl3')).toBeDefined();
    expect(new URLSearchParams(router.state.location.search).get('pkg')).toBe('ssl');
    expect(screen.getByText('2 of 3 packages')).toBeDefined();
  });

  it('edits the attributes with PATCH (assets:write)', async () => {
    const calls = installFakeApi({
      ...base,
      'PATCH /api/v1/assets/:id': () => ({ ...web01, owner: 'team-edge' }),
    });
    renderWithApp(routes, { url: '/assets/web-01' });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit asset' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit web-01' });
    const owner = within(dialog).getByLabelText('Owner');
    await userEvent.clear(owner);
    await userEvent.type(owner, 'team-edge');
    await userEvent.selectOptions(within(dialog).getByLabelText('Exposure'), 'internal');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'PATCH')).toBe(true));
    const patch = calls.find((call) => call.method === 'PATCH');
    expect(patch?.path).toBe('/api/v1/assets/asset-web-01');
    expect(patch?.body).toEqual({
      name: 'web-01',
      kind: 'host',
      osRelease: 'Debian:12',
      environment: 'production',
      criticality: 'high',
      exposure: 'internal',
      owner: 'team-edge',
      tags: ['pci'],
      groups: ['web'],
    });
  });

  it('deletes the asset only after confirming, then goes back to the list', async () => {
    const calls = installFakeApi({ ...base, 'DELETE /api/v1/assets/:id': () => undefined });
    renderWithApp([...routes, { path: '/assets', element: <p>asset list</p> }], {
      url: '/assets/web-01',
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete asset' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete web-01?' });
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete asset' }));
    expect(await screen.findByText('asset list')).toBeDefined();
    expect(calls.find((call) => call.method === 'DELETE')?.path).toBe(
      '/api/v1/assets/asset-web-01',
    );
  });

  it('shows an approver (no assets:write) the asset without edit or delete', async () => {
    installFakeApi(base, approver);
    renderWithApp(routes, { url: '/assets/web-01' });
    expect(await screen.findByRole('heading', { level: 1, name: 'web-01' })).toBeDefined();
    expect(
      (await screen.findByRole('link', { name: 'Open in findings' })).getAttribute('href'),
    ).toBe('/findings?asset=web-01');
    expect(screen.queryByRole('button', { name: 'Edit asset' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete asset' })).toBeNull();
  });

  it('matches the agent, the windows and the scheduled changes to the asset', async () => {
    installFakeApi({
      ...base,
      'GET /api/v1/agents': () => ({
        agents: [
          {
            id: 'agent-1',
            assetId: 'asset-web-01',
            name: 'web-01',
            hostname: 'web-01.example',
            version: '0.4.2',
            os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
            architecture: 'amd64',
            packageManagers: ['apt'],
            enrolledAt: '2026-11-01T00:00:00.000Z',
            lastSeenAt: '2026-12-06T10:00:00.000Z',
            lastHeartbeatAt: '2026-12-06T10:00:00.000Z',
            online: true,
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
          },
        ],
      }),
      'GET /api/v1/calendar/windows': () => ({
        windows: [
          {
            id: 'w1',
            name: 'web nightly',
            rrule: 'FREQ=DAILY',
            dtstart: '2026-01-01T02:00:00',
            timeZone: 'Europe/Berlin',
            durationMinutes: 120,
            cutoffMinutes: 30,
            selector: { groups: ['web'] },
            selectorText: 'group=web',
            assets: ['web-01'],
            createdAt: '2026-01-01T00:00:00Z',
            updatedAt: '2026-01-01T00:00:00Z',
          },
          {
            id: 'w2',
            name: 'database Sunday',
            rrule: 'FREQ=WEEKLY',
            dtstart: '2026-01-04T02:00:00',
            timeZone: 'Europe/Berlin',
            durationMinutes: 240,
            cutoffMinutes: 30,
            selector: { groups: ['db'] },
            selectorText: 'group=db',
            assets: ['db-01'],
            createdAt: '2026-01-01T00:00:00Z',
            updatedAt: '2026-01-01T00:00:00Z',
          },
        ],
      }),
    });
    const { router } = renderWithApp(routes, { url: '/assets/web-01?tab=agent' });
    expect(await screen.findByText('Debian GNU/Linux 12 (bookworm)')).toBeDefined();
    expect(screen.getByText('pending (linux-image-amd64)')).toBeDefined();
    await userEvent.click(screen.getByRole('tab', { name: 'Maintenance windows (1)' }));
    expect(new URLSearchParams(router.state.location.search).get('tab')).toBe('windows');
    expect(await screen.findByText('web nightly')).toBeDefined();
    expect(screen.queryByText('database Sunday')).toBeNull();
  });
});
