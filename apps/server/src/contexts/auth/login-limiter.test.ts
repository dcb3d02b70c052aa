import { describe, expect, it } from 'vitest';
import type { LoginLimits } from './login-limiter.ts';
import { LoginLimiter } from './login-limiter.ts';
import { testClock } from '@patchgate/testing';

const limits: LoginLimits = {
  windowMs: 60_000,
  perIpAndUsername: 3,
  perIp: 5,
  slowAfterPerUsername: 4,
  delayStepMs: 100,
  maxDelayMs: 350,
  auditEveryMs: 10_000,
  maxKeys: 1000,
};

/** The shared test clock, started `ms` after the epoch. */
const clockAt = (ms: number) => testClock(new Date(ms).toISOString());

type Attempt = readonly [ip: string, username: string];

describe('LoginLimiter', () => {
  it.each<{ name: string; failures: Attempt[]; next: Attempt; allowed: boolean }>([
    {
      name: 'allows below the pair limit',
      failures: [
        ['10.0.0.1', 'alice'],
        ['10.0.0.1', 'alice'],
      ],
      next: ['10.0.0.1', 'alice'],
      allowed: true,
    },
    {
      name: 'blocks the pair at its limit',
      failures: Array.from({ length: 3 }, (): Attempt => ['10.0.0.1', 'alice']),
      next: ['10.0.0.1', 'alice'],
      allowed: false,
    },
    {
      name: 'does not block the same user from another IP',
      failures: Array.from({ length: 3 }, (): Attempt => ['10.0.0.1', 'alice']),
      next: ['10.0.0.2', 'alice'],
      allowed: true,
    },
    {
      name: 'blocks an IP spraying many usernames',
      failures: ['a', 'b', 'c', 'd', 'e'].map((u): Attempt => ['10.0.0.1', u]),
      next: ['10.0.0.1', 'f'],
      allowed: false,
    },
    {
      name: 'never blocks a username guessed from many IPs (it only slows it)',
      failures: Array.from({ length: 50 }, (_, i): Attempt => [`10.0.1.${i % 25}`, 'alice']),
      next: ['10.0.2.1', 'alice'],
      allowed: true,
    },
  ])('$name', ({ failures, next, allowed }) => {
    const limiter = new LoginLimiter(clockAt(0), limits);
    for (const [ip, username] of failures) limiter.recordFailure(ip, username);
    expect(limiter.check(...next).allowed).toBe(allowed);
  });

  it('slows an attacked account step by step, up to the cap, and forgets with the window', () => {
    const clock = clockAt(0);
    const limiter = new LoginLimiter(clock, limits);
    const delays = [];
    for (let i = 0; i < 10; i++) {
      const check = limiter.check('192.0.2.99', 'alice');
      delays.push(check.allowed ? check.delayMs : 'refused');
      limiter.recordFailure(`10.0.0.${i}`, 'alice');
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 100, 200, 300, 350, 350]);
    // Other accounts are not slowed.
    expect(limiter.check('192.0.2.99', 'bob')).toEqual({ allowed: true, delayMs: 0 });
    clock.advance(60_000);
    expect(limiter.check('192.0.2.99', 'alice')).toEqual({ allowed: true, delayMs: 0 });
  });

  it('says how long to wait, and forgets failures once they leave the window', () => {
    const clock = clockAt(1_000_000);
    const limiter = new LoginLimiter(clock, limits);
    limiter.recordFailure('10.0.0.1', 'alice');
    clock.advance(10_000);
    limiter.recordFailure('10.0.0.1', 'alice');
    limiter.recordFailure('10.0.0.1', 'alice');
    expect(limiter.check('10.0.0.1', 'alice')).toEqual({
      allowed: false,
      scope: 'address_and_account',
      retryAfterSeconds: 50,
      audit: true,
      unaudited: 0,
    });
    clock.advance(49_999);
    expect(limiter.check('10.0.0.1', 'alice')).toMatchObject({
      allowed: false,
      retryAfterSeconds: 1,
    });
    clock.advance(1);
    expect(limiter.check('10.0.0.1', 'alice')).toEqual({ allowed: true, delayMs: 0 });
  });

  it('asks for an audit event once per key and interval, counting the refusals in between', () => {
    const clock = clockAt(0);
    const limiter = new LoginLimiter(clock, { ...limits, windowMs: 600_000 });
    for (let i = 0; i < 3; i++) limiter.recordFailure('10.0.0.1', 'alice');
    const audits = [];
    for (let i = 0; i < 12; i++) {
      const check = limiter.check('10.0.0.1', 'alice');
      if (!check.allowed && check.audit) audits.push({ at: i, unaudited: check.unaudited });
      clock.advance(1000);
    }
    expect(audits).toEqual([
      { at: 0, unaudited: 0 },
      { at: 10, unaudited: 9 },
    ]);
  });

  it('forgets the pair (only) after a success', () => {
    const limiter = new LoginLimiter(clockAt(0), limits);
    for (const ip of ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) {
      limiter.recordFailure(ip, 'alice');
    }
    limiter.recordFailure('10.0.0.1', 'bob');
    limiter.recordSuccess('10.0.0.1', 'alice');
    // The pair starts again, but 10.0.0.1 has now failed five times (the IP limit).
    limiter.recordFailure('10.0.0.1', 'carol');
    limiter.recordFailure('10.0.0.1', 'dave');
    expect(limiter.check('10.0.0.1', 'alice').allowed).toBe(false);
    expect(limiter.check('10.0.0.9', 'alice').allowed).toBe(true);
  });

  it('counts an attempt when it starts, so parallel guesses cannot pass the check together', () => {
    const limiter = new LoginLimiter(clockAt(0), limits);
    // Three guesses in flight at once (none has failed yet): the fourth is refused.
    const inFlight = [1, 2, 3].map(() => limiter.reserve('10.0.0.1', 'alice'));
    expect(inFlight.map((c) => c.allowed)).toEqual([true, true, true]);
    expect(limiter.reserve('10.0.0.1', 'alice').allowed).toBe(false);
  });

  it('takes a reserved attempt back on success, from the address and the account', () => {
    const limiter = new LoginLimiter(clockAt(0), limits);
    for (const user of ['a', 'b', 'c', 'd']) limiter.recordFailure('10.0.0.1', user);
    const check = limiter.reserve('10.0.0.1', 'alice');
    limiter.recordSuccess('10.0.0.1', 'alice', check.reservedAt);
    // Four failures from the address, not five: one more account may be tried.
    expect(limiter.check('10.0.0.1', 'e').allowed).toBe(true);
    limiter.recordFailure('10.0.0.1', 'e');
    expect(limiter.check('10.0.0.1', 'f').allowed).toBe(false);
  });

  it('keeps at most maxKeys keys', () => {
    const limiter = new LoginLimiter(clockAt(0), { ...limits, maxKeys: 10 });
    for (let i = 0; i < 100; i++) limiter.recordFailure(`10.0.0.${i}`, `user${i}`);
    expect(limiter.size).toBe(10);
  });
});
