/**
 * The idempotency journal: one durable file per idempotency key under `<stateDir>/journal/`.
 * A key is written `started` before its task touches the host and `finished` (with the result)
 * after, so:
 * - a task whose key is `finished` is never applied again: its stored result is sent again;
 * - a key found `started` when the agent starts was interrupted (crash, kill, power cut): it
 *   is reported `failed` "interrupted by an agent restart" and never re-applied blindly — what
 *   the host is left in is for the server (a rollback task) to decide.
 * Entries are pruned once the task's notAfter has passed (a signed task cannot be accepted
 * after it, so its key can no longer come back).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskKind, TaskResult } from '@patchgate/agent-protocol';
import { TaskResult as TaskResultSchema } from '@patchgate/agent-protocol';
import { z } from 'zod';
import { ensurePrivateDir, removeFileDurably, writeFileAtomic } from './durable-files.ts';

const JournalEntry = z.strictObject({
  idempotencyKey: z.string(),
  taskId: z.string(),
  kind: z.string(),
  state: z.enum(['started', 'finished']),
  startedAt: z.string(),
  notAfter: z.string(),
  dryRun: z.boolean(),
  result: TaskResultSchema.nullable(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const interruptedError = 'interrupted by an agent restart';

export class Journal {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'journal');
    ensurePrivateDir(this.dir);
  }

  #file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  get(key: string): JournalEntry | undefined {
    const file = this.#file(key);
    if (!existsSync(file)) return undefined;
    return JournalEntry.parse(JSON.parse(readFileSync(file, 'utf8')));
  }

  /** Durably marks `key` started, before anything touches the host. */
  begin(task: {
    idempotencyKey: string;
    taskId: string;
    kind: TaskKind;
    notAfter: string;
    dryRun: boolean;
    startedAt: string;
  }): JournalEntry {
    const entry: JournalEntry = { ...task, state: 'started', result: null };
    writeFileAtomic(this.#file(task.idempotencyKey), JSON.stringify(entry));
    return entry;
  }

  /** Durably records the result: from now on the key is answered with it, never re-applied. */
  finish(key: string, result: TaskResult): JournalEntry {
    const started = this.get(key);
    if (started === undefined) throw new Error(`journal: ${key} was never started`);
    const entry: JournalEntry = { ...started, state: 'finished', result };
    writeFileAtomic(this.#file(key), JSON.stringify(entry));
    return entry;
  }

  entries(): JournalEntry[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JournalEntry.parse(JSON.parse(readFileSync(join(this.dir, name), 'utf8'))));
  }

  /**
   * After a restart: every key still `started` becomes `failed` with "interrupted by an agent
   * restart". Returns those entries (the caller queues their results for the server).
   */
  recoverInterrupted(now: Date): JournalEntry[] {
    return this.entries()
      .filter((entry) => entry.state === 'started')
      .map((entry) =>
        this.finish(entry.idempotencyKey, {
          idempotencyKey: entry.idempotencyKey,
          outcome: 'failed',
          startedAt: entry.startedAt,
          finishedAt: now.toISOString(),
          steps: [],
          data: null,
          error: `${interruptedError}: the task was running when the agent stopped; it was not re-applied`,
          dryRun: entry.dryRun,
        }),
      );
  }

  /** Removes finished entries whose task expired before `serverNow` (they cannot come back). */
  prune(serverNow: Date): number {
    let removed = 0;
    for (const entry of this.entries()) {
      if (entry.state === 'finished' && Date.parse(entry.notAfter) < serverNow.getTime()) {
        removeFileDurably(this.#file(entry.idempotencyKey));
        removed += 1;
      }
    }
    return removed;
  }
}
