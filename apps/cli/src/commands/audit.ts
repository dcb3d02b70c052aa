/**
 * `patchgate audit list|verify|checkpoint`: read the server's audit log; recompute its hash chain
 * and check it against the signed checkpoints kept outside the database; have the server sign
 * the chain's head now.
 */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, pageFooter, writeTable } from '../remote/listing.ts';
import { findUser } from '../remote/users.ts';

export const auditHelp = `Usage:
  patchgate audit list [--action <a>] [--subject-type <t>] [--subject-id <id>]
                       [--actor <username>] [--since <time>] [--until <time>]
                       [--limit <n>] [--cursor <c>] [--server <url>] [--json]
  patchgate audit verify [--server <url>] [--json]
  patchgate audit checkpoint [--server <url>] [--json]

list        Prints audit events oldest first (--action e.g. finding.triaged,
            user.login_failed; --subject-type e.g. asset; --since/--until as YYYY-MM-DD or
            ISO 8601 times), a page at a time.
verify      Recomputes the server's append-only audit log chain (every event's SHA-256 covers
            the previous one) and checks it against the checkpoints: chain heads the server
            signs (Ed25519, with a key kept outside the database) into a checkpoint file, at
            start, periodically and on demand. Deleting the last events, or rewriting a row and
            every hash after it, is detected up to the last checkpoint; events after it are
            protected by the chain alone (the server's audit readme explains the trust model).
            Exit 0 when everything holds, 1 when an event was changed, removed or reordered or
            a checkpoint does not verify (the first problem is named).
checkpoint  Signs the chain's current head now; exit 1 if the log does not verify (nothing is
            signed then).
All need audit:read (exit 4 without it); 2 on a usage or connection error.
`;

export async function auditCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(auditHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'list') return list(rest, io);
  if (sub === 'verify' || sub === 'checkpoint') return verifyOrCheckpoint(sub, rest, io);
  throw new UsageError(`audit: unknown subcommand "${sub}"\n\n${auditHelp}`);
}

function timeOption(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time))
    throw new UsageError(
      `--${option} must be a date YYYY-MM-DD or an ISO 8601 time (got "${value}")`,
    );
  return new Date(time).toISOString();
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('audit list', args, {
    server: { type: 'string' },
    action: { type: 'string' },
    'subject-type': { type: 'string' },
    'subject-id': { type: 'string' },
    actor: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const limit = limitOption(values.limit, 1000);
  const since = timeOption('since', values.since);
  const until = timeOption('until', values.until);
  if (values.cursor !== undefined && !/^\d+$/.test(values.cursor))
    throw new UsageError(
      `--cursor must be the value a previous page printed (got "${values.cursor}")`,
    );
  const { client, server } = remoteClient(io, values);
  const actorId =
    values.actor === undefined ? undefined : (await findUser(client, server, values.actor)).id;
  const query = {
    ...(values.action !== undefined && { action: values.action }),
    ...(values['subject-type'] !== undefined && { subjectType: values['subject-type'] }),
    ...(values['subject-id'] !== undefined && { subjectId: values['subject-id'] }),
    ...(actorId !== undefined && { actorId }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
    ...(values.cursor !== undefined && { afterSeq: Number(values.cursor) }),
    ...(limit !== undefined && { limit }),
  };
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/audit/events', { params: { query } })),
    'audit event list',
  );
  const nextCursor = page.nextAfterSeq === null ? null : String(page.nextAfterSeq);
  if (values.json === true) {
    io.stdout.write(JSON.stringify({ ...page, nextCursor }, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['seq', 'time', 'actor', 'action', 'subject', 'address'],
    page.events.map((e) => [
      String(e.seq),
      e.occurredAt.slice(0, 19).replace('T', ' '),
      `${e.actor.name} (${e.actor.type})`,
      e.action,
      e.subject.id === null ? e.subject.type : `${e.subject.type} ${e.subject.id}`,
      e.ip ?? '-',
    ]),
  );
  io.stdout.write(pageFooter('events', page.events.length, { nextCursor }));
  return exitCodes.ok;
}

async function verifyOrCheckpoint(
  sub: 'verify' | 'checkpoint',
  rest: string[],
  io: CliIo,
): Promise<ExitCode> {
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
      `${checkpoints.count} signed checkpoints (key ${checkpoints.keyId ?? '?'}); the last, ${checkpoints.last.number}, ${checkpoints.last.seq === 0 ? 'was taken before the first event' : `covers events 1–${checkpoints.last.seq}`} (${checkpoints.last.takenAt}); ${checkpoints.eventsAfterLast} events after it rest on the chain alone\n`,
    );
  return result.ok ? exitCodes.ok : exitCodes.findings;
}
