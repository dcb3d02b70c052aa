/**
 * `patchgate enrolment-tokens` and `patchgate agents` against a real server over HTTP: a token
 * created by the CLI enrols a real protocol call, the agent shows up, a viewer may not create
 * tokens, revoking ends the agent's credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolHeader } from '@patchgate/agent-protocol';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';
import { testCaller } from '../../server/test/auth.ts';

let fixture: CliTestServer | undefined;
let env: Record<string, string> = {};
let viewerEnv: Record<string, string> = {};
const patchgate = (argv: string[], as: Record<string, string> = env) => runCliWith(argv, as);

beforeAll(async () => {
  fixture = await startCliTestServer('agents');
  const admin = await testCaller(fixture.server.context.database, ['admin']);
  const viewer = await testCaller(fixture.server.context.database, ['viewer']);
  env = fixture.envFor(admin.token);
  viewerEnv = fixture.envFor(viewer.token);
}, 60_000);

afterAll(() => fixture?.close());

async function enrol(token: string, name: string) {
  const response = await fetch(`${fixture!.server.url}/api/v1/agent/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [protocolHeader]: '1' },
    body: JSON.stringify({
      token,
      name,
      agentVersion: '0.1.0',
      os: { id: 'debian', versionId: '12' },
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('patchgate enrolment-tokens and agents', () => {
  it('creates a token an agent enrols with once, lists it spent, and shows the agent', async () => {
    const created = await patchgate([
      'enrolment-tokens',
      'create',
      '--expires',
      '2h',
      '--environment',
      'staging',
      '--group',
      'wave-1',
      '--group',
      'web',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const [token, summary] = created.stdout.split('\n');
    expect(token).toMatch(/^pge_[\w-]{43}$/);
    expect(summary).toMatch(
      /^enrolment token [0-9a-f-]{36}: 1 use\(s\), expires .*; it is shown only now$/,
    );

    expect((await enrol(token!, 'web-01')).status).toBe(201);
    const second = await enrol(token!, 'web-02');
    expect(second.status).toBe(401);

    const listed = await patchgate(['enrolment-tokens', 'list']);
    expect(listed.stdout).toMatch(
      /^ID\s+PREFIX\s+STATE\s+USES\s+EXPIRES\s+ENVIRONMENT\s+GROUPS\s+CREATED BY$/m,
    );
    expect(listed.stdout).toMatch(/spent\s+1\/1\s+\S+\s+staging\s+wave-1,web/);
    expect(listed.stdout).not.toContain(token);

    const agents = JSON.parse((await patchgate(['agents', 'list', '--json'])).stdout) as {
      agents: { name: string; online: boolean }[];
    };
    expect(agents.agents).toEqual([expect.objectContaining({ name: 'web-01', online: true })]);
    const table = await patchgate(['agents', 'list', '--online']);
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+VERSION\s+OS\s+LAST SEEN\s+REBOOT\s+ID$/m);
    expect(table.stdout).toMatch(/^web-01\s+online\s+0\.1\.0\s+debian 12\s/m);
    const shown = await patchgate(['agents', 'show', 'web-01']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status:\s+online$/m);
    expect(shown.stdout).toMatch(/^no tasks$/m);
  });

  it('refuses a viewer, bad flags and unknown agents with the reason', async () => {
    const refused = await patchgate(['enrolment-tokens', 'create'], viewerEnv);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/403 This needs the agents:manage permission/);
    const badExpiry = await patchgate(['enrolment-tokens', 'create', '--expires', 'soon']);
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toMatch(/--expires: expected a duration like 24h/);
    const tooShort = await patchgate(['enrolment-tokens', 'create', '--expires', '10s']);
    expect(tooShort.code).not.toBe(0);
    expect(tooShort.stderr).toMatch(/expiresInSeconds/);
    const unknown = await patchgate(['agents', 'show', 'nowhere']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/The agent "nowhere" \(name or id\) was not found/);
  });

  it('revokes a token and an agent', async () => {
    const created = JSON.parse(
      (await patchgate(['enrolment-tokens', 'create', '--uses', '2', '--json'])).stdout,
    ) as { id: string; token: string };
    const enrolled = await enrol(created.token, 'db-01');
    expect(enrolled.status).toBe(201);
    const revokedToken = await patchgate(['enrolment-tokens', 'revoke', created.id]);
    expect(revokedToken.stdout).toBe(`revoked enrolment token ${created.id}\n`);
    expect((await enrol(created.token, 'db-02')).status).toBe(401);

    const revoked = await patchgate(['agents', 'revoke', 'db-01', '--reason', 'decommissioned']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked agent db-01 \(/);
    const poll = await fetch(`${fixture!.server.url}/api/v1/agent/tasks`, {
      headers: {
        authorization: `Bearer ${String(enrolled.body.credential)}`,
        [protocolHeader]: '1',
      },
    });
    expect(poll.status).toBe(401);
    const list = await patchgate(['agents', 'list', '--revoked']);
    expect(list.stdout).toMatch(/^db-01\s+revoked/m);
  });
});
