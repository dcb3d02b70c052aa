/**
 * The demo organisation `patchgate server --demo` builds on an empty server, through the
 * public API only: a first admin, three assets with the real inventories in examples/ (a
 * Debian 12 web server, a Go application, an AlmaLinux 8 database host), the real advisories
 * and the facts real deployments have for their CVEs (AlmaLinux's severities, CISA's
 * vulnrichment CVSS and SSVC, KEV) in examples/ as sources, synced in the background, so
 * prioritised findings appear within seconds and spread over the priorities as in life. It has
 * people too: a change manager, two CAB approvers (one also the web service owner and emergency
 * approver) and an operator, each with a random password printed once, so the demo's change
 * from web-01's findings waits for real, eligible approvers.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { operations } from '@patchgate/api-client';
import { createPatchgateClient } from '@patchgate/api-client';
import { expectOk } from './remote/call.ts';
import { tokenFromPassword, uploadInventory } from './remote/password-token.ts';

/** examples/ of the repository, from src/ or from the bundle in dist/ alike. */
export const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

export interface DemoResult {
  readonly created: boolean;
  readonly username: string;
  /** Only when this call created the admin. */
  readonly password?: string;
  readonly token?: string;
  /** The demo's people with their passwords (only when this call created them). */
  readonly users?: readonly DemoUserCreated[];
}

type UserBody = operations['createUser']['requestBody']['content']['application/json'];

/** A demo person: an account with its roles, the approver groups it sits in, and its job. */
export interface DemoUser {
  readonly username: string;
  readonly displayName: string;
  readonly roles: UserBody['roles'];
  readonly groups: readonly string[];
  readonly job: string;
}

export interface DemoUserCreated extends DemoUser {
  readonly password: string;
}

/**
 * The demo's change advisory board and its operator. The admin requests the demo's change and
 * Tom implements it: neither approves it (separation of duties); Jonas approves as the web
 * service owner, then two of Maria, Jonas and Aisha as the CAB.
 */
export const demoUsers: readonly DemoUser[] = [
  {
    username: 'maria.keller',
    displayName: 'Maria Keller',
    roles: ['change_manager'],
    groups: ['cab'],
    job: 'change manager, chairs the CAB',
  },
  {
    username: 'jonas.weber',
    displayName: 'Jonas Weber',
    roles: ['approver'],
    groups: ['cab', 'service-owners', 'emergency'],
    job: 'web service owner, CAB, emergency approver',
  },
  {
    username: 'aisha.khan',
    displayName: 'Aisha Khan',
    roles: ['approver'],
    groups: ['cab'],
    job: 'security lead, CAB',
  },
  {
    username: 'tom.berg',
    displayName: 'Tom Berg',
    roles: ['operator'],
    groups: [],
    job: 'operator, implements the demo change',
  },
];

/** The implementer of the demo's change. */
export const demoImplementer = 'tom.berg';

export const demoAssets = [
  {
    name: 'web-01',
    kind: 'host',
    environment: 'production',
    criticality: 'high',
    exposure: 'internet',
    owner: 'team-web',
    tags: ['pci'],
    groups: ['web'],
    inventory: 'debian-bookworm/dpkg-query.tsv',
  },
  {
    name: 'bridge',
    kind: 'application',
    environment: 'staging',
    criticality: 'medium',
    exposure: 'internal',
    owner: 'team-mail',
    tags: [],
    groups: ['mail'],
    inventory: 'sbom/proton-bridge-v1.8.0.bom.json',
  },
  {
    name: 'db-01',
    kind: 'host',
    osRelease: 'AlmaLinux:8',
    environment: 'production',
    criticality: 'critical',
    exposure: 'internal',
    owner: 'team-data',
    tags: [],
    groups: ['db'],
    inventory: 'almalinux-8/rpm-qa.txt',
  },
] as const;

export const demoSources = [
  {
    name: 'Debian 12 (from package changelogs)',
    kind: 'osv-directory',
    path: 'advisories/debian-12',
  },
  { name: 'Go vulnerability database (excerpt)', kind: 'osv-directory', path: 'advisories/go' },
  {
    name: 'AlmaLinux 8 errata (excerpt)',
    kind: 'osv-directory',
    path: 'advisories/almalinux-8',
  },
  { name: 'CISA vulnrichment (excerpt)', kind: 'cve5', path: 'cve5' },
  { name: 'CISA KEV catalogue', kind: 'kev', path: 'kev/known_exploited_vulnerabilities.json' },
] as const;

type WindowBody =
  operations['createMaintenanceWindow']['requestBody']['content']['application/json'];
type FreezeBody = operations['createFreeze']['requestBody']['content']['application/json'];

/** The demo's maintenance windows (wall clock in Berlin, DST-correct) and its freeze. */
export const demoWindows: readonly WindowBody[] = [
  {
    name: 'web nightly',
    rrule: 'FREQ=DAILY',
    dtstart: '2026-01-01T22:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 240,
    cutoffMinutes: 30,
    selector: { groups: ['web'] },
  },
  {
    name: 'database Sunday',
    rrule: 'FREQ=WEEKLY;BYDAY=SU',
    dtstart: '2026-01-04T02:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 180,
    cutoffMinutes: 30,
    selector: { groups: ['db'] },
  },
  {
    name: 'staging office hours',
    rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    dtstart: '2026-01-05T09:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 480,
    cutoffMinutes: 60,
    selector: { environments: ['staging'] },
  },
];

export const demoFreezes: readonly FreezeBody[] = [
  {
    name: 'year-end freeze',
    start: '2026-12-20T00:00:00Z',
    end: '2027-01-04T00:00:00Z',
    exdates: [],
    allowEmergency: true,
  },
];

/** Seed the demo on an empty server; a server that already has users is left alone. */
export async function seedDemo(baseUrl: string): Promise<DemoResult> {
  const username = 'admin';
  const password = randomBytes(12).toString('base64url');
  const anonymous = createPatchgateClient({ baseUrl });
  const bootstrap = await anonymous.POST('/api/v1/bootstrap', {
    body: { username, password, displayName: 'Demo administrator' },
  });
  if (bootstrap.response.status === 409) return { created: false, username };
  expectOk(bootstrap, 'demo bootstrap');
  const { token } = await tokenFromPassword(
    baseUrl,
    { username, password },
    { name: 'patchgate demo CLI', expiresInDays: 30 },
  );
  const client = createPatchgateClient({ baseUrl, token });
  const users: DemoUserCreated[] = [];
  for (const user of demoUsers) {
    const created = { ...user, password: randomBytes(12).toString('base64url') };
    expectOk(
      await client.POST('/api/v1/users', {
        body: {
          username: user.username,
          displayName: user.displayName,
          password: created.password,
          roles: [...user.roles],
        },
      }),
      `demo user ${user.username}`,
    );
    users.push(created);
  }
  for (const group of [...new Set(demoUsers.flatMap((u) => u.groups))]) {
    expectOk(
      await client.POST('/api/v1/approver-groups/{group}/members', {
        params: { path: { group } },
        body: { add: demoUsers.filter((u) => u.groups.includes(group)).map((u) => u.username) },
      }),
      `demo approver group ${group}`,
    );
  }

  expectOk(
    await client.POST('/api/v1/assets/import', {
      body: demoAssets.map(({ inventory: _inventory, tags, groups, ...asset }) => ({
        ...asset,
        tags: [...tags],
        groups: [...groups],
      })),
    }),
    'demo assets',
  );
  const { assets } = expectOk(
    await client.GET('/api/v1/assets', { params: { query: { limit: 500 } } }),
    'demo asset list',
  );
  for (const demo of demoAssets) {
    const asset = assets.find((a) => a.name === demo.name);
    if (asset === undefined) continue;
    expectOk(
      await uploadInventory(client, asset.id, {
        name: demo.inventory.split('/').pop() ?? demo.inventory,
        bytes: readFileSync(`${examplesDir}${demo.inventory}`),
      }),
      `demo inventory ${demo.inventory}`,
    );
  }
  for (const window of demoWindows) {
    expectOk(
      await client.POST('/api/v1/calendar/windows', { body: window }),
      `demo window ${window.name}`,
    );
  }
  for (const freeze of demoFreezes) {
    expectOk(
      await client.POST('/api/v1/calendar/freezes', { body: freeze }),
      `demo freeze ${freeze.name}`,
    );
  }
  for (const source of demoSources) {
    const created = expectOk(
      await client.POST('/api/v1/advisory-sources', {
        body: {
          name: source.name,
          kind: source.kind,
          path: `${examplesDir}${source.path}`,
        } as never,
      }),
      `demo source ${source.name}`,
    );
    expectOk(
      await client.POST('/api/v1/advisory-sources/{id}/sync', {
        params: { path: { id: created.id } },
      }),
      `demo sync ${source.name}`,
    );
  }
  return { created: true, username, password, token, users };
}

/** The plans of the demo's change: one canary-less wave on web-01, rolled back on failure. */
const demoChangePlans = {
  testPlan: {
    summary: 'Security updates of web-01, smoke-tested after the window.',
    steps: [{ description: 'Open the shop front page', expectedResult: 'HTTP 200' }],
  },
  deploymentPlan: {
    estimatedMinutes: 60,
    waves: [
      {
        name: 'web-01',
        assets: ['web-01'],
        concurrency: 1,
        failureThreshold: 0,
        bakeMinutes: 30,
        gate: 'auto' as const,
        onFailure: 'rollback' as const,
        healthChecks: [{ kind: 'http' as const, url: 'http://localhost/healthz' }],
      },
    ],
  },
  rollbackPlan: {
    triggers: ['health-check-failure' as const, 'manual' as const],
    steps: [{ kind: 'downgrade' as const }],
  },
  roles: { onCall: { name: 'team-web', contact: 'web-oncall@example.org' } },
};

/**
 * Once the demo's findings are there (the sources sync in the background), a change from the P1
 * and P2 findings of web-01, requested by the admin (whose token this is) for Tom to implement,
 * submitted: it waits for Jonas as the service owner, then the CAB. Gives up after `waitMs`.
 */
export async function seedDemoChange(
  baseUrl: string,
  token: string,
  waitMs = 120_000,
  pollMs = 2_000,
): Promise<string | undefined> {
  const client = createPatchgateClient({ baseUrl, token });
  const deadline = Date.now() + waitMs;
  for (;;) {
    const page = expectOk(
      await client.GET('/api/v1/findings', {
        params: { query: { asset: 'web-01', priority: 'P1,P2', limit: 1 } as never },
      }),
      'demo findings',
    );
    if (page.findings.length > 0) break;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const change = expectOk(
    await client.POST('/api/v1/changes', {
      body: {
        title: 'Urgent security updates on web-01',
        description: 'The P1 and P2 findings of the production web server.',
        findings: { asset: 'web-01', priority: ['P1', 'P2'] },
        plans: demoChangePlans,
        implementer: demoImplementer,
      },
    }),
    'demo change',
  );
  expectOk(
    await client.POST('/api/v1/changes/{id}/submit', {
      params: { path: { id: change.id } },
      body: {},
    }),
    'demo change submission',
  );
  return change.number;
}

/**
 * The demo's lab (lab.ts): on a freshly seeded demo the admin requests a change the demo's CAB
 * approves; on a later start the lab's agents come back. Runs in the background; `stop` ends
 * the agents (the server is stopping); a lab still starting starts no more.
 */
export function startLabForDemo(
  baseUrl: string,
  dataDir: string,
  io: { stdout: { write(text: string): void }; stderr: { write(text: string): void } },
  demo: DemoResult,
): { stop(): Promise<void> } {
  let agents: { stop(): Promise<void> } | undefined;
  let stopped = false;
  void (async () => {
    const { LabAgents, startDemoLab } = await import('./lab.ts');
    const { LabApi } = await import('./lab-world.ts');
    const lab = new LabAgents();
    agents = lab;
    if (stopped) return;
    if (!demo.created || demo.token === undefined) {
      await startDemoLab(lab, baseUrl, dataDir, io);
      return;
    }
    const approvers = ['jonas.weber', 'maria.keller', 'aisha.khan']
      .map((username) => demo.users?.find((u) => u.username === username))
      .filter((u): u is DemoUserCreated => u !== undefined);
    await startDemoLab(lab, baseUrl, dataDir, io, {
      admin: new LabApi(baseUrl, demo.token),
      approvers,
    });
  })().catch((error: unknown) => io.stderr.write(`Demo lab: ${(error as Error).message}\n`));
  return {
    stop: async () => {
      stopped = true;
      await agents?.stop();
    },
  };
}
