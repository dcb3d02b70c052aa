import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { changeDetail, jonas } from './change-fixtures.ts';
import { ChangeListScreen, searchDelayMs } from './change-list-screen.tsx';

const changes = [
  changeDetail(),
  changeDetail({
    id: '22222222-2222-4222-8222-222222222222',
    number: 'CHG-0008',
    title: 'Patch the mail bridge',
    requester: { id: jonas.id, name: 'Jonas Weber' },
  }),
];

/** The query of the last `GET /api/v1/changes`. */
const lastList = (calls: { path: string; search: string }[]) =>
  Object.fromEntries(
    new URLSearchParams(calls.filter((c) => c.path === '/api/v1/changes').at(-1)?.search),
  );

describe('ChangeListScreen', () => {
  withLaidOutElements({ clientWidth: 800, offsetWidth: 800 });

  it('sends the URL’s filters to the API and links each change', async () => {
    const calls = installFakeApi(
      { 'GET /api/v1/changes': () => ({ changes, nextCursor: null }) },
      adminUser,
    );
    const { router } = renderWithApp(<ChangeListScreen />, {
      url: '/changes?state=authorise&type=normal',
    });
    const link = await screen.findByRole('link', { name: 'CHG-0007' });
    expect(link.getAttribute('href')).toBe('/changes/CHG-0007');
    expect(lastList(calls)).toEqual({ state: 'authorise', type: 'normal', limit: '200' });
    await userEvent.selectOptions(screen.getByLabelText('Risk'), 'high');
    expect(router.state.location.search).toBe('?state=authorise&type=normal&risk=high');
    await waitFor(() => expect(lastList(calls).risk).toBe('high'));
    expect(screen.getByRole('link', { name: 'New change' }).getAttribute('href')).toBe(
      '/changes/new',
    );
  });

  it('searches on the server once typing pauses, and shows what it answers (no filtering here)', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/changes': (_request: Request, url: URL) => ({
          // The server's answer is shown as it is: the screen filters nothing itself.
          changes: url.searchParams.get('q') === 'bridge' ? [changes[1]] : changes,
          nextCursor: null,
        }),
      },
      adminUser,
    );
    const { router } = renderWithApp(<ChangeListScreen />, { url: '/changes' });
    await screen.findByRole('link', { name: 'CHG-0007' });
    const before = calls.filter((c) => c.path === '/api/v1/changes').length;
    await userEvent.type(screen.getByLabelText('Search'), 'bridge');
    // One request for the whole word, not one per keystroke.
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('q')).toBe('bridge'),
    );
    await waitFor(() => expect(lastList(calls).q).toBe('bridge'));
    expect(calls.filter((c) => c.path === '/api/v1/changes').length).toBe(before + 1);
    await waitFor(() => expect(screen.queryByRole('link', { name: 'CHG-0007' })).toBeNull());
    expect(screen.getByRole('link', { name: 'CHG-0008' })).toBeDefined();

    // Nothing found: said with the search.
    await userEvent.clear(screen.getByLabelText('Search'));
    await userEvent.type(screen.getByLabelText('Search'), 'nothing-like-it');
    await act(() => new Promise((resolve) => setTimeout(resolve, searchDelayMs + 50)));
    await waitFor(() => expect(lastList(calls).q).toBe('nothing-like-it'));
  });

  it('sorts on the server: a column header sets sort and order in the URL and the request', async () => {
    const calls = installFakeApi(
      { 'GET /api/v1/changes': () => ({ changes, nextCursor: null }) },
      adminUser,
    );
    const { router } = renderWithApp(<ChangeListScreen />, { url: '/changes' });
    await screen.findByRole('link', { name: 'CHG-0007' });
    // Newest first by default: the Created column says so.
    expect(screen.getByRole('columnheader', { name: /Created/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    await userEvent.click(screen.getByRole('button', { name: /Risk/ }));
    await waitFor(() => expect(lastList(calls).sort).toBe('risk'));
    const search = new URLSearchParams(router.state.location.search);
    expect(search.get('sort')).toBe('risk');
    expect(lastList(calls).order).toBe(search.get('order'));
    await userEvent.click(screen.getByRole('button', { name: /Window/ }));
    await waitFor(() => expect(lastList(calls).sort).toBe('scheduled'));
    // Columns the server cannot sort by are not sort buttons.
    expect(screen.queryByRole('button', { name: /^Title/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Requester/ })).toBeNull();
  });

  it('says when nothing matches the search, and shows the server’s refusal', async () => {
    installFakeApi(
      {
        'GET /api/v1/changes': (_request: Request, url: URL) =>
          url.searchParams.get('sort') === 'number'
            ? new Response(
                JSON.stringify({
                  status: 422,
                  title: 'Unprocessable',
                  code: 'validation_failed',
                  detail: 'querystring.cursor: belongs to another sort or order',
                }),
                { status: 422, headers: { 'content-type': 'application/problem+json' } },
              )
            : { changes: [], nextCursor: null },
      },
      adminUser,
    );
    const { unmount } = renderWithApp(<ChangeListScreen />, { url: '/changes?q=zzz' });
    expect(await screen.findByText('No change matches “zzz” with these filters')).toBeDefined();
    unmount();
    renderWithApp(<ChangeListScreen />, { url: '/changes?sort=number&order=asc' });
    expect(await screen.findByText(/belongs to another sort or order/)).toBeDefined();
  });
});
