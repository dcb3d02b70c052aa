/** `patchgate users list|create|disable|enable|reset-password`: a server's local users. */
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
import { readPassword } from '../remote/password.ts';
import { findUser } from '../remote/users.ts';

export const usersHelp = `Usage:
  patchgate users list [--limit <n>] [--cursor <c>] [--server <url>] [--json]
  patchgate users create <username> --display-name <name> --roles <role,…> [--password-stdin]
                         [--server <url>] [--json]
  patchgate users disable <username> [--server <url>] [--json]
  patchgate users enable <username> [--server <url>] [--json]
  patchgate users reset-password <username> [--password-stdin] [--server <url>]

Needs the users:manage permission (exit 4 without it). Roles: admin, security_analyst,
change_manager, approver, operator, auditor, viewer. A password is asked for on the
terminal (not echoed), or read from standard input with --password-stdin. disable ends the
user's sessions and revokes their API tokens; every change is audited.
`;

type Sub = 'list' | 'create' | 'disable' | 'enable' | 'reset-password';

export async function usersCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(usersHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  switch (sub as Sub) {
    case 'list':
      return list(rest, io);
    case 'create':
      return create(rest, io);
    case 'disable':
    case 'enable':
      return setDisabled(sub as 'disable' | 'enable', rest, io);
    case 'reset-password':
      return resetPassword(rest, io);
    default:
      throw new UsageError(`users: unknown subcommand "${sub}"\n\n${usersHelp}`);
  }
}

function oneName(command: string, positionals: string[]): string {
  const name = positionals[0];
  if (name === undefined || positionals.length > 1)
    throw new UsageError(`${command} takes one username`);
  return name;
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('users list', args, {
    server: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const limit = limitOption(values.limit, 500);
  const offset = offsetCursor(values.cursor);
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/users', {
        params: {
          query: { ...(limit !== undefined && { limit }), ...(offset !== undefined && { offset }) },
        },
      }),
    ),
    'user list',
  );
  const nextCursor = nextOffset(page);
  if (values.json === true) {
    io.stdout.write(JSON.stringify({ ...page, nextCursor }, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['username', 'display name', 'roles', 'status', 'last login'],
    page.users.map((u) => [
      u.username,
      u.displayName,
      u.roles.join(','),
      u.disabled ? 'disabled' : 'active',
      u.lastLoginAt ?? 'never',
    ]),
  );
  io.stdout.write(pageFooter('users', page.users.length, { total: page.total, nextCursor }));
  return exitCodes.ok;
}

async function create(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('users create', args, {
    server: { type: 'string' },
    'display-name': { type: 'string' },
    roles: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const username = oneName('users create', positionals);
  if (values['display-name'] === undefined || values.roles === undefined)
    throw new UsageError('users create: --display-name and --roles are required');
  const { client, server } = remoteClient(io, values);
  const password = await readPassword(io, 'users create', {
    stdin: values['password-stdin'] === true,
    prompt: `Password for the new user ${username}: `,
    confirm: true,
  });
  const body = {
    username,
    displayName: values['display-name'],
    roles: values.roles.split(',').map((r) => r.trim()),
    password,
  };
  const user = expectOk(
    await reachable(server, () =>
      // The server checks the roles and the password policy and names the field that is wrong.
      client.POST('/api/v1/users', { body: body as never }),
    ),
    'creating the user',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(user, null, 2) + '\n');
  else io.stdout.write(`created user ${user.username} (${user.roles.join(', ')}), id ${user.id}\n`);
  return exitCodes.ok;
}

async function setDisabled(
  sub: 'disable' | 'enable',
  args: string[],
  io: CliIo,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`users ${sub}`, args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const name = oneName(`users ${sub}`, positionals);
  const { client, server } = remoteClient(io, values);
  const target = await findUser(client, server, name);
  const user = expectOk(
    await reachable(server, () =>
      client.PATCH('/api/v1/users/{id}', {
        params: { path: { id: target.id } },
        body: { disabled: sub === 'disable' },
      }),
    ),
    `${sub === 'disable' ? 'disabling' : 'enabling'} ${target.username}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(user, null, 2) + '\n');
  else
    io.stdout.write(
      sub === 'disable'
        ? `disabled ${user.username}: sessions ended, API tokens revoked\n`
        : `enabled ${user.username}\n`,
    );
  return exitCodes.ok;
}

async function resetPassword(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('users reset-password', args, {
    server: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  const name = oneName('users reset-password', positionals);
  const { client, server } = remoteClient(io, values);
  const target = await findUser(client, server, name);
  const password = await readPassword(io, 'users reset-password', {
    stdin: values['password-stdin'] === true,
    prompt: `New password for ${target.username}: `,
    confirm: true,
  });
  expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/users/{id}/password', {
        params: { path: { id: target.id } },
        body: { password },
      }),
    ),
    `resetting the password of ${target.username}`,
  );
  io.stdout.write(`password of ${target.username} reset; their other sessions ended\n`);
  return exitCodes.ok;
}
