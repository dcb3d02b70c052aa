/**
 * `patchgate notifications` through the real executable against a real server, with a real
 * local HTTP receiver checking the webhook's HMAC signature the way a third party would.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const bin = `${repoRoot}apps/cli/bin/patchgate.js`;
const work = mkdtempSync(join(tmpdir(), 'patchgate-cli-notifications-'));
const secret = 'whsec-cli-0123456789abcdef';
const env = {
  ...process.env,
  PATCHGATE_CONFIG_DIR: join(work, 'config'),
  PATCHGATE_LOG_LEVEL: 'warn',
  HOOK_SECRET: secret,
};
let server: ChildProcess | undefined;
let receiver: Server | undefined;
let url = '';
let hookUrl = '';
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

/** Run the CLI without blocking this process (the receiver must answer meanwhile). */
function patchgate(args: string[], input?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** What a receiver does: recompute HMAC-SHA256 over "<t>.<body>" and compare in constant time. */
function verified(headers: IncomingHttpHeaders, body: string): boolean {
  const header = String(headers['patchgate-signature']);
  const t = /t=(\d+)/.exec(header)?.[1] ?? '';
  const given = Buffer.from(/v1=([0-9a-f]+)/.exec(header)?.[1] ?? '', 'hex');
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(t)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [`${repoRoot}apps/cli/build.mjs`], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (c: Buffer) => (body += c.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  hookUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hook`;
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
  const login = await patchgate(
    ['login', '--server', url, '--username', 'admin', '--password-stdin'],
    'correct horse battery staple\n',
  );
  expect(login.code, login.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('patchgate notifications', () => {
  it('adds a signed webhook channel, never prints its secret, and tests it', async () => {
    const added = await patchgate([
      'notifications',
      'channels',
      'add',
      '--name',
      'cab-hook',
      '--kind',
      'webhook',
      '--url',
      hookUrl,
      '--secret-env',
      'HOOK_SECRET',
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      name: 'cab-hook',
      kind: 'webhook',
      target: hookUrl,
      secrets: ['secret'],
    });
    expect(added.stdout).not.toContain(secret);
    const list = await patchgate(['notifications', 'channels']);
    expect(list.stdout).toMatch(/^NAME\s+KIND\s+ENABLED\s+TARGET\s+SECRETS$/m);
    expect(list.stdout).toContain(`cab-hook  webhook  yes      ${hookUrl}  secret`);

    const tested = await patchgate(['notifications', 'channels', 'test', 'cab-hook']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^test message accepted \(200\)/);
    expect(received).toHaveLength(1);
    expect(verified(received[0]?.headers ?? {}, received[0]?.body ?? '')).toBe(true);
    expect(received[0]?.headers['patchgate-delivery-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses bad channels and subscriptions with exit 2 and the reason', async () => {
    const ftp = await patchgate([
      'notifications',
      'channels',
      'add',
      '--name',
      'x',
      '--kind',
      'webhook',
      '--url',
      'ftp://example.org/x',
      '--secret-env',
      'HOOK_SECRET',
    ]);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toMatch(/only http and https URLs are allowed/);
    const noSecret = await patchgate([
      'notifications',
      'channels',
      'add',
      '--name',
      'y',
      '--kind',
      'webhook',
      '--url',
      hookUrl,
      '--secret-env',
      'NOT_SET_ANYWHERE',
    ]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/NOT_SET_ANYWHERE is not set/);
    const address = await patchgate([
      'notifications',
      'subscribe',
      '--name',
      'z',
      '--channel',
      'cab-hook',
      '--audience',
      'address',
      '--events',
      'scheduled',
    ]);
    expect(address.code).toBe(2);
    expect(address.stderr).toMatch(/audience address needs audienceValue/);
  });

  it('subscribes, lists subscriptions, templates and the delivery log', async () => {
    const subscribed = await patchgate([
      'notifications',
      'subscribe',
      '--name',
      'cab',
      '--channel',
      'cab-hook',
      '--audience',
      'cab',
      '--events',
      'scheduled,starting,failed',
      '--digest',
      'daily',
      '--digest-hour',
      '7',
      '--tz',
      'Europe/Berlin',
      '--quiet',
      '22:00-07:00',
    ]);
    expect(subscribed.code, subscribed.stderr).toBe(0);
    expect(subscribed.stdout).toBe(
      'subscribed "cab": cab ← scheduled,starting,failed via cab-hook (daily digest at 7:00 Europe/Berlin)\n',
    );
    const subscriptions = await patchgate(['notifications', 'subscriptions', '--json']);
    expect(JSON.parse(subscriptions.stdout)).toMatchObject({
      subscriptions: [{ name: 'cab', quietHours: { start: '22:00', end: '07:00' } }],
    });
    const templates = await patchgate(['notifications', 'templates']);
    expect(templates.stdout).toMatch(/^starting\s+during\s+no\s+\[Patchgate\] Starting now/m);
    const deliveries = await patchgate([
      'notifications',
      'deliveries',
      '--status',
      'failed',
      '--json',
    ]);
    expect(JSON.parse(deliveries.stdout)).toEqual({ deliveries: [], nextCursor: null });
  });
});
