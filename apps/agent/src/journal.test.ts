import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskResult } from '@patchgate/agent-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { interruptedError, Journal } from './journal.ts';

const dirs: string[] = [];
const stateDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const started = {
  idempotencyKey: 'rollout-1/host-a/install',
  taskId: 't1',
  kind: 'install' as const,
  notAfter: '2026-12-06T11:00:00.000Z',
  dryRun: false,
  startedAt: '2026-12-06T10:00:00.000Z',
};

const succeeded: TaskResult = {
  idempotencyKey: started.idempotencyKey,
  outcome: 'succeeded',
  startedAt: started.startedAt,
  finishedAt: '2026-12-06T10:01:00.000Z',
  steps: [],
  data: { kind: 'rescan' },
  dryRun: false,
};

describe('Journal', () => {
  it('keeps a finished key with its result across a restart (never re-applied)', () => {
    const dir = stateDir();
    const journal = new Journal(dir);
    journal.begin(started);
    journal.finish(started.idempotencyKey, succeeded);
    const afterRestart = new Journal(dir);
    expect(afterRestart.get(started.idempotencyKey)).toEqual({
      ...started,
      state: 'finished',
      result: succeeded,
    });
    expect(afterRestart.recoverInterrupted(new Date('2026-12-06T10:05:00Z'))).toEqual([]);
    // Files are root-only.
    const [file] = readdirSync(join(dir, 'journal'));
    expect(statSync(join(dir, 'journal', file as string)).mode & 0o777).toBe(0o600);
  });

  it('reports a key started but unfinished at restart as failed "interrupted by an agent restart"', () => {
    const dir = stateDir();
    new Journal(dir).begin(started); // the agent dies here, mid-task
    const afterRestart = new Journal(dir);
    const recovered = afterRestart.recoverInterrupted(new Date('2026-12-06T10:05:00Z'));
    expect(recovered).toEqual([
      {
        ...started,
        state: 'finished',
        result: {
          idempotencyKey: started.idempotencyKey,
          outcome: 'failed',
          startedAt: started.startedAt,
          finishedAt: '2026-12-06T10:05:00.000Z',
          steps: [],
          data: null,
          error: `${interruptedError}: the task was running when the agent stopped; it was not re-applied`,
          dryRun: false,
        },
      },
    ]);
    // Recovered once: the next restart finds nothing left to recover, and the key stays known.
    expect(new Journal(dir).recoverInterrupted(new Date())).toEqual([]);
    expect(new Journal(dir).get(started.idempotencyKey)?.state).toBe('finished');
  });

  it('prunes finished keys only once their task can no longer be accepted', () => {
    const dir = stateDir();
    const journal = new Journal(dir);
    journal.begin(started);
    journal.finish(started.idempotencyKey, succeeded);
    journal.begin({ ...started, idempotencyKey: 'running', taskId: 't2' });
    expect(journal.prune(new Date('2026-12-06T10:59:59Z'))).toBe(0);
    expect(journal.prune(new Date('2026-12-06T11:00:01Z'))).toBe(1);
    expect(journal.get(started.idempotencyKey)).toBeUndefined();
    expect(journal.get('running')?.state).toBe('started');
  });
});
