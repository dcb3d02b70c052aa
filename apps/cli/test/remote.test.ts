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

function patchgate(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    env,
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
    [bin, 'server', '--port', '0', '--data-dir', join(work, 'data')],
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
    expect(refused.stderr).toMatch(
      /triage failed: 422 .*\n {2}body\.justification: is required when state is not_affected/,
    );
    const table = patchgate(['assets', 'list']);
    expect(table.stdout).toMatch(/^web-01\s+host\s+production\s+internet/m);
  });

  it("reports a bad asset file with the server's field names", () => {
    writeFileSync(join(work, 'bad.json'), '[{"name": "x", "exposure": "everywhere"}]');
    const result = patchgate(['assets', 'import', join(work, 'bad.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/asset import failed: 422 .*\n {2}body\[0\]\.exposure: /);
  });

  it('says plainly when the server cannot be reached', () => {
    const result = patchgate(['audit', 'verify', '--server', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the Patchgate server at http:\/\/127\.0\.0\.1:9/);
  });
});
