import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { AuditScreen } from './audit-screen.tsx';
import type { AuditEvent, Verification } from './types.ts';

const routes = [{ path: '/audit', element: <AuditScreen /> }];

const event = (seq: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  seq,
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  occurredAt: '2026-12-05T10:00:00.000Z',
  actor: { type: 'user', id: adminUser.id, name: 'admin' },
  action: 'user.login',
  subject: { type: 'user', id: adminUser.id },
  before: null,
  after: null,
  requestId: 'req-1',
  ip: '127.0.0.1',
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  ...overrides,
});

const verified: Verification = {
  ok: true,
  events: 42,
  lastHash: 'c'.repeat(64),
  checkpoints: {
    count: 3,
    keyId: '0123456789abcdef',
    last: { number: 3, seq: 40, hash: 'd'.repeat(64), takenAt: '2026-12-05T09:00:00.000Z' },
    eventsAfterLast: 2,
    problems: [],
  },
};

const broken: Verification = {
  ok: false,
  events: 9,
  lastHash: 'c'.repeat(64),
  brokenAt: { seq: 10, reason: 'event 10 is not the one checkpoint 1 signed' },
  checkpoints: {
    count: 1,
    keyId: '0123456789abcdef',
    last: { number: 1, seq: 12, hash: 'd'.repeat(64), takenAt: '2026-12-05T09:00:00.000Z' },
    eventsAfterLast: 0,
    problems: ['checkpoint 2 has a bad signature'],
  },
};

const eventsCalls = (calls: ReturnType<typeof installFakeApi>) =>
  calls.filter((call) => call.method === 'GET' && call.path === '/api/v1/audit/events');

describe('AuditScreen', () => {
  withLaidOutElements({ offsetHeight: 40 });

  it('puts the filters in the URL and the URL in the request, newest first', async () => {
    const calls = installFakeApi({
      'GET /api/v1/audit/verification': () => verified,
      'GET /api/v1/audit/events': () => ({
        events: [event(2), event(1)],
        nextAfterSeq: null,
        nextBeforeSeq: null,
      }),
    });
    const { router } = renderWithApp(routes, { url: '/audit?since=2026-12-01' });
    await screen.findByRole('table', { name: 'Audit events' });
    const first = new URLSearchParams(eventsCalls(calls)[0]?.search);
    expect(Object.fromEntries(first)).toEqual({
      limit: '100',
      order: 'desc',
      since: '2026-12-01T00:00:00.000Z',
    });

    await userEvent.type(screen.getByLabelText('Action'), 'user.login');
    await userEvent.type(screen.getByLabelText('Actor (user id)'), adminUser.id);
    await userEvent.type(screen.getByLabelText('To (UTC day, inclusive)'), '2026-12-05');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(router.state.location.search).toContain('action=user.login'));
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      action: 'user.login',
      actor: adminUser.id,
      since: '2026-12-01',
      until: '2026-12-05',
    });
    await waitFor(() => expect(eventsCalls(calls)).toHaveLength(2));
    expect(Object.fromEntries(new URLSearchParams(eventsCalls(calls)[1]?.search))).toEqual({
      limit: '100',
      order: 'desc',
      action: 'user.login',
      actorId: adminUser.id,
      since: '2026-12-01T00:00:00.000Z',
      // "to" a day includes that whole day
      until: '2026-12-06T00:00:00.000Z',
    });
  });

  it('loads the next page (beforeSeq) when the last rows of the table come into view', async () => {
    const calls = installFakeApi({
      'GET /api/v1/audit/verification': () => verified,
      'GET /api/v1/audit/events': (_request, url) =>
        url.searchParams.get('beforeSeq') === null
          ? { events: [event(150), event(149)], nextAfterSeq: null, nextBeforeSeq: 149 }
          : { events: [event(148)], nextAfterSeq: null, nextBeforeSeq: null },
    });
    renderWithApp(routes, { url: '/audit' });
    await screen.findByRole('table', { name: 'Audit events' });
    await screen.findByRole('button', { name: 'Open event 148: user.login' });
    expect(screen.getByText(/3 events shown, all that match/)).toBeDefined();
    expect(new URLSearchParams(eventsCalls(calls).at(-1)?.search).get('beforeSeq')).toBe('149');
  });

  it('shows a verified chain with its checkpoints', async () => {
    installFakeApi({
      'GET /api/v1/audit/verification': () => verified,
      'GET /api/v1/audit/events': () => ({ events: [], nextAfterSeq: null, nextBeforeSeq: null }),
    });
    renderWithApp(routes, { url: '/audit' });
    const verdict = await screen.findByText(/^Verified: all 42 events chain correctly/);
    expect(verdict.textContent).toContain('agree with 3 signed checkpoints');
    expect(screen.getByText('#3, event 40, 05 Dec 2026, 09:00 UTC')).toBeDefined();
    expect(screen.queryByText(/Broken/)).toBeNull();
    expect(await screen.findByText('No events yet.')).toBeDefined();
  });

  it('shows a broken chain prominently, its checkpoint problems, and opens the event', async () => {
    const calls = installFakeApi({
      'GET /api/v1/audit/verification': () => broken,
      'GET /api/v1/audit/events': () => ({ events: [], nextAfterSeq: null, nextBeforeSeq: null }),
    });
    const { router } = renderWithApp(routes, { url: '/audit' });
    const alert = await screen.findByText(/^Broken: the log verifies only up to event 9/);
    expect(alert.closest('[role="alert"]')).not.toBeNull();
    expect(screen.getByText(/event 10 is not the one checkpoint 1 signed/)).toBeDefined();
    expect(screen.getByText('checkpoint 2 has a bad signature')).toBeDefined();
    expect(screen.queryByText(/^Verified:/)).toBeNull();
    // A broken log cannot be signed.
    expect(
      screen.getByRole<HTMLButtonElement>('button', { name: 'Sign a checkpoint now' }).disabled,
    ).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Look at event 10' }));
    await waitFor(() => expect(router.state.location.search).toBe('?event=10'));
    expect(
      await screen.findByText('Event 10 is not in the log: it may have been removed.'),
    ).toBeDefined();
    expect(eventsCalls(calls).at(-1)?.search).toBe('?afterSeq=9&limit=1');
  });

  it('verifies again on "Verify now"', async () => {
    let answers = 0;
    installFakeApi({
      'GET /api/v1/audit/verification': () => (++answers === 1 ? verified : broken),
      'GET /api/v1/audit/events': () => ({ events: [], nextAfterSeq: null, nextBeforeSeq: null }),
    });
    renderWithApp(routes, { url: '/audit' });
    await screen.findByText(/^Verified: all 42 events/);
    await userEvent.click(screen.getByRole('button', { name: 'Verify now' }));
    expect(await screen.findByText(/^Broken: the log verifies only up to event 9/)).toBeDefined();
    expect(answers).toBe(2);
  });

  it('opens an event with what changed, rendering its values as text', async () => {
    const changed = event(7, {
      action: 'user.updated',
      before: { displayName: 'Ada', roles: ['viewer'], disabled: false },
      after: { displayName: '<img src=x onerror=alert(1)>', roles: ['viewer'], disabled: true },
    });
    installFakeApi({
      'GET /api/v1/audit/verification': () => verified,
      'GET /api/v1/audit/events': () => ({
        events: [changed],
        nextAfterSeq: null,
        nextBeforeSeq: null,
      }),
    });
    const { router } = renderWithApp(routes, { url: '/audit' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Open event 7: user.updated' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Event 7: user.updated' });
    expect(router.state.location.search).toBe('?event=7');
    const changes = within(dialog).getByRole('table');
    const rows = within(changes)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.textContent);
    // Only the fields that differ: disabled and displayName (roles did not change).
    expect(rows).toEqual(['disabledfalsetrue', 'displayNameAda<img src=x onerror=alert(1)>']);
    expect(dialog.querySelector('img')).toBeNull();
    expect(within(dialog).getByRole('region', { name: 'State after, as JSON' }).textContent).toBe(
      JSON.stringify(changed.after, null, 2),
    );
  });

  it('says which permission the audit log needs, and asks the server nothing', async () => {
    const viewer: SessionUser = {
      ...adminUser,
      username: 'vera',
      roles: ['viewer'],
      permissions: ['assets:read', 'findings:read', 'tokens:own'],
    };
    const calls = installFakeApi({}, viewer);
    renderWithApp(routes, { url: '/audit' });
    expect(
      await screen.findByText('You do not have permission to open this screen.'),
    ).toBeDefined();
    expect(screen.getByText('audit:read')).toBeDefined();
    expect(calls.filter((call) => call.path.startsWith('/api/v1/audit'))).toEqual([]);
  });
});
