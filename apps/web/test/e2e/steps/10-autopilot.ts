/**
 * Autopilot, in a real browser against the demo: a change manager opens Autopilot from the
 * navigation, creates a rule (the server's 422 on rings out of order shown beside the field,
 * then corrected), runs it now and follows the run to what it matched (the changes it created
 * link to their change; the counts agree with the API), pauses it with a reason, resumes it and
 * deletes it after confirming; an operator reads the rules with no action offered, and the
 * server refuses the operator's create. axe on the screen, the rule dialog and the run page.
 */
import { expect } from 'vitest';
import type { JourneyStep } from './step.ts';

export const steps: readonly JourneyStep[] = [
  {
    name: 'a change manager creates an autopilot rule, runs it now, reads the run, pauses, resumes and deletes it',
    timeoutMs: 120_000,
    async run(journey) {
      const page = await journey.loginAs('maria.keller');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Autopilot' })
        .click();
      await page.waitForURL(/\/autopilot$/);
      await page.getByRole('heading', { level: 1, name: 'Autopilot' }).waitFor();

      // A rule that stops at drafts on the web servers: the demo's later steps see no schedule.
      const name = `journey-autopilot-${Date.now().toString(36)}`;
      await page.getByRole('button', { name: 'New rule' }).click();
      const dialog = page.getByRole('dialog', { name: 'New autopilot rule' });
      await dialog.getByLabel('Name', { exact: true }).fill(name);
      await dialog.getByRole('checkbox', { name: 'P3', exact: true }).check();
      await dialog.getByLabel('Asset groups (comma-separated)').fill('web');
      await dialog.getByLabel('Change type').selectOption('normal');
      await dialog.getByLabel('Rings (day offsets)').fill('0, 7, 3');
      await dialog.getByLabel('Runs').selectOption('weekly');
      await dialog.getByLabel('Carries each change to').selectOption('draft');
      await journey.expectAccessible(page, 'autopilot: rule dialog');
      await dialog.getByRole('button', { name: 'Create rule' }).click();
      // The server's 422, beside the field it names.
      const rings = dialog.getByLabel('Rings (day offsets)');
      await expect.poll(() => rings.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
      await dialog
        .getByText('rings must be strictly ascending day offsets, e.g. 0,3,7')
        .first()
        .waitFor();
      await journey.screenshot(page, '10-rule-422');
      await rings.fill('0, 3, 7');
      await dialog.getByRole('button', { name: 'Create rule' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const table = page.getByRole('table', { name: 'Autopilot rules' });
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
      await row.waitFor();
      expect(await row.getByRole('cell').nth(0).textContent()).toBe('active');
      expect(await row.getByRole('cell').nth(2).textContent()).toBe('group web');
      const api = await journey.apiAs('maria.keller');
      const stored = await api.GET('/api/v1/autopilot/rules/{id}', {
        params: { path: { id: name } },
      });
      expect(stored.data?.definition).toMatchObject({
        name,
        selection: { kind: 'findings', priorities: ['P1', 'P2', 'P3'] },
        scope: { groups: ['web'] },
        type: 'normal',
        rings: [0, 3, 7],
        schedule: 'weekly',
        stage: 'draft',
      });
      await journey.expectAccessible(page, 'autopilot: rules');
      await journey.screenshot(page, '10-autopilot-rules');

      // Run now: the page follows the run until it has finished.
      await page.getByRole('button', { name: `Run now: ${name}` }).click();
      await page.waitForURL(/\/autopilot\/runs\/[0-9a-f-]+$/);
      const runId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
      await page.getByRole('heading', { level: 1, name: `Autopilot run of ${name}` }).waitFor();
      await page.getByText(/^It matched \d+ items?:/).waitFor({ timeout: 60_000 });
      const run = await api.GET('/api/v1/autopilot/runs/{id}', {
        params: { path: { id: runId } },
      });
      expect(run.data?.state).toBe('succeeded');
      const created = run.data?.createdChanges ?? [];
      const matched =
        created.reduce((n, c) => n + c.items.length, 0) +
        (run.data?.heldBack.length ?? 0) +
        (run.data?.skipped.length ?? 0);
      await page
        .getByText(
          `It matched ${matched} item${matched === 1 ? '' : 's'}: ` +
            `${matched - (run.data?.heldBack.length ?? 0) - (run.data?.skipped.length ?? 0)} in ` +
            `${created.length} new change${created.length === 1 ? '' : 's'}, ` +
            `${run.data?.heldBack.length ?? 0} held back, ${run.data?.skipped.length ?? 0} skipped.`,
        )
        .waitFor();
      await journey.expectAccessible(page, 'autopilot: run');
      await journey.screenshot(page, '10-autopilot-run');
      const first = created[0];
      if (first !== undefined) {
        const link = page
          .getByRole('table', { name: 'Changes it created' })
          .getByRole('link', { name: first.number ?? first.changeId });
        expect(await link.getAttribute('href')).toBe(`/changes/${first.changeId}`);
        await link.click();
        await page.waitForURL(new RegExp(`/changes/${first.changeId}$`));
        await page.getByRole('heading', { level: 1 }).filter({ hasText: first.title }).waitFor();
        await page.goBack();
      }

      // The run is listed under the rule's runs (the filter in the URL).
      await page.getByRole('link', { name: 'Runs of this rule' }).click();
      await page.waitForURL(/\/autopilot\?tab=runs&rule=/);
      await page.getByRole('table', { name: 'Autopilot runs' }).getByRole('link').first().waitFor();
      await journey.expectAccessible(page, 'autopilot: runs');

      // Pause with a reason, resume, delete after confirming.
      await page.getByRole('tab', { name: 'Rules' }).click();
      await page.getByRole('button', { name: `Pause ${name}` }).click();
      const pause = page.getByRole('dialog', { name: `Pause ${name}?` });
      await pause.getByLabel('Reason (optional)').fill('journey: holiday freeze');
      await journey.expectAccessible(page, 'autopilot: pause dialog');
      await pause.getByRole('button', { name: 'Pause rule' }).click();
      await row.getByText('journey: holiday freeze', { exact: false }).waitFor();
      expect(await row.getByRole('cell').nth(5).textContent()).toBe('Not while paused');
      await page.getByRole('button', { name: `Resume ${name}` }).click();
      await page
        .getByRole('dialog', { name: `Resume ${name}?` })
        .getByRole('button', { name: 'Resume rule' })
        .click();
      await page.getByRole('button', { name: `Pause ${name}` }).waitFor();
      await page.getByRole('button', { name: `Delete ${name}` }).click();
      await page
        .getByRole('dialog', { name: `Delete ${name}?` })
        .getByRole('button', { name: 'Delete rule' })
        .click();
      await table.getByRole('rowheader', { name }).waitFor({ state: 'detached' });
      const gone = await api.GET('/api/v1/autopilot/rules/{id}', {
        params: { path: { id: name } },
      });
      expect(gone.response.status).toBe(404);
      await page.context().close();
    },
  },
  {
    name: 'an operator reads the autopilot with no action offered, and the server refuses a create',
    async run(journey) {
      const page = await journey.loginAs('tom.berg');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Autopilot' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Autopilot' }).waitFor();
      await page
        .getByRole('table', { name: 'Autopilot rules' })
        .or(page.getByText('No autopilot rule yet: every change is made by a person.'))
        .first()
        .waitFor();
      await page
        .getByText(/Creating, changing, pausing and running rules needs the permission/)
        .waitFor();
      expect(await page.getByRole('button', { name: 'New rule' }).count()).toBe(0);
      const api = await journey.apiAs('tom.berg');
      const refused = await api.POST('/api/v1/autopilot/rules', {
        body: {
          name: 'operator-rule',
          selection: { kind: 'updates', origin: 'security' },
          scope: {},
          type: 'normal',
        },
      });
      expect(refused.response.status).toBe(403);
      await page.context().close();
    },
  },
];
