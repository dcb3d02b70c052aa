/**
 * The server's clock as this agent sees it. Every answer from the server carries `serverTime`;
 * the agent keeps `offset = serverTime − local midpoint of the request`, so task expiry is judged
 * on the server's clock: a host whose clock is hours off neither runs an expired task nor
 * refuses a fresh one. Until the first measurement the offset is 0 (the local clock).
 */
export class ServerClock {
  #offsetMs = 0;
  #measured = false;

  constructor(private readonly localNow: () => number = Date.now) {}

  /** Records one measurement: `serverTime` from an answer to a request sent at `sentAtMs`. */
  observe(serverTime: string, sentAtMs: number, receivedAtMs: number = this.localNow()): void {
    const server = Date.parse(serverTime);
    if (Number.isNaN(server)) return;
    this.#offsetMs = server - (sentAtMs + receivedAtMs) / 2;
    this.#measured = true;
  }

  /** Milliseconds to add to the local clock to get the server's. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  get measured(): boolean {
    return this.#measured;
  }

  /** Now, on the server's clock. */
  now(): Date {
    return new Date(this.localNow() + this.#offsetMs);
  }
}
