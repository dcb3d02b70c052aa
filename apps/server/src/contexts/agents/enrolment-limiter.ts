/**
 * Enrolment throttling, like login throttling (docs/adr/0009-login-throttling-tokens-callers.md):
 * failed enrolments (an unknown, expired, spent or revoked token) counted per address in a
 * sliding window with the injected clock; at the limit the address is refused (429) until the
 * window moves on. Successes are not counted, so a fleet enrolling from one NAT address is
 * never slowed. Per process, bounded in memory.
 */
import type { Clock } from '../../clock.ts';

export interface EnrolmentLimits {
  readonly windowMs: number;
  /** Failures from one address before it is refused. */
  readonly perIp: number;
  /** Addresses kept at most; the oldest are forgotten first. */
  readonly maxKeys: number;
}

export const defaultEnrolmentLimits: EnrolmentLimits = {
  windowMs: 15 * 60 * 1000,
  perIp: 20,
  maxKeys: 100_000,
};

export class EnrolmentLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: EnrolmentLimits = defaultEnrolmentLimits,
  ) {}

  #recent(ip: string): number[] {
    const since = this.clock.now().getTime() - this.limits.windowMs;
    const recent = (this.#failures.get(ip) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(ip);
    else this.#failures.set(ip, recent);
    return recent;
  }

  /** Seconds until this address may try again, or 0 when it may now. */
  retryAfterSeconds(ip: string): number {
    const recent = this.#recent(ip);
    if (recent.length < this.limits.perIp) return 0;
    const oldest = recent[recent.length - this.limits.perIp] ?? 0;
    const wait = oldest + this.limits.windowMs - this.clock.now().getTime();
    return Math.max(1, Math.ceil(wait / 1000));
  }

  fail(ip: string): void {
    const recent = this.#recent(ip);
    recent.push(this.clock.now().getTime());
    this.#failures.delete(ip);
    this.#failures.set(ip, recent.slice(-this.limits.perIp));
    while (this.#failures.size > this.limits.maxKeys) {
      const first = this.#failures.keys().next();
      if (first.done === true) break;
      this.#failures.delete(first.value);
    }
  }
}
