/**
 * A change's test evidence, its export and the change templates, in a real browser against the
 * demo: a change manager records automated results on an open change, attaches a file (the raw
 * bytes, downloaded back identical, its SHA-256 as shown), downloads the change's export and
 * verifies it (every check passes), then a tampered copy (the digest fails); she saves a new
 * version of the standard-change template. An approver finds recording and editing disabled,
 * and the server refuses them all the same. axe on each screen and dialog.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { rawBody } from '../../../src/api/raw-body.ts';
import type { Journey } from '../harness.ts';
import type { JourneyStep } from './step.ts';

/** An open change (evidence is refused on closed ones): the latest-stage one, for fewer side effects. */
async function openChange(journey: Journey): Promise<{ id: string; number: string }> {
  const known = journey.state['evidenceChange'] as { id: string; number: string } | undefined;
  if (known !== undefined) return known;
  const api = await journey.apiAs('maria.keller');
  for (const state of ['review', 'implementing', 'scheduled', 'authorise', 'submitted'] as const) {
    const { data } = await api.GET('/api/v1/changes', {
      params: { query: { state, limit: 1 } },
    });
    const change = data?.changes[0];
    if (change !== undefined) {
      journey.state['evidenceChange'] = { id: change.id, number: change.number };
      return change;
    }
  }
  throw new Error('the demo holds no open change');
}

const template = 'security-updates-non-production';

export const steps: readonly JourneyStep[] = [
  {
    name: 'a change manager records evidence with a file, and exports and verifies the change',
    timeoutMs: 180_000,
    async run(journey) {
      const change = await openChange(journey);
      const page = await journey.loginAs('maria.keller');
      await page.goto(`/changes/${change.number}`);
      await page.getByRole('tab', { name: /^Evidence/ }).click();
      await page.waitForURL(/\?tab=evidence$/);
      await page.getByRole('heading', { name: 'Test evidence' }).waitFor();

      // Record automated results.
      const suite = `journey-smoke-${Date.now()}`;
      await page.getByRole('button', { name: 'Record evidence' }).click();
      const record = page.getByRole('dialog', { name: `Record evidence on ${change.number}` });
      await record.getByLabel('Suite').fill(suite);
      await record.getByLabel('Passed').fill('12');
      await record.getByLabel('Skipped').fill('1');
      await journey.expectAccessible(page, 'record evidence');
      await record.getByRole('button', { name: 'Record evidence' }).click();
      await record.waitFor({ state: 'hidden' });
      const item = page.getByRole('listitem', { name: new RegExp(`^#\\d+ ${suite}$`) });
      await item.waitFor();
      expect(await item.textContent()).toContain('12 passed, 0 failed, 1 skipped');

      // Attach a file: its bytes are the body; the download gives them back.
      const bytes = Buffer.from(`suite ${suite}\nok 1..12\n`, 'utf8');
      await item.getByRole('button', { name: 'Attach a file' }).click();
      const attach = page.getByRole('dialog', { name: /^Attach a file to #\d+ / });
      await attach.getByLabel('File').setInputFiles({
        name: 'smoke.log',
        mimeType: 'text/plain',
        buffer: bytes,
      });
      await attach.getByText(`smoke.log: ${bytes.length} B, text/plain`).waitFor();
      await journey.expectAccessible(page, 'attach evidence file');
      await attach.getByRole('button', { name: 'Attach' }).click();
      await attach.waitFor({ state: 'hidden' });
      const link = item.getByRole('link', { name: `Download smoke.log (${bytes.length} B)` });
      await link.waitFor();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect(await item.locator('code').first().getAttribute('title')).toBe(sha256);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('smoke.log');
      expect(readFileSync(await download.path())).toEqual(bytes);
      await journey.expectAccessible(page, 'change evidence');
      await journey.screenshot(page, '11-change-evidence');

      // The export, downloaded and verified; then a tampered copy.
      const [exported] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download export' }).click(),
      ]);
      expect(exported.suggestedFilename()).toBe(`${change.number}-export.json`);
      const document = JSON.parse(readFileSync(await exported.path(), 'utf8')) as {
        change: { number: string; title: string };
      };
      expect(document.change.number).toBe(change.number);
      await page.getByRole('button', { name: 'Verify an export' }).click();
      const verify = page.getByRole('dialog', { name: 'Verify an export' });
      await verify.getByLabel('Export file').setInputFiles(await exported.path());
      await verify.getByRole('button', { name: 'Verify' }).click();
      await verify
        .getByRole('status')
        .getByText(/^Verified/)
        .waitFor();
      expect(await verify.getByRole('status').textContent()).toMatch(/all \d+ checks passed/);
      await journey.expectAccessible(page, 'verify an export');
      await journey.screenshot(page, '11-verify-export');
      const tampered = join(tmpdir(), `${change.number}-tampered.json`);
      writeFileSync(
        tampered,
        JSON.stringify({
          ...document,
          change: { ...document.change, title: `${document.change.title} (edited)` },
        }),
      );
      await verify.getByLabel('Export file').setInputFiles(tampered);
      await verify.getByRole('button', { name: 'Verify' }).click();
      await verify
        .getByRole('status')
        .getByText(/^Not verified/)
        .waitFor();
      expect(await verify.getByRole('status').textContent()).toContain(
        'the document was altered after export',
      );
      await page.context().close();
    },
  },
  {
    name: 'a change manager saves a new version of a change template',
    timeoutMs: 120_000,
    async run(journey) {
      const page = await journey.loginAs('maria.keller');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Change templates' })
        .click();
      await page.waitForURL(/\/changes\/templates$/);
      const table = page.getByRole('table', { name: 'Change templates' });
      await table.getByRole('link', { name: template }).click();
      await page.waitForURL(new RegExp(`\\?template=${template}$`));
      const view = page.locator('section', {
        has: page.getByRole('heading', { name: `Template ${template}` }),
      });
      const version = /Version(\d+),/.exec((await view.locator('dl').textContent()) ?? '');
      await journey.expectAccessible(page, 'change templates');
      await journey.screenshot(page, '11-change-templates');
      await view.getByRole('button', { name: 'Edit' }).click();
      const dialog = page.getByRole('dialog', { name: `Edit ${template} (a new version)` });
      // The server's 422 beside the field: no security origin while only those are allowed.
      const origins = dialog.getByLabel('Security origins', { exact: true });
      const before = await origins.inputValue();
      await origins.fill('');
      await dialog.getByRole('button', { name: /^Save version/ }).click();
      await expect.poll(() => origins.getAttribute('aria-invalid')).toBe('true');
      await journey.expectAccessible(page, 'edit change template');
      await origins.fill(before);
      await dialog
        .getByLabel('Description')
        .fill(
          'Security updates from the distribution’s security repository for test, development and staging assets (reviewed in the journey).',
        );
      await dialog.getByRole('button', { name: /^Save version/ }).click();
      await dialog.waitFor({ state: 'hidden' });
      const next = Number(version?.[1] ?? '0') + 1;
      await view.getByText(new RegExp(`^${next}, saved `)).waitFor();
      await view.getByText(/reviewed in the journey/).waitFor();
      await page.context().close();
    },
  },
  {
    name: 'an approver can record no evidence nor edit a template, and the server refuses them',
    timeoutMs: 120_000,
    async run(journey) {
      const change = await openChange(journey);
      const page = await journey.loginAs('jonas.weber');
      await page.goto(`/changes/${change.number}?tab=evidence`);
      await page.getByRole('heading', { name: 'Test evidence' }).waitFor();
      expect(await page.getByRole('button', { name: 'Record evidence' }).isDisabled()).toBe(true);
      await page
        .getByText('Recording evidence needs the permission to request or implement changes.')
        .waitFor();
      await page.goto(`/changes/templates?template=${template}`);
      await page.getByRole('heading', { name: `Template ${template}` }).waitFor();
      expect(await page.getByRole('button', { name: 'Edit' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'New template' }).isDisabled()).toBe(true);
      await page.context().close();

      const jonas = await journey.apiAs('jonas.weber');
      const evidence = await jonas.POST('/api/v1/changes/{id}/evidence', {
        params: { path: { id: change.id } },
        body: { kind: 'manual', outcome: 'passed', notes: 'not mine to record' },
      });
      expect(evidence.response.status).toBe(403);
      const saved = await jonas.PUT('/api/v1/change-templates/{name}', {
        params: { path: { name: template } },
        body: { description: 'not mine to edit', criteria: {} },
      });
      expect(saved.response.status).toBe(403);
      // An operator may record evidence, but attach files only to what they recorded.
      const maria = await journey.apiAs('maria.keller');
      const list = await maria.GET('/api/v1/changes/{id}/evidence', {
        params: { path: { id: change.id } },
      });
      const session = await maria.GET('/api/v1/session');
      const hers = list.data?.evidence.find((e) => e.recordedBy.id === session.data?.user.id);
      expect(hers).toBeDefined();
      if (hers !== undefined) {
        const tom = await journey.apiAs('tom.berg');
        const refused = await tom.POST('/api/v1/changes/{id}/evidence/{evidenceId}/attachments', {
          params: { path: { id: change.id, evidenceId: hers.id }, query: { name: 'x.txt' } },
          ...rawBody(new Blob(['not mine']), 'text/plain'),
        });
        expect(refused.response.status).toBe(409);
      }
    },
  },
];
