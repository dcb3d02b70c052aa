import { describe, expect, it } from 'vitest';
import type { CliIo } from './io.ts';
import { Progress } from './progress.ts';

function fakeIo(isTTY: boolean) {
  let now = 0;
  let stderr = '';
  const io: CliIo = {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text), isTTY },
    readStdin: () => Promise.resolve(''),
    cwd: '/',
    now: () => now,
    today: () => '2026-11-22',
    env: {},
  };
  return { io, advance: (ms: number) => (now += ms), output: () => stderr };
}

describe('Progress', () => {
  it('stays silent for a step shorter than a second', () => {
    const { io, advance, output } = fakeIo(false);
    const progress = new Progress(io, false);
    advance(500);
    progress.update('loading advisories: 1,000 records');
    progress.done('loaded 1,000 advisories');
    expect(output()).toBe('');
  });

  it('builds a lazy message only when its line is due', () => {
    const { io, advance, output } = fakeIo(false);
    const progress = new Progress(io, false);
    let built = 0;
    for (let i = 1; i <= 30; i++) {
      advance(100);
      progress.update(() => `record ${++built}`);
    }
    expect(built).toBe(3);
    expect(output()).toBe('record 1…\nrecord 2…\nrecord 3…\n');
  });

  it('prints at most one line a second after the first second, then the total', () => {
    const { io, advance, output } = fakeIo(false);
    const progress = new Progress(io, false);
    for (let i = 1; i <= 25; i++) {
      advance(100);
      progress.update(`loading advisories: ${i * 1000} records`);
    }
    progress.done('loaded 25,000 advisories');
    expect(output()).toBe(
      'loading advisories: 10000 records…\nloading advisories: 20000 records…\nloaded 25,000 advisories in 2.5 s\n',
    );
  });

  it('rewrites one line on a terminal', () => {
    const { io, advance, output } = fakeIo(true);
    const progress = new Progress(io, false);
    advance(1500);
    progress.update('step');
    progress.done('done');
    expect(output()).toBe('\r\x1b[Kstep…\r\x1b[Kdone in 1.5 s\n');
  });

  it('says nothing when quiet', () => {
    const { io, advance, output } = fakeIo(false);
    const progress = new Progress(io, true);
    advance(5000);
    progress.update('step');
    progress.done('done');
    expect(output()).toBe('');
  });
});
