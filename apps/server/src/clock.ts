/** The server's clock, injected everywhere time matters, so tests need no sleeps. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** ISO 8601 in UTC with milliseconds: sorts as text, the same on SQLite and PostgreSQL. */
export function timestamp(clock: Clock): string {
  return clock.now().toISOString();
}
