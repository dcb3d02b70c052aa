import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentExitCodes, agentMain } from './cli.ts';
import { agentVersion } from './version.ts';

const work = mkdtempSync(join(tmpdir(), 'patchgate-agent-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await agentMain(
    args,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env,
      stop: new AbortController().signal,
    },
    'patchgate-agent',
  );
  return { code, stdout, stderr };
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('patchgate-agent', () => {
  it.each([
    [['run'], 'run: --server URL (or PATCHGATE_SERVER) is required'],
    [['run', '--server', 'ftp://x'], 'run: --server must be an http(s) URL (got "ftp://x")'],
    [['run', '--server', 'http://x', '--bogus'], "run: Unknown option '--bogus'"],
    [['init-root'], 'init-root takes exactly one DIR'],
    [['init-root', '/'], 'init-root: initRoot prepares a sandbox root; refusing to initialise /'],
    [['frobnicate'], 'unknown verb "frobnicate" (try "patchgate-agent --help")'],
  ])('%j is a usage error', async (args, message) => {
    expect(await run(args)).toEqual({
      code: agentExitCodes.usage,
      stdout: '',
      stderr: `patchgate-agent: ${message}\n`,
    });
  });

  it('refuses to run unenrolled without a token (exit 78: systemd does not restart it)', async () => {
    const root = mkdtempSync(join(work, 'root-'));
    const result = await run(['run', '--server', 'http://127.0.0.1:9', '--root', root]);
    expect(result.code).toBe(agentExitCodes.config);
    expect(result.stderr).toContain(
      `patchgate-agent: not enrolled yet (no ${root}/var/lib/patchgate-agent/agent.json): pass --enroll-token (or PATCHGATE_ENROLL_TOKEN) once`,
    );
  });

  it('logs JSON lines with --json', async () => {
    const root = mkdtempSync(join(work, 'root-'));
    const result = await run(
      ['run', '--once', '--json', '--root', root, '--enroll-token', 'pge_0123456789abcdef'],
      {
        PATCHGATE_SERVER: `http://127.0.0.1:${await closedPort()}`,
        PATCHGATE_RETRY_MAX_SECONDS: '0.05',
      },
    );
    const [first] = result.stderr.split('\n');
    expect(JSON.parse(first ?? '')).toMatchObject({
      level: 'info',
      msg: 'agent starting',
      version: agentVersion,
      root,
    });
  });

  it('exits 1 with a clear message when the server is unreachable', async () => {
    const root = mkdtempSync(join(work, 'root-'));
    const result = await run(
      ['run', '--once', '--root', root, '--enroll-token', 'pge_0123456789abcdef'],
      {
        PATCHGATE_SERVER: `http://127.0.0.1:${await closedPort()}`,
        PATCHGATE_RETRY_MAX_SECONDS: '0.05',
      },
    );
    expect(result.code).toBe(agentExitCodes.failed);
    expect(result.stderr).toMatch(
      /patchgate-agent: the server did not answer: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/agent\/enrol: ECONNREFUSED \(after 5 attempts\)\n$/,
    );
  });

  it('prints its version and prepares a sandbox root', async () => {
    expect(await run(['version', '--json'])).toEqual({
      code: 0,
      stdout: JSON.stringify({ version: agentVersion, node: process.version }) + '\n',
      stderr: '',
    });
    const root = join(work, 'sandbox');
    const prepared = await run([
      'init-root',
      root,
      '--apt-source',
      'deb [trusted=yes] file:/srv/repo ./',
      '--json',
    ]);
    expect(prepared).toEqual({
      code: 0,
      stdout: JSON.stringify({ root, aptSources: ['deb [trusted=yes] file:/srv/repo ./'] }) + '\n',
      stderr: '',
    });
    const status = await run(['status', '--root', root, '--json']);
    expect(JSON.parse(status.stdout)).toEqual({
      root,
      stateDir: join(root, 'var/lib/patchgate-agent'),
      enrolled: false,
      queued: [],
      journal: { finished: 0, started: [] },
    });
  });
});
