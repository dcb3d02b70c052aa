/**
 * Change management in the browser: the change list, a change's page and its plan editor, and
 * the CAB approving it on the agenda as two and more people — the requester (admin) cannot.
 * The change is the one the findings step created (`journey.state.changeFromFindings`) when it
 * awaits approval and the admin requested it, else the demo's change (also the admin's).
 * Leaves `journey.state.approvedChange` (its id; the API takes it or its CHG number).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Journey } from '../harness.ts';
import type { JourneyStep } from './step.ts';

interface ChangeRef {
  readonly id: string;
  readonly number: string;
}

async function changeOf(
  journey: Journey,
  ref: string,
): Promise<(ChangeRef & { state: string; byAdmin: boolean }) | undefined> {
  const admin = await journey.apiAs('admin');
  const [{ data }, session] = await Promise.all([
    admin.GET('/api/v1/changes/{id}', { params: { path: { id: ref } } }),
    admin.GET('/api/v1/session'),
  ]);
  return data === undefined
    ? undefined
    : {
        id: data.id,
        number: data.number,
        state: data.state,
        byAdmin: data.requester.id === session.data?.user.id,
      };
}

/** The change to approve: the findings step's when it awaits approval (submitted here if a draft), else the demo's. */
async function changeToApprove(journey: Journey, page: Page): Promise<ChangeRef> {
  const known = journey.state['changeToApprove'] as ChangeRef | undefined;
  if (known !== undefined) return known;
  const fromFindings = journey.state['changeFromFindings'];
  if (typeof fromFindings === 'string') {
    const change = await changeOf(journey, fromFindings);
    if (change?.state === 'draft') {
      // Submitted through the UI, as its requester would.
      await page.goto(`/changes/${change.number}`);
      await page.getByRole('button', { name: 'Submit', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Submit: ${change.number}` });
      await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' }).catch(() => undefined);
    }
    const now = await changeOf(journey, fromFindings);
    // The admin must be its requester: this file shows that they cannot approve it.
    if (now?.state === 'authorise' && now.byAdmin) {
      journey.state['changeToApprove'] = { id: now.id, number: now.number };
      return now;
    }
  }
  const number = await journey.server.demoChange;
  if (number === undefined) throw new Error('the demo printed no change awaiting approval');
  const demo = await changeOf(journey, number);
  if (demo === undefined) throw new Error(`no change ${number}`);
  expect(demo.state).toBe('authorise');
  journey.state['changeToApprove'] = { id: demo.id, number: demo.number };
  return demo;
}

export const steps: readonly JourneyStep[] = [
  {
    name: 'the change list filters by state, sorts, and links to each change',
    async run(journey) {
      const page = await journey.loginAs('admin');
      await changeToApprove(journey, page);
      await page.goto('/changes');
      const table = page.getByRole('table', { name: 'Changes' });
      await table
        .getByRole('link', { name: /^CHG-\d+$/ })
        .first()
        .waitFor();
      await page.getByLabel('State').selectOption('authorise');
      await page.waitForURL(/\/changes\?state=authorise$/);
      await table.getByRole('button', { name: 'Risk' }).click();
      await page.waitForURL(/sort=risk/);
      await expect
        .poll(() => table.getByRole('link', { name: /^CHG-\d+$/ }).count())
        .toBeGreaterThan(0);
      expect(await page.getByRole('link', { name: 'New change' }).getAttribute('href')).toBe(
        '/changes/new',
      );
      await journey.expectAccessible(page, 'changes');
      await journey.screenshot(page, '04-changes');
      await page.context().close();
    },
    timeoutMs: 300_000,
  },
  {
    name: 'the requester opens the change and its plan editor, and cannot approve it',
    async run(journey) {
      const page = await journey.loginAs('admin');
      const change = await changeToApprove(journey, page);
      await page.goto(`/changes/${change.number}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(change.number) }).waitFor();
      await page.getByRole('heading', { name: 'Risk' }).waitFor();
      // Separation of duties, before anyone clicks…
      await page
        .getByText(
          'Separation of duties: you requested this change, so someone else must decide it.',
        )
        .waitFor();
      expect(await page.getByRole('button', { name: `Approve ${change.number}` }).count()).toBe(0);
      // …and by the server, which decides anyway.
      const admin = await journey.apiAs('admin');
      const refused = await admin.POST('/api/v1/changes/{id}/approve', {
        params: { path: { id: change.id } },
        body: { comment: 'my own' },
      });
      expect(refused.response.status).toBe(409);
      expect(JSON.stringify(refused.error)).toContain('Separation of duties');
      await journey.expectAccessible(page, 'change detail');
      await journey.screenshot(page, '04-change-detail');
      await page.getByLabel('Theme').selectOption('dark');
      await journey.expectAccessible(page, 'change detail (dark)');
      await journey.screenshot(page, '04-change-detail-dark');
      await page.getByLabel('Theme').selectOption('light');
      for (const tab of ['Scope', 'Plans', 'Approvals', 'Schedule', 'Pre-flight', 'History']) {
        await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
        await page.waitForURL(/\?tab=/);
      }
      await page.getByRole('heading', { name: 'State transitions' }).waitFor();
      await journey.expectAccessible(page, 'change detail (history)');
      await page.getByRole('tab', { name: 'Approvals' }).click();
      await page.getByRole('heading', { name: /^Stage 1:/ }).waitFor();
      await journey.screenshot(page, '04-change-approvals');

      await page.getByRole('link', { name: 'Edit plan' }).click();
      await page.waitForURL(new RegExp(`/changes/${change.number}/plan$`));
      await page.getByRole('heading', { level: 1, name: `Plan of ${change.number}` }).waitFor();
      await page.getByRole('heading', { name: 'Rollback plan' }).waitFor();
      expect(await page.getByRole('button', { name: 'Save a new plan version' }).isEnabled()).toBe(
        true,
      );
      await journey.expectAccessible(page, 'plan editor');
      await journey.screenshot(page, '04-plan-editor');
      // The server's 422 beside the field it names…
      const wave = page.getByRole('group', { name: /^Wave 1/ });
      const concurrency = wave.getByLabel('Concurrency');
      const before = await concurrency.inputValue();
      await concurrency.fill('lots');
      await page.getByRole('button', { name: 'Save a new plan version' }).click();
      await page.getByRole('alert').filter({ hasText: 'waves[0].concurrency' }).waitFor();
      await expect.poll(() => concurrency.getAttribute('aria-invalid')).toBe('true');
      await journey.screenshot(page, '04-plan-editor-422');
      // …and a valid edit saved as a new plan version (no approval given yet: nothing withdrawn).
      const admin2 = await journey.apiAs('admin');
      const versionBefore = (
        await admin2.GET('/api/v1/changes/{id}', { params: { path: { id: change.id } } })
      ).data?.planVersion;
      await concurrency.fill(before);
      await wave.getByLabel('Gate').selectOption('manual');
      await page
        .getByLabel('Why the plan changed (kept with the version)')
        .fill('A person releases the production wave');
      await page.getByRole('button', { name: 'Save a new plan version' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Saved as plan version ${(versionBefore ?? 0) + 1}.` })
        .waitFor();
      await page.context().close();
    },
    timeoutMs: 300_000,
  },
  {
    name: 'CAB members approve the change on the agenda until the policy is satisfied',
    async run(journey) {
      const admin = await journey.apiAs('admin');
      const policy = await admin.GET('/api/v1/approval-policy');
      expect(policy.data?.rules.length).toBeGreaterThan(0);
      let change: ChangeRef | undefined;
      const approvedBy: string[] = [];
      for (const username of ['jonas.weber', 'aisha.khan', 'maria.keller']) {
        const page = await journey.loginAs(username);
        change ??= await changeToApprove(journey, page);
        await page.goto('/cab');
        const item = page.getByRole('region', { name: new RegExp(change.number) });
        await page.getByRole('tab', { name: /Awaiting my decision/ }).waitFor();
        if (username === 'jonas.weber') {
          await item.waitFor();
          await journey.expectAccessible(page, 'CAB agenda');
          await journey.screenshot(page, '04-cab-agenda');
        }
        // Each may decide one stage after another (Jonas: the service owner, then the CAB).
        for (let round = 0; round < 3; round += 1) {
          const approve = item.getByRole('button', { name: `Approve ${change.number}` });
          if ((await item.count()) === 0 || (await approve.count()) === 0) break;
          await approve.click();
          const dialog = page.getByRole('dialog', { name: `Approve ${change.number}` });
          await dialog.getByLabel('Comment').fill(`Approved by ${username} in the CAB`);
          await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
          await dialog.waitFor({ state: 'hidden' });
          approvedBy.push(username);
          await page.waitForLoadState('networkidle');
        }
        await page.context().close();
        const { data } = await admin.GET('/api/v1/changes/{id}', {
          params: { path: { id: change.id } },
        });
        if (data?.approvals.complete === true) break;
      }
      if (change === undefined) throw new Error('no change to approve');
      const { data } = await admin.GET('/api/v1/changes/{id}', {
        params: { path: { id: change.id } },
      });
      expect(data?.approvals.complete).toBe(true);
      expect(approvedBy.length).toBeGreaterThanOrEqual(2);
      // The comments are on the record, with who decided.
      const comments = data?.approvals.stages.flatMap((s) => s.approvals.map((a) => a.comment));
      expect(comments).toContain('Approved by jonas.weber in the CAB');
      journey.state['approvedChange'] = change.id;

      // The admin sees the approvals and who gave them on the change's page.
      const page = await journey.loginAs('admin');
      await page.goto(`/changes/${change.number}?tab=approvals`);
      await page.getByText('Approved by jonas.weber in the CAB').first().waitFor();
      await page.context().close();
    },
    timeoutMs: 300_000,
  },
];
