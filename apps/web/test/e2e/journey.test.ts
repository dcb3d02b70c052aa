/**
 * The web application end to end, in Debian's chromium against a real demo server: each step of
 * steps/*.ts in file order, one server and one browser for all (the lab's rollout takes minutes
 * to be due, so later steps find it running). Screenshots go to `screenshotDir`; the axe
 * results of every screen are printed at the end.
 *
 * PATCHGATE_E2E_ONLY=findings,changes runs only the step files whose names contain one of those.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { DemoServer, Journey } from './harness.ts';
import {
  accessibilityLog,
  findChromium,
  labAvailable,
  screenshotDir,
  startDemoServer,
  startJourney,
} from './harness.ts';
import type { JourneyStep } from './steps/step.ts';

const stepFiles = import.meta.glob<{ steps: readonly JourneyStep[] }>('./steps/[0-9]*.ts', {
  eager: true,
});
const only = (process.env['PATCHGATE_E2E_ONLY'] ?? '').split(',').filter((name) => name !== '');
const selected = Object.entries(stepFiles)
  .sort(([a], [b]) => a.localeCompare(b))
  .filter(([file]) => only.length === 0 || only.some((name) => file.includes(name)));

const chromium = findChromium();
if ('reason' in chromium) console.warn(`web end-to-end tests skipped: ${chromium.reason}`);

describe.skipIf('reason' in chromium)('the web application in a real browser', () => {
  let server: DemoServer;
  let journey: Journey & { close(): Promise<void> };

  beforeAll(async () => {
    server = await startDemoServer({ lab: labAvailable() });
    journey = await startJourney(server, 'path' in chromium ? chromium.path : '');
  }, 180_000);

  afterAll(async () => {
    await journey?.close();
    await server?.stop();
    const lines = accessibilityLog.map(
      ({ screen, violations }) =>
        `  ${screen}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact ?? 'n/a'}, ${v.nodes.length})`).join(', ')}`,
    );
    console.log(
      `screenshots: ${screenshotDir}\naxe-core (WCAG 2.1 A/AA + best practice):\n${lines.join('\n')}`,
    );
  }, 60_000);

  for (const [file, module] of selected)
    for (const step of module.steps)
      it(
        `${file.replace('./steps/', '')}: ${step.name}`,
        async () => {
          await step.run(journey);
          if (journey.pageProblems.length > 0)
            throw new Error(
              `the pages reported problems:\n${journey.pageProblems.splice(0).join('\n')}`,
            );
        },
        step.timeoutMs ?? 120_000,
      );
});
