import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import {
  json,
  outsider,
  problem,
  reader,
  rule,
  ruleId,
  run,
  runId,
  templates,
} from './autopilot-fixtures.ts';
import { AutopilotScreen } from './autopilot-screen.tsx';
import { AutopilotRunScreen } from './run-screen.tsx';
import type { AutopilotRule } from './types.ts';

const routes = [
  { path: '/autopilot', element: <AutopilotScreen /> },
  { path: '/autopilot/runs/:runId', element: <AutopilotRunScreen /> },
];

const rulesTable = () => screen.findByRole('table', { name: 'Autopilot rules' });

describe('autopilot rules', () => {
  it('lists each rule: state, selection, assets, schedule, last and next run', async () => {
    const withoutTemplate = { ...rule().definition, template: undefined };
    installFakeApi({
      'GET /api/v1/autopilot/runs': () => ({
        runs: [run(), run({ id: 'older', createdAt: '2026-12-01T10:00:00.000Z' })],
      }),
      'GET /api/v1/autopilot/rules': () => ({
        rules: [
          rule(),
          rule({
            id: 'r-2',
            definition: {
              ...withoutTemplate,
              name: 'all-updates',
              selection: { kind: 'updates', origin: 'all' },
              scope: {},
              type: 'normal',
              schedule: 'weekly',
            },
            paused: true,
            pausedReason: 'change CHG-0040 failed',
            pausedAt: '2026-12-04T08:00:00.000Z',
            lastRunAt: null,
            lastChangeId: null,
            nextRunAt: null,
          }),
        ],
      }),
    });
    renderWithApp(routes, { url: '/autopilot' });
    const table = await rulesTable();
    const [, first, second] = within(table).getAllByRole('row');
    const cells = (row: HTMLElement | undefined) =>
      within(row as HTMLElement)
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(within(first as HTMLElement).getByRole('rowheader').textContent).toBe(
      'staging-security',
    );
    expect(cells(first).slice(0, 6)).toEqual([
      'active',
      'P1, P2 findings · KEV onlystandard changes (security-updates-non-production) · cool-down 7 d · rings +0/+3/+7',
      'environment staging · group web, db',
      'Nightly (once per UTC day)Submit: standard changes auto-approved, others to the CAB',
      'On its schedule 05 Dec 2026, 02:00 UTCLatest run 06 Dec 2026, 10:00 UTC (succeeded)its last changeRuns of staging-security',
      '06 Dec 2099, 00:00 UTC (the first hourly check from then)',
    ]);
    expect(
      within(first as HTMLElement).getByRole('link', { name: 'its last change' }),
    ).toHaveProperty('pathname', '/changes/c-17');
    expect(
      within(first as HTMLElement)
        .getByRole('link', { name: 'Latest run 06 Dec 2026, 10:00 UTC' })
        .getAttribute('href'),
    ).toBe(`/autopilot/runs/${runId}`);
    expect(
      within(first as HTMLElement)
        .getByRole('link', { name: 'Runs of staging-security' })
        .getAttribute('href'),
    ).toBe(`/autopilot?tab=runs&rule=${ruleId}`);
    expect(cells(second).slice(0, 6)).toEqual([
      'pausedchange CHG-0040 failed · 04 Dec 2026, 08:00 UTC',
      'All available updatesnormal changes · cool-down 7 d · rings +0/+3/+7',
      'Every asset',
      'Weekly (once per ISO week, from Monday)Submit: standard changes auto-approved, others to the CAB',
      'Not on its schedule yetRuns of all-updates',
      'Not while paused',
    ]);
    // A paused rule cannot be run now; it says why.
    const runPaused = within(second as HTMLElement).getByRole('button', {
      name: 'Run now: all-updates',
    });
    expect((runPaused as HTMLButtonElement).disabled).toBe(true);
    expect(runPaused.getAttribute('title')).toBe('A paused rule does not run: resume it first');
  });

  it('says when there is no rule, and shows a failure to load with a retry', async () => {
    let fail = true;
    installFakeApi({
      'GET /api/v1/autopilot/rules': () =>
        fail ? problem(503, 'the database is restarting') : { rules: [] },
    });
    renderWithApp(routes, { url: '/autopilot' });
    expect((await screen.findByRole('alert')).textContent).toContain('the database is restarting');
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('No autopilot rule yet: every change is made by a person.');
  });

  it('creates a rule over the whole definition; the 422 shows beside the fields it names', async () => {
    let created: AutopilotRule | undefined;
    let attempts = 0;
    const calls = installFakeApi({
      'GET /api/v1/autopilot/rules': () => ({ rules: created === undefined ? [] : [created] }),
      'GET /api/v1/change-templates': () => templates,
      'POST /api/v1/autopilot/rules': () => {
        attempts += 1;
        if (attempts === 1)
          return problem(422, 'body.template: a standard change needs its template', [
            { field: 'body.template', message: 'a standard change needs its template' },
            {
              field: 'body.rings',
              message: 'rings must be strictly ascending day offsets, e.g. 0,3,7',
            },
          ]);
        created = rule({ id: 'r-new', definition: { ...rule().definition, name: 'prod-kev' } });
        return json(created, 201);
      },
    });
    renderWithApp(routes, { url: '/autopilot' });
    await screen.findByText('No autopilot rule yet: every change is made by a person.');
    await userEvent.click(screen.getByRole('button', { name: 'New rule' }));
    const dialog = await screen.findByRole('dialog', { name: 'New autopilot rule' });
    const form = within(dialog);
    await userEvent.type(form.getByLabelText('Name'), 'prod-kev');
    // Findings P1 only (P2 is checked by default), KEV only, from one policy.
    await userEvent.click(form.getByRole('checkbox', { name: 'P2' }));
    await userEvent.click(
      form.getByRole('checkbox', { name: 'Only findings in CISA KEV (known exploited)' }),
    );
    await userEvent.type(form.getByLabelText('Policies (comma-separated, optional)'), 'kev-first');
    await userEvent.type(
      form.getByLabelText('Asset names or ids (comma-separated)'),
      'web-01, db-01',
    );
    await userEvent.click(
      within(form.getByRole('group', { name: 'Environments' })).getByRole('checkbox', {
        name: 'production',
      }),
    );
    await userEvent.click(
      within(form.getByRole('group', { name: 'Criticalities' })).getByRole('checkbox', {
        name: 'critical',
      }),
    );
    await userEvent.click(
      within(form.getByRole('group', { name: 'Exposures' })).getByRole('checkbox', {
        name: 'internet',
      }),
    );
    await userEvent.type(form.getByLabelText('Owner teams (comma-separated)'), 'web');
    await userEvent.type(form.getByLabelText('Tags (comma-separated)'), 'pci');
    await userEvent.type(form.getByLabelText('Asset groups (comma-separated)'), 'web');
    await userEvent.selectOptions(form.getByLabelText('Change type'), 'standard');
    await userEvent.clear(form.getByLabelText('Cool-down (days)'));
    await userEvent.type(form.getByLabelText('Cool-down (days)'), '3');
    await userEvent.clear(form.getByLabelText('Rings (day offsets)'));
    await userEvent.type(form.getByLabelText('Rings (day offsets)'), '0, 7, 3');
    await userEvent.selectOptions(form.getByLabelText('Runs'), 'hourly');
    await userEvent.selectOptions(form.getByLabelText('Carries each change to'), 'draft');
    await userEvent.click(form.getByRole('button', { name: 'Create rule' }));

    // The server's problems beside their fields (described by them), and in the summary.
    const template = form.getByLabelText('Standard template');
    await waitFor(() => expect(template.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = (element: HTMLElement) =>
      (element.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent)
        .join(' | ');
    expect(describedBy(template)).toContain('a standard change needs its template');
    expect(describedBy(form.getByLabelText('Rings (day offsets)'))).toContain(
      'rings must be strictly ascending day offsets, e.g. 0,3,7',
    );
    expect(form.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
    // The summary names each problem once (the server's detail repeats them).
    expect(form.getByRole('alert').textContent).toBe(
      'The rule was not saved — template: a standard change needs its template · rings: rings must be strictly ascending day offsets, e.g. 0,3,7',
    );
    const first = calls.filter((c) => c.method === 'POST')[0];
    expect(first?.body).toEqual({
      name: 'prod-kev',
      selection: { kind: 'findings', priorities: ['P1'], kevOnly: true, policies: ['kev-first'] },
      scope: {
        names: ['web-01', 'db-01'],
        environments: ['production'],
        criticalities: ['critical'],
        exposures: ['internet'],
        teams: ['web'],
        tags: ['pci'],
        groups: ['web'],
      },
      coolDownDays: 3,
      type: 'standard',
      rings: [0, 7, 3],
      schedule: 'hourly',
      stage: 'draft',
    });
    expect(first?.headers.get('x-csrf-token')).toBe('test-csrf-token');

    await userEvent.selectOptions(template, 'security-updates-non-production');
    await userEvent.clear(form.getByLabelText('Rings (day offsets)'));
    await userEvent.type(form.getByLabelText('Rings (day offsets)'), '0, 3, 7');
    await userEvent.click(form.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'POST')[1]?.body).toMatchObject({
      template: 'security-updates-non-production',
      rings: [0, 3, 7],
    });
    expect(
      await within(await rulesTable()).findByRole('rowheader', { name: 'prod-kev' }),
    ).toBeDefined();
  });

  it('shows a 409 (the name is taken) and edits a rule with PUT, the form filled from it', async () => {
    let current = rule();
    let conflict = true;
    const calls = installFakeApi({
      'GET /api/v1/autopilot/rules': () => ({ rules: [current] }),
      'GET /api/v1/change-templates': () => templates,
      'PUT /api/v1/autopilot/rules/:id': () => {
        if (conflict) {
          conflict = false;
          return problem(409, 'An autopilot rule named nightly-web exists');
        }
        current = rule({ definition: { ...current.definition, name: 'renamed' } });
        return current;
      },
    });
    renderWithApp(routes, { url: '/autopilot' });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit staging-security' }));
    const form = within(await screen.findByRole('dialog', { name: 'Edit staging-security' }));
    expect(form.getByLabelText<HTMLInputElement>('Name').value).toBe('staging-security');
    expect(form.getByLabelText<HTMLInputElement>('Rings (day offsets)').value).toBe('0, 3, 7');
    expect(form.getByRole<HTMLInputElement>('checkbox', { name: 'P2' }).checked).toBe(true);
    expect(form.getByRole<HTMLInputElement>('checkbox', { name: 'P3' }).checked).toBe(false);
    expect(form.getByLabelText<HTMLInputElement>('Asset groups (comma-separated)').value).toBe(
      'web, db',
    );
    await waitFor(() =>
      expect(form.getByLabelText<HTMLSelectElement>('Standard template').value).toBe(
        'security-updates-non-production',
      ),
    );
    await userEvent.clear(form.getByLabelText('Name'));
    await userEvent.type(form.getByLabelText('Name'), 'nightly-web');
    await userEvent.click(form.getByRole('button', { name: 'Save rule' }));
    expect((await form.findByRole('alert')).textContent).toContain(
      'An autopilot rule named nightly-web exists',
    );
    await userEvent.clear(form.getByLabelText('Name'));
    await userEvent.type(form.getByLabelText('Name'), 'renamed');
    await userEvent.click(form.getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const put = calls.filter((c) => c.method === 'PUT');
    expect(put.map((c) => c.path)).toEqual([
      `/api/v1/autopilot/rules/${ruleId}`,
      `/api/v1/autopilot/rules/${ruleId}`,
    ]);
    expect(put[1]?.body).toEqual({
      ...rule().definition,
      name: 'renamed',
      scope: { environments: ['staging'], groups: ['web', 'db'] },
    });
    await within(await rulesTable()).findByRole('rowheader', { name: 'renamed' });
  });

  it('pauses with a reason, resumes, and deletes after asking', async () => {
    let current = rule();
    let deleted = false;
    const calls = installFakeApi({
      'GET /api/v1/autopilot/rules': () => ({ rules: deleted ? [] : [current] }),
      'POST /api/v1/autopilot/rules/:id/pause': async (request) => {
        const body = (await request.json()) as { reason?: string };
        current = rule({
          paused: true,
          pausedReason: body.reason ?? 'paused by hand',
          nextRunAt: null,
        });
        return current;
      },
      'POST /api/v1/autopilot/rules/:id/resume': () => {
        current = rule();
        return current;
      },
      'DELETE /api/v1/autopilot/rules/:id': () => {
        deleted = true;
        return undefined;
      },
    });
    renderWithApp(routes, { url: '/autopilot' });
    await userEvent.click(await screen.findByRole('button', { name: 'Pause staging-security' }));
    const pause = within(await screen.findByRole('dialog', { name: 'Pause staging-security?' }));
    await userEvent.type(pause.getByLabelText('Reason (optional)'), 'holiday freeze');
    await userEvent.click(pause.getByRole('button', { name: 'Pause rule' }));
    await screen.findByText(/^holiday freeze/);
    expect(calls.find((c) => c.path.endsWith('/pause'))?.body).toEqual({
      reason: 'holiday freeze',
    });

    await userEvent.click(screen.getByRole('button', { name: 'Resume staging-security' }));
    const resume = within(await screen.findByRole('dialog', { name: 'Resume staging-security?' }));
    await userEvent.click(resume.getByRole('button', { name: 'Resume rule' }));
    await screen.findByRole('button', { name: 'Pause staging-security' });
    expect(calls.find((c) => c.path.endsWith('/resume'))?.body).toEqual({});

    await userEvent.click(screen.getByRole('button', { name: 'Delete staging-security' }));
    const confirm = within(await screen.findByRole('dialog', { name: 'Delete staging-security?' }));
    expect(
      confirm.getByText('The rule and its runs are deleted; the changes it made stay.'),
    ).toBeDefined();
    await userEvent.click(confirm.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Delete staging-security' }));
    await userEvent.click(
      within(await screen.findByRole('dialog', { name: 'Delete staging-security?' })).getByRole(
        'button',
        { name: 'Delete rule' },
      ),
    );
    await screen.findByText('No autopilot rule yet: every change is made by a person.');
    expect(calls.find((c) => c.method === 'DELETE')?.path).toBe(
      `/api/v1/autopilot/rules/${ruleId}`,
    );
  });

  it('runs a rule now and follows the run', async () => {
    const calls = installFakeApi({
      'GET /api/v1/autopilot/rules': () => ({ rules: [rule()] }),
      'GET /api/v1/autopilot/rules/:id': () => rule(),
      'POST /api/v1/autopilot/rules/:id/run': () =>
        json(
          run({
            state: 'queued',
            startedAt: null,
            finishedAt: null,
            createdChanges: [],
            heldBack: [],
            skipped: [],
          }),
          202,
        ),
      'GET /api/v1/autopilot/runs/:id': () => run(),
    });
    const { router } = renderWithApp(routes, { url: '/autopilot' });
    await userEvent.click(await screen.findByRole('button', { name: 'Run now: staging-security' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/autopilot/runs/${runId}`));
    expect(calls.find((c) => c.path.endsWith('/run'))?.method).toBe('POST');
    await screen.findByRole('table', { name: 'Changes it created' });
  });

  it('shows the server refusing an action (403) in the dialog', async () => {
    installFakeApi({
      'GET /api/v1/autopilot/rules': () => ({ rules: [rule()] }),
      'POST /api/v1/autopilot/rules/:id/pause': () =>
        problem(403, 'This needs the permission changes:manage'),
    });
    renderWithApp(routes, { url: '/autopilot' });
    await userEvent.click(await screen.findByRole('button', { name: 'Pause staging-security' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Pause staging-security?' }));
    await userEvent.click(dialog.getByRole('button', { name: 'Pause rule' }));
    expect((await dialog.findByRole('alert')).textContent).toContain(
      'This needs the permission changes:manage',
    );
  });

  it('offers no action to someone without changes:manage, and says why', async () => {
    const calls = installFakeApi(
      { 'GET /api/v1/autopilot/rules': () => ({ rules: [rule()] }) },
      reader,
    );
    renderWithApp(routes, { url: '/autopilot' });
    const table = await rulesTable();
    expect(screen.queryByRole('button', { name: 'New rule' })).toBeNull();
    expect(within(table).queryAllByRole('button')).toEqual([]);
    expect(
      screen.getByText(/Creating, changing, pausing and running rules needs the permission/),
    ).toBeDefined();
    expect(within(table).getByText('Needs changes:manage')).toBeDefined();
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('refuses the screen without changes:read', async () => {
    const calls = installFakeApi({}, outsider);
    renderWithApp(routes, { url: '/autopilot' });
    expect(
      await screen.findByText('You do not have permission to open this screen.'),
    ).toBeDefined();
    expect(screen.getByText('changes:read')).toBeDefined();
    expect(calls.some((c) => c.path.startsWith('/api/v1/autopilot'))).toBe(false);
  });
});

describe('autopilot runs', () => {
  it('lists runs, filtered by the rule in the URL', async () => {
    const calls = installFakeApi(
      {
        'GET /api/v1/autopilot/rules': () => ({
          rules: [rule(), rule({ id: 'r-2', definition: { ...rule().definition, name: 'other' } })],
        }),
        'GET /api/v1/autopilot/runs': (_request, url) =>
          url.searchParams.get('rule') === 'r-2' ? { runs: [] } : { runs: [run()] },
      },
      reader,
    );
    const { router } = renderWithApp(routes, { url: `/autopilot?tab=runs&rule=${ruleId}` });
    const table = await screen.findByRole('table', { name: 'Autopilot runs' });
    const row = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByRole('link').getAttribute('href')).toBe(`/autopilot/runs/${runId}`);
    expect(
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual([
      'staging-security',
      'run now',
      'succeeded',
      '1',
      '1',
      '1',
      '06 Dec 2026, 10:00 UTC',
    ]);
    expect(calls.find((c) => c.path === '/api/v1/autopilot/runs')?.search).toBe(
      `?limit=200&rule=${ruleId}`,
    );
    expect(screen.getByLabelText<HTMLSelectElement>('Rule').value).toBe(ruleId);
    await userEvent.selectOptions(screen.getByLabelText('Rule'), 'r-2');
    expect(router.state.location.search).toBe('?tab=runs&rule=r-2');
    await screen.findByText('No run of other yet.');
    await userEvent.click(screen.getByRole('tab', { name: 'Rules' }));
    expect(router.state.location.search).toBe('?rule=r-2');
    await rulesTable();
  });

  it('follows a queued run to its result: the changes it created, linked, what it held back and skipped', async () => {
    let polls = 0;
    installFakeApi(
      {
        'GET /api/v1/autopilot/rules/:id': () => rule(),
        'GET /api/v1/autopilot/runs/:id': () => {
          polls += 1;
          return polls === 1
            ? run({
                state: 'queued',
                startedAt: null,
                finishedAt: null,
                createdChanges: [],
                heldBack: [],
                skipped: [],
              })
            : run();
        },
      },
      reader,
    );
    renderWithApp(routes, { url: `/autopilot/runs/${runId}` });
    await screen.findByRole('heading', { level: 1, name: 'Autopilot run of staging-security' });
    await screen.findByText('The run is queued…');
    const changes = await screen.findByRole(
      'table',
      { name: 'Changes it created' },
      { timeout: 4000 },
    );
    expect(screen.queryByText('The run is queued…')).toBeNull();
    expect(
      screen.getByText('It matched 3 items: 1 in 1 new change, 1 held back, 1 skipped.'),
    ).toBeDefined();
    const link = within(changes).getByRole('link', { name: 'CHG-0042' });
    expect(link.getAttribute('href')).toBe('/changes/c-42');
    expect(within(changes).getByText('submitted: waits for the CAB')).toBeDefined();
    expect(within(changes).getByText('KEV')).toBeDefined();
    expect(
      within(changes).getByRole('link', { name: 'finding DSA-5801-1' }).getAttribute('href'),
    ).toBe('/findings/f-1');
    const held = screen.getByRole('table', { name: 'Held back' });
    expect(
      within(held).getByText('cool-down: the fixed version is 2 days old (7 required)'),
    ).toBeDefined();
    expect(within(held).getByText('11 Dec 2026')).toBeDefined();
    const skipped = screen.getByRole('table', { name: 'Skipped' });
    expect(within(skipped).getByText('already in an open change (CHG-0031)')).toBeDefined();
    expect(within(skipped).getByRole('link', { name: 'bridge' }).getAttribute('href')).toBe(
      '/assets/a-3',
    );
    const polled = polls;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(polls).toBe(polled);
  });

  it('folds a long list of items behind a summary and groups the skipped by reason', async () => {
    const base = run().createdChanges[0];
    const skippedItem = run().skipped[0];
    if (base === undefined || skippedItem === undefined) throw new Error('fixture');
    const items = ['openssl', 'libssl3', 'curl', 'libcurl4', 'sudo', 'nginx', 'zlib1g'].map(
      (packageName, i) => ({
        ...base.items[0]!,
        id: `f-${i}`,
        packageName,
        assetName: i < 4 ? 'web-01' : 'web-02',
      }),
    );
    installFakeApi(
      {
        'GET /api/v1/autopilot/rules/:id': () => rule(),
        'GET /api/v1/autopilot/runs/:id': () =>
          run({
            createdChanges: [{ ...base, items }],
            heldBack: [],
            skipped: [
              skippedItem,
              { ...skippedItem, item: { ...skippedItem.item, id: 'x', assetName: 'db-01' } },
              { item: { ...skippedItem.item, id: 'y' }, reason: 'no fixed version known' },
            ],
          }),
      },
      reader,
    );
    renderWithApp(routes, { url: `/autopilot/runs/${runId}` });
    const changes = await screen.findByRole('table', { name: 'Changes it created' });
    const summary = within(changes).getByText(
      '7 items on 2 assets: openssl, libssl3, curl, libcurl4, sudo, nginx and 1 more packages',
    );
    expect(summary.tagName).toBe('SUMMARY');
    expect(summary.closest('details')?.open).toBe(false);
    await userEvent.click(summary);
    expect(summary.closest('details')?.open).toBe(true);
    expect(within(changes).getAllByRole('listitem')).toHaveLength(7);
    const skipped = screen.getByRole('table', { name: 'Skipped' });
    const rows = within(skipped).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'already in an open change (CHG-0031)',
      'no fixed version known',
    ]);
    expect(within(rows[0] as HTMLElement).getAllByRole('listitem')).toHaveLength(2);
    expect(
      screen.getByText('It matched 10 items: 7 in 1 new change, 0 held back, 3 skipped.'),
    ).toBeDefined();
  });

  it('says why a run failed, and when a run is not found', async () => {
    installFakeApi(
      {
        'GET /api/v1/autopilot/rules/:id': () => rule(),
        'GET /api/v1/autopilot/runs/:id': (_request, url) =>
          url.pathname.endsWith('/missing')
            ? problem(404, 'Autopilot run missing was not found')
            : run({
                state: 'failed',
                error: 'the findings could not be read',
                createdChanges: [],
                heldBack: [],
                skipped: [],
              }),
      },
      reader,
    );
    const { router } = renderWithApp(routes, { url: `/autopilot/runs/${runId}` });
    expect((await screen.findByText('The run failed')).parentElement?.textContent).toContain(
      'the findings could not be read',
    );
    expect(screen.getByText('It created no change.')).toBeDefined();
    await router.navigate('/autopilot/runs/missing');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'Autopilot run missing was not found',
      ),
    );
  });
});
