/**
 * Findings: filter the list (the URL and the rows follow), read a finding's priority
 * explanation, triage it, request an exception as the admin and approve it as Jonas (an
 * approver: the requester may not approve their own), and create a change request from
 * selected findings (its id and number left in `journey.state.changeFromFindings`).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Journey } from '../harness.ts';
import type { JourneyStep } from './step.ts';

/** The row links of the findings table ("<advisory> on <asset>: show details"). */
const rowLinks = (page: Page) =>
  page.getByRole('table', { name: 'Findings' }).getByRole('link', { name: /: show details$/ });

/**
 * Open `url` and wait for findings rows: the demo's findings appear seconds after the server
 * starts (a background sync), so an empty list is asked again until they are there.
 */
async function openWithRows(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect
    .poll(
      async () => {
        if ((await rowLinks(page).count()) > 0) return true;
        await page.reload();
        await page
          .getByRole('table', { name: 'Findings' })
          .or(page.getByText('No findings match these filters'))
          .first()
          .waitFor({ timeout: 15_000 })
          .catch(() => undefined);
        return (await rowLinks(page).count()) > 0;
      },
      { timeout: 150_000, interval: 2_000 },
    )
    .toBe(true);
}

/** The priority badges of the rows on screen. */
async function rowPriorities(page: Page): Promise<string[]> {
  const rows = page.getByRole('table', { name: 'Findings' }).locator('tbody tr:not(.spacer)');
  return rows.evaluateAll((elements) =>
    elements.map((row) => row.querySelector('td:nth-child(2)')?.textContent?.trim() ?? ''),
  );
}

/** A finding id from a row link's `?selected=` target. */
async function selectedIdOf(page: Page, index: number): Promise<string> {
  const href = await rowLinks(page).nth(index).getAttribute('href');
  const id = new URLSearchParams(href?.split('?')[1] ?? '').get('selected');
  if (id === null) throw new Error(`no finding id in ${href ?? 'a missing link'}`);
  return id;
}

async function findingState(journey: Journey, id: string) {
  const client = await journey.apiAs('admin');
  const { data } = await client.GET('/api/v1/findings/{id}', { params: { path: { id } } });
  if (data === undefined) throw new Error(`GET /api/v1/findings/${id} failed`);
  return data;
}

export const steps: readonly JourneyStep[] = [
  {
    name: 'an analyst filters findings by priority (URL and rows follow) and opens one’s explanation',
    timeoutMs: 240_000,
    async run(journey) {
      const page = await journey.loginAs('admin');
      await openWithRows(page, '/findings');
      const before = await rowPriorities(page);
      expect(before.length).toBeGreaterThan(0);

      await page.getByText('Priority: any').click();
      const group = page.getByRole('group', { name: 'Priority' });
      // The filter lives in the URL: the box shows its state once the route has re-rendered,
      // which Playwright's check() (one look right after the click) can miss under load.
      for (const priority of ['P1', 'P2']) {
        await group.getByLabel(priority).click();
        await expect.poll(() => group.getByLabel(priority).isChecked()).toBe(true);
      }
      await page.getByText('Priority: P1, P2').click(); // fold the options away
      await page.waitForURL(/[?&]priority=P1%2CP2(&|$)/);
      await expect
        .poll(async () => {
          const shown = await rowPriorities(page);
          return shown.length > 0 && shown.every((p) => p === 'P1' || p === 'P2');
        })
        .toBe(true);
      await journey.expectAccessible(page, 'findings (P1, P2)');
      await journey.screenshot(page, '03-findings');

      // The first row's explanation, beside the list.
      const id = await selectedIdOf(page, 0);
      await rowLinks(page).first().click();
      await page.waitForURL(new RegExp(`selected=${id}`));
      const panel = page.getByRole('complementary', { name: 'Selected finding' });
      await panel.getByRole('heading', { name: 'Priority explanation' }).waitFor();
      await panel.getByRole('table', { name: /Inputs the rule read/ }).waitFor();
      expect(await panel.getByRole('heading', { name: 'Due date' }).count()).toBe(1);
      await journey.expectAccessible(page, 'finding explanation (panel)');
      await journey.screenshot(page, '03-finding-explanation');
      journey.state['findingsP1P2'] = id;
      await page.context().close();
    },
  },
  {
    name: 'an analyst triages a finding (VEX state and detail) from its page',
    timeoutMs: 240_000,
    async run(journey) {
      const page = await journey.loginAs('admin');
      // A finding nobody has triaged yet: the demo's history has triaged some of the open ones,
      // and which of them sorts first depends on the day.
      await openWithRows(page, '/findings?state=open&triage=none');
      const id = await selectedIdOf(page, 0);
      expect((await findingState(journey, id)).triage).toBeNull();
      await page.goto(`/findings/${id}`);
      await page.getByRole('heading', { level: 2, name: 'Priority explanation' }).waitFor();
      await page.getByRole('button', { name: 'Triage', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Triage finding' });
      await dialog.getByLabel('Analysis state').selectOption('exploitable');
      await dialog
        .getByLabel('Detail')
        .fill('Reachable from the internet; patch in the next window.');
      await journey.expectAccessible(page, 'triage dialog');
      await dialog.getByRole('button', { name: 'Save triage' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Change triage' }).waitFor();
      const finding = await findingState(journey, id);
      expect(finding.triage).toMatchObject({
        state: 'exploitable',
        detail: 'Reachable from the internet; patch in the next window.',
        by: 'admin',
      });
      await journey.expectAccessible(page, 'finding page');
      await journey.screenshot(page, '03-finding-page');
      await page.context().close();
    },
  },
  {
    name: 'the admin requests an exception, cannot approve it, and Jonas (approver) approves it',
    timeoutMs: 240_000,
    async run(journey) {
      const admin = await journey.loginAs('admin');
      // A low-priority finding: accepting its risk leaves the urgent work queue alone.
      await openWithRows(admin, '/findings?sort=epss');
      const count = await rowLinks(admin).count();
      const id = await selectedIdOf(admin, count - 1);
      await admin.goto(`/findings/${id}`);
      await admin.getByRole('button', { name: 'Request exception' }).click();
      const request = admin.getByRole('dialog', { name: 'Request an exception' });
      await request.getByLabel('Risk owner').fill('team-web');
      await request.getByLabel('Reason').fill('Not reachable: the service is bound to localhost.');
      await request.getByRole('button', { name: 'Request exception' }).click();
      await request.waitFor({ state: 'hidden' });
      await admin
        .getByText(/requested by/)
        .first()
        .waitFor();

      await admin.goto('/exceptions?state=requested');
      const own = admin
        .getByRole('row')
        .filter({ has: admin.locator(`a[href="/findings/${id}"]`) });
      await own.waitFor();
      expect(await own.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      expect(await own.textContent()).toContain('someone else must approve it');
      await journey.expectAccessible(admin, 'exceptions (requested)');
      await journey.screenshot(admin, '03-exceptions');
      await admin.context().close();

      const jonas = await journey.loginAs('jonas.weber');
      await jonas.goto('/exceptions?state=requested');
      const row = jonas
        .getByRole('row')
        .filter({ has: jonas.locator(`a[href="/findings/${id}"]`) });
      await row.getByRole('button', { name: 'Approve' }).click();
      const confirm = jonas.getByRole('dialog', { name: 'Approve the exception' });
      await confirm.getByLabel('Comment (optional)').fill('Checked the bind address.');
      await confirm.getByRole('button', { name: 'Approve' }).click();
      await confirm.waitFor({ state: 'hidden' });
      const finding = await findingState(journey, id);
      expect(finding.exceptions[0]).toMatchObject({
        state: 'approved',
        decisionNote: 'Checked the bind address.',
        requestedBy: { name: expect.stringMatching(/admin/i) as unknown },
        decidedBy: { name: expect.stringMatching(/jonas/i) as unknown },
      });
      expect(finding.status).toBe('accepted');
      await jonas.context().close();
    },
  },
  {
    name: 'an analyst selects findings and creates a change request from them',
    timeoutMs: 240_000,
    async run(journey) {
      const page = await journey.loginAs('admin');
      await openWithRows(page, '/findings?priority=P1,P2');
      const ids = [await selectedIdOf(page, 0)];
      const table = page.getByRole('table', { name: 'Findings' });
      await table.getByRole('checkbox').nth(1).check();
      if ((await rowLinks(page).count()) > 1) {
        ids.push(await selectedIdOf(page, 1));
        await table.getByRole('checkbox').nth(2).check();
      }
      const bar = page.getByRole('region', { name: 'Bulk actions' });
      expect(await bar.textContent()).toContain(`${ids.length} selected`);
      await bar.getByRole('link', { name: 'Create change request' }).click();
      await page.waitForURL(/\/changes\/new\?findings=/);
      expect(new URL(page.url()).searchParams.get('findings')).toBe(ids.join(','));
      const title = page.getByLabel('Title');
      await expect.poll(() => title.inputValue()).toMatch(/^Fix \d+ findings? /);
      await page
        .getByRole('table', { name: /findings the change closes/ })
        .locator('tbody tr')
        .first()
        .waitFor();
      await journey.expectAccessible(page, 'new change from findings');
      await journey.screenshot(page, '03-change-new');
      await page.getByRole('button', { name: 'Create change request' }).click();
      await page.waitForURL(/\/changes\/[0-9a-f-]{36}$/);
      const changeId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
      const client = await journey.apiAs('admin');
      const { data } = await client.GET('/api/v1/changes/{id}', {
        params: { path: { id: changeId } },
      });
      expect(data?.state).toBe('draft');
      journey.state['changeFromFindings'] = { id: changeId, number: data?.number, findings: ids };
      await page.context().close();
    },
  },
  {
    name: '10,000 findings load page by page as the list scrolls, and scroll smoothly',
    timeoutMs: 240_000,
    async run(journey) {
      const page = await journey.loginAs('admin');
      // A real finding as the template; the list's pages (200 rows each, keyset cursors) are
      // answered here with 10,000 of them — the demo has a few hundred.
      const client = await journey.apiAs('admin');
      let template: unknown;
      await expect
        .poll(
          async () => {
            const { data } = await client.GET('/api/v1/findings', {
              params: { query: { limit: 1 } },
            });
            template = data?.findings[0];
            return template !== undefined;
          },
          { timeout: 150_000, interval: 2_000 },
        )
        .toBe(true);
      const total = 10_000;
      await page.route(
        (url) => url.pathname === '/api/v1/findings',
        async (route) => {
          const url = new URL(route.request().url());
          const from = Number(url.searchParams.get('cursor') ?? 0);
          const limit = Number(url.searchParams.get('limit') ?? 100);
          const findings = Array.from({ length: Math.min(limit, total - from) }, (_, index) => ({
            ...(template as object),
            id: `${(from + index).toString(16).padStart(8, '0')}-0000-8000-8000-000000000000`,
          }));
          const next = from + findings.length;
          await route.fulfill({
            json: { findings, nextCursor: next < total ? String(next) : null },
          });
        },
      );
      await page.route(
        (url) => url.pathname === '/api/v1/findings/summary',
        (route) =>
          route.fulfill({
            json: {
              total,
              byState: { open: total, fixed: 0, reopened: 0 },
              byPriority: { P1: total, P2: 0, P3: 0, P4: 0, P5: 0 },
              accepted: 0,
              triagedAway: 0,
              overdue: 0,
            },
          }),
      );
      await page.goto('/findings');
      const scroller = page.getByRole('region', { name: 'Findings (scrollable)' });
      await scroller.waitFor();
      const started = Date.now();
      // Scrolling to the end loads the next page, until all are there.
      await expect
        .poll(
          async () => {
            await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
            return page.getByText('10,000 of 10,000 loaded').isVisible();
          },
          { timeout: 120_000, interval: 100 },
        )
        .toBe(true);
      const loadMs = Date.now() - started;
      // Scroll from the end to the top in 60 steps, a frame each; measure the frames.
      const frames = await scroller.evaluate(async (element) => {
        const times: number[] = [];
        let last = performance.now();
        for (let step = 60; step >= 0; step--) {
          element.scrollTop = (element.scrollHeight * step) / 60;
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const now = performance.now();
          times.push(now - last);
          last = now;
        }
        return times.sort((a, b) => a - b);
      });
      const rowsInDom = await page
        .getByRole('table', { name: 'Findings' })
        .locator('tbody tr:not(.spacer)')
        .count();
      const p95 = frames[Math.floor(frames.length * 0.95)] ?? 0;
      const median = frames[Math.floor(frames.length / 2)] ?? 0;
      console.log(
        `10,000 findings: all 50 pages loaded by scrolling in ${loadMs} ms; scrolling end→top in 60 jumps: median frame ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${(frames.at(-1) ?? 0).toFixed(1)} ms; ${rowsInDom} rows in the DOM`,
      );
      expect(rowsInDom).toBeLessThan(150);
      expect(
        await page.getByRole('table', { name: 'Findings' }).getAttribute('aria-rowcount'),
      ).toBe('10001');
      await page.context().close();
    },
  },
];
