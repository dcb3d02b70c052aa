import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { paths } from '../../api/client.ts';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { AdminScreen } from './admin-screen.tsx';
import type { Channel, Subscription } from './types.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Contact = Json<
  paths['/api/v1/notification-contacts']['get']['responses'][200]
>['contacts'][number];
type Template = Json<
  paths['/api/v1/notification-templates']['get']['responses'][200]
>['templates'][number];

const routes = [{ path: '/admin/*', element: <AdminScreen /> }];

const problem = (status: number, detail: string, errors?: { field: string; message: string }[]) =>
  new Response(JSON.stringify({ status, title: 'Refused', detail, code: 'refused', errors }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

const mail: Channel = {
  id: 'c-mail',
  name: 'mail',
  kind: 'email',
  enabled: true,
  target: 'smtp://smtp.example.org:587',
  settings: { host: 'smtp.example.org', port: 587, security: 'starttls', from: 'pg@example.org' },
  secrets: [],
  createdAt: '2026-12-01T08:00:00.000Z',
  updatedAt: '2026-12-01T08:00:00.000Z',
};

const owners: Subscription = {
  id: 's-owners',
  name: 'owners',
  channelId: mail.id,
  channelName: 'mail',
  audience: 'service-owners',
  audienceValue: null,
  events: ['scheduled', 'completed'],
  digest: 'daily',
  digestHour: 8,
  digestWeekday: 1,
  timeZone: 'Europe/Berlin',
  quietHours: null,
  enabled: true,
  createdAt: '2026-12-01T08:00:00.000Z',
};

const contacts: Contact[] = [
  {
    id: 'k-team',
    kind: 'team',
    key: 'web-team',
    address: 'web@example.org',
    createdAt: '2026-12-01T08:00:00.000Z',
  },
  {
    id: 'k-role',
    kind: 'role',
    key: 'cab',
    address: 'cab@example.org',
    createdAt: '2026-12-01T08:00:00.000Z',
  },
];

const scheduled: Template = {
  event: 'scheduled',
  phase: 'pre',
  subject: 'Maintenance {{change.windowStart}}',
  body: 'Save your work.',
  custom: true,
  values: ['change.number', 'change.windowStart'],
  default: { subject: 'Scheduled: {{change.number}}', body: 'Built-in body text.' },
};
const approved: Template = {
  event: 'approved',
  phase: 'pre',
  subject: 'Approved: {{change.number}}',
  body: 'It is approved.',
  custom: false,
  values: ['change.number'],
  default: { subject: 'Approved: {{change.number}}', body: 'It is approved.' },
};

const readApi = {
  'GET /api/v1/notification-channels': () => ({ channels: [mail] }),
  'GET /api/v1/notification-subscriptions': () => ({ subscriptions: [owners] }),
  'GET /api/v1/notification-contacts': () => ({ contacts }),
  'GET /api/v1/notification-templates': () => ({ templates: [scheduled, approved] }),
  'GET /api/v1/notification-deliveries': () => ({ deliveries: [], nextCursor: null }),
};

describe('NotificationsScreen', () => {
  it('edits a subscription with PATCH, showing a 422 beside its field', async () => {
    let refuse = true;
    const calls = installFakeApi({
      ...readApi,
      'PATCH /api/v1/notification-subscriptions/:id': () =>
        refuse
          ? problem(422, 'body.audienceValue: an e-mail address', [
              { field: 'body.audienceValue', message: 'an e-mail address' },
            ])
          : { ...owners, audience: 'address', audienceValue: 'ops@example.org' },
    });
    renderWithApp(routes, { url: '/admin/notifications' });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit subscription owners' }, { timeout: 5000 }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Edit subscription owners' });
    expect(within(dialog).getByLabelText<HTMLInputElement>('Time zone').value).toBe(
      'Europe/Berlin',
    );
    await userEvent.selectOptions(within(dialog).getByLabelText('Audience'), 'address');
    await userEvent.type(within(dialog).getByLabelText('Address'), 'ops');
    await userEvent.type(within(dialog).getByLabelText('Quiet hours from (optional)'), '22:00');
    await userEvent.type(within(dialog).getByLabelText('Quiet hours until'), '07:00');
    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Enabled (it notifies)' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(dialog).findByText('an e-mail address', { selector: '.field-error' });
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({
      path: '/api/v1/notification-subscriptions/s-owners',
      body: {
        name: 'owners',
        channel: 'c-mail',
        audience: 'address',
        audienceValue: 'ops',
        events: ['scheduled', 'completed'],
        digest: 'daily',
        digestHour: 8,
        digestWeekday: 1,
        timeZone: 'Europe/Berlin',
        quietHours: { start: '22:00', end: '07:00' },
        enabled: false,
      },
    });

    refuse = false;
    await userEvent.type(within(dialog).getByLabelText('Address'), '@example.org');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toMatchObject({
      audienceValue: 'ops@example.org',
    });
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('lists contacts with the kind filter in the URL, adds one (409 shown) and deletes after confirmation', async () => {
    let conflict = true;
    const calls = installFakeApi({
      ...readApi,
      'POST /api/v1/notification-contacts': () =>
        conflict
          ? problem(409, 'web@example.org is already a contact of team web-team')
          : { ...contacts[0], id: 'k-new' },
      'DELETE /api/v1/notification-contacts/:id': () => undefined,
    });
    const { router } = renderWithApp(routes, { url: '/admin/notifications' });
    const table = await screen.findByRole('table', { name: 'Contacts' }, { timeout: 5000 });
    expect(within(table).getByText('cab@example.org')).toBeDefined();
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'team');
    await waitFor(() => expect(router.state.location.search).toBe('?contactKind=team'));
    expect(within(table).queryByText('cab@example.org')).toBeNull();
    expect(within(table).getByText('web@example.org')).toBeDefined();

    await userEvent.click(screen.getByRole('button', { name: 'Add contact' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add a contact' });
    await userEvent.type(within(dialog).getByLabelText('Key'), 'web-team');
    await userEvent.type(within(dialog).getByLabelText('E-mail address'), 'web@example.org');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add contact' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('already a contact');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      kind: 'team',
      key: 'web-team',
      address: 'web@example.org',
    });
    conflict = false;
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add contact' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await userEvent.click(
      screen.getByRole('button', { name: 'Delete contact web@example.org of team web-team' }),
    );
    const confirm = await screen.findByRole('dialog', { name: 'Delete contact web@example.org?' });
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete contact' }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'DELETE' && c.path.endsWith('/k-team'))).toBe(true),
    );
  });

  it('opens a template from the URL, shows its built-in message, saves (422 beside the field) and resets', async () => {
    let refuse = true;
    const calls = installFakeApi({
      ...readApi,
      'PUT /api/v1/notification-templates/:event': () =>
        refuse
          ? problem(422, 'unknown placeholder', [
              { field: 'body.subject', message: 'unknown value change.password' },
            ])
          : { ...scheduled, subject: 'Window {{change.windowStart}}' },
      'DELETE /api/v1/notification-templates/:event': () => ({
        ...scheduled,
        custom: false,
        subject: scheduled.default.subject,
        body: scheduled.default.body,
      }),
    });
    const { router } = renderWithApp(routes, { url: '/admin/notifications?template=scheduled' });
    const dialog = await screen.findByRole(
      'dialog',
      { name: 'Template: scheduled' },
      { timeout: 5000 },
    );
    expect(within(dialog).getByText('Scheduled: {{change.number}}')).toBeDefined();
    expect(within(dialog).getByText('Built-in body text.')).toBeDefined();
    const subject = within(dialog).getByLabelText<HTMLInputElement>('Subject');
    await userEvent.clear(subject);
    await userEvent.type(subject, 'Window {{{{change.password}}');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save template' }));
    await within(dialog).findByText('unknown value change.password', {
      selector: '.field-error',
    });
    expect(calls.find((c) => c.method === 'PUT')).toMatchObject({
      path: '/api/v1/notification-templates/scheduled',
      body: { subject: 'Window {{change.password}}', body: 'Save your work.' },
    });
    refuse = false;
    await userEvent.clear(subject);
    await userEvent.type(subject, 'Window {{{{change.windowStart}}');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save template' }));
    await within(dialog).findByText('Saved: new messages use this template.');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Reset to built-in' }));
    const confirm = await screen.findByRole('dialog', { name: 'Reset the scheduled template?' });
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Reset template' }));
    await waitFor(() => expect(subject.value).toBe('Scheduled: {{change.number}}'));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(true);

    expect(within(dialog).queryByRole('button', { name: 'Reset to built-in' })).toBeNull();
    await userEvent.click(within(dialog).getByText('Close', { selector: 'button' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    // A built-in template offers no reset.
    await userEvent.click(screen.getByRole('button', { name: 'Open the approved template' }));
    await waitFor(() => expect(router.state.location.search).toBe('?template=approved'));
    const builtIn = await screen.findByRole('dialog', { name: 'Template: approved' });
    expect(within(builtIn).queryByRole('button', { name: 'Reset to built-in' })).toBeNull();
  });
});
