import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxItem } from './outbox.ts';
import { Outbox } from './outbox.ts';

const dirs: string[] = [];
const stateDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-outbox-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const events = (seq: number): OutboxItem => ({
  type: 'events',
  taskId: 't1',
  batch: {
    events: [
      {
        seq,
        at: '2026-12-06T10:00:00.000Z',
        type: 'log',
        step: 'install',
        stream: 'stdout',
        line: `line ${seq}`,
      },
    ],
  },
});
const result: OutboxItem = {
  type: 'result',
  taskId: 't1',
  result: {
    idempotencyKey: 'k',
    outcome: 'succeeded',
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: '2026-12-06T10:01:00.000Z',
    steps: [],
    data: { kind: 'rescan' },
    dryRun: false,
  },
};

describe('Outbox', () => {
  it('keeps items in order across a restart, and removes only what was acknowledged', () => {
    const dir = stateDir();
    const outbox = new Outbox(dir);
    outbox.append(events(0));
    outbox.append(events(1));
    outbox.append(result);
    const first = outbox.peek();
    expect(first?.item).toEqual(events(0));
    outbox.ack(first?.seq ?? -1);

    const afterRestart = new Outbox(dir);
    expect(afterRestart.size).toBe(2);
    expect(afterRestart.list().map((queued) => queued.item)).toEqual([events(1), result]);
    // New items go after the old ones, even after a restart.
    afterRestart.append({ type: 'available-updates', taskId: null, body: 'Listing...\n' });
    const order: string[] = [];
    for (let queued = afterRestart.peek(); queued !== undefined; queued = afterRestart.peek()) {
      order.push(queued.item.type);
      afterRestart.ack(queued.seq);
    }
    expect(order).toEqual(['events', 'result', 'available-updates']);
    expect(new Outbox(dir).size).toBe(0);
  });

  it('sets a damaged file aside instead of blocking the queue', () => {
    const dir = stateDir();
    const outbox = new Outbox(dir);
    outbox.append(events(0));
    writeFileSync(join(dir, 'outbox', '0000000000000001.json'), '{"type":"eve');
    const afterRestart = new Outbox(dir);
    afterRestart.append(result);
    expect(afterRestart.peek()?.item).toEqual(result);
    expect(readdirSync(join(dir, 'outbox')).sort()).toEqual([
      '0000000000000001.json.damaged',
      '0000000000000002.json',
    ]);
  });

  it('sets aside an item the server refused for good, keeping it for a human', () => {
    const dir = stateDir();
    const outbox = new Outbox(dir);
    const seq = outbox.append(result);
    outbox.append(events(0));
    outbox.setAside(seq);
    expect(outbox.peek()?.item).toEqual(events(0));
    expect(readdirSync(join(dir, 'outbox'))).toContain('0000000000000001.json.refused');
  });
});
