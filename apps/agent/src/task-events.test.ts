import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';
import { TaskEventStream } from './task-events.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('TaskEventStream', () => {
  it('numbers lines from 0, frames steps, and batches them into the outbox in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchgate-events-'));
    dirs.push(dir);
    const outbox = new Outbox(dir);
    const at = new Date('2026-12-06T10:00:00.000Z');
    const stream = new TaskEventStream('t1', outbox, () => at, 60_000);
    stream.log('simulate', 'stdout', 'Inst pg-demo-service [1.0] (1.1 ./ [all])');
    stream.flush();
    stream.log('install', 'stdout', 'Unpacking pg-demo-service (1.1) over (1.0) ...');
    stream.log('install', 'stderr', 'x'.repeat(5000));
    stream.close();
    const batches = outbox.list().map((queued) => queued.item);
    const time = at.toISOString();
    expect(batches).toEqual([
      {
        type: 'events',
        taskId: 't1',
        batch: {
          events: [
            { seq: 0, at: time, type: 'step-started', step: 'simulate' },
            {
              seq: 1,
              at: time,
              type: 'log',
              step: 'simulate',
              stream: 'stdout',
              line: 'Inst pg-demo-service [1.0] (1.1 ./ [all])',
            },
          ],
        },
      },
      {
        type: 'events',
        taskId: 't1',
        batch: {
          events: [
            { seq: 2, at: time, type: 'step-finished', step: 'simulate' },
            { seq: 3, at: time, type: 'step-started', step: 'install' },
            {
              seq: 4,
              at: time,
              type: 'log',
              step: 'install',
              stream: 'stdout',
              line: 'Unpacking pg-demo-service (1.1) over (1.0) ...',
            },
            {
              seq: 5,
              at: time,
              type: 'log',
              step: 'install',
              stream: 'stderr',
              line: 'x'.repeat(4000),
            },
            { seq: 6, at: time, type: 'step-finished', step: 'install' },
          ],
        },
      },
    ]);
  });
});
