/**
 * The auth API's schemas: strict for input (unknown keys are rejected), every field described so
 * the generated OpenAPI document explains it. Schema and inferred type share a name.
 */
import { z } from 'zod';
import { permissions, roles } from './permissions.ts';
import { checkPassword, maximumPasswordLength, passwordPolicy } from './password-policy.ts';

export { minimumPasswordLength, passwordPolicy } from './password-policy.ts';

/** The policy of password-policy.ts (NIST SP 800-63B): its reason is the 422's field message. */
export const Password = z
  .string()
  .max(
    maximumPasswordLength * 4,
    `The password must be at most ${maximumPasswordLength} characters`,
  )
  .superRefine((password, issue) => {
    const problem = checkPassword(password);
    if (problem !== undefined) issue.addIssue({ code: 'custom', message: problem });
  })
  .describe(`the password: ${passwordPolicy}; at most ${maximumPasswordLength}`);

/** Lower case only, so the unique index is also case-insensitive; login lower-cases its input. */
export const Username = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._@-]{0,63}$/,
    'A username is 1–64 lower-case letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
  )
  .describe('login name: lower-case letters, digits, ".", "_", "@", "-"; at most 64');

export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('the name shown in the interface and the audit log');

export const RoleName = z.enum(roles).describe('a role (docs/adr/0008-roles-and-permissions.md)');
export const PermissionName = z.enum(permissions).describe('a permission');

const Roles = z
  .array(RoleName)
  .min(1)
  .max(roles.length)
  .refine((list) => new Set(list).size === list.length, 'Each role may appear once')
  .describe('the roles granted, at least one');

export const BootstrapRequest = z.strictObject({
  username: Username,
  password: Password,
  displayName: DisplayName,
});
export type BootstrapRequest = z.infer<typeof BootstrapRequest>;

export const LoginRequest = z.strictObject({
  username: z.string().min(1).max(200).describe('login name (compared in lower case)'),
  password: z
    .string()
    .min(1)
    .max(maximumPasswordLength * 4)
    .describe('the password'),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionUser = z
  .object({
    id: z.string().describe('user id'),
    username: z.string().describe('login name'),
    displayName: z.string().describe('display name'),
    roles: z.array(RoleName).describe("the user's roles"),
    permissions: z
      .array(PermissionName)
      .describe(
        'what this caller may do: the roles\u2019 permissions, narrowed by a token\u2019s scopes',
      ),
  })
  .describe('the logged-in caller');
export type SessionUser = z.infer<typeof SessionUser>;

export const SessionResponse = z
  .object({
    user: SessionUser,
    csrfToken: z
      .string()
      .optional()
      .describe('send it back in the x-csrf-token header on every POST, PUT, PATCH and DELETE'),
  })
  .describe('the current session; token callers get no csrfToken');
export type SessionResponse = z.infer<typeof SessionResponse>;

export const User = z
  .object({
    id: z.string().describe('user id (UUID)'),
    username: z.string().describe('login name'),
    displayName: z.string().describe('display name'),
    roles: z.array(RoleName).describe('roles'),
    disabled: z.boolean().describe('a disabled user cannot log in; sessions and tokens ended'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
    lastLoginAt: z.string().nullable().describe('last successful login, ISO 8601 UTC'),
  })
  .describe('a local user');
export type User = z.infer<typeof User>;

export const CreateUserRequest = z.strictObject({
  username: Username,
  displayName: DisplayName,
  password: Password,
  roles: Roles,
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .strictObject({
    displayName: DisplayName.optional(),
    roles: Roles.optional(),
    disabled: z
      .boolean()
      .optional()
      .describe('true ends every session and revokes every token of the user'),
  })
  .refine(
    (body) =>
      body.displayName !== undefined || body.roles !== undefined || body.disabled !== undefined,
    'Give at least one of displayName, roles, disabled',
  );
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const ResetPasswordRequest = z.strictObject({ password: Password });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

export const userSortKeys = ['username', 'createdAt'] as const;
export type UserSortKey = (typeof userSortKeys)[number];

export const ListUsersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size, at most 500'),
  offset: z.coerce.number().int().min(0).default(0).describe('users to skip'),
  sort: z.enum(userSortKeys).default('username').describe('sort key'),
  order: z.enum(['asc', 'desc']).default('asc').describe('sort direction'),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

export const UserList = z.object({
  users: z.array(User).describe('this page'),
  total: z.number().int().describe('users in all pages'),
  limit: z.number().int().describe('page size'),
  offset: z.number().int().describe('users skipped'),
});
export type UserList = z.infer<typeof UserList>;

export const IdParams = z.strictObject({ id: z.uuid().describe('the id (UUID)') });
export type IdParams = z.infer<typeof IdParams>;

export const ApiToken = z
  .object({
    id: z.string().describe('token id (UUID)'),
    userId: z.string().describe('the user the token acts for'),
    name: z.string().describe('what the token is for'),
    prefix: z.string().describe('its first characters, to recognise it (pgt_Ab3dEf7h)'),
    scopes: z.array(PermissionName).describe('the permissions it may use'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    expiresAt: z.string().describe('ISO 8601 UTC'),
    lastUsedAt: z.string().nullable().describe('last request made with it'),
    revokedAt: z.string().nullable().describe('when it was revoked'),
    parentTokenId: z
      .string()
      .nullable()
      .describe(
        'the token that minted this one (it expires no later and is revoked with it); null when a session did',
      ),
  })
  .describe('an API token (never its secret)');
export type ApiToken = z.infer<typeof ApiToken>;

export const CreateTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('what the token is for'),
  scopes: z
    .array(PermissionName)
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'Each scope may appear once')
    .describe('permissions the token may use: a subset of your own'),
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(90)
    .describe(
      'lifetime in days, 1–365 (default 90); a token made with a token expires no later than it',
    ),
});
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const CreatedToken = ApiToken.extend({
  token: z.string().describe('the token, pgt_…: shown this once, stored only as a hash'),
}).describe('a new API token and its secret');
export type CreatedToken = z.infer<typeof CreatedToken>;

export const ListTokensQuery = z.strictObject({
  userId: z
    .uuid()
    .optional()
    .describe("whose tokens (default: yours); another user's needs users:manage"),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size, at most 500'),
  offset: z.coerce.number().int().min(0).default(0).describe('tokens to skip'),
});
export type ListTokensQuery = z.infer<typeof ListTokensQuery>;

export const TokenList = z.object({
  tokens: z.array(ApiToken).describe('this page, newest first'),
  total: z.number().int().describe('tokens in all pages'),
  limit: z.number().int().describe('page size'),
  offset: z.number().int().describe('tokens skipped'),
});
export type TokenList = z.infer<typeof TokenList>;

export const PermissionsResponse = z.object({
  roles: z.array(RoleName).describe("the caller's roles"),
  permissions: z.array(PermissionName).describe('what the caller may do in this request'),
  rolePermissions: z
    .record(RoleName, z.array(PermissionName))
    .optional()
    .describe('every role and its permissions (only for callers with users:manage)'),
});
export type PermissionsResponse = z.infer<typeof PermissionsResponse>;
