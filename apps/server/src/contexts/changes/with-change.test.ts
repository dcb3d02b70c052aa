/**
 * A change action that PostgreSQL ends as a deadlock is run again, not answered with a 500: the
 * lock order of a change action (the change row, then the audit chain) meets the opposite order
 * (the audit chain, then the change row), as a rollout step or a pre-flight result takes them.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { Database } from '../../db/database.ts';
import type { ApiChange } from './schema.ts';
import { withChange } from './service.ts';
import { call } from './test-support.ts';

const postgres = testDatabases().find((d) => d.name === 'postgres');
/** audit-log.ts's advisory lock of the chain head. */
const chainLock = 0x50474155;

describe.skipIf(postgres?.skip !== undefined)('withChange on PostgreSQL', () => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
  });

  it('runs a change action again when PostgreSQL ends it as a deadlock', async () => {
    const opened = await (postgres?.open() ?? Promise.reject(new Error('no PostgreSQL')));
    database = opened;
    const built = await testApp(opened);
    const admin = await testCaller(opened, ['admin'], 'ada-admin');
    await call(built.app, admin, 'POST', '/api/v1/assets', 201, {
      name: 'web-09',
      osRelease: 'Debian:12',
    });
    await call(built.app, admin, 'POST', '/api/v1/assets/web-09/snapshots', 201, {
      packages: [{ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' }],
    });
    const change = await call<ApiChange>(built.app, admin, 'POST', '/api/v1/changes', 201, {
      title: 'openssl on web-09',
      patches: [{ asset: 'web-09', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
    });
    const db = opened.db;

    // The other writer takes the audit chain first and keeps it until told to go on.
    let otherHasChain!: () => void;
    const chainTaken = new Promise<void>((resolve) => (otherHasChain = resolve));
    let releaseOther!: () => void;
    const otherMayGoOn = new Promise<void>((resolve) => (releaseOther = resolve));
    const other = db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${chainLock})`.execute(trx);
      otherHasChain();
      await otherMayGoOn;
      await sql`SELECT id FROM change_requests WHERE id = ${change.id} FOR UPDATE`.execute(trx);
    });
    await chainTaken;

    // The change action holds the row and waits for the chain; the other then waits for the
    // row: a deadlock. PostgreSQL ends the transaction that waited first, the change action.
    let attempts = 0;
    const action = withChange(
      { database: built.context.database, clock: built.context.clock },
      change.id,
      async (trx) => {
        attempts++;
        if (attempts === 1) setTimeout(releaseOther, 200);
        await sql`SELECT pg_advisory_xact_lock(${chainLock})`.execute(trx);
        return attempts;
      },
    );
    const [result] = await Promise.all([action, other]);
    expect(result).toBe(2);
    expect(attempts).toBe(2);
    await built.app.close();
  }, 30_000);
});
