/**
 * The CLI against a real server: `patchgate server` on a fresh data directory, `login`, then
 * the remote commands, through the real executable over HTTP.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  // The first admin, through the public bootstrap route of an empty server.
  const response = await fetch(`${url}/api/v1/bootstrap`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: 'admin',
      displayName: 'Admin',
      password: 'correct horse battery staple',
    }),
  });
  expect(response.status).toBe(201);
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

  it('says plainly when the server cannot be reached', () => {
    const result = patchgate(['audit', 'verify', '--server', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach the Patchgate server at http:\/\/127\.0\.0\.1:9/);
  });
});
