import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AdminScreen } from './admin-screen.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import type { AdvisorySource, SyncRun } from './types.ts';

const routes = [{ path: '/admin/*', element: <AdminScreen /> }];

const kev: AdvisorySource = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'CISA KEV catalogue',
  kind: 'kev',
  path: '/data/kev.json',
  url: null,
  checksumUrl: null,
  catalogueId: null,
  download: null,
  intervalSeconds: 86_400,
  enabled: true,
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:00.000Z',
  lastSync: {
    at: '2026-12-05T10:01:00.000Z',
    state: 'failed',
    runId: '22222222-2222-4222-8222-222222222222',
  },
};

const failedRun: SyncRun = {
  id: '22222222-2222-4222-8222-222222222222',
  sourceId: kev.id,
  jobId: '33333333-3333-4333-8333-333333333333',
  attempt: 1,
  state: 'failed',
  startedAt: '2026-12-05T10:00:00.000Z',
  finishedAt: '2026-12-05T10:01:00.000Z',
  counts: { read: 10, new: 4, updated: 0, unchanged: 6, withdrawn: 0, errors: 2 },
  errors: [{ origin: 'kev.json#3', message: 'not a CVE id' }],
  error: 'refused: the source path is not inside an allowed advisory root',
  download: null,
};

describe('SourcesScreen', () => {
  withLaidOutElements({ offsetHeight: 40 });

  it('lists sources and their runs by name, filters runs in the URL, and deletes only after confirmation', async () => {
    const calls = installFakeApi({
      'GET /api/v1/advisory-sources': () => ({ sources: [kev] }),
      'GET /api/v1/advisory-catalogue': () => ({ entries: [] }),
      'GET /api/v1/sync-runs': () => ({ runs: [failedRun], nextOffset: null }),
      'DELETE /api/v1/advisory-sources/:id': () =>
        new Response(
          JSON.stringify({
            status: 409,
            title: 'Conflict',
            detail: 'The source is syncing; try again when its run ends',
            code: 'conflict',
          }),
          { status: 409, headers: { 'content-type': 'application/problem+json' } },
        ),
    });
    const { router } = renderWithApp(routes, { url: '/admin/sources' });
    const runs = await screen.findByRole('table', { name: 'Sync runs' });
    await within(runs).findByText('CISA KEV catalogue');
    expect(within(runs).getByText(/refused: the source path/)).toBeDefined();

    await userEvent.selectOptions(screen.getByLabelText('State'), 'failed');
    await waitFor(() => expect(router.state.location.search).toBe('?state=failed'));
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/sync-runs').at(-1)?.search).toBe(
        '?limit=50&state=failed&offset=0',
      ),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Delete CISA KEV catalogue' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete CISA KEV catalogue?' });
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete source' }));
    // The server's 409 is shown in the dialog, which stays open.
    expect((await within(confirm).findByRole('alert')).textContent).toBe(
      'The source is syncing; try again when its run ends',
    );
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe(
      `/api/v1/advisory-sources/${kev.id}`,
    );
  });

  it("opens a run's detail with its counts and errors", async () => {
    installFakeApi({
      'GET /api/v1/sync-runs/:id': () => failedRun,
      'GET /api/v1/advisory-sources': () => ({ sources: [kev] }),
      'GET /api/v1/jobs/:id': () => ({
        id: failedRun.jobId,
        kind: 'advisories.sync',
        state: 'failed',
        payload: {},
        attempts: 1,
        maxAttempts: 3,
        progress: null,
        result: null,
        error: failedRun.error,
        runAfter: failedRun.startedAt,
        lockedBy: null,
        lockedUntil: null,
        cancelRequested: false,
        createdBy: null,
        createdAt: failedRun.startedAt,
        updatedAt: failedRun.startedAt,
        startedAt: failedRun.startedAt,
        finishedAt: failedRun.finishedAt,
      }),
    });
    renderWithApp(routes, { url: `/admin/sources/runs/${failedRun.id}` });
    expect(await screen.findByText('not a CVE id')).toBeDefined();
    expect(screen.getByText('kev.json#3')).toBeDefined();
    expect(await screen.findByText('CISA KEV catalogue')).toBeDefined();
    expect(screen.getByRole('alert').textContent).toBe(failedRun.error);
  });
});
