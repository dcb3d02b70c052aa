import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { HealthCheck } from '@patchgate/changes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { observe, runCheck, runChecks, verdictOf, type CheckEnvironment } from './health.ts';

let tmp: string;
let server: http.Server;
let httpPort: number;
let closedPort: number;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'patchgate-health-'));
  server = http.createServer((req, res) => {
    if (req.url === '/health') res.writeHead(200).end('status: ok');
    else res.writeHead(503).end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  httpPort = (server.address() as AddressInfo).port;
  // A port nothing listens on: bind, note it, close.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(tmp, { recursive: true, force: true });
});

/** A fake clock the injected sleep advances: no real waiting. */
function environment(root = tmp): CheckEnvironment & { slept: number[]; lines: string[] } {
  let now = Date.parse('2026-12-06T08:00:00Z');
  const slept: number[] = [];
  const lines: string[] = [];
  return {
    root,
    signal: new AbortController().signal,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    now: () => new Date(now),
    log: (line) => lines.push(line),
    slept,
    lines,
  };
}

const check = (spec: Record<string, unknown>): HealthCheck => HealthCheck.parse(spec);

describe('health checks', () => {
  it('passes a command check with PATCHGATE_ROOT in its environment', async () => {
    await writeFile(path.join(tmp, 'health'), 'ok\n');
    const env = environment();
    const outcome = await runCheck(
      check({ kind: 'command', command: 'test "$(cat "$PATCHGATE_ROOT/health")" = ok' }),
      env,
    );
    expect(outcome).toEqual({
      status: 'pass',
      result: {
        name: 'test "$(cat "$PATCHGATE_ROOT/health")" = ok',
        kind: 'command',
        passed: true,
        attempts: 1,
        detail: 'exit code 0',
      },
    });
    expect(env.slept).toEqual([]);
  });

  it('retries a failing check intervalSeconds apart, on the injected clock', async () => {
    const env = environment();
    const outcome = await runCheck(
      check({
        kind: 'command',
        name: 'always fails',
        command: 'exit 2',
        retries: 3,
        intervalSeconds: 30,
      }),
      env,
    );
    expect(outcome.result).toEqual({
      name: 'always fails',
      kind: 'command',
      passed: false,
      attempts: 4,
      detail: 'exit code 2, expected 0',
    });
    expect(env.slept).toEqual([30_000, 30_000, 30_000]);
  });

  it('passes once a retried check recovers', async () => {
    const counter = path.join(tmp, 'counter');
    await writeFile(counter, '');
    const env = environment();
    const outcome = await runCheck(
      check({
        kind: 'command',
        // fails twice, then passes
        command: `echo x >> ${counter}; [ "$(wc -l < ${counter})" -ge 3 ]`,
        retries: 5,
        intervalSeconds: 1,
      }),
      env,
    );
    expect([outcome.status, outcome.result.attempts]).toEqual(['pass', 3]);
  });

  it('fails a command that outlives timeoutSeconds', async () => {
    const outcome = await runCheck(
      check({ kind: 'command', command: 'sleep 5', retries: 0, timeoutSeconds: 1 }),
      environment(),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.result.detail).toBe('the command timed out after 1 s');
  });

  it('checks an HTTP status and body text', async () => {
    const env = environment();
    const url = `http://127.0.0.1:${String(httpPort)}`;
    const results = await runChecks(
      [
        check({ kind: 'http', url: `${url}/health`, bodyContains: 'ok', retries: 0 }),
        check({ kind: 'http', url: `${url}/health`, bodyContains: 'green', retries: 0 }),
        check({ kind: 'http', url: `${url}/other`, retries: 0 }),
        check({ kind: 'http', url: `${url}/other`, expectStatus: 503, retries: 0 }),
      ],
      env,
    );
    expect(results.outcomes.map((o) => [o.status, o.result.detail])).toEqual([
      ['pass', 'HTTP 200'],
      ['fail', 'HTTP 200 but the body lacks "green"'],
      ['fail', 'HTTP 503, expected 200'],
      ['pass', 'HTTP 503'],
    ]);
    expect(results.verdict).toBe('fail');
  });

  it('checks a TCP port', async () => {
    const env = environment();
    const results = await runChecks(
      [
        check({ kind: 'tcp', host: '127.0.0.1', port: httpPort, retries: 0 }),
        check({ kind: 'tcp', host: '127.0.0.1', port: closedPort, retries: 0 }),
      ],
      env,
    );
    expect(results.outcomes.map((o) => o.status)).toEqual(['pass', 'fail']);
    expect(results.outcomes[1]?.result.detail).toMatch(/ECONNREFUSED/);
  });

  it('is inconclusive for a systemd check on a sandbox root, and does not retry it', async () => {
    const env = environment();
    const outcome = await runCheck(
      check({ kind: 'systemd', unit: 'nginx.service', retries: 3 }),
      env,
    );
    expect(outcome).toEqual({
      status: 'inconclusive',
      result: {
        name: 'nginx.service',
        kind: 'systemd',
        passed: false,
        attempts: 1,
        detail: 'systemd checks need the host’s own root; this is a sandbox root',
      },
    });
    expect(env.slept).toEqual([]);
  });

  it('combines verdicts: fail beats inconclusive beats pass', () => {
    expect(verdictOf([])).toBe('pass');
    expect(verdictOf(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(verdictOf(['inconclusive', 'fail', 'pass'])).toBe('fail');
  });
});

describe('observation period', () => {
  it('re-checks every interval until the period has passed', async () => {
    await writeFile(path.join(tmp, 'health'), 'ok\n');
    const env = environment();
    const checks = [
      check({
        kind: 'command',
        command: 'test "$(cat "$PATCHGATE_ROOT/health")" = ok',
        intervalSeconds: 20,
      }),
    ];
    const result = await observe(checks, 60, env);
    expect([result.verdict, result.rounds]).toEqual(['pass', 3]);
    expect(env.slept).toEqual([20_000, 20_000, 20_000]);
  });

  it('fails as soon as a check fails during the period', async () => {
    const flag = path.join(tmp, 'rounds');
    await writeFile(flag, '');
    const env = environment();
    const checks = [
      check({
        kind: 'command',
        command: `echo x >> ${flag}; [ "$(wc -l < ${flag})" -lt 2 ]`,
        retries: 0,
        intervalSeconds: 10,
      }),
    ];
    const result = await observe(checks, 300, env);
    expect([result.verdict, result.rounds]).toEqual(['fail', 2]);
  });
});
