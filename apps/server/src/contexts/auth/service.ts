/**
 * The auth context's rules: first-run bootstrap, login and logout, users, API tokens. Every
 * change commits together with its audit event (same transaction); no event ever holds a
 * password, a password hash, a session cookie or a token.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { FieldProblem } from '../../http/problems.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../http/problems.ts';
import type { AuditActor } from '../audit/index.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { Permission, Role } from './permissions.ts';
import { permissions, rolePermissions, roles } from './permissions.ts';
import type { Principal } from './principal.ts';
import type { TokenRecord, UserRecord } from './repository.ts';
import {
  countUsers,
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findTokenById,
  findUserById,
  findUserForLogin,
  insertSession,
  insertToken,
  insertUser,
  listTokens as listTokenRows,
  listUsers as listUserRows,
  revokeTokenTree,
  revokeUserTokens,
  updateUser as updateUserRow,
  usernameTaken,
} from './repository.ts';
import type {
  ApiToken,
  CreatedToken,
  CreateTokenRequest,
  CreateUserRequest,
  ListTokensQuery,
  ListUsersQuery,
  PermissionsResponse,
  SessionResponse,
  TokenList,
  UpdateUserRequest,
  User,
  UserList,
} from './schema.ts';
import { BootstrapRequest } from './schema.ts';
import { apiTokenPrefix, hashPassword, newSecret, sha256, verifyPassword } from './secrets.ts';

/** A browser session lasts 12 hours from login, however active (absolute, not idle, lifetime). */
export const sessionLifetimeMs = 12 * 60 * 60 * 1000;
/** `pgt_` and 8 characters of the secret: enough to tell tokens apart, useless to an attacker. */
const tokenPrefixLength = apiTokenPrefix.length + 8;
/** Chosen by a PostgreSQL advisory lock so two concurrent bootstraps cannot both win. */
const bootstrapLock = 0x50474254; // "PGBT"

/** Who made a change and from where, for its audit event. */
export interface AuditSource {
  readonly actor: AuditActor;
  readonly requestId?: string | null;
  readonly ip?: string | null;
}

type Trx = Transaction<DatabaseSchema>;

function audit(
  ctx: ServerContext,
  trx: Trx,
  source: AuditSource,
  event: {
    action: string;
    subjectType: string;
    subjectId: string | null;
    before?: unknown;
    after?: unknown;
  },
): Promise<unknown> {
  return appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
    actor: source.actor,
    requestId: source.requestId ?? null,
    ip: source.ip ?? null,
    ...event,
  });
}

function userView(user: UserRecord): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: [...user.roles],
    disabled: user.disabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    lastLoginAt: user.lastLoginAt,
  };
}

function tokenView(token: TokenRecord): ApiToken {
  return {
    id: token.id,
    userId: token.userId,
    name: token.name,
    prefix: token.prefix,
    scopes: [...token.scopes],
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
    revokedAt: token.revokedAt,
    parentTokenId: token.parentTokenId,
  };
}

/** In the canonical order of permissions.ts, whatever order the set was built in. */
function orderedPermissions(granted: ReadonlySet<Permission>): Permission[] {
  return permissions.filter((p) => granted.has(p));
}

function knownRoles(names: readonly string[]): Role[] {
  return roles.filter((role) => names.includes(role));
}

function addMs(iso: string, ms: number): string {
  return new Date(new Date(iso).getTime() + ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

export type BootstrapResult =
  | { readonly status: 'created'; readonly user: User }
  /** Bootstrap is for an empty database only. */
  | { readonly status: 'users_exist' }
  | { readonly status: 'invalid'; readonly problems: readonly FieldProblem[] };

/**
 * Create the first admin, only while no user exists. The HTTP route and the CLI
 * (`PATCHGATE_ADMIN_PASSWORD` on an empty database) both call this; every outcome is a result.
 */
export async function bootstrapAdmin(
  ctx: ServerContext,
  input: { username: string; password: string; displayName: string },
  source: AuditSource = { actor: systemActor },
): Promise<BootstrapResult> {
  const parsed = BootstrapRequest.safeParse(input);
  if (!parsed.success) {
    return {
      status: 'invalid',
      problems: parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || 'input',
        message: issue.message,
      })),
    };
  }
  const { username, password, displayName } = parsed.data;
  // Cheap check first: an occupied database answers without paying for a password hash.
  if ((await countUsers(ctx.database.db)) > 0) return { status: 'users_exist' };
  const passwordHash = await hashPassword(password, ctx.config.passwordHashCost);
  return ctx.database.db.transaction().execute(async (trx): Promise<BootstrapResult> => {
    if (ctx.database.dialect === 'postgres') {
      await sql`SELECT pg_advisory_xact_lock(${bootstrapLock})`.execute(trx);
    }
    if ((await countUsers(trx)) > 0) return { status: 'users_exist' };
    const now = timestamp(ctx.clock);
    const user: UserRecord = {
      id: randomUUID(),
      username,
      displayName,
      roles: ['admin'],
      disabled: false,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    };
    await insertUser(trx, { ...user, passwordHash });
    await audit(ctx, trx, source, {
      action: 'user.bootstrapped',
      subjectType: 'user',
      subjectId: user.id,
      after: userView(user),
    });
    return { status: 'created', user: userView(user) };
  });
}

// ---------------------------------------------------------------------------------------------
// Sessions

/** Hash a password nobody knows once, to spend the same time on unknown users as on known ones. */
const dummyHashes = new Map<number, Promise<string>>();
function dummyPasswordHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (hash === undefined) dummyHashes.set(cost, (hash = hashPassword(newSecret(), cost)));
  return hash;
}

export type LoginResult =
  | {
      readonly status: 'ok';
      /** The cookie's value: given to the browser only, stored as its SHA-256. */
      readonly cookie: string;
      readonly expiresAt: string;
      readonly session: SessionResponse;
    }
  /** One answer for unknown user, wrong password and disabled user: nothing leaks. */
  | { readonly status: 'failed' }
  | { readonly status: 'throttled'; readonly retryAfterSeconds: number };

export interface LoginRequestInfo {
  readonly ip: string;
  readonly requestId: string | null;
  readonly userAgent: string | null;
  /** The session cookie the browser already had, replaced by the new one. */
  readonly previousCookie: string | undefined;
}

/** Waits before a login is answered (tests record the delay instead of waiting). */
export type Sleep = (ms: number) => Promise<void>;

export async function login(
  ctx: ServerContext,
  limiter: LoginLimiter,
  input: { username: string; password: string },
  info: LoginRequestInfo,
  sleep: Sleep,
): Promise<LoginResult> {
  const username = input.username.trim().toLowerCase();
  const anonymous: AuditSource = {
    actor: { type: 'system', id: null, name: 'anonymous' },
    requestId: info.requestId,
    ip: info.ip,
  };
  // Counted as a failure now (taken back on success): parallel guesses cannot all slip through.
  const check = limiter.reserve(info.ip, username);
  if (!check.allowed) {
    ctx.logger.warn({ ip: info.ip, username, scope: check.scope }, 'login throttled');
    if (check.audit) {
      // The password is never recorded; the username is what was typed (lower-cased).
      await ctx.database.db.transaction().execute((trx) =>
        audit(ctx, trx, anonymous, {
          action: 'user.login_throttled',
          subjectType: 'user',
          subjectId: null,
          after: {
            username,
            scope: check.scope,
            retryAfterSeconds: check.retryAfterSeconds,
            unauditedSincePrevious: check.unaudited,
          },
        }),
      );
    }
    return { status: 'throttled', retryAfterSeconds: check.retryAfterSeconds };
  }
  // An account under attack from many addresses is slowed down, never locked: its owner's
  // right password still works, a little later.
  if (check.delayMs > 0) await sleep(check.delayMs);
  const found = await findUserForLogin(ctx.database.db, username);
  // Always verify against some hash, so an unknown username costs the same scrypt time.
  const verified = await verifyPassword(
    input.password,
    found?.passwordHash ?? (await dummyPasswordHash(ctx.config.passwordHashCost)),
  );
  if (found === undefined || !verified || found.user.disabled) {
    const reason =
      found === undefined ? 'unknown_user' : !verified ? 'wrong_password' : 'user_disabled';
    await ctx.database.db.transaction().execute((trx) =>
      audit(ctx, trx, anonymous, {
        action: 'user.login_failed',
        subjectType: 'user',
        subjectId: found?.user.id ?? null,
        after: { username, reason, ...(check.delayMs > 0 && { delayedMs: check.delayMs }) },
      }),
    );
    return { status: 'failed' };
  }
  limiter.recordSuccess(info.ip, username, check.reservedAt);
  const user = found.user;
  const cookie = newSecret();
  const csrfToken = newSecret();
  const now = timestamp(ctx.clock);
  const expiresAt = addMs(now, sessionLifetimeMs);
  await ctx.database.db.transaction().execute(async (trx) => {
    await deleteExpiredSessions(trx, user.id, now);
    // A new login replaces the browser's old session (no session fixation).
    if (info.previousCookie !== undefined && info.previousCookie !== '') {
      await deleteSession(trx, sha256(info.previousCookie));
    }
    await insertSession(trx, {
      id: sha256(cookie),
      userId: user.id,
      csrfToken,
      createdAt: now,
      expiresAt,
      ip: info.ip,
      userAgent: info.userAgent,
    });
    await updateUserRow(trx, user.id, { lastLoginAt: now });
    await audit(
      ctx,
      trx,
      { ...anonymous, actor: { type: 'user', id: user.id, name: user.username } },
      {
        action: 'user.login',
        subjectType: 'user',
        subjectId: user.id,
        after: { username: user.username, sessionExpiresAt: expiresAt },
      },
    );
  });
  return {
    status: 'ok',
    cookie,
    expiresAt,
    session: {
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        roles: [...user.roles],
        permissions: orderedPermissions(new Set(user.roles.flatMap((r) => rolePermissions[r]))),
      },
      csrfToken,
    },
  };
}

/** The current caller as the session API shows it (token callers get no csrfToken). */
export async function currentSession(
  ctx: ServerContext,
  principal: Principal,
): Promise<SessionResponse> {
  const user = await findUserById(ctx.database.db, principal.userId);
  if (user === undefined) throw new UnauthorizedError();
  return {
    user: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: knownRoles(principal.roles),
      permissions: orderedPermissions(principal.permissions),
    },
    ...(principal.via === 'session' &&
      principal.csrfToken !== undefined && { csrfToken: principal.csrfToken }),
  };
}

export async function logout(
  ctx: ServerContext,
  principal: Principal,
  source: AuditSource,
): Promise<void> {
  const sessionId = principal.sessionId;
  if (principal.via !== 'session' || sessionId === undefined) {
    throw new ConflictError(
      'An API token has no session to end; revoke it with DELETE /api/v1/tokens/{id}',
    );
  }
  await ctx.database.db.transaction().execute(async (trx) => {
    await deleteSession(trx, sessionId);
    await audit(ctx, trx, source, {
      action: 'user.logout',
      subjectType: 'user',
      subjectId: principal.userId,
    });
  });
}

export function callerPermissions(principal: Principal): PermissionsResponse {
  return {
    roles: knownRoles(principal.roles),
    permissions: orderedPermissions(principal.permissions),
    ...(principal.permissions.has('users:manage') && {
      rolePermissions: Object.fromEntries(
        roles.map((role) => [role, [...rolePermissions[role]]]),
      ) as Record<Role, Permission[]>,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Users

export async function createUser(
  ctx: ServerContext,
  input: CreateUserRequest,
  source: AuditSource,
): Promise<User> {
  if (await usernameTaken(ctx.database.db, input.username)) {
    throw new ConflictError(`The username ${input.username} is taken`);
  }
  const passwordHash = await hashPassword(input.password, ctx.config.passwordHashCost);
  const now = timestamp(ctx.clock);
  const user: UserRecord = {
    id: randomUUID(),
    username: input.username,
    displayName: input.displayName,
    roles: knownRoles(input.roles),
    disabled: false,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
  };
  try {
    await ctx.database.db.transaction().execute(async (trx) => {
      await insertUser(trx, { ...user, passwordHash });
      await audit(ctx, trx, source, {
        action: 'user.created',
        subjectType: 'user',
        subjectId: user.id,
        after: userView(user),
      });
    });
  } catch (error) {
    // Two creations of one name at once: the unique index decides, the loser gets a 409.
    if (await usernameTaken(ctx.database.db, input.username)) {
      throw new ConflictError(`The username ${input.username} is taken`);
    }
    throw error;
  }
  return userView(user);
}

export async function listUsers(ctx: ServerContext, query: ListUsersQuery): Promise<UserList> {
  const { users, total } = await listUserRows(ctx.database.db, query);
  return { users: users.map(userView), total, limit: query.limit, offset: query.offset };
}

export async function getUser(ctx: ServerContext, id: string): Promise<User> {
  const user = await findUserById(ctx.database.db, id);
  if (user === undefined) throw new NotFoundError('The user');
  return userView(user);
}

export async function updateUser(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  change: UpdateUserRequest,
  source: AuditSource,
): Promise<User> {
  return ctx.database.db.transaction().execute(async (trx) => {
    const before = await findUserById(trx, id);
    if (before === undefined) throw new NotFoundError('The user');
    if (id === principal.userId) {
      // Rules that keep at least one admin who can undo mistakes: the caller is that admin.
      if (change.disabled === true) throw new ConflictError('You cannot disable yourself');
      if (
        change.roles !== undefined &&
        before.roles.includes('admin') &&
        !change.roles.includes('admin')
      ) {
        throw new ConflictError('You cannot remove your own admin role');
      }
    }
    const now = timestamp(ctx.clock);
    const after: UserRecord = {
      ...before,
      ...(change.displayName !== undefined && { displayName: change.displayName }),
      ...(change.roles !== undefined && { roles: knownRoles(change.roles) }),
      ...(change.disabled !== undefined && { disabled: change.disabled }),
      updatedAt: now,
    };
    await updateUserRow(trx, id, {
      displayName: after.displayName,
      roles: after.roles,
      disabled: after.disabled,
      updatedAt: now,
    });
    let ended: { sessionsEnded: number; tokensRevoked: number } | undefined;
    if (after.disabled && !before.disabled) {
      ended = {
        sessionsEnded: await deleteUserSessions(trx, id),
        tokensRevoked: await revokeUserTokens(trx, id, now),
      };
    }
    await audit(ctx, trx, source, {
      action: 'user.updated',
      subjectType: 'user',
      subjectId: id,
      before: userView(before),
      after: { ...userView(after), ...ended },
    });
    return userView(after);
  });
}

/**
 * Set a new password. A reset usually follows a compromise, so the user's other credentials
 * end: every session and every API token, except the very session or token making the request
 * when users reset their own password.
 */
export async function resetPassword(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  password: string,
  source: AuditSource,
): Promise<void> {
  if ((await findUserById(ctx.database.db, id)) === undefined) {
    throw new NotFoundError('The user');
  }
  const passwordHash = await hashPassword(password, ctx.config.passwordHashCost);
  await ctx.database.db.transaction().execute(async (trx) => {
    const before = await findUserById(trx, id);
    if (before === undefined) throw new NotFoundError('The user');
    const now = timestamp(ctx.clock);
    await updateUserRow(trx, id, { passwordHash, updatedAt: now });
    const own = id === principal.userId;
    const sessionsEnded = await deleteUserSessions(trx, id, own ? principal.sessionId : undefined);
    const tokensRevoked = await revokeUserTokens(trx, id, now, own ? principal.tokenId : undefined);
    await audit(ctx, trx, source, {
      action: 'user.password_reset',
      subjectType: 'user',
      subjectId: id,
      before: userView(before),
      after: { ...userView({ ...before, updatedAt: now }), sessionsEnded, tokensRevoked },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// API tokens

export async function createToken(
  ctx: ServerContext,
  principal: Principal,
  input: CreateTokenRequest,
  source: AuditSource,
): Promise<CreatedToken> {
  // A token can never do more than the caller who made it (a token making a token included).
  const problems: FieldProblem[] = input.scopes.flatMap((scope, index) =>
    principal.permissions.has(scope)
      ? []
      : [{ field: `body.scopes[${index}]`, message: `You do not have the ${scope} permission` }],
  );
  if (problems.length > 0) {
    throw new ValidationError(
      'A token\u2019s scopes must be a subset of your own permissions',
      problems,
    );
  }
  const secret = newSecret(apiTokenPrefix);
  const now = timestamp(ctx.clock);
  const requestedExpiry = addMs(now, input.expiresInDays * 24 * 60 * 60 * 1000);
  // A token minted by a token is its child: it never outlives its parent (its expiry is capped
  // at the parent's) and dies with it (revocation cascades; use checks every ancestor).
  const parentTokenId = principal.via === 'token' ? (principal.tokenId ?? null) : null;
  const parentExpiry = principal.via === 'token' ? principal.tokenExpiresAt : undefined;
  const token: TokenRecord = {
    id: randomUUID(),
    userId: principal.userId,
    name: input.name,
    prefix: secret.slice(0, tokenPrefixLength),
    scopes: permissions.filter((p) => input.scopes.includes(p)),
    createdAt: now,
    expiresAt:
      parentExpiry !== undefined && parentExpiry < requestedExpiry ? parentExpiry : requestedExpiry,
    lastUsedAt: null,
    revokedAt: null,
    parentTokenId,
  };
  await ctx.database.db.transaction().execute(async (trx) => {
    if (parentTokenId !== null) {
      // Revoked since this request was authenticated? Then no child (checked in the transaction).
      const parent = await findTokenById(trx, parentTokenId);
      if (parent === undefined || parent.revokedAt !== null) {
        throw new UnauthorizedError('The API token is unknown, expired or revoked');
      }
    }
    await insertToken(trx, { ...token, tokenHash: sha256(secret) });
    await audit(ctx, trx, source, {
      action: 'token.created',
      subjectType: 'api_token',
      subjectId: token.id,
      after: tokenView(token),
    });
  });
  return { ...tokenView(token), token: secret };
}

export async function listTokens(
  ctx: ServerContext,
  principal: Principal,
  query: ListTokensQuery,
): Promise<TokenList> {
  const userId = query.userId ?? principal.userId;
  if (userId !== principal.userId && !principal.permissions.has('users:manage')) {
    throw new ForbiddenError("Listing another user's tokens needs the users:manage permission");
  }
  const { tokens, total } = await listTokenRows(ctx.database.db, userId, query);
  return { tokens: tokens.map(tokenView), total, limit: query.limit, offset: query.offset };
}

/**
 * Revoke a token: your own, or anyone's with users:manage. Every token minted from it (and from
 * those, recursively) is revoked with it. Revoking twice changes nothing.
 */
export async function revokeToken(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  source: AuditSource,
): Promise<void> {
  await ctx.database.db.transaction().execute(async (trx) => {
    const before = await findTokenById(trx, id);
    // Someone else's token is "not found" to a caller who may not manage it: nothing leaks.
    if (
      before === undefined ||
      (before.userId !== principal.userId && !principal.permissions.has('users:manage'))
    ) {
      throw new NotFoundError('The token');
    }
    if (before.revokedAt !== null) return;
    const now = timestamp(ctx.clock);
    const revoked = await revokeTokenTree(trx, id, now);
    await audit(ctx, trx, source, {
      action: 'token.revoked',
      subjectType: 'api_token',
      subjectId: id,
      before: tokenView(before),
      after: {
        ...tokenView({ ...before, revokedAt: now }),
        descendantsRevoked: revoked.filter((t) => t !== id),
      },
    });
  });
}
