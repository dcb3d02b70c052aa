/**
 * The long-poll for tasks: answer at once when a task is due, else wait up to `waitSeconds`
 * for one. While waiting, an in-process wake-up (task-signals.ts: a task queued by this
 * process) re-reads at once and twice more shortly after (its transaction may commit a moment
 * later); a periodic re-read of the database finds tasks queued by another replica. Waiting
 * uses real time (it is I/O, not a decision); what is due is decided with the injected clock.
 */
import type { TaskEnvelope } from '@patchgate/agent-protocol';
import { onTaskSignal } from './task-signals.ts';

export interface LongPollOptions {
  /** Re-read the database this often while waiting (other replicas' tasks). */
  readonly recheckMs: number;
  /** After a wake-up: re-read again after these delays (a commit landing late). */
  readonly afterSignalMs: readonly number[];
}

export const defaultLongPollOptions: LongPollOptions = {
  recheckMs: 5_000,
  afterSignalMs: [100, 500],
};

/**
 * Take due tasks until some are found, `waitMs` passes, or `stop` aborts (the client went
 * away, the server is closing); returns what the last take found.
 */
export async function longPoll(
  agentId: string,
  waitMs: number,
  take: () => Promise<TaskEnvelope[]>,
  stop: AbortSignal,
  options: LongPollOptions = defaultLongPollOptions,
): Promise<TaskEnvelope[]> {
  const deadline = Date.now() + waitMs;
  let signalled = false;
  let wake: (() => void) | undefined;
  const unsubscribe = onTaskSignal(agentId, () => {
    signalled = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  stop.addEventListener('abort', onAbort);
  try {
    let extraChecks: number[] = [];
    for (;;) {
      const tasks = await take();
      if (tasks.length > 0 || stop.aborted) return tasks;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return tasks;
      if (signalled) {
        signalled = false;
        extraChecks = [...options.afterSignalMs];
      }
      const pause = Math.min(remaining, extraChecks.shift() ?? options.recheckMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pause);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
        // A signal that arrived during the take: do not sleep through it.
        if (signalled || stop.aborted) done();
      });
    }
  } finally {
    unsubscribe();
    stop.removeEventListener('abort', onAbort);
  }
}
