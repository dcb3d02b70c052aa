import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { changeDetail, jonas, problem } from './change-fixtures.ts';
import { PlanEditorScreen } from './plan-editor-screen.tsx';

const routes = [{ path: '/changes/:changeId/plan', element: <PlanEditorScreen /> }];

describe('PlanEditorScreen', () => {
  it('sends the edited waves, health checks and rollback plan, keeping the other plans, and shows the new version', async () => {
    const change = changeDetail({
      state: 'draft',
      plans: {
        ...changeDetail().plans,
        testPlan: {
          summary: 'smoke tests',
          environments: ['staging'],
          steps: [],
          automatedSuites: [],
        },
      },
    });
    const calls = installFakeApi(
      {
        'GET /api/v1/changes/:id': () => change,
        'PUT /api/v1/changes/:id/plans': () => ({ ...change, planVersion: 3 }),
      },
      adminUser,
    );
    renderWithApp(routes, { url: '/changes/CHG-0007/plan' });
    const canary = await screen.findByRole('group', { name: 'Wave 1: canary' });
    const concurrency = within(canary).getByLabelText('Concurrency');
    await userEvent.clear(concurrency);
    await userEvent.type(concurrency, '50%');
    await userEvent.selectOptions(within(canary).getByLabelText('Gate'), 'manual');
    await userEvent.click(
      within(canary).getByRole('button', { name: 'Add a health check to Wave 1: canary' }),
    );
    const check = within(canary).getByRole('group', { name: 'Health check 2 of Wave 1: canary' });
    await userEvent.type(within(check).getByLabelText('Unit'), 'nginx.service');

    await userEvent.click(screen.getByRole('button', { name: 'Add a wave' }));
    const second = screen.getByRole('group', { name: 'Wave 2: wave-2' });
    await userEvent.selectOptions(within(second).getByLabelText('Hosts'), 'groups');
    await userEvent.click(within(second).getByRole('checkbox', { name: 'web' }));
    await userEvent.clear(within(second).getByLabelText('Bake time (minutes)'));
    await userEvent.type(within(second).getByLabelText('Bake time (minutes)'), '30');

    await userEvent.click(screen.getByRole('checkbox', { name: 'A health check fails' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add a rollback step' }));
    const step = screen.getByRole('group', { name: 'Rollback step 2' });
    await userEvent.selectOptions(within(step).getByLabelText('Kind'), 'command');
    await userEvent.type(within(step).getByLabelText('Command'), 'systemctl restart nginx');
    await userEvent.type(
      screen.getByLabelText('Why the plan changed (kept with the version)'),
      'manual gate',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save a new plan version' }));

    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')).toBeDefined());
    expect(calls.find((c) => c.method === 'PUT')).toMatchObject({
      path: `/api/v1/changes/${change.id}/plans`,
      body: {
        reason: 'manual gate',
        plans: {
          testEvidence: [],
          testPlan: {
            summary: 'smoke tests',
            environments: ['staging'],
            steps: [],
            automatedSuites: [],
          },
          roles: { approvers: [] },
          deploymentPlan: {
            waves: [
              {
                name: 'canary',
                assets: ['web-01'],
                concurrency: '50%',
                failureThreshold: 0,
                bakeMinutes: 15,
                gate: 'manual',
                onFailure: 'pause',
                healthChecks: [
                  {
                    kind: 'http',
                    url: 'http://localhost/health',
                    expectStatus: 200,
                    retries: 3,
                    intervalSeconds: 10,
                    timeoutSeconds: 5,
                  },
                  { kind: 'systemd', unit: 'nginx.service' },
                ],
              },
              {
                name: 'wave-2',
                selector: { groups: ['web'] },
                concurrency: 1,
                failureThreshold: 0,
                bakeMinutes: 30,
                gate: 'auto',
                onFailure: 'pause',
                healthChecks: [],
              },
            ],
          },
          rollbackPlan: {
            triggers: ['manual', 'health-check-failure'],
            steps: [{ kind: 'downgrade' }, { kind: 'command', command: 'systemctl restart nginx' }],
          },
        },
      },
    });
    expect((await screen.findByRole('status')).textContent).toBe('Saved as plan version 3.');
  });

  it('shows the server’s 422 messages beside the fields they name', async () => {
    installFakeApi(
      {
        'GET /api/v1/changes/:id': () => changeDetail({ state: 'draft' }),
        'PUT /api/v1/changes/:id/plans': () =>
          problem(422, 'body.plans.deploymentPlan.waves[0].concurrency: Invalid input', [
            {
              field: 'body.plans.deploymentPlan.waves[0].concurrency',
              message: 'must be a count or a percentage',
            },
          ]),
      },
      adminUser,
    );
    renderWithApp(routes, { url: '/changes/CHG-0007/plan' });
    const canary = await screen.findByRole('group', { name: 'Wave 1: canary' });
    const concurrency = within(canary).getByLabelText('Concurrency');
    await userEvent.clear(concurrency);
    await userEvent.type(concurrency, 'lots');
    await userEvent.click(screen.getByRole('button', { name: 'Save a new plan version' }));
    await waitFor(() => expect(concurrency.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = concurrency.getAttribute('aria-describedby') ?? '';
    const message = describedBy
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent)
      .join(' ');
    expect(message).toContain('must be a count or a percentage');
    expect(screen.getByRole('alert').textContent).toContain('deploymentPlan.waves[0].concurrency');
  });

  it('lets someone without changes:request read the plan but not edit it', async () => {
    installFakeApi({ 'GET /api/v1/changes/:id': () => changeDetail() }, jonas);
    renderWithApp(routes, { url: '/changes/CHG-0007/plan' });
    expect(
      await screen.findByText(
        'You may read the plans; editing them needs the changes:request permission.',
      ),
    ).toBeDefined();
    expect(
      screen.getByRole('button', { name: 'Save a new plan version' }).closest('fieldset')?.disabled,
    ).toBe(true);
  });
});
