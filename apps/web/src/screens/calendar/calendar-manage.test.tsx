import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { FreezesSection } from './calendar-manage.tsx';

const freezeId = '33333333-3333-4333-8333-333333333333';
const recurringFreeze = {
  id: freezeId,
  name: 'month-end close',
  start: null,
  end: null,
  recurrence: {
    rrule: 'FREQ=MONTHLY;BYMONTHDAY=28',
    dtstart: '2026-01-28T18:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 720,
  },
  exdates: ['2026-12-28'],
  allowEmergency: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    },
  });

describe('FreezesSection', () => {
  it('edits a recurring freeze: its rule in the form, the whole recurrence sent by PATCH', async () => {
    let freezes = [recurringFreeze];
    const calls = installFakeApi({
      'GET /api/v1/calendar/freezes': () => ({ freezes }),
      'PATCH /api/v1/calendar/freezes/:id': async (request) => {
        const patch = (await request.json()) as Record<string, unknown>;
        freezes = [{ ...recurringFreeze, ...patch }];
        return freezes[0];
      },
    });
    renderWithApp(<FreezesSection />);
    expect(
      (await screen.findByRole('cell', { name: /FREQ=MONTHLY;BYMONTHDAY=28/ })).textContent,
    ).toBe('FREQ=MONTHLY;BYMONTHDAY=28 from 2026-01-28T18:00 (Europe/Berlin), 12 h each');
    await userEvent.click(screen.getByRole('button', { name: 'Edit the freeze month-end close' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Edit the freeze month-end close',
    });
    expect(within(dialog).getByRole<HTMLInputElement>('radio', { name: 'Recurring' }).checked).toBe(
      true,
    );
    expect(within(dialog).queryByLabelText('Start (UTC)')).toBeNull();
    expect(dialog.textContent).toContain('Its 1 excluded date stay.');
    const rule = within(dialog).getByLabelText<HTMLInputElement>('Recurrence (RFC 5545 RRULE)');
    expect(rule.value).toBe('FREQ=MONTHLY;BYMONTHDAY=28');
    await userEvent.clear(rule);
    await userEvent.type(rule, 'FREQ=MONTHLY;BYMONTHDAY=27');
    const length = within(dialog).getByLabelText('Length of each occurrence (minutes)');
    await userEvent.clear(length);
    await userEvent.type(length, '1440');
    expect(
      within(dialog).getByLabelText<HTMLInputElement>(
        'First occurrence (wall clock of the time zone)',
      ).value,
    ).toBe('2026-01-28T18:00');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save freeze' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.path).toBe(`/api/v1/calendar/freezes/${freezeId}`);
    expect(patch?.body).toEqual({
      name: 'month-end close',
      recurrence: {
        rrule: 'FREQ=MONTHLY;BYMONTHDAY=27',
        dtstart: '2026-01-28T18:00',
        timeZone: 'Europe/Berlin',
        durationMinutes: 1440,
      },
      allowEmergency: true,
    });
    expect(await screen.findByRole('cell', { name: /FREQ=MONTHLY;BYMONTHDAY=27/ })).not.toBeNull();
  });

  it("turns a recurring freeze into a one-off one, and shows the server's 422", async () => {
    const calls = installFakeApi({
      'GET /api/v1/calendar/freezes': () => ({ freezes: [recurringFreeze] }),
      'PATCH /api/v1/calendar/freezes/:id': () =>
        json(422, {
          status: 422,
          title: 'Unprocessable Entity',
          detail: 'The freeze is not valid: it ends before it starts',
        }),
    });
    renderWithApp(<FreezesSection />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit the freeze month-end close' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Edit the freeze month-end close' });
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Once (start and end)' }));
    expect(within(dialog).queryByLabelText('Recurrence (RFC 5545 RRULE)')).toBeNull();
    await userEvent.type(within(dialog).getByLabelText('Start (UTC)'), '2026-12-20T00:00');
    await userEvent.type(within(dialog).getByLabelText('End (UTC)'), '2026-12-19T00:00');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save freeze' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'it ends before it starts',
    );
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: 'month-end close',
      start: '2026-12-20T00:00:00.000Z',
      end: '2026-12-19T00:00:00.000Z',
      allowEmergency: true,
    });
  });

  it("asks before deleting a freeze and shows the server's refusal", async () => {
    const calls = installFakeApi({
      'GET /api/v1/calendar/freezes': () => ({ freezes: [recurringFreeze] }),
      'DELETE /api/v1/calendar/freezes/:id': () =>
        json(403, { status: 403, title: 'Forbidden', detail: 'Needs calendar:manage' }),
    });
    renderWithApp(<FreezesSection />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete the freeze month-end close' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Delete the freeze month-end close',
    });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Needs calendar:manage',
    );
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      `/api/v1/calendar/freezes/${freezeId}`,
    ]);
  });

  it('offers no edit or delete without calendar:manage', async () => {
    installFakeApi(
      { 'GET /api/v1/calendar/freezes': () => ({ freezes: [recurringFreeze] }) },
      {
        ...adminUser,
        permissions: adminUser.permissions.filter((p) => p !== 'calendar:manage'),
      },
    );
    renderWithApp(<FreezesSection />);
    await screen.findByText('month-end close');
    expect(screen.queryByRole('button', { name: /Edit the freeze/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Delete the freeze/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New freeze…' })).toBeNull();
  });
});
