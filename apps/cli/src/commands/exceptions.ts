/**
 * `patchgate exceptions list|request|approve|reject|revoke`: risk acceptance of a finding for
 * a while, requested by one person and decided by another (every step audited).
 */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, pageFooter, writeTable } from '../remote/listing.ts';

export const exceptionsHelp = `Usage:
  patchgate exceptions list [--state requested,approved,rejected,expired,revoked]
                            [--finding <finding id>] [--limit <n>] [--cursor <c>]
                            [--server <url>] [--json]
  patchgate exceptions request <finding id> --owner <team or person> --reason <text>
                               --expires <YYYY-MM-DD or ISO 8601> [--server <url>] [--json]
  patchgate exceptions approve <exception id> [--note <text>] [--server <url>] [--json]
  patchgate exceptions reject <exception id> [--note <text>] [--server <url>] [--json]
  patchgate exceptions revoke <exception id> [--note <text>] [--server <url>] [--json]

An approved exception accepts a finding's risk until it expires (at most a year): the finding
stays listed but no longer counts as actionable. request needs exceptions:request; approve
and reject need exceptions:approve and cannot be done by the requester; revoke is open to the
requester and to approvers. Without the permission the server refuses (exit 4).
`;

const decisions = ['approve', 'reject', 'revoke'] as const;
type Decision = (typeof decisions)[number];

export async function exceptionsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(exceptionsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'list') return list(rest, io);
  if (sub === 'request') return request(rest, io);
  if ((decisions as readonly string[]).includes(sub)) return decide(sub as Decision, rest, io);
  throw new UsageError(`exceptions: unknown subcommand "${sub}"\n\n${exceptionsHelp}`);
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('exceptions list', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    finding: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const limit = limitOption(values.limit, 500);
  const { client, server } = remoteClient(io, values);
  const query = {
    ...(values.state !== undefined && { state: values.state }),
    ...(values.finding !== undefined && { findingId: values.finding }),
    ...(values.cursor !== undefined && { cursor: values.cursor }),
    ...(limit !== undefined && { limit }),
  };
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/finding-exceptions', { params: { query: query as never } }),
    ),
    'exception list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'state', 'advisory', 'owner', 'expires', 'requested by', 'decided by', 'reason'],
    page.exceptions.map((e) => [
      e.id,
      e.state,
      e.advisoryId,
      e.owner,
      e.expiresAt.slice(0, 10),
      e.requestedBy.name,
      e.decidedBy?.name ?? '-',
      e.reason.length > 60 ? `${e.reason.slice(0, 59)}…` : e.reason,
    ]),
  );
  io.stdout.write(
    pageFooter('exceptions', page.exceptions.length, { nextCursor: page.nextCursor }),
  );
  return exitCodes.ok;
}

/** `--expires 2027-03-01` means the end of that day, UTC; a full ISO 8601 time is kept as is. */
export function expiryOption(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)))
    return `${value}T23:59:59Z`;
  if (Number.isNaN(Date.parse(value)))
    throw new UsageError(
      `--expires must be a date YYYY-MM-DD or an ISO 8601 time (got "${value}")`,
    );
  return value;
}

async function request(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('exceptions request', args, {
    server: { type: 'string' },
    owner: { type: 'string' },
    reason: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  });
  const findingId = positionals[0];
  if (findingId === undefined || positionals.length > 1)
    throw new UsageError('exceptions request takes one finding id');
  if (values.owner === undefined || values.reason === undefined || values.expires === undefined)
    throw new UsageError('exceptions request: --owner, --reason and --expires are required');
  const body = {
    owner: values.owner,
    reason: values.reason,
    expiresAt: expiryOption(values.expires),
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/findings/{id}/exceptions', {
        params: { path: { id: findingId } },
        body,
      }),
    ),
    'requesting the exception',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(created, null, 2) + '\n');
  else
    io.stdout.write(
      `requested exception ${created.id} for ${created.advisoryId} until ${created.expiresAt}; an approver decides it\n`,
    );
  return exitCodes.ok;
}

async function decide(decision: Decision, args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`exceptions ${decision}`, args, {
    server: { type: 'string' },
    note: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError(`exceptions ${decision} takes one exception id`);
  const { client, server } = remoteClient(io, values);
  const options = {
    params: { path: { id } },
    body: values.note === undefined ? {} : { note: values.note },
  };
  const decided = expectOk(
    await reachable(server, () =>
      decision === 'approve'
        ? client.POST('/api/v1/finding-exceptions/{id}/approve', options)
        : decision === 'reject'
          ? client.POST('/api/v1/finding-exceptions/{id}/reject', options)
          : client.POST('/api/v1/finding-exceptions/{id}/revoke', options),
    ),
    `${decision} of exception ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(decided, null, 2) + '\n');
  else io.stdout.write(`exception ${decided.id} (${decided.advisoryId}): ${decided.state}\n`);
  return exitCodes.ok;
}
