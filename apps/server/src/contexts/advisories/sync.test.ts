import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { systemActor } from '../audit/index.ts';
import { JobRunner } from '../jobs/index.ts';
import type { SettableClock } from '../jobs/test-support.ts';
import { contextOf, settableClock } from '../jobs/test-support.ts';
import type { SyncOptions } from './index.ts';
import { factsForCves, loadAdvisoryIndex, registerAdvisoryJobs } from './index.ts';
import { tableCounts } from './repository.ts';
import type { AdvisorySourceKind, SyncRun } from './schema.ts';
import { createSource, getSyncRun, listSyncRuns, requestSync } from './service.ts';

const repo = resolve(import.meta.dirname, '../../../../..');
const data = {
  go: join(repo, 'examples/advisories/go'),
  debian: join(repo, 'examples/advisories/debian-12'),
  accuracy: join(repo, 'packages/matcher/testdata/accuracy'),
  kev: join(repo, 'packages/sources/testdata/kev/known_exploited_vulnerabilities.excerpt.json'),
  cve5: join(repo, 'examples/cve5'),
};
const who = { actor: systemActor };

describe.each(testDatabases())('advisory sync on $name', ({ open, skip }) => {
  const opened: Database[] = [];
  const temporary: string[] = [];
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function setup(
    options: SyncOptions = { batchSize: 50 },
    clock: SettableClock = settableClock(),
  ) {
    const database = await open();
    opened.push(database);
    const ctx = contextOf(database, clock);
    const runner = new JobRunner(ctx, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    registerAdvisoryJobs(runner, ctx, options);
    const add = (kind: AdvisorySourceKind, path: string, name: string = kind) =>
      createSource(ctx, { name, kind, path, intervalSeconds: null, enabled: true }, who);
    /** Request a sync, run it, and return its run. */
    const sync = async (sourceId: string): Promise<SyncRun> => {
      clock.advance(60);
      const { jobId } = await requestSync(ctx, sourceId, who);
      const outcome = await runner.runOnce();
      expect(outcome).toMatchObject({ id: jobId, state: 'succeeded' });
      const runs = await listSyncRuns(ctx, { sourceId, limit: 1, offset: 0 });
      return getSyncRun(ctx, runs.runs[0]?.id ?? '');
    };
    return { database, ctx, clock, runner, add, sync };
  }

  function copyOf(path: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'patchgate-advisories-'));
    temporary.push(dir);
    cpSync(path, dir, { recursive: true });
    return dir;
  }

  it.skipIf(skip !== undefined).each([
    ['osv-directory', data.go, 78, 1],
    ['osv-directory', data.debian, 150, 0],
    ['osv-directory', data.accuracy, 10, 2],
    ['kev', data.kev, 7, 0],
    ['cve5', data.cve5, 25, 0],
  ] as const)(
    '%s %s: a second sync of the same data changes nothing',
    async (kind, path, read, withdrawn) => {
      const { database, add, sync } = await setup();
      const source = await add(kind, path);
      const first = await sync(source.id);
      const counts = await tableCounts(database.db);
      expect(first).toMatchObject({
        state: 'succeeded',
        attempt: 1,
        counts: { read, new: read, updated: 0, unchanged: 0, withdrawn, errors: 0 },
      });
      const second = await sync(source.id);
      expect(second).toMatchObject({
        state: 'succeeded',
        counts: { read, new: 0, updated: 0, unchanged: read, withdrawn: 0, errors: 0 },
      });
      expect(await tableCounts(database.db)).toEqual(counts);
      // One event per sync, in the sync's own transaction: changed, then unchanged.
      const events = await database.db
        .selectFrom('jobs')
        .select('payload_json')
        .where('kind', '=', 'event:advisories.sync-completed')
        .orderBy('created_at')
        .execute();
      expect(events.map((e) => JSON.parse(e.payload_json) as unknown)).toEqual([
        { sourceId: source.id, runId: first.id, changed: true },
        { sourceId: source.id, runId: second.id, changed: false },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'stores a changed record again (updated 1) and keeps the rest',
    async () => {
      const { database, add, sync } = await setup();
      const dir = copyOf(data.go);
      const source = await add('osv-directory', dir);
      await sync(source.id);
      const file = join(dir, 'GO-2023-1737.json');
      const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        file,
        JSON.stringify({ ...record, modified: '2027-01-01T00:00:00Z', summary: 'changed' }),
      );
      expect((await sync(source.id)).counts).toEqual({
        read: 78,
        new: 0,
        updated: 1,
        unchanged: 77,
        withdrawn: 0,
        errors: 0,
      });
      expect(
        await database.db
          .selectFrom('advisories')
          .select(['modified', 'summary'])
          .where('id', '=', 'GO-2023-1737')
          .executeTakeFirst(),
      ).toEqual({ modified: '2027-01-01T00:00:00Z', summary: 'changed' });
    },
  );

  it.skipIf(skip !== undefined)(
    'counts and samples a corrupt file without failing the run',
    async () => {
      const { add, sync } = await setup();
      const dir = copyOf(data.go);
      writeFileSync(join(dir, 'GO-9999-0001.json'), '{"id": "GO-9999-0001", "modified": ');
      const source = await add('osv-directory', dir);
      const run = await sync(source.id);
      expect(run).toMatchObject({
        state: 'succeeded',
        counts: { read: 78, new: 78, updated: 0, unchanged: 0, withdrawn: 1, errors: 1 },
      });
      expect(run.errors).toEqual([
        {
          origin: join(dir, 'GO-9999-0001.json'),
          message: expect.stringMatching(/^not valid JSON: /) as unknown,
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'resumes an interrupted sync and ends as an uninterrupted one would',
    async () => {
      const dump = (database: Database) =>
        Promise.all([
          database.db
            .selectFrom('advisories')
            .select(['id', 'modified', 'withdrawn', 'aliases_json', 'cves_json', 'record_json'])
            .orderBy('id')
            .execute(),
          database.db
            .selectFrom('advisory_packages')
            .selectAll()
            .orderBy('advisory_id')
            .orderBy('ecosystem')
            .orderBy('name')
            .execute(),
          database.db
            .selectFrom('advisory_aliases')
            .selectAll()
            .orderBy('alias')
            .orderBy('advisory_id')
            .execute(),
        ]);

      const whole = await setup();
      await whole.sync((await whole.add('osv-directory', data.debian)).id);

      const clock = settableClock();
      const crashing = await setup(
        {
          batchSize: 40,
          afterBatch: (batch) => {
            if (batch === 1 && !resumed) throw new Error('killed after the first batch');
          },
        },
        clock,
      );
      let resumed = false;
      const source = await crashing.add('osv-directory', data.debian);
      const { jobId } = await requestSync(crashing.ctx, source.id, who);
      expect(await crashing.runner.runOnce()).toEqual({
        id: jobId,
        kind: 'advisories.sync',
        attempt: 1,
        state: 'queued',
        error: 'killed after the first batch',
      });
      expect(await tableCounts(crashing.database.db)).toMatchObject({ advisories: 40 });
      resumed = true;
      clock.advance(30);
      expect(await crashing.runner.runOnce()).toMatchObject({
        id: jobId,
        attempt: 2,
        state: 'succeeded',
      });
      const runs = await listSyncRuns(crashing.ctx, { sourceId: source.id, limit: 10, offset: 0 });
      expect(runs.runs).toHaveLength(1);
      expect(runs.runs[0]).toMatchObject({
        jobId,
        attempt: 2,
        state: 'succeeded',
        counts: { read: 150, new: 110, updated: 0, unchanged: 40, withdrawn: 0, errors: 0 },
      });
      expect(await dump(crashing.database)).toEqual(await dump(whole.database));
    },
  );

  it.skipIf(skip !== undefined)(
    'serves a cached advisory index until a sync changes the data, and facts by CVE',
    async () => {
      const { database, add, sync } = await setup();
      const go = await add('osv-directory', data.go, 'go');
      await sync(go.id);
      const index = await loadAdvisoryIndex(database);
      // GO-2026-4923 is withdrawn: stored, but not in the index.
      expect(index.records).toBe(77);
      expect(await loadAdvisoryIndex(database)).toBe(index);
      await sync(go.id);
      expect(await loadAdvisoryIndex(database)).toBe(index);
      const debian = await add('osv-directory', data.debian, 'debian');
      await sync(debian.id);
      const reloaded = await loadAdvisoryIndex(database);
      expect(reloaded).not.toBe(index);
      expect(reloaded.records).toBe(77 + 150);

      const kev = await add('kev', data.kev, 'kev');
      await sync(kev.id);
      const cve5 = await add('cve5', data.cve5, 'cve5');
      await sync(cve5.id);
      const facts = await factsForCves(database, ['CVE-2023-38545', 'CVE-1999-0001']);
      expect([...facts.keys()]).toEqual(['CVE-2023-38545']);
      expect(facts.get('CVE-2023-38545')).toMatchObject({
        cve: 'CVE-2023-38545',
        cvss: expect.arrayContaining([
          expect.objectContaining({ version: '3.1' }) as unknown,
        ]) as unknown,
      });
    },
  );
});
