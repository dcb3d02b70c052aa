/**
 * Running host commands for executors: lines streamed as they come, a time limit, the task's
 * abort signal, and the whole process group killed on either (a `sh -c` child dies with it).
 * A command that cannot start, fails or times out is a result, never an exception.
 */
import { spawn } from 'node:child_process';

export type Stream = 'stdout' | 'stderr';

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Give up (SIGKILL to the process group) after this long. */
  readonly timeoutMs: number;
  /** The task's signal: aborting it kills the command too. */
  readonly signal?: AbortSignal;
  /** Each complete output line, as it arrives. */
  readonly onLine?: (stream: Stream, line: string) => void;
  /** Keep at most this much of each stream in the result (default 8 MiB). */
  readonly maxCapture?: number;
}

export interface RunResult {
  /** The exit code; null when killed or never started. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Why the command could not start (e.g. not found). */
  readonly spawnError?: string;
}

/** The PATH commands run with: dpkg needs the sbin folders (ldconfig, start-stop-daemon). */
export const commandPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A base environment for package-manager commands: C locale (parsed output), no prompts. */
export function commandEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = process.env['PATH'] ? `${process.env['PATH']}:${commandPath}` : commandPath;
  return {
    ...process.env,
    PATH: path,
    LC_ALL: 'C',
    LANG: 'C',
    DEBIAN_FRONTEND: 'noninteractive',
    DEBCONF_NONINTERACTIVE_SEEN: 'true',
    APT_LISTCHANGES_FRONTEND: 'none',
    NEEDRESTART_MODE: 'l',
    ...extra,
  };
}

/** The longest delay setTimeout honours. */
export const maxTimerMs = 2 ** 31 - 1;

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const maxCapture = options.maxCapture ?? 8 * 1024 * 1024;
  return new Promise((resolve) => {
    const captured: Record<Stream, string> = { stdout: '', stderr: '' };
    const partial: Record<Stream, string> = { stdout: '', stderr: '' };
    let timedOut = false;
    let aborted = false;
    let settled = false;
    if (options.signal?.aborted) {
      resolve({ code: null, stdout: '', stderr: '', timedOut: false, aborted: true });
      return;
    }
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? commandEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const kill = (): void => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    // setTimeout fires at once for delays past 2^31-1 ms: clamp (about 24.8 days).
    const timer = setTimeout(
      () => {
        timedOut = true;
        kill();
      },
      Math.min(Math.max(0, options.timeoutMs), maxTimerMs),
    );
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const feed = (stream: Stream, chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      if (captured[stream].length < maxCapture) captured[stream] += text;
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(stream, line.replace(/\r$/, ''));
    };
    child.stdout.on('data', (chunk: Buffer) => feed('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => feed('stderr', chunk));

    const finish = (code: number | null, spawnError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream] !== '') options.onLine?.(stream, partial[stream]);
      }
      resolve({
        code,
        stdout: captured.stdout,
        stderr: captured.stderr,
        timedOut,
        aborted,
        ...(spawnError !== undefined && { spawnError }),
      });
    };
    child.on('error', (error) => finish(null, error.message));
    child.on('close', (code) => finish(code));
  });
}

/** One line describing how a command ended, for step details. */
export function describeExit(command: string, result: RunResult, timeoutMs?: number): string {
  if (result.spawnError !== undefined) return `${command} could not start: ${result.spawnError}`;
  if (result.aborted) return `${command} was stopped: the task was aborted (timeout or shutdown)`;
  if (result.timedOut) {
    return `${command} timed out${timeoutMs === undefined ? '' : ` after ${Math.round(timeoutMs / 1000)} s`}`;
  }
  return `${command} exited with code ${String(result.code)}`;
}
