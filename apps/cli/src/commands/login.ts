/**
 * `patchgate login --server <url>`: with a username and password (asked for on the terminal,
 * or read from standard input with --password-stdin), log in, mint an API token for this machine and save it; or save a
 * token given with --token after checking it works.
 */
import { hostname } from 'node:os';
import { createPatchgateClient } from '@patchgate/api-client';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable } from '../remote/call.ts';
import { tokenFromPassword } from '../remote/password-token.ts';
import { saveCredentials } from '../remote/credentials.ts';
import { readPassword } from '../remote/password.ts';

export const loginHelp = `Usage:
  patchgate login --server <url> --username <name> [--password-stdin] [--json]
  patchgate login --server <url> --token <pgt_…> [--json]

The password is asked for on the terminal (not echoed); with --password-stdin it is read
from standard input instead (scripts). It is never taken as an argument.

Logs in to a Patchgate server and saves the address and an API token (created for this
machine with all of your permissions, valid 90 days) in ~/.config/patchgate/credentials.json
(PATCHGATE_CONFIG_DIR overrides the folder). Other commands use it; PATCHGATE_SERVER and
PATCHGATE_TOKEN override it.
`;

export async function loginCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('login', args, {
    server: { type: 'string' },
    username: { type: 'string', short: 'u' },
    'password-stdin': { type: 'boolean' },
    token: { type: 'string' },
    json: { type: 'boolean' },
  });
  const server = (values.server ?? io.env['PATCHGATE_SERVER'])?.replace(/\/+$/, '');
  if (server === undefined) throw new UsageError('login: --server <url> is required');
  if (!/^https?:\/\//.test(server))
    throw new UsageError(`login: --server must be an http(s) URL (got "${server}")`);

  let token: string;
  let username: string;
  if (values.token !== undefined) {
    if (!values.token.startsWith('pgt_'))
      throw new UsageError('login: --token must be a Patchgate API token (pgt_…)');
    token = values.token;
    const client = createPatchgateClient({ baseUrl: server, token });
    const session = expectOk(
      await reachable(server, () => client.GET('/api/v1/session')),
      'checking the token',
    );
    username = session.user.username;
  } else {
    if (values.username === undefined)
      throw new UsageError('login: give --username (with --password-stdin) or --token');
    const password = await readPassword(io, 'login', {
      stdin: values['password-stdin'] === true,
      prompt: `Password for ${values.username} on ${server}: `,
    });
    const minted = await tokenFromPassword(
      server,
      { username: values.username, password },
      { name: `patchgate CLI on ${hostname()}`, expiresInDays: 90 },
    );
    token = minted.token;
    username = minted.username;
  }
  const path = saveCredentials(io, { server, token, username });
  if (values.json === true)
    io.stdout.write(JSON.stringify({ server, username, credentials: path }, null, 2) + '\n');
  else io.stdout.write(`Logged in to ${server} as ${username}; credentials saved in ${path}\n`);
  return exitCodes.ok;
}
