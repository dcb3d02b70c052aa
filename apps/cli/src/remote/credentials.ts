/**
 * Where `patchgate login` keeps the server address and the API token it minted:
 * $PATCHGATE_CONFIG_DIR, else $XDG_CONFIG_HOME/patchgate, else ~/.config/patchgate, in
 * credentials.json readable by its owner only. PATCHGATE_SERVER and PATCHGATE_TOKEN override it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { CliIo } from '../io.ts';
import { UsageError } from '../io.ts';

export const Credentials = z.strictObject({
  server: z.url(),
  token: z.string().startsWith('pgt_'),
  username: z.string().optional(),
});
export type Credentials = z.infer<typeof Credentials>;

/** An environment variable's value; set but empty counts as unset (as the XDG spec says). */
function setting(io: CliIo, name: string): string | undefined {
  const value = io.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function configDir(io: CliIo): string {
  return (
    setting(io, 'PATCHGATE_CONFIG_DIR') ??
    join(
      setting(io, 'XDG_CONFIG_HOME') ?? join(setting(io, 'HOME') ?? homedir(), '.config'),
      'patchgate',
    )
  );
}

export function credentialsPath(io: CliIo): string {
  return join(configDir(io), 'credentials.json');
}

export function saveCredentials(io: CliIo, credentials: Credentials): string {
  const dir = configDir(io);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(io);
  writeFileSync(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** The server and token to use: flags, then the environment, then the saved credentials. */
export function resolveCredentials(io: CliIo, flags: { server?: string | undefined }): Credentials {
  let saved: Credentials | undefined;
  const path = credentialsPath(io);
  if (existsSync(path)) {
    const parsed = Credentials.safeParse(JSON.parse(readFileSync(path, 'utf8')) as unknown);
    if (!parsed.success) throw new UsageError(`${path} is not valid; run patchgate login again`);
    saved = parsed.data;
  }
  const server = flags.server ?? setting(io, 'PATCHGATE_SERVER') ?? saved?.server;
  const token = setting(io, 'PATCHGATE_TOKEN') ?? saved?.token;
  if (server === undefined || token === undefined) {
    throw new UsageError(
      'not logged in: run patchgate login --server <url> (or set PATCHGATE_SERVER and PATCHGATE_TOKEN)',
    );
  }
  return { server, token, ...(saved?.username !== undefined && { username: saved.username }) };
}
