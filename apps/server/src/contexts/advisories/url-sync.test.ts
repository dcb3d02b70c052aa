import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readZip, writeZip } from '@patchgate/safe-parse/node';
import { hasSharedData, sharedData } from '@patchgate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { DownloadSettings } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { testContext } from '../../../test/app.ts';
import { testDatabases } from '../../../test/databases.ts';
import { systemActor } from '../audit/index.ts';
import { JobRunner } from '../jobs/index.ts';
import { settableClock } from '../jobs/test-support.ts';
import { registerAdvisoryJobs } from './index.ts';
import { findSourceUrl, tableCounts } from './repository.ts';
import type { AdvisorySourceKind, SyncRun } from './schema.ts';
import { getSyncRun, listSyncRuns, requestSync } from './service.ts';
import { FeedServer, TestProxy, testDownloadSettings } from './test-support.ts';
import { createUrlSource } from './url-sources.ts';

const repo = resolve(import.meta.dirname, '../../../../..');
const who = { actor: systemActor };

/** golang/vulndb's real export (shared data), or a zip of the committed Go examples. */
async function zipOf(entries: Record<string, Uint8Array>): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-zip-'));
  try {
    const path = join(dir, 'all.zip');
    await writeZip(
      path,
      Object.entries(entries).map(([name, data]) => ({ name, chunks: () => [data] })),
    );
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function unzip(zip: Buffer): Promise<Record<string, Uint8Array>> {
  const entries: Record<string, Uint8Array> = {};
  await readZip(new Uint8Array(zip), {
    onEntry: (name, data) => {
      entries[name] = new Uint8Array(data);
    },
  });
  return entries;
}

async function goZip(): Promise<Buffer> {
  if (hasSharedData('advisories/osv/Go/all.zip'))
    return readFileSync(sharedData('advisories/osv/Go/all.zip'));
  const dir = join(repo, 'examples/advisories/go');
  const files = Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]),
  );
  return zipOf(files);
}

/** The same zip with one record changed (a later `modified`): what tomorrow's export holds. */
async function changedZip(zip: Buffer): Promise<{ zip: Buffer; id: string }> {
  const entries = await unzip(zip);
  const name = Object.keys(entries)
    .filter((entry) => entry.endsWith('.json'))
    .sort()[0];
  if (name === undefined) throw new Error('no record in the zip');
  const record = JSON.parse(Buffer.from(entries[name] ?? []).toString('utf8')) as {
    id: string;
  };
  entries[name] = new Uint8Array(
    Buffer.from(
      JSON.stringify({ ...record, modified: '2027-01-01T00:00:00Z', summary: 'changed upstream' }),
    ),
  );
  return { zip: await zipOf(entries), id: record.id };
}

/** CISA's catalogue (shared data, or the committed excerpt), whole and without its last entry. */
function kevVersions(): { older: Buffer; newer: Buffer; entries: number } {
  const path = hasSharedData('advisories/kev/known_exploited_vulnerabilities.json')
    ? sharedData('advisories/kev/known_exploited_vulnerabilities.json')
    : join(repo, 'packages/sources/testdata/kev/known_exploited_vulnerabilities.excerpt.json');
  const newer = readFileSync(path);
  const catalogue = JSON.parse(newer.toString('utf8')) as {
    count: number;
    vulnerabilities: unknown[];
  };
  const vulnerabilities = catalogue.vulnerabilities.slice(0, -1);
  const older = Buffer.from(
    JSON.stringify({ ...catalogue, count: vulnerabilities.length, vulnerabilities }),
  );
  return { older, newer, entries: catalogue.vulnerabilities.length };
}

const epssCsv = readFileSync(
  hasSharedData('advisories/epss/epss_scores-2026-09-29.head.csv')
    ? sharedData('advisories/epss/epss_scores-2026-09-29.head.csv')
    : join(import.meta.dirname, 'testdata/epss_scores-2026-09-29.head.csv'),
);

describe.each(testDatabases())('url sources on $name', ({ open, skip }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(downloads: Partial<DownloadSettings> = {}) {
    const database: Database = await open();
    cleanups.push(() => database.close());
    const feed = await new FeedServer().start();
    cleanups.push(() => feed.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'patchgate-url-sync-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = settableClock();
    const ctx = testContext(database, clock, {
      dataDir,
      downloads: testDownloadSettings(['127.0.0.1'], downloads),
    });
    const slept: number[] = [];
    const runner = new JobRunner(ctx, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    registerAdvisoryJobs(runner, ctx, {
      batchSize: 250,
      downloadSleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    const add = (kind: AdvisorySourceKind, path: string) =>
      createUrlSource(
        ctx,
        { name: kind, kind, url: feed.url(path), intervalSeconds: 86_400, enabled: true },
        who,
      );
    const lastRun = async (sourceId: string): Promise<SyncRun> => {
      const runs = await listSyncRuns(ctx, { sourceId, limit: 1, offset: 0 });
      return getSyncRun(ctx, runs.runs[0]?.id ?? '');
    };
    /** Request a sync, run it, and return its run and the job's outcome. */
    const sync = async (sourceId: string) => {
      clock.advance(60);
      const { jobId } = await requestSync(ctx, sourceId, who);
      const outcome = await runner.runOnce();
      expect(outcome).toMatchObject({ id: jobId });
      return { run: await lastRun(sourceId), outcome };
    };
    const leftovers = () =>
      existsSync(join(dataDir, 'downloads')) ? readdirSync(join(dataDir, 'downloads')) : [];
    /** Syncs that changed something: each publishes `advisories.sync-completed` with `changed`. */
    const reconciles = async () =>
      (
        await database.db
          .selectFrom('jobs')
          .select('payload_json')
          .where('kind', '=', 'event:advisories.sync-completed')
          .execute()
      ).filter((event) => (JSON.parse(event.payload_json) as { changed: boolean }).changed).length;
    return { database, ctx, clock, feed, runner, slept, add, sync, lastRun, leftovers, reconciles };
  }

  it.skipIf(skip !== undefined)(
    'OSV all.zip: a first sync, a 304 that downloads and applies nothing, a changed file applied',
    async () => {
      const { database, feed, add, sync, leftovers, reconciles } = await setup();
      const zip = await goZip();
      const records = Object.keys(await unzip(zip)).filter((n) => n.endsWith('.json')).length;
      feed.serve('/Go/all.zip', zip);
      const source = await add('osv-zip', '/Go/all.zip');

      const first = await sync(source.id);
      expect(first.outcome).toMatchObject({ state: 'succeeded' });
      expect(first.run).toMatchObject({
        state: 'succeeded',
        counts: { read: records, new: records, updated: 0, unchanged: 0, errors: 0 },
        download: {
          url: feed.url('/Go/all.zip'),
          status: 'downloaded',
          bytes: zip.length,
          etag: feed.files.get('/Go/all.zip')?.etag,
          verified: ['content-length', 'md5 (x-goog-hash)'],
          attempts: 1,
        },
      });
      const stored = await tableCounts(database.db);
      expect(stored.advisories).toBe(records);
      expect(leftovers()).toEqual([]);
      expect(await reconciles()).toBe(1);

      const second = await sync(source.id);
      expect(second.run).toMatchObject({
        state: 'succeeded',
        counts: { read: 0, new: 0, updated: 0, unchanged: 0, withdrawn: 0, errors: 0 },
        download: { status: 'not-modified', bytes: null, attempts: 1 },
      });
      expect(feed.requests.map((r) => r.status)).toEqual([200, 304]);
      expect(feed.requests[1]?.ifNoneMatch).toBe(feed.files.get('/Go/all.zip')?.etag);
      expect(feed.bodiesSent).toBe(1);
      expect(await tableCounts(database.db)).toEqual(stored);
      expect(await reconciles()).toBe(1);

      const changed = await changedZip(zip);
      feed.serve('/Go/all.zip', changed.zip);
      const third = await sync(source.id);
      expect(third.run).toMatchObject({
        state: 'succeeded',
        counts: { read: records, new: 0, updated: 1, unchanged: records - 1 },
        download: { status: 'downloaded', bytes: changed.zip.length },
      });
      expect(
        await database.db
          .selectFrom('advisories')
          .select(['modified', 'summary'])
          .where('id', '=', changed.id)
          .executeTakeFirst(),
      ).toEqual({ modified: '2027-01-01T00:00:00Z', summary: 'changed upstream' });
      expect(await findSourceUrl(database.db, source.id)).toMatchObject({
        etag: feed.files.get('/Go/all.zip')?.etag,
        bytes: expect.anything() as unknown,
      });
      expect(await reconciles()).toBe(2);
    },
  );

  it.skipIf(skip !== undefined)(
    'a download broken mid-body applies nothing, fails the run with its reason, and the retry succeeds',
    async () => {
      const { database, feed, add, sync, lastRun, clock, runner, slept, leftovers } = await setup();
      const kev = kevVersions();
      feed.serve('/kev.json', kev.older);
      const source = await add('kev', '/kev.json');
      expect((await sync(source.id)).run.counts).toMatchObject({
        read: kev.entries - 1,
        new: kev.entries - 1,
      });
      const facts = () =>
        database.db.selectFrom('vulnerability_facts').selectAll().orderBy('cve').execute();
      const before = await facts();
      const validators = await findSourceUrl(database.db, source.id);

      feed.serve('/kev.json', kev.newer);
      feed.misbehave('/kev.json', { breakAfter: 1000 }, { breakAfter: 1000 }, { breakAfter: 1000 });
      const broken = await sync(source.id);
      expect(broken.outcome).toMatchObject({ attempt: 1, state: 'queued' });
      expect(broken.run).toMatchObject({
        state: 'failed',
        counts: { read: 0, new: 0, updated: 0 },
        download: null,
      });
      expect(broken.run.error).toMatch(
        new RegExp(
          `^download of ${feed.url('/kev.json')} failed: the connection broke after 1000 of ${kev.newer.length} bytes: network error \\(\\w+\\) \\(gave up after 3 attempts\\)$`,
        ),
      );
      expect(slept).toEqual([1000, 2000]);
      expect(await facts()).toEqual(before);
      expect(await findSourceUrl(database.db, source.id)).toMatchObject({
        etag: validators?.etag,
        sha256: validators?.sha256,
      });
      expect(leftovers()).toEqual([]);

      // The job's own retry (after its backoff) downloads the whole file and applies it.
      clock.advance(31);
      expect(await runner.runOnce()).toMatchObject({ attempt: 2, state: 'succeeded' });
      expect(await lastRun(source.id)).toMatchObject({
        id: broken.run.id,
        state: 'succeeded',
        attempt: 2,
        counts: { read: kev.entries, new: 1, unchanged: kev.entries - 1 },
        download: { status: 'downloaded', bytes: kev.newer.length },
      });
      expect((await facts()).length).toBe(before.length + 1);
    },
  );

  it.skipIf(skip !== undefined)('EPSS: follows the redirect to the dated gzip file', async () => {
    const { feed, add, sync } = await setup();
    const rows = epssCsv.toString('utf8').trim().split('\n').length - 2;
    feed.serve('/epss_scores-2026-09-29.csv.gz', gzipSync(epssCsv));
    feed.misbehave(
      '/epss_scores-current.csv.gz',
      { redirect: '/epss_scores-2026-09-29.csv.gz' },
      { redirect: '/epss_scores-2026-09-29.csv.gz' },
    );
    const source = await add('epss', '/epss_scores-current.csv.gz');
    const { run } = await sync(source.id);
    expect(run).toMatchObject({
      state: 'succeeded',
      counts: { read: rows, new: rows },
      download: {
        status: 'downloaded',
        finalUrl: feed.url('/epss_scores-2026-09-29.csv.gz'),
      },
    });
    expect((await sync(source.id)).run.download).toMatchObject({ status: 'not-modified' });
  });

  it.skipIf(skip !== undefined)(
    'syncs on its schedule: daily, and the next day a 304 with progress on the job',
    async () => {
      const { database, feed, add, clock, runner, lastRun } = await setup();
      feed.serve('/kev.json', kevVersions().newer);
      const source = await add('kev', '/kev.json');
      await runner.enqueueDueSchedules();
      expect(await runner.runOnce()).toMatchObject({ kind: 'advisories.sync', state: 'succeeded' });
      expect((await lastRun(source.id)).download).toMatchObject({ status: 'downloaded' });
      clock.advance(3600);
      await runner.enqueueDueSchedules();
      expect(await runner.runOnce()).toBeUndefined();
      clock.advance(86_400);
      await runner.enqueueDueSchedules();
      const outcome = await runner.runOnce();
      expect(outcome).toMatchObject({ kind: 'advisories.sync', state: 'succeeded' });
      expect((await lastRun(source.id)).download).toMatchObject({ status: 'not-modified' });
      const job = await database.db
        .selectFrom('jobs')
        .select('progress_json')
        .where('id', '=', outcome?.id ?? '')
        .executeTakeFirst();
      expect(JSON.parse(job?.progress_json ?? 'null')).toEqual({
        done: 0,
        total: 0,
        message: `downloading ${feed.url('/kev.json')}`,
      });
      expect(feed.requests.map((r) => r.status)).toEqual([200, 304]);
    },
  );

  it.skipIf(skip !== undefined)(
    'the same bytes from a server that ignores conditional requests are not applied again',
    async () => {
      const { feed, add, sync, reconciles } = await setup();
      const kev = kevVersions();
      feed.serve('/kev.json', kev.newer, { etag: undefined, headers: {} });
      const source = await add('kev', '/kev.json');
      expect((await sync(source.id)).run.counts).toMatchObject({ new: kev.entries });
      const again = await sync(source.id);
      expect(again.run).toMatchObject({
        state: 'succeeded',
        counts: { read: 0, new: 0, updated: 0, unchanged: 0 },
        download: { status: 'unchanged', bytes: kev.newer.length, verified: ['content-length'] },
      });
      expect(feed.requests.map((r) => r.status)).toEqual([200, 200]);
      expect(await reconciles()).toBe(1);
    },
  );

  it.skipIf(skip !== undefined)(
    'with downloads turned off, the sync of a url source fails without asking the network',
    async () => {
      const { ctx, feed, add, clock } = await setup();
      feed.serve('/kev.json', kevVersions().newer);
      const source = await add('kev', '/kev.json');
      const offline = {
        ...ctx,
        config: { ...ctx.config, downloads: { ...ctx.config.downloads, enabled: false } },
      };
      const runner = new JobRunner(offline, {
        workerId: 'offline',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerAdvisoryJobs(runner, offline);
      clock.advance(60);
      await requestSync(offline, source.id, who);
      expect(await runner.runOnce()).toMatchObject({
        state: 'queued',
        error: 'downloads are turned off on this server (PATCHGATE_DOWNLOADS=off)',
      });
      expect(feed.requests).toEqual([]);
    },
  );

  it.skipIf(skip !== undefined)('refuses an oversized body and applies nothing', async () => {
    const { database, feed, add, sync, leftovers } = await setup({ maxBytes: 1024 });
    const kev = kevVersions();
    feed.serve('/kev.json', kev.newer, { headers: {} });
    feed.misbehave('/kev.json', { chunked: true });
    const source = await add('kev', '/kev.json');
    const { run } = await sync(source.id);
    expect(run).toMatchObject({
      state: 'failed',
      error: `download of ${feed.url('/kev.json')} failed: the body grew over the 1.0 KiB limit (PATCHGATE_DOWNLOAD_MAX_BYTES); refused`,
    });
    expect(await tableCounts(database.db)).toMatchObject({ vulnerability_facts: 0 });
    expect(feed.requests).toHaveLength(1);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(skip !== undefined)('fails a run on a server that stalls', async () => {
    const { feed, add, sync } = await setup({ timeoutSeconds: 1, retries: 0 });
    feed.serve('/kev.json', kevVersions().newer);
    feed.misbehave('/kev.json', { stall: true });
    const source = await add('kev', '/kev.json');
    expect((await sync(source.id)).run).toMatchObject({
      state: 'failed',
      error: `download of ${feed.url('/kev.json')} failed: no complete answer within 1 s (PATCHGATE_DOWNLOAD_TIMEOUT_SECONDS); 16 bytes had arrived`,
    });
  });

  it.skipIf(skip !== undefined)('downloads through the configured proxy', async () => {
    const proxy = await new TestProxy().start();
    cleanups.push(() => proxy.close());
    const { feed, add, sync } = await setup({ httpProxy: proxy.url });
    const kev = kevVersions();
    feed.serve('/kev.json', kev.newer);
    const source = await add('kev', '/kev.json');
    expect((await sync(source.id)).run).toMatchObject({
      state: 'succeeded',
      counts: { new: kev.entries },
    });
    expect(proxy.carried).toEqual([feed.host]);
  });

  it.skipIf(skip !== undefined)(
    'a body that is not the kind of data expected fails the run and keeps the validators unset',
    async () => {
      const { database, feed, add, sync } = await setup();
      feed.serve('/kev.json', Buffer.from('<html><body>maintenance</body></html>'));
      const source = await add('kev', '/kev.json');
      const { run } = await sync(source.id);
      expect(run.state).toBe('failed');
      expect(run.error).toMatch(/^the download holds no readable kev data \(1 errors; /);
      expect(run.error).not.toMatch(/maintenance/);
      expect(await findSourceUrl(database.db, source.id)).toMatchObject({
        etag: null,
        sha256: null,
      });
    },
  );
});
