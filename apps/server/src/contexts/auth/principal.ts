/**
 * Who is calling, resolved once per request from a session cookie or an API token, and what a
 * caller may do. The HTTP access layer (http/access.ts) asks only these functions, through the
 * context's index.ts; it never reads a table or a secret itself.
 *
 * A caller is a `Principal` of some kind. Today every caller is a user (through a browser
 * session or an API token); the union is the seam for callers that are not people (agents
 * enrol in a later issue): access control and the audit log use only the fields every kind
 * has (`kind`, `id`, `name`, `permissions`, `credential`, `csrfToken`), never a user's.
 */
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { Permission } from './permissions.ts';
import { permissionsOf } from './permissions.ts';
import { findUserById } from './repository.ts';
import { apiTokenPrefix, csrfHeader, sha256 } from './secrets.ts';

/** The kinds of caller; `agent` joins when agents enrol (docs/adr/0009-login-throttling-tokens-callers.md). */
export const principalKinds = ['user'] as const;
export type PrincipalKind = (typeof principalKinds)[number];

/** How the caller proved who it is: a browser session (cookie + CSRF) or a bearer credential. */
export type Credential = 'session' | 'token';

/** What every kind of caller has: enough to decide access and to name it in the audit log. */
export interface PrincipalBase {
  readonly kind: PrincipalKind;
  /** The caller's stable id (a user's id for users). */
  readonly id: string;
  /** The caller's name as the audit log shows it. */
  readonly name: string;
  /** What this request may do (a token's scopes already applied). */
  readonly permissions: ReadonlySet<Permission>;
  readonly credential: Credential;
  /** Browser sessions only: state-changing requests must echo it in the CSRF header. */
  readonly csrfToken?: string;
}

export interface UserPrincipal extends PrincipalBase {
  readonly kind: 'user';
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
  /** Same as `credential`; kept as the user-facing name. */
  readonly via: Credential;
  readonly sessionId?: string;
  readonly tokenId?: string;
  /** A token caller's token expiry (a token it mints may not outlive it). */
  readonly tokenExpiresAt?: string;
}

/** Every kind of caller. Narrow on `kind` before using a kind's own fields. */
export type Principal = UserPrincipal;

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
    kind: 'user',
    id: row.userId,
    name: row.username,
    credential: 'session',
    userId: row.userId,
    username: row.username,
    roles,
    permissions: permissionsOf(roles),
    via: 'session',
    sessionId: row.sessionId,
    csrfToken: row.csrf_token,
  };
}

/** Is some ancestor of this token revoked or expired? (A child token dies with its parent.) */
async function ancestorEnded(database: Database, parentId: string, now: string): Promise<boolean> {
  let next: string | null = parentId;
  // Chains are short (a token minted by a token…); the bound stops a cycle nobody can create.
  for (let depth = 0; next !== null && depth < 32; depth++) {
    const parent = await database.db
      .selectFrom('api_tokens')
      .select(['parent_token_id', 'revoked_at', 'expires_at'])
      .where('id', '=', next)
      .executeTakeFirst();
    if (parent === undefined || parent.revoked_at !== null || parent.expires_at <= now) return true;
    next = parent.parent_token_id;
  }
  return next !== null;
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
      'api_tokens.parent_token_id',
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
  if (row.parent_token_id !== null && (await ancestorEnded(database, row.parent_token_id, now)))
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
    kind: 'user',
    id: row.userId,
    name: row.username,
    credential: 'token',
    userId: row.userId,
    username: row.username,
    roles,
    permissions: new Set(granted),
    via: 'token',
    tokenId: row.tokenId,
    tokenExpiresAt: row.expires_at,
  };
}

/** What a request presents; the access layer copies it from the headers. */
export interface PresentedCredentials {
  /** The Authorization header, as sent. */
  readonly authorization: string | undefined;
  /** The session cookie's value, as sent. */
  readonly sessionCookie: string | undefined;
}

export type Authentication =
  | { readonly status: 'anonymous' }
  | { readonly status: 'authenticated'; readonly principal: Principal }
  /** A credential was presented and is not good: answer 401 with this message. */
  | { readonly status: 'rejected'; readonly message: string };

/**
 * Resolve the caller. A bad bearer credential is rejected (the client meant to authenticate);
 * a stale session cookie is treated as no cookie (the browser just has an old one).
 */
export async function authenticate(
  database: Database,
  clock: Clock,
  presented: PresentedCredentials,
): Promise<Authentication> {
  if (presented.authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(presented.authorization);
    const token = match?.[1];
    if (token === undefined || !token.startsWith(apiTokenPrefix)) {
      return { status: 'rejected', message: 'The Authorization header must be "Bearer pgt_…"' };
    }
    const principal = await principalFromToken(database, clock, token);
    return principal === undefined
      ? { status: 'rejected', message: 'The API token is unknown, expired or revoked' }
      : { status: 'authenticated', principal };
  }
  const cookie = presented.sessionCookie;
  if (cookie !== undefined && cookie !== '') {
    const principal = await principalFromSession(database, clock, cookie);
    if (principal !== undefined) return { status: 'authenticated', principal };
  }
  return { status: 'anonymous' };
}

/** What a route needs: any caller, or one permission, or any one of several permissions. */
export type Requirement =
  'authenticated' | Permission | { readonly anyOf: readonly [Permission, ...Permission[]] };

export type Authorization =
  | { readonly status: 'allowed' }
  | { readonly status: 'unauthenticated' }
  | { readonly status: 'forbidden'; readonly message: string };

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The permissions a requirement names (none for `authenticated`). */
export function requiredPermissions(requirement: Requirement): readonly Permission[] {
  if (requirement === 'authenticated') return [];
  return typeof requirement === 'string' ? [requirement] : requirement.anyOf;
}

/**
 * May this caller make this request? The caller's permissions are already narrowed by a
 * token's scopes, so one check covers both the role and the scope.
 */
export function authorize(
  principal: Principal | undefined,
  requirement: Requirement,
  request: { readonly method: string; readonly csrfHeader: string | undefined },
): Authorization {
  if (principal === undefined) return { status: 'unauthenticated' };
  // CSRF: a browser session changing state must echo its session's token in a header.
  if (principal.credential === 'session' && unsafeMethods.has(request.method)) {
    if (request.csrfHeader === undefined || request.csrfHeader !== principal.csrfToken) {
      return { status: 'forbidden', message: `Missing or wrong ${csrfHeader} header` };
    }
  }
  const needed = requiredPermissions(requirement);
  if (needed.length > 0 && !needed.some((p) => principal.permissions.has(p))) {
    return {
      status: 'forbidden',
      message:
        needed.length === 1
          ? `This needs the ${needed.join('')} permission`
          : `This needs one of the permissions ${needed.join(', ')}`,
    };
  }
  return { status: 'allowed' };
}

/**
 * Whether a user exists, is enabled and holds `permission` through their roles now: for a
 * credential another context keeps (the calendar's feed token), checked at each use so that
 * disabling a user or taking a role away ends it too.
 */
export async function userHolds(
  database: Database,
  userId: string,
  permission: Permission,
): Promise<boolean> {
  const user = await findUserById(database.db, userId);
  return user !== undefined && !user.disabled && permissionsOf(user.roles).has(permission);
}
