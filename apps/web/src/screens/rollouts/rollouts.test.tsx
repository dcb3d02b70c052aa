import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { RolloutDetailScreen } from './rollout-detail-screen.tsx';
import { RolloutListScreen } from './rollout-list-screen.tsx';
import { actionsFor } from './rollout-model.ts';

const rolloutId = '33333333-3333-4333-8333-333333333333';

const task = (key: string, kind: string, outcome: string | null, state = 'finished') => ({
  key,
  kind,
  scope: 'host',
  attempt: 1,
  agentTaskId: `${key}-agent`,
  state,
  outcome,
  agentState: outcome,
  error: null,
  createdAt: '2026-12-06T10:00:00.000Z',
  finishedAt: state === 'finished' ? '2026-12-06T10:01:00.000Z' : null,
});

const host = (name: string, state: string, after: string | null) => ({
  assetId: `asset-${name}`,
  name,
  state,
  checks: 'none',
  rollback: 'none',
  startedAt: '2026-12-06T10:00:00.000Z',
  finishedAt: state === 'succeeded' ? '2026-12-06T10:01:00.000Z' : null,
  before: [{ name: 'pg-demo-service', version: '1.0' }],
  after: after === null ? [] : [{ name: 'pg-demo-service', version: after }],
  restored: [],
  backup:
    state === 'succeeded'
      ? {
          backupId: 'b1',
          createdAt: '2026-12-06T10:00:10.000Z',
          expiresAt: '2026-12-13T10:00:10.000Z',
          packages: 412,
          archive: null,
          hooks: [],
        }
      : null,
  tasks:
    state === 'pending'
      ? []
      : [
          task(
            `${rolloutId}:${name}:install:1`,
            'install',
            state === 'succeeded' ? 'succeeded' : null,
            state === 'succeeded' ? 'finished' : 'queued',
          ),
          ...(state === 'succeeded'
            ? [task(`${rolloutId}:${name}:health-check:1`, 'health-check', 'pass')]
            : []),
        ],
});

function detail(phase = 'running', version = 7) {
  return {
    id: rolloutId,
    change: {
      id: 'c1',
      number: 'CHG-0003',
      title: 'pg-demo-service 1.1 on the lab',
      state: 'implementing',
    },
    dryRun: false,
    phase,
    reason: null,
    currentWave: 'web and app',
    options: { offlineHosts: 'wait', reboot: 'never' },
    createdBy: 'system',
    createdAt: '2026-12-06T10:00:00.000Z',
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: null,
    updatedAt: '2026-12-06T10:01:00.000Z',
    version,
    leaseOwner: 'replica-1',
    planned: { start: '2026-12-06T10:00:00.000Z', end: '2026-12-06T10:30:00.000Z' },
    lastEventSeq: version,
    waves: [
      {
        name: 'canary',
        state: 'completed',
        gate: 'auto',
        releasedBy: null,
        concurrency: 1,
        failureThreshold: 0,
        onFailure: 'rollback',
        checks: 'passed',
        startedAt: '2026-12-06T10:00:00.000Z',
        bakeUntil: null,
        finishedAt: '2026-12-06T10:01:00.000Z',
        counts: { succeeded: 1 },
        hosts: [host('lab-web-01', 'succeeded', '1.1')],
      },
      {
        name: 'web and app',
        state: 'running',
        gate: 'auto',
        releasedBy: null,
        concurrency: 1,
        failureThreshold: 0,
        onFailure: 'rollback',
        checks: 'none',
        startedAt: '2026-12-06T10:01:00.000Z',
        bakeUntil: null,
        finishedAt: null,
        counts: { running: 1, pending: 1 },
        hosts: [host('lab-web-02', 'running', null), host('lab-app-01', 'pending', null)],
      },
    ],
  };
}

/** A stand-in for the browser's EventSource: the test sends the server's events. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  emit(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? [])
      listener(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const original = globalThis.EventSource;
beforeEach(() => {
  FakeEventSource.instances = [];
  globalThis.EventSource = FakeEventSource as unknown as typeof EventSource;
});
afterEach(() => {
  globalThis.EventSource = original;
});

const detailRoutes = [{ path: '/rollouts/:rolloutId', element: <RolloutDetailScreen /> }];

describe('rollout actions', () => {
  it.each([
    ['running', ['pause', 'abort', 'rollback']],
    ['paused', ['resume', 'abort', 'rollback']],
    ['awaiting_gate', ['pause', 'release', 'abort', 'rollback']],
    ['completed', ['rollback']],
    ['rolled_back', []],
  ] as const)('in phase %s offers %j', (phase, actions) => {
    expect(actionsFor(phase)).toEqual(actions);
  });
});

describe('RolloutListScreen', () => {
  withLaidOutElements();

  it('lists rollouts and filters by phase through the URL', async () => {
    const calls = installFakeApi({
      'GET /api/v1/rollouts': () => ({ rollouts: [detail('running')], nextCursor: null }),
    });
    const { router } = renderWithApp([{ path: '/rollouts', element: <RolloutListScreen /> }], {
      url: '/rollouts',
    });
    const link = await screen.findByRole('link', { name: 'CHG-0003 rollout' });
    expect(link.getAttribute('href')).toBe(`/rollouts/${rolloutId}`);
    await userEvent.selectOptions(screen.getByLabelText('Phase'), 'paused');
    await waitFor(() => expect(router.state.location.search).toBe('?phase=paused'));
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/rollouts').at(-1)?.search).toContain(
        'phase=paused',
      ),
    );
  });
});

describe('RolloutDetailScreen', () => {
  it('shows the waves, their hosts with versions and progress, and follows the event stream', async () => {
    let version = 7;
    installFakeApi({
      'GET /api/v1/rollouts/:id': () => {
        const body = detail('running', version);
        if (version > 7) {
          const wave = body.waves[1];
          if (wave !== undefined) wave.hosts[0] = host('lab-web-02', 'succeeded', '1.1');
        }
        return body;
      },
    });
    renderWithApp(detailRoutes, { url: `/rollouts/${rolloutId}` });
    await screen.findByRole('heading', { level: 1, name: 'Rollout of CHG-0003' });
    const canary = screen.getByRole('region', { name: 'Wave canary' });
    const web01 = within(canary).getByRole('article', { name: 'lab-web-01' });
    expect(web01.textContent).toContain('pg-demo-service 1.0');
    expect(web01.textContent).toContain('pg-demo-service 1.1');
    expect(web01.textContent).toContain('412 package versions recorded');
    expect(web01.textContent).toContain('host: pass');
    const second = screen.getByRole('region', { name: 'Wave web and app' });
    expect(within(second).getByRole('article', { name: 'lab-web-02' }).textContent).toContain(
      'running',
    );
    expect(
      screen.getByText('1 of 3 hosts done (1 succeeded, 0 failed or rolled back)'),
    ).toBeDefined();

    // Live: the stream opens on the rollout, a task's log line shows, a progress event refetches.
    const source = FakeEventSource.instances.at(-1);
    expect(source?.url).toBe(`/api/v1/rollouts/${rolloutId}/events`);
    act(() => source?.open());
    expect((await screen.findByText('Live')).closest('[role="status"]')).not.toBeNull();
    act(() =>
      source?.emit('task-log', {
        taskKey: `${rolloutId}:lab-web-02:install:1`,
        seq: 3,
        at: '2026-12-06T10:01:05.000Z',
        type: 'log',
        stream: 'stdout',
        line: 'Unpacking pg-demo-service (1.1) over (1.0) ...',
      }),
    );
    expect((await screen.findByLabelText('Log of install #1 on lab-web-02')).textContent).toContain(
      'Unpacking pg-demo-service (1.1) over (1.0)',
    );
    version = 8;
    act(() =>
      source?.emit('progress', { seq: 8, at: '2026-12-06T10:01:10.000Z', phase: 'running' }),
    );
    expect(
      await screen.findByText('2 of 3 hosts done (2 succeeded, 0 failed or rolled back)'),
    ).toBeDefined();
    // The end of the stream closes it (EventSource would otherwise reconnect forever).
    act(() => source?.emit('end', { phase: 'completed', reason: null }));
    expect(source?.readyState).toBe(FakeEventSource.CLOSED);
  });

  it('pauses with the reason given, and shows the refusal of the server', async () => {
    let refuse = false;
    const calls = installFakeApi({
      'GET /api/v1/rollouts/:id': () => detail('running'),
      'POST /api/v1/rollouts/:id/pause': () =>
        refuse
          ? new Response(
              JSON.stringify({
                status: 409,
                title: 'Conflict',
                code: 'conflict',
                detail: 'The rollout is completed: pause does not apply',
              }),
              { status: 409, headers: { 'content-type': 'application/problem+json' } },
            )
          : detail('paused'),
    });
    renderWithApp(detailRoutes, { url: `/rollouts/${rolloutId}` });
    await userEvent.click(await screen.findByRole('button', { name: 'Pause…' }));
    let dialog = await screen.findByRole('dialog', { name: 'Pause the rollout' });
    await userEvent.type(
      within(dialog).getByLabelText('Reason (audited)'),
      'database backup running',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.path).toBe(`/api/v1/rollouts/${rolloutId}/pause`);
    expect(post?.body).toEqual({ reason: 'database backup running' });
    expect(post?.headers.get('x-csrf-token')).toBe('test-csrf-token');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    refuse = true;
    await userEvent.click(screen.getByRole('button', { name: 'Pause…' }));
    dialog = await screen.findByRole('dialog', { name: 'Pause the rollout' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Pause' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'The rollout is completed: pause does not apply',
    );
  });

  it('asks for a reason before aborting', async () => {
    installFakeApi({ 'GET /api/v1/rollouts/:id': () => detail('running') });
    renderWithApp(detailRoutes, { url: `/rollouts/${rolloutId}` });
    await userEvent.click(await screen.findByRole('button', { name: 'Abort…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Abort the rollout' });
    expect(within(dialog).getByRole('button', { name: 'Abort' }).hasAttribute('disabled')).toBe(
      true,
    );
  });
});
