import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AdminScreen } from './admin-screen.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import type { ApiToken, User } from './types.ts';

const routes = [{ path: '/admin/*', element: <AdminScreen /> }];

const viewer: SessionUser = {
  id: '00000000-0000-4000-8000-000000000002',
  username: 'vera',
  displayName: 'Vera Viewer',
  roles: ['viewer'],
  permissions: [
    'assets:read',
    'advisories:read',
    'findings:read',
    'jobs:read',
    'tokens:own',
    'changes:read',
    'calendar:read',
    'agents:read',
  ],
};

const problem = (status: number, detail: string, errors?: { field: string; message: string }[]) =>
  new Response(
    JSON.stringify({ status, title: 'Refused', detail, code: 'validation_failed', errors }),
    { status, headers: { 'content-type': 'application/problem+json' } },
  );

const users: User[] = [
  {
    id: adminUser.id,
    username: 'admin',
    displayName: 'Administrator',
    roles: ['admin'],
    disabled: false,
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-01T08:00:00.000Z',
    lastLoginAt: '2026-12-05T08:00:00.000Z',
  },
];

const permissions = {
  roles: ['admin'],
  permissions: adminUser.permissions,
  rolePermissions: {
    admin: adminUser.permissions,
    security_analyst: ['assets:read', 'advisories:manage'],
    change_manager: ['changes:approve', 'audit:read'],
    approver: ['changes:approve'],
    operator: ['changes:implement'],
    auditor: ['audit:read'],
    viewer: ['assets:read'],
  },
};

const sectionTitles = (container: HTMLElement) =>
  within(container)
    .getAllByRole('link')
    .map((link) => link.textContent);

describe('AdminScreen', () => {
  withLaidOutElements({ offsetHeight: 40 });

  it('offers an admin every section', async () => {
    installFakeApi({});
    renderWithApp(routes, { url: '/admin' });
    const list = await screen.findByRole('list', { name: 'Administration sections' });
    expect(sectionTitles(list)).toEqual([
      'Users',
      'Roles',
      'API tokens',
      'Advisory sources',
      'Agents',
      'Enrolment tokens',
      'Notifications',
      'Approvals',
    ]);
  });

  it('shows a viewer only the sections a viewer may use, and names the permission of the others', async () => {
    const calls = installFakeApi({}, viewer);
    const { router } = renderWithApp(routes, { url: '/admin' });
    const list = await screen.findByRole('list', { name: 'Administration sections' });
    expect(sectionTitles(list)).toEqual(['API tokens', 'Advisory sources', 'Agents']);
    const nav = screen.getByRole('navigation', { name: 'Administration' });
    expect(sectionTitles(nav)).toEqual(['Overview', 'API tokens', 'Advisory sources', 'Agents']);

    await router.navigate('/admin/users');
    expect(
      await screen.findByText('You do not have permission to open this screen.'),
    ).toBeDefined();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Users');
    expect(screen.getByText('users:manage')).toBeDefined();
    await router.navigate('/admin/notifications');
    expect(await screen.findByText('notifications:manage')).toBeDefined();
    await router.navigate('/admin/enrolment-tokens');
    expect(await screen.findByText('agents:manage')).toBeDefined();
    // Nothing was asked of the server for the refused sections.
    expect(
      calls.filter((call) =>
        /^\/api\/v1\/(users|notification|enrolment|permissions)/.test(call.path),
      ),
    ).toEqual([]);
  });

  it('creates a user with the roles chosen, and shows the server refusing a weak password', async () => {
    let attempts = 0;
    const calls = installFakeApi({
      'GET /api/v1/users': () => ({ users, total: 1, limit: 500, offset: 0 }),
      'GET /api/v1/permissions': () => permissions,
      'POST /api/v1/users': () =>
        ++attempts === 1
          ? problem(422, 'The request is not valid', [
              { field: 'password', message: 'The password is too common' },
            ])
          : { ...users[0], id: 'new', username: 'ada', roles: ['viewer', 'auditor'] },
    });
    renderWithApp(routes, { url: '/admin/users' });
    await screen.findByRole('table', { name: 'Users' });
    await userEvent.click(screen.getByRole('button', { name: 'New user' }));
    const dialog = await screen.findByRole('dialog', { name: 'New user' });
    await userEvent.type(within(dialog).getByLabelText('Username'), 'ada');
    await userEvent.type(within(dialog).getByLabelText('Display name'), 'Ada Lovelace');
    await userEvent.type(within(dialog).getByLabelText('Initial password'), 'password123456');
    // Each role says what it is for and what it grants.
    const auditor = within(dialog).getByRole('checkbox', { name: /^auditor/ });
    expect(auditor.closest('label')?.textContent).toContain('1 permissions: audit:read');
    await userEvent.click(auditor);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'The request is not valid — password: The password is too common',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'New user' })).toBeNull());
    const posts = calls.filter((call) => call.method === 'POST' && call.path === '/api/v1/users');
    expect(posts.map((call) => call.body)).toEqual([
      {
        username: 'ada',
        displayName: 'Ada Lovelace',
        password: 'password123456',
        roles: ['viewer', 'auditor'],
      },
      {
        username: 'ada',
        displayName: 'Ada Lovelace',
        password: 'password123456',
        roles: ['viewer', 'auditor'],
      },
    ]);
    expect(posts[0]?.headers.get('x-csrf-token')).toBe('test-csrf-token');
  });

  it("shows a new API token's secret once, and never again after the dialog closes", async () => {
    const secret = 'pgt_0123456789abcdefSECRET';
    const created: ApiToken = {
      id: '00000000-0000-4000-8000-00000000000a',
      userId: adminUser.id,
      name: 'ci',
      prefix: 'pgt_0123',
      scopes: ['findings:read'],
      createdAt: '2026-12-05T10:00:00.000Z',
      expiresAt: '2027-01-04T10:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
      parentTokenId: null,
    };
    const listed: ApiToken[] = [];
    const calls = installFakeApi({
      'GET /api/v1/tokens': () => ({ tokens: listed, total: listed.length, limit: 500, offset: 0 }),
      'GET /api/v1/users': () => ({ users, total: 1, limit: 500, offset: 0 }),
      'POST /api/v1/tokens': () => {
        listed.push(created);
        return { ...created, token: secret };
      },
    });
    renderWithApp(routes, { url: '/admin/tokens' });
    expect(await screen.findByText('No API tokens.')).toBeDefined();
    await userEvent.click(screen.getByRole('button', { name: 'New token' }));
    const form = await screen.findByRole('dialog', { name: 'New API token' });
    await userEvent.type(within(form).getByLabelText('Name'), 'ci');
    await userEvent.clear(within(form).getByLabelText('Expires after (days)'));
    await userEvent.type(within(form).getByLabelText('Expires after (days)'), '30');
    // Only findings:read: untick the other read scopes ticked by default.
    for (const box of within(form).getAllByRole('checkbox'))
      if (
        (box as HTMLInputElement).checked &&
        box.closest('label')?.textContent !== 'findings:read'
      )
        await userEvent.click(box);
    await userEvent.click(within(form).getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByRole('dialog', { name: 'Token "ci" created' });
    expect(within(shown).getByLabelText<HTMLInputElement>('Secret').value).toBe(secret);
    expect(within(shown).getByText(/shown this once/)).toBeDefined();
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      name: 'ci',
      scopes: ['findings:read'],
      expiresInDays: 30,
    });
    await userEvent.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    await screen.findByRole('table', { name: 'API tokens' });
    expect(screen.getByText('pgt_0123…')).toBeDefined();
    expect(document.body.innerHTML).not.toContain(secret);
    expect([...document.querySelectorAll('input')].some((input) => input.value === secret)).toBe(
      false,
    );
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain(secret);
  });

  it('revokes a token only after confirmation', async () => {
    const token: ApiToken = {
      id: '00000000-0000-4000-8000-00000000000b',
      userId: adminUser.id,
      name: 'backup',
      prefix: 'pgt_abcd',
      scopes: ['assets:read'],
      createdAt: '2026-12-05T10:00:00.000Z',
      expiresAt: '2099-01-04T10:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
      parentTokenId: null,
    };
    const calls = installFakeApi({
      'GET /api/v1/tokens': () => ({ tokens: [token], total: 1, limit: 500, offset: 0 }),
      'GET /api/v1/users': () => ({ users, total: 1, limit: 500, offset: 0 }),
      'DELETE /api/v1/tokens/:id': () => undefined,
    });
    renderWithApp(routes, { url: '/admin/tokens' });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke backup' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke backup?' });
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() =>
      expect(calls.find((call) => call.method === 'DELETE')?.path).toBe(
        `/api/v1/tokens/${token.id}`,
      ),
    );
  });
});
