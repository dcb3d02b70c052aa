/**
 * Typed queries on the auth context's own tables (users, sessions, api_tokens). Rows become
 * records here; the API shapes live in schema.ts, so a column never leaks into a response.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { Permission, Role } from './permissions.ts';
import { permissions, roles } from './permissions.ts';
import type { UserSortKey } from './schema.ts';
import type { ApiTokenTable, UserTable } from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastLoginAt: string | null;
}

export interface TokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly Permission[];
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  /** The token that minted it; null when a session did. */
  readonly parentTokenId: string | null;
}

function jsonList<T extends string>(text: string, allowed: readonly T[]): T[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    // Unknown names (a role renamed in a later version) are dropped, never granted.
    return value.filter((v): v is T => typeof v === 'string' && allowed.includes(v as T));
  } catch {
    return [];
  }
}

function toUser(row: UserTable): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: jsonList(row.roles_json, roles),
    disabled: Number(row.disabled) !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}

function toToken(row: ApiTokenTable): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    scopes: jsonList(row.scopes_json, permissions),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    parentTokenId: row.parent_token_id,
  };
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertUser(
  db: Executor,
  user: UserRecord & { readonly passwordHash: string },
): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      roles_json: JSON.stringify(user.roles),
      disabled: user.disabled ? 1 : 0,
      created_at: user.createdAt,
      updated_at: user.updatedAt,
      last_login_at: user.lastLoginAt,
    })
    .execute();
}

export async function findUserById(db: Executor, id: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toUser(row);
}

/** The user and their password hash, for login only. */
export async function findUserForLogin(
  db: Executor,
  username: string,
): Promise<{ user: UserRecord; passwordHash: string } | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  return row === undefined ? undefined : { user: toUser(row), passwordHash: row.password_hash };
}

export async function usernameTaken(db: Executor, username: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  return row !== undefined;
}

const userSortColumns = { username: 'username', createdAt: 'created_at' } as const;

export async function listUsers(
  db: Executor,
  page: { limit: number; offset: number; sort: UserSortKey; order: 'asc' | 'desc' },
): Promise<{ users: UserRecord[]; total: number }> {
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .orderBy(userSortColumns[page.sort], page.order)
    // A stable order across pages when the sort key ties (created_at can).
    .orderBy('id', page.order)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { users: rows.map(toUser), total: await countUsers(db) };
}

export async function updateUser(
  db: Executor,
  id: string,
  change: {
    displayName?: string;
    roles?: readonly Role[];
    disabled?: boolean;
    passwordHash?: string;
    lastLoginAt?: string;
    updatedAt?: string;
  },
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      ...(change.displayName !== undefined && { display_name: change.displayName }),
      ...(change.roles !== undefined && { roles_json: JSON.stringify(change.roles) }),
      ...(change.disabled !== undefined && { disabled: change.disabled ? 1 : 0 }),
      ...(change.passwordHash !== undefined && { password_hash: change.passwordHash }),
      ...(change.lastLoginAt !== undefined && { last_login_at: change.lastLoginAt }),
      ...(change.updatedAt !== undefined && { updated_at: change.updatedAt }),
    })
    .where('id', '=', id)
    .execute();
}

export async function insertSession(
  db: Executor,
  session: {
    id: string;
    userId: string;
    csrfToken: string;
    createdAt: string;
    expiresAt: string;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      csrf_token: session.csrfToken,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      last_seen_at: session.createdAt,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute();
}

export async function deleteSession(db: Executor, id: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** End a user's sessions (all, or all but one), returning how many ended. */
export async function deleteUserSessions(
  db: Executor,
  userId: string,
  exceptId?: string,
): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(
  db: Executor,
  userId: string,
  now: string,
): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('expires_at', '<=', now)
    .execute();
}

export async function insertToken(
  db: Executor,
  token: TokenRecord & { readonly tokenHash: string },
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      prefix: token.prefix,
      scopes_json: JSON.stringify(token.scopes),
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      last_used_at: token.lastUsedAt,
      revoked_at: token.revokedAt,
      parent_token_id: token.parentTokenId,
    })
    .execute();
}

export async function findTokenById(db: Executor, id: string): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toToken(row);
}

export async function listTokens(
  db: Executor,
  userId: string,
  page: { limit: number; offset: number },
): Promise<{ tokens: TokenRecord[]; total: number }> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const count = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { tokens: rows.map(toToken), total: Number(count.count) };
}

/**
 * Revoke a token and, recursively, every live token minted from it (a child dies with its
 * parent). Returns the ids revoked, the given token first; already revoked ones are skipped,
 * but their descendants are still visited.
 */
export async function revokeTokenTree(db: Executor, id: string, now: string): Promise<string[]> {
  const revoked: string[] = [];
  let frontier = [id];
  const seen = new Set<string>();
  while (frontier.length > 0) {
    const ids = frontier.filter((t) => !seen.has(t));
    for (const t of ids) seen.add(t);
    if (ids.length === 0) break;
    const live = await db
      .selectFrom('api_tokens')
      .select('id')
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .execute();
    if (live.length > 0) {
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where(
          'id',
          'in',
          live.map((r) => r.id),
        )
        .execute();
      // Keep the order of the frontier (the given token first), not the database's.
      const liveIds = new Set(live.map((r) => r.id));
      revoked.push(...ids.filter((t) => liveIds.has(t)));
    }
    const children = await db
      .selectFrom('api_tokens')
      .select('id')
      .where('parent_token_id', 'in', ids)
      .execute();
    frontier = children.map((r) => r.id);
  }
  return revoked;
}

/**
 * Revoke every live token of a user (all, or all but one: the caller's own when a user resets
 * their own password through a token), returning how many were revoked.
 */
export async function revokeUserTokens(
  db: Executor,
  userId: string,
  now: string,
  exceptId?: string,
): Promise<number> {
  let query = db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
