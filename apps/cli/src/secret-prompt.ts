/**
 * Asking for a password on a terminal without echoing it: standard input in raw mode, the
 * prompt on standard error, one line read character by character (Backspace erases, Ctrl-C
 * and Ctrl-D give up). Only used when standard input is a terminal.
 */
import { stdin, stderr } from 'node:process';

export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

export function promptSecret(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let secret = '';
    const wasRaw = stdin.isRaw;
    // Echo off before the prompt shows: what is typed from then on is never displayed.
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stderr.write(prompt);
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (error !== undefined) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new PromptCancelled());
        if (char === '\u007f' || char === '\b') secret = [...secret].slice(0, -1).join('');
        else if (char >= ' ') secret += char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
