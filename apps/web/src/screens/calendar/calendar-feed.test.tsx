import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { CalendarFeedSection } from './calendar-feed.tsx';

const token = 'pgf_0123456789abcdef0123456789abcdef';

describe('the calendar feed URL', () => {
  it('is created after a confirmation, shown once in full with the server’s path, and gone once closed', async () => {
    const calls = installFakeApi({
      'POST /api/v1/calendar/feed-token': () =>
        new Response(
          JSON.stringify({
            token,
            path: `/api/v1/calendar/feed/${token}`,
            createdAt: '2026-12-06T10:00:00.000Z',
          }),
          { status: 201, headers: { 'content-type': 'application/json' } },
        ),
    });
    renderWithApp(<CalendarFeedSection />);
    await userEvent.click(await screen.findByRole('button', { name: 'Create a feed URL' }));
    const confirm = await screen.findByRole('dialog', { name: 'Create a calendar feed URL?' });
    expect(within(confirm).getByText(/it stops working/)).toBeDefined();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Create the feed URL' }));

    const shown = await screen.findByRole('dialog', { name: 'Your calendar feed URL' });
    const field = within(shown).getByLabelText<HTMLInputElement>('Secret');
    expect(field.value).toBe(`${window.location.origin}/api/v1/calendar/feed/${token}`);
    expect(field.readOnly).toBe(true);
    expect(calls.filter((c) => c.path === '/api/v1/calendar/feed-token')).toHaveLength(1);
    expect(calls.find((c) => c.method === 'POST')?.headers.get('x-csrf-token')).toBe(
      'test-csrf-token',
    );

    await userEvent.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByLabelText('Secret')).toBeNull());
    expect(screen.queryByText(token, { exact: false })).toBeNull();
    expect(screen.getByRole('status').textContent).toMatch(/^A feed URL was created/);
  });

  it('is revoked after a confirmation; without one, the server’s 404 is said in words', async () => {
    let exists = false;
    const calls = installFakeApi({
      'DELETE /api/v1/calendar/feed-token': () =>
        exists
          ? undefined
          : new Response(
              JSON.stringify({ status: 404, title: 'Not Found', detail: 'The feed token' }),
              { status: 404, headers: { 'content-type': 'application/problem+json' } },
            ),
    });
    renderWithApp(<CalendarFeedSection />);
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke my feed URL' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke your calendar feed URL?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke the feed URL' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'You have no feed URL to revoke.',
    );
    exists = true;
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke the feed URL' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'Your feed URL was revoked: calendar clients using it now get nothing.',
      ),
    );
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(2);
  });

  it('is disabled, saying why, for a user without calendar:read', async () => {
    const noCalendar: SessionUser = {
      ...adminUser,
      permissions: adminUser.permissions.filter((p) => p !== 'calendar:read'),
    };
    installFakeApi({}, noCalendar);
    renderWithApp(<CalendarFeedSection />);
    const create = await screen.findByRole('button', { name: 'Create a feed URL' });
    await waitFor(() => expect((create as HTMLButtonElement).disabled).toBe(true));
    expect(create.getAttribute('title')).toBe('A feed needs the calendar:read permission');
  });
});
