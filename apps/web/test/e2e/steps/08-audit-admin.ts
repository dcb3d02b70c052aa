/**
 * The audit log and administration, in a real browser against the demo: an admin reads and
 * filters the audit log, opens an event and verifies the chain; opens users (creating one),
 * roles, API tokens (a secret shown once, then usable), advisory sources with the demo's sync
 * runs, agents and enrolment tokens, notifications — axe on each; then an operator finds the
 * sections they cannot use absent and the audit log refused.
 */
import { expect } from 'vitest';
import type { JourneyStep } from './step.ts';

export const steps: readonly JourneyStep[] = [
  {
    name: 'an admin filters the audit log by user.login, opens an event and verifies the chain',
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Audit log' })
        .click();
      await page.waitForURL(/\/audit$/);
      // The demo's log verifies.
      await page.getByText(/Verified: all [\d,]+ events chain correctly/).waitFor();
      await page.getByRole('table', { name: 'Audit events' }).waitFor();
      await journey.expectAccessible(page, 'audit log');
      await journey.screenshot(page, '08-audit');

      await page.getByLabel('Action').fill('user.login');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/\/audit\?action=user\.login$/);
      const opens = page.getByRole('button', { name: /^Open event \d+: / });
      await opens.first().waitFor();
      const names = await opens.evaluateAll((buttons) =>
        buttons.map((button) => button.getAttribute('aria-label') ?? ''),
      );
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(name).toMatch(/: user\.login$/);

      await opens.first().click();
      const dialog = page.getByRole('dialog', { name: /^Event \d+: user\.login$/ });
      await dialog.waitFor();
      expect(page.url()).toMatch(/[?&]event=\d+/);
      await dialog.getByRole('heading', { name: 'What changed' }).waitFor();
      await journey.expectAccessible(page, 'audit event');
      await journey.screenshot(page, '08-audit-event');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => page.url()).not.toMatch(/event=/);

      // Verify now: asks the server again; sign a checkpoint, then the verdict counts it.
      const verifications: number[] = [];
      page.on('response', (response) => {
        if (response.url().endsWith('/api/v1/audit/verification'))
          verifications.push(response.status());
      });
      await page.getByRole('button', { name: 'Verify now' }).click();
      await expect.poll(() => verifications).toEqual([200]);
      await page.getByRole('button', { name: 'Sign a checkpoint now' }).click();
      await page.getByText(/^Checkpoint \d+ signed over [\d,]+ events/).waitFor();
      await page.getByText(/Verified: all [\d,]+ events chain correctly and agree with/).waitFor();
      await journey.screenshot(page, '08-audit-verified');
      await page.context().close();
    },
  },
  {
    name: 'an admin opens users, creates one with a role, and reads the roles matrix',
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page.goto('/admin');
      await page.getByRole('list', { name: 'Administration sections' }).waitFor();
      await journey.expectAccessible(page, 'administration');
      await page
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Users' })
        .click();
      await page.waitForURL(/\/admin\/users$/);
      const table = page.getByRole('table', { name: 'Users' });
      await table.getByText('maria.keller').waitFor();
      await journey.expectAccessible(page, 'users');
      await journey.screenshot(page, '08-users');

      const username = `ines.audit${Date.now().toString(36)}`;
      await page.getByRole('button', { name: 'New user' }).click();
      const dialog = page.getByRole('dialog', { name: 'New user' });
      await dialog.getByLabel('Username').fill(username);
      await dialog.getByLabel('Display name').fill('Ines Auditor');
      await dialog.getByLabel('Initial password').fill('short');
      await dialog.getByRole('checkbox', { name: /^auditor/ }).check();
      await dialog.getByRole('checkbox', { name: /^viewer/ }).uncheck();
      await journey.expectAccessible(page, 'new user dialog');
      await dialog.getByRole('button', { name: 'Create user' }).click();
      // The server's 422 is shown in the dialog.
      await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/password/i);
      await dialog.getByLabel('Initial password').fill('a long and unusual passphrase 7');
      await dialog.getByRole('button', { name: 'Create user' }).click();
      await table.getByText(username).waitFor();
      const admin = await journey.apiAs('admin');
      const { data } = await admin.GET('/api/v1/users', { params: { query: { limit: 500 } } });
      expect(data?.users.find((user) => user.username === username)?.roles).toEqual(['auditor']);

      await page
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Roles' })
        .click();
      const matrix = page.getByRole('table', { name: /Roles \(columns\)/ });
      await matrix.waitFor();
      expect(await matrix.getByRole('columnheader').allTextContents()).toEqual([
        'Permission',
        'admin',
        'security analyst',
        'change manager',
        'approver',
        'operator',
        'auditor',
        'viewer',
      ]);
      await journey.expectAccessible(page, 'roles');
      await journey.screenshot(page, '08-roles');
      await page.context().close();
    },
  },
  {
    name: 'an admin creates an API token, sees its secret once, uses it, and revokes it',
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page.goto('/admin/tokens');
      await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();
      const name = `journey ${Date.now().toString(36)}`;
      await page.getByRole('button', { name: 'New token' }).click();
      const form = page.getByRole('dialog', { name: 'New API token' });
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Expires after (days)').fill('7');
      await form.getByRole('button', { name: 'Create token' }).click();
      const shown = page.getByRole('dialog', { name: `Token "${name}" created` });
      await shown.waitFor();
      const secret = await shown.getByLabel('Secret').inputValue();
      expect(secret).toMatch(/^pgt_/);
      await journey.expectAccessible(page, 'token secret dialog');
      await journey.screenshot(page, '08-tokens-secret');
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      const table = page.getByRole('table', { name: 'API tokens' });
      await table.getByText(name).waitFor();
      // Shown once: nowhere in the page or the browser's storage any more.
      expect(await page.content()).not.toContain(secret);
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...localStorage, ...sessionStorage }),
      );
      expect(stored).not.toContain(secret);
      // And it works.
      const me = await fetch(`${journey.server.url}/api/v1/session`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(me.status).toBe(200);
      await journey.expectAccessible(page, 'tokens');
      await journey.screenshot(page, '08-tokens');

      await page.getByRole('button', { name: `Revoke ${name}` }).click();
      const confirm = page.getByRole('dialog', { name: `Revoke ${name}?` });
      await confirm.getByRole('button', { name: 'Revoke token' }).click();
      await confirm.waitFor({ state: 'hidden' });
      await expect
        .poll(
          async () =>
            (
              await fetch(`${journey.server.url}/api/v1/session`, {
                headers: { authorization: `Bearer ${secret}` },
              })
            ).status,
        )
        .toBe(401);
      await page.context().close();
    },
  },
  {
    name: "an admin reads the advisory sources, the built-in feeds and the demo's sync runs",
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page.goto('/admin/sources');
      await page.getByRole('heading', { level: 1, name: 'Advisory sources' }).waitFor();
      await page.getByRole('rowheader', { name: 'CISA KEV catalogue' }).waitFor();
      await page.getByRole('heading', { name: 'Built-in feeds' }).waitFor();
      const runs = page.getByRole('table', { name: 'Sync runs' });
      await runs.waitFor();
      await runs.getByRole('link').first().waitFor();
      await journey.expectAccessible(page, 'advisory sources');
      await journey.screenshot(page, '08-sources');

      await page.getByLabel('State', { exact: true }).selectOption('succeeded');
      await page.waitForURL(/state=succeeded/);
      await runs.getByRole('link').first().click();
      await page.waitForURL(/\/admin\/sources\/runs\/[0-9a-f-]+$/);
      await page.getByRole('heading', { name: 'Counts' }).waitFor();
      await page.getByText('succeeded').first().waitFor();
      await journey.expectAccessible(page, 'sync run');
      await journey.screenshot(page, '08-sync-run');
      await page.context().close();
    },
  },
  {
    name: 'an admin looks at agents and creates, sees once and revokes an enrolment token',
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page.goto('/admin/agents');
      await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
      await page
        .getByRole('table', { name: 'Agents' })
        .or(page.getByText('No agents match.'))
        .waitFor();
      await journey.expectAccessible(page, 'agents');
      await journey.screenshot(page, '08-agents');

      await page.getByRole('link', { name: 'Enrolment tokens' }).first().click();
      await page.waitForURL(/\/admin\/enrolment-tokens$/);
      await page.getByRole('button', { name: 'New enrolment token' }).click();
      const form = page.getByRole('dialog', { name: 'New enrolment token' });
      await form.getByLabel('Description').fill('journey hosts');
      await form.getByLabel('Hosts it may enrol').fill('2');
      await form.getByRole('button', { name: 'Create token' }).click();
      const shown = page.getByRole('dialog', { name: 'Enrolment token created' });
      const secret = await shown.getByLabel('Secret').inputValue();
      expect(secret).toMatch(/^pge_/);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      const table = page.getByRole('table', { name: 'Enrolment tokens' });
      const row = table.getByRole('row').filter({ hasText: 'journey hosts' });
      await row.first().waitFor();
      expect(await page.content()).not.toContain(secret);
      await journey.expectAccessible(page, 'enrolment tokens');
      await journey.screenshot(page, '08-enrolment-tokens');
      await row
        .first()
        .getByRole('button', { name: /^Revoke enrolment token/ })
        .click();
      await page
        .getByRole('dialog', { name: 'Revoke this enrolment token?' })
        .getByRole('button', { name: 'Revoke token' })
        .click();
      await row.first().getByText('revoked').waitFor();
      await page.context().close();
    },
  },
  {
    name: 'an admin adds a webhook channel, tests it, subscribes the CAB, and reads deliveries',
    async run(journey) {
      const page = await journey.loginAs('admin');
      await page.goto('/admin/notifications');
      await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
      const channel = `journey hook ${Date.now().toString(36)}`;
      await page.getByRole('button', { name: 'Add channel' }).click();
      const form = page.getByRole('dialog', { name: 'Add a channel' });
      await form.getByLabel('Name').fill(channel);
      await form.getByLabel('Webhook URL').fill('http://127.0.0.1:9/patchgate');
      await form.getByLabel('Signing secret').fill('a signing secret of some length');
      await journey.expectAccessible(page, 'channel dialog');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await page.getByRole('rowheader', { name: channel }).waitFor();

      await page.getByRole('button', { name: `Test ${channel}` }).click();
      const test = page.getByRole('dialog', { name: `Test ${channel}` });
      await test.getByRole('button', { name: 'Send test message' }).click();
      // Nothing listens on port 9: the outcome says it failed, in words.
      await test.getByText(/^Failed/).waitFor();
      await test.getByRole('button', { name: 'Close' }).first().click();

      await page.getByRole('button', { name: 'Add subscription' }).click();
      const sub = page.getByRole('dialog', { name: 'Add a subscription' });
      await sub.getByLabel('Name').fill(`${channel} CAB`);
      await sub.getByLabel('Channel').selectOption({ label: channel });
      await sub.getByRole('button', { name: 'Add subscription' }).click();
      await page.getByRole('rowheader', { name: `${channel} CAB` }).waitFor();
      await page.getByRole('heading', { name: 'Recent deliveries' }).waitFor();
      await journey.expectAccessible(page, 'notifications');
      await journey.screenshot(page, '08-notifications');
      await page.context().close();
    },
  },
  {
    name: 'an operator finds no admin section they cannot use, and the audit log refused',
    async run(journey) {
      const page = await journey.loginAs('tom.berg');
      const main = page.getByRole('navigation', { name: 'Main' });
      expect(await main.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      await main.getByRole('link', { name: 'Administration' }).click();
      const sections = page.getByRole('list', { name: 'Administration sections' });
      await sections.waitFor();
      expect(await sections.getByRole('link').allTextContents()).toEqual([
        'API tokens',
        'Advisory sources',
        'Agents',
      ]);
      await journey.expectAccessible(page, 'administration (operator)');
      await journey.screenshot(page, '08-admin-operator');

      // Typed as URLs: the screen names the permission, and the server refuses too.
      for (const [path, permission] of [
        ['/audit', 'audit:read'],
        ['/admin/users', 'users:manage'],
        ['/admin/notifications', 'notifications:manage'],
        ['/admin/enrolment-tokens', 'agents:manage'],
      ] as const) {
        await page.goto(path);
        await page.getByText('You do not have permission to open this screen.').waitFor();
        await page.getByText(permission, { exact: true }).waitFor();
      }
      await journey.expectAccessible(page, 'refused screen');
      await journey.screenshot(page, '08-refused');
      const refused = await page.evaluate(async () => (await fetch('/api/v1/audit/events')).status);
      expect(refused).toBe(403);

      // Sources are readable, not changeable.
      await page.goto('/admin/sources');
      await page.getByRole('rowheader', { name: 'CISA KEV catalogue' }).waitFor();
      expect(await page.getByRole('button', { name: 'Add source' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Sync now/ }).count()).toBe(0);
      await page.context().close();
    },
  },
];
