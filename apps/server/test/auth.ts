/**
 * Test callers: a user with the given roles and an API token for it, written straight into
 * the database (the auth context's own tests exercise the real login and token routes).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../src/db/database.ts';
import { permissions } from '../src/contexts/auth/permissions.ts';
import { apiTokenPrefix, newSecret, sha256 } from '../src/contexts/auth/secrets.ts';

export interface TestCaller {
  readonly userId: string;
  readonly username: string;
  readonly token: string;
  /** `{ authorization: 'Bearer pgt_…' }` for fastify.inject. */
  readonly headers: { authorization: string };
}

export async function testCaller(
  database: Database,
  roles: readonly string[],
  username = `user-${roles.join('-') || 'none'}-${randomUUID().slice(0, 8)}`,
): Promise<TestCaller> {
  const userId = randomUUID();
  const now = new Date('2026-11-22T08:00:00.000Z').toISOString();
  await database.db
    .insertInto('users')
    .values({
      id: userId,
      username,
      display_name: username,
      // Not a valid scrypt hash: this user cannot log in with a password, only with the token.
      password_hash: 'test-only',
      roles_json: JSON.stringify(roles),
      disabled: 0,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    })
    .execute();
  const token = newSecret(apiTokenPrefix);
  await database.db
    .insertInto('api_tokens')
    .values({
      id: randomUUID(),
      user_id: userId,
      name: 'test',
      token_hash: sha256(token),
      prefix: token.slice(0, 8),
      scopes_json: JSON.stringify(permissions),
      created_at: now,
      expires_at: '2099-01-01T00:00:00.000Z',
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { userId, username, token, headers: { authorization: `Bearer ${token}` } };
}
