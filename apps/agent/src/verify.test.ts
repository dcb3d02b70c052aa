import { generateKeyPairSync, sign } from 'node:crypto';
import type { SigningKey, TaskEnvelope, TaskPayload } from '@patchgate/agent-protocol';
import { describe, expect, it } from 'vitest';
import { ServerClock } from './server-clock.ts';
import { verifyTask } from './verify.ts';

const pair = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const pinned: SigningKey = {
  keyId: 'k1',
  publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};

const serverNow = new Date('2026-12-06T10:00:00Z');

function task(overrides: Partial<TaskPayload> = {}): TaskPayload {
  return {
    kind: 'rescan',
    taskId: 't1',
    agentId: 'agent-1',
    issuedAt: '2026-12-06T09:59:00Z',
    notAfter: '2026-12-06T11:00:00Z',
    idempotencyKey: 'key-1',
    changeId: null,
    rolloutId: null,
    dryRun: false,
    timeoutSeconds: 60,
    ...overrides,
  } as TaskPayload;
}

function envelope(payload: string, privateKey = pair.privateKey, keyId = 'k1'): TaskEnvelope {
  return {
    taskId: 't1',
    keyId,
    payload,
    signature: sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64'),
  };
}

const options = { agentId: 'agent-1', keys: [pinned], serverNow };

describe('verifyTask', () => {
  it('accepts a task signed with a pinned key, for this agent, not expired', () => {
    const result = verifyTask(envelope(JSON.stringify(task())), options);
    expect(result).toEqual({ ok: true, task: task() });
  });

  it.each([
    [
      'a tampered payload',
      () => {
        const signed = envelope(JSON.stringify(task()));
        return { ...signed, payload: signed.payload.replace('"dryRun":false', '"dryRun":true ') };
      },
      'bad signature: the task was not signed by the server',
    ],
    [
      'a payload signed by another key under the pinned keyId',
      () => envelope(JSON.stringify(task()), other.privateKey),
      'bad signature: the task was not signed by the server',
    ],
    [
      'an unknown keyId',
      () => envelope(JSON.stringify(task()), pair.privateKey, 'k9'),
      'unknown signing key "k9"',
    ],
    [
      'a task for another agent',
      () => envelope(JSON.stringify(task({ agentId: 'agent-2' }))),
      'the task is for agent agent-2, not this agent (agent-1)',
    ],
    [
      'an expired task',
      () => envelope(JSON.stringify(task({ notAfter: '2026-12-06T09:59:59Z' }))),
      'the task expired at 2026-12-06T09:59:59Z (server time now 2026-12-06T10:00:00.000Z)',
    ],
    [
      'an envelope whose taskId differs from the payload',
      () => envelope(JSON.stringify(task({ taskId: 't2' }))),
      'the payload is task t2, the envelope says t1',
    ],
  ])('rejects %s', (_name, make, reason) => {
    expect(verifyTask(make(), options)).toEqual({ ok: false, reason, idempotencyKey: 'key-1' });
  });

  it('rejects a signed payload that is not a task, answering by the taskId', () => {
    const result = verifyTask(envelope('{"kind":"format-disk"}'), options);
    expect(result).toMatchObject({ ok: false, idempotencyKey: 't1' });
    expect(result.ok === false && result.reason).toMatch(/^the payload is not a task/);
  });

  describe('with a skewed host clock (expiry judged on the server clock)', () => {
    // The server says 10:00; the host's clock says 13:00 (3 h fast) or 07:00 (3 h slow).
    const measured = (hostNow: string): ServerClock => {
      const local = Date.parse(hostNow);
      const clock = new ServerClock(() => local);
      clock.observe(serverNow.toISOString(), local - 100, local + 100);
      return clock;
    };

    it.each([['2026-12-06T13:00:00Z'], ['2026-12-06T07:00:00Z']])(
      'a host clock at %s still accepts a task valid until 11:00',
      (hostNow) => {
        const clock = measured(hostNow);
        expect(clock.now().toISOString()).toBe(serverNow.toISOString());
        const result = verifyTask(envelope(JSON.stringify(task())), {
          ...options,
          serverNow: clock.now(),
        });
        expect(result.ok).toBe(true);
      },
    );

    it('a slow host clock does not accept a task that expired on the server', () => {
      const clock = measured('2026-12-06T07:00:00Z');
      const expired = envelope(JSON.stringify(task({ notAfter: '2026-12-06T09:30:00Z' })));
      // The host's own clock (07:00) would have accepted it.
      expect(
        verifyTask(expired, { ...options, serverNow: new Date('2026-12-06T07:00:00Z') }).ok,
      ).toBe(true);
      expect(verifyTask(expired, { ...options, serverNow: clock.now() })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^the task expired at 2026-12-06T09:30:00Z/) as unknown,
      });
    });
  });
});
