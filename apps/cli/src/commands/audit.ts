/** `patchgate audit list|verify`: read the server's audit log; recompute its hash chain. */
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

list prints audit events oldest first (--action e.g. finding.triaged, user.login_failed;
--subject-type e.g. asset; --since/--until as YYYY-MM-DD or ISO 8601 times), a page at a
time. verify recomputes the append-only log's chain (every event's SHA-256 covers the
previous one): exit 0 when it holds, 1 when an event was changed, removed or reordered (the
first broken event is named). Both need audit:read (exit 4 without it); 2 on a usage or
connection error.
`;

export async function auditCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(auditHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'list') return list(rest, io);
  if (sub === 'verify') return verify(rest, io);
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

async function verify(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('audit verify', args, {
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
