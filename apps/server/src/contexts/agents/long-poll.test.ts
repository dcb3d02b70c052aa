/**
 * The long-poll's waiting: at once when there is something, a periodic re-read (what finds a
 * task another replica queued: no wake-up reaches this process), a wake-up re-reads at once,
 * and an abort ends the wait. Real (short) time: waiting is what is tested.
 */
import type { TaskEnvelope } from '@patchgate/agent-protocol';
import { describe, expect, it } from 'vitest';
import { longPoll } from './long-poll.ts';
import { signalTasks } from './task-signals.ts';

const envelope: TaskEnvelope = { taskId: 't', keyId: 'k', payload: '{}', signature: 's' };
const options = { recheckMs: 50, afterSignalMs: [5, 20] };

/** A take that finds a task from its `n`-th call on, counting calls. */
function takeFrom(n: number) {
  let calls = 0;
  return {
    take: () => Promise.resolve(++calls >= n ? [envelope] : []),
    calls: () => calls,
  };
}

describe('longPoll', () => {
  it('answers at once when a task is due', async () => {
    const { take, calls } = takeFrom(1);
    const started = Date.now();
    expect(await longPoll('a1', 10_000, take, new AbortController().signal, options)).toEqual([
      envelope,
    ]);
    expect(calls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('re-reads periodically and finds what another replica queued', async () => {
    const { take, calls } = takeFrom(4);
    const tasks = await longPoll('a2', 10_000, take, new AbortController().signal, options);
    expect(tasks).toEqual([envelope]);
    expect(calls()).toBe(4);
  });

  it('answers empty when the wait is over', async () => {
    const { take, calls } = takeFrom(Number.POSITIVE_INFINITY);
    const started = Date.now();
    expect(await longPoll('a3', 120, take, new AbortController().signal, options)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(calls()).toBeGreaterThanOrEqual(3);
  });

  it('re-reads at once on a wake-up for its agent only', async () => {
    let found = false;
    let calls = 0;
    const take = () => {
      calls++;
      return Promise.resolve(found ? [envelope] : []);
    };
    const slow = { recheckMs: 60_000, afterSignalMs: [5, 20] };
    const waiting = longPoll('a4', 30_000, take, new AbortController().signal, slow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    signalTasks('someone-else');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(1);
    found = true;
    const started = Date.now();
    signalTasks('a4');
    expect(await waiting).toEqual([envelope]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops waiting when aborted (the client left, the server closes)', async () => {
    const { take } = takeFrom(Number.POSITIVE_INFINITY);
    const stop = new AbortController();
    const waiting = longPoll('a5', 30_000, take, stop.signal, { ...options, recheckMs: 60_000 });
    setTimeout(() => stop.abort(), 20);
    const started = Date.now();
    expect(await waiting).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
