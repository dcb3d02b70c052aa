/**
 * `patchgate audit verify`: ask the server to recompute the audit log's hash chain and check it
 * against the signed checkpoints kept outside the database; `patchgate audit checkpoint`: have
 * the server sign the chain's head now.
 */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

export const auditHelp = `Usage: patchgate audit verify [--server <url>] [--json]
       patchgate audit checkpoint [--server <url>] [--json]

verify      Recomputes the server's append-only audit log chain (every event's SHA-256 covers
            the previous one) and checks it against the checkpoints: chain heads the server
            signs (Ed25519, with a key kept outside the database) into a checkpoint file, at
            start, periodically and on demand. Deleting the last events, or rewriting a row and
            every hash after it, is detected up to the last checkpoint; events after it are
            protected by the chain alone (the server's audit readme explains the trust model).
            Exit 0 when everything holds, 1 when an event was changed, removed or reordered or
            a checkpoint does not verify (the first problem is named), 2 on a usage or
            connection error.
checkpoint  Signs the chain's current head now (needs audit:read); exit 1 if the log does not
            verify (nothing is signed then).
`;

export async function auditCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(auditHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub !== 'verify' && sub !== 'checkpoint')
    throw new UsageError(`audit: unknown subcommand "${sub}"\n\n${auditHelp}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(auditHelp);
    return exitCodes.ok;
  }
  const { values } = parseCommandArgs(`audit ${sub}`, rest, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  if (sub === 'checkpoint') {
    const response = await reachable(server, () => client.POST('/api/v1/audit/checkpoints'));
    if (response.response.status === 409) {
      const problem = response.error as { detail?: string } | undefined;
      io.stdout.write(
        `no checkpoint signed: ${problem?.detail ?? 'the audit log does not verify'}\n`,
      );
      return exitCodes.findings;
    }
    const taken = expectOk(response, 'audit checkpoint');
    if (values.json === true) io.stdout.write(JSON.stringify(taken, null, 2) + '\n');
    else
      io.stdout.write(
        `checkpoint ${taken.checkpoint.number} signed (key ${taken.keyId}): event ${taken.checkpoint.seq}, hash ${taken.checkpoint.hash}${taken.webhook === undefined ? '' : `; webhook ${taken.webhook}`}\n`,
      );
    return exitCodes.ok;
  }
  const result = expectOk(
    await reachable(server, () => client.GET('/api/v1/audit/verification')),
    'audit verification',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return result.ok ? exitCodes.ok : exitCodes.findings;
  }
  const { checkpoints } = result;
  if (result.brokenAt !== undefined)
    io.stdout.write(
      `audit log BROKEN at event ${result.brokenAt.seq}: ${result.brokenAt.reason} (${result.events} events verified before it)\n`,
    );
  for (const problem of checkpoints.problems) io.stdout.write(`checkpoint problem: ${problem}\n`);
  if (result.ok)
    io.stdout.write(`audit chain intact: ${result.events} events, last hash ${result.lastHash}\n`);
  if (checkpoints.last === null)
    io.stdout.write(
      'no signed checkpoint: deleting the last events or rewriting the chain could not be detected\n',
    );
  else
    io.stdout.write(
      `${checkpoints.count} signed checkpoints (key ${checkpoints.keyId ?? '?'}); the last, ${checkpoints.last.number}, covers events 1–${checkpoints.last.seq} (${checkpoints.last.takenAt}); ${checkpoints.eventsAfterLast} events after it rest on the chain alone\n`,
    );
  return result.ok ? exitCodes.ok : exitCodes.findings;
}
