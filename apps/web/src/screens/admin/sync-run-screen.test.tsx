import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { paths } from '../../api/client.ts';
import type { SessionUser } from '../../api/session.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AdminScreen } from './admin-screen.tsx';
import type { SyncRun } from './types.ts';

type Job = paths['/api/v1/jobs/{id}']['get']['responses']['200']['content']['application/json'];

const routes = [{ path: '/admin/*', element: <AdminScreen /> }];
const jobId = '33333333-3333-4333-8333-333333333333';

const run: SyncRun = {
  id: '22222222-2222-4222-8222-222222222222',
  sourceId: '11111111-1111-4111-8111-111111111111',
  jobId,
  attempt: 3,
  state: 'failed',
  startedAt: '2026-12-05T10:00:00.000Z',
  finishedAt: '2026-12-05T10:01:00.000Z',
  counts: { read: 0, new: 0, updated: 0, unchanged: 0, withdrawn: 0, errors: 0 },
  errors: [],
  error: 'the download failed: HTTP 503',
  download: null,
};

const job = (state: Job['state'], extra: Partial<Job> = {}): Job => ({
  id: jobId,
  kind: 'advisories.sync',
  state,
  payload: { sourceId: run.sourceId },
  attempts: 3,
  maxAttempts: 3,
  progress: null,
  result: null,
  error: 'the download failed: HTTP 503',
  runAfter: '2026-12-05T10:00:00.000Z',
  lockedBy: null,
  lockedUntil: null,
  cancelRequested: false,
  createdBy: null,
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:01:00.000Z',
  startedAt: '2026-12-05T10:00:00.000Z',
  finishedAt: '2026-12-05T10:01:00.000Z',
  ...extra,
});

const conflict = (detail: string) =>
  new Response(JSON.stringify({ status: 409, title: 'Conflict', detail, code: 'conflict' }), {
    status: 409,
    headers: { 'content-type': 'application/problem+json' },
  });

describe('the job of a sync run', () => {
  it('retries a failed job after asking, then follows it (the run is asked again)', async () => {
    let current = job('failed');
    const calls = installFakeApi({
      'GET /api/v1/sync-runs/:id': () => run,
      'GET /api/v1/advisory-sources': () => ({ sources: [] }),
      'GET /api/v1/jobs/:id': () => current,
      'POST /api/v1/jobs/:id/retry': () => {
        current = job('queued', { attempts: 0, finishedAt: null });
        return current;
      },
    });
    renderWithApp(routes, { url: `/admin/sources/runs/${run.id}` });
    await screen.findByText('3 of 3');
    // A failed job is retried, not cancelled.
    expect(screen.queryByRole('button', { name: 'Cancel the job' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Retry the job' }));
    const dialog = await screen.findByRole('dialog', { name: 'Retry this sync of the source?' });
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Retry the job' }));
    await screen.findByText('0 of 3');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      `/api/v1/jobs/${jobId}/retry`,
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
    // Queued now: it may be cancelled, and the run was asked again.
    await screen.findByRole('button', { name: 'Cancel the job' });
    expect(calls.filter((c) => c.path === `/api/v1/sync-runs/${run.id}`).length).toBeGreaterThan(1);
  });

  it('cancels a running job after asking; the server’s 409 is shown in the dialog', async () => {
    let refuse = true;
    installFakeApi({
      'GET /api/v1/sync-runs/:id': () => ({
        ...run,
        state: 'running',
        finishedAt: null,
        error: null,
      }),
      'GET /api/v1/advisory-sources': () => ({ sources: [] }),
      'GET /api/v1/jobs/:id': () => job('running', { attempts: 1, error: null, finishedAt: null }),
      'POST /api/v1/jobs/:id/cancel': () =>
        refuse
          ? conflict(`Job ${jobId} is already succeeded`)
          : job('running', { cancelRequested: true }),
    });
    renderWithApp(routes, { url: `/admin/sources/runs/${run.id}` });
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel the job' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this sync of the source?' });
    expect(within(dialog).getByText(/stops at its next checkpoint/)).toBeDefined();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel the job' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      `Job ${jobId} is already succeeded`,
    );
    refuse = false;
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel the job' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('without jobs:manage the actions are disabled and say why', async () => {
    const viewer: SessionUser = {
      ...adminUser,
      roles: ['viewer'],
      permissions: ['advisories:read', 'jobs:read'],
    };
    installFakeApi(
      {
        'GET /api/v1/sync-runs/:id': () => run,
        'GET /api/v1/advisory-sources': () => ({ sources: [] }),
        'GET /api/v1/jobs/:id': () => job('failed'),
      },
      viewer,
    );
    renderWithApp(routes, { url: `/admin/sources/runs/${run.id}` });
    const retry = await screen.findByRole('button', { name: 'Retry the job' });
    expect((retry as HTMLButtonElement).disabled).toBe(true);
    expect(retry.getAttribute('title')).toBe('Needs the jobs:manage permission');
    expect(screen.getByText('Needs the jobs:manage permission.')).toBeDefined();
  });
});
