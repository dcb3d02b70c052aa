import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AdminScreen } from './admin-screen.tsx';
import type { ApprovalPolicy, ApproverGroup, Delegation } from './approvals-types.ts';

const routes = [{ path: '/admin/*', element: <AdminScreen /> }];

const problem = (status: number, detail: string, errors?: { field: string; message: string }[]) =>
  new Response(JSON.stringify({ status, title: 'Refused', detail, code: 'refused', errors }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

const jonas = { id: 'u-jonas', username: 'jonas.weber', displayName: 'Jonas Weber' };
const maria = { id: 'u-maria', username: 'maria.keller', displayName: 'Maria Keller' };

const policy: ApprovalPolicy = {
  version: 3,
  createdAt: '2026-12-01T08:00:00.000Z',
  createdBy: maria,
  rules: [
    {
      id: 'emergency',
      description: 'Emergency changes',
      match: { types: ['emergency'] },
      autoApprove: false,
      retrospectiveReview: true,
      stages: [{ name: 'emergency approver', groups: ['emergency'], quorum: { kind: 'any' } }],
    },
    {
      id: 'default',
      description: 'Everything else',
      match: {},
      autoApprove: false,
      stages: [{ name: 'CAB', groups: ['cab'], quorum: { kind: 'count', count: 2 } }],
    },
  ],
};

const groups: ApproverGroup[] = [
  {
    id: 'g-cab',
    name: 'cab',
    description: 'Change advisory board',
    emergency: false,
    members: [jonas],
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-01T08:00:00.000Z',
  },
  {
    id: 'g-emergency',
    name: 'emergency',
    description: 'Emergency approvers',
    emergency: true,
    members: [],
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-01T08:00:00.000Z',
  },
];

const delegation: Delegation = {
  id: '7d0c7c8e-1111-4111-8111-111111111111',
  from: jonas,
  to: maria,
  startsAt: '2026-12-01T00:00:00.000Z',
  endsAt: '2099-12-10T00:00:00.000Z',
  reason: 'holiday',
  active: true,
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: jonas,
  revokedAt: null,
  revokedBy: null,
};

const approver: SessionUser = {
  id: 'u-other',
  username: 'olga',
  displayName: 'Olga Approver',
  roles: ['approver'],
  permissions: ['changes:read', 'changes:approve', 'tokens:own'],
};

const operator: SessionUser = {
  id: 'u-tom',
  username: 'tom.berg',
  displayName: 'Tom Berg',
  roles: ['operator'],
  permissions: ['changes:read', 'changes:implement', 'tokens:own'],
};

const readApi = {
  'GET /api/v1/approval-policy': () => policy,
  'GET /api/v1/approver-groups': () => ({ groups }),
  'GET /api/v1/delegations': () => ({ delegations: [delegation] }),
  'GET /api/v1/users': () => ({ users: [] }),
};

describe('ApprovalsScreen', () => {
  it('edits a rule of the policy as the API models it and shows a 422 beside its field', async () => {
    let answer: 'refuse' | 'accept' = 'refuse';
    const calls = installFakeApi({
      ...readApi,
      'PUT /api/v1/approval-policy': () =>
        answer === 'refuse'
          ? problem(422, 'The request is not valid', [
              {
                field: 'body.rules[1].autoApprove',
                message: 'only a rule matching standard changes alone may auto-approve',
              },
            ])
          : { ...policy, version: 4 },
    });
    renderWithApp(routes, { url: '/admin/approvals' });
    const rules = await screen.findByRole('table', { name: 'Approval rules' }, { timeout: 5000 });
    expect(within(rules).getByText('type emergency')).toBeDefined();
    expect(within(rules).getByText('every change')).toBeDefined();
    expect(within(rules).getByText('CAB: cab (2 approvers)')).toBeDefined();
    expect(screen.getByText(/Version 3, stored .* by Maria Keller/)).toBeDefined();

    await userEvent.click(screen.getByRole('button', { name: 'Edit rule default' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit rule default' });
    const risks = within(dialog).getByRole('group', { name: 'Risk levels' });
    await userEvent.click(within(risks).getByRole('checkbox', { name: 'high' }));
    await userEvent.click(
      within(dialog).getByRole('checkbox', {
        name: 'Auto-approve standard changes whose template criteria hold',
      }),
    );
    await userEvent.selectOptions(within(dialog).getByLabelText('Stage 1 quorum'), 'all');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add a stage' }));
    await userEvent.type(within(dialog).getByLabelText('Stage 2 name'), 'emergency sign-off');
    const stage2 = within(dialog).getByRole('group', { name: 'Stage 2 approver groups' });
    await userEvent.click(within(stage2).getByRole('checkbox', { name: 'emergency' }));
    await userEvent.click(
      within(dialog).getByRole('checkbox', { name: /^Its own freeze-override stage/ }),
    );
    const freeze = within(dialog).getByRole('group', {
      name: 'Freeze-override stage approver groups',
    });
    await userEvent.click(within(freeze).getByRole('checkbox', { name: 'cab' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save rule' }));

    await within(dialog).findByText(
      'only a rule matching standard changes alone may auto-approve',
      { selector: '.field-error' },
    );
    const put = calls.filter((c) => c.method === 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0]?.body).toEqual({
      rules: [
        policy.rules[0],
        {
          id: 'default',
          description: 'Everything else',
          match: { risks: ['high'] },
          autoApprove: true,
          stages: [
            { name: 'CAB', groups: ['cab'], quorum: { kind: 'all' } },
            { name: 'emergency sign-off', groups: ['emergency'], quorum: { kind: 'any' } },
          ],
          freezeOverride: { name: 'freeze override', groups: ['cab'], quorum: { kind: 'any' } },
        },
      ],
    });

    answer = 'accept';
    await userEvent.click(
      within(dialog).getByRole('checkbox', {
        name: 'Auto-approve standard changes whose template criteria hold',
      }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'PUT').at(-1)?.body).toMatchObject({
      rules: [{ id: 'emergency' }, { id: 'default', autoApprove: false }],
    });
  });

  it('adds a rule before the catch-all, reorders and deletes only after confirmation', async () => {
    const calls = installFakeApi({
      ...readApi,
      'PUT /api/v1/approval-policy': () => policy,
    });
    renderWithApp(routes, { url: '/admin/approvals' });
    await screen.findByRole('table', { name: 'Approval rules' }, { timeout: 5000 });
    await userEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add an approval rule' });
    await userEvent.type(within(dialog).getByLabelText('Rule id'), 'high-risk');
    const types = within(dialog).getByRole('group', { name: 'Change types' });
    await userEvent.click(within(types).getByRole('checkbox', { name: 'normal' }));
    await userEvent.type(within(dialog).getByLabelText('Stage 1 name'), 'board');
    const stage1 = within(dialog).getByRole('group', { name: 'Stage 1 approver groups' });
    await userEvent.click(within(stage1).getByRole('checkbox', { name: 'cab' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add rule' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const added = calls.filter((c) => c.method === 'PUT')[0]?.body as {
      rules: { id: string }[];
    };
    expect(added.rules.map((r) => r.id)).toEqual(['emergency', 'high-risk', 'default']);

    await userEvent.click(screen.getByRole('button', { name: 'Move rule emergency down' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2));
    const moved = calls.filter((c) => c.method === 'PUT')[1]?.body as { rules: { id: string }[] };
    expect(moved.rules.map((r) => r.id)).toEqual(['default', 'emergency']);

    await userEvent.click(screen.getByRole('button', { name: 'Delete rule emergency' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete rule emergency?' });
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete rule' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(3));
    const deleted = calls.filter((c) => c.method === 'PUT')[2]?.body as { rules: { id: string }[] };
    expect(deleted.rules.map((r) => r.id)).toEqual(['default']);
  });

  it('manages approver groups and members; a refused delete says why', async () => {
    const calls = installFakeApi({
      ...readApi,
      'POST /api/v1/approver-groups': () =>
        problem(409, 'An approver group named "cab" already exists'),
      'POST /api/v1/approver-groups/:group/members': (_request, url) =>
        url.pathname.endsWith('/cab/members') ? groups[0] : problem(422, 'No user'),
      'PATCH /api/v1/approver-groups/:group': () => groups[1],
      'DELETE /api/v1/approver-groups/:group': () =>
        problem(409, 'The approval policy names the group cab'),
    });
    renderWithApp(routes, { url: '/admin/approvals' });
    const table = await screen.findByRole('table', { name: 'Approver groups' }, { timeout: 5000 });
    expect(within(table).getByText('No members: nobody can approve its stages.')).toBeDefined();

    await userEvent.click(screen.getByRole('button', { name: 'Add group' }));
    const create = await screen.findByRole('dialog', { name: 'Add an approver group' });
    await userEvent.type(within(create).getByLabelText('Name'), 'cab');
    await userEvent.click(within(create).getByRole('button', { name: 'Add group' }));
    expect((await within(create).findByRole('alert')).textContent).toContain('already exists');
    await userEvent.click(within(create).getByRole('button', { name: 'Cancel' }));

    await userEvent.click(screen.getByRole('button', { name: 'Edit group emergency' }));
    const edit = await screen.findByRole('dialog', { name: 'Edit group emergency' });
    expect(within(edit).getByLabelText<HTMLInputElement>('Name').disabled).toBe(true);
    await userEvent.clear(within(edit).getByLabelText('Description'));
    await userEvent.type(within(edit).getByLabelText('Description'), 'On call');
    await userEvent.click(within(edit).getByRole('checkbox', { name: /^Emergency group/ }));
    await userEvent.click(within(edit).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({
      path: '/api/v1/approver-groups/emergency',
      body: { description: 'On call', emergency: false },
    });

    await userEvent.click(screen.getByRole('button', { name: 'Add member to cab' }));
    const add = await screen.findByRole('dialog', { name: 'Add a member to cab' });
    await userEvent.type(within(add).getByLabelText('Username'), 'aisha.khan');
    await userEvent.click(within(add).getByRole('button', { name: 'Add member' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.find((c) => c.path === '/api/v1/approver-groups/cab/members')?.body).toEqual({
      add: ['aisha.khan'],
      remove: [],
    });

    await userEvent.click(screen.getByRole('button', { name: 'Remove jonas.weber from cab' }));
    const removeDialog = await screen.findByRole('dialog', {
      name: 'Remove Jonas Weber from cab?',
    });
    await userEvent.click(within(removeDialog).getByRole('button', { name: 'Remove member' }));
    await waitFor(() =>
      expect(
        calls.filter((c) => c.path === '/api/v1/approver-groups/cab/members').at(-1)?.body,
      ).toEqual({ add: [], remove: ['u-jonas'] }),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Delete group cab' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete group cab?' });
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete group' }));
    expect((await within(confirm).findByRole('alert')).textContent).toContain(
      'The approval policy names the group cab',
    );
  });

  it('filters delegations in the URL, creates one with ISO times and revokes after confirmation', async () => {
    const calls = installFakeApi({
      ...readApi,
      'POST /api/v1/delegations': () => delegation,
      'POST /api/v1/delegations/:id/revoke': () => ({ ...delegation, active: false }),
    });
    const { router } = renderWithApp(routes, { url: '/admin/approvals' });
    const table = await screen.findByRole('table', { name: 'Delegations' }, { timeout: 5000 });
    expect(within(table).getByText('active')).toBeDefined();

    await userEvent.click(screen.getByRole('checkbox', { name: 'Also ended and revoked' }));
    await waitFor(() => expect(router.state.location.search).toBe('?ended=true'));
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/delegations').at(-1)?.search).toBe(
        '?ended=true',
      ),
    );
    await userEvent.type(screen.getByLabelText('From or to user'), 'jonas.weber{Enter}');
    await waitFor(() => expect(router.state.location.search).toBe('?ended=true&user=jonas.weber'));

    await userEvent.click(screen.getByRole('button', { name: 'Delegate approvals' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delegate approvals' });
    const from = within(dialog).getByLabelText<HTMLInputElement>('Whose approvals (away)');
    expect(from.disabled).toBe(false);
    await userEvent.clear(from);
    await userEvent.type(from, 'jonas.weber');
    await userEvent.type(
      within(dialog).getByLabelText('Delegate (decides for them)'),
      'maria.keller',
    );
    const starts = within(dialog).getByLabelText('From');
    await userEvent.clear(starts);
    await userEvent.type(starts, '2026-12-20T09:00');
    const ends = within(dialog).getByLabelText('Until (exclusive)');
    await userEvent.clear(ends);
    await userEvent.type(ends, '2026-12-27T09:00');
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'holiday');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delegate' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(
      calls.find((c) => c.method === 'POST' && c.path === '/api/v1/delegations')?.body,
    ).toEqual({
      from: 'jonas.weber',
      to: 'maria.keller',
      startsAt: new Date('2026-12-20T09:00').toISOString(),
      endsAt: new Date('2026-12-27T09:00').toISOString(),
      reason: 'holiday',
    });

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Revoke the delegation from Jonas Weber to Maria Keller',
      }),
    );
    const confirm = await screen.findByRole('dialog', { name: 'Revoke this delegation?' });
    expect(calls.some((c) => c.path.endsWith('/revoke'))).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Revoke delegation' }));
    await waitFor(() =>
      expect(calls.some((c) => c.path === `/api/v1/delegations/${delegation.id}/revoke`)).toBe(
        true,
      ),
    );
  });

  it('an approver reads the policy and delegates only their own approvals', async () => {
    const calls = installFakeApi({ ...readApi }, approver);
    renderWithApp(routes, { url: '/admin/approvals' });
    await screen.findByRole('table', { name: 'Approval rules' }, { timeout: 5000 });
    expect(screen.queryByRole('button', { name: 'Edit rule default' })).toBeNull();
    const addRule = screen.getByRole<HTMLButtonElement>('button', { name: 'Add rule' });
    expect(addRule.disabled).toBe(true);
    expect(addRule.title).toBe('Changing this needs the permission changes:manage.');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Add group' }).disabled).toBe(
      true,
    );
    expect(screen.queryByRole('button', { name: 'Delete group cab' })).toBeNull();
    // Not their delegation (jonas → maria): revoking is disabled with the reason.
    const revoke = await screen.findByRole<HTMLButtonElement>('button', {
      name: 'Revoke the delegation from Jonas Weber to Maria Keller',
    });
    expect(revoke.disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Delegate approvals' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delegate approvals' });
    const from = within(dialog).getByLabelText<HTMLInputElement>('Whose approvals (away)');
    expect(from.disabled).toBe(true);
    expect(from.value).toBe('olga');
    // The user list is an administrator's: not asked for.
    expect(calls.some((c) => c.path === '/api/v1/users')).toBe(false);
  });

  it('an operator is told which permission the section needs', async () => {
    installFakeApi({ ...readApi }, operator);
    renderWithApp(routes, { url: '/admin/approvals' });
    await screen.findByText('You do not have permission to open this screen.', undefined, {
      timeout: 5000,
    });
    expect(screen.getByText('changes:manage')).toBeDefined();
    expect(screen.queryByRole('table', { name: 'Approval rules' })).toBeNull();
  });
});
