/** Command dispatch. `run` never exits the process: it returns the exit code. */
import { advisoriesCommand } from './commands/advisories.ts';
import { assetsCommand } from './commands/assets.ts';
import { auditCommand } from './commands/audit.ts';
import { findingsCommand } from './commands/findings.ts';
import { loginCommand } from './commands/login.ts';
import { cvssCommand } from './commands/cvss.ts';
import type { ServerProcess } from './commands/server.ts';
import { serverCommand } from './commands/server.ts';
import { inventoryCommand } from './commands/inventory.ts';
import { scanCommand, scanHelp } from './commands/scan.ts';
import { versionsCommand } from './commands/versions.ts';
import type { CliIo, ExitCode } from './io.ts';
import { exitCodes, UsageError } from './io.ts';
import { toolVersion } from './version.ts';

export const mainHelp = `patchgate ${toolVersion}: from a published advisory to every affected host fixed.

Usage: patchgate <command> [options]

Commands:
  scan        match inventories against OSV advisories and print findings
  versions    compare versions under an ecosystem's rules; list the schemes
  inventory   show what an inventory file contains; list the formats
  advisories  a server's advisory sources and syncs; OSV from Debian changelogs
  cvss        score CVSS v2, v3.0, v3.1 and v4.0 vectors
  server      start the Patchgate server (embedded database by default)
  login       log in to a server and save an API token for the commands below
  audit       verify the server's audit chain
  assets      import, list assets on a server; upload their inventories
  findings    list a server's prioritised findings; record their triage

Run "patchgate <command> --help" for a command's options.
Exit codes: 0 success / no finding at the --fail-on level, 1 findings at or above it,
2 usage or input error, 3 internal error (a bug).
`;

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
      case 'help':
        io.stdout.write(args[0] === 'scan' ? scanHelp : mainHelp);
        return exitCodes.ok;
      case '--version':
      case '-V':
        io.stdout.write(`${toolVersion}\n`);
        return exitCodes.ok;
      case 'scan':
        return await scanCommand(args, io);
      case 'versions':
        return await versionsCommand(args, io);
      case 'inventory':
        return inventoryCommand(args, io);
      case 'advisories':
        return await advisoriesCommand(args, io);
      case 'cvss':
        return await cvssCommand(args, io);
      case 'login':
        return await loginCommand(args, io);
      case 'audit':
        return await auditCommand(args, io);
      case 'assets':
        return await assetsCommand(args, io);
      case 'findings':
        return await findingsCommand(args, io);
      case 'server':
        if (processHooks === undefined) throw new UsageError('server: needs a process to run in');
        return await serverCommand(args, io, processHooks);
      default:
        throw new UsageError(`unknown command "${command}" (try "patchgate --help")`);
    }
  } catch (error) {
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
