import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { appendAuditEvent, systemActor, verifyAuditChain } from './audit-log.ts';
import { canonicalJson } from './chain.ts';

const fixedClock = { now: () => new Date('2026-11-22T10:00:00.000Z') };

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe.each(testDatabases())('audit log on $name', ({ open, skip }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function withEvents(count: number): Promise<Database> {
    database = await open();
    const { db, dialect } = database;
    for (let i = 0; i < count; i++) {
      await db.transaction().execute((trx) =>
        appendAuditEvent(trx, dialect, fixedClock, {
          actor: systemActor,
          action: 'test.event',
          subjectType: 'test',
          subjectId: String(i),
          after: { i },
        }),
      );
    }
    return database;
  }

  it.skipIf(skip !== undefined)('chains events and verifies the chain', async () => {
    const { db } = await withEvents(5);
    const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(await verifyAuditChain(db, 2)).toEqual({ ok: true, events: 5, lastHash: rows[4]?.hash });
  });

  it.skipIf(skip !== undefined)('refuses UPDATE and DELETE in the database itself', async () => {
    const { db } = await withEvents(2);
    await expect(
      db.updateTable('audit_events').set({ action: 'forged' }).where('seq', '=', 1).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_events').where('seq', '=', 2).execute()).rejects.toThrow(
      /append-only/,
    );
  });

  it.skipIf(skip !== undefined)(
    'detects a forged event even when the triggers are bypassed',
    async () => {
      const { db, dialect } = await withEvents(3);
      if (dialect === 'sqlite') {
        await sql`DROP TRIGGER audit_events_no_update`.execute(db);
      } else {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`.execute(db);
      }
      await db
        .updateTable('audit_events')
        .set({ after_json: '{"i":99}' })
        .where('seq', '=', 2)
        .execute();
      expect(await verifyAuditChain(db)).toMatchObject({
        ok: false,
        events: 1,
        brokenAt: { seq: 2, reason: 'hash does not match the event' },
      });
    },
  );

  it.skipIf(skip !== undefined)('keeps one chain under concurrent appends', async () => {
    database = await open();
    const { db, dialect } = database;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction().execute((trx) =>
          appendAuditEvent(trx, dialect, fixedClock, {
            actor: systemActor,
            action: 'test.concurrent',
            subjectType: 'test',
            subjectId: String(i),
          }),
        ),
      ),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, events: 20 });
  });
});
