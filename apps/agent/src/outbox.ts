/**
 * The outbox: a durable FIFO of everything the agent owes the server — task event batches,
 * task results, inventories and available-updates reports — under `<stateDir>/outbox/`, one
 * fsync'd file per item named by its sequence number. Items are sent strictly in order (a
 * task's log lines before its result, an install's inventory before its result) and removed
 * only once the server has taken them, so they survive a server outage and an agent restart.
 */
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { TaskEventBatch, TaskResult } from '@patchgate/agent-protocol';
import { z } from 'zod';
import { ensurePrivateDir, removeFileDurably, writeFileAtomic } from './durable-files.ts';

export const OutboxItem = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('events'), taskId: z.string(), batch: TaskEventBatch }),
  z.strictObject({ type: z.literal('result'), taskId: z.string(), result: TaskResult }),
  z.strictObject({
    type: z.literal('inventory'),
    taskId: z.string().nullable(),
    format: z.string(),
    body: z.string(),
  }),
  z.strictObject({
    type: z.literal('available-updates'),
    taskId: z.string().nullable(),
    body: z.string(),
  }),
]);
export type OutboxItem = z.infer<typeof OutboxItem>;

export interface QueuedItem {
  readonly seq: number;
  readonly item: OutboxItem;
}

const fileName = (seq: number): string => `${String(seq).padStart(16, '0')}.json`;
const seqPattern = /^(\d{16})\.json$/;

export class Outbox {
  readonly dir: string;
  #seqs: number[];
  #next: number;
  #listeners = new Set<() => void>();

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'outbox');
    ensurePrivateDir(this.dir);
    this.#seqs = readdirSync(this.dir)
      .map((name) => seqPattern.exec(name)?.[1])
      .filter((seq): seq is string => seq !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    this.#next = (this.#seqs.at(-1) ?? 0) + 1;
  }

  get size(): number {
    return this.#seqs.length;
  }

  /** Durably appends an item; it is on disk when this returns. */
  append(item: OutboxItem): number {
    const seq = this.#next++;
    writeFileAtomic(join(this.dir, fileName(seq)), JSON.stringify(OutboxItem.parse(item)));
    this.#seqs.push(seq);
    for (const listener of this.#listeners) listener();
    return seq;
  }

  /** The oldest item not yet acknowledged. A damaged file is set aside (`.damaged`) and skipped. */
  peek(): QueuedItem | undefined {
    while (this.#seqs.length > 0) {
      const seq = this.#seqs[0] as number;
      const file = join(this.dir, fileName(seq));
      try {
        return { seq, item: OutboxItem.parse(JSON.parse(readFileSync(file, 'utf8'))) };
      } catch {
        renameSync(file, `${file}.damaged`);
        this.#seqs.shift();
      }
    }
    return undefined;
  }

  /** The server has the item: remove it. */
  ack(seq: number): void {
    removeFileDurably(join(this.dir, fileName(seq)));
    this.#seqs = this.#seqs.filter((s) => s !== seq);
  }

  /**
   * The server refused the item for good (a 4xx other than 401): keep the file for a human as
   * `<seq>.json.refused` and move on, so one bad item does not block everything behind it.
   */
  setAside(seq: number): void {
    const file = join(this.dir, fileName(seq));
    renameSync(file, `${file}.refused`);
    this.#seqs = this.#seqs.filter((s) => s !== seq);
  }

  /** Every queued item, oldest first (for `status` and tests). */
  list(): QueuedItem[] {
    return this.#seqs.map((seq) => ({
      seq,
      item: OutboxItem.parse(JSON.parse(readFileSync(join(this.dir, fileName(seq)), 'utf8'))),
    }));
  }

  /** Called after each append (the sender wakes up). */
  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
