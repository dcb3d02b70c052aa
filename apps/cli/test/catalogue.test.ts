/**
 * `patchgate advisories catalogue|enable|disable` against a real server (the real executable
 * over HTTP): every public feed is off on a fresh server; one command enables one, audited.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const bin = `${repoRoot}apps/cli/bin/patchgate.js`;
const work = mkdtempSync(join(tmpdir(), 'patchgate-cli-catalogue-'));
const env = {
  ...process.env,
  PATCHGATE_CONFIG_DIR: join(work, 'config'),
  PATCHGATE_LOG_LEVEL: 'warn',
};
let server: ReturnType<typeof spawn> | undefined;

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
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    server?.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const login = patchgate(
    ['login', '--server', url, '--username', 'admin', '--password-stdin'],
    'correct horse battery staple\n',
  );
  expect(login.code, login.stderr).toBe(0);
});

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('patchgate advisories catalogue', () => {
  it('lists every feed off, enables one with one command, and disables it', () => {
    const listed = patchgate(['advisories', 'catalogue']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+KIND\s+STATE\s+SYNC\s+URL$/m);
    expect(listed.stdout).toMatch(
      /^osv-debian\s+osv-zip\s+off\s+daily\s+https:\/\/osv-vulnerabilities\.storage\.googleapis\.com\/Debian\/all\.zip$/m,
    );
    expect(listed.stdout).toMatch(
      /^0 of \d+ enabled; patchgate advisories enable <id> to add one$/m,
    );

    const enabled = patchgate(['advisories', 'enable', 'cisa-kev', 'first-epss', '--no-sync']);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe(
      'enabled cisa-kev: source CISA KEV (kev, daily, https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json)\n' +
        'enabled first-epss: source FIRST EPSS (epss, daily, https://epss.empiricalsecurity.com/epss_scores-current.csv.gz)\n',
    );
    const json = JSON.parse(patchgate(['advisories', 'catalogue', '--json']).stdout) as {
      entries: { id: string; enabled: boolean }[];
    };
    expect(json.entries.filter((e) => e.enabled).map((e) => e.id)).toEqual([
      'cisa-kev',
      'first-epss',
    ]);
    expect(patchgate(['advisories', 'sources']).stdout).toMatch(/^CISA KEV\s+kev\s+never synced/m);

    const disabled = patchgate(['advisories', 'disable', 'first-epss']);
    expect(disabled.stdout).toBe(
      'disabled first-epss: source FIRST EPSS keeps its data, no schedule\n',
    );
    const unknown = patchgate(['advisories', 'enable', 'osv-nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /enabling osv-nope failed: 404 Catalogue entry osv-nope was not found/,
    );
  });
});
