import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import type { FakeApi } from '../../test-support/render.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { changeDetail } from '../changes/change-fixtures.ts';
import { AssetDetailScreen } from './asset-detail-screen.tsx';
import type { Asset } from './asset-types.ts';

const web01: Asset = {
  id: 'asset-web-01',
  name: 'web-01',
  kind: 'host',
  osRelease: 'Debian:12',
  environment: 'production',
  criticality: 'high',
  exposure: 'internet',
  owner: 'team-web',
  tags: [],
  groups: ['web'],
  maintenanceWindow: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:00.000Z',
  currentSnapshot: null,
};

const base: FakeApi = {
  'GET /api/v1/assets/:id': () => web01,
  'GET /api/v1/findings/summary': () => ({
    total: 0,
    byState: { open: 0, fixed: 0, reopened: 0 },
    byPriority: { P1: 0, P2: 0, P3: 0, P4: 0, P5: 0 },
    accepted: 0,
    triagedAway: 0,
    overdue: 0,
  }),
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

const draft = changeDetail({
  id: '33333333-3333-4333-8333-333333333333',
  number: 'CHG-0009',
  title: 'Draft for the kernel',
  state: 'draft',
});
const closed = changeDetail({
  id: '44444444-4444-4444-8444-444444444444',
  number: 'CHG-0002',
  title: 'Old openssl update',
  state: 'closed',
  schedule: { start: '2026-11-03T20:00:00.000Z', end: '2026-11-03T22:00:00.000Z' },
});

describe('The asset’s Changes tab', () => {
  it('lists every change whose scope has the asset, in any state, a page at a time', async () => {
    const calls = installFakeApi({
      ...base,
      'GET /api/v1/changes': (_request: Request, url: URL) =>
        url.searchParams.get('cursor') === null
          ? { changes: [draft], nextCursor: 'page-2' }
          : { changes: [closed], nextCursor: null },
    });
    renderWithApp(routes, { url: '/assets/web-01?tab=changes' });
    const table = await screen.findByRole('table', { name: 'Changes touching web-01' });
    // Asked by the asset's id, not read off the calendar.
    const first = calls.find((c) => c.path === '/api/v1/changes');
    expect(Object.fromEntries(new URLSearchParams(first?.search))).toEqual({
      assetId: 'asset-web-01',
      limit: '50',
    });
    const link = within(table).getByRole('link', { name: 'CHG-0009 Draft for the kernel' });
    expect(link.getAttribute('href')).toBe('/changes/CHG-0009');
    expect(within(table).getByText('not scheduled')).toBeDefined();
    await userEvent.click(screen.getByRole('button', { name: 'Load more changes' }));
    expect(
      await within(table).findByRole('link', { name: 'CHG-0002 Old openssl update' }),
    ).toBeDefined();
    const second = calls.filter((c) => c.path === '/api/v1/changes').at(-1);
    expect(new URLSearchParams(second?.search).get('cursor')).toBe('page-2');
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Load more changes' })).toBeNull(),
    );
  });

  it('says when no change touches the asset, and shows a failure with a retry', async () => {
    let fail = true;
    installFakeApi({
      ...base,
      'GET /api/v1/changes': () =>
        fail
          ? new Response(
              JSON.stringify({ status: 500, title: 'Internal error', code: 'internal_error' }),
              { status: 500, headers: { 'content-type': 'application/problem+json' } },
            )
          : { changes: [], nextCursor: null },
    });
    renderWithApp(routes, { url: '/assets/web-01?tab=changes' });
    const retry = await screen.findByRole('button', { name: /Retry|Try again/ });
    fail = false;
    await userEvent.click(retry);
    expect(await screen.findByText('No change has this asset in its scope')).toBeDefined();
  });

  it('does not ask without changes:read, and says why', async () => {
    const noChanges: SessionUser = {
      ...adminUser,
      username: 'asset.reader',
      roles: ['viewer'],
      permissions: ['assets:read', 'findings:read'],
    };
    const calls = installFakeApi(base, noChanges);
    renderWithApp(routes, { url: '/assets/web-01?tab=changes' });
    expect(
      await screen.findByText(
        'Reading changes needs the permission to read changes (changes:read).',
      ),
    ).toBeDefined();
    expect(calls.some((c) => c.path === '/api/v1/changes')).toBe(false);
  });
});
