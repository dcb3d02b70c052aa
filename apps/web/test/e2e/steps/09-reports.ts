/**
 * Reports and the improvement loop, in a real browser against the demo: a change manager reads
 * the metrics (a figure agrees with the API and opens the rows it counts, whose number is the
 * figure), generates a patch-compliance PDF and follows its run to the download (a real PDF,
 * its SHA-256 as shown), regenerates it, makes a CSV; schedules a weekly report to a channel,
 * runs it now and deletes it; reads and refreshes the recommendations, tracks a follow-up action
 * to done, reads the review trends; an operator finds neither screen in the navigation. axe on
 * every screen.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { JourneyStep } from './step.ts';

/** The bytes behind a download link, fetched in the page (its session cookie). */
async function fetchInPage(page: Page, href: string) {
  return page.evaluate(async (url) => {
    const response = await fetch(url);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      disposition: response.headers.get('content-disposition'),
      bytes: Array.from(bytes),
    };
  }, href);
}

/** Wait for the run page to say the report is done, and return its id. */
async function waitForRun(page: Page): Promise<string> {
  await page.waitForURL(/\/reports\/runs\/[0-9a-f-]+$/);
  await page
    .getByRole('link', { name: /^Download / })
    .or(page.getByText('The report could not be generated'))
    .first()
    .waitFor({ timeout: 90_000 });
  const failed = await page.getByText('The report could not be generated').count();
  if (failed > 0)
    throw new Error(`the report failed: ${await page.locator('.state-error').textContent()}`);
  return new URL(page.url()).pathname.split('/').at(-1) ?? '';
}

export const steps: readonly JourneyStep[] = [
  {
    name: 'a change manager reads the metrics and opens the rows a figure counts',
    timeoutMs: 180_000,
    async run(journey) {
      const page = await journey.loginAs('maria.keller');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Reports' })
        .click();
      await page.waitForURL(/\/reports$/);
      await page.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();
      const open = page.getByRole('link', { name: /^[\d,]+ open findings$/ });
      await open.waitFor({ timeout: 60_000 });
      // The figure as the API computes it for the same period.
      const href = (await open.getAttribute('href')) ?? '';
      const query = new URL(href, journey.server.url).searchParams;
      const api = await journey.apiAs('maria.keller');
      const metrics = await api.GET('/api/v1/metrics', {
        params: { query: { from: query.get('from') ?? '', to: query.get('to') ?? '' } },
      });
      const figure = metrics.data?.remediation.openFindings;
      expect(figure).toBeDefined();
      expect(await open.textContent()).toContain(
        `${figure?.toLocaleString('en-GB')} open findings`,
      );
      await page.getByRole('heading', { name: 'Trends from the daily snapshots' }).waitFor();
      await page.getByRole('table', { name: /^SLA compliance by priority/ }).waitFor();
      await journey.expectAccessible(page, 'reports: metrics');
      await journey.screenshot(page, '09-metrics');

      await open.click();
      await page.waitForURL(/\/reports\/rows\?metric=remediation\.openFindings/);
      await page.getByRole('heading', { level: 1, name: 'The rows a figure counts' }).waitFor();
      await page
        .getByText(new RegExp(`^${figure?.toLocaleString('en-GB')} findings counted`))
        .waitFor();
      if ((figure ?? 0) > 0) {
        const rows = page.getByRole('table', { name: 'Rows of remediation.openFindings' });
        await rows.getByRole('link').first().waitFor();
      }
      await journey.expectAccessible(page, 'reports: figure rows');
      await journey.screenshot(page, '09-metric-rows');
      await page.context().close();
    },
  },
  {
    name: 'a change manager generates a patch-compliance PDF, follows it, downloads it and regenerates it',
    timeoutMs: 240_000,
    async run(journey) {
      const page = await journey.loginAs('maria.keller');
      await page.goto('/reports/runs');
      await page.getByRole('heading', { level: 1, name: 'Generated reports' }).waitFor();
      await page.getByRole('button', { name: 'Generate a report' }).click();
      const dialog = page.getByRole('dialog', { name: 'Generate a report' });
      await dialog.getByLabel('Report type').selectOption('patch-compliance');
      await dialog.getByLabel('Format').selectOption('pdf');
      await journey.expectAccessible(page, 'reports: generate dialog');
      await journey.screenshot(page, '09-generate');
      await dialog.getByRole('button', { name: 'Generate' }).click();
      const id = await waitForRun(page);
      await page.getByRole('heading', { name: 'Recorded inputs' }).waitFor();
      await journey.expectAccessible(page, 'reports: run');
      await journey.screenshot(page, '09-run');

      const download = page.getByRole('link', { name: /^Download / });
      const href = (await download.getAttribute('href')) ?? '';
      expect(href).toBe(`/api/v1/reports/${id}/content`);
      const file = await fetchInPage(page, href);
      expect(file.status).toBe(200);
      expect(file.type).toContain('application/pdf');
      expect(file.disposition).toMatch(/^attachment/);
      const bytes = Buffer.from(file.bytes);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // The SHA-256 shown is the file's.
      const sha = createHash('sha256').update(bytes).digest('hex');
      await page.getByText(sha, { exact: true }).waitFor();

      await page.getByRole('button', { name: /^Regenerate .* from its recorded inputs$/ }).click();
      await page.waitForURL(
        (url) => url.pathname.startsWith('/reports/runs/') && !url.pathname.endsWith(id),
      );
      await waitForRun(page);
      const api = await journey.apiAs('maria.keller');
      const again = await api.GET('/api/v1/reports/{id}', {
        params: { path: { id: new URL(page.url()).pathname.split('/').at(-1) ?? '' } },
      });
      const first = await api.GET('/api/v1/reports/{id}', { params: { path: { id } } });
      expect(again.data?.inputs).toEqual(first.data?.inputs);

      // A CSV of the FedRAMP POA&M, from the list.
      await page.goto('/reports/runs?generate=1');
      const csvDialog = page.getByRole('dialog', { name: 'Generate a report' });
      await csvDialog.getByLabel('Report type').selectOption('fedramp-poam');
      await csvDialog.getByLabel('Format').selectOption('csv');
      await csvDialog.getByRole('button', { name: 'Generate' }).click();
      await waitForRun(page);
      const csvHref =
        (await page.getByRole('link', { name: /^Download / }).getAttribute('href')) ?? '';
      const csv = await fetchInPage(page, csvHref);
      expect(csv.status).toBe(200);
      expect(Buffer.from(csv.bytes).toString('utf8')).toContain('POAM ID');

      await page.goto('/reports/runs');
      const table = page.getByRole('table', { name: 'Generated reports' });
      await table
        .getByRole('link', { name: /^Download / })
        .first()
        .waitFor();
      expect(await table.getByRole('link', { name: /^Download / }).count()).toBeGreaterThanOrEqual(
        3,
      );
      await journey.expectAccessible(page, 'reports: runs');
      await journey.screenshot(page, '09-runs');
      await page.context().close();
    },
  },
  {
    name: 'a change manager schedules a weekly report to a channel, runs it now and deletes it',
    timeoutMs: 180_000,
    async run(journey) {
      // Set-up: a webhook channel to deliver to (nothing listens there: the delivery fails, the
      // report is made all the same).
      const admin = await journey.apiAs('admin');
      const channelName = `reports hook ${Date.now().toString(36)}`;
      const channel = await admin.POST('/api/v1/notification-channels', {
        body: {
          name: channelName,
          kind: 'webhook',
          url: 'http://127.0.0.1:9/patchgate-reports',
          secret: 'a signing secret of some length',
        },
      });
      expect(channel.error).toBeUndefined();

      const page = await journey.loginAs('maria.keller');
      await page.goto('/reports/schedules');
      await page.getByRole('heading', { level: 1, name: 'Report schedules' }).waitFor();
      const name = `Weekly compliance ${Date.now().toString(36)}`;
      await page.getByRole('button', { name: 'New schedule' }).click();
      const dialog = page.getByRole('dialog', { name: 'New report schedule' });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('Report type').selectOption('patch-compliance');
      await dialog.getByLabel('When').selectOption('weekly');
      await dialog.getByLabel('Period covered').selectOption('previous-week');
      await dialog.getByRole('checkbox', { name: `${channelName} (webhook)` }).check();
      await journey.expectAccessible(page, 'reports: schedule dialog');
      await dialog.getByRole('button', { name: 'Create schedule' }).click();
      const table = page.getByRole('table', { name: 'Report schedules' });
      await table.getByRole('rowheader', { name: name }).waitFor();
      await journey.expectAccessible(page, 'reports: schedules');
      await journey.screenshot(page, '09-schedules');

      await page.getByRole('button', { name: `Run now: ${name}` }).click();
      await waitForRun(page);
      await page.goto('/reports/schedules');
      await page.getByRole('button', { name: `Delete ${name}` }).click();
      await page
        .getByRole('dialog', { name: `Delete ${name}?` })
        .getByRole('button', { name: 'Delete schedule' })
        .click();
      await table.getByRole('rowheader', { name: name }).waitFor({ state: 'detached' });
      await page.context().close();
    },
  },
  {
    name: 'a change manager refreshes the recommendations, tracks a follow-up to done and reads the review trends',
    timeoutMs: 120_000,
    async run(journey) {
      const page = await journey.loginAs('maria.keller');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Improvements' })
        .click();
      await page.waitForURL(/\/improvements$/);
      await page.getByRole('heading', { level: 1, name: 'Improvements' }).waitFor();
      await page.getByRole('button', { name: 'Refresh recommendations' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Refreshed: / })
        .waitFor();
      await page
        .getByRole('list', { name: 'Recommendations' })
        .or(page.getByText('No open recommendation: the reviews show nothing that recurs.'))
        .first()
        .waitFor();
      await journey.expectAccessible(page, 'improvements: recommendations');
      await journey.screenshot(page, '09-recommendations');

      await page.getByRole('tab', { name: 'Follow-up actions' }).click();
      await page.waitForURL(/tab=actions/);
      const title = `Document the db failover ${Date.now().toString(36)}`;
      await page.getByRole('button', { name: 'New action' }).click();
      const create = page.getByRole('dialog', { name: 'New follow-up action' });
      await create.getByLabel('What to do').fill(title);
      await create.getByLabel('Owner').fill('maria.keller');
      await create.getByRole('button', { name: 'Create action' }).click();
      const table = page.getByRole('table', { name: 'Follow-up actions' });
      await table.getByRole('rowheader', { name: new RegExp(title) }).waitFor();
      await journey.expectAccessible(page, 'improvements: actions');
      await journey.screenshot(page, '09-actions');
      await page.getByRole('button', { name: `Update ${title}` }).click();
      const update = page.getByRole('dialog', { name: `Update: ${title}` });
      await update.getByLabel('State').selectOption('done');
      await update.getByLabel('Note').fill('written and reviewed');
      await update.getByRole('button', { name: 'Save' }).click();
      // Done: no longer among the open actions; among the done ones.
      await table
        .getByRole('rowheader', { name: new RegExp(title) })
        .waitFor({ state: 'detached' });
      await page.getByLabel('State').selectOption('done');
      await page.getByRole('rowheader', { name: new RegExp(title) }).waitFor();

      await page.getByRole('tab', { name: 'Review trends' }).click();
      await page.getByRole('heading', { name: 'Recurring failure causes' }).waitFor();
      await page.getByRole('heading', { name: 'Windows that overrun' }).waitFor();
      await journey.expectAccessible(page, 'improvements: review trends');
      await journey.screenshot(page, '09-review-trends');
      await page.context().close();
    },
  },
  {
    name: 'an operator finds neither reports nor improvements, and the server refuses them too',
    async run(journey) {
      const page = await journey.loginAs('tom.berg');
      const main = page.getByRole('navigation', { name: 'Main' });
      await main.getByRole('link', { name: 'Changes' }).waitFor();
      expect(await main.getByRole('link', { name: 'Reports' }).count()).toBe(0);
      expect(await main.getByRole('link', { name: 'Improvements' }).count()).toBe(0);
      await page.goto('/reports');
      await page.getByText('You do not have permission to open this screen.').waitFor();
      await page.getByText('reports:read', { exact: true }).waitFor();
      const refused = await page.evaluate(async () => (await fetch('/api/v1/reports')).status);
      expect(refused).toBe(403);
      await page.context().close();
    },
  },
];
