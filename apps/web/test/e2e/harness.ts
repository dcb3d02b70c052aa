/**
 * The browser end-to-end harness: a real `patchgate server --demo` (the demo organisation, its
 * people and, when this machine can, the lab with real agents), Debian's chromium driven by
 * playwright-core (never a downloaded browser), axe-core on each screen, the page's
 * Content-Security-Policy violations collected, and screenshots written to one folder.
 *
 * `journey.test.ts` runs the steps in `steps/*.ts` in order against one server and one browser;
 * a step gets a `Journey` and leaves what later steps need in `journey.state`.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { paths } from '@patchgate/api-client/schema';
import createClient from 'openapi-fetch';

export type PatchgateClient = ReturnType<typeof createClient<paths>>;

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const cliBin = join(repoRoot, 'apps/cli/bin/patchgate.js');
const webIndex = join(repoRoot, 'apps/web/dist/index.html');

/** Where the screenshots go (PATCHGATE_E2E_SCREENSHOTS overrides). */
export const screenshotDir =
  process.env['PATCHGATE_E2E_SCREENSHOTS'] ?? join(repoRoot, 'dist/web-e2e/screenshots');

const chromiumCandidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
];

/** The system's chromium, or why the browser tests cannot run here. */
export function findChromium(): { path: string } | { reason: string } {
  const configured = process.env['PATCHGATE_CHROMIUM'];
  const path = [configured, ...chromiumCandidates].find((p) => p !== undefined && existsSync(p));
  if (path === undefined)
    return {
      reason:
        "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium), or set PATCHGATE_CHROMIUM to a chromium binary",
    };
  if (!existsSync(webIndex))
    return {
      reason: `the web application is not built (${webIndex} is missing): run "npm run build"`,
    };
  if (!existsSync(join(repoRoot, 'apps/cli/dist/patchgate.mjs')))
    return { reason: 'the CLI is not built: run "npm run build"' };
  return { path };
}

/**
 * Whether the demo lab (real agents in sandbox roots) can run here: root, dpkg and apt, and not
 * turned off with PATCHGATE_E2E_LAB=off (a run of steps that need no rollout).
 */
export function labAvailable(): boolean {
  if (process.env['PATCHGATE_E2E_LAB'] === 'off') return false;
  if (process.getuid?.() !== 0) return false;
  return ['dpkg-deb', 'dpkg-scanpackages', 'apt-get'].every(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0,
  );
}

export interface DemoServer {
  readonly url: string;
  /** The server's `--data-dir` (its advisory root is `<dataDir>/advisories`). */
  readonly dataDir: string;
  /** username → password, as the demo printed them. */
  readonly passwords: Readonly<Record<string, string>>;
  /** The demo's change awaiting approval (from web-01's findings), once printed. */
  readonly demoChange: Promise<string | undefined>;
  /** The lab's change (approved, scheduled), when the lab was built. */
  readonly labChange: Promise<string | undefined>;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Start `patchgate server --demo` on a free port in a fresh data directory. */
export async function startDemoServer(options: { lab: boolean }): Promise<DemoServer> {
  const work = join(tmpdir(), `patchgate-web-e2e-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    [cliBin, 'server', '--port', '0', '--data-dir', join(work, 'data'), '--demo'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PATCHGATE_CONFIG_DIR: join(work, 'config'),
        PATCHGATE_LOG_LEVEL: 'warn',
        PATCHGATE_PASSWORD_HASH_COST: '12',
        PATCHGATE_DEMO_LAB: options.lab ? 'on' : 'off',
        // The lab's change starts a few minutes after the server: the journey approves and
        // schedules its own change first, then watches the lab's rollout.
        PATCHGATE_DEMO_LAB_START_MINUTES: '3',
        PATCHGATE_ROLLOUT_TICK_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (match: RegExpExecArray | undefined) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(out);
      if (match !== null) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    check();
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const waiter of waiters.splice(0)) waiter.resolve(undefined);
  });
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      waiters.push({
        pattern,
        resolve: (match) => {
          clearTimeout(timer);
          resolve(match);
        },
      });
      check();
    });

  const ready = await waitFor(/Demo: this server already has users|CLI is logged in/, 120_000);
  if (ready === undefined) throw new Error(`the demo server did not start:\n${out}\n${err}`);
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  if (url === undefined) throw new Error(`no listening address in:\n${out}`);
  const passwords: Record<string, string> = {};
  for (const match of out.matchAll(/Log in as (\S+) with password (\S+)/g))
    if (match[1] !== undefined && match[2] !== undefined) passwords[match[1]] = match[2];
  return {
    url,
    dataDir: join(work, 'data'),
    passwords,
    demoChange: waitFor(/Demo change (CHG-\d+)/, 180_000).then((match) => match?.[1]),
    labChange: options.lab
      ? waitFor(/rollouts start (CHG-\d+)|Demo lab not/, 300_000).then((match) => match?.[1])
      : Promise.resolve(undefined),
    output: () => out + err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(work, { recursive: true, force: true });
    },
  };
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly {
    readonly target: readonly string[];
    readonly failureSummary?: string;
  }[];
}

/** Every screen checked so far and what axe found there (for the closing note). */
export const accessibilityLog: { screen: string; violations: AxeViolation[]; passes: number }[] =
  [];

/**
 * Run axe-core (WCAG 2.1 A and AA rules) on the page as it is now. The script is evaluated
 * through the DevTools protocol, so the page's strict CSP (no inline script) stays on.
 */
export async function checkAccessibility(page: Page, screen: string): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{ violations: unknown[]; passes: unknown[] }>;
        };
      }
    ).axe;
    const run = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
    return { violations: run.violations, passes: run.passes.length };
  });
  const violations = result.violations as AxeViolation[];
  accessibilityLog.push({ screen, violations, passes: result.passes });
  return violations;
}

/** A readable summary of axe violations for an assertion message. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`)
          .join('\n')}`,
    )
    .join('\n');
}

export interface Journey {
  readonly server: DemoServer;
  readonly browser: Browser;
  /** A new browser context logged in as `username` through the login form. */
  loginAs(
    username: string,
    options?: { viewport?: { width: number; height: number } },
  ): Promise<Page>;
  /** Save a full-page screenshot as `<screenshotDir>/<name>.png`. */
  screenshot(page: Page, name: string): Promise<string>;
  /** axe on the page; fails the step on a serious or critical violation. */
  expectAccessible(page: Page, screen: string): Promise<void>;
  /**
   * The typed API client logged in as `username` (a session of its own): for a step's set-up
   * or to check what the UI did, never instead of the UI step under test.
   */
  apiAs(username: string): Promise<PatchgateClient>;
  /** CSP violations and uncaught page errors seen on any page so far. */
  readonly pageProblems: string[];
  /** What steps leave for later steps (a change number, a finding id…). */
  readonly state: Record<string, unknown>;
}

export async function startJourney(
  server: DemoServer,
  chromiumPath: string,
): Promise<Journey & { close(): Promise<void> }> {
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message: ConsoleMessage) => {
      const text = message.text();
      if (/Content.Security.Policy|Refused to (load|execute|apply|connect)/i.test(text))
        pageProblems.push(`CSP on ${page.url()}: ${text}`);
    });
    page.on('pageerror', (error) =>
      pageProblems.push(`page error on ${page.url()}: ${error.message}`),
    );
  };
  const journey: Journey & { close(): Promise<void> } = {
    server,
    browser,
    pageProblems,
    state: {},
    async loginAs(username, options) {
      const password = server.passwords[username];
      if (password === undefined) throw new Error(`the demo printed no password for ${username}`);
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: options?.viewport ?? { width: 1440, height: 900 },
        colorScheme: 'light',
      });
      contexts.push(context);
      const page = await context.newPage();
      watch(page);
      await page.goto('/login');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      // The shell's main area (the navigation folds behind a menu button on a tablet).
      await page.locator('main#main').waitFor();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      return page;
    },
    async apiAs(username) {
      const password = server.passwords[username];
      if (password === undefined) throw new Error(`the demo printed no password for ${username}`);
      const login = await fetch(`${server.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!login.ok) throw new Error(`login as ${username}: HTTP ${login.status}`);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const client = createClient<paths>({ baseUrl: server.url });
      client.use({
        onRequest({ request }) {
          request.headers.set('cookie', cookie);
          if (request.method !== 'GET') request.headers.set('x-csrf-token', csrfToken);
          return request;
        },
      });
      return client;
    },
    async screenshot(page, name) {
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async expectAccessible(page, screen) {
      const violations = await checkAccessibility(page, screen);
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (serious.length > 0)
        throw new Error(`axe found serious problems on ${screen}:\n${describeViolations(serious)}`);
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
  return journey;
}
