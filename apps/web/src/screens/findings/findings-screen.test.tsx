import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import type { FindingRow, FindingsSummary } from './finding-types.ts';
import { findingDetail, findingRow } from './findings-fixtures.ts';
import { FindingsScreen } from './findings-screen.tsx';

const summary: FindingsSummary = {
  total: 12,
  byState: { open: 10, fixed: 2, reopened: 0 },
  byPriority: { P1: 2, P2: 3, P3: 4, P4: 1, P5: 0 },
  accepted: 0,
  triagedAway: 0,
  overdue: 1,
};

const routes = [
  { path: '/findings', element: <FindingsScreen /> },
  { path: '/changes/new', element: <p>new change screen</p> },
];

function api(rows: FindingRow[], nextCursor: string | null = null) {
  return {
    'GET /api/v1/findings': (_request: Request, url: URL) =>
      url.searchParams.get('cursor') === null
        ? { findings: rows, nextCursor }
        : {
            findings: [findingRow({ advisory: { ...rows[0]!.advisory, id: 'DSA-9999-1' } })],
            nextCursor: null,
          },
    'GET /api/v1/findings/summary': () => summary,
  };
}

describe('FindingsScreen', () => {
  withLaidOutElements();

  it('asks the API for the filters in the URL, and puts a filter chosen in the bar into the URL and the request', async () => {
    const calls = installFakeApi(api([findingRow()]));
    const { router } = renderWithApp(routes, {
      url: '/findings?priority=P1,P2&kev=true&sort=due&asset=web-01',
    });
    expect(await screen.findByRole('link', { name: /DSA-5678-1 on web-01/ })).toBeDefined();
    const first = calls.find((c) => c.path === '/api/v1/findings');
    const sent = new URLSearchParams(first?.search);
    expect(Object.fromEntries(sent)).toEqual({
      asset: 'web-01',
      priority: 'P1,P2',
      kev: 'true',
      sort: 'due',
      limit: '200',
    });
    const counted = calls.find((c) => c.path === '/api/v1/findings/summary');
    expect(Object.fromEntries(new URLSearchParams(counted?.search))).toEqual({
      asset: 'web-01',
      priority: 'P1,P2',
      kev: 'true',
    });

    // Environment: production, from the filter bar.
    await userEvent.click(screen.getByText('Environment: any'));
    // Two quick clicks add up (staging first: the URL keeps the vocabulary's order).
    const environments = within(screen.getByRole('group', { name: 'Environment' }));
    await userEvent.click(environments.getByLabelText('staging'));
    await userEvent.click(environments.getByLabelText('production'));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('environment')).toBe(
        'production,staging',
      ),
    );
    await waitFor(() =>
      expect(
        calls.some(
          (c) =>
            c.path === '/api/v1/findings' &&
            new URLSearchParams(c.search).get('environment') === 'production,staging' &&
            new URLSearchParams(c.search).get('priority') === 'P1,P2',
        ),
      ).toBe(true),
    );

    // "Overdue: yes" and a text filter applied on Enter.
    await userEvent.selectOptions(screen.getByLabelText('Overdue'), 'true');
    await userEvent.clear(screen.getByLabelText('Package'));
    await userEvent.type(screen.getByLabelText('Package'), 'curl{Enter}');
    await waitFor(() => {
      const search = new URLSearchParams(router.state.location.search);
      expect(search.get('overdue')).toBe('true');
      expect(search.get('package')).toBe('curl');
    });
    const last = calls.filter((c) => c.path === '/api/v1/findings').at(-1);
    expect(new URLSearchParams(last?.search).get('package')).toBe('curl');
    expect(new URLSearchParams(last?.search).get('overdue')).toBe('true');
  });

  it("opens a dashboard link's list: due status and owner team go to the API and show in the bar", async () => {
    const calls = installFakeApi(api([findingRow()]));
    const { router } = renderWithApp(routes, {
      url: '/findings?priority=P2&due=later,none&ownerTeam=team-web&dueBefore=2026-12-14',
    });
    expect(await screen.findByRole('link', { name: /DSA-5678-1 on web-01/ })).toBeDefined();
    const first = calls.find((c) => c.path === '/api/v1/findings');
    expect(Object.fromEntries(new URLSearchParams(first?.search))).toEqual({
      priority: 'P2',
      due: 'later,none',
      ownerTeam: 'team-web',
      dueBefore: '2026-12-14',
      limit: '200',
    });
    // The bar says what is filtered, in words.
    expect(screen.getByText('Due: due later, no due date')).toBeDefined();
    expect(screen.getByLabelText<HTMLInputElement>('Owner team').value).toBe('team-web');
    expect(screen.getByLabelText<HTMLInputElement>('Due before').value).toBe('2026-12-14');

    // Add "due within 7 days"; choose "without owner team" instead of a team.
    await userEvent.click(screen.getByText('Due: due later, no due date'));
    await userEvent.click(
      within(screen.getByRole('group', { name: 'Due' })).getByLabelText('due within 7 days'),
    );
    await userEvent.clear(screen.getByLabelText('Owner team'));
    await userEvent.tab();
    await userEvent.selectOptions(screen.getByLabelText('Without owner team'), 'true');
    await waitFor(() => {
      const search = new URLSearchParams(router.state.location.search);
      expect(search.get('due')).toBe('soon,later,none');
      expect(search.get('ownerTeam')).toBeNull();
      expect(search.get('noOwnerTeam')).toBe('true');
    });
    await waitFor(() => {
      const last = new URLSearchParams(
        calls.filter((c) => c.path === '/api/v1/findings').at(-1)?.search,
      );
      expect(last.get('due')).toBe('soon,later,none');
      expect(last.get('noOwnerTeam')).toBe('true');
      expect(last.get('ownerTeam')).toBeNull();
    });
  });

  it('sorts through the API: a sortable column header sets ?sort= and the request', async () => {
    const calls = installFakeApi(api([findingRow()]));
    const { router } = renderWithApp(routes, { url: '/findings' });
    await screen.findByRole('link', { name: /DSA-5678-1 on web-01/ });
    await userEvent.click(screen.getByRole('button', { name: /EPSS/ }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('sort')).toBe('epss'),
    );
    await waitFor(() =>
      expect(
        calls.some(
          (c) =>
            c.path === '/api/v1/findings' && new URLSearchParams(c.search).get('sort') === 'epss',
        ),
      ).toBe(true),
    );
  });

  it('loads the next page, with the cursor the server gave, when the end of the rows comes into view', async () => {
    const calls = installFakeApi(api([findingRow()], 'cursor-2'));
    renderWithApp(routes, { url: '/findings' });
    await screen.findByRole('link', { name: /DSA-5678-1 on web-01/ });
    expect(await screen.findByRole('link', { name: /DSA-9999-1 on web-01/ })).toBeDefined();
    expect(
      calls.some(
        (c) =>
          c.path === '/api/v1/findings' &&
          new URLSearchParams(c.search).get('cursor') === 'cursor-2',
      ),
    ).toBe(true);
  });

  it('keeps the rows when the next page fails, says so, and does not ask again on its own', async () => {
    const calls = installFakeApi({
      'GET /api/v1/findings': (_request, url) =>
        url.searchParams.get('cursor') === null
          ? { findings: [findingRow()], nextCursor: 'cursor-2' }
          : new Response(
              JSON.stringify({
                status: 500,
                title: 'Internal Server Error',
                detail: 'database away',
              }),
              {
                status: 500,
                headers: { 'content-type': 'application/problem+json' },
              },
            ),
      'GET /api/v1/findings/summary': () => summary,
    });
    renderWithApp(routes, { url: '/findings' });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The next page failed: database away',
    );
    expect(screen.getByRole('link', { name: /DSA-5678-1 on web-01/ })).toBeDefined();
    const asked = () =>
      calls.filter((c) => new URLSearchParams(c.search).get('cursor') === 'cursor-2').length;
    expect(asked()).toBe(1);
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(asked()).toBe(2));
  });

  it('keeps the DOM small with thousands of rows loaded (virtualised)', async () => {
    const template = findingRow();
    const pageOf = (cursor: number) => ({
      findings: Array.from({ length: 200 }, (_, index) => ({
        ...template,
        id: `${(cursor + index).toString(16).padStart(8, '0')}-0000-8000-8000-000000000000`,
      })),
      nextCursor: cursor + 200 < 2000 ? String(cursor + 200) : null,
    });
    installFakeApi({
      'GET /api/v1/findings': (_request, url) =>
        pageOf(Number(url.searchParams.get('cursor') ?? 0)),
      'GET /api/v1/findings/summary': () => ({
        ...summary,
        byPriority: { ...summary.byPriority, P1: 2000 - 8 },
      }),
    });
    renderWithApp(routes, { url: '/findings' });
    for (let loaded = 200; loaded < 2000; loaded += 200) {
      await screen.findByText(`${loaded.toLocaleString('en-GB')} of 2,000 loaded`);
      await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    }
    await screen.findByText('2,000 of 2,000 loaded');
    const table = screen.getByRole('table', { name: 'Findings' });
    expect(table.getAttribute('aria-rowcount')).toBe('2001');
    expect(table.querySelectorAll('tbody tr:not(.spacer)').length).toBeLessThan(80);
  });

  it('turns selected rows into a "Create change request" link with their ids', async () => {
    const a = findingRow();
    const b = findingRow({ asset: { ...a.asset, name: 'db-01' } });
    const c = findingRow({ asset: { ...a.asset, name: 'app-01' } });
    installFakeApi(api([a, b, c]));
    const { router } = renderWithApp(routes, { url: '/findings' });
    await userEvent.click(await screen.findByLabelText('Select DSA-5678-1 on web-01'));
    await userEvent.click(screen.getByLabelText('Select DSA-5678-1 on app-01'));
    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    expect(bar.textContent).toContain('2 selected');
    const link = within(bar).getByRole('link', { name: 'Create change request' });
    expect(link.getAttribute('href')).toBe(`/changes/new?findings=${a.id},${c.id}`);
    await userEvent.click(link);
    expect(await screen.findByText('new change screen')).toBeDefined();
    expect(router.state.location.search).toBe(`?findings=${a.id},${c.id}`);
  });

  it('triages the selected findings one call each, with the same body', async () => {
    const a = findingRow();
    const b = findingRow({ asset: { ...a.asset, name: 'db-01' } });
    const calls = installFakeApi({
      ...api([a, b]),
      'PUT /api/v1/findings/:id/triage': () => a,
    });
    renderWithApp(routes, { url: '/findings' });
    await userEvent.click(await screen.findByLabelText('Select DSA-5678-1 on web-01'));
    await userEvent.click(screen.getByLabelText('Select DSA-5678-1 on db-01'));
    await userEvent.click(screen.getByRole('button', { name: 'Triage selected' }));
    const dialog = await screen.findByRole('dialog', { name: 'Triage 2 findings' });
    await userEvent.selectOptions(within(dialog).getByLabelText('Analysis state'), 'exploitable');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Triage 2' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2));
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts.map((c) => c.path).sort()).toEqual(
      [`/api/v1/findings/${a.id}/triage`, `/api/v1/findings/${b.id}/triage`].sort(),
    );
    expect(puts.map((c) => c.body)).toEqual([{ state: 'exploitable' }, { state: 'exploitable' }]);
  });

  it('forgets the selection when the filters change (a bulk action only reaches rows in view)', async () => {
    installFakeApi(api([findingRow()]));
    const { router } = renderWithApp(routes, { url: '/findings' });
    await userEvent.click(await screen.findByLabelText('Select DSA-5678-1 on web-01'));
    expect(screen.getByRole('region', { name: 'Bulk actions' })).toBeDefined();
    await router.navigate('/findings?priority=P1');
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Bulk actions' })).toBeNull());
    const checkbox = await screen.findByLabelText<HTMLInputElement>('Select DSA-5678-1 on web-01');
    expect(checkbox.checked).toBe(false);
  });

  it('opens the selected finding beside the list with its priority explanation', async () => {
    const row = findingRow();
    const detail = findingDetail({ id: row.id });
    installFakeApi({
      ...api([row]),
      'GET /api/v1/findings/:id': () => detail,
    });
    const { router } = renderWithApp(routes, { url: '/findings?priority=P1' });
    await userEvent.click(await screen.findByRole('link', { name: /DSA-5678-1 on web-01/ }));
    await waitFor(() =>
      expect(new URLSearchParams(router.state.location.search).get('selected')).toBe(row.id),
    );
    expect(new URLSearchParams(router.state.location.search).get('priority')).toBe('P1');
    const panel = await screen.findByRole('complementary', { name: 'Selected finding' });
    await within(panel).findByText(/rule kev-internet/);
    expect(within(panel).getByRole('heading', { name: 'Priority explanation' })).toBeDefined();
    const inputs = within(panel).getByRole('table', { name: /Inputs the rule read/ });
    expect(within(inputs).getByText('In CISA KEV (known exploited)')).toBeDefined();
    expect(within(inputs).getByText('CISA KEV')).toBeDefined();
    expect(within(inputs).getByText('42.0 %')).toBeDefined();
    expect(within(panel).getByText(/7 days from detection on 2026-12-01/)).toBeDefined();
  });

  it('shows the API’s refusal of a filter (an unknown asset is a 422)', async () => {
    installFakeApi({
      'GET /api/v1/findings': () =>
        new Response(
          JSON.stringify({
            status: 422,
            title: 'Validation failed',
            detail: 'query.asset: no asset nosuch',
            code: 'validation_failed',
          }),
          { status: 422, headers: { 'content-type': 'application/problem+json' } },
        ),
      'GET /api/v1/findings/summary': () => summary,
    });
    renderWithApp(routes, { url: '/findings?asset=nosuch' });
    expect((await screen.findByRole('alert')).textContent).toContain('no asset nosuch');
  });
});
