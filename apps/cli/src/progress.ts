import type { CliIo } from './io.ts';

/**
 * Progress on standard error for long steps: silent for the first second (a quick scan
 * prints nothing extra), then one line at most every second; on a terminal the line is
 * rewritten in place.
 */
export class Progress {
  private readonly started: number;
  private lastShown = -Infinity;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly quiet: boolean,
  ) {
    this.started = io.now();
  }

  /**
   * `message` may be a function: it is called only when the line is due, so a caller that
   * reports every record (tens of thousands) does not format a number for each.
   */
  update(message: string | (() => string)): void {
    if (this.quiet) return;
    const now = this.io.now();
    if (now - this.started < 1000 || now - this.lastShown < 1000) return;
    this.lastShown = now;
    this.shown = true;
    if (typeof message === 'function') message = message();
    this.io.stderr.write(this.io.stderr.isTTY === true ? `\r\x1b[K${message}…` : `${message}…\n`);
  }

  done(message: string): void {
    if (this.quiet || !this.shown) return;
    const seconds = ((this.io.now() - this.started) / 1000).toFixed(1);
    this.io.stderr.write(
      `${this.io.stderr.isTTY === true ? '\r\x1b[K' : ''}${message} in ${seconds} s\n`,
    );
  }
}
