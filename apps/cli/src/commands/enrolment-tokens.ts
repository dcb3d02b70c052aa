/** `patchgate enrolment-tokens create|list|revoke`: one-time tokens agents enrol with. */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { writeTable } from '../remote/listing.ts';

export const enrolmentTokensHelp = `Usage:
  patchgate enrolment-tokens create [--expires <24h|7d|90m>] [--uses <n>] [--environment <env>]
                                    [--group <group>]… [--description <text>] [--server <url>] [--json]
  patchgate enrolment-tokens list [--state active|expired|spent|revoked] [--server <url>] [--json]
  patchgate enrolment-tokens revoke <id> [--server <url>] [--json]

An agent enrols once with a token (patchgate agent run --enroll-token …) and gets its own
credential. create prints the token once (it is stored only as a hash); by default it expires
in 24 hours and enrols one agent. An asset the enrolment creates gets --environment and the
--group(s). create and revoke need agents:manage (exit 4 without it).
`;

export async function enrolmentTokensCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(enrolmentTokensHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'create') return create(rest, io);
  if (sub === 'list') return list(rest, io);
  if (sub === 'revoke') return revoke(rest, io);
  throw new UsageError(`enrolment-tokens: unknown subcommand "${sub}"\n\n${enrolmentTokensHelp}`);
}

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `24h`, `7d`, `90m`, `3600s` (or plain seconds) → seconds. */
export function secondsOf(flag: string, text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null)
    throw new UsageError(`--${flag}: expected a duration like 24h, 7d or 90m (got "${text}")`);
  return Number(match[1]) * (units[match[2] || 's'] ?? 1);
}

async function create(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('enrolment-tokens create', args, {
    server: { type: 'string' },
    expires: { type: 'string' },
    uses: { type: 'string' },
    environment: { type: 'string' },
    group: { type: 'string', multiple: true },
    description: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(
      `enrolment-tokens create takes no arguments (got ${positionals.join(' ')})`,
    );
  let uses: number | undefined;
  if (values.uses !== undefined) {
    uses = Number(values.uses);
    if (!Number.isInteger(uses) || uses < 1)
      throw new UsageError(`--uses: expected a whole number ≥ 1 (got "${values.uses}")`);
  }
  const body = {
    ...(values.expires !== undefined && {
      expiresInSeconds: secondsOf('expires', values.expires),
    }),
    ...(uses !== undefined && { uses }),
    ...(values.environment !== undefined && { environment: values.environment }),
    ...(values.group !== undefined && { groups: values.group }),
    ...(values.description !== undefined && { description: values.description }),
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () =>
      // The server checks the environment, the limits and the groups, and names the field.
      client.POST('/api/v1/enrolment-tokens', { body: body as never }),
    ),
    'creating the enrolment token',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(created, null, 2) + '\n');
  else
    io.stdout.write(
      `${created.token}\n` +
        `enrolment token ${created.id}: ${created.usesAllowed} use(s), expires ${created.expiresAt}; it is shown only now\n`,
    );
  return exitCodes.ok;
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('enrolment-tokens list', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(`enrolment-tokens list takes no arguments (got ${positionals.join(' ')})`);
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/enrolment-tokens', {
        params: { query: { ...(values.state !== undefined && { state: values.state as never }) } },
      }),
    ),
    'enrolment token list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'prefix', 'state', 'uses', 'expires', 'environment', 'groups', 'created by'],
    page.tokens.map((t) => [
      t.id,
      t.prefix,
      t.state,
      `${t.uses}/${t.usesAllowed}`,
      t.expiresAt.slice(0, 16),
      t.environment ?? '-',
      t.groups.join(',') || '-',
      t.createdBy,
    ]),
  );
  io.stdout.write(`${page.tokens.length} enrolment token(s)\n`);
  return exitCodes.ok;
}

async function revoke(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('enrolment-tokens revoke', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError('enrolment-tokens revoke takes one token id');
  const { client, server } = remoteClient(io, values);
  expectOk(
    await reachable(server, () =>
      client.DELETE('/api/v1/enrolment-tokens/{id}', { params: { path: { id } } }),
    ),
    'revoking the enrolment token',
  );
  if (values.json === true) io.stdout.write(JSON.stringify({ revoked: id }, null, 2) + '\n');
  else io.stdout.write(`revoked enrolment token ${id}\n`);
  return exitCodes.ok;
}
