import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { FindingDetailScreen } from './finding-detail-screen.tsx';
import { exception, findingDetail } from './findings-fixtures.ts';

const routes = [{ path: '/findings/:findingId', element: <FindingDetailScreen /> }];

describe('FindingDetailScreen', () => {
  it('explains the priority: rule, inputs with their sources, due computation, history', async () => {
    const finding = findingDetail();
    installFakeApi({ 'GET /api/v1/findings/:id': () => finding });
    renderWithApp(routes, { url: `/findings/${finding.id}` });
    expect(
      await screen.findByRole('heading', { level: 1, name: 'DSA-5678-1 on web-01' }),
    ).toBeDefined();
    expect(screen.getByText('kev-internet')).toBeDefined();
    expect(screen.getByText(/known exploited on an internet-facing asset/)).toBeDefined();
    const inputs = screen.getByRole('table', { name: /Inputs the rule read/ });
    const kevRow = within(inputs).getByRole('row', { name: /In CISA KEV/ });
    expect(kevRow.textContent).toContain('yes');
    expect(kevRow.textContent).toContain('CISA KEV');
    expect(within(inputs).getByText('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBeDefined();
    expect(screen.getByText(/7 days from detection on 2026-12-01/)).toBeDefined();
    // Sources: which feed said what.
    const sources = screen.getByRole('heading', { name: 'Sources' }).nextElementSibling;
    expect(sources?.textContent).toContain(
      'FIRST EPSS: EPSS (probability of exploitation in 30 days) 42.0 %',
    );
    expect(screen.getByRole('table', { name: /History/ }).textContent).toContain('Detected');
  });

  it('triages with the VEX state, the justification not_affected requires, and the detail', async () => {
    const finding = findingDetail();
    const calls = installFakeApi({
      'GET /api/v1/findings/:id': () => finding,
      'PUT /api/v1/findings/:id/triage': () => ({ ...finding }),
    });
    renderWithApp(routes, { url: `/findings/${finding.id}` });
    await userEvent.click(await screen.findByRole('button', { name: 'Triage' }));
    const dialog = await screen.findByRole('dialog', { name: 'Triage finding' });
    await userEvent.selectOptions(within(dialog).getByLabelText('Analysis state'), 'not_affected');
    const save = within(dialog).getByRole('button', { name: 'Save triage' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Justification'),
      'code_not_reachable',
    );
    await userEvent.type(within(dialog).getByLabelText('Detail'), 'TLS is terminated upstream');
    await userEvent.click(save);
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe(`/api/v1/findings/${finding.id}/triage`);
    expect(put?.body).toEqual({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'TLS is terminated upstream',
    });
    expect(put?.headers.get('x-csrf-token')).toBe('test-csrf-token');
  });

  it('requests an exception with owner, reason and the end of the chosen day', async () => {
    const finding = findingDetail();
    const calls = installFakeApi({
      'GET /api/v1/findings/:id': () => finding,
      'POST /api/v1/findings/:id/exceptions': () => exception({ findingId: finding.id }),
    });
    renderWithApp(routes, { url: `/findings/${finding.id}` });
    await userEvent.click(await screen.findByRole('button', { name: 'Request exception' }));
    const dialog = await screen.findByRole('dialog', { name: 'Request an exception' });
    await userEvent.clear(within(dialog).getByLabelText('Risk owner'));
    await userEvent.type(within(dialog).getByLabelText('Risk owner'), 'team-web');
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'WAF rule blocks it');
    const expires = within(dialog).getByLabelText('Expires on');
    await userEvent.clear(expires);
    await userEvent.type(expires, '2027-02-01');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Request exception' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      owner: 'team-web',
      reason: 'WAF rule blocks it',
      expiresAt: '2027-02-01T23:59:59.000Z',
    });
  });
});
