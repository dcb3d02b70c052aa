import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { ExceptionsScreen } from './exceptions-screen.tsx';
import { exception } from './findings-fixtures.ts';

const routes = [{ path: '/exceptions', element: <ExceptionsScreen /> }];

describe('ExceptionsScreen', () => {
  withLaidOutElements();

  it('filters by state through the URL and the request', async () => {
    const calls = installFakeApi({
      'GET /api/v1/finding-exceptions': () => ({ exceptions: [exception()], nextCursor: null }),
    });
    const { router } = renderWithApp(routes, { url: '/exceptions?state=requested' });
    await screen.findByRole('link', { name: /^DSA-5678-1 · openssl/ });
    // Names, not ids: the advisory, the package and its version, the asset (linked).
    expect(
      screen.getByRole('link', { name: 'DSA-5678-1 · openssl 3.0.11-1' }).getAttribute('href'),
    ).toMatch(/^\/findings\//);
    expect(screen.getByRole('link', { name: 'web-01' }).getAttribute('href')).toBe(
      '/assets/a0000000-0000-4000-8000-000000000001',
    );
    expect(screen.queryByText(/a0000000-0000-4000/)).toBeNull();
    expect(
      new URLSearchParams(calls.find((c) => c.path === '/api/v1/finding-exceptions')?.search).get(
        'state',
      ),
    ).toBe('requested');
    await userEvent.click(screen.getByLabelText('approved'));
    await waitFor(() => expect(router.state.location.search).toBe('?state=requested%2Capproved'));
    await waitFor(() =>
      expect(
        calls.some((c) => new URLSearchParams(c.search).get('state') === 'requested,approved'),
      ).toBe(true),
    );
  });

  it('does not let the requester approve their own exception, and says why', async () => {
    const own = exception({ requestedBy: { id: adminUser.id, name: 'Administrator' } });
    installFakeApi({
      'GET /api/v1/finding-exceptions': () => ({ exceptions: [own], nextCursor: null }),
    });
    renderWithApp(routes, { url: '/exceptions' });
    const approve = await screen.findByRole('button', { name: 'Approve' });
    expect((approve as HTMLButtonElement).disabled).toBe(true);
    expect(approve.getAttribute('aria-describedby')).not.toBeNull();
    expect(
      document.getElementById(approve.getAttribute('aria-describedby') ?? '')?.textContent,
    ).toBe('You requested it: someone else must approve it.');
    // The requester may still withdraw it.
    expect(screen.getByRole('button', { name: 'Revoke' })).toBeDefined();
  });

  it('approves someone else’s exception with a comment, and shows the server’s refusal', async () => {
    const theirs = exception();
    let refuse = true;
    const calls = installFakeApi({
      'GET /api/v1/finding-exceptions': () => ({ exceptions: [theirs], nextCursor: null }),
      'POST /api/v1/finding-exceptions/:id/approve': () =>
        refuse
          ? new Response(
              JSON.stringify({
                status: 409,
                title: 'Conflict',
                detail: `Exception ${theirs.id} is revoked; it cannot be approved from that state`,
                code: 'conflict',
              }),
              { status: 409, headers: { 'content-type': 'application/problem+json' } },
            )
          : { ...theirs, state: 'approved' },
    });
    renderWithApp(routes, { url: '/exceptions' });
    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve the exception' });
    await userEvent.type(within(dialog).getByLabelText('Comment (optional)'), 'WAF verified');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'cannot be approved from that state',
    );
    refuse = false;
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/approve'))).toHaveLength(
        2,
      ),
    );
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ note: 'WAF verified' });
  });

  it('shows no decision buttons to someone without exceptions:approve on another’s request', async () => {
    const viewer: SessionUser = {
      ...adminUser,
      id: 'viewer-1',
      permissions: adminUser.permissions.filter((p) => p !== 'exceptions:approve'),
    };
    installFakeApi(
      { 'GET /api/v1/finding-exceptions': () => ({ exceptions: [exception()], nextCursor: null }) },
      viewer,
    );
    renderWithApp(routes, { url: '/exceptions' });
    await screen.findByRole('link', { name: /^DSA-5678-1 · openssl/ });
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reject' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Revoke' })).toBeNull();
  });
});
