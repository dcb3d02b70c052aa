/** `patchgate tokens list|create|revoke`: API tokens, yours (or another user's, for admins). */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import {
  limitOption,
  nextOffset,
  offsetCursor,
  pageFooter,
  writeTable,
} from '../remote/listing.ts';
import { findUser } from '../remote/users.ts';

export const tokensHelp = `Usage:
  patchgate tokens list [--user <username>] [--limit <n>] [--cursor <c>] [--server <url>] [--json]
  patchgate tokens create --name <text> --scopes <permission,…> [--expires-in-days <1..365>]
                          [--server <url>] [--json]
  patchgate tokens revoke <token id|pgt_ prefix> [--user <username>] [--server <url>] [--json]

A token acts for you with at most your permissions (--scopes, e.g. assets:read,findings:read;
"all" for every permission you have). create prints the token once: it is stored only as a
hash. Another user's tokens (--user) need users:manage (exit 4 without it).
`;

export async function tokensCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(tokensHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'list') return list(rest, io);
  if (sub === 'create') return create(rest, io);
  if (sub === 'revoke') return revoke(rest, io);
  throw new UsageError(`tokens: unknown subcommand "${sub}"\n\n${tokensHelp}`);
}

function status(token: { revokedAt: string | null; expiresAt: string }, now: Date): string {
  if (token.revokedAt !== null) return 'revoked';
  return Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('tokens list', args, {
    server: { type: 'string' },
    user: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const limit = limitOption(values.limit, 500);
  const offset = offsetCursor(values.cursor);
  const { client, server } = remoteClient(io, values);
  const userId =
    values.user === undefined ? undefined : (await findUser(client, server, values.user)).id;
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/tokens', {
        params: {
          query: {
            ...(userId !== undefined && { userId }),
            ...(limit !== undefined && { limit }),
            ...(offset !== undefined && { offset }),
          },
        },
      }),
    ),
    'token list',
  );
  const nextCursor = nextOffset(page);
  if (values.json === true) {
    io.stdout.write(JSON.stringify({ ...page, nextCursor }, null, 2) + '\n');
    return exitCodes.ok;
  }
  const now = new Date(io.today());
  writeTable(
    io,
    ['id', 'prefix', 'name', 'status', 'expires', 'last used', 'scopes'],
    page.tokens.map((t) => [
      t.id,
      t.prefix,
      t.name,
      status(t, now),
      t.expiresAt.slice(0, 10),
      t.lastUsedAt?.slice(0, 16) ?? 'never',
      t.scopes.join(','),
    ]),
  );
  io.stdout.write(pageFooter('tokens', page.tokens.length, { total: page.total, nextCursor }));
  return exitCodes.ok;
}

async function create(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('tokens create', args, {
    server: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string' },
    'expires-in-days': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(`tokens create takes no arguments (got ${positionals.join(' ')})`);
  if (values.name === undefined || values.scopes === undefined)
    throw new UsageError('tokens create: --name and --scopes are required');
  const { client, server } = remoteClient(io, values);
  let scopes = values.scopes.split(',').map((s) => s.trim());
  if (values.scopes === 'all') {
    const session = expectOk(
      await reachable(server, () => client.GET('/api/v1/session')),
      'reading your permissions',
    );
    scopes = session.user.permissions;
  }
  const days = values['expires-in-days'];
  const body = {
    name: values.name,
    scopes,
    ...(days !== undefined && { expiresInDays: Number(days) }),
  };
  const created = expectOk(
    await reachable(server, () =>
      // The server checks the scopes against yours and the lifetime, and names the field.
      client.POST('/api/v1/tokens', { body: body as never }),
    ),
    'creating the token',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(created, null, 2) + '\n');
  else
    io.stdout.write(
      `${created.token}\n` +
        `token "${created.name}" (id ${created.id}), expires ${created.expiresAt}; it is shown only now\n`,
    );
  return exitCodes.ok;
}

async function revoke(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('tokens revoke', args, {
    server: { type: 'string' },
    user: { type: 'string' },
    json: { type: 'boolean' },
  });
  const wanted = positionals[0];
  if (wanted === undefined || positionals.length > 1)
    throw new UsageError('tokens revoke takes one token id or prefix');
  const { client, server } = remoteClient(io, values);
  let id = wanted;
  if (wanted.startsWith('pgt_')) {
    // A prefix (what `tokens list` shows) or the whole token: find its id among the listed ones.
    const userId =
      values.user === undefined ? undefined : (await findUser(client, server, values.user)).id;
    const matches = [];
    for (let offset = 0; ;) {
      const page = expectOk(
        await reachable(server, () =>
          client.GET('/api/v1/tokens', {
            params: { query: { limit: 500, offset, ...(userId !== undefined && { userId }) } },
          }),
        ),
        'token lookup',
      );
      matches.push(...page.tokens.filter((t) => wanted.startsWith(t.prefix)));
      offset += page.tokens.length;
      if (page.tokens.length === 0 || offset >= page.total) break;
    }
    const [match, ...others] = matches;
    if (match === undefined) throw new UsageError(`no token with the prefix ${wanted}`);
    if (others.length > 0)
      throw new UsageError(`${matches.length} tokens start with ${wanted}: give the token id`);
    id = match.id;
  }
  expectOk(
    await reachable(server, () =>
      client.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } }),
    ),
    'revoking the token',
  );
  if (values.json === true) io.stdout.write(JSON.stringify({ revoked: id }, null, 2) + '\n');
  else io.stdout.write(`revoked token ${id}\n`);
  return exitCodes.ok;
}
