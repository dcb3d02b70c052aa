import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { approverGroups, changeDetail, jonas, problem } from './change-fixtures.ts';
import { CabAgendaScreen } from './cab-agenda-screen.tsx';

const agenda = [
  changeDetail(),
  changeDetail({
    id: '22222222-2222-4222-8222-222222222222',
    number: 'CHG-0008',
    title: 'Patch the mail bridge',
    requester: { id: jonas.id, name: 'Jonas Weber' },
  }),
];

function cabApi(approve: () => unknown = () => changeDetail()) {
  return {
    'GET /api/v1/changes/agenda': () => ({ changes: agenda }),
    'GET /api/v1/approver-groups': () => approverGroups,
    'GET /api/v1/approval-policy': () => ({ version: 1, rules: [] }),
    'POST /api/v1/changes/:id/approve': approve,
    'POST /api/v1/changes/:id/reject': approve,
  };
}

describe('CabAgendaScreen', () => {
  it('lists what awaits my decision with its risk and pre-flight warnings, and approves with a comment', async () => {
    const calls = installFakeApi(cabApi(), jonas);
    renderWithApp(<CabAgendaScreen />, { url: '/cab' });
    const item = await screen.findByRole('region', { name: /CHG-0007/ });
    // CHG-0008 is Jonas's own request: not his to decide.
    expect(screen.queryByRole('region', { name: /CHG-0008/ })).toBeNull();
    expect(within(item).getByText('risk moderate')).toBeDefined();
    expect(within(item).getByText('web-01: would remove libssl1.1')).toBeDefined();
    await userEvent.click(within(item).getByRole('button', { name: 'Approve CHG-0007' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve CHG-0007' });
    await userEvent.type(within(dialog).getByLabelText('Comment'), 'OK for the CAB');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({
        path: `/api/v1/changes/${agenda[0]?.id}/approve`,
        body: { comment: 'OK for the CAB' },
      }),
    );
  });

  it('shows separation of duties on the whole board’s agenda', async () => {
    installFakeApi(cabApi(), jonas);
    renderWithApp(<CabAgendaScreen />, { url: '/cab?show=all' });
    const own = await screen.findByRole('region', { name: /CHG-0008/ });
    expect(within(own).getByRole('note').textContent).toContain(
      'Separation of duties: you requested this change',
    );
    expect(within(own).queryByRole('button', { name: /Approve/ })).toBeNull();
  });

  it('requires a comment to reject and shows a refusal', async () => {
    const calls = installFakeApi(
      cabApi(() => problem(409, 'Change CHG-0007 is already rejected')),
      jonas,
    );
    renderWithApp(<CabAgendaScreen />, { url: '/cab' });
    await userEvent.click(await screen.findByRole('button', { name: 'Reject CHG-0007' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject CHG-0007' });
    const confirm = within(dialog).getByRole('button', { name: 'Reject' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Why (required)'), 'no rollback test');
    await userEvent.click(confirm);
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Change CHG-0007 is already rejected',
    );
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ comment: 'no rollback test' });
  });

  it('says when nothing awaits the admin', async () => {
    installFakeApi(cabApi(), adminUser);
    renderWithApp(<CabAgendaScreen />, { url: '/cab' });
    expect(await screen.findByText('Nothing awaits your decision')).toBeDefined();
  });
});
