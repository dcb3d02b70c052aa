/**
 * Where a command gets a password: standard input with --password-stdin (scripts), else a
 * prompt without echo when standard input is a terminal; never an argument (it would show in
 * the process list and the shell history).
 */
import type { CliIo } from '../io.ts';
import { UsageError } from '../io.ts';

export async function readPassword(
  io: CliIo,
  command: string,
  options: { readonly stdin: boolean; readonly prompt: string; readonly confirm?: boolean },
): Promise<string> {
  if (options.stdin) {
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    if (password === '') throw new UsageError(`${command}: no password on standard input`);
    return password;
  }
  if (io.promptSecret === undefined) {
    throw new UsageError(
      `${command}: standard input is not a terminal; pass the password on standard input with --password-stdin (never as an argument)`,
    );
  }
  const password = await io.promptSecret(options.prompt);
  if (password === '') throw new UsageError(`${command}: no password given`);
  if (options.confirm === true && (await io.promptSecret('Again: ')) !== password)
    throw new UsageError(`${command}: the two passwords differ`);
  return password;
}
