/**
 * Watching a rollout in the lab: the demo lab's change (pg-demo-service 1.0 → 1.1 on four real
 * agents in sandbox roots, three waves) starts by itself a few minutes after the server; an
 * operator finds it in the rollouts list, opens its live view and watches it complete.
 */
import { expect } from 'vitest';
import type { JourneyStep } from './step.ts';

export const steps: readonly JourneyStep[] = [
  {
    name: 'an operator watches the lab rollout live until it completes',
    timeoutMs: 600_000,
    async run(journey) {
      const number = await journey.server.labChange;
      if (number === undefined) {
        console.warn(
          '06-rollouts skipped: the demo lab was not built (PATCHGATE_E2E_LAB=off, not root, or no dpkg/apt), so there is no rollout to watch',
        );
        return;
      }
      const page = await journey.loginAs('tom.berg');
      await page.goto('/rollouts');
      await page.getByRole('heading', { level: 1, name: 'Rollouts' }).waitFor();
      // The server starts the lab's change when its start is reached (about 3 minutes in).
      const link = page.getByRole('link', { name: `${number} rollout` });
      const deadline = Date.now() + 300_000;
      while (!(await link.isVisible())) {
        if (Date.now() > deadline) throw new Error(`no rollout of ${number} appeared in the list`);
        await page.waitForTimeout(3_000);
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Rollouts' }).waitFor();
      }
      await journey.expectAccessible(page, 'rollouts');
      await journey.screenshot(page, '06-rollouts');

      await link.click();
      await page.getByRole('heading', { level: 1, name: `Rollout of ${number}` }).waitFor();
      const status = page.locator('.rollout-live');
      const first = (await status.textContent()) ?? '';
      if (first.startsWith('Not live')) {
        console.warn(`06-rollouts: ${number} had already stopped moving when opened (${first})`);
      } else {
        // Live: the event stream is open while the rollout runs.
        await expect
          .poll(() => status.textContent(), { timeout: 30_000 })
          .toMatch(/^● Live|^○ Not live/);
        await journey.screenshot(page, '06-rollout-live');
        await journey.expectAccessible(page, 'rollout (live)');
      }

      // It completes without a reload: the stream's events refetch the view.
      await expect
        .poll(() => status.textContent(), { timeout: 420_000, interval: 2_000 })
        .toContain('Not live: completed');
      const progress = page.getByText(/hosts done \(/).first();
      await expect
        .poll(() => progress.textContent())
        .toBe('4 of 4 hosts done (4 succeeded, 0 failed or rolled back)');
      for (const host of ['lab-web-01', 'lab-web-02', 'lab-app-01', 'lab-db-01']) {
        const card = page.getByRole('article', { name: host });
        const text = (await card.textContent()) ?? '';
        expect(text).toContain('succeeded');
        expect(text).toMatch(/Beforepg-demo-service 1\.0/);
        expect(text).toMatch(/Afterpg-demo-service 1\.1/);
      }
      // A step's log, as the agent reported it.
      const install = page.getByRole('article', { name: 'lab-web-01' }).locator('details').first();
      if ((await install.getAttribute('open')) === null) await install.locator('summary').click();
      await expect
        .poll(() => install.locator('pre').textContent(), { timeout: 15_000 })
        .toMatch(/pg-demo-service/);
      // A full-page screenshot from the top (the shell's bar sticks where the page was scrolled).
      await page.evaluate(() => window.scrollTo(0, 0));
      await journey.screenshot(page, '06-rollout-completed');
      await journey.expectAccessible(page, 'rollout (completed)');
      await page.context().close();
    },
  },
];
