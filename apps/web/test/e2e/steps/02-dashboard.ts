/**
 * The dashboard with the demo organisation's real figures: the numbers match the API, a chart
 * mark opens the filtered findings list, axe passes in both themes and on a tablet, and the live
 * stream is connected and refetches the dashboard when something changes.
 */
import { expect } from 'vitest';
import type { PatchgateClient } from '../harness.ts';
import type { JourneyStep } from './step.ts';

type Dashboard = NonNullable<Awaited<ReturnType<typeof dashboardOf>>>;

async function dashboardOf(api: PatchgateClient) {
  const { data, error } = await api.GET('/api/v1/dashboard');
  if (error !== undefined) throw new Error(`GET /api/v1/dashboard: ${JSON.stringify(error)}`);
  return data;
}

/** The dashboard once the demo's advisory sync has produced findings (it runs at start-up). */
async function demoFigures(api: PatchgateClient): Promise<Dashboard> {
  let latest: Dashboard | undefined;
  await expect
    .poll(
      async () => {
        latest = await dashboardOf(api);
        return latest.findings.open;
      },
      { timeout: 100_000, interval: 1000 },
    )
    .toBeGreaterThan(0);
  if (latest === undefined) throw new Error('no dashboard');
  return latest;
}

const plural = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;
const bucketLabels = {
  overdue: 'overdue',
  dueSoon: 'due within 7 days',
  later: 'due later',
  noDueDate: 'no due date',
} as const;

export const steps: readonly JourneyStep[] = [
  {
    name: 'the admin sees the demo organisation on the dashboard and clicks a bar into the filtered findings',
    timeoutMs: 180_000,
    async run(journey) {
      const api = await journey.apiAs('admin');
      await demoFigures(api);
      const page = await journey.loginAs('admin');
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      // The open count as the server says it (the live stream refetches if a sync lands between).
      const open = page.getByRole('link', { name: /^\d+ open findings?$/ });
      await expect
        .poll(
          async () => {
            const latest = await dashboardOf(api);
            const shown = await open.textContent();
            const expected = `${latest.findings.open} open findings`;
            return shown === expected ? 'as the API says' : `${shown} (API: ${expected})`;
          },
          { timeout: 30_000 },
        )
        .toBe('as the API says');
      expect(await open.getAttribute('href')).toBe('/findings');
      await page.getByRole('link', { name: /^\d+ KEV on internet-facing assets$/ }).waitFor();
      await page.getByRole('heading', { name: 'SLA compliance per week' }).waitFor();

      // The shell's live indicator: the activity stream is connected.
      await expect
        .poll(() => page.locator('.topbar .live').textContent(), { timeout: 20_000 })
        .toBe('Live');

      await journey.expectAccessible(page, 'dashboard');
      await journey.screenshot(page, '02-dashboard');
      await page.getByLabel('Theme').selectOption('dark');
      await journey.expectAccessible(page, 'dashboard (dark)');
      await journey.screenshot(page, '02-dashboard-dark');
      await page.getByLabel('Theme').selectOption('light');

      // A mark of the priority × due status chart: its link names what it counts and leads to
      // exactly the findings list the server says.
      const current = await dashboardOf(api);
      const cells = current.findings.byPriority.flatMap((row) =>
        (Object.keys(bucketLabels) as (keyof typeof bucketLabels)[]).map((bucket) => ({
          priority: row.priority,
          bucket,
          cell: row[bucket],
        })),
      );
      // An exactly filtered mark when there is one (overdue, due soon); else any drawn mark (a
      // fresh demo's findings are mostly due later: the list's closest filter, sorted by due).
      const drawn = cells.filter((c) => c.cell.count > 0);
      const target = drawn.find((c) => c.cell.filter.exact) ?? drawn[0];
      if (target === undefined) throw new Error('the demo has no open finding');
      const label = `${target.priority} ${bucketLabels[target.bucket]}: ${plural(target.cell.count, 'finding')}`;
      journey.state['dashboardMark'] = label;
      await page.getByRole('link', { name: label, exact: true }).click();
      await page.waitForURL(/\/findings\?/);
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toEqual(target.cell.filter.query);
      await page.context().close();
    },
  },
  {
    name: 'the dashboard refetches when the live stream reports a change, and fits a tablet',
    async run(journey) {
      const api = await journey.apiAs('admin');
      const page = await journey.loginAs('admin');
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.goto('/');
      await page.getByRole('link', { name: /^\d+ open findings?$/ }).waitFor();
      await expect
        .poll(() => page.locator('.topbar .live').textContent(), { timeout: 20_000 })
        .toBe('Live');
      // An audited change elsewhere (an asset created, then deleted through the API) reaches the
      // page through GET /api/v1/live, and the dashboard asks again.
      const refetched = page.waitForRequest(
        (request) => request.url().endsWith('/api/v1/dashboard'),
        {
          timeout: 15_000,
        },
      );
      const created = await api.POST('/api/v1/assets', { body: { name: 'e2e-dashboard-live' } });
      expect(created.error).toBeUndefined();
      await refetched;
      await api.DELETE('/api/v1/assets/{id}', {
        params: { path: { id: created.data?.id ?? 'e2e-dashboard-live' } },
      });
      // Nothing wider than the tablet's screen.
      const overflowing = await page.evaluate(() =>
        [...document.querySelectorAll('main *, .content *')]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 5)
          .map((element) => `${element.tagName}.${element.className.toString()}`),
      );
      expect(overflowing).toEqual([]);
      await journey.expectAccessible(page, 'dashboard (tablet)');
      await journey.screenshot(page, '02-dashboard-tablet');
      await page.context().close();
    },
  },
];
