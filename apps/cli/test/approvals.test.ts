/**
 * `patchgate approvals …` against a real server over HTTP (started in this process on a fresh
 * data directory): groups and members, the policy from a YAML file, delegations, refusals.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../server/test/auth.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let work = '';
let adminEnv: Record<string, string> = {};
let approverEnv: Record<string, string> = {};
const patchgate = (argv: string[], env = adminEnv) => runCliWith(argv, env, work);

beforeAll(async () => {
  fixture = await startCliTestServer('approvals');
  work = fixture.work;
  const db = fixture.server.context.database;
  const admin = await testCaller(db, ['admin'], 'root');
  const approver = await testCaller(db, ['approver'], 'alex');
  await testCaller(db, ['approver'], 'olga');
  adminEnv = fixture.envFor(admin.token);
  approverEnv = fixture.envFor(approver.token);
}, 60_000);

afterAll(() => fixture?.close());

// The server runs on the real clock: the delegation's window is a few weeks from today.
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const [windowStart, windowEnd] = [day(14), day(30)];

describe('patchgate approvals', () => {
  it('manages groups and members', async () => {
    const added = await patchgate(['approvals', 'group-add', 'dba', '--description', 'DB owners']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toBe(
      'created approver group dba; add members with "patchgate approvals members dba --add <user>"\n',
    );
    const members = await patchgate([
      'approvals',
      'members',
      'cab',
      '--add',
      'alex',
      '--add',
      'olga',
    ]);
    expect(members.code, members.stderr).toBe(0);
    expect(members.stdout).toMatch(/^alex\s+alex\s+[0-9a-f-]{36}$/m);
    const list = await patchgate(['approvals', 'groups']);
    expect(list.stdout).toMatch(/^cab\s+-\s+alex, olga\s+Change advisory board$/m);
    expect(list.stdout).toMatch(/^emergency\s+yes\s+-\s+/m);
    const json = JSON.parse((await patchgate(['approvals', 'groups', '--json'])).stdout) as {
      groups: { name: string }[];
    };
    expect(json.groups.map((g) => g.name)).toEqual(['cab', 'dba', 'emergency', 'service-owners']);
    const unknown = await patchgate(['approvals', 'members', 'cab', '--add', 'nobody']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No user has the name or id "nobody"');
    const denied = await patchgate(['approvals', 'group-add', 'x'], approverEnv);
    expect(denied.code).toBe(4);
    const inUse = await patchgate(['approvals', 'group-remove', 'cab']);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('names the group "cab"; change the policy first');
    expect((await patchgate(['approvals', 'group-remove', 'dba'])).code).toBe(0);
  });

  it('shows the policy and stores one from a YAML file', async () => {
    const shown = await patchgate(['approvals', 'policy']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^approval policy version 1 \(2026-12-06, the default\)/);
    expect(shown.stdout).toMatch(
      /^normal-production\s+type normal, environment production\s+1\. service owner: any 1 of service-owners; 2\. CAB: 2 of cab$/m,
    );
    const file = join(work, 'policy.yaml');
    writeFileSync(
      file,
      [
        'rules:',
        '  - id: everything',
        '    stages:',
        '      - name: CAB',
        '        groups: [cab]',
        '        quorum: { kind: all }',
        '',
      ].join('\n'),
    );
    const stored = await patchgate(['approvals', 'policy', '--file', 'policy.yaml']);
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toMatch(/^approval policy version 2 stored \(.*, by root\)/);
    expect(stored.stdout).toMatch(/^everything\s+every change\s+1\. CAB: all of cab$/m);
    writeFileSync(file, 'rules:\n  - id: bad\n    match: { types: [normal] }\n    stages: []\n');
    const refused = await patchgate(['approvals', 'policy', '--file', 'policy.yaml']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('storing the approval policy failed: 422');
    const missing = await patchgate(['approvals', 'policy', '--file', 'nope.yaml']);
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('policy file not found') as string,
    });
  });

  it('delegates, lists and revokes', async () => {
    const made = await patchgate(
      [
        'approvals',
        'delegate',
        '--to',
        'olga',
        '--from',
        windowStart,
        '--until',
        windowEnd,
        '--reason',
        'holiday',
        '--json',
      ],
      approverEnv,
    );
    expect(made.code, made.stderr).toBe(0);
    const delegation = JSON.parse(made.stdout) as { id: string; from: { username: string } };
    expect(delegation.from.username).toBe('alex');
    const forOther = await patchgate(
      [
        'approvals',
        'delegate',
        '--for',
        'olga',
        '--to',
        'alex',
        '--from',
        windowStart,
        '--until',
        windowEnd,
      ],
      approverEnv,
    );
    expect(forOther.code).toBe(4);
    const badTime = await patchgate([
      'approvals',
      'delegate',
      '--to',
      'olga',
      '--from',
      'soon',
      '--until',
      windowEnd,
    ]);
    expect(badTime).toMatchObject({ code: 2 });
    const listed = await patchgate(['approvals', 'delegations', '--user', 'olga']);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${delegation.id}\\s+alex\\s+olga\\s+${windowStart}T00:00:00.000Z\\s+${windowEnd}T00:00:00.000Z\\s+inactive\\s+holiday$`,
        'm',
      ),
    );
    const revoked = await patchgate(['approvals', 'revoke', delegation.id], approverEnv);
    expect(revoked.stdout).toBe(`revoked delegation ${delegation.id} (olga for alex)\n`);
    const again = await patchgate(['approvals', 'revoke', delegation.id], approverEnv);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already revoked');
  });
});
