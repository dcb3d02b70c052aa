import { describe, expect, it } from 'vitest';
import { EnrolRequest, TaskPayload, TaskResult } from './messages.ts';

describe('agent protocol messages', () => {
  it('parses an install task with defaults', () => {
    const task = TaskPayload.parse({
      kind: 'install',
      taskId: 't1',
      agentId: 'a1',
      issuedAt: '2026-12-06T08:00:00Z',
      notAfter: '2026-12-06T09:00:00Z',
      idempotencyKey: 'r1:web-01:install',
      packages: [{ name: 'demo-service', version: '1.1' }],
      backup: null,
    });
    expect(task).toMatchObject({ dryRun: false, reboot: 'never', allowRemovals: false });
  });

  it('refuses unknown keys and a package name with a shell metacharacter', () => {
    const base = {
      kind: 'preflight',
      taskId: 't1',
      agentId: 'a1',
      issuedAt: '2026-12-06T08:00:00Z',
      notAfter: '2026-12-06T09:00:00Z',
      idempotencyKey: 'k',
    };
    expect(
      TaskPayload.safeParse({ ...base, packages: [{ name: 'a;rm', version: '1' }] }).success,
    ).toBe(false);
    expect(
      TaskPayload.safeParse({ ...base, packages: [{ name: 'a', version: '1' }], extra: 1 }).success,
    ).toBe(false);
  });

  it('needs a host-like name to enrol', () => {
    expect(
      EnrolRequest.safeParse({ token: 'pge_0123456789', name: 'web 01', agentVersion: '1' })
        .success,
    ).toBe(false);
    expect(
      EnrolRequest.parse({ token: 'pge_0123456789', name: 'web-01', agentVersion: '1' })
        .packageManagers,
    ).toEqual([]);
  });

  it('accepts a rejected result without data', () => {
    const result = TaskResult.parse({
      idempotencyKey: 'k',
      outcome: 'rejected',
      startedAt: '2026-12-06T08:00:00Z',
      finishedAt: '2026-12-06T08:00:00Z',
      steps: [],
      data: null,
      error: 'bad signature',
    });
    expect(result.dryRun).toBe(false);
  });
});
