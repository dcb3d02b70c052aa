/**
 * Assets and advisories: an admin filters the asset list, opens web-01 (its inventory, snapshot
 * history, available updates and findings), compares two snapshots of an asset of its own, and
 * looks an advisory up by its CVE alias; an approver reads the same asset without edit actions.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Journey } from '../harness.ts';
import type { JourneyStep } from './step.ts';

/** An asset of this step's own, with two snapshots to compare (packages no advisory names). */
const diffAsset = 'e2e-assets-diff';

async function prepareDiffAsset(journey: Journey): Promise<void> {
  const api = await journey.apiAs('admin');
  const imported = await api.POST('/api/v1/assets/import', {
    body: [
      {
        name: diffAsset,
        environment: 'test',
        criticality: 'low',
        exposure: 'internal',
        groups: ['e2e'],
      },
    ],
  });
  expect(imported.response.status).toBe(200);
  const upload = (packages: { name: string; version: string }[], takenAt: string) =>
    api.POST('/api/v1/assets/{id}/snapshots', {
      params: { path: { id: diffAsset } },
      body: {
        takenAt,
        os: 'Debian:12',
        source: 'packages.json',
        packages: packages.map((pkg) => ({ ecosystem: 'Debian:12', ...pkg })),
      },
    });
  const first = await upload(
    [
      { name: 'patchgate-e2e-kept', version: '1.0-1' },
      { name: 'patchgate-e2e-upgraded', version: '2.0-1' },
      { name: 'patchgate-e2e-removed', version: '0.9-1' },
    ],
    '2026-01-01T00:00:00Z',
  );
  expect(first.response.ok).toBe(true);
  const second = await upload(
    [
      { name: 'patchgate-e2e-kept', version: '1.0-1' },
      { name: 'patchgate-e2e-upgraded', version: '2.1-1' },
      { name: 'patchgate-e2e-added', version: '3.0-1' },
    ],
    '2026-01-02T00:00:00Z',
  );
  expect(second.response.ok).toBe(true);
}

const tab = (page: Page, name: RegExp | string) => page.getByRole('tab', { name });

export const steps: readonly JourneyStep[] = [
  {
    name: 'an admin filters the assets and reads web-01: inventory, snapshot history, updates, findings',
    timeoutMs: 180_000,
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page.goto('/assets');
      const table = page.getByRole('table', { name: 'Assets' });
      await table.getByRole('link', { name: 'web-01', exact: true }).waitFor();
      await expect
        .poll(() => table.getByRole('link', { name: 'bridge', exact: true }).count())
        .toBe(1);
      await journey.expectAccessible(page, 'assets');
      await journey.screenshot(page, '07-assets');

      // A filter: into the URL, and the list follows it.
      await page.getByLabel('Environment').selectOption('production');
      await page.waitForURL(/\/assets\?environment=production$/);
      await expect
        .poll(() => table.getByRole('link', { name: 'bridge', exact: true }).count())
        .toBe(0);
      await table.getByRole('link', { name: 'web-01', exact: true }).waitFor();
      // Open findings per row link to the findings screen.
      const findingsLink = table.getByRole('link', { name: /open findings on web-01/ });
      await findingsLink.waitFor();
      expect(await findingsLink.getAttribute('href')).toBe('/findings?asset=web-01');

      await table.getByRole('link', { name: 'web-01', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'web-01' }).waitFor();
      await page.getByRole('heading', { name: 'Attributes' }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'Edit asset' }).count()).toBe(1);
      await journey.expectAccessible(page, 'asset detail (overview)');
      await journey.screenshot(page, '07-asset-detail');

      // Inventory: the packages of the current snapshot, searchable; the search is in the URL.
      await tab(page, 'Inventory').click();
      const packages = page.getByRole('table', { name: 'Installed packages' });
      await packages.waitFor();
      await page.getByLabel('Search packages').fill('openssl');
      await page.waitForURL(/tab=inventory.*pkg=openssl/);
      await packages.getByRole('cell', { name: 'openssl', exact: true }).first().waitFor();
      await journey.expectAccessible(page, 'asset inventory');
      await journey.screenshot(page, '07-asset-inventory');

      // Snapshot history: the demo uploaded one inventory, so its diff is "everything added".
      await tab(page, 'Snapshot history').click();
      await page.getByRole('heading', { name: 'Snapshot history' }).waitFor();
      await page.getByRole('heading', { name: /^What changed/ }).waitFor();
      await journey.expectAccessible(page, 'asset snapshot history');
      await journey.screenshot(page, '07-asset-snapshots');

      // Available updates: the report or the empty state saying none arrived.
      await tab(page, 'Available updates').click();
      await page
        .getByRole('table', { name: 'Available updates' })
        .or(page.getByText('No report of available updates yet'))
        .first()
        .waitFor();
      await journey.expectAccessible(page, 'asset available updates');
      await journey.screenshot(page, '07-asset-updates');

      // Findings: counts by priority, the most urgent, the way to the findings screen.
      await tab(page, /^Findings/).click();
      await page.getByRole('heading', { name: 'Most urgent' }).waitFor();
      expect(await page.getByRole('link', { name: 'Open in findings' }).getAttribute('href')).toBe(
        '/findings?asset=web-01',
      );
      await page.locator('table').first().waitFor();
      await journey.expectAccessible(page, 'asset findings');
      await journey.screenshot(page, '07-asset-findings');

      // Windows, changes and agent tabs answer (with their rows or their empty states).
      for (const name of [/^Maintenance windows/, /^Changes/, 'Agent'] as const) {
        await tab(page, name).click();
        await expect
          .poll(() => page.getByRole('tabpanel').locator('.state-loading').count())
          .toBe(0);
      }
      await journey.expectAccessible(page, 'asset agent');
      await page.context().close();
    },
  },
  {
    name: 'an admin compares two snapshots of an asset: added, removed and changed packages',
    async run(journey) {
      await prepareDiffAsset(journey);
      const page = await journey.loginAs('admin');
      // An asset is named by its name or id alike.
      await page.goto(`/assets/${diffAsset}?tab=snapshots`);
      await page.getByRole('heading', { name: /^What changed: #\d+ → #\d+$/ }).waitFor();
      const added = page.getByRole('table', { name: 'Added packages' });
      await added.getByText('patchgate-e2e-added').waitFor();
      const removed = page.getByRole('table', { name: 'Removed packages' });
      await removed.getByText('patchgate-e2e-removed').waitFor();
      const changed = page.getByRole('table', { name: 'Changed packages' });
      await changed.getByText('patchgate-e2e-upgraded').waitFor();
      await changed.getByText('upgraded', { exact: true }).waitFor();
      expect(await added.getByText('patchgate-e2e-kept').count()).toBe(0);
      await journey.expectAccessible(page, 'asset snapshot diff');
      await journey.screenshot(page, '07-asset-diff');
      await page.getByLabel('Theme').selectOption('dark');
      await journey.expectAccessible(page, 'asset snapshot diff (dark)');
      await page.getByLabel('Theme').selectOption('light');
      await page.context().close();
    },
  },
  {
    name: 'an admin finds an advisory by its CVE alias and reads its record and CVE facts',
    async run(journey) {
      // A CVE the demo's advisories carry as an alias (Debian changelog records, CISA vulnrichment).
      const api = await journey.apiAs('admin');
      const known = await api.GET('/api/v1/advisories', {
        params: { query: { q: 'CVE-2023-38545' } },
      });
      const advisoryId = known.data?.advisories[0]?.id;
      expect(advisoryId).toBeDefined();

      const page = await journey.loginAs('admin');
      await page.goto('/advisories');
      await page.getByRole('table', { name: 'Advisories' }).waitFor();
      await page.getByLabel('ID or alias').fill('CVE-2023-38545');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/advisories\?q=CVE-2023-38545$/);
      const results = page.getByRole('table', { name: 'Matching advisories' });
      const link = results.getByRole('link', { name: advisoryId ?? '', exact: true });
      await link.waitFor();
      await journey.expectAccessible(page, 'advisories');
      await journey.screenshot(page, '07-advisories');

      await link.click();
      await page.getByRole('heading', { level: 1, name: advisoryId ?? '' }).waitFor();
      await page.getByRole('heading', { name: 'CVE-2023-38545', exact: true }).waitFor();
      for (const heading of ['CISA KEV', 'FIRST EPSS', 'CISA SSVC', 'CVSS'])
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      // The demo's vulnrichment record carries CVSS and SSVC for this CVE.
      await page.getByRole('table', { name: 'CVSS vectors of CVE-2023-38545 by source' }).waitFor();
      const reference = page.getByRole('link', { name: /^https:\/\// }).first();
      expect(await reference.getAttribute('rel')).toBe('noopener noreferrer');
      expect(
        await page.getByRole('link', { name: 'Findings it causes' }).getAttribute('href'),
      ).toBe(`/findings?advisory=${encodeURIComponent(advisoryId ?? '')}`);
      await journey.expectAccessible(page, 'advisory detail');
      await journey.screenshot(page, '07-advisory-detail');
      await page.getByLabel('Theme').selectOption('dark');
      await journey.expectAccessible(page, 'advisory detail (dark)');
      await page.getByLabel('Theme').selectOption('light');
      await page.context().close();
    },
  },
  {
    name: 'an approver reads assets without edit actions; an operator (assets:write) has them',
    async run(journey) {
      const page = await journey.loginAs('aisha.khan');
      await page.goto('/assets');
      const table = page.getByRole('table', { name: 'Assets' });
      await table.getByRole('link', { name: 'web-01', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'New asset' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Import assets' }).count()).toBe(0);
      await table.getByRole('link', { name: 'web-01', exact: true }).click();
      await page.getByRole('heading', { name: 'Attributes' }).waitFor();
      expect(await page.getByRole('button', { name: 'Edit asset' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Delete asset' }).count()).toBe(0);
      await journey.expectAccessible(page, 'asset detail (approver)');
      await page.context().close();

      const operator = await journey.loginAs('tom.berg');
      await operator.goto('/assets/web-01');
      await operator.getByRole('heading', { name: 'Attributes' }).waitFor();
      await operator.getByRole('button', { name: 'Edit asset' }).waitFor();
      await operator.context().close();
    },
  },
];
