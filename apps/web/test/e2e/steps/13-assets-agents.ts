/**
 * Assets, agents, calendar feed and jobs: an operator uploads an inventory file for an asset of
 * this step's own and downloads it back from the snapshot history; an agent enrolled through the
 * real protocol has its detail screen (and, when the lab's rollout has run, one task's log); the
 * operator creates, uses and revokes a calendar feed URL, and cancels and retries the job of a
 * failing sync run; an approver has none of these actions and the server refuses them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { rawBody } from '../../../src/api/raw-body.ts';
import type { Journey } from '../harness.ts';
import type { JourneyStep } from './step.ts';

const uploadAsset = 'e2e-upload-01';
const agentHost = 'e2e-agent-01';
/** `dpkg-query -W -f '${Package}\t${Version}\t${Status}\n'`: three columns, detected. */
const dpkgQuery = [
  'patchgate-e2e-base\t1.0-1\tinstall ok installed',
  'patchgate-e2e-tool\t2.3-4\tinstall ok installed',
  'patchgate-e2e-lib\t0.9-2\tinstall ok installed',
  '',
].join('\n');

async function prepare(journey: Journey): Promise<{ runId: string }> {
  const admin = await journey.apiAs('admin');
  const imported = await admin.POST('/api/v1/assets/import', {
    body: [{ name: uploadAsset, environment: 'test', osRelease: 'Debian:12', groups: ['e2e'] }],
  });
  expect(imported.response.status).toBe(200);

  // An agent enrolled the way a host does it: a one-time token, then the agent's own call.
  const token = await admin.POST('/api/v1/enrolment-tokens', {
    body: { description: 'journey 13', uses: 1, expiresInSeconds: 3600 },
  });
  expect(token.response.status).toBe(201);
  const enrol = await fetch(`${journey.server.url}/api/v1/agent/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'patchgate-agent-protocol': '1' },
    body: JSON.stringify({
      token: token.data?.token,
      name: agentHost,
      hostname: `${agentHost}.example.internal`,
      os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      architecture: 'amd64',
      agentVersion: 'journey-1',
      packageManagers: ['apt'],
    }),
  });
  expect(enrol.status).toBe(201);

  // A source whose file goes away after it was added: its sync fails ("the source path no
  // longer exists") and waits for its next attempt, so its job can be cancelled, then retried.
  // Its file lives in the demo server's own advisory root (<dataDir>/advisories).
  const root = join(journey.server.dataDir, 'advisories');
  mkdirSync(root, { recursive: true });
  const file = join(root, 'e2e-vanishing-kev.json');
  writeFileSync(file, JSON.stringify({ vulnerabilities: [] }));
  const source = await admin.POST('/api/v1/advisory-sources', {
    body: { name: 'e2e failing KEV', kind: 'kev', path: 'e2e-vanishing-kev.json' },
  });
  expect(source.response.status).toBe(201);
  rmSync(file);
  const sync = await admin.POST('/api/v1/advisory-sources/{id}/sync', {
    params: { path: { id: source.data?.id ?? '' } },
  });
  expect(sync.response.status).toBe(202);
  let runId: string | undefined;
  await expect
    .poll(
      async () => {
        const runs = await admin.GET('/api/v1/sync-runs', {
          params: { query: { sourceId: source.data?.id ?? '' } },
        });
        runId = runs.data?.runs[0]?.id;
        return runId;
      },
      { timeout: 20_000 },
    )
    .toBeDefined();
  return { runId: runId ?? '' };
}

const dialog = (page: Page, name: string) => page.getByRole('dialog', { name });

export const steps: readonly JourneyStep[] = [
  {
    name: 'an operator uploads an inventory file and downloads it back; an agent’s detail; a calendar feed URL; a failing sync’s job cancelled and retried',
    timeoutMs: 180_000,
    async run(journey) {
      const { runId } = await prepare(journey);
      journey.state['13-runId'] = runId;
      const page = await journey.loginAs('tom.berg');

      // (a) Upload: the file itself, detected as dpkg-query; the result in the dialog.
      await page.goto(`/assets/${uploadAsset}`);
      await page.getByRole('heading', { level: 1, name: uploadAsset }).waitFor();
      await page.getByRole('button', { name: 'Upload inventory' }).click();
      const upload = dialog(page, `Upload an inventory for ${uploadAsset}`);
      await upload.getByLabel('Inventory file').setInputFiles({
        name: 'dpkg-query.tsv',
        mimeType: 'text/tab-separated-values',
        buffer: Buffer.from(dpkgQuery),
      });
      await journey.expectAccessible(page, 'inventory upload dialog');
      await upload.getByRole('button', { name: 'Upload', exact: true }).click();
      await upload.getByText('Snapshot #1 recorded: 3 packages').waitFor();
      await upload.getByText('first inventory: 3 added').waitFor();
      await journey.expectAccessible(page, 'inventory upload result');
      await journey.screenshot(page, '13-inventory-upload');
      await upload.getByRole('button', { name: 'Done' }).click();

      // The snapshot's raw file, downloaded as uploaded.
      await page.getByRole('tab', { name: 'Snapshot history' }).click();
      const link = page.getByRole('link', { name: /^Download the file of snapshot 1 / });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('dpkg-query.tsv');
      expect(await readFile(await download.path())).toEqual(Buffer.from(dpkgQuery));

      // (b) The agent: from the list to its detail.
      await page.goto(`/admin/agents?q=${agentHost}`);
      await page
        .getByRole('link', { name: `Agent on ${agentHost}: status, facts and tasks` })
        .click();
      await page.getByRole('heading', { level: 1, name: `Agent on ${agentHost}` }).waitFor();
      await page.getByText('Debian GNU/Linux 12 (bookworm)').waitFor();
      await page.getByText('No task was given to this agent yet').waitFor();
      await journey.expectAccessible(page, 'agent detail');
      await journey.screenshot(page, '13-agent-detail');
      // When the lab's rollout ran (the whole journey), one of its tasks and its log.
      const api = await journey.apiAs('tom.berg');
      const agents = await api.GET('/api/v1/agents');
      for (const agent of agents.data?.agents ?? []) {
        const tasks = await api.GET('/api/v1/agents/{id}/tasks', {
          params: { path: { id: agent.id }, query: { limit: 1 } },
        });
        const task = tasks.data?.tasks[0];
        if (task === undefined) continue;
        await page.goto(`/admin/agents/${agent.id}?task=${task.id}`);
        await page.getByRole('heading', { name: /^Task: / }).waitFor();
        await page
          .getByRole('list', { name: 'Task events' })
          .or(page.getByText(/^(The agent sent no event|No event yet)/))
          .first()
          .waitFor();
        await journey.expectAccessible(page, 'agent task log');
        await journey.screenshot(page, '13-agent-task');
        break;
      }

      // (c) The calendar feed URL: shown once, it serves iCalendar; revoked, it is gone.
      await page.goto('/calendar');
      await page.getByRole('button', { name: 'Create a feed URL' }).click();
      await dialog(page, 'Create a calendar feed URL?')
        .getByRole('button', { name: 'Create the feed URL' })
        .click();
      const shown = dialog(page, 'Your calendar feed URL');
      const feedUrl = await shown.getByLabel('Secret').inputValue();
      expect(feedUrl).toMatch(/\/api\/v1\/calendar\/feed\/\S+$/);
      await journey.expectAccessible(page, 'calendar feed URL');
      const feed = await fetch(feedUrl);
      expect(feed.status).toBe(200);
      expect(await feed.text()).toMatch(/^BEGIN:VCALENDAR/);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByRole('button', { name: 'Revoke my feed URL' }).click();
      await dialog(page, 'Revoke your calendar feed URL?')
        .getByRole('button', { name: 'Revoke the feed URL' })
        .click();
      await page.getByText('Your feed URL was revoked').waitFor();
      expect((await fetch(feedUrl)).status).toBe(404);
      // The week view: an hour grid, the hours labelled, the keyboard as in the month.
      await page.getByRole('button', { name: 'Week', exact: true }).click();
      const week = page.getByRole('grid', { name: /^Week of/ });
      await week.getByRole('rowheader', { name: /Hours 00:00 to 24:00/ }).waitFor();
      await week.locator('td[tabindex="0"]').focus();
      const before = page.url();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.url()).not.toBe(before);
      await journey.expectAccessible(page, 'calendar week hour grid');
      await journey.screenshot(page, '13-calendar-week-hours');

      // (d) The failing sync's job: cancelled while it waits for its next attempt, retried.
      await page.goto(`/admin/sources/runs/${runId}`);
      const cancel = page.getByRole('button', { name: 'Cancel the job' });
      const retry = page.getByRole('button', { name: 'Retry the job' });
      // Queued (before its first attempt, or waiting 30 s for the next): cancellable.
      await cancel.waitFor({ timeout: 30_000 });
      await journey.expectAccessible(page, 'sync run with its job');
      await journey.screenshot(page, '13-sync-job');
      await cancel.click();
      await dialog(page, 'Cancel this sync of e2e failing KEV?')
        .getByRole('button', { name: 'Cancel the job' })
        .click();
      // Cancelled: retriable.
      await page.getByText('cancelled', { exact: true }).first().waitFor();
      await retry.click();
      const confirm = dialog(page, 'Retry this sync of e2e failing KEV?');
      await journey.expectAccessible(page, 'retry job dialog');
      await confirm.getByRole('button', { name: 'Retry the job' }).click();
      await confirm.waitFor({ state: 'hidden' });
      await expect.poll(() => page.getByText(/^0 of \d+$|^1 of \d+$/).count()).toBe(1);
      await page.context().close();
    },
  },
  {
    name: 'an approver has no upload, revoke or job action, and the server refuses them',
    async run(journey) {
      const page = await journey.loginAs('jonas.weber');
      await page.goto(`/assets/${uploadAsset}`);
      await page.getByRole('heading', { name: 'Attributes' }).waitFor();
      expect(await page.getByRole('button', { name: 'Upload inventory' }).count()).toBe(0);
      const runId = journey.state['13-runId'];
      if (typeof runId === 'string') {
        await page.goto(`/admin/sources/runs/${runId}`);
        const action = page.getByRole('button', { name: /^(Cancel|Retry) the job$/ });
        await action.first().waitFor();
        expect(await action.first().isDisabled()).toBe(true);
        await page.getByText('Needs the jobs:manage permission.').waitFor();
        await journey.expectAccessible(page, 'sync run (approver)');
      }
      await page.context().close();

      const api = await journey.apiAs('jonas.weber');
      const refused = await api.POST('/api/v1/assets/{id}/inventory', {
        params: { path: { id: uploadAsset }, query: { name: 'dpkg-query.tsv' } },
        ...rawBody(new Blob([dpkgQuery]), 'text/plain'),
      });
      expect(refused.response.status).toBe(403);
      const agent = await api.POST('/api/v1/agents/{id}/revoke', {
        params: { path: { id: agentHost } },
        body: {},
      });
      expect(agent.response.status).toBe(403);
      const runs = await api.GET('/api/v1/sync-runs', { params: { query: { limit: 1 } } });
      const jobId = runs.data?.runs[0]?.jobId ?? 'none';
      const job = await api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id: jobId } } });
      expect(job.response.status).toBe(403);
    },
  },
];
