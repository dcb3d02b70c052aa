/**
 * The filters the server gained for the web UI: a dashboard mark for "due later" / "no due date"
 * or a team's overdue bar opens exactly the findings it counts (due status, owner team); the
 * change list searches and sorts on the server; an asset's Changes tab lists the changes whose
 * scope holds it; exceptions show names; the live stream carries to a lower role only what it may
 * read (an operator gets no user or token events, an admin does).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PatchgateClient } from '../harness.ts';
import type { JourneyStep } from './step.ts';

async function dashboardOf(api: PatchgateClient) {
  const { data, error } = await api.GET('/api/v1/dashboard');
  if (error !== undefined) throw new Error(`GET /api/v1/dashboard: ${JSON.stringify(error)}`);
  return data;
}

const plural = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;

/** The subject types of the activity events the logged-in page's stream sends from the start. */
async function streamedSubjectTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2500);
    let text = '';
    try {
      const response = await fetch('/api/v1/live', {
        headers: { accept: 'text/event-stream', 'last-event-id': '0' },
        signal: abort.signal,
      });
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        if (reader === undefined) break;
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // The abort ends the read.
    } finally {
      clearTimeout(timer);
    }
    return text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => (JSON.parse(line.slice(6)) as { subjectType: string }).subjectType);
  });
}

export const steps: readonly JourneyStep[] = [
  {
    name: 'a change manager opens a "due later" mark and a team bar into exactly their findings, searches and sorts the changes, and sees an asset’s changes',
    timeoutMs: 180_000,
    async run(journey) {
      const api = await journey.apiAs('maria.keller');
      // The demo's findings come from a sync at start-up.
      await expect
        .poll(async () => (await dashboardOf(api)).findings.open, {
          timeout: 120_000,
          interval: 1000,
        })
        .toBeGreaterThan(0);
      const dashboard = await dashboardOf(api);
      const page = await journey.loginAs('maria.keller');
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

      // A "due later" or "no due date" mark: exact now, it names the due status.
      const labels = { later: 'due later', noDueDate: 'no due date' } as const;
      const marks = dashboard.findings.byPriority.flatMap((row) =>
        (['later', 'noDueDate'] as const).map((bucket) => ({
          label: `${row.priority} ${labels[bucket]}: ${plural(row[bucket].count, 'finding')}`,
          cell: row[bucket],
        })),
      );
      // A fresh demo's findings are mostly due later: there is such a mark.
      const mark = marks.find((m) => m.cell.count > 0);
      expect(mark, 'a "due later" or "no due date" mark').toBeDefined();
      if (mark !== undefined) {
        expect(mark.cell.filter.exact).toBe(true);
        await page.getByRole('link', { name: mark.label, exact: true }).click();
        await page.waitForURL(/\/findings\?/);
        expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual(
          mark.cell.filter.query,
        );
        // The bar shows the due status chosen, and the list holds exactly what was counted.
        await page.getByText(/^Due: (due later|no due date)$/).waitFor();
        const summary = await api.GET('/api/v1/findings/summary', {
          params: {
            query: { ...mark.cell.filter.query, status: 'open,reopened' },
          },
        });
        expect(summary.data?.total).toBe(mark.cell.count);
        await journey.expectAccessible(page, 'findings filtered by due status');
        await page.goto('/');
      }
      // A team's overdue bar opens that team's overdue findings (no more "the team's assets").
      const team = dashboard.findings.overdueByTeam.find((t) => t.count > 0);
      if (team !== undefined) {
        const name = team.team ?? 'no owner team';
        await page
          .getByRole('link', { name: `${name} overdue: ${plural(team.count, 'finding')}` })
          .click();
        await page.waitForURL(/\/findings\?/);
        const query = Object.fromEntries(new URL(page.url()).searchParams);
        expect(query).toEqual(team.filter.query);
        expect(query['ownerTeam'] ?? query['noOwnerTeam']).toBeDefined();
      }

      // The change list: search and sort on the server, both in the URL.
      const number = await journey.server.demoChange;
      if (number === undefined) throw new Error('the demo printed no change');
      const change = await api.GET('/api/v1/changes/{id}', { params: { path: { id: number } } });
      if (change.data === undefined) throw new Error(`no ${number}`);
      const word = change.data.title.split(/\s+/).find((w) => w.length >= 4) ?? number;
      await page.goto('/changes');
      await page.getByRole('heading', { level: 1, name: 'Changes' }).waitFor();
      const asked = page.waitForRequest(
        (request) =>
          request.url().includes('/api/v1/changes?') &&
          new URL(request.url()).searchParams.get('q') === word,
      );
      await page.getByLabel('Search').fill(word);
      await asked;
      await page.getByRole('link', { name: number, exact: true }).waitFor();
      expect(new URL(page.url()).searchParams.get('q')).toBe(word);
      await page.getByRole('button', { name: /^Risk/ }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('risk');
      await page.getByRole('link', { name: number, exact: true }).waitFor();
      await journey.expectAccessible(page, 'changes searched and sorted');
      await journey.screenshot(page, '14-changes-search');

      // The asset's Changes tab: every change whose scope holds it, the demo's among them.
      const asset = change.data.assets[0];
      if (asset === undefined) throw new Error(`${number} has no asset`);
      await page.goto(`/assets/${asset.id}?tab=changes`);
      const table = page.getByRole('table', { name: `Changes touching ${asset.name}` });
      await table.getByRole('link', { name: new RegExp(`^${number} `) }).waitFor();
      await journey.expectAccessible(page, 'asset changes tab');

      // Exceptions name their finding's asset and package; the rollouts list pages.
      await page.goto('/exceptions');
      await page.getByRole('heading', { level: 1, name: 'Exceptions' }).waitFor();
      const exceptions = await api.GET('/api/v1/finding-exceptions', {
        params: { query: { limit: 1 } },
      });
      const first = exceptions.data?.exceptions[0];
      if (first?.finding !== undefined && first.finding !== null)
        await page
          .getByRole('link', { name: first.finding.assetName, exact: true })
          .first()
          .waitFor();
      await page.goto('/rollouts');
      await page.getByRole('heading', { level: 1, name: 'Rollouts' }).waitFor();
      await page.context().close();
    },
  },
  {
    name: 'the live stream sends an operator no user or token events (an admin gets them)',
    async run(journey) {
      const admin = await journey.loginAs('admin');
      const all = await streamedSubjectTypes(admin);
      await admin.context().close();
      expect(all).toContain('user');
      const operator = await journey.loginAs('tom.berg');
      const seen = await streamedSubjectTypes(operator);
      // Events about what an operator reads do arrive; users and tokens do not.
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((type) => ['user', 'api_token'].includes(type))).toEqual([]);
      await operator.context().close();
    },
  },
];
