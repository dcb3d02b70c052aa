/** bootstrapAdmin as the CLI calls it (no HTTP): every outcome is a result, never a throw. */
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/databases.ts';
import type { ServerContext } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import { verifyAuditChain } from '../audit/index.ts';
import { verifyPassword } from './secrets.ts';
import { bootstrapAdmin } from './service.ts';
import { testContext } from '../../../test/app.ts';
import { testClock } from '@patchgate/testing';

const now = '2026-11-22T09:00:00.000Z';

function contextOf(database: Database): ServerContext {
  return testContext(database, testClock(now));
}

const valid = { username: 'root', password: 'twelve chars', displayName: 'Root' };

describe.each(testDatabases())('bootstrapAdmin on $name', ({ open, skip }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it.skipIf(skip !== undefined).each([
    {
      input: { ...valid, password: 'eleven char' },
      problems: [
        {
          field: 'password',
          message:
            'The password must be at least 12 characters long (it has 11; spaces around or repeated between words do not count)',
        },
      ],
    },
    {
      input: { ...valid, username: '' },
      problems: [
        { field: 'username', message: expect.stringMatching(/^A username is/) as unknown },
      ],
    },
  ])('refuses $problems.0.field without writing anything', async ({ input, problems }) => {
    database = await open();
    expect(await bootstrapAdmin(contextOf(database), input)).toEqual({
      status: 'invalid',
      problems,
    });
    expect(await database.db.selectFrom('users').selectAll().execute()).toEqual([]);
  });

  it.skipIf(skip !== undefined)(
    'creates the admin on an empty database, then only reports',
    async () => {
      database = await open();
      const ctx = contextOf(database);
      const created = await bootstrapAdmin(ctx, valid);
      expect(created).toEqual({
        status: 'created',
        user: {
          id: expect.any(String) as unknown,
          username: 'root',
          displayName: 'Root',
          roles: ['admin'],
          disabled: false,
          createdAt: now,
          updatedAt: now,
          lastLoginAt: null,
        },
      });
      expect(await bootstrapAdmin(ctx, { ...valid, username: 'second' })).toEqual({
        status: 'users_exist',
      });
      const rows = await database.db.selectFrom('users').selectAll().execute();
      expect(rows.map((r) => r.username)).toEqual(['root']);
      expect(await verifyPassword(valid.password, rows[0]?.password_hash ?? '')).toBe(true);
      const events = await database.db
        .selectFrom('audit_events')
        .select(['action', 'actor_type', 'actor_name', 'after_json'])
        .execute();
      expect(events).toEqual([
        {
          action: 'user.bootstrapped',
          actor_type: 'system',
          actor_name: 'system',
          after_json: expect.not.stringContaining(valid.password) as unknown,
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)('lets exactly one of two concurrent bootstraps win', async () => {
    database = await open();
    const ctx = contextOf(database);
    const results = await Promise.all([
      bootstrapAdmin(ctx, { ...valid, username: 'first' }),
      bootstrapAdmin(ctx, { ...valid, username: 'second' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['created', 'users_exist']);
    expect(await database.db.selectFrom('users').select('username').execute()).toHaveLength(1);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, events: 1 });
  });
});

describe('password hashing cost', () => {
  it('uses OWASP scrypt N=2^17 by default and records the cost in the hash', async () => {
    const { hashPassword, verifyPassword } = await import('./secrets.ts');
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('wrong', hash)).toBe(false);
  });
});
