/**
 * `patchgate changes …` against a real server over HTTP (started in this process on a fresh data
 * directory): a change created by hand with a YAML plan file, the refusals (self-approval, a
 * rejection without a comment, a freeze) exiting non-zero with the server's reason, two
 * approvals, scheduling, the agenda, conflicts, the next slot and the export.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCaller } from '../../server/test/auth.ts';
import { testCaller } from '../../server/test/auth.ts';
import { findingLines } from '../src/commands/changes.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let served: CliTestServer | undefined;
let requester: TestCaller;
let owner: TestCaller;
let cab1: TestCaller;
let cab2: TestCaller;
let manager: TestCaller;

function server(): CliTestServer {
  if (served === undefined) throw new Error('the test server did not start');
  return served;
}

async function patchgate(argv: string[], as: TestCaller = requester) {
  return runCliWith(argv, server().envFor(as.token), server().work);
}

async function api(as: TestCaller, method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${server().server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${as.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

const planYaml = `apiVersion: patchgate.dev/change-plans/v1
deploymentPlan:
  estimatedMinutes: 60
  waves:
    - name: canary
      assets: [web-02]
      onFailure: rollback
      healthChecks:
        - kind: command
          command: nginx -t
        - kind: http
          url: http://localhost/healthz
rollbackPlan:
  triggers: [health-check-failure]
  steps:
    - kind: downgrade
`;

beforeAll(async () => {
  served = await startCliTestServer('changes');
  const database = server().server.context.database;
  requester = await testCaller(database, ['change_manager', 'operator'], 'rita');
  owner = await testCaller(database, ['approver'], 'olga');
  cab1 = await testCaller(database, ['approver'], 'carl');
  cab2 = await testCaller(database, ['approver'], 'cora');
  manager = await testCaller(database, ['change_manager'], 'max');
  const admin = await testCaller(database, ['admin'], 'ada');
  await api(admin, 'POST', '/api/v1/approver-groups/service-owners/members', {
    add: ['olga', 'rita'],
  });
  await api(admin, 'POST', '/api/v1/approver-groups/cab/members', { add: ['carl', 'cora'] });
  await api(admin, 'POST', '/api/v1/assets', {
    name: 'web-02',
    osRelease: 'Debian:12',
    environment: 'production',
    criticality: 'medium',
  });
  await api(admin, 'POST', '/api/v1/assets/web-02/snapshots', {
    packages: [{ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' }],
  });
  await api(admin, 'POST', '/api/v1/calendar/freezes', {
    name: 'year-end',
    start: '2026-12-24T00:00:00Z',
    end: '2026-12-27T00:00:00Z',
  });
  writeFileSync(join(server().work, 'plan.yaml'), planYaml);
  writeFileSync(join(server().work, 'bad-plan.yaml'), 'deploymentPlan:\n  waves: nope\n');
}, 60_000);

afterAll(async () => {
  await served?.close();
});

describe('patchgate changes', () => {
  it('creates, refuses self-approval, takes two approvals, refuses a freeze, exports', async () => {
    const created = await patchgate([
      'changes',
      'create',
      '--title',
      'openssl on web-02',
      '--asset',
      'web-02',
      '--package',
      'openssl',
      '--to-version',
      '3.0.17-1~deb12u2',
      '--plan',
      'plan.yaml',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toBe(
      `CHG-0001 openssl on web-02: draft (normal, risk ${/risk (\w+)\)/.exec(created.stdout)?.[1] ?? '?'}); 1 asset, 1 patch, 0 findings\n`,
    );

    const bad = await patchgate(['changes', 'plan', 'CHG-0001', 'bad-plan.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad-plan.yaml: deploymentPlan.waves: expected array/);

    expect((await patchgate(['changes', 'submit', 'CHG-0001'])).stdout).toMatch(
      /^CHG-0001 openssl on web-02: authorise/,
    );
    const self = await patchgate(['changes', 'approve', 'CHG-0001']);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/approve of CHG-0001 failed: 409 .*Separation of duties/);
    const noComment = await patchgate(['changes', 'reject', 'CHG-0001'], owner);
    expect(noComment.code).toBe(2);
    expect(noComment.stderr).toMatch(/--comment is required/);

    // The decision says where the approvals stand: stage 1 done, the CAB's two to come.
    expect((await patchgate(['changes', 'approve', 'CHG-0001'], owner)).stdout).toMatch(
      /^CHG-0001 openssl on web-02: authorise .*\n {2}approvals waiting for stage 2: 1\. service owner 1\/1 ✓, 2\. CAB 0\/2 \(policy rule normal-production\)\n$/,
    );
    const agenda = await patchgate(['changes', 'agenda', '--json'], cab1);
    expect(
      (JSON.parse(agenda.stdout) as { changes: { number: string }[] }).changes.map((c) => c.number),
    ).toEqual(['CHG-0001']);
    expect(
      (await patchgate(['changes', 'approve', 'CHG-0001', '--comment', 'ok'], cab1)).code,
    ).toBe(0);
    const second = await patchgate(['changes', 'approve', 'CHG-0001', '--json'], cab2);
    expect(JSON.parse(second.stdout)).toMatchObject({
      state: 'authorise',
      approvals: { complete: true },
    });

    const frozen = await patchgate([
      'changes',
      'schedule',
      'CHG-0001',
      '--start',
      '2026-12-25T22:00:00Z',
    ]);
    expect(frozen.code).toBe(2);
    expect(frozen.stderr).toMatch(/409 CHG-0001 cannot be scheduled into a freeze: .*year-end/);
    const slot = await patchgate(['changes', 'next-slot', 'CHG-0001', '--json']);
    expect(JSON.parse(slot.stdout)).toMatchObject({ reason: null });
    const scheduled = await patchgate([
      'changes',
      'schedule',
      'CHG-0001',
      '--start',
      '2027-01-05T22:00:00Z',
    ]);
    expect(scheduled.code).toBe(0);
    expect(scheduled.stdout).toMatch(
      /^CHG-0001 openssl on web-02: scheduled .*; 2027-01-05T22:00:00.000Z → 2027-01-05T23:00:00.000Z/,
    );
    expect((await patchgate(['changes', 'conflicts', 'CHG-0001'])).stdout).toBe(
      'CHG-0001: no conflicts\n',
    );
    // A second change on web-02 overlapping it: conflicts lists them and exits 1 (a gate).
    expect(
      (
        await patchgate([
          'changes',
          'create',
          '--title',
          'overlap',
          '--asset',
          'web-02',
          '--package',
          'openssl',
          '--to-version',
          '3.0.17-1~deb12u2',
        ])
      ).stdout,
    ).toMatch(/^CHG-0002 overlap: draft/);
    await patchgate(['changes', 'schedule', 'CHG-0002', '--start', '2027-01-05T22:30:00Z']);
    const overlapping = await patchgate(['changes', 'conflicts', 'CHG-0002']);
    expect(overlapping.code).toBe(1);
    expect(overlapping.stdout).toMatch(/^asset-in-overlapping-change: web-02 is also in change/m);
    expect((await patchgate(['changes', 'conflicts', 'CHG-0002', '--json'])).code).toBe(1);
    await patchgate(['changes', 'cancel', 'CHG-0002', '--reason', 'overlaps CHG-0001']);

    const early = await patchgate(['changes', 'start', 'CHG-0001']);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/the scheduled start has not been reached/);

    const list = await patchgate(['changes', 'list', '--state', 'scheduled']);
    expect(list.stdout).toMatch(/CHG-0001\s+scheduled\s+normal/);
    const show = await patchgate(['changes', 'show', 'CHG-0001']);
    expect(show.stdout).toMatch(
      /\n {2}approvals complete: 1\. service owner 1\/1 ✓, 2\. CAB 2\/2 ✓ \(policy rule normal-production\)\n/,
    );
    expect(show.stdout).toMatch(/web-02 openssl 3.0.15-1~deb12u1 → 3.0.17-1~deb12u2 \(pinned\)/);
    expect(show.stdout).toMatch(/\n {2}findings \(0 findings, 0 advisories\)\n/);

    const exported = JSON.parse((await patchgate(['changes', 'export', 'CHG-0001'])).stdout) as {
      format: string;
      approvals: { approverName: string; planVersion: number }[];
      digest: string;
    };
    expect(exported.format).toBe('patchgate.change-export');
    expect(exported.approvals.map((a) => a.approverName).sort()).toEqual(['carl', 'cora', 'olga']);
    expect(exported.digest).toMatch(/^[0-9a-f]{64}$/);

    // Read back: the export as written verifies; one approval's comment changed does not.
    writeFileSync(join(server().work, 'chg-0001.json'), JSON.stringify(exported));
    const verified = await patchgate(['changes', 'verify-export', 'chg-0001.json']);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^ok {3}\S+: .*\nchg-0001\.json: every check passed\n$/s);
    const forged = JSON.parse(JSON.stringify(exported)) as { approvals: { comment: string }[] };
    forged.approvals[0]!.comment = 'approved without reading';
    writeFileSync(join(server().work, 'forged.json'), JSON.stringify(forged));
    const refused = await patchgate(['changes', 'verify-export', 'forged.json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL /m);
    expect(refused.stdout).toMatch(/forged\.json: the export does not match the record\n$/);
    const notJson = await patchgate(['changes', 'verify-export', 'plan.yaml']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/plan\.yaml is not a change export: not valid JSON/);

    // review without --file shows the review; it never writes an empty one.
    expect(await patchgate(['changes', 'review', 'CHG-0001'])).toEqual({
      code: 0,
      stdout: 'CHG-0001: no post-implementation review yet (state scheduled)\n',
      stderr: '',
    });
    expect((await patchgate(['changes', 'review', 'CHG-0001', '--json'])).stdout).toBe('null\n');

    const cancel = await patchgate(['changes', 'cancel', 'CHG-0001']);
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toMatch(/a reason is required to cancel/);
  });

  it('reads --from-findings filters and refuses bad ones before calling the server', async () => {
    const unknown = await patchgate([
      'changes',
      'create',
      '--title',
      't',
      '--from-findings',
      'colour=blue',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown key "colour"/);
    const none = await patchgate([
      'changes',
      'create',
      '--title',
      't',
      '--from-findings',
      'priority=P1 kev=true',
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/422 .*no findings match/);
    const both = await patchgate(['changes', 'create', '--title', 't']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --from-findings or --asset\/--package/);
  });

  it('refuses a start in the past: exit 2 with the reason', async () => {
    const created = await patchgate([
      'changes',
      'create',
      '--title',
      'past',
      '--asset',
      'web-02',
      '--package',
      'openssl',
      '--json',
    ]);
    const id = (JSON.parse(created.stdout) as { number: string }).number;
    const past = await patchgate(['changes', 'schedule', id, '--start', '2026-01-05T22:00:00Z']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(
      new RegExp(
        `scheduling ${id} failed: 422 body.start: 2026-01-05T22:00:00.000Z is in the past \\(it is 20\\d\\d-.*\\); give a start from now on`,
      ),
    );
    expect(past.stdout).toBe('');
    await patchgate(['changes', 'cancel', id, '--reason', 'test done']);
  });

  it('edits a draft (its type too) and refuses the type once submitted', async () => {
    const created = await patchgate([
      'changes',
      'create',
      '--title',
      'openssl again',
      '--asset',
      'web-02',
      '--package',
      'openssl',
      '--plan',
      'plan.yaml',
      '--json',
    ]);
    const id = (JSON.parse(created.stdout) as { number: string }).number;
    const edited = await patchgate([
      'changes',
      'edit',
      id,
      '--title',
      'openssl, exploited',
      '--type',
      'emergency',
      '--reason',
      'KEV',
    ]);
    expect(edited).toMatchObject({ code: 0, stderr: '' });
    expect(edited.stdout).toMatch(
      new RegExp(`^${id} openssl, exploited: draft \\(emergency, risk \\w+\\)\\n$`),
    );
    const json = await patchgate(['changes', 'edit', id, '--description', 'see CVE', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: 'emergency',
      description: 'see CVE',
      title: 'openssl, exploited',
    });
    const nothing = await patchgate(['changes', 'edit', id]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/give at least one of --title, --description, --type/);
    const badType = await patchgate(['changes', 'edit', id, '--type', 'urgent']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/--type must be one of standard, normal, emergency/);
    await patchgate(['changes', 'submit', id]);
    const late = await patchgate(['changes', 'edit', id, '--type', 'normal']);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(
      new RegExp(
        `editing ${id} failed: 409 ${id}: the type and template can only be edited in draft`,
      ),
    );
    // As the refusal advises: revise it back to draft, then the type can change.
    const revised = await patchgate(['changes', 'revise', id, '--reason', 'not an emergency']);
    expect(revised).toMatchObject({ code: 0, stderr: '' });
    expect(revised.stdout).toMatch(new RegExp(`^${id} openssl, exploited: draft \\(emergency`));
    const retyped = await patchgate(['changes', 'edit', id, '--type', 'normal']);
    expect(retyped.stdout).toMatch(new RegExp(`^${id} openssl, exploited: draft \\(normal`));
    await patchgate(['changes', 'cancel', id, '--reason', 'test done']);
  });

  it('explains the risk, and overrides it with a reason', async () => {
    const created = await patchgate([
      'changes',
      'create',
      '--title',
      'risky',
      '--asset',
      'web-02',
      '--package',
      'openssl',
      '--json',
    ]);
    const change = JSON.parse(created.stdout) as {
      number: string;
      risk: { level: string; assessed: string; score: number; explanation: string };
    };
    const id = change.number;
    const shown = await patchgate(['changes', 'risk', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n').slice(0, 2)).toEqual([
      `${id} risk ${change.risk.level} (assessed ${change.risk.assessed}, score ${change.risk.score})`,
      `  ${change.risk.explanation}`,
    ]);
    expect(shown.stdout).toMatch(/\n {2}[^\n]+: \+\d+(\.\d+)? \(/);
    const noReason = await patchgate(['changes', 'risk', id, '--level', 'high']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason is required/);
    const badLevel = await patchgate(['changes', 'risk', id, '--level', 'severe', '--reason', 'x']);
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toMatch(/--level must be one of low, moderate, high/);
    const notAllowed = await patchgate(
      ['changes', 'risk', id, '--level', 'high', '--reason', 'x'],
      owner,
    );
    expect(notAllowed.code).toBe(4);
    const overridden = await patchgate(
      ['changes', 'risk', id, '--level', 'high', '--reason', 'payment path', '--json'],
      manager,
    );
    expect(overridden.code).toBe(0);
    expect(JSON.parse(overridden.stdout)).toMatchObject({
      level: 'high',
      assessed: change.risk.assessed,
      override: { level: 'high', reason: 'payment path' },
    });
    expect((await patchgate(['changes', 'risk', id])).stdout).toMatch(
      new RegExp(
        `^${id} risk high \\(assessed \\w+, score [\\d.]+\\); overridden to high: payment path\\n`,
      ),
    );
  });

  it('documents that --from-findings package= takes the source package too', async () => {
    expect((await patchgate(['changes', '--help'])).stdout).toMatch(
      /package= names a binary package or its\s+source package: package=curl takes the findings of curl and of libcurl4/,
    );
  });
});

describe('changes show: findings by advisory', () => {
  const finding = (
    id: string,
    pkg: string,
    advisory: string,
    priority: string,
    assetId = 'a1',
  ) => ({
    findingId: id,
    assetId,
    package: pkg,
    advisoryIds: [advisory],
    cves: [],
    priority,
    kev: false,
    dueDate: null,
  });

  it('shows an advisory once, with how many findings and which packages', () => {
    const openssl = 'DEBCL-openssl-CVE-2026-42766';
    expect(
      findingLines([
        finding('f1', 'libssl3', openssl, 'P2'),
        finding('f2', 'libssl-dev', openssl, 'P2'),
        finding('f3', 'openssl', openssl, 'P2'),
        finding('f4', 'curl', 'DSA-5900-1', 'P1'),
        { ...finding('f5', 'curl', 'DSA-5900-1', 'P1', 'a2'), kev: true },
      ]),
    ).toEqual([
      '  findings (5 findings, 2 advisories):',
      '    DSA-5900-1 P1 KEV: 2 findings on 2 assets (curl)',
      `    ${openssl} P2: 3 findings (libssl-dev, libssl3, openssl)`,
    ]);
  });

  it('lists standard-change templates, shows one, and saves a new version from a file', async () => {
    const listed = await patchgate(['changes', 'templates']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+VERSION\s+DESCRIPTION\n/);
    expect(listed.stdout).toMatch(/^security-updates-non-production\s+v1\s+/m);

    writeFileSync(
      join(server().work, 'routine.yaml'),
      [
        'description: Routine fixes on staging applications',
        'criteria:',
        '  onlySecurityOrigin: false',
        '  environments: [staging]',
        '  maxAssets: 3',
        '  maxRisk: moderate',
        '',
      ].join('\n'),
    );
    const saved = await patchgate(
      ['changes', 'template', 'routine-app-fixes', '--file', 'routine.yaml'],
      manager,
    );
    expect(saved).toMatchObject({ code: 0, stderr: '' });
    expect(saved.stdout).toMatch(/^saved routine-app-fixes v1 \(by max, /);
    expect(saved.stdout).toMatch(/\n {4}maxRisk: "moderate"\n/);
    const again = await patchgate(
      ['changes', 'template', 'routine-app-fixes', '--file', 'routine.yaml', '--json'],
      manager,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ name: 'routine-app-fixes', version: 2 });
    const shown = await patchgate(['changes', 'template', 'routine-app-fixes']);
    expect(shown.stdout).toMatch(/^routine-app-fixes v2 /);

    writeFileSync(join(server().work, 'bad-template.yaml'), 'criteria:\n  maxRisk: extreme\n');
    const bad = await patchgate(
      ['changes', 'template', 'routine-app-fixes', '--file', 'bad-template.yaml'],
      manager,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/saving template routine-app-fixes failed: 422 /);
    const notMapping = await patchgate(
      ['changes', 'template', 'x', '--file', 'bad-plan.yaml'],
      manager,
    );
    expect(notMapping.code).toBe(2);
    const unknown = await patchgate(['changes', 'template', 'no-such-template']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/404/);
  });
});
