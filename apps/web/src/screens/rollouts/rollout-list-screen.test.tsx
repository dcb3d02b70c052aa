import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { paths } from '../../api/client.ts';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { RolloutListScreen, pageSize } from './rollout-list-screen.tsx';

type RolloutSummary =
  paths['/api/v1/rollouts']['get']['responses']['200']['content']['application/json']['rollouts'][number];

const summary = (n: number, phase = 'completed'): RolloutSummary => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  change: {
    id: `c${n}`,
    number: `CHG-${String(n).padStart(4, '0')}`,
    title: `change ${n}`,
    state: 'closed',
  },
  dryRun: false,
  phase: phase as RolloutSummary['phase'],
  reason: null,
  currentWave: null,
  createdAt: '2026-12-06T10:00:00.000Z',
  startedAt: '2026-12-06T10:00:00.000Z',
  finishedAt: '2026-12-06T11:00:00.000Z',
  options: { offlineHosts: 'wait', reboot: 'never' },
  createdBy: 'system',
  updatedAt: '2026-12-06T11:00:00.000Z',
  version: 3,
  leaseOwner: null,
});

const routes = [{ path: '/rollouts', element: <RolloutListScreen /> }];

describe('RolloutListScreen pages', () => {
  withLaidOutElements();

  it('asks page by page with the cursor the server gave, keeping the filters, instead of the newest 500', async () => {
    const calls = installFakeApi({
      'GET /api/v1/rollouts': (_request: Request, url: URL) =>
        url.searchParams.get('cursor') === null
          ? { rollouts: [summary(2)], nextCursor: 'page-2' }
          : { rollouts: [summary(1)], nextCursor: null },
    });
    renderWithApp(routes, { url: '/rollouts?dryRun=false' });
    await screen.findByRole('link', { name: 'CHG-0002 rollout' });
    // The end of the rows is in view: the next page comes, with the same filters.
    expect(await screen.findByRole('link', { name: 'CHG-0001 rollout' })).toBeDefined();
    const asked = calls
      .filter((c) => c.path === '/api/v1/rollouts')
      .map((c) => Object.fromEntries(new URLSearchParams(c.search)));
    expect(asked[0]).toEqual({ limit: String(pageSize), dryRun: 'false' });
    expect(asked).toContainEqual({ limit: String(pageSize), dryRun: 'false', cursor: 'page-2' });
    await waitFor(() => expect(screen.getByText('2 rollouts')).toBeDefined());
  });

  it('says so when nothing matches, and shows an error with a retry', async () => {
    let fail = true;
    installFakeApi({
      'GET /api/v1/rollouts': () =>
        fail
          ? new Response(
              JSON.stringify({ status: 500, title: 'Internal error', code: 'internal_error' }),
              { status: 500, headers: { 'content-type': 'application/problem+json' } },
            )
          : { rollouts: [], nextCursor: null },
    });
    renderWithApp(routes, { url: '/rollouts?phase=paused' });
    const retry = await screen.findByRole('button', { name: /Retry|Try again/ });
    fail = false;
    retry.click();
    expect(await screen.findByText('No rollout is paused')).toBeDefined();
  });
});
