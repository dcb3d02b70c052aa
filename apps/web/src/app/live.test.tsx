import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { $api } from '../api/query.ts';
import { installFakeApi } from '../test-support/render.tsx';
import { pathsToRefresh, useLiveUpdates } from './live.ts';

/** A stand-in EventSource the test drives (happy-dom has none). */
class FakeEventSource {
  static readonly CLOSED = 2;
  static last: FakeEventSource | undefined;
  readyState = 1;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readonly listeners = new Map<string, ((message: MessageEvent<string>) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (message: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? [])
      listener(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const original = globalThis.EventSource;
afterEach(() => {
  globalThis.EventSource = original;
});

function Probe() {
  const status = useLiveUpdates();
  const dashboard = $api.useQuery('get', '/api/v1/dashboard');
  const users = $api.useQuery('get', '/api/v1/users');
  return (
    <p>
      {status} {dashboard.isSuccess ? 'dashboard' : ''} {users.isSuccess ? 'users' : ''}
    </p>
  );
}

describe('live updates', () => {
  it.each([
    ['asset', '/api/v1/dashboard'],
    ['advisory-source', '/api/v1/findings'],
    ['rollout', '/api/v1/rollouts'],
    ['agent_task', '/api/v1/agent-tasks'],
    ['maintenance-window', '/api/v1/calendar'],
    ['notification-channel', '/api/v1/notification-channels'],
  ])('an event on a %s refreshes %s and the audit log', (subjectType, path) => {
    expect(pathsToRefresh(subjectType)).toEqual(expect.arrayContaining([path, '/api/v1/audit']));
  });

  it('refetches the queries showing the subject of an activity event, and only those', async () => {
    globalThis.EventSource = FakeEventSource as unknown as typeof EventSource;
    const calls = installFakeApi({
      'GET /api/v1/dashboard': () => ({}),
      'GET /api/v1/users': () => ({ users: [] }),
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <Probe />
      </QueryClientProvider>,
    );
    await screen.findByText(/dashboard users/);
    const source = FakeEventSource.last;
    expect(source?.url).toBe('/api/v1/live');
    act(() => source?.onopen?.());
    expect(await screen.findByText(/^live/)).toBeDefined();
    const count = (path: string) => calls.filter((c) => c.path === path).length;
    expect([count('/api/v1/dashboard'), count('/api/v1/users')]).toEqual([1, 1]);
    act(() => {
      source?.emit('activity', {
        seq: 7,
        action: 'findings.reconciled',
        subjectType: 'asset',
        subjectId: 'a1',
        at: '2026-12-06T10:00:00.000Z',
      });
    });
    await waitFor(() => expect(count('/api/v1/dashboard')).toBe(2));
    expect(count('/api/v1/users')).toBe(1);
  });
});
