/** Who is calling: resolved from a session cookie or an API token, once per request. */
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { Permission } from './permissions.ts';
import { permissionsOf } from './permissions.ts';
import { sha256 } from './secrets.ts';

export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
  /** What this request may do: the user's role permissions (narrowed by a token's scopes). */
  readonly permissions: ReadonlySet<Permission>;
  readonly via: 'session' | 'token';
  readonly sessionId?: string;
  readonly csrfToken?: string;
  readonly tokenId?: string;
}

function parseJsonArray(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export async function principalFromSession(
  database: Database,
  clock: Clock,
  cookie: string,
): Promise<Principal | undefined> {
  const now = timestamp(clock);
  const row = await database.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as sessionId',
      'sessions.csrf_token',
      'sessions.expires_at',
      'users.id as userId',
      'users.username',
      'users.roles_json',
      'users.disabled',
    ])
    .where('sessions.id', '=', sha256(cookie))
    .executeTakeFirst();
  if (row === undefined || row.expires_at <= now || Number(row.disabled) !== 0) return undefined;
  await database.db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('id', '=', row.sessionId)
    .execute();
  const roles = parseJsonArray(row.roles_json);
  return {
    userId: row.userId,
    username: row.username,
    roles,
    permissions: permissionsOf(roles),
    via: 'session',
    sessionId: row.sessionId,
    csrfToken: row.csrf_token,
  };
}

export async function principalFromToken(
  database: Database,
  clock: Clock,
  token: string,
): Promise<Principal | undefined> {
  const now = timestamp(clock);
  const row = await database.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.scopes_json',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'users.id as userId',
      'users.username',
      'users.roles_json',
      'users.disabled',
    ])
    .where('api_tokens.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (
    row === undefined ||
    row.revoked_at !== null ||
    row.expires_at <= now ||
    Number(row.disabled) !== 0
  )
    return undefined;
  await database.db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', row.tokenId)
    .execute();
  const roles = parseJsonArray(row.roles_json);
  const scopes = new Set(parseJsonArray(row.scopes_json));
  const granted = [...permissionsOf(roles)].filter((p) => scopes.has(p));
  return {
    userId: row.userId,
    username: row.username,
    roles,
    permissions: new Set(granted),
    via: 'token',
    tokenId: row.tokenId,
  };
}
