/**
 * Approval and notification administration, in a real browser against the demo: the change
 * manager adds an approver group with a member and a policy rule naming it (a 422 shown beside
 * the rule id first), is refused deleting the group the policy names, then removes both; delegates
 * an approver's approvals and revokes the delegation (the "ended too" filter in the URL); edits a
 * subscription (PATCH, a 422 beside the address first), adds and deletes a contact, edits and
 * resets a message template — axe on each screen and dialog. Everything it adds it removes, so
 * later steps find the demo's policy as it was. Then an approver sees the policy read-only and an
 * operator is refused, by the screen and by the server.
 */
import { expect } from 'vitest';
import type { JourneyStep } from './step.ts';

export const steps: readonly JourneyStep[] = [
  {
    name: 'a change manager edits the approval policy, an approver group and a delegation',
    async run(journey) {
      const suffix = Date.now().toString(36);
      const group = `journey-${suffix}`;
      const ruleId = `journey-rule-${suffix}`;
      const page = await journey.loginAs('maria.keller');
      await page.goto('/admin');
      await page
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Approvals' })
        .click();
      await page.waitForURL(/\/admin\/approvals$/);
      const rules = page.getByRole('table', { name: 'Approval rules' });
      await rules.waitFor();
      await page.getByRole('table', { name: 'Approver groups' }).waitFor();
      await journey.expectAccessible(page, 'approvals');
      await journey.screenshot(page, '12-approvals');

      // A group with a member.
      await page.getByRole('button', { name: 'Add group' }).click();
      const groupForm = page.getByRole('dialog', { name: 'Add an approver group' });
      await groupForm.getByLabel('Name').fill(group);
      await groupForm.getByLabel('Description').fill('Journey approvers');
      await groupForm.getByRole('button', { name: 'Add group' }).click();
      await page.getByRole('rowheader', { name: group }).waitFor();
      await page.getByRole('button', { name: `Add member to ${group}` }).click();
      const memberForm = page.getByRole('dialog', { name: `Add a member to ${group}` });
      await memberForm.getByLabel('Username').fill('jonas.weber');
      await memberForm.getByRole('button', { name: 'Add member' }).click();
      await page
        .getByRole('list', { name: `Members of ${group}` })
        .getByText('(jonas.weber)')
        .waitFor();

      // A rule naming it, before the catch-all; the server's 422 first, beside the rule id.
      await page.getByRole('button', { name: 'Add rule' }).click();
      const ruleForm = page.getByRole('dialog', { name: 'Add an approval rule' });
      await ruleForm.getByLabel('Rule id').fill('Not A Valid Id');
      await ruleForm
        .getByRole('group', { name: 'Change types' })
        .getByRole('checkbox', { name: 'normal' })
        .check();
      await ruleForm
        .getByRole('group', { name: 'Risk levels' })
        .getByRole('checkbox', { name: 'high' })
        .check();
      await ruleForm.getByLabel('Stage 1 name').fill('journey board');
      await ruleForm
        .getByRole('group', { name: 'Stage 1 approver groups' })
        .getByRole('checkbox', { name: group })
        .check();
      await journey.expectAccessible(page, 'approval rule dialog');
      await ruleForm.getByRole('button', { name: 'Add rule' }).click();
      await ruleForm.locator('.field-error').first().waitFor();
      expect(await ruleForm.getByLabel('Rule id').getAttribute('aria-invalid')).toBe('true');
      await ruleForm.getByLabel('Rule id').fill(ruleId);
      await ruleForm.getByRole('button', { name: 'Add rule' }).click();
      await ruleForm.waitFor({ state: 'hidden' });
      const row = rules.getByRole('row').filter({ hasText: ruleId });
      await row.getByText('journey board: ' + group + ' (any one)').waitFor();
      await row.getByText('type normal, risk high').waitFor();

      // The policy names the group: deleting it is refused, in words.
      await page.getByRole('button', { name: `Delete group ${group}` }).click();
      const refuse = page.getByRole('dialog', { name: `Delete group ${group}?` });
      await refuse.getByRole('button', { name: 'Delete group' }).click();
      await expect.poll(() => refuse.getByRole('alert').textContent()).toMatch(/names the group/);
      await refuse.getByRole('button', { name: 'Cancel' }).click();

      // Remove the rule, then the group.
      await page.getByRole('button', { name: `Delete rule ${ruleId}` }).click();
      const dropRule = page.getByRole('dialog', { name: `Delete rule ${ruleId}?` });
      await dropRule.getByRole('button', { name: 'Delete rule' }).click();
      await row.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: `Delete group ${group}` }).click();
      await page
        .getByRole('dialog', { name: `Delete group ${group}?` })
        .getByRole('button', { name: 'Delete group' })
        .click();
      await page.getByRole('rowheader', { name: group }).waitFor({ state: 'detached' });
      const admin = await journey.apiAs('admin');
      const policy = await admin.GET('/api/v1/approval-policy');
      expect(policy.data?.rules.map((r) => r.id)).not.toContain(ruleId);

      // Delegate Jonas's approvals to Maria, then revoke it.
      const reason = `journey holiday ${suffix}`;
      await page.getByRole('button', { name: 'Delegate approvals' }).click();
      const delegate = page.getByRole('dialog', { name: 'Delegate approvals' });
      await delegate.getByLabel('Whose approvals (away)').fill('jonas.weber');
      await delegate.getByLabel('Delegate (decides for them)').fill('maria.keller');
      await delegate.getByLabel('Reason').fill(reason);
      await journey.expectAccessible(page, 'delegation dialog');
      await delegate.getByRole('button', { name: 'Delegate' }).click();
      await delegate.waitFor({ state: 'hidden' });
      const delegations = page.getByRole('table', { name: 'Delegations' });
      const delegation = delegations.getByRole('row').filter({ hasText: reason });
      await delegation.getByText('active').waitFor();
      await delegation.getByRole('button', { name: /^Revoke the delegation from / }).click();
      await page
        .getByRole('dialog', { name: 'Revoke this delegation?' })
        .getByRole('button', { name: 'Revoke delegation' })
        .click();
      await delegation.waitFor({ state: 'detached' });
      // The box is bound to the URL: it shows checked once the route has re-rendered, which
      // Playwright's check() (one look right after the click) can miss under load.
      const ended = page.getByRole('checkbox', { name: 'Also ended and revoked' });
      await ended.click();
      await expect.poll(() => ended.isChecked()).toBe(true);
      await page.waitForURL(/\/admin\/approvals\?ended=true$/);
      await delegations.getByRole('row').filter({ hasText: reason }).getByText('revoked').waitFor();
      await page.context().close();
    },
  },
  {
    name: 'a change manager edits a subscription, adds and deletes a contact, edits and resets a template',
    async run(journey) {
      const suffix = Date.now().toString(36);
      const manager = await journey.apiAs('maria.keller');
      // Set-up: a channel and a subscription to edit (removed at the end with the channel).
      const channel = await manager.POST('/api/v1/notification-channels', {
        body: {
          name: `journey 12 ${suffix}`,
          kind: 'webhook',
          url: 'http://127.0.0.1:9/patchgate',
          secret: 'a signing secret of some length',
          enabled: false,
        },
      });
      const channelId = channel.data?.id ?? '';
      expect(channelId).not.toBe('');
      const subscription = `journey owners ${suffix}`;
      await manager.POST('/api/v1/notification-subscriptions', {
        body: { name: subscription, channel: channelId, audience: 'cab', events: ['scheduled'] },
      });

      const page = await journey.loginAs('maria.keller');
      await page.goto('/admin/notifications');
      await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
      await page
        .getByRole('table', { name: 'Contacts' })
        .or(page.getByText(/No contacts/))
        .waitFor();
      await page.getByRole('table', { name: 'Message templates' }).waitFor();
      await journey.expectAccessible(page, 'notifications (contacts, templates)');
      await journey.screenshot(page, '12-notifications');

      // Edit the subscription: an address audience; the server's 422 beside the field first.
      await page.getByRole('button', { name: `Edit subscription ${subscription}` }).click();
      const edit = page.getByRole('dialog', { name: `Edit subscription ${subscription}` });
      await edit.getByLabel('Audience').selectOption('address');
      await edit.getByLabel('Address').fill('ops-at-example');
      await edit.getByLabel('Quiet hours from (optional)').fill('22:00');
      await edit.getByLabel('Quiet hours until').fill('07:00');
      await journey.expectAccessible(page, 'subscription dialog');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.locator('#subscription-audience-value-error').waitFor();
      await edit.getByLabel('Address').fill('ops@example.org');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden' });
      const subRow = page.getByRole('row').filter({ hasText: subscription });
      await subRow.getByText('address: ops@example.org').waitFor();
      await subRow.getByText(/quiet 22:00–07:00/).waitFor();

      // A contact: add, then delete.
      const address = `journey-${suffix}@example.org`;
      await page.getByRole('button', { name: 'Add contact' }).click();
      const contact = page.getByRole('dialog', { name: 'Add a contact' });
      await contact.getByLabel('Kind').selectOption('team');
      await contact.getByLabel('Key').fill('web-team');
      await contact.getByLabel('E-mail address').fill(address);
      await journey.expectAccessible(page, 'contact dialog');
      await contact.getByRole('button', { name: 'Add contact' }).click();
      const contacts = page.getByRole('table', { name: 'Contacts' });
      await contacts.getByText(address).waitFor();
      await page
        .getByRole('button', { name: `Delete contact ${address} of team web-team` })
        .click();
      await page
        .getByRole('dialog', { name: `Delete contact ${address}?` })
        .getByRole('button', { name: 'Delete contact' })
        .click();
      await contacts.getByText(address).waitFor({ state: 'detached' });

      // A template: opened by URL, a 422 beside the subject, saved, then reset to built-in.
      await page.getByRole('button', { name: 'Open the approved template' }).click();
      await page.waitForURL(/[?&]template=approved/);
      const template = page.getByRole('dialog', { name: 'Template: approved' });
      const builtIn = await template.getByLabel('Subject').inputValue();
      await template.getByLabel('Subject').fill('Approved {{change.password}}');
      await template.getByRole('button', { name: 'Save template' }).click();
      await template.locator('#template-subject-error').waitFor();
      await template.getByLabel('Subject').fill(`Journey ${suffix}: {{change.number}} approved`);
      await template.getByRole('button', { name: 'Save template' }).click();
      await template.getByText('Saved: new messages use this template.').waitFor();
      await journey.expectAccessible(page, 'template dialog');
      await template.getByRole('button', { name: 'Reset to built-in' }).click();
      await page
        .getByRole('dialog', { name: 'Reset the approved template?' })
        .getByRole('button', { name: 'Reset template' })
        .click();
      await expect.poll(() => template.getByLabel('Subject').inputValue()).toBe(builtIn);
      await template.getByText('Close', { exact: true }).click();
      await expect.poll(() => page.url()).not.toMatch(/template=/);

      await manager.DELETE('/api/v1/notification-channels/{id}', {
        params: { path: { id: channelId } },
      });
      await page.context().close();
    },
  },
  {
    name: 'an approver sees the policy read-only; an operator is refused by the screen and the server',
    async run(journey) {
      const approver = await journey.loginAs('jonas.weber');
      await approver.goto('/admin/approvals');
      await approver.getByRole('table', { name: 'Approval rules' }).waitFor();
      const addRule = approver.getByRole('button', { name: 'Add rule' });
      expect(await addRule.isDisabled()).toBe(true);
      expect(await addRule.getAttribute('title')).toMatch(/changes:manage/);
      expect(await approver.getByRole('button', { name: /^Edit rule / }).count()).toBe(0);
      await approver.getByRole('button', { name: 'Delegate approvals' }).click();
      const own = approver.getByRole('dialog', { name: 'Delegate approvals' });
      expect(await own.getByLabel('Whose approvals (away)').isDisabled()).toBe(true);
      await approver.context().close();

      const page = await journey.loginAs('tom.berg');
      await page.goto('/admin/approvals');
      await page.getByText('You do not have permission to open this screen.').waitFor();
      await page.getByText('changes:manage', { exact: true }).waitFor();
      await journey.expectAccessible(page, 'approvals refused');
      const operator = await journey.apiAs('tom.berg');
      const policy = await operator.GET('/api/v1/approval-policy');
      const refused = await operator.PUT('/api/v1/approval-policy', {
        body: { rules: policy.data?.rules ?? [] },
      });
      expect(refused.response.status).toBe(403);
      const group = await operator.POST('/api/v1/approver-groups', {
        body: { name: 'operators-own', description: '', emergency: false },
      });
      expect(group.response.status).toBe(403);
      await page.context().close();
    },
  },
];
