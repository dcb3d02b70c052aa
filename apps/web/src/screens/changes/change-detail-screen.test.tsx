import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { changeApi, changeDetail, jonas, problem, tom } from './change-fixtures.ts';
import { ChangeDetailScreen } from './change-detail-screen.tsx';

const routes = [
  { path: '/changes/:changeId', element: <ChangeDetailScreen /> },
  { path: '/changes/:changeId/plan', element: <p>plan editor</p> },
];

describe('ChangeDetailScreen', () => {
  it.each([
    ['a draft, to its requester', 'draft', adminUser, ['Submit', 'Cancel change']],
    [
      'a change in authorise, to its requester',
      'authorise',
      adminUser,
      ['Schedule', 'Revise', 'Cancel change'],
    ],
    ['a draft, to an operator', 'draft', tom, []],
    ['a scheduled change, to its implementer', 'scheduled', tom, ['Roll out', 'Start']],
    [
      'an implementing change, to its implementer',
      'implementing',
      tom,
      ['Complete', 'Mark failed', 'Roll back'],
    ],
    ['a rejected change, to its requester', 'rejected', adminUser, ['Reopen']],
    ['a closed change, to the admin', 'closed', adminUser, []],
  ] as const)('offers the actions of %s', async (_name, state, user, expected) => {
    installFakeApi(changeApi(changeDetail({ state, schedule: null })), user);
    renderWithApp(routes, { url: '/changes/CHG-0007' });
    await screen.findByRole('heading', { level: 1, name: /CHG-0007/ });
    const actions = screen.getByRole('heading', { level: 1 }).closest('header');
    const names = within(actions as HTMLElement)
      .queryAllByRole('button')
      .map((b) => b.textContent);
    expect(names).toEqual(expected);
  });

  it('asks for a reason before cancelling, and sends it', async () => {
    const calls = installFakeApi(
      {
        ...changeApi(changeDetail({ state: 'draft' })),
        'POST /api/v1/changes/:id/cancel': () => changeDetail({ state: 'cancelled' }),
      },
      adminUser,
    );
    renderWithApp(routes, { url: '/changes/CHG-0007' });
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel change' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel change: CHG-0007' });
    const confirm = within(dialog).getByRole('button', { name: 'Cancel change' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(
      within(dialog).getByLabelText('Reason (required)'),
      'superseded by CHG-0008',
    );
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({
        path: '/api/v1/changes/11111111-1111-4111-8111-111111111111/cancel',
        body: { reason: 'superseded by CHG-0008' },
      }),
    );
  });

  it('shows the requester why they cannot approve their own change (separation of duties)', async () => {
    installFakeApi(changeApi(changeDetail()), adminUser);
    renderWithApp(routes, { url: '/changes/CHG-0007' });
    expect(
      await screen.findByText(
        'Separation of duties: you requested this change, so someone else must decide it.',
      ),
    ).toBeDefined();
    expect(screen.queryByRole('button', { name: 'Approve CHG-0007' })).toBeNull();
  });

  it('approves with the comment typed, as an eligible approver', async () => {
    const calls = installFakeApi(
      {
        ...changeApi(changeDetail()),
        'POST /api/v1/changes/:id/approve': () => changeDetail(),
      },
      jonas,
    );
    renderWithApp(routes, { url: '/changes/CHG-0007' });
    await userEvent.click(await screen.findByRole('button', { name: 'Approve CHG-0007' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve CHG-0007' });
    expect(dialog.textContent).toContain('plan version 2');
    await userEvent.type(within(dialog).getByLabelText('Comment'), 'Canary first, fine by me');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({
        path: `/api/v1/changes/${changeDetail().id}/approve`,
        body: { comment: 'Canary first, fine by me' },
      }),
    );
    expect(calls.find((c) => c.method === 'POST')?.headers.get('x-csrf-token')).toBe(
      'test-csrf-token',
    );
  });

  it('shows the server’s 409 in the dialog when it refuses the decision', async () => {
    installFakeApi(
      {
        ...changeApi(changeDetail()),
        'POST /api/v1/changes/:id/approve': () =>
          problem(
            409,
            'You (or someone acting for you) already decided stage 1 (service owner) of plan version 2',
          ),
      },
      jonas,
    );
    renderWithApp(routes, { url: '/changes/CHG-0007' });
    await userEvent.click(await screen.findByRole('button', { name: 'Approve CHG-0007' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve CHG-0007' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'already decided stage 1 (service owner) of plan version 2',
    );
  });

  it('keeps the tab in the URL and shows the risk explanation, the patches and the approval stages', async () => {
    installFakeApi(changeApi(changeDetail()), adminUser);
    const { router } = renderWithApp(routes, { url: '/changes/CHG-0007' });
    expect(
      await screen.findByText('Moderate: one internet-facing production host, a service restart.'),
    ).toBeDefined();
    await userEvent.click(screen.getByRole('tab', { name: 'Scope' }));
    expect(router.state.location.search).toBe('?tab=scope');
    expect(screen.getByText('3.0.11-1~deb12u1 → 3.0.15-1~deb12u1')).toBeDefined();
    await userEvent.click(screen.getByRole('tab', { name: 'Approvals' }));
    expect(screen.getByRole('heading', { name: 'Stage 2: CAB' })).toBeDefined();
    expect(screen.getAllByText(/Eligible: Jonas Weber/)).toHaveLength(2);
  });

  it('sums up readiness on the overview and runs a pre-flight from its tab', async () => {
    const calls = installFakeApi(
      {
        ...changeApi(changeDetail()),
        'POST /api/v1/changes/:id/preflight': () =>
          new Response(JSON.stringify({}), {
            status: 202,
            headers: { 'content-type': 'application/json' },
          }),
      },
      adminUser,
    );
    renderWithApp(routes, { url: '/changes/CHG-0007' });
    expect(
      (await screen.findByRole('link', { name: '0 of 1 host passed, 1 warning' })).getAttribute(
        'href',
      ),
    ).toBe('/changes/CHG-0007?tab=preflight');
    await userEvent.click(screen.getByRole('tab', { name: 'Pre-flight' }));
    expect(await screen.findByText('No pre-flight has run yet')).toBeDefined();
    await userEvent.click(screen.getByRole('button', { name: 'Run pre-flight' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.path).toBe(
        `/api/v1/changes/${changeDetail().id}/preflight`,
      ),
    );
  });

  it('starts a rollout of a scheduled change and follows it to its page', async () => {
    const calls = installFakeApi(
      {
        ...changeApi(changeDetail({ state: 'scheduled' })),
        'POST /api/v1/changes/:id/rollout': () =>
          new Response(JSON.stringify({ id: 'r-1' }), {
            status: 201,
            headers: { 'content-type': 'application/json' },
          }),
      },
      tom,
    );
    renderWithApp([...routes, { path: '/rollouts/:id', element: <p>rollout page</p> }], {
      url: '/changes/CHG-0007',
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Roll out' }));
    const dialog = await screen.findByRole('dialog', { name: 'Roll out CHG-0007' });
    await userEvent.click(
      within(dialog).getByLabelText('Dry run: simulate every task, change nothing'),
    );
    await userEvent.selectOptions(within(dialog).getByLabelText('Reboot'), 'if-required');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Start the dry run' }));
    expect(await screen.findByText('rollout page')).toBeDefined();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      dryRun: true,
      offlineHosts: 'wait',
      reboot: 'if-required',
    });
  });

  it('says so when the change does not exist', async () => {
    installFakeApi({
      ...changeApi(changeDetail()),
      'GET /api/v1/changes/:id': () => problem(404, 'No change CHG-0404'),
    });
    renderWithApp(routes, { url: '/changes/CHG-0404' });
    expect((await screen.findByRole('alert')).textContent).toContain('No change CHG-0404');
  });
});
