import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { findingDetail, findingRow } from '../findings/findings-fixtures.ts';
import { ChangeNewScreen } from './change-new-screen.tsx';

const routes = [
  { path: '/changes/new', element: <ChangeNewScreen /> },
  { path: '/changes/:changeId', element: <p>change page</p> },
];

describe('ChangeNewScreen', () => {
  it('creates a change from the findings in the URL, with a suggested title, and opens it', async () => {
    const a = findingDetail({ ...findingRow(), priority: 'P1' });
    const b = findingDetail({
      ...findingRow({ asset: { ...a.asset, name: 'db-01' } }),
      priority: 'P2',
      kev: false,
    });
    const byId = new Map([a, b].map((f) => [f.id, f]));
    const calls = installFakeApi({
      'GET /api/v1/findings/:id': (_request, url) => byId.get(url.pathname.split('/').at(-1) ?? ''),
      'GET /api/v1/change-templates': () => ({ templates: [] }),
      'POST /api/v1/changes': () =>
        new Response(
          JSON.stringify({ id: 'c0ffee00-0000-4000-8000-000000000001', number: 'CHG-0007' }),
          {
            status: 201,
            headers: { 'content-type': 'application/json' },
          },
        ),
    });
    const { router } = renderWithApp(routes, { url: `/changes/new?findings=${a.id},${b.id}` });
    const title = await screen.findByLabelText('Title');
    await waitFor(() =>
      expect((title as HTMLInputElement).value).toBe('Fix 2 findings (P1–P2) on web-01, db-01'),
    );
    expect(screen.getByLabelText<HTMLTextAreaElement>('Description').value).toContain(
      `DSA-5678-1 in openssl 3.0.11-1~deb12u1 on db-01 (P2, due 2026-12-08)`,
    );
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'emergency');
    await userEvent.type(screen.getByLabelText('Implementer (optional)'), 'tom.berg');
    await userEvent.click(screen.getByRole('button', { name: 'Create change request' }));
    expect(await screen.findByText('change page')).toBeDefined();
    expect(router.state.location.pathname).toBe('/changes/c0ffee00-0000-4000-8000-000000000001');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({
      title: 'Fix 2 findings (P1–P2) on web-01, db-01',
      type: 'emergency',
      findings: { ids: [a.id, b.id] },
      patchTarget: 'lowest-fix',
      implementer: 'tom.berg',
    });
  });

  it('says what to do when no findings are chosen', async () => {
    installFakeApi({});
    renderWithApp(routes, { url: '/changes/new' });
    expect(await screen.findByText('No findings chosen')).toBeDefined();
  });
});
