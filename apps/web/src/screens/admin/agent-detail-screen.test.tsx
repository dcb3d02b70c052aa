import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import type { FakeApi } from '../../test-support/render.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { AdminScreen } from './admin-screen.tsx';
import type { AgentTask } from './agent-detail-screen.tsx';
import type { Agent } from './types.ts';

const routes = [{ path: '/admin/*', element: <AdminScreen /> }];

const agent: Agent = {
  id: 'agent-1',
  assetId: 'asset-web-01',
  name: 'web-01',
  hostname: 'web-01.example.internal',
  version: '1.4.0',
  os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  architecture: 'amd64',
  packageManagers: ['apt', 'dpkg'],
  enrolledAt: '2026-12-01T08:00:00.000Z',
  lastSeenAt: '2026-12-06T08:00:00.000Z',
  lastHeartbeatAt: '2026-12-06T08:00:00.000Z',
  online: true,
  clockSkewMs: 1500,
  bootId: 'boot-1',
  rebootRequired: true,
  rebootPackages: ['linux-image-amd64'],
  servicesNeedingRestart: ['nginx'],
  queuedResults: 0,
  runningTaskId: null,
  lastInventoryAt: '2026-12-06T07:00:00.000Z',
  lastUpdatesAt: null,
  revokedAt: null,
};

const common = {
  agentId: 'agent-1',
  issuedAt: '2026-12-06T07:00:00.000Z',
  notAfter: '2026-12-06T09:00:00.000Z',
  changeId: 'change-7',
  rolloutId: 'rollout-3',
  dryRun: false,
  timeoutSeconds: 3600,
};

const install: AgentTask = {
  id: 'task-install',
  agentId: 'agent-1',
  assetId: 'asset-web-01',
  kind: 'install',
  state: 'failed',
  idempotencyKey: 'idem-1',
  changeId: 'change-7',
  rolloutId: 'rollout-3',
  notAfter: '2026-12-06T09:00:00.000Z',
  createdAt: '2026-12-06T07:00:00.000Z',
  deliveredAt: '2026-12-06T07:00:05.000Z',
  finishedAt: '2026-12-06T07:02:00.000Z',
  deliveries: 1,
  error: 'the install step failed',
  payload: {
    ...common,
    taskId: 'task-install',
    idempotencyKey: 'idem-1',
    kind: 'install',
    packages: [{ name: 'openssl', version: '3.0.15-1~deb12u1' }],
    backup: null,
    reboot: 'never',
    allowRemovals: false,
  },
  keyId: 'key-2026',
  result: {
    idempotencyKey: 'idem-1',
    outcome: 'failed',
    startedAt: '2026-12-06T07:00:06.000Z',
    finishedAt: '2026-12-06T07:02:00.000Z',
    steps: [
      {
        name: 'simulate',
        outcome: 'succeeded',
        startedAt: '2026-12-06T07:00:06.000Z',
        finishedAt: '2026-12-06T07:00:16.000Z',
        logTail: [],
      },
      {
        name: 'install',
        outcome: 'failed',
        startedAt: '2026-12-06T07:00:16.000Z',
        finishedAt: '2026-12-06T07:02:00.000Z',
        detail: 'dpkg returned 100',
        logTail: [],
      },
    ],
    data: null,
    error: 'the install step failed',
    dryRun: false,
  },
};

const preflight: AgentTask = {
  ...install,
  id: 'task-preflight',
  kind: 'preflight',
  state: 'succeeded',
  error: null,
  createdAt: '2026-12-06T06:00:00.000Z',
  payload: {
    ...common,
    taskId: 'task-preflight',
    idempotencyKey: 'idem-0',
    kind: 'preflight',
    packages: [{ name: 'openssl', version: '3.0.15-1~deb12u1' }],
  },
  result: null,
};

const events = [
  {
    seq: 0,
    at: '2026-12-06T07:00:16.000Z',
    type: 'step-started' as const,
    step: 'install' as const,
  },
  {
    seq: 1,
    at: '2026-12-06T07:00:17.000Z',
    type: 'log' as const,
    step: 'install' as const,
    stream: 'stdout' as const,
    line: 'Unpacking openssl (3.0.15-1~deb12u1) ...',
  },
  {
    seq: 2,
    at: '2026-12-06T07:01:59.000Z',
    type: 'log' as const,
    step: 'install' as const,
    stream: 'stderr' as const,
    line: 'dpkg: error processing package openssl',
  },
];

function fakeApi(extra: FakeApi = {}): FakeApi {
  return {
    'GET /api/v1/agents/:id': () => agent,
    'GET /api/v1/agents/:id/tasks': (_request, url) => {
      const state = url.searchParams.get('state');
      return { tasks: [install, preflight].filter((t) => state === null || t.state === state) };
    },
    'GET /api/v1/agent-tasks/:taskId': (_request, url) =>
      url.pathname.endsWith('task-install') ? install : preflight,
    // Pages of two: after seq 1 the last event, after seq 2 none.
    'GET /api/v1/agent-tasks/:taskId/events': (_request, url) => {
      const after = Number(url.searchParams.get('afterSeq') ?? '-1');
      const page = events.filter((e) => e.seq > after).slice(0, 2);
      return { events: page, nextAfterSeq: page.at(-1)?.seq ?? after };
    },
    ...extra,
  };
}

describe('AgentDetailScreen', () => {
  withLaidOutElements({ clientWidth: 1000, offsetWidth: 1000 });

  it('shows the agent’s facts and tasks, and a task’s result and whole log, all in the URL', async () => {
    const calls = installFakeApi(fakeApi());
    const { router } = renderWithApp(routes, { url: '/admin/agents/agent-1' });
    await screen.findByRole('heading', { level: 1, name: 'Agent on web-01' });
    expect(screen.getByText('Debian GNU/Linux 12 (bookworm)')).toBeDefined();
    expect(screen.getByText('yes (by linux-image-amd64)')).toBeDefined();
    expect(screen.getByText('apt, dpkg')).toBeDefined();
    expect(screen.getByRole('link', { name: 'Asset web-01' }).getAttribute('href')).toBe(
      '/assets/asset-web-01?tab=agent',
    );

    const tasks = await screen.findByRole('table', { name: 'Tasks of the agent, newest first' });
    expect(within(tasks).getAllByRole('row')).toHaveLength(3);
    expect(
      within(tasks)
        .getByRole('link', { name: /^The change of the install task/ })
        .getAttribute('href'),
    ).toBe('/changes/change-7');

    // The state filter: in the URL and the request.
    await userEvent.selectOptions(screen.getByLabelText('Task state'), 'failed');
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('state')).toBe('failed'),
    );
    await waitFor(() =>
      expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2),
    );
    expect(calls.some((c) => c.path.endsWith('/tasks') && c.search.includes('state=failed'))).toBe(
      true,
    );

    await userEvent.click(screen.getByRole('button', { name: /^Show the install task of / }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('task')).toBe('task-install'),
    );
    await screen.findByRole('heading', { name: 'Task: install (failed)' });
    const steps = screen.getByRole('table', { name: 'Steps of the task' });
    expect(within(steps).getByText('dpkg returned 100')).toBeDefined();
    expect(screen.getByText('install openssl 3.0.15-1~deb12u1')).toBeDefined();

    // Every page of events, read with afterSeq until one comes back empty.
    const log = await screen.findByRole('list', { name: 'Task events' });
    await within(log).findByText('dpkg: error processing package openssl');
    expect(within(log).getByText('Unpacking openssl (3.0.15-1~deb12u1) ...')).toBeDefined();
    expect(within(log).getByText('stderr')).toBeDefined();
    await screen.findByText('3 events');
    const eventCalls = calls
      .filter((c) => c.path === '/api/v1/agent-tasks/task-install/events')
      .map((c) => c.search);
    expect(eventCalls).toEqual(['', '?afterSeq=1', '?afterSeq=2']);
  });

  it('revokes with a reason after asking; the server’s refusal is shown', async () => {
    let refuse = true;
    const calls = installFakeApi(
      fakeApi({
        'POST /api/v1/agents/:id/revoke': () =>
          refuse
            ? new Response(
                JSON.stringify({ status: 409, title: 'Conflict', detail: 'The agent changed' }),
                { status: 409, headers: { 'content-type': 'application/problem+json' } },
              )
            : { ...agent, revokedAt: '2026-12-06T09:00:00.000Z' },
      }),
    );
    renderWithApp(routes, { url: '/admin/agents/agent-1' });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke agent' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke the agent of web-01?' });
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'host decommissioned');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke agent' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The agent changed');
    refuse = false;
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke agent' }));
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
        { reason: 'host decommissioned' },
        { reason: 'host decommissioned' },
      ]),
    );
  });

  it('without agents:manage the revoke button is disabled and says why; an unknown agent is an error', async () => {
    const operator: SessionUser = {
      ...adminUser,
      roles: ['operator'],
      permissions: adminUser.permissions.filter((p) => p !== 'agents:manage'),
    };
    installFakeApi(
      fakeApi({
        'GET /api/v1/agents/:id': (_request, url) =>
          url.pathname.endsWith('agent-1')
            ? agent
            : new Response(
                JSON.stringify({
                  status: 404,
                  title: 'Not Found',
                  detail: 'The agent was not found',
                }),
                { status: 404, headers: { 'content-type': 'application/problem+json' } },
              ),
      }),
      operator,
    );
    const { unmount } = renderWithApp(routes, { url: '/admin/agents/agent-1' });
    const button = await screen.findByRole('button', { name: 'Revoke agent' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    expect(button.getAttribute('title')).toBe(
      'Revoking an agent needs the agents:manage permission',
    );
    unmount();

    renderWithApp(routes, { url: '/admin/agents/nope' });
    await screen.findByText('This agent could not be loaded');
    expect(screen.getByText('The agent was not found')).toBeDefined();
  });

  it('the agents list links each host to its detail', async () => {
    installFakeApi({ 'GET /api/v1/agents': () => ({ agents: [agent] }) });
    renderWithApp(routes, { url: '/admin/agents' });
    const link = await screen.findByRole('link', {
      name: 'Agent on web-01: status, facts and tasks',
    });
    expect(link.getAttribute('href')).toBe('/admin/agents/agent-1');
    expect(screen.getByRole('link', { name: 'Asset web-01' }).getAttribute('href')).toBe(
      '/assets/asset-web-01',
    );
  });
});
