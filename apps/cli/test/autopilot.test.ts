/**
 * `patchgate autopilot` against a real server over HTTP (started in this process on a fresh
 * data directory; its job runner driven by the test): add, list, run-now, runs, pause, resume,
 * and bad input refused with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../server/test/auth.ts';
import { groupedItems, ruleBodyOf } from '../src/commands/autopilot.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let env: Record<string, string> = {};
const patchgate = (argv: string[]) => runCliWith(argv, env);

async function api(method: string, path: string, body?: unknown, type = 'application/json') {
  const response = await fetch(`${fixture?.server.url ?? ''}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.PATCHGATE_TOKEN ?? ''}`, 'content-type': type },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as { id: string };
}

beforeAll(async () => {
  fixture = await startCliTestServer('autopilot');
  const manager = await testCaller(fixture.server.context.database, ['change_manager', 'operator']);
  env = fixture.envFor(manager.token);
}, 60_000);

afterAll(() => fixture?.close());

async function drainJobs() {
  for (let i = 0; i < 100; i++) if ((await fixture?.server.jobs.runOnce()) === undefined) return;
}

describe('patchgate autopilot', () => {
  it('adds a rule, runs it now and shows what the run created', async () => {
    const asset = await api('POST', '/api/v1/assets', {
      name: 'web-01',
      environment: 'staging',
      groups: ['web'],
      osRelease: 'Debian:12',
    });
    await api('POST', `/api/v1/assets/${asset.id}/snapshots`, {
      packages: [{ ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.14-1' }],
    });
    await api(
      'POST',
      `/api/v1/assets/${asset.id}/available-updates`,
      'Listing...\nlibssl3/stable-security 3.0.15-1 amd64 [upgradable from: 3.0.14-1]\n',
      'text/plain',
    );
    await drainJobs();

    const added = await patchgate([
      'autopilot',
      'add',
      '--name',
      'staging-security',
      '--updates',
      'security',
      '--assets',
      'environment=staging|test',
      '--type',
      'normal',
      '--rings',
      '0,3,7',
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(
      /^autopilot rule staging-security \([0-9a-f-]{36}\) created: runs nightly, security updates → normal changes up to schedule, cool-down 0d, rings \+0\/\+3\/\+7\n$/,
    );
    const listed = await patchgate(['autopilot', 'list']);
    expect(listed.stdout).toMatch(/staging-security\s+nightly\s+security updates.*\s+active/);

    const queued = await patchgate(['autopilot', 'run-now', 'staging-security', '--json']);
    expect(queued.code).toBe(0);
    const runId = (JSON.parse(queued.stdout) as { id: string; state: string }).id;
    await drainJobs();
    const runs = await patchgate(['autopilot', 'runs', 'staging-security']);
    expect(runs.stdout).toContain(`run ${runId} (manual) succeeded`);
    // Submitted (a normal change: the CAB decides) as the rule's stage says; web-01 has no
    // maintenance window, so the rule leaves it unscheduled and says why.
    expect(runs.stdout).toMatch(
      / {2}created CHG-\d{4} \(authorise\): Autopilot staging-security: web in next window \(1 update\)\n {4}Autopilot rule "staging-security".*\n {4}not scheduled: its assets have no maintenance window\n/,
    );
    const json = JSON.parse((await patchgate(['autopilot', 'runs', '--json'])).stdout) as {
      runs: { createdChanges: { state: string; schedule: unknown }[] }[];
    };
    expect(json.runs[0]?.createdChanges).toMatchObject([{ state: 'authorise', schedule: null }]);

    // A second run finds everything covered by the open change.
    await patchgate(['autopilot', 'run-now', 'staging-security']);
    await drainJobs();
    const again = await patchgate(['autopilot', 'runs', 'staging-security', '--limit', '1']);
    expect(again.stdout).toMatch(
      /skipped web-01 libssl3: already covered by open change CHG-\d{4}\n/,
    );
    expect(again.stdout).not.toContain('created');
  });

  it('pauses and resumes; a paused rule refuses run-now with the reason', async () => {
    await patchgate([
      'autopilot',
      'add',
      '--name',
      'kev-to-cab',
      '--findings',
      'P1,P2',
      '--kev',
      '--assets',
      'exposure=internet',
      '--type',
      'emergency',
    ]);
    const paused = await patchgate(['autopilot', 'pause', 'kev-to-cab', '--reason', 'CAB away']);
    expect(paused.stdout).toBe('autopilot rule kev-to-cab paused: CAB away\n');
    const refused = await patchgate(['autopilot', 'run-now', 'kev-to-cab']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is paused (CAB away); resume it first');
    expect(await patchgate(['autopilot', 'resume', 'kev-to-cab'])).toMatchObject({
      code: 0,
      stdout: 'autopilot rule kev-to-cab resumed\n',
    });
  });

  it.each([
    [['--updates', 'nightly'], '--updates must be security or all'],
    [['--findings', 'P9'], '--findings takes priorities P1…P5'],
    [['--updates', 'all', '--findings', 'P1'], 'give either --findings'],
    [['--updates', 'all', '--type', 'standard'], '--type standard needs --template NAME'],
    [['--updates', 'all', '--kev'], '--kev and --policy go with --findings'],
    [['--updates', 'all', '--assets', 'colour=blue'], '--assets: "colour=blue" is not a selector'],
    [['--updates', 'all', '--cool-down', 'a week'], '--cool-down takes whole days'],
    [['--updates', 'all', '--stage', 'approve'], '--stage must be one of draft, submit, schedule'],
  ])('refuses %j', async (extra, message) => {
    const result = await patchgate([
      'autopilot',
      'add',
      '--name',
      'bad',
      '--assets',
      '*',
      ...extra,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('refuses what only the server knows, with its reason', async () => {
    const result = await patchgate([
      'autopilot',
      'add',
      '--name',
      'bad-rings',
      '--updates',
      'all',
      '--assets',
      '*',
      '--rings',
      '7,3',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('rings must be strictly ascending');
  });

  it('builds the request body from the options', () => {
    expect(
      ruleBodyOf({
        name: 'r',
        findings: 'p1,P2',
        policy: 'kev, cvss',
        assets: 'group=web',
        'cool-down': '7',
        template: 'security-updates',
        schedule: 'weekly',
        rings: '+0,+3',
        stage: 'submit',
      }),
    ).toEqual({
      name: 'r',
      selection: {
        kind: 'findings',
        priorities: ['P1', 'P2'],
        kevOnly: false,
        policies: ['kev', 'cvss'],
      },
      scope: { groups: ['web'] },
      coolDownDays: 7,
      type: 'standard',
      template: 'security-updates',
      schedule: 'weekly',
      rings: [0, 3],
      stage: 'submit',
    });
  });
});

describe('autopilot runs output', () => {
  it('prints held-back and skipped items once per asset and reason, each package once', () => {
    const item = (assetName: string, packageName: string) => ({ assetName, packageName });
    const covered = 'already covered by open change CHG-0001';
    expect(
      groupedItems('skipped', [
        { item: item('web-01', 'curl'), reason: covered },
        { item: item('web-01', 'curl'), reason: covered },
        { item: item('web-01', 'libcurl4'), reason: covered },
        { item: item('db-01', 'glibc'), reason: covered },
        { item: item('web-01', 'vim'), reason: 'no fixed version is known: nothing to install' },
      ]),
    ).toEqual([
      `  skipped web-01 curl, libcurl4 (3 items): ${covered}\n`,
      `  skipped db-01 glibc: ${covered}\n`,
      '  skipped web-01 vim: no fixed version is known: nothing to install\n',
    ]);
  });
});
