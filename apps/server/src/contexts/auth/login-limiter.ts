/**
 * Login throttling: failed logins counted in a sliding window per key, with the injected clock
 * (tests move the clock instead of sleeping). It lives in the server process's memory, so each
 * process counts on its own and a restart forgets (docs/adr/0008-roles-and-permissions.md).
 *
 * Three keys, as OWASP's Authentication Cheat Sheet ("Login Throttling") suggests: the pair
 * IP + username (one guesser, one account), the IP alone (one guesser spraying many accounts)
 * and the username alone (many IPs guessing one account; its higher limit keeps a single
 * attacker from locking a user out).
 */
import type { Clock } from '../../clock.ts';

export interface LoginLimits {
  /** Window length in milliseconds. */
  readonly windowMs: number;
  readonly perIpAndUsername: number;
  readonly perIp: number;
  readonly perUsername: number;
  /** Keys kept at most; the oldest are forgotten first (memory stays bounded under a flood). */
  readonly maxKeys: number;
}

export const defaultLoginLimits: LoginLimits = {
  windowMs: 15 * 60 * 1000,
  perIpAndUsername: 10,
  perIp: 50,
  perUsername: 100,
  maxKeys: 100_000,
};

export type LoginCheck =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Key {
  readonly key: string;
  readonly limit: number;
}

export class LoginLimiter {
  /** Failure times (ms) per key, oldest first, at most `limit` kept. */
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginLimits = defaultLoginLimits,
  ) {}

  #keys(ip: string, username: string): Key[] {
    return [
      { key: `pair\u0000${ip}\u0000${username}`, limit: this.limits.perIpAndUsername },
      { key: `ip\u0000${ip}`, limit: this.limits.perIp },
      { key: `user\u0000${username}`, limit: this.limits.perUsername },
    ];
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (times === undefined) return [];
    const recent = times.filter((t) => t > now - this.limits.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else if (recent.length !== times.length) this.#failures.set(key, recent);
    return recent;
  }

  /** May this attempt go ahead? When not, how long until the oldest counted failure expires. */
  check(ip: string, username: string): LoginCheck {
    const now = this.clock.now().getTime();
    let wait = 0;
    for (const { key, limit } of this.#keys(ip, username)) {
      const recent = this.#recent(key, now);
      if (recent.length >= limit) {
        // The attempt is allowed again once enough failures have left the window.
        const oldestCounted = recent[recent.length - limit] ?? now;
        wait = Math.max(wait, oldestCounted + this.limits.windowMs - now);
      }
    }
    return wait > 0
      ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) }
      : { allowed: true };
  }

  recordFailure(ip: string, username: string): void {
    const now = this.clock.now().getTime();
    for (const { key, limit } of this.#keys(ip, username)) {
      const recent = this.#recent(key, now);
      recent.push(now);
      // Re-insert so Map order is least-recently-failed first, for eviction.
      this.#failures.delete(key);
      this.#failures.set(key, recent.slice(-limit));
    }
    while (this.#failures.size > this.limits.maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  /** A successful login forgets the pair's failures (not the IP's or the username's). */
  recordSuccess(ip: string, username: string): void {
    const pair = this.#keys(ip, username)[0];
    if (pair !== undefined) this.#failures.delete(pair.key);
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get size(): number {
    return this.#failures.size;
  }
}
