/**
 * Command dispatch. `run` never exits the process: it returns the exit code. Commands come
 * from the command table and are loaded only when they run.
 */
import { asksForHelp, commandTable, findCommand } from './command-table.ts';
import type { ServerProcess } from './commands/server.ts';
import type { CliIo, ExitCode } from './io.ts';
import { exitCodes, UsageError } from './io.ts';
import { RemoteError } from './remote/errors.ts';
import { toolVersion } from './version.ts';

export const exitCodeHelp = `Exit codes: 0 success / no finding at the --fail-on level, 1 findings at or above it
(or a broken audit chain), 2 usage, input or connection error, 3 internal error (a bug),
4 the server refused: your user or token lacks the permission (HTTP 403).
`;

/** The longest command name sets the column: "notifications" ran into its summary. */
const nameWidth = Math.max(...commandTable.map((c) => c.name.length));

export const mainHelp = `patchgate ${toolVersion}: from a published advisory to every affected host fixed.

Usage: patchgate <command> [options]

Commands:
${commandTable.map((c) => `  ${c.name.padEnd(nameWidth)}  ${c.summary}`).join('\n')}

Run "patchgate <command> --help" for a command's options.
${exitCodeHelp}`;

export async function run(
  argv: readonly string[],
  io: CliIo,
  processHooks?: ServerProcess,
): Promise<ExitCode> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr.write(mainHelp);
        return exitCodes.usage;
      case '--help':
      case '-h':
      case 'help': {
        const entry = args[0] === undefined ? undefined : findCommand(args[0]);
        io.stdout.write(entry === undefined ? mainHelp : (await entry.load()).help);
        return exitCodes.ok;
      }
      case '--version':
      case '-V':
        io.stdout.write(`${toolVersion}\n`);
        return exitCodes.ok;
    }
    const entry = findCommand(command);
    if (entry === undefined)
      throw new UsageError(`unknown command "${command}" (try "patchgate --help")`);
    const module = await entry.load();
    if (asksForHelp(args)) {
      io.stdout.write(module.help);
      return exitCodes.ok;
    }
    return await module.run([...args], io, processHooks);
  } catch (error) {
    if (error instanceof RemoteError && error.status === 403) {
      io.stderr.write(`patchgate: ${error.message}\n`);
      return exitCodes.forbidden;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`patchgate: ${error.message}\n`);
      return exitCodes.usage;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOENT') {
      io.stderr.write(`patchgate: ${(error as Error).message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
}
