/**
 * Login throttling: failed logins counted in a sliding window per key, with the injected clock
 * (tests move the clock instead of sleeping). It lives in the server process's memory, so each
 * process counts on its own and a restart forgets (docs/adr/0009-login-throttling-tokens-callers.md).
 *
 * Keys, after OWASP's Authentication Cheat Sheet ("Login Throttling", "Account Lockout"):
 * - the pair address + account (one guesser, one account): refused (429) at its limit;
 * - the address alone (one guesser spraying many accounts): refused (429) at its limit;
 * - the account alone (many addresses guessing one account): never refused, only **slowed**.
 *   Refusing it would hand anyone who knows a username the power to lock its owner out (that
 *   was issue 7's attack: 100 failures from 10 addresses locked the admin out everywhere). An
 *   attacked account answers every attempt after a delay that grows with its failures, up to a
 *   cap; its owner, from an address that has not failed, still gets in.
 */
import type { Clock } from '../../clock.ts';

export interface LoginLimits {
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** Failures of one account from one address before that pair is refused. */
  readonly perIpAndUsername: number;
  /** Failures from one address (any accounts) before that address is refused. */
  readonly perIp: number;
  /** Failures of one account (any addresses) before its attempts are slowed. */
  readonly slowAfterPerUsername: number;
  /** The delay added per failure beyond `slowAfterPerUsername`, in milliseconds. */
  readonly delayStepMs: number;
  /** The longest delay, in milliseconds. */
  readonly maxDelayMs: number;
  /** At most one throttling audit event per key in this many milliseconds (the rest counted). */
  readonly auditEveryMs: number;
  /** Keys kept at most; the oldest are forgotten first (memory stays bounded under a flood). */
  readonly maxKeys: number;
}

export const defaultLoginLimits: LoginLimits = {
  windowMs: 15 * 60 * 1000,
  perIpAndUsername: 10,
  perIp: 50,
  slowAfterPerUsername: 10,
  delayStepMs: 200,
  maxDelayMs: 3000,
  auditEveryMs: 60 * 1000,
  maxKeys: 100_000,
};

/** Which limit refused an attempt. */
export type ThrottleScope = 'address_and_account' | 'address';

export type LoginCheck =
  | {
      readonly allowed: true;
      /** Wait this long before answering (0 unless the account is under attack). */
      readonly delayMs: number;
    }
  | {
      readonly allowed: false;
      readonly scope: ThrottleScope;
      readonly retryAfterSeconds: number;
      /**
       * Whether this refusal should be audited: the first of its key in each `auditEveryMs`,
       * so a flood of refused attempts cannot flood the audit log.
       */
      readonly audit: boolean;
      /** Refusals of this key not audited since the last audited one. */
      readonly unaudited: number;
    };

interface Key {
  readonly key: string;
  readonly limit: number;
  readonly scope: ThrottleScope;
}

export class LoginLimiter {
  /** Failure times (ms) per key, oldest first, at most the key's limit kept. */
  readonly #failures = new Map<string, number[]>();
  /** Per refusing key: when its last refusal was audited and how many were not since. */
  readonly #refusals = new Map<string, { auditedAt: number; unaudited: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginLimits = defaultLoginLimits,
  ) {}

  #refusingKeys(ip: string, username: string): Key[] {
    return [
      {
        key: `pair\u0000${ip}\u0000${username}`,
        limit: this.limits.perIpAndUsername,
        scope: 'address_and_account',
      },
      { key: `ip\u0000${ip}`, limit: this.limits.perIp, scope: 'address' },
    ];
  }

  #accountKey(username: string): Key {
    return {
      key: `user\u0000${username}`,
      // Kept long enough to reach the largest delay.
      limit:
        this.limits.slowAfterPerUsername +
        Math.ceil(this.limits.maxDelayMs / Math.max(1, this.limits.delayStepMs)),
      scope: 'address',
    };
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (times === undefined) return [];
    const recent = times.filter((t) => t > now - this.limits.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else if (recent.length !== times.length) this.#failures.set(key, recent);
    return recent;
  }

  /** May this attempt go ahead, and after what delay? When not, for how long and why. */
  check(ip: string, username: string): LoginCheck {
    const now = this.clock.now().getTime();
    let refusal: { key: string; scope: ThrottleScope; wait: number } | undefined;
    for (const { key, limit, scope } of this.#refusingKeys(ip, username)) {
      const recent = this.#recent(key, now);
      if (recent.length >= limit) {
        // The attempt is allowed again once enough failures have left the window.
        const oldestCounted = recent[recent.length - limit] ?? now;
        const wait = oldestCounted + this.limits.windowMs - now;
        if (refusal === undefined || wait > refusal.wait) refusal = { key, scope, wait };
      }
    }
    if (refusal !== undefined) {
      const seen = this.#refusals.get(refusal.key);
      const audit = seen === undefined || now - seen.auditedAt >= this.limits.auditEveryMs;
      const unaudited = seen === undefined ? 0 : seen.unaudited;
      this.#refusals.delete(refusal.key);
      this.#refusals.set(
        refusal.key,
        audit || seen === undefined
          ? { auditedAt: now, unaudited: 0 }
          : { auditedAt: seen.auditedAt, unaudited: unaudited + 1 },
      );
      this.#bound(this.#refusals);
      return {
        allowed: false,
        scope: refusal.scope,
        retryAfterSeconds: Math.max(1, Math.ceil(refusal.wait / 1000)),
        audit,
        unaudited: audit ? unaudited : 0,
      };
    }
    const failures = this.#recent(this.#accountKey(username).key, now).length;
    const over = failures - this.limits.slowAfterPerUsername;
    return {
      allowed: true,
      delayMs: over <= 0 ? 0 : Math.min(this.limits.maxDelayMs, over * this.limits.delayStepMs),
    };
  }

  /**
   * Check an attempt and, when it may go ahead, count it as a failure at once (returning when):
   * concurrent guesses then cannot all pass the check before any of them is counted. A
   * success takes its count back (`recordSuccess` with that time).
   */
  reserve(ip: string, username: string): LoginCheck & { readonly reservedAt?: number } {
    const check = this.check(ip, username);
    if (!check.allowed) return check;
    return { ...check, reservedAt: this.recordFailure(ip, username) };
  }

  /** Count a failed attempt now; returns its time (ms). */
  recordFailure(ip: string, username: string): number {
    const now = this.clock.now().getTime();
    for (const { key, limit } of [
      ...this.#refusingKeys(ip, username),
      this.#accountKey(username),
    ]) {
      const recent = this.#recent(key, now);
      recent.push(now);
      // Re-insert so Map order is least-recently-failed first, for eviction.
      this.#failures.delete(key);
      this.#failures.set(key, recent.slice(-limit));
    }
    this.#bound(this.#failures);
    return now;
  }

  /**
   * A successful login forgets the pair's failures, and takes back the attempt reserved at
   * `reservedAt` from the address's and the account's counts (their other failures stay).
   */
  recordSuccess(ip: string, username: string, reservedAt?: number): void {
    const [pair, address] = this.#refusingKeys(ip, username);
    if (pair !== undefined) this.#failures.delete(pair.key);
    if (reservedAt === undefined) return;
    for (const key of [address?.key, this.#accountKey(username).key]) {
      const times = key === undefined ? undefined : this.#failures.get(key);
      const index = times?.lastIndexOf(reservedAt) ?? -1;
      if (times !== undefined && index >= 0) times.splice(index, 1);
    }
  }

  #bound(map: Map<string, unknown>): void {
    while (map.size > this.limits.maxKeys) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get size(): number {
    return this.#failures.size;
  }
}
