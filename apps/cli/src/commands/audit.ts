/** `patchgate audit verify`: ask the server to recompute the audit log's hash chain. */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

export const auditHelp = `Usage: patchgate audit verify [--server <url>] [--json]

Recomputes the server's append-only audit log chain (every event's SHA-256 covers the
previous one). Exit 0 when the chain holds, 1 when an event was changed, removed or
reordered (the first broken event is named), 2 on a usage or connection error.
`;

export async function auditCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(auditHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub !== 'verify') throw new UsageError(`audit: unknown subcommand "${sub}"\n\n${auditHelp}`);
  const { values } = parseCommandArgs('audit verify', rest, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  const result = expectOk(
    await reachable(server, () => client.GET('/api/v1/audit/verification')),
    'audit verification',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (result.ok)
    io.stdout.write(`audit chain intact: ${result.events} events, last hash ${result.lastHash}\n`);
  else
    io.stdout.write(
      `audit chain BROKEN at event ${result.brokenAt?.seq}: ${result.brokenAt?.reason} (${result.events} events verified before it)\n`,
    );
  return result.ok ? exitCodes.ok : exitCodes.findings;
}
