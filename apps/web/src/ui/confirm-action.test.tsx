import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { $api } from '../api/query.ts';
import { installFakeApi, renderWithApp } from '../test-support/render.tsx';
import { ConfirmAction, ConfirmActionDialog, useConfirmAction } from './confirm-action.tsx';

const contact = { id: 'c1', kind: 'team', key: 'platform', address: 'platform@example.com' };

/** A list and one row's "Delete…", the way a screen uses `ConfirmAction`. */
function Contacts() {
  const list = $api.useQuery('get', '/api/v1/notification-contacts');
  return (
    <ul>
      {list.data?.contacts.map((c) => (
        <li key={c.id}>
          {c.address}
          <ConfirmAction
            method="delete"
            path="/api/v1/notification-contacts/{id}"
            init={() => ({ params: { path: { id: c.id } } })}
            invalidate={['/api/v1/notification-contacts']}
            label="Delete…"
            ariaLabel={`Delete ${c.address}`}
            title={`Delete contact ${c.address}?`}
            message={<p>It will no longer be e-mailed.</p>}
            confirmLabel="Delete contact"
          />
        </li>
      ))}
    </ul>
  );
}

/** One dialog for every row, with a reason, the way a table uses `useConfirmAction`. */
function Rules({ reasonRequired }: { readonly reasonRequired: boolean }) {
  const [answer, setAnswer] = useState('');
  const pause = useConfirmAction('post', '/api/v1/autopilot/rules/{id}/pause', {
    init: (rule: { id: string; name: string }, reason) => ({
      params: { path: { id: rule.id } },
      body: reason === '' ? {} : { reason },
    }),
    invalidate: ['/api/v1/autopilot'],
    onSuccess: (rule, paused) => setAnswer(`${rule.name}: ${paused.id} paused=${paused.paused}`),
  });
  return (
    <>
      <p role="status">{answer}</p>
      {[
        { id: 'r1', name: 'nightly' },
        { id: 'r2', name: 'weekly' },
      ].map((rule) => (
        <button key={rule.id} type="button" onClick={() => pause.ask(rule)}>
          Pause {rule.name}
        </button>
      ))}
      <ConfirmActionDialog
        action={pause}
        title={(rule) => `Pause ${rule.name}?`}
        message={() => 'It does not run until resumed.'}
        confirmLabel="Pause rule"
        danger={false}
        reason={{ label: 'Reason', required: reasonRequired }}
      />
    </>
  );
}

const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ status, title: 'Conflict', detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

describe('ConfirmAction', () => {
  it('asks, calls the API, closes and refreshes the list; Cancel calls nothing', async () => {
    let contacts = [contact];
    const calls = installFakeApi({
      'GET /api/v1/notification-contacts': () => ({ contacts }),
      'DELETE /api/v1/notification-contacts/:id': () => {
        contacts = [];
        return undefined;
      },
    });
    renderWithApp(<Contacts />);
    const button = await screen.findByRole('button', { name: 'Delete platform@example.com' });
    await userEvent.click(button);
    let dialog = await screen.findByRole('dialog', {
      name: 'Delete contact platform@example.com?',
    });
    expect(dialog.textContent).toContain('It will no longer be e-mailed.');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    await userEvent.click(button);
    dialog = await screen.findByRole('dialog', { name: 'Delete contact platform@example.com?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete contact' }));
    await waitFor(() => expect(screen.queryByText('platform@example.com')).toBeNull());
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      '/api/v1/notification-contacts/c1',
    ]);
    expect(calls.filter((c) => c.method === 'GET' && c.path.endsWith('contacts'))).toHaveLength(2);
  });

  it("shows the server's refusal in the dialog, which stays open; asking again starts clean", async () => {
    installFakeApi({
      'GET /api/v1/notification-contacts': () => ({ contacts: [contact] }),
      'DELETE /api/v1/notification-contacts/:id': () =>
        problem(409, 'A subscription still sends to this contact'),
    });
    renderWithApp(<Contacts />);
    const button = await screen.findByRole('button', { name: 'Delete platform@example.com' });
    await userEvent.click(button);
    const dialog = await screen.findByRole('dialog', { name: /^Delete contact/ });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete contact' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'A subscription still sends to this contact',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await userEvent.click(button);
    const again = await screen.findByRole('dialog', { name: /^Delete contact/ });
    expect(within(again).queryByRole('alert')).toBeNull();
  });
});

describe('useConfirmAction', () => {
  it('confirms the row that asked, with the reason in the request', async () => {
    const calls = installFakeApi({
      'POST /api/v1/autopilot/rules/:id/pause': () => ({ id: 'r2', paused: true }),
    });
    renderWithApp(<Rules reasonRequired={false} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Pause weekly' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pause weekly?' });
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'holiday season');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Pause rule' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = calls.filter((c) => c.method === 'POST');
    expect(post.map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/autopilot/rules/r2/pause', { reason: 'holiday season' }],
    ]);
    // onSuccess hears the server's answer, typed from the OpenAPI document.
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('weekly: r2 paused=true'),
    );
  });

  it('refuses to confirm without a required reason', async () => {
    const calls = installFakeApi({});
    renderWithApp(<Rules reasonRequired />);
    await userEvent.click(await screen.findByRole('button', { name: 'Pause nightly' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pause nightly?' });
    const confirm = within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Pause rule' });
    expect(confirm.disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'x');
    expect(confirm.disabled).toBe(false);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});
