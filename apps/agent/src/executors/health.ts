/**
 * Health checks of a change's deployment plan, run on the host: a command's exit code, an HTTP
 * status (and body text), a systemd unit being active, a TCP port accepting connections. Each
 * check is retried (`retries`, `intervalSeconds` apart, `timeoutSeconds` per attempt); after every
 * check has passed, `observationSeconds` re-checks them until that much time has passed.
 *
 * Verdict: fail when a check failed; inconclusive when a check could not run at all (no
 * systemd on the host, or a sandbox root for a systemd check; the shell missing); else pass.
 * Sleep and clock are injected so tests never wait for real intervals.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import type { CheckResult } from '@patchgate/agent-protocol';
import type { HealthCheck } from '@patchgate/changes';

import { commandEnv, describeExit, runCommand } from './process.ts';
import { isHostRoot } from './root.ts';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export interface CheckEnvironment {
  readonly root: string;
  readonly signal: AbortSignal;
  readonly sleep: Sleep;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

type Attempt = { status: 'pass' | 'fail' | 'inconclusive'; detail: string };

export function checkName(check: HealthCheck): string {
  if (check.name) return check.name;
  switch (check.kind) {
    case 'command':
      return check.command.slice(0, 200);
    case 'http':
      return check.url.slice(0, 200);
    case 'systemd':
      return check.unit;
    case 'tcp':
      return `${check.host}:${String(check.port)}`;
  }
}

async function attemptCommand(
  check: Extract<HealthCheck, { kind: 'command' }>,
  env: CheckEnvironment,
): Promise<Attempt> {
  const timeoutMs = check.timeoutSeconds * 1000;
  const result = await runCommand('sh', ['-c', check.command], {
    env: commandEnv({ PATCHGATE_ROOT: path.resolve(env.root) }),
    timeoutMs,
    signal: env.signal,
    onLine: (_stream, line) => env.log(line),
  });
  if (result.spawnError !== undefined)
    return { status: 'inconclusive', detail: describeExit('sh', result) };
  if (result.code === check.expectExitCode)
    return { status: 'pass', detail: `exit code ${String(result.code)}` };
  return {
    status: 'fail',
    detail:
      result.code === null
        ? describeExit('the command', result, timeoutMs)
        : `exit code ${String(result.code)}, expected ${String(check.expectExitCode)}`,
  };
}

async function attemptHttp(
  check: Extract<HealthCheck, { kind: 'http' }>,
  env: CheckEnvironment,
): Promise<Attempt> {
  try {
    const response = await fetch(check.url, {
      signal: AbortSignal.any([env.signal, AbortSignal.timeout(check.timeoutSeconds * 1000)]),
      redirect: 'manual',
    });
    const body = check.bodyContains === undefined ? '' : await response.text();
    if (response.status !== check.expectStatus) {
      return {
        status: 'fail',
        detail: `HTTP ${String(response.status)}, expected ${String(check.expectStatus)}`,
      };
    }
    if (check.bodyContains !== undefined && !body.includes(check.bodyContains)) {
      return {
        status: 'fail',
        detail: `HTTP ${String(response.status)} but the body lacks "${check.bodyContains}"`,
      };
    }
    return { status: 'pass', detail: `HTTP ${String(response.status)}` };
  } catch (error) {
    const cause =
      error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error);
    return { status: 'fail', detail: `no HTTP answer: ${cause}` };
  }
}

async function attemptSystemd(
  check: Extract<HealthCheck, { kind: 'systemd' }>,
  env: CheckEnvironment,
): Promise<Attempt> {
  if (!isHostRoot(env.root)) {
    return {
      status: 'inconclusive',
      detail: 'systemd checks need the host’s own root; this is a sandbox root',
    };
  }
  if (!existsSync('/run/systemd/system')) {
    return { status: 'inconclusive', detail: 'systemd is not running on this host' };
  }
  const result = await runCommand('systemctl', ['is-active', '--', check.unit], {
    env: commandEnv(),
    timeoutMs: check.timeoutSeconds * 1000,
    signal: env.signal,
  });
  if (result.spawnError !== undefined)
    return { status: 'inconclusive', detail: describeExit('systemctl', result) };
  const state = result.stdout.trim() || 'unknown';
  return result.code === 0
    ? { status: 'pass', detail: state }
    : { status: 'fail', detail: `${check.unit} is ${state}` };
}

function attemptTcp(
  check: Extract<HealthCheck, { kind: 'tcp' }>,
  env: CheckEnvironment,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: check.host, port: check.port });
    const done = (attempt: Attempt): void => {
      clearTimeout(timer);
      env.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(attempt);
    };
    const onAbort = (): void => done({ status: 'fail', detail: 'aborted' });
    const timer = setTimeout(
      () =>
        done({ status: 'fail', detail: `no connection within ${String(check.timeoutSeconds)} s` }),
      check.timeoutSeconds * 1000,
    );
    env.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done({ status: 'pass', detail: 'connected' }));
    socket.once('error', (error) => done({ status: 'fail', detail: error.message }));
  });
}

function attemptOnce(check: HealthCheck, env: CheckEnvironment): Promise<Attempt> {
  switch (check.kind) {
    case 'command':
      return attemptCommand(check, env);
    case 'http':
      return attemptHttp(check, env);
    case 'systemd':
      return attemptSystemd(check, env);
    case 'tcp':
      return attemptTcp(check, env);
  }
}

export interface CheckOutcome {
  readonly result: CheckResult;
  readonly status: 'pass' | 'fail' | 'inconclusive';
}

/** One check with its retries. An inconclusive attempt is not retried (it cannot change). */
export async function runCheck(check: HealthCheck, env: CheckEnvironment): Promise<CheckOutcome> {
  const name = checkName(check);
  let attempts = 0;
  let last: Attempt = { status: 'fail', detail: 'not run' };
  while (attempts <= check.retries && !env.signal.aborted) {
    if (attempts > 0) await env.sleep(check.intervalSeconds * 1000, env.signal);
    attempts += 1;
    last = await attemptOnce(check, env);
    env.log(
      `${check.kind} check ${name}: attempt ${String(attempts)}: ${last.status} (${last.detail})`,
    );
    if (last.status !== 'fail') break;
  }
  return {
    status: last.status,
    result: {
      name,
      kind: check.kind,
      passed: last.status === 'pass',
      attempts,
      detail: last.detail.slice(0, 2000),
    },
  };
}

export function verdictOf(
  statuses: readonly ('pass' | 'fail' | 'inconclusive')[],
): 'pass' | 'fail' | 'inconclusive' {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** Every check once (with retries), in order. */
export async function runChecks(
  checks: readonly HealthCheck[],
  env: CheckEnvironment,
): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive'; outcomes: CheckOutcome[] }> {
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) outcomes.push(await runCheck(check, env));
  return { verdict: verdictOf(outcomes.map((o) => o.status)), outcomes };
}

/**
 * The observation period: re-runs the checks every `min(intervalSeconds)` until
 * `observationSeconds` have passed on the injected clock; stops at the first failure.
 */
export async function observe(
  checks: readonly HealthCheck[],
  observationSeconds: number,
  env: CheckEnvironment,
): Promise<{
  verdict: 'pass' | 'fail' | 'inconclusive';
  outcomes: CheckOutcome[];
  rounds: number;
}> {
  const until = env.now().getTime() + observationSeconds * 1000;
  const intervalMs = Math.min(...checks.map((c) => c.intervalSeconds), 60) * 1000;
  let rounds = 0;
  let outcomes: CheckOutcome[] = [];
  while (env.now().getTime() < until && !env.signal.aborted) {
    await env.sleep(Math.min(intervalMs, Math.max(0, until - env.now().getTime())), env.signal);
    rounds += 1;
    const round = await runChecks(checks, env);
    outcomes = round.outcomes;
    if (round.verdict !== 'pass') return { verdict: round.verdict, outcomes, rounds };
  }
  if (env.signal.aborted) return { verdict: 'inconclusive', outcomes, rounds };
  return { verdict: 'pass', outcomes, rounds };
}
