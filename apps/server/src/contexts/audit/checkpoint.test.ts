/**
 * Checkpoints anchored outside the database, on both databases: issue 7's attacks on the audit
 * log (delete the last events; rewrite a row and every later hash) are detected up to the last
 * checkpoint, and the chain alone — what `audit verify` checked before — misses both.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testDatabases } from '../../../test/databases.ts';
import type { Database } from '../../db/database.ts';
import { appendAuditEvent, systemActor, verifyAuditChain } from './audit-log.ts';
import { eventHash } from './chain.ts';
import type { CheckpointSettings } from './checkpointer.ts';
import {
  Checkpointer,
  loadOrCreateCheckpointKey,
  startPeriodicCheckpoints,
  verifyAuditLog,
} from './checkpointer.ts';

const clock = { now: () => new Date('2026-11-22T10:00:00.000Z') };
const silent = pino({ level: 'silent' });

describe.each(testDatabases())('audit checkpoints on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await database?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    database = undefined;
    dir = undefined;
  });

  async function setUp(events: number, webhook?: string) {
    database = await open();
    dir = mkdtempSync(join(tmpdir(), 'patchgate-checkpoints-'));
    const settings: CheckpointSettings = {
      auditKeyFile: join(dir, 'keys', 'audit-checkpoint-key.pem'),
      auditCheckpointFile: join(dir, 'audit-checkpoints.jsonl'),
      ...(webhook !== undefined && { auditCheckpointWebhook: webhook }),
    };
    await append(database, events);
    return { db: database.db, settings, checkpointer: new Checkpointer(settings, clock, silent) };
  }

  async function append(db: Database, count: number) {
    for (let i = 0; i < count; i++) {
      await db.db.transaction().execute((trx) =>
        appendAuditEvent(trx, db.dialect, clock, {
          actor: systemActor,
          action: 'test.event',
          subjectType: 'test',
          subjectId: String(i),
          after: { i },
        }),
      );
    }
  }

  /** What an attacker with database access (but not the key) does: bypass the triggers. */
  async function withoutTriggers(db: Database, change: () => Promise<void>) {
    if (db.dialect === 'sqlite') {
      await sql`DROP TRIGGER audit_events_no_update`.execute(db.db);
      await sql`DROP TRIGGER audit_events_no_delete`.execute(db.db);
    } else {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`.execute(db.db);
    }
    await change();
  }

  it.skipIf(skip !== undefined)(
    'creates the key 0600 on first use, signs heads into an append-only file, verifies them',
    async () => {
      const { db, settings, checkpointer } = await setUp(5);
      const first = await checkpointer.take(db);
      expect(first).toMatchObject({ status: 'taken', checkpoint: { n: 1, seq: 5 } });
      expect(statSync(settings.auditKeyFile).mode & 0o777).toBe(0o600);
      expect(statSync(settings.auditCheckpointFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(`${settings.auditKeyFile}.pub`, 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
      await append(database as Database, 2);
      await checkpointer.take(db);
      const lines = readFileSync(settings.auditCheckpointFile, 'utf8').trim().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { n: number; seq: number }).seq)).toEqual([5, 7]);
      await append(database as Database, 1);
      expect(await verifyAuditLog(db, settings)).toMatchObject({
        ok: true,
        events: 8,
        checkpoints: {
          count: 2,
          last: { number: 2, seq: 7 },
          eventsAfterLast: 1,
          problems: [],
        },
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'detects the deletion of the last events (the chain alone does not)',
    async () => {
      const { db, settings, checkpointer } = await setUp(10);
      await checkpointer.take(db);
      await withoutTriggers(database as Database, async () => {
        await db.deleteFrom('audit_events').where('seq', '>', 7).execute();
      });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, events: 7 });
      expect(await verifyAuditLog(db, settings)).toMatchObject({
        ok: false,
        brokenAt: {
          seq: 8,
          reason: expect.stringMatching(
            /^events 8–10 are missing: checkpoint 1 \(.+\) was signed over 10 events/,
          ) as unknown,
        },
      });
      // And no checkpoint is signed over the truncated log.
      expect(await checkpointer.take(db)).toMatchObject({ status: 'refused' });
    },
  );

  it.skipIf(skip !== undefined)(
    'detects a row rewritten together with every later hash (the chain alone does not)',
    async () => {
      const { db, settings, checkpointer } = await setUp(10);
      await checkpointer.take(db);
      await withoutTriggers(database as Database, async () => {
        const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
        let previous: string | undefined;
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq < 4) {
            previous = row.hash;
            continue;
          }
          const forged = {
            ...row,
            seq,
            prev_hash: previous ?? row.prev_hash,
            after_json: seq === 4 ? '{"i":"forged"}' : row.after_json,
          };
          const { hash: _stale, ...fields } = forged;
          void _stale;
          const hash = eventHash(fields);
          await db
            .updateTable('audit_events')
            .set({ after_json: forged.after_json, prev_hash: forged.prev_hash, hash })
            .where('seq', '=', seq)
            .execute();
          previous = hash;
        }
      });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, events: 10 });
      expect(await verifyAuditLog(db, settings)).toMatchObject({
        ok: false,
        brokenAt: {
          seq: 10,
          reason: expect.stringMatching(
            /^event 10 is not the one checkpoint 1 \(.+\) signed: the chain was rewritten after event 0/,
          ) as unknown,
        },
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'detects a changed, removed or foreign checkpoint line, and a removed file',
    async () => {
      const { db, settings, checkpointer } = await setUp(3);
      for (let i = 0; i < 3; i++) {
        await append(database as Database, 1);
        await checkpointer.take(db);
      }
      const original = readFileSync(settings.auditCheckpointFile, 'utf8');
      const lines = original.trim().split('\n');
      const problemsWith = async (text: string | undefined) => {
        if (text === undefined) rmSync(settings.auditCheckpointFile);
        else writeFileSync(settings.auditCheckpointFile, text);
        const result = await verifyAuditLog(db, settings);
        return { ok: result.ok, problems: result.checkpoints.problems };
      };
      // A lowered head (to hide truncation) breaks the signature.
      const edited = lines.map((l, i) => (i === 2 ? l.replace('"seq":6', '"seq":4') : l));
      expect(await problemsWith(edited.join('\n'))).toEqual({
        ok: false,
        problems: ['checkpoint file line 3: the signature does not verify (the line was changed)'],
      });
      expect(await problemsWith([lines[0], lines[2]].join('\n'))).toEqual({
        ok: false,
        problems: [
          'checkpoint file line 2: checkpoint 3 does not follow checkpoint 1 (a line was removed or reordered)',
        ],
      });
      // A line signed with another key (an attacker's) does not count.
      const otherDir = mkdtempSync(join(tmpdir(), 'patchgate-other-key-'));
      const other = new Checkpointer(
        {
          auditKeyFile: join(otherDir, 'key.pem'),
          auditCheckpointFile: join(otherDir, 'checkpoints.jsonl'),
        },
        clock,
        silent,
      );
      await other.take(db);
      const foreign = readFileSync(join(otherDir, 'checkpoints.jsonl'), 'utf8');
      rmSync(otherDir, { recursive: true, force: true });
      expect((await problemsWith(foreign)).problems[0]).toMatch(/is signed by another key/);
      expect(await problemsWith(undefined)).toEqual({
        ok: false,
        problems: [`the checkpoint file ${settings.auditCheckpointFile} is missing`],
      });
      expect(await problemsWith(original)).toEqual({ ok: true, problems: [] });
    },
  );

  it.skipIf(skip !== undefined)(
    'takes a checkpoint at start, every interval, and at stop',
    async () => {
      // Only the interval timer is faked: the file system and the database run for real.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      try {
        const { db, settings, checkpointer } = await setUp(1);
        const lines = () =>
          readFileSync(settings.auditCheckpointFile, 'utf8')
            .trim()
            .split('\n')
            .map((l) => (JSON.parse(l) as { n: number; seq: number }).seq);
        const periodic = startPeriodicCheckpoints(checkpointer, db, 900, silent);
        await periodic.whenIdle();
        expect(lines()).toEqual([1]);
        await append(database as Database, 2);
        vi.advanceTimersByTime(899_000);
        await periodic.whenIdle();
        expect(lines()).toEqual([1]);
        vi.advanceTimersByTime(1000);
        await periodic.whenIdle();
        expect(lines()).toEqual([1, 3]);
        await append(database as Database, 1);
        await periodic.stop();
        expect(lines()).toEqual([1, 3, 4]);
        vi.advanceTimersByTime(3600_000);
        await periodic.whenIdle();
        expect(lines()).toEqual([1, 3, 4]);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it.skipIf(skip !== undefined)('posts each checkpoint to the webhook', async () => {
    const received: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { db, checkpointer } = await setUp(2, `http://127.0.0.1:${port}/hook`);
      const result = await checkpointer.take(db);
      expect(result).toMatchObject({ status: 'taken', webhook: 'delivered' });
      expect(received).toEqual([
        {
          type: 'patchgate.audit.checkpoint',
          checkpoint: expect.objectContaining({ n: 1, seq: 2 }) as unknown,
        },
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.skipIf(skip !== undefined)('refuses a key file others may read, or not a key', async () => {
    const { settings } = await setUp(0);
    await loadOrCreateCheckpointKey(settings.auditKeyFile);
    chmodSync(settings.auditKeyFile, 0o644);
    await expect(loadOrCreateCheckpointKey(settings.auditKeyFile)).rejects.toThrow(
      /^PATCHGATE_AUDIT_KEY_FILE: .* must be readable by its owner only/,
    );
    writeFileSync(settings.auditKeyFile, 'not a key', { mode: 0o600 });
    chmodSync(settings.auditKeyFile, 0o600);
    await expect(loadOrCreateCheckpointKey(settings.auditKeyFile)).rejects.toThrow(
      /is not a private key in PEM form/,
    );
  });
});
