/**
 * The change calendar: a change approved by its approvers is scheduled through the calendar —
 * a slot in a freeze shows its conflict (and the server refuses it), the next feasible slot is
 * applied and scheduled; the month and week views, by keyboard too.
 */
import { expect } from 'vitest';
import type { Journey, PatchgateClient } from '../harness.ts';
import type { JourneyStep } from './step.ts';

/** `YYYY-MM-DDTHH:MM` (what a datetime-local input holds) of an instant, in UTC. */
const localInput = (iso: string): string => new Date(iso).toISOString().slice(0, 16);

async function changeOf(client: PatchgateClient, ref: string) {
  const { data, error } = await client.GET('/api/v1/changes/{id}', {
    params: { path: { id: ref } },
  });
  if (data === undefined) throw new Error(`change ${ref}: ${JSON.stringify(error)}`);
  return data;
}

/**
 * The change an earlier step approved (`journey.state.approvedChange`: an id, a number or an
 * object with an id), else the demo's change from web-01's findings, approved here through the
 * API by its approvers in turn (the policy decides who counts: the service owner, then the CAB).
 */
async function approvedChange(journey: Journey): Promise<{ id: string; number: string }> {
  const admin = await journey.apiAs('admin');
  const left = journey.state['approvedChange'];
  const ref =
    typeof left === 'string'
      ? left
      : typeof left === 'object' && left !== null && 'id' in left && typeof left.id === 'string'
        ? left.id
        : await journey.server.demoChange;
  if (ref === undefined) throw new Error('the demo printed no change awaiting approval');
  let change = await changeOf(admin, ref);
  const refusals: string[] = [];
  const approvers = ['jonas.weber', 'aisha.khan', 'maria.keller'];
  for (let round = 0; round < 3 && !change.approvals.complete; round++)
    for (const username of approvers) {
      if (change.approvals.complete || change.state !== 'authorise') break;
      const client = await journey.apiAs(username);
      const { error } = await client.POST('/api/v1/changes/{id}/approve', {
        params: { path: { id: change.id } },
        body: { comment: `Approved by ${username} in the browser journey.` },
      });
      if (error !== undefined) refusals.push(`${username}: ${JSON.stringify(error).slice(0, 200)}`);
      change = await changeOf(admin, change.id);
    }
  if (!change.approvals.complete)
    throw new Error(`${change.number} is not approved (${change.state}): ${refusals.join('; ')}`);
  return { id: change.id, number: change.number };
}

export const steps: readonly JourneyStep[] = [
  {
    name: 'a change manager schedules an approved change: a conflict shown, then the next feasible slot',
    timeoutMs: 300_000,
    async run(journey) {
      const change = await approvedChange(journey);
      const admin = await journey.apiAs('admin');
      // A freeze over the change's next slot: that slot now conflicts; the next one is later.
      const first = await admin.GET('/api/v1/changes/{id}/next-slot', {
        params: { path: { id: change.id } },
      });
      const slotStart = first.data?.start;
      if (slotStart === undefined || slotStart === null)
        throw new Error(
          `no slot for ${change.number}: ${JSON.stringify(first.data ?? first.error)}`,
        );
      // The freeze starts at that slot, but not before 45 minutes from now: the lab's change
      // (scheduled a few minutes after the server started) must not fall into it.
      const minute = 60_000;
      const freezeStart = new Date(
        Math.ceil(Math.max(Date.parse(slotStart), Date.now() + 45 * minute) / minute) * minute,
      ).toISOString();
      const freezeEnd = new Date(Date.parse(freezeStart) + 6 * 3_600_000).toISOString();
      const freeze = await admin.POST('/api/v1/calendar/freezes', {
        body: {
          name: 'journey freeze',
          start: freezeStart,
          end: freezeEnd,
          exdates: [],
          allowEmergency: false,
        },
      });
      expect(freeze.response.status).toBe(201);
      const inFreeze = new Date(Date.parse(freezeStart) + 5 * minute).toISOString();
      const day = inFreeze.slice(0, 10);

      const page = await journey.loginAs('maria.keller');
      await page.goto(`/calendar?view=month&date=${day}&change=${change.id}`);
      const grid = page.getByRole('grid');
      await grid.waitFor();
      await expect.poll(() => grid.getAttribute('aria-label')).toMatch(/^\w+ \d{4}: /);
      // The freeze is on its day of the grid, said in words.
      await expect
        .poll(() => page.locator(`[data-day="${day}"]`).textContent())
        .toContain('journey freeze');
      await journey.expectAccessible(page, 'calendar (month)');
      await journey.screenshot(page, '05-calendar-month');

      // Keyboard: the active day is in the tab order; arrows move it, and the URL follows.
      await page.locator(`[data-day="${day}"]`).focus();
      const focusedDay = () =>
        page.evaluate(() => document.activeElement?.getAttribute('data-day') ?? null);
      await expect.poll(focusedDay).toBe(day);
      await page.keyboard.press('ArrowRight');
      await page.waitForURL((url) => url.searchParams.get('date') !== day);
      // Focus follows to the next day's cell once the grid shows it.
      await expect.poll(focusedDay).not.toBe(day);
      await page.keyboard.press('ArrowLeft');
      await page.waitForURL((url) => url.searchParams.get('date') === day);

      // A slot in the freeze: its conflict is shown before anything is saved…
      const start = page.getByLabel('New start (UTC)');
      await start.fill(localInput(inFreeze));
      const proposed = page.getByRole('list', { name: 'Conflicts of the new slot' });
      await expect.poll(() => proposed.textContent(), { timeout: 15_000 }).toContain('In a freeze');
      expect(await proposed.textContent()).toContain('journey freeze');
      await journey.screenshot(page, '05-reschedule-conflict');
      // …and the server refuses to schedule it (409), which the dialog says.
      await page.getByRole('button', { name: 'Schedule…' }).click();
      const dialog = page.getByRole('dialog', { name: `Schedule ${change.number}` });
      await dialog.getByRole('button', { name: 'Schedule' }).click();
      await expect
        .poll(() => dialog.getByRole('alert').textContent(), { timeout: 15_000 })
        .toMatch(/The server refused: .*freeze/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // The next feasible slot, applied: no conflicts; then scheduled.
      await page.getByRole('button', { name: 'Find the next feasible slot' }).click();
      await page.getByRole('button', { name: 'Apply this slot' }).click();
      const applied = await start.inputValue();
      // Outside the freeze: over before it starts, or after it ends.
      const appliedEnd = await page.getByLabel('New end (UTC)').inputValue();
      expect(appliedEnd <= localInput(freezeStart) || applied >= localInput(freezeEnd)).toBe(true);
      await page.getByText('No conflicts: every asset is in its window').waitFor();
      await journey.expectAccessible(page, 'calendar (reschedule)');
      await journey.screenshot(page, '05-reschedule');
      await page.getByRole('button', { name: 'Schedule…' }).click();
      await dialog.getByLabel('Why this time (optional)').fill('After the journey freeze.');
      await dialog.getByRole('button', { name: 'Schedule' }).click();
      await page.getByText(new RegExp(`${change.number} is scheduled for`)).waitFor();
      const scheduled = await changeOf(admin, change.id);
      expect(scheduled.schedule?.start.slice(0, 16)).toBe(applied);
      expect(['scheduled', 'authorise']).toContain(scheduled.state);
      journey.state['scheduledChange'] = { id: change.id, number: change.number };

      // The week view of that day shows the change in its new place.
      await page.getByRole('button', { name: 'Week', exact: true }).click();
      await page.waitForURL(/view=week/);
      const weekGrid = page.getByRole('grid', { name: /^Week of/ });
      await weekGrid.waitFor();
      await expect.poll(() => weekGrid.textContent(), { timeout: 15_000 }).toContain(change.number);
      await journey.expectAccessible(page, 'calendar (week)');
      await journey.screenshot(page, '05-calendar-week');
      await page.context().close();
    },
  },
];
