/**
 * The test clock, the one copy every test uses: time moves only when the test says so, so no
 * test sleeps or races the wall clock. Structurally a `Clock` (`now(): Date`) of the server.
 */
export interface TestClock {
  now(): Date;
  /** Jump to an instant (ISO 8601). */
  set(iso: string): void;
  /** Move forward by milliseconds. */
  advance(ms: number): void;
}

export function testClock(start = '2026-11-22T09:00:00.000Z'): TestClock {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    set: (iso) => {
      now = Date.parse(iso);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
