/**
 * `patchgate agent run|init-root|status|version`: the host agent inside the CLI, with the same
 * arguments as the standalone `patchgate-agent` executable (apps/agent/src/cli.ts).
 */
import { agentExitCodes, agentHelpFor, agentMain } from '@patchgate/agent/cli';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes } from '../io.ts';
import type { ServerProcess } from './server.ts';

export const agentHelp = agentHelpFor('patchgate agent');

export async function agentCommand(
  args: string[],
  io: CliIo,
  processHooks?: ServerProcess,
): Promise<ExitCode> {
  const stop = new AbortController();
  void processHooks?.stopSignal.then((signal) => stop.abort(new Error(`${signal} received`)));
  const code = await agentMain(
    args,
    { stdout: io.stdout, stderr: io.stderr, env: io.env, stop: stop.signal },
    'patchgate agent',
  );
  switch (code) {
    case agentExitCodes.ok:
      return exitCodes.ok;
    case agentExitCodes.failed:
      return exitCodes.findings;
    case agentExitCodes.internal:
      return exitCodes.internal;
    default:
      // usage, and "not enrolled / revoked" (78 in the standalone executable)
      return exitCodes.usage;
  }
}
