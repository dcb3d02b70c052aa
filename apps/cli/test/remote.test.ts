/**
 * The CLI against a real server: `patchgate server` on a fresh data directory, `login`, then
 * the remote commands, through the real executable over HTTP.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const bin = `${repoRoot}apps/cli/bin/patchgate.js`;
const work = mkdtempSync(join(tmpdir(), 'patchgate-cli-remote-'));
const env = {
  ...process.env,
  PATCHGATE_CONFIG_DIR: join(work, 'config'),
  PATCHGATE_LOG_LEVEL: 'warn',
};
let server: ReturnType<typeof spawn> | undefined;
let url = '';

function patchgate(args: string[], input?: string, as?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    // `as`: another user's credentials folder (their own `patchgate login`).
    env: as === undefined ? env : { ...env, PATCHGATE_CONFIG_DIR: join(work, as) },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [`${repoRoot}apps/cli/build.mjs`], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  server = spawn(
    process.execPath,
    [
      bin,
      'server',
      '--port',
      '0',
      '--data-dir',
      join(work, 'data'),
      '--advisory-root',
      `${repoRoot}examples`,
    ],
    {
      env: {
        ...env,
        PATCHGATE_ADMIN_USERNAME: 'admin',
        PATCHGATE_ADMIN_PASSWORD: 'correct horse battery staple',
      },
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    server?.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  // The first admin came from PATCHGATE_ADMIN_PASSWORD on the empty database; the public
  // bootstrap route now refuses.
  const response = await fetch(`${url}/api/v1/bootstrap`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: 'mallory',
      displayName: 'M',
      password: 'correct horse battery staple',
    }),
  });
  expect(response.status).toBe(409);
});

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('patchgate against a server', () => {
  it('refuses commands before login, clearly', () => {
    const result = patchgate(['audit', 'verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not logged in: run patchgate login/);
  });

  it("rejects a wrong password with exit 2 and the server's words", () => {
    const result = patchgate(
      ['login', '--server', url, '--username', 'admin', '--password-stdin'],
      'wrong password!\n',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/login failed: 401 Wrong username or password/);
  });

  it('logs in, saves a token readable by its owner only, and verifies the audit chain', () => {
    const login = patchgate(
      ['login', '--server', url, '--username', 'admin', '--password-stdin', '--json'],
      'correct horse battery staple\n',
    );
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const path = join(work, 'config', 'credentials.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      server: url,
      username: 'admin',
      token: expect.stringMatching(/^pgt_/) as string,
    });

    const verify = patchgate(['audit', 'verify', '--json']);
    expect(verify.code).toBe(0);
    const result = JSON.parse(verify.stdout) as { ok: boolean; events: number };
    expect(result.ok).toBe(true);
    // bootstrap, login failure, login, token creation, logout
    expect(result.events).toBeGreaterThanOrEqual(4);
  });

  it('signs an audit checkpoint on demand and reports it in verify', () => {
    const taken = patchgate(['audit', 'checkpoint']);
    expect(taken.stderr).toBe('');
    expect(taken.code).toBe(0);
    // The server took checkpoint 1 when it started.
    expect(taken.stdout).toMatch(/^checkpoint 2 signed \(key [0-9a-f]{16}\): event \d+, hash/);
    const verify = patchgate(['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/audit chain intact: \d+ events/);
    expect(verify.stdout).toMatch(/2 signed checkpoints \(key [0-9a-f]{16}\); the last, 2, covers/);
  });

  it('imports assets, uploads an inventory, syncs advisories and lists prioritised findings', async () => {
    writeFileSync(
      join(work, 'assets.yaml'),
      '- name: web-01\n  kind: host\n  environment: production\n  criticality: high\n  exposure: internet\n',
    );
    const imported = patchgate(['assets', 'import', join(work, 'assets.yaml'), '--json']);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toEqual({ created: 1, updated: 0, unchanged: 0 });

    const uploaded = patchgate([
      'assets',
      'upload',
      'web-01',
      'examples/debian-bookworm/dpkg-query.tsv',
    ]);
    expect(uploaded.stdout).toMatch(/uploaded .* to web-01: dpkg-query, 723 packages/);

    const added = patchgate([
      'advisories',
      'add-source',
      '--name',
      'debian-12',
      '--kind',
      'osv-directory',
      '--path',
      `${repoRoot}examples/advisories/debian-12`,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const synced = patchgate(['advisories', 'sync', '--wait', '--json']);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout)).toMatchObject({
      jobs: [{ source: 'debian-12', state: 'succeeded' }],
    });
    // A second sync reads the same records again and says what it stored: nothing new.
    const again = patchgate(['advisories', 'sync', 'debian-12', '--wait']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^debian-12: succeeded: (\d+) read: 0 new, 0 updated, \1 unchanged, 0 withdrawn, 0 errors \(job [0-9a-f-]{36}\)\n$/,
    );

    // Reconciliation runs in the server's background jobs: wait for it, without a fixed sleep.
    let listed = patchgate([
      'findings',
      'list',
      '--priority',
      'P1,P2,P3,P4,P5',
      '--limit',
      '500',
      '--json',
    ]);
    for (
      let i = 0;
      i < 60 && (JSON.parse(listed.stdout) as { findings: unknown[] }).findings.length < 91;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      listed = patchgate(['findings', 'list', '--limit', '500', '--json']);
    }
    expect(listed.code).toBe(1);
    expect((JSON.parse(listed.stdout) as { findings: unknown[] }).findings).toHaveLength(91);
    const curl = (
      JSON.parse(listed.stdout) as {
        findings: { id: string; advisory: { id: string }; package: { name: string } }[];
      }
    ).findings.find(
      (f) => f.advisory.id === 'DEBCL-curl-CVE-2025-10148' && f.package.name === 'curl',
    );
    const triaged = patchgate([
      'findings',
      'triage',
      curl?.id ?? '',
      '--state',
      'not_affected',
      '--justification',
      'code_not_reachable',
      '--detail',
      'WebSocket support is not used here.',
    ]);
    expect(triaged.stdout).toBe(
      'DEBCL-curl-CVE-2025-10148 on web-01 (curl 7.88.1-10+deb12u14): not_affected\n',
    );
    // Triage is per binary package: the other binaries built from curl too.
    const sameAdvisory = (
      JSON.parse(listed.stdout) as {
        findings: { id: string; advisory: { id: string }; package: { name: string } }[];
      }
    ).findings.filter(
      (f) => f.advisory.id === 'DEBCL-curl-CVE-2025-10148' && f.package.name !== 'curl',
    );
    expect(sameAdvisory.map((f) => f.package.name).sort()).toEqual([
      'libcurl3-gnutls',
      'libcurl3-nss',
      'libcurl4',
    ]);
    for (const f of sameAdvisory) {
      const done = patchgate(['findings', 'triage', f.id, '--state', 'false_positive']);
      expect(done.code, done.stderr).toBe(0);
    }
    // The triaged findings leave the work queue: a gate on them goes green (issue 7, item 9).
    const gate = [
      'findings',
      'list',
      '--advisory',
      'DEBCL-curl-CVE-2025-10148',
      '--asset',
      'web-01',
    ];
    const green = patchgate(gate);
    expect({ code: green.code, stdout: green.stdout }).toEqual({
      code: 0,
      stdout: '0 of 0 rows (0 of 0 findings on binary packages)\n',
    });
    const suppressed = patchgate([...gate, '--state', 'not_affected,fixed']);
    expect(suppressed.code).toBe(1);
    expect(suppressed.stdout).toMatch(
      /^PRIORITY +DUE +ASSET +PACKAGE +VERSION +ADVISORY +SEVERITY +FIXED IN +STATUS +ID\n/,
    );
    expect(suppressed.stdout).toMatch(
      /^P2 +\d{4}-\d\d-\d\d +web-01 +curl +7\.88\.1-10\+deb12u14 +DEBCL-curl-CVE-2025-10148 +unknown\* +7\.88\.1-10\+deb12u15 +not_affected +[0-9a-f-]{36}$/m,
    );
    expect(suppressed.stdout).toMatch(
      /^\* unknown severity: Patchgate default, rule unknown-severity: unrated: the high timeline/m,
    );
    // An asset name that does not exist is an error, never "0 findings".
    const typo = patchgate(['findings', 'list', '--asset', 'web-02']);
    expect({ code: typo.code, stderr: typo.stderr }).toEqual({
      code: 2,
      stderr:
        'patchgate: finding list failed: 422 No asset has the name or id "web-02"\n  querystring.asset: names no asset\n',
    });
    // Pages: --cursor continues where the previous page ended; the total is the same.
    const first = patchgate(['findings', 'list', '--asset', 'web-01', '--limit', '10']);
    const cursor = /^more: add --cursor (\S+)$/m.exec(first.stdout)?.[1];
    expect(first.stdout).toMatch(/^\d+ of 27 rows \(1\d of 87 findings on binary packages\)$/m);
    const second = patchgate([
      'findings',
      'list',
      '--asset',
      'web-01',
      '--limit',
      '10',
      '--cursor',
      cursor ?? '',
    ]);
    expect(second.code).toBe(1);
    const advisories = (out: string) =>
      out
        .split('\n')
        .slice(1)
        .map((l) => l.split(/ {2,}/)[5])
        .filter(Boolean);
    expect(advisories(second.stdout).filter((a) => advisories(first.stdout).includes(a))).toEqual(
      [],
    );
    // show: the whole explanation.
    // The ID column of the table is what show takes.
    const idInTable = /not_affected +([0-9a-f-]{36})$/m.exec(suppressed.stdout)?.[1];
    expect(idInTable).toBe(curl?.id);
    const shown = patchgate(['findings', 'show', idInTable ?? '']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /^DEBCL-curl-CVE-2025-10148 on web-01: curl 7\.88\.1-10\+deb12u14 \(Debian:12\)$/m,
    );
    expect(shown.stdout).toMatch(/^status: +not_affected \(detected /m);
    expect(shown.stdout).toMatch(
      /^severity: +unknown — Patchgate default, rule unknown-severity: /m,
    );
    expect(shown.stdout).toMatch(
      /^why: +Patchgate default, rule unknown-severity: DEBCL-curl-CVE-2025-10148 in curl/m,
    );
    expect(shown.stdout).toMatch(
      /^triage: +not_affected \(code_not_reachable\) by admin: WebSocket support is not used here\.$/m,
    );
    const refused = patchgate(['findings', 'triage', curl?.id ?? '', '--state', 'not_affected']);
    expect(refused.code).toBe(2);
    // The field's message is the server's detail: said once, not repeated under it.
    expect(refused.stderr).toBe(
      'patchgate: triage failed: 422 body.justification: is required when state is not_affected\n',
    );
    const table = patchgate(['assets', 'list']);
    expect(table.stdout).toBe(
      'NAME    KIND  ENVIRONMENT  CRITICALITY  EXPOSURE  OS RELEASE\n' +
        'web-01  host  production   high         internet  -\n' +
        '1 asset\n',
    );
  });

  it("reports a bad asset file with the server's field names", () => {
    writeFileSync(join(work, 'bad.json'), '[{"name": "x", "exposure": "everywhere"}]');
    const result = patchgate(['assets', 'import', join(work, 'bad.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^patchgate: asset import failed: 422 body\[0\]\.exposure: /);
    expect(result.stderr.split('exposure').length - 1).toBe(1);
  });

  it('says plainly when the server cannot be reached', () => {
    const result = patchgate(['audit', 'verify', '--server', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the Patchgate server at http:\/\/127\.0\.0\.1:9/);
  });
  it('manages users: create, list, a 403 with its own exit code, reset, disable', () => {
    const password = 'a long enough password for alice';
    const created = patchgate(
      [
        'users',
        'create',
        'alice',
        '--display-name',
        'Alice',
        '--roles',
        'viewer',
        '--password-stdin',
      ],
      `${password}\n`,
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^created user alice \(viewer\), id [0-9a-f-]{36}\n$/);
    const listed = patchgate(['users', 'list']);
    expect(listed.stdout).toMatch(/^USERNAME\s+DISPLAY NAME\s+ROLES\s+STATUS\s+LAST LOGIN\n/);
    expect(listed.stdout).toMatch(/^alice\s+Alice\s+viewer\s+active\s+never$/m);
    expect(listed.stdout).toMatch(/^2 users\n$/m);
    const paged = patchgate(['users', 'list', '--limit', '1']);
    expect(paged.stdout).toMatch(/^1 of 2 users; next page: --cursor 1\n$/m);
    expect(patchgate(['users', 'list', '--limit', '1', '--cursor', '1']).stdout).toMatch(
      /^1 of 2 users\n$/m,
    );

    const login = patchgate(
      ['login', '--server', url, '--username', 'alice', '--password-stdin'],
      `${password}\n`,
      'alice',
    );
    expect(login.code, login.stderr).toBe(0);
    const refused = patchgate(['users', 'list'], undefined, 'alice');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^patchgate: user list failed: 403 /);
    expect(patchgate(['assets', 'list'], undefined, 'alice').code).toBe(0);

    const reset = patchgate(
      ['users', 'reset-password', 'alice', '--password-stdin'],
      'another long password for alice\n',
    );
    expect(reset.stdout).toBe('password of alice reset; their other sessions ended\n');
    const disabled = patchgate(['users', 'disable', 'alice']);
    expect(disabled.stdout).toBe('disabled alice: sessions ended, API tokens revoked\n');
    expect(patchgate(['users', 'list']).stdout).toMatch(/^alice\s+Alice\s+viewer\s+disabled/m);
    const unknown = patchgate(['users', 'disable', 'nobody']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'patchgate: no user named "nobody" (see patchgate users list)\n',
    });
  });

  it('creates, lists and revokes API tokens', () => {
    const created = patchgate(['tokens', 'create', '--name', 'ci', '--scopes', 'assets:read']);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.split('\n')[0] ?? '';
    expect(token).toMatch(/^pgt_/);
    const listed = patchgate(['tokens', 'list']);
    expect(listed.stdout).toMatch(/^ID\s+PREFIX\s+NAME\s+STATUS\s+EXPIRES\s+LAST USED\s+SCOPES\n/);
    expect(listed.stdout).toMatch(/\s+ci\s+active\s+\S+\s+never\s+assets:read$/m);
    const viaToken = spawnSync(process.execPath, [bin, 'assets', 'list'], {
      encoding: 'utf8',
      env: { ...env, PATCHGATE_SERVER: url, PATCHGATE_TOKEN: token },
    });
    expect(viaToken.status).toBe(0);
    const revoked = patchgate(['tokens', 'revoke', token.slice(0, 12)]);
    expect(revoked.stdout).toMatch(/^revoked token [0-9a-f-]{36}\n$/);
    expect(patchgate(['tokens', 'list']).stdout).toMatch(/\s+ci\s+revoked\s/);
    const afterRevoke = spawnSync(process.execPath, [bin, 'assets', 'list'], {
      encoding: 'utf8',
      env: { ...env, PATCHGATE_SERVER: url, PATCHGATE_TOKEN: token },
    });
    expect(afterRevoke.status).toBe(2);
  });

  it('requests, approves, lists and revokes an exception', () => {
    const findings = JSON.parse(
      patchgate(['findings', 'list', '--limit', '1', '--json']).stdout,
    ) as { findings: { id: string }[] };
    const findingId = findings.findings[0]?.id ?? '';
    const requested = patchgate([
      'exceptions',
      'request',
      findingId,
      '--owner',
      'platform team',
      '--reason',
      'compensating control: the service is not reachable',
      '--expires',
      '2027-01-31',
      '--json',
    ]);
    expect(requested.code, requested.stderr).toBe(0);
    const exception = JSON.parse(requested.stdout) as { id: string; state: string };
    expect(exception.state).toBe('requested');
    const own = patchgate(['exceptions', 'approve', exception.id]);
    expect(own.code).not.toBe(0);

    patchgate(
      [
        'users',
        'create',
        'bob',
        '--display-name',
        'Bob',
        '--roles',
        'approver',
        '--password-stdin',
      ],
      'a long enough password for bob\n',
    );
    patchgate(
      ['login', '--server', url, '--username', 'bob', '--password-stdin'],
      'a long enough password for bob\n',
      'bob',
    );
    const approved = patchgate(
      ['exceptions', 'approve', exception.id, '--note', 'ok'],
      undefined,
      'bob',
    );
    expect(approved.stdout).toMatch(/^exception [0-9a-f-]{36} \(\S+\): approved\n$/);
    const listed = patchgate(['exceptions', 'list', '--state', 'approved']);
    expect(listed.stdout).toMatch(
      /^ID\s+STATE\s+ADVISORY\s+OWNER\s+EXPIRES\s+REQUESTED BY\s+DECIDED BY\s+REASON\n/,
    );
    expect(listed.stdout).toMatch(
      /\sapproved\s.*platform team\s+2027-01-31\s+admin\s+bob\s+compensating/,
    );
    const revoked = patchgate(['exceptions', 'revoke', exception.id]);
    expect(revoked.stdout).toMatch(/: revoked\n$/);
  });

  it('lists audit events with filters and a cursor', () => {
    const created = patchgate(['audit', 'list', '--action', 'user.created', '--json']);
    const events = (JSON.parse(created.stdout) as { events: { action: string }[] }).events;
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(['user.created']));
    const table = patchgate(['audit', 'list', '--action', 'user.created', '--limit', '1']);
    expect(table.stdout).toMatch(/^SEQ\s+TIME\s+ACTOR\s+ACTION\s+SUBJECT\s+ADDRESS\n/);
    const cursor = /next page: --cursor (\d+)/.exec(table.stdout)?.[1];
    expect(cursor).toBeDefined();
    const next = patchgate(['audit', 'list', '--action', 'user.created', '--cursor', cursor ?? '']);
    expect(next.stdout).toMatch(/user\.created/);
    const bad = patchgate(['audit', 'list', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
  });

  it("stores an asset's available updates from apt output and shows them", () => {
    const uploaded = patchgate([
      'assets',
      'upload-updates',
      'web-01',
      'packages/inventory/src/updates/apt/testdata/apt-get-s-upgrade.txt',
    ]);
    expect(uploaded.stderr).toBe('');
    expect(uploaded.stdout).toBe(
      'web-01: 7 available updates (5 security, 1 kept back) from apt-get-simulate\n',
    );
    const shown = patchgate(['assets', 'updates', 'web-01', '--security']);
    expect(shown.stdout.split('\n').slice(0, 3)).toEqual([
      'PACKAGE     INSTALLED          AVAILABLE             SECURITY  FROM',
      'curl        7.88.1-10+deb12u7  7.88.1-10+deb12u8     yes       stable-security',
      'libc6       2.36-9+deb12u7     2.36-9+deb12u9        yes       stable, stable-security',
    ]);
    expect(shown.stdout).toMatch(
      /^5 security updates \(5 of 7 from a security archive; kept back: postgresql-15\)/m,
    );
    const stdin = patchgate(
      ['assets', 'upload-updates', 'web-01', '-'],
      readFileSync(
        `${repoRoot}packages/inventory/src/updates/apt/testdata/apt-list-upgradable.txt`,
        'utf8',
      ),
    );
    expect(stdin.stdout).toBe(
      'web-01: 8 available updates (5 security) from apt-list-upgradable\n',
    );
    const notApt = patchgate([
      'assets',
      'upload-updates',
      'web-01',
      'examples/debian-bookworm/dpkg-query.tsv',
    ]);
    expect(notApt.code).toBe(2);
    // The server's detail and its field message are the same words: said once.
    expect(notApt.stderr).toBe(
      'patchgate: available updates upload failed: 422 not apt output of available updates: expected "apt list --upgradable" or "apt-get -s upgrade" output\n',
    );
  });

  it('pages the asset list with --cursor and prints the total on every page', () => {
    writeFileSync(
      join(work, 'more-assets.yaml'),
      '- name: db-01\n  environment: production\n' +
        '- name: web-02\n  environment: production\n' +
        '- name: ci-01\n  environment: development\n',
    );
    expect(patchgate(['assets', 'import', join(work, 'more-assets.yaml')]).code).toBe(0);
    const first = patchgate(['assets', 'list', '--environment', 'production', '--limit', '2']);
    expect(first.stderr).toBe('');
    const lines = first.stdout.split('\n');
    expect(lines.slice(1, 3).map((line) => line.split(' ')[0])).toEqual(['db-01', 'web-01']);
    const footer = /^2 of 3 assets; next page: --cursor (\S+)$/.exec(lines[3] ?? '');
    expect(footer, first.stdout).not.toBeNull();
    const second = patchgate([
      'assets',
      'list',
      '--environment',
      'production',
      '--limit',
      '2',
      '--cursor',
      footer?.[1] ?? '',
    ]);
    expect(second.stdout).toMatch(/^web-02 .*\n1 of 3 assets\n$/m);
    expect(patchgate(['assets', 'list', '--limit', '1']).stdout).toMatch(
      /\n1 of 4 assets; next page: --cursor \S+\n$/,
    );
  });

  it('asks for the password on a terminal, without echoing it', async () => {
    // util-linux script(1) gives the CLI a real pseudo-terminal as standard input; the
    // password is typed once the prompt shows, as a person would.
    const command = [process.execPath, bin, 'login', '--server', url, '--username', 'admin']
      .map((word) => `'${word}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...env, PATCHGATE_CONFIG_DIR: join(work, 'tty') },
    });
    let output = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!typed && output.includes('Password for admin')) {
        typed = true;
        child.stdin.write('correct horse battery staple\r');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).toContain(`Password for admin on ${url}: `);
    expect(output).not.toContain('correct horse');
    expect(output).toMatch(/Logged in to .* as admin/);
    expect(status).toBe(0);
  });
});
