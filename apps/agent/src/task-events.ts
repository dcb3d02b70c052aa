/**
 * Streams a running task's log lines to the server: lines are numbered per task (seq from 0),
 * buffered, and every `flushMs` (or at 1000 lines) appended as one batch to the outbox, which
 * sends them in order before the task's result. A step's first line is preceded by a
 * `step-started` event and the step is closed by `step-finished` when the next begins.
 */
import type { StepName, TaskEvent } from '@patchgate/agent-protocol';
import type { Outbox } from './outbox.ts';

const maxBatch = 1000;
const maxLine = 4000;

export class TaskEventStream {
  #seq = 0;
  #buffer: TaskEvent[] = [];
  #step: StepName | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly taskId: string,
    private readonly outbox: Outbox,
    private readonly now: () => Date,
    flushMs: number,
  ) {
    this.#timer = setInterval(() => this.flush(), flushMs);
    this.#timer.unref();
  }

  log(step: StepName, stream: 'stdout' | 'stderr' | 'agent', line: string): void {
    if (step !== this.#step) {
      if (this.#step !== undefined) this.#push({ type: 'step-finished', step: this.#step });
      this.#step = step;
      this.#push({ type: 'step-started', step });
    }
    this.#push({ type: 'log', step, stream, line: line.slice(0, maxLine) });
  }

  #push(event: Omit<TaskEvent, 'seq' | 'at'>): void {
    this.#buffer.push({ seq: this.#seq++, at: this.now().toISOString(), ...event });
    if (this.#buffer.length >= maxBatch) this.flush();
  }

  /** Appends what is buffered as one batch (durably). */
  flush(): void {
    if (this.#buffer.length === 0) return;
    const events = this.#buffer;
    this.#buffer = [];
    this.outbox.append({ type: 'events', taskId: this.taskId, batch: { events } });
  }

  /** Closes the open step, flushes, stops the timer. */
  close(): void {
    clearInterval(this.#timer);
    if (this.#step !== undefined) this.#push({ type: 'step-finished', step: this.#step });
    this.#step = undefined;
    this.flush();
  }
}
