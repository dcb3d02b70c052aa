/**
 * Crash safety through real processes: `patchgate server` is killed with SIGKILL in the middle
 * of a bulk import with an inventory upload, and in the middle of an advisory sync, then
 * restarted on the same database. What was committed survives, nothing is half-applied, the
 * audit chain still verifies, and the work completes: the import when it is sent again, the
 * sync when its job's lease lapses and the restarted server claims it again.
 *
 * Where the kill lands is chosen, not hoped for:
 * - import rounds kill 1 ms after both bodies left, while a write transaction is seen open,
 *   at 80 % of a measured import, and just after the import is seen committed (its response
 *   may or may not have left: the data must be there either way);
 * - "a write transaction is open" is exact on PostgreSQL (pg_stat_activity: a backend with a
 *   transaction id running `insert into "asset…`, so the import must be rolled back). SQLite
 *   only says that some connection holds the write lock (BEGIN IMMEDIATE fails), so that round
 *   may have hit the upload's transaction instead; its outcome is reported, not asserted;
 * - the sync is killed once its job row shows progress (read from the row every 2 ms: on
 *   SQLite the whole write phase can pass between two HTTP polls) and a batch transaction is
 *   open, so the kill lands inside batch 2 or later.
 * Servers run with PATCHGATE_JOB_LEASE_SECONDS=5 so the killed sync is claimed within seconds.
 */
import { createHash } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { request as httpRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedData } from '@patchgate/testing';
import type { Database } from '../src/db/database.ts';
import type { ServerDatabase, ServerProcess } from './server-process.ts';
import {
  adminToken,
  buildCli,
  freshServerDatabase,
  repoRoot,
  startServerProcess,
} from './server-process.ts';

/** A killed server's jobs are claimed again this many seconds after its last heartbeat. */
const leaseSeconds = 5;
const importSize = 10_000;
const inventoryPath = `${repoRoot}examples/debian-bookworm/dpkg-query.tsv`;
const inventoryPackages = 723;
/** golang/vulndb's OSV export (CC-BY-4.0): 4,291 records, 18 batches of 250. */
const goAdvisories = sharedData('advisories/osv/Go/all.zip');
const batchSize = 250;

const postgresUrl = inject('postgresUrl');
const targets = [
  { name: 'sqlite' as const, skip: undefined },
  {
    name: 'postgres' as const,
    skip: postgresUrl === null ? inject('postgresMissing') : undefined,
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `check` every `everyMs` until it returns a value (not undefined), or fail. */
async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 20,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

function client(url: string, token: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
  };
}
type Client = ReturnType<typeof client>;

/** What became of a request cut off by the kill: its reply, or the transport error. */
type Outcome = { readonly status: number } | { readonly error: string };

/**
 * Send a request with node:http so the test knows when the whole body has left (`sent`);
 * `outcome` settles with the reply or with the error the killed server's socket gives.
 */
function sendRaw(
  url: string,
  token: string,
  path: string,
  body: string,
  contentType: string,
): { sent: Promise<void>; outcome: Promise<Outcome> } {
  let request: ClientRequest | undefined;
  const outcome = new Promise<Outcome>((resolve) => {
    request = httpRequest(
      `${url}${path}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        response.on('error', (error) => resolve({ error: error.message }));
      },
    );
    request.on('error', (error) => resolve({ error: error.message }));
  });
  const sent = new Promise<void>((resolve) => request?.end(body, () => resolve()));
  return { sent, outcome };
}

async function verifyAudit(api: Client) {
  const verification = await api.get('/api/v1/audit/verification');
  expect(verification.status).toBe(200);
  return verification.body as { ok: boolean; events: number; brokenAt?: unknown };
}

/**
 * True while the server has a write transaction open. SQLite: BEGIN IMMEDIATE without waiting
 * fails with SQLITE_BUSY while another connection holds the write lock (whichever transaction
 * that is). PostgreSQL, more precisely: a backend of this database with a transaction id (it
 * has written) whose current statement matches `statement` (an ILIKE pattern).
 */
interface WriteProbe {
  writing(): Promise<boolean>;
  close(): Promise<void>;
}

async function writeProbe(database: ServerDatabase, statement: string): Promise<WriteProbe> {
  if (database.name === 'postgres') {
    const probe = new pg.Client({ connectionString: database.location });
    await probe.connect();
    return {
      writing: async () => {
        const result = await probe.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND backend_xid IS NOT NULL AND query ILIKE $1`,
          [statement],
        );
        return Number(result.rows[0]?.n ?? 0) > 0;
      },
      close: () => probe.end(),
    };
  }
  const probe = new SQLite(database.location, { timeout: 0 });
  return {
    writing: () => {
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
        return Promise.resolve(false);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') return Promise.resolve(true);
        throw error;
      }
    },
    close: () => {
      probe.close();
      return Promise.resolve();
    },
  };
}

/** Snapshot rows that disagree with their package_count (pruned ones must have none). */
async function partialSnapshots(db: Database['db']) {
  const rows = await db
    .selectFrom('inventory_snapshots as s')
    .leftJoin('snapshot_packages as p', 'p.snapshot_id', 's.id')
    .select(['s.id', 's.seq', 's.package_count', 's.packages_pruned_at'])
    .select((eb) => eb.fn.count<string>('p.seq').as('rows'))
    .groupBy(['s.id', 's.seq', 's.package_count', 's.packages_pruned_at'])
    .execute();
  return rows.filter(
    (row) => Number(row.rows) !== (row.packages_pruned_at === null ? Number(row.package_count) : 0),
  );
}

async function countWhere(
  db: Database['db'],
  table: 'assets' | 'advisories' | 'advisory_packages' | 'advisory_aliases',
) {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countNamed(db: Database['db'], prefix: string) {
  const row = await db
    .selectFrom('assets')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('name', 'like', `${prefix}-%`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditActions(db: Database['db'], action: string) {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Per advisory: modified, and how many package and alias rows it has. */
async function advisoryRows(db: Database['db']) {
  const rows = new Map<string, string>();
  const advisories = await db.selectFrom('advisories').select(['id', 'modified']).execute();
  const perAdvisory = async (table: 'advisory_packages' | 'advisory_aliases') =>
    new Map(
      (
        await db
          .selectFrom(table)
          .select(['advisory_id', (eb) => eb.fn.countAll<string>().as('n')])
          .groupBy('advisory_id')
          .execute()
      ).map((row) => [row.advisory_id, Number(row.n)]),
    );
  const packages = await perAdvisory('advisory_packages');
  const aliases = await perAdvisory('advisory_aliases');
  for (const { id, modified } of advisories) {
    rows.set(id, `${modified} ${packages.get(id) ?? 0} ${aliases.get(id) ?? 0}`);
  }
  return rows;
}

/** The advisories table in short: rows, and a checksum of (id, modified) in id order. */
async function advisoryDigest(db: Database['db']) {
  const rows = await db.selectFrom('advisories').select(['id', 'modified']).orderBy('id').execute();
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.id}\t${row.modified}\n`);
  return {
    advisories: rows.length,
    checksum: hash.digest('hex'),
    packages: await countWhere(db, 'advisory_packages'),
    aliases: await countWhere(db, 'advisory_aliases'),
  };
}

function importBody(prefix: string) {
  return JSON.stringify(
    Array.from({ length: importSize }, (_, i) => ({
      name: `${prefix}-${String(i).padStart(5, '0')}`,
      environment: i % 3 === 0 ? 'production' : 'staging',
      criticality: i % 10 === 0 ? 'high' : 'medium',
      exposure: i % 7 === 0 ? 'internet' : 'internal',
      tags: ['crash-test', `rack-${i % 40}`],
    })),
  );
}

beforeAll(() => {
  const built = buildCli();
  expect(built.ok, built.stderr).toBe(true);
});

describe.each(targets)('a server killed with SIGKILL on $name', ({ name, skip }) => {
  const servers: ServerProcess[] = [];
  const databases: ServerDatabase[] = [];
  const handles: Database[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.kill();
    for (const handle of handles.splice(0)) await handle.close();
    for (const database of databases.splice(0)) await database.remove();
  });

  async function start(database: ServerDatabase) {
    const server = await startServerProcess(database, { leaseSeconds });
    servers.push(server);
    return server;
  }
  async function fresh() {
    const database = await freshServerDatabase(name, postgresUrl);
    databases.push(database);
    return database;
  }
  function open(database: ServerDatabase) {
    const handle = database.open();
    handles.push(handle);
    return handle.db;
  }

  it.skipIf(skip !== undefined)(
    'keeps a bulk import and an inventory upload whole or absent, and they re-run cleanly',
    async () => {
      const database = await fresh();
      let server = await start(database);
      const token = await adminToken(server.url);
      let api = client(server.url, token);

      // Before: 10,000 assets and one inventory, committed. Timing this import tells how long
      // the crash rounds' imports take.
      const begun = Date.now();
      const before = await api.post('/api/v1/assets/import', JSON.parse(importBody('before')));
      const importMs = Date.now() - begun;
      expect(before).toEqual({
        status: 200,
        body: { created: importSize, updated: 0, unchanged: 0 },
      });
      const listed = await api.get('/api/v1/assets?q=before-00000&limit=1');
      expect(listed.body).toMatchObject({ assets: [{ name: 'before-00000' }] });
      const assetId = (listed.body as { assets: [{ id: string }] }).assets[0].id;
      const inventory = readFileSync(inventoryPath, 'utf8');
      const uploadPath = `/api/v1/assets/${assetId}/inventory?name=dpkg-query.tsv`;
      const firstUpload = sendRaw(server.url, token, uploadPath, inventory, 'text/plain');
      expect(await firstUpload.outcome).toEqual({ status: 201 });

      // Where the kill lands (see the top of the file): each round imports new names.
      const rounds = [
        { label: 'right after the bodies were sent', trigger: 'sent' },
        { label: 'while a write transaction is open', trigger: 'writing' },
        { label: 'late in the import', trigger: 'late' },
        { label: 'just after the import committed', trigger: 'committed' },
      ] as const;
      let assets = importSize;
      let snapshots = 1;
      let imports = 1;
      const observed: string[] = [];
      for (const [index, round] of rounds.entries()) {
        const prefix = `round${index + 1}`;
        // On PostgreSQL only the import inserts into assets and asset_labels.
        const probe = await writeProbe(database, 'insert into "asset%');
        const bulk = sendRaw(
          server.url,
          token,
          '/api/v1/assets/import',
          importBody(prefix),
          'application/json',
        );
        const upload = sendRaw(server.url, token, uploadPath, inventory, 'text/plain');
        await Promise.all([bulk.sent, upload.sent]);
        let sawWrite = false;
        if (round.trigger === 'writing') {
          // Seen held twice, a few ms apart: the job runner's own writes last well under that.
          let seen = 0;
          await until(
            'an open write transaction',
            30_000,
            async () => {
              seen = (await probe.writing()) ? seen + 1 : 0;
              return seen >= 2 ? true : undefined;
            },
            3,
          );
          sawWrite = true;
        } else if (round.trigger === 'committed') {
          const watcher = open(database);
          await until(
            'the import to commit',
            30_000,
            async () => ((await countNamed(watcher, prefix)) > 0 ? true : undefined),
            2,
          );
        } else {
          await sleep(round.trigger === 'sent' ? 1 : Math.round(importMs * 0.8));
        }
        await server.kill();
        await probe.close();
        const [bulkOutcome, uploadOutcome] = await Promise.all([bulk.outcome, upload.outcome]);

        // Restart on the same database and look at what is there.
        server = await start(database);
        api = client(server.url, token);
        const db = open(database);
        const present = await countNamed(db, prefix);
        expect([0, importSize]).toContain(present);
        // Seen committed before the kill: it must have survived it.
        if (round.trigger === 'committed') expect(present).toBe(importSize);
        // Seen inserting (PostgreSQL tells whose transaction it is): it must be rolled back.
        if (round.trigger === 'writing' && name === 'postgres') expect(present).toBe(0);
        if ('status' in bulkOutcome)
          expect(bulkOutcome.status === 200).toBe(present === importSize);
        expect(await countWhere(db, 'assets')).toBe(assets + present);
        const seqs = (
          await db
            .selectFrom('inventory_snapshots')
            .select('seq')
            .where('asset_id', '=', assetId)
            .orderBy('seq')
            .execute()
        ).map((row) => Number(row.seq));
        expect([snapshots, snapshots + 1]).toContain(seqs.length);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        if ('status' in uploadOutcome) {
          expect(uploadOutcome.status === 201).toBe(seqs.length === snapshots + 1);
        }
        expect(await partialSnapshots(db)).toEqual([]);
        // Data and audit commit together: one event per committed import and upload.
        expect(await auditActions(db, 'asset.imported')).toBe(imports + (present > 0 ? 1 : 0));
        expect(await auditActions(db, 'inventory.uploaded')).toBe(seqs.length);
        expect(await verifyAudit(api)).toMatchObject({ ok: true });
        observed.push(
          `${round.label}${sawWrite ? ' (write lock seen)' : ''}: import ${present > 0 ? 'committed' : 'rolled back'}, upload ${seqs.length > snapshots ? 'committed' : 'rolled back'}`,
        );

        // Sent again, both complete; the import creates exactly what was missing.
        const rerun = await api.post('/api/v1/assets/import', JSON.parse(importBody(prefix)));
        expect(rerun).toEqual({
          status: 200,
          body: { created: importSize - present, updated: 0, unchanged: present },
        });
        const again = sendRaw(server.url, token, uploadPath, inventory, 'text/plain');
        expect(await again.outcome).toEqual({ status: 201 });
        assets += importSize;
        snapshots = seqs.length + 1;
        imports += present > 0 ? 2 : 1;
        expect(await countWhere(db, 'assets')).toBe(assets);
        expect(await partialSnapshots(db)).toEqual([]);
      }

      // The final state: every round's assets once, the snapshots in order, the current one
      // holding the whole inventory, an intact audit chain, and no job left behind (the
      // reconciliations the uploads enqueued ran, again if a kill cut one off).
      const db = open(database);
      expect(await countWhere(db, 'assets')).toBe(importSize * (rounds.length + 1));
      const current = await api.get(`/api/v1/assets/${assetId}`);
      expect(current.body).toMatchObject({ currentSnapshot: { packageCount: inventoryPackages } });
      expect(await verifyAudit(api)).toMatchObject({ ok: true });
      const unfinished = await until('the queued jobs', 60_000, async () => {
        const jobs = await db.selectFrom('jobs').select(['kind', 'state']).execute();
        const open = jobs.filter((job) => job.state === 'queued' || job.state === 'running');
        return open.length === 0 ? jobs.filter((job) => job.state !== 'succeeded') : undefined;
      });
      expect(unfinished).toEqual([]);
      console.info(`[crash ${name}] import ${importMs} ms; ${observed.join('; ')}`);
    },
    180_000,
  );

  it.skipIf(skip !== undefined || !existsSync(goAdvisories))(
    `resumes a killed advisory sync to the state of an uninterrupted one${existsSync(goAdvisories) ? '' : ` (skipped: ${goAdvisories} is absent)`}`,
    async () => {
      const source = { name: 'Go vulndb', kind: 'osv-zip', path: goAdvisories };

      // The reference: an uninterrupted sync on a fresh database.
      const reference = await fresh();
      const quiet = await start(reference);
      const quietApi = client(quiet.url, await adminToken(quiet.url));
      const quietSource = await quietApi.post('/api/v1/advisory-sources', source);
      expect(quietSource.status).toBe(201);
      const quietSync = await quietApi.post(
        `/api/v1/advisory-sources/${(quietSource.body as { id: string }).id}/sync`,
      );
      const quietJob = (quietSync.body as { jobId: string }).jobId;
      await until('the uninterrupted sync', 120_000, async () => {
        const job = await quietApi.get(`/api/v1/jobs/${quietJob}`);
        const state = (job.body as { state: string }).state;
        if (state === 'failed' || state === 'cancelled') throw new Error(JSON.stringify(job.body));
        return state === 'succeeded' ? true : undefined;
      });
      const referenceDb = open(reference);
      const expected = await advisoryDigest(referenceDb);
      const expectedRows = await advisoryRows(referenceDb);
      await quiet.kill();
      expect(expected.advisories).toBeGreaterThan(batchSize * 4);

      // The same sync, killed once it has committed some batches and not all.
      const database = await fresh();
      let server = await start(database);
      const token = await adminToken(server.url);
      let api = client(server.url, token);
      const created = await api.post('/api/v1/advisory-sources', source);
      const sourceId = (created.body as { id: string }).id;
      const requested = await api.post(`/api/v1/advisory-sources/${sourceId}/sync`);
      expect(requested.status).toBe(202);
      const jobId = (requested.body as { jobId: string }).jobId;
      // The job's progress, read from its row (what GET /api/v1/jobs/:id shows) every few ms:
      // on SQLite the whole write phase can pass between two HTTP polls.
      const watcher = open(database);
      const probe = await writeProbe(database, '%"advisor%');
      const progress = await until(
        'sync progress',
        120_000,
        async () => {
          const job = await watcher
            .selectFrom('jobs')
            .select(['state', 'progress_json'])
            .where('id', '=', jobId)
            .executeTakeFirstOrThrow();
          if (job.state !== 'running' && job.state !== 'queued') {
            throw new Error(`the sync ended (${job.state}) before it could be killed`);
          }
          const p =
            job.progress_json === null
              ? null
              : (JSON.parse(job.progress_json) as { done: number; total: number });
          const midway = p !== null && p.total > 0 && p.done > 0 && p.done < p.total;
          // Kill inside a later batch's transaction, not between two of them.
          return midway && (await probe.writing()) ? p : undefined;
        },
        2,
      );
      await server.kill();
      await probe.close();

      // Dead: only whole batches are stored, and the run's counts were committed with them.
      const db = open(database);
      const stored = await countWhere(db, 'advisories');
      expect(stored % batchSize).toBe(0);
      expect(stored).toBeGreaterThanOrEqual(progress.done);
      expect(stored).toBeLessThan(expected.advisories);
      // Each stored advisory is whole: the same package and alias rows as the reference's.
      const partial = [...(await advisoryRows(db))].filter(
        ([id, row]) => expectedRows.get(id) !== row,
      );
      expect(partial).toEqual([]);
      const run = await db
        .selectFrom('sync_runs')
        .selectAll()
        .where('job_id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(run.state).toBe('running');
      expect((JSON.parse(run.counts_json) as { new: number }).new).toBe(stored);
      const held = await db
        .selectFrom('jobs')
        .select(['state', 'attempts'])
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect({ state: held.state, attempts: Number(held.attempts) }).toEqual({
        state: 'running',
        attempts: 1,
      });

      // Restarted: the lease lapses, the new process claims the job again and finishes it.
      server = await start(database);
      api = client(server.url, token);
      const finished = await until('the resumed sync', 120_000, async () => {
        const job = (await api.get(`/api/v1/jobs/${jobId}`)).body as {
          state: string;
          attempts: number;
        };
        if (job.state === 'failed' || job.state === 'cancelled') {
          throw new Error(JSON.stringify(job));
        }
        return job.state === 'succeeded' ? job : undefined;
      });
      expect(finished.attempts).toBe(2);
      const runs = await api.get(`/api/v1/sync-runs?sourceId=${sourceId}`);
      expect(runs.body).toMatchObject({
        runs: [
          {
            jobId,
            attempt: 2,
            state: 'succeeded',
            counts: {
              read: expected.advisories,
              new: expected.advisories - stored,
              unchanged: stored,
              updated: 0,
            },
          },
        ],
      });
      expect((runs.body as { runs: unknown[] }).runs).toHaveLength(1);
      expect(await advisoryDigest(db)).toEqual(expected);
      expect(await auditActions(db, 'advisory-source.synced')).toBe(1);
      // The sync's domain event committed with its last transaction, after the crash, and is
      // delivered once: one reconcile-all for the findings context (the outbox, ADR 0022).
      const delivered = await until('the sync-completed event delivered', 60_000, async () => {
        const rows = await db
          .selectFrom('jobs')
          .select(['kind', 'state', 'payload_json'])
          .where('kind', 'in', ['event:advisories.sync-completed', 'findings.reconcile-all'])
          .orderBy('created_at')
          .execute();
        return rows.length === 2 && rows[0]?.state === 'succeeded' ? rows : undefined;
      });
      expect(
        delivered.map((row) => ({
          kind: row.kind,
          payload: JSON.parse(row.payload_json) as unknown,
        })),
      ).toEqual([
        {
          kind: 'event:advisories.sync-completed',
          payload: { sourceId, runId: expect.any(String) as unknown, changed: true },
        },
        { kind: 'findings.reconcile-all', payload: { trigger: 'advisories.sync-completed' } },
      ]);
      expect(await verifyAudit(api)).toMatchObject({ ok: true });
      console.info(
        `[crash ${name}] sync killed at ${progress.done}/${progress.total}, ${stored} stored; resumed on attempt 2`,
      );
    },
    180_000,
  );
});
