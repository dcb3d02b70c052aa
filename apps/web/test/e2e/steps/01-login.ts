/** Logging in and out, the shell, themes, and the login page's own accessibility. */
import { expect } from 'vitest';
import type { JourneyStep } from './step.ts';

export const steps: readonly JourneyStep[] = [
  {
    name: 'the login page has labelled fields, refuses a wrong password, and admits the admin',
    async run(journey) {
      const context = await journey.browser.newContext({ baseURL: journey.server.url });
      const page = await context.newPage();
      const response = await page.goto('/findings?priority=P1');
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      // Logged out, a deep link lands on the login page and comes back after it.
      await page.waitForURL(/\/login\?next=/);
      await journey.expectAccessible(page, 'login');
      await journey.screenshot(page, '01-login');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Wrong username or password');
      await page.getByLabel('Password').fill(journey.server.passwords['admin'] ?? '');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(/\/findings\?priority=P1$/);
      // Nothing secret is kept in the browser's storage.
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...localStorage, ...sessionStorage }),
      );
      expect(stored).not.toMatch(/csrf|token|session/i);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/login/);
      await context.close();
    },
  },
  {
    name: 'the shell works by keyboard, in both themes, on a tablet',
    async run(journey) {
      const page = await journey.loginAs('admin');
      // A page as it opens: the first Tab reaches the skip link.
      await page.goto('/');
      await page.locator('main#main').waitFor();
      await page.keyboard.press('Tab');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent))
        .toBe('Skip to content');
      await page.getByLabel('Theme').selectOption('dark');
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
      await journey.expectAccessible(page, 'shell (dark)');
      await journey.screenshot(page, '01-shell-dark');
      await page.getByLabel('Theme').selectOption('light');
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.getByRole('button', { name: 'Menu' }).click();
      await expect
        .poll(() => page.getByRole('navigation', { name: 'Main' }).isVisible())
        .toBe(true);
      await journey.screenshot(page, '01-shell-tablet');
      await page.context().close();
    },
  },
  {
    name: 'a system set to dark mode gets the dark theme from the first page',
    async run(journey) {
      const context = await journey.browser.newContext({
        baseURL: journey.server.url,
        colorScheme: 'dark',
      });
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Username').waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
      await journey.expectAccessible(page, 'login (dark)');
      await journey.screenshot(page, '01-login-dark');
      await context.close();
    },
  },
];
