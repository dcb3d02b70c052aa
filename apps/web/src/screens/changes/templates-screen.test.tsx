import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { jonas, problem } from './change-fixtures.ts';
import type { ChangeTemplate } from './templates-screen.tsx';
import { TemplatesScreen } from './templates-screen.tsx';

const routes = [{ path: '/changes/templates', element: <TemplatesScreen /> }];

const securityUpdates: ChangeTemplate = {
  name: 'security-updates-non-production',
  version: 1,
  description: 'Security updates on non-production hosts',
  criteria: {
    onlySecurityOrigin: true,
    securityOrigins: ['*security*'],
    environments: ['staging', 'test'],
    nonProductionFirst: false,
    maxRisk: 'low',
    packages: { deny: ['linux-image-*'] },
  },
  defaultPlans: { testEvidence: [] },
  createdBy: 'system',
  createdAt: '2026-12-01T09:00:00.000Z',
};

const kernel: ChangeTemplate = {
  name: 'kernel-staging',
  version: 3,
  description: 'Kernel updates on staging',
  criteria: { onlySecurityOrigin: false, maxRisk: 'moderate', maxAssets: 20 },
  createdBy: 'Maria Keller',
  createdAt: '2026-12-02T09:00:00.000Z',
};

function templateApi(extra: Record<string, (request: Request) => unknown> = {}) {
  return {
    'GET /api/v1/change-templates': () => ({ templates: [securityUpdates, kernel] }),
    'GET /api/v1/change-templates/:name': (_request: Request, url: URL) =>
      url.pathname.endsWith(kernel.name) ? kernel : securityUpdates,
    ...extra,
  };
}

describe('TemplatesScreen', () => {
  withLaidOutElements({ offsetHeight: 40 });

  it('lists the templates and shows the one chosen, in the URL', async () => {
    installFakeApi(templateApi(), jonas);
    const { router } = renderWithApp(routes, { url: '/changes/templates' });
    const table = await screen.findByRole('table', { name: 'Change templates' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[2]?.textContent).toContain('Kernel updates on staging');
    expect(rows[2]?.textContent).toContain('moderate');
    await userEvent.click(within(table).getByRole('link', { name: 'kernel-staging' }));
    expect(router.state.location.search).toBe('?template=kernel-staging');
    const view = (await screen.findByRole('heading', { name: 'Template kernel-staging' })).closest(
      'section',
    ) as HTMLElement;
    await within(view).findByText('Kernel updates on staging');
    expect(view.textContent).toContain('at most 20');
    expect(view.textContent).toContain('from any origin');
    await userEvent.click(within(view).getByRole('button', { name: 'Close' }));
    expect(router.state.location.search).toBe('');
  });

  it('disables editing and creating for a user without changes:manage, saying why', async () => {
    installFakeApi(templateApi(), jonas);
    renderWithApp(routes, { url: `/changes/templates?template=${securityUpdates.name}` });
    const view = (
      await screen.findByRole('heading', { name: `Template ${securityUpdates.name}` })
    ).closest('section') as HTMLElement;
    await within(view).findByText('Security updates on non-production hosts');
    expect(within(view).getByRole<HTMLButtonElement>('button', { name: 'Edit' }).disabled).toBe(
      true,
    );
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'New template' }).disabled).toBe(
      true,
    );
    expect(
      screen.getByText(/editing them needs the permission to manage change settings/),
    ).toBeDefined();
  });

  it('saves an edited template as a new version (PUT) and shows a 422 beside its field', async () => {
    let answers = 0;
    const calls = installFakeApi(
      templateApi({
        'PUT /api/v1/change-templates/:name': () =>
          ++answers === 1
            ? problem(422, 'body.criteria.securityOrigins: Too small', [
                {
                  field: 'body.criteria.securityOrigins',
                  message: 'Too small: expected array to have >=1 items',
                },
              ])
            : { ...securityUpdates, version: 2, description: 'Security updates, staging only' },
      }),
      adminUser,
    );
    renderWithApp(routes, { url: `/changes/templates?template=${securityUpdates.name}` });
    const view = (
      await screen.findByRole('heading', { name: `Template ${securityUpdates.name}` })
    ).closest('section') as HTMLElement;
    await within(view).findByText('Security updates on non-production hosts');
    await userEvent.click(within(view).getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', {
      name: `Edit ${securityUpdates.name} (a new version)`,
    });
    const description = within(dialog).getByLabelText('Description');
    await userEvent.clear(description);
    await userEvent.type(description, 'Security updates, staging only');
    await userEvent.click(within(dialog).getByLabelText('test'));
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Highest risk allowed'),
      'moderate',
    );
    await userEvent.type(within(dialog).getByLabelText('At most this many assets'), '20');
    await userEvent.clear(within(dialog).getByLabelText('Security origins'));
    await userEvent.type(within(dialog).getByLabelText('Packages denied'), '{enter}openssl*');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save version 2' }));

    const origins = within(dialog).getByLabelText('Security origins');
    await waitFor(() => expect(origins.getAttribute('aria-invalid')).toBe('true'));
    expect(dialog.textContent).toContain('Too small: expected array to have >=1 items');
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe(`/api/v1/change-templates/${securityUpdates.name}`);
    expect(put?.body).toEqual({
      description: 'Security updates, staging only',
      criteria: {
        onlySecurityOrigin: true,
        securityOrigins: [],
        maxAssets: 20,
        environments: ['staging'],
        nonProductionFirst: false,
        maxRisk: 'moderate',
        packages: { deny: ['linux-image-*', 'openssl*'] },
      },
      defaultPlans: { testEvidence: [] },
    });

    await userEvent.type(origins, 'Debian-Security');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save version 2' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'PUT')[1]?.body).toMatchObject({
      criteria: { securityOrigins: ['Debian-Security'], maxAssets: 20 },
    });
    // The list is read again.
    expect(calls.filter((c) => c.path === '/api/v1/change-templates').length).toBeGreaterThan(1);
  });

  it('creates a template under a new name and opens it', async () => {
    const calls = installFakeApi(
      templateApi({
        'PUT /api/v1/change-templates/:name': () => ({
          ...kernel,
          name: 'curl-everywhere',
          version: 1,
        }),
      }),
      adminUser,
    );
    const { router } = renderWithApp(routes, { url: '/changes/templates' });
    await userEvent.click(await screen.findByRole('button', { name: 'New template' }));
    const dialog = await screen.findByRole('dialog', { name: 'New change template' });
    const create = within(dialog).getByRole('button', { name: 'Create template' });
    expect((create as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(within(dialog).getByLabelText('Name'), 'curl-everywhere');
    await userEvent.type(within(dialog).getByLabelText('Description'), 'curl on every host');
    await userEvent.type(within(dialog).getByLabelText('Packages allowed'), 'curl{enter}libcurl*');
    await userEvent.click(create);
    await waitFor(() => expect(router.state.location.search).toBe('?template=curl-everywhere'));
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe('/api/v1/change-templates/curl-everywhere');
    expect(put?.body).toEqual({
      description: 'curl on every host',
      criteria: {
        onlySecurityOrigin: true,
        securityOrigins: ['*security*'],
        nonProductionFirst: false,
        maxRisk: 'low',
        packages: { allow: ['curl', 'libcurl*'], deny: [] },
      },
    });
  });

  it('shows the server’s refusal (403) in the form', async () => {
    installFakeApi(
      templateApi({
        'PUT /api/v1/change-templates/:name': () =>
          new Response(
            JSON.stringify({
              status: 403,
              title: 'Forbidden',
              code: 'forbidden',
              detail: 'This needs the permission changes:manage',
            }),
            { status: 403, headers: { 'content-type': 'application/problem+json' } },
          ),
      }),
      adminUser,
    );
    renderWithApp(routes, { url: '/changes/templates' });
    await userEvent.click(await screen.findByRole('button', { name: 'New template' }));
    const dialog = await screen.findByRole('dialog', { name: 'New change template' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'x');
    await userEvent.type(within(dialog).getByLabelText('Description'), 'y');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create template' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'This needs the permission changes:manage',
    );
  });

  it('shows the empty and error states', async () => {
    installFakeApi({ 'GET /api/v1/change-templates': () => ({ templates: [] }) }, adminUser);
    renderWithApp(routes, { url: '/changes/templates' });
    expect(await screen.findByText('No change templates')).toBeDefined();
    installFakeApi(
      { 'GET /api/v1/change-templates': () => problem(409, 'the database is busy') },
      adminUser,
    );
    renderWithApp(routes, { url: '/changes/templates' });
    expect((await screen.findByRole('alert')).textContent).toContain('the database is busy');
  });
});
