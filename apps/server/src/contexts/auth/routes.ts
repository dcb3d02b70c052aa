/**
 * Auth API: first-run bootstrap, login/logout, the caller's permissions, users (admins) and API
 * tokens. Access is declared per route and enforced by http/access.ts (which also checks CSRF).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { requirePrincipal } from '../../http/access.ts';
import {
  ConflictError,
  Problem,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import type { LoginLimits } from './login-limiter.ts';
import { defaultLoginLimits, LoginLimiter } from './login-limiter.ts';
import {
  BootstrapRequest,
  CreatedToken,
  CreateTokenRequest,
  CreateUserRequest,
  IdParams,
  ListTokensQuery,
  ListUsersQuery,
  LoginRequest,
  PermissionsResponse,
  ResetPasswordRequest,
  SessionResponse,
  TokenList,
  UpdateUserRequest,
  User,
  UserList,
} from './schema.ts';
import { sessionCookie } from './secrets.ts';
import {
  bootstrapAdmin,
  callerPermissions,
  createToken,
  createUser,
  currentSession,
  getUser,
  listTokens,
  listUsers,
  login,
  logout,
  resetPassword,
  revokeToken,
  sessionLifetimeMs,
  updateUser,
} from './service.ts';
import type { Sleep } from './service.ts';

export interface AuthRouteOptions {
  /** Login throttling limits (tests lower them); the limiter is per app, so per process. */
  readonly loginLimits?: LoginLimits;
  /** How a slowed login waits (tests record the delay instead of waiting). */
  readonly sleep?: Sleep;
}

export function registerAuthRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: AuthRouteOptions = {},
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const limiter = new LoginLimiter(ctx.clock, options.loginLimits ?? defaultLoginLimits);
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  // `Secure` when configured, or when this request came over HTTPS: directly, or through a
  // proxy the server trusts (PATCHGATE_TRUST_PROXY) that says so in X-Forwarded-Proto.
  const cookieOptions = (request: FastifyRequest) =>
    ({
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: ctx.config.secureCookies || request.protocol === 'https',
    }) as const;

  api.post(
    '/api/v1/bootstrap',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'bootstrapAdmin',
        tags: ['auth'],
        summary: 'Create the first admin; only while no user exists (409 afterwards)',
        body: BootstrapRequest,
        response: { 201: User, 409: Problem },
      },
    },
    async (request, reply) => {
      const result = await bootstrapAdmin(ctx, request.body, auditSource(request));
      switch (result.status) {
        case 'created':
          return reply.status(201).send(result.user);
        case 'users_exist':
          throw new ConflictError('Patchgate already has users: log in instead');
        case 'invalid':
          // The body schema already checked this; kept for completeness.
          throw new ValidationError('The request is not valid', result.problems);
      }
    },
  );

  api.post(
    '/api/v1/session',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'login',
        tags: ['auth'],
        summary: 'Log in: sets the HttpOnly session cookie and returns the CSRF token',
        body: LoginRequest,
        response: { 200: SessionResponse, 401: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      const result = await login(
        ctx,
        limiter,
        request.body,
        {
          ip: request.ip,
          requestId: request.id,
          userAgent: request.headers['user-agent'] ?? null,
          previousCookie: request.cookies[sessionCookie],
        },
        sleep,
      );
      if (result.status === 'throttled') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        throw new TooManyRequestsError(
          `Too many failed logins; try again in ${result.retryAfterSeconds} seconds`,
        );
      }
      if (result.status === 'failed') throw new UnauthorizedError('Wrong username or password');
      reply.header('cache-control', 'no-store');
      reply.setCookie(sessionCookie, result.cookie, {
        ...cookieOptions(request),
        maxAge: sessionLifetimeMs / 1000,
      });
      return result.session;
    },
  );

  api.get(
    '/api/v1/session',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getSession',
        tags: ['auth'],
        summary: 'The current caller: user, permissions and (for a session) its CSRF token',
        response: { 200: SessionResponse },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return currentSession(ctx, requirePrincipal(request));
    },
  );

  api.delete(
    '/api/v1/session',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'logout',
        tags: ['auth'],
        summary: 'Log out: ends the session and clears the cookie',
        response: { 204: z.undefined().describe('logged out'), 409: Problem },
      },
    },
    async (request, reply) => {
      await logout(ctx, requirePrincipal(request), auditSource(request));
      reply.clearCookie(sessionCookie, cookieOptions(request));
      return reply.status(204).send();
    },
  );

  api.get(
    '/api/v1/permissions',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getPermissions',
        tags: ['auth'],
        summary: "The caller's roles and permissions; every role's permissions for admins",
        response: { 200: PermissionsResponse },
      },
    },
    (request) => callerPermissions(requirePrincipal(request)),
  );

  api.post(
    '/api/v1/users',
    {
      config: { access: 'users:manage' },
      schema: {
        operationId: 'createUser',
        tags: ['users'],
        summary: 'Create a local user',
        body: CreateUserRequest,
        response: { 201: User, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createUser(ctx, request.body, auditSource(request))),
  );

  api.get(
    '/api/v1/users',
    {
      config: { access: 'users:manage' },
      schema: {
        operationId: 'listUsers',
        tags: ['users'],
        summary: 'List users, a page at a time',
        querystring: ListUsersQuery,
        response: { 200: UserList },
      },
    },
    (request) => listUsers(ctx, request.query),
  );

  api.get(
    '/api/v1/users/:id',
    {
      config: { access: 'users:manage' },
      schema: {
        operationId: 'getUser',
        tags: ['users'],
        summary: 'One user',
        params: IdParams,
        response: { 200: User },
      },
    },
    (request) => getUser(ctx, request.params.id),
  );

  api.patch(
    '/api/v1/users/:id',
    {
      config: { access: 'users:manage' },
      schema: {
        operationId: 'updateUser',
        tags: ['users'],
        summary: 'Change display name, roles or disabled (disabling ends sessions and tokens)',
        params: IdParams,
        body: UpdateUserRequest,
        response: { 200: User, 409: Problem },
      },
    },
    (request) =>
      updateUser(
        ctx,
        requirePrincipal(request),
        request.params.id,
        request.body,
        auditSource(request),
      ),
  );

  api.post(
    '/api/v1/users/:id/password',
    {
      config: { access: 'users:manage' },
      schema: {
        operationId: 'resetPassword',
        tags: ['users'],
        summary: "Set a user's password; their other sessions end",
        params: IdParams,
        body: ResetPasswordRequest,
        response: { 204: z.undefined().describe('the password is set') },
      },
    },
    async (request, reply) => {
      await resetPassword(
        ctx,
        requirePrincipal(request),
        request.params.id,
        request.body.password,
        auditSource(request),
      );
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/tokens',
    {
      config: { access: 'tokens:own' },
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: 'Create an API token for yourself; the token is shown only in this response',
        body: CreateTokenRequest,
        response: { 201: CreatedToken },
      },
    },
    async (request, reply) => {
      const created = await createToken(
        ctx,
        requirePrincipal(request),
        request.body,
        auditSource(request),
      );
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(created);
    },
  );

  api.get(
    '/api/v1/tokens',
    {
      config: { access: 'tokens:own' },
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: "Your API tokens (another user's with users:manage), newest first",
        querystring: ListTokensQuery,
        response: { 200: TokenList },
      },
    },
    (request) => listTokens(ctx, requirePrincipal(request), request.query),
  );

  api.delete(
    '/api/v1/tokens/:id',
    {
      config: { access: 'tokens:own' },
      schema: {
        operationId: 'revokeToken',
        tags: ['tokens'],
        summary: "Revoke a token: yours, or anyone's with users:manage",
        params: IdParams,
        response: { 204: z.undefined().describe('revoked') },
      },
    },
    async (request, reply) => {
      await revokeToken(ctx, requirePrincipal(request), request.params.id, auditSource(request));
      return reply.status(204).send();
    },
  );
}
