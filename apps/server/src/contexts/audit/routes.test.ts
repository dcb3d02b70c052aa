/** The audit API's verification and checkpoints through the real app, on both databases. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';

describe.each(testDatabases())('audit API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    built = undefined;
    database = undefined;
    dir = undefined;
  });

  it.skipIf(skip !== undefined)(
    'takes checkpoints on demand and reports truncation below the last one',
    async () => {
      database = await open();
      dir = mkdtempSync(join(tmpdir(), 'patchgate-audit-api-'));
      built = await testApp(database, undefined, {
        auditKeyFile: join(dir, 'key.pem'),
        auditCheckpointFile: join(dir, 'checkpoints.jsonl'),
      });
      const server = built.app;
      const auditor = await testCaller(database, ['auditor']);
      const viewer = await testCaller(database, ['viewer']);
      const admin = await testCaller(database, ['admin']);
      // Some audited changes: users created through the API.
      for (const name of ['ada', 'bob', 'cy']) {
        const created = await server.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: admin.headers,
          payload: {
            username: name,
            displayName: name,
            password: `${name} has a long passphrase`,
            roles: ['viewer'],
          },
        });
        expect(created.statusCode).toBe(201);
      }
      const before = await server.inject({
        url: '/api/v1/audit/verification',
        headers: auditor.headers,
      });
      expect(before.json()).toMatchObject({
        ok: true,
        events: 3,
        checkpoints: { count: 0, keyId: null, last: null, eventsAfterLast: 3, problems: [] },
      });
      expect(
        (
          await server.inject({
            method: 'POST',
            url: '/api/v1/audit/checkpoints',
            headers: viewer.headers,
          })
        ).statusCode,
      ).toBe(403);
      const taken = await server.inject({
        method: 'POST',
        url: '/api/v1/audit/checkpoints',
        headers: auditor.headers,
      });
      expect(taken.statusCode).toBe(201);
      expect(taken.json()).toEqual({
        checkpoint: {
          number: 1,
          seq: 3,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
          takenAt: expect.any(String) as unknown,
        },
        keyId: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
      });
      // Someone with database access removes the last event.
      if (database.dialect === 'sqlite') {
        await sql`DROP TRIGGER audit_events_no_delete`.execute(database.db);
      } else {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`.execute(
          database.db,
        );
      }
      await database.db.deleteFrom('audit_events').where('seq', '=', 3).execute();
      const after = await server.inject({
        url: '/api/v1/audit/verification',
        headers: auditor.headers,
      });
      expect(after.json()).toMatchObject({
        ok: false,
        events: 2,
        brokenAt: { seq: 3, reason: expect.stringMatching(/^event 3 is missing/) as unknown },
        checkpoints: { count: 1, last: { number: 1, seq: 3 } },
      });
      const refused = await server.inject({
        method: 'POST',
        url: '/api/v1/audit/checkpoints',
        headers: auditor.headers,
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'audit_log_broken' });
    },
  );

  it.skipIf(skip !== undefined)(
    'pages the log oldest first (afterSeq) and newest first (order=desc, beforeSeq)',
    async () => {
      database = await open();
      built = await testApp(database);
      const server = built.app;
      const auditor = await testCaller(database, ['auditor']);
      const admin = await testCaller(database, ['admin']);
      for (const name of ['ada', 'bob', 'cy', 'dee', 'eve']) {
        const created = await server.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: admin.headers,
          payload: {
            username: name,
            displayName: name,
            password: `${name} has a long passphrase`,
            roles: ['viewer'],
          },
        });
        expect(created.statusCode).toBe(201);
      }
      const page = async (query: string) => {
        const answer = await server.inject({
          url: `/api/v1/audit/events?${query}`,
          headers: auditor.headers,
        });
        expect(answer.statusCode).toBe(200);
        const body = answer.json<{
          events: { seq: number }[];
          nextAfterSeq: number | null;
          nextBeforeSeq: number | null;
        }>();
        return { ...body, events: body.events.map((event) => event.seq) };
      };
      expect(await page('action=user.created&limit=2')).toEqual({
        events: [1, 2],
        nextAfterSeq: 2,
        nextBeforeSeq: null,
      });
      expect(await page('action=user.created&limit=2&order=desc')).toEqual({
        events: [5, 4],
        nextAfterSeq: null,
        nextBeforeSeq: 4,
      });
      expect(await page('action=user.created&limit=2&order=desc&beforeSeq=4')).toEqual({
        events: [3, 2],
        nextAfterSeq: null,
        nextBeforeSeq: 2,
      });
      expect(await page('action=user.created&limit=2&order=desc&beforeSeq=2')).toEqual({
        events: [1],
        nextAfterSeq: null,
        nextBeforeSeq: null,
      });
      const refused = await server.inject({
        url: '/api/v1/audit/events?order=sideways',
        headers: auditor.headers,
      });
      expect(refused.statusCode).toBe(422);
    },
  );
});
