/**
 * Steps of a task: each streams its lines through `ctx.log`, keeps the last lines as its
 * `logTail`, has a time limit, and ends as a `StepResult`. A step body signals a host failure by
 * throwing `StepFailure` (or any error): it becomes a failed step, never an exception out of
 * the executor.
 */
import type { StepName, StepResult } from '@patchgate/agent-protocol';

import type { ExecutionContext } from './contract.ts';
import {
  describeExit,
  maxTimerMs,
  runCommand,
  type RunOptions,
  type RunResult,
  type Stream,
} from './process.ts';

const tailLines = 50;
const maxLine = 4000;

/** A failure on the host: the step fails with this message as its detail. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
}

export interface StepHandle {
  readonly name: StepName;
  log(stream: Stream | 'agent', line: string): void;
  /** Runs a command, streaming its lines into this step; limited by the step's time limit. */
  run(
    command: string,
    args: readonly string[],
    options?: Omit<RunOptions, 'timeoutMs' | 'signal' | 'onLine'> & { timeoutMs?: number },
  ): Promise<RunResult>;
  /** Like run, but a non-zero exit, timeout or abort fails the step. */
  runOrFail(
    command: string,
    args: readonly string[],
    options?: Omit<RunOptions, 'timeoutMs' | 'signal' | 'onLine'> & { timeoutMs?: number },
  ): Promise<RunResult>;
  /** The time left before this step's limit, in ms. */
  remainingMs(): number;
  readonly signal: AbortSignal;
}

export type StepOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Collects a task's step results. */
export class StepRecorder {
  readonly steps: StepResult[] = [];

  constructor(private readonly ctx: ExecutionContext) {}

  skip(name: StepName, detail: string): void {
    const at = this.ctx.now().toISOString();
    this.ctx.log(name, 'agent', `skipped: ${detail}`);
    this.steps.push({
      name,
      outcome: 'skipped',
      startedAt: at,
      finishedAt: at,
      detail: detail.slice(0, 2000),
      logTail: [],
    });
  }

  /** Runs one step with a time limit (ms); its result is recorded whatever happens. */
  async step<T>(
    name: StepName,
    timeoutMs: number,
    body: (step: StepHandle) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    const ctx = this.ctx;
    const startedAt = ctx.now().toISOString();
    const tail: string[] = [];
    const started = Date.now();
    const stepSignal = AbortSignal.any([
      ctx.signal,
      AbortSignal.timeout(Math.min(timeoutMs, maxTimerMs)),
    ]);
    const log = (stream: Stream | 'agent', raw: string): void => {
      const line = raw.length > maxLine ? `${raw.slice(0, maxLine - 1)}…` : raw;
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
      ctx.log(name, stream, line);
    };
    const remainingMs = (): number => Math.max(0, timeoutMs - (Date.now() - started));
    const run: StepHandle['run'] = (command, args, options = {}) =>
      runCommand(command, args, {
        ...options,
        // The step's own limit is a timeout of the command (reported as such); the task's
        // signal (its timeout or the agent stopping) aborts it.
        timeoutMs: Math.min(options.timeoutMs ?? Number.POSITIVE_INFINITY, remainingMs()),
        signal: ctx.signal,
        onLine: log,
      });
    const handle: StepHandle = {
      name,
      log,
      run,
      async runOrFail(command, args, options = {}) {
        const result = await run(command, args, options);
        if (result.code !== 0) {
          throw new StepFailure(describeExit(command, result, options.timeoutMs ?? timeoutMs));
        }
        return result;
      },
      remainingMs,
      signal: stepSignal,
    };
    const finish = (outcome: 'succeeded' | 'failed', detail?: string): void => {
      this.steps.push({
        name,
        outcome,
        startedAt,
        finishedAt: ctx.now().toISOString(),
        ...(detail !== undefined && { detail: detail.slice(0, 2000) }),
        logTail: [...tail],
      });
    };
    try {
      const value = await body(handle);
      finish('succeeded');
      return { ok: true, value };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail =
        ctx.signal.aborted && !(error instanceof StepFailure)
          ? `aborted: ${message}`
          : stepSignal.aborted && !(error instanceof StepFailure)
            ? `timed out after ${Math.round(timeoutMs / 1000)} s: ${message}`
            : message;
      log('agent', `failed: ${detail}`);
      finish('failed', detail);
      return { ok: false, error: detail };
    }
  }
}
