import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { JobRunner } from '../jobs/index.ts';
import { settableClock } from '../jobs/test-support.ts';
import { registerAdvisoryJobs } from './index.ts';

const repo = resolve(import.meta.dirname, '../../../../..');
const goDir = join(repo, 'examples/advisories/go');
const debianDir = join(repo, 'examples/advisories/debian-12');
const cve5Dir = join(repo, 'examples/cve5');

describe.each(testDatabases())('advisories API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup() {
    database = await open();
    const clock = settableClock();
    const app = await testApp(database, clock);
    built = app;
    const runner = new JobRunner(app.context, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    registerAdvisoryJobs(runner, app.context);
    const analyst = await testCaller(database, ['security_analyst']);
    const viewer = await testCaller(database, ['viewer']);
    const server = app.app;
    const addAndSync = async (name: string, kind: string, path: string) => {
      const created = await server.inject({
        method: 'POST',
        url: '/api/v1/advisory-sources',
        headers: analyst.headers,
        payload: { name, kind, path },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: string }>().id;
      const sync = await server.inject({
        method: 'POST',
        url: `/api/v1/advisory-sources/${id}/sync`,
        headers: analyst.headers,
      });
      expect(sync.statusCode).toBe(202);
      clock.advance(1);
      expect(await runner.runOnce()).toMatchObject({ state: 'succeeded' });
      return id;
    };
    return { server, analyst, viewer, runner, clock, addAndSync };
  }

  it.skipIf(skip !== undefined)(
    'creates, reads, changes and deletes a source, audited',
    async () => {
      const { server, analyst } = await setup();
      const created = await server.inject({
        method: 'POST',
        url: '/api/v1/advisory-sources',
        headers: analyst.headers,
        payload: { name: 'Go', kind: 'osv-directory', path: goDir, intervalSeconds: 3600 },
      });
      expect(created.statusCode).toBe(201);
      const source = created.json<{ id: string }>();
      const expected = {
        id: source.id,
        name: 'Go',
        kind: 'osv-directory',
        path: goDir,
        url: null,
        checksumUrl: null,
        catalogueId: null,
        download: null,
        intervalSeconds: 3600,
        enabled: true,
        createdAt: '2026-11-22T09:00:00.000Z',
        updatedAt: '2026-11-22T09:00:00.000Z',
        lastSync: null,
      };
      expect(source).toEqual(expected);
      const patched = await server.inject({
        method: 'PATCH',
        url: `/api/v1/advisory-sources/${source.id}`,
        headers: analyst.headers,
        payload: { enabled: false, intervalSeconds: null },
      });
      expect(patched.json()).toEqual({ ...expected, enabled: false, intervalSeconds: null });
      const list = await server.inject({
        url: '/api/v1/advisory-sources',
        headers: analyst.headers,
      });
      expect(list.json()).toEqual({
        sources: [{ ...expected, enabled: false, intervalSeconds: null }],
      });
      const deleted = await server.inject({
        method: 'DELETE',
        url: `/api/v1/advisory-sources/${source.id}`,
        headers: analyst.headers,
      });
      expect(deleted.statusCode).toBe(204);
      const gone = await server.inject({
        url: `/api/v1/advisory-sources/${source.id}`,
        headers: analyst.headers,
      });
      expect(gone.statusCode).toBe(404);
      const audit = await server.inject({
        url: '/api/v1/audit/events?subjectType=advisory-source',
        headers: analyst.headers,
      });
      expect(
        audit
          .json<{ events: { action: string; actor: { name: string } }[] }>()
          .events.map((e) => [e.action, e.actor.name]),
      ).toEqual([
        ['advisory-source.created', analyst.username],
        ['advisory-source.updated', analyst.username],
        ['advisory-source.deleted', analyst.username],
      ]);
    },
  );

  it.skipIf(skip !== undefined).each([
    [
      'a path that does not exist',
      { name: 'x', kind: 'osv-directory', path: join(repo, 'examples/no-such-dir') },
      422,
      [{ field: 'body.path', message: 'does not exist on the server' }],
    ],
    [
      'a path outside the allowed roots (paths.test.ts tries the attacks)',
      { name: 'x', kind: 'osv-directory', path: '/nonexistent/osv' },
      422,
      [
        {
          field: 'body.path',
          message: expect.stringMatching(/^must be inside an allowed advisory root \(/) as string,
        },
      ],
    ],
    [
      'a file for a directory kind',
      { name: 'x', kind: 'osv-directory', path: join(goDir, 'GO-2020-0001.json') },
      422,
      [{ field: 'body.path', message: 'must be a directory for osv-directory' }],
    ],
    [
      'an unknown kind',
      { name: 'x', kind: 'rss', path: goDir },
      422,
      [{ field: 'body.kind', message: expect.any(String) as unknown }],
    ],
    [
      'an unknown field',
      { name: 'x', kind: 'osv-directory', path: goDir, colour: 'red' },
      422,
      [{ field: 'body', message: expect.stringContaining('colour') as unknown }],
    ],
    [
      'too short an interval',
      { name: 'x', kind: 'osv-directory', path: goDir, intervalSeconds: 5 },
      422,
      [{ field: 'body.intervalSeconds', message: expect.any(String) as unknown }],
    ],
  ])('rejects %s', async (_what, payload, status, errors) => {
    const { server, analyst } = await setup();
    const response = await server.inject({
      method: 'POST',
      url: '/api/v1/advisory-sources',
      headers: analyst.headers,
      payload,
    });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, code: 'validation_failed', errors });
  });

  it.skipIf(skip !== undefined)('refuses a duplicate name (409) and a viewer (403)', async () => {
    const { server, analyst, viewer } = await setup();
    const payload = { name: 'Go', kind: 'osv-directory', path: goDir };
    const post = (headers: { authorization: string }) =>
      server.inject({ method: 'POST', url: '/api/v1/advisory-sources', headers, payload });
    expect((await post(analyst.headers)).statusCode).toBe(201);
    expect((await post(analyst.headers)).json()).toMatchObject({ status: 409, code: 'conflict' });
    expect((await post(viewer.headers)).json()).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it.skipIf(skip !== undefined)(
    'syncs through a job and searches by id, alias and package',
    async () => {
      const { server, analyst, viewer, addAndSync } = await setup();
      const goId = await addAndSync('Go', 'osv-directory', goDir);
      await addAndSync('Debian 12', 'osv-directory', debianDir);
      await addAndSync('CVE 5', 'cve5', cve5Dir);

      const search = async (query: string) => {
        const response = await server.inject({
          url: `/api/v1/advisories?${query}`,
          headers: viewer.headers,
        });
        expect(response.statusCode).toBe(200);
        const body = response.json<{ advisories: { id: string }[]; nextAfter: string | null }>();
        return { ids: body.advisories.map((a) => a.id), nextAfter: body.nextAfter };
      };
      expect(await search('q=GO-2020-0001')).toEqual({ ids: ['GO-2020-0001'], nextAfter: null });
      expect(await search('q=cve-2020-36567')).toEqual({ ids: ['GO-2020-0001'], nextAfter: null });
      expect(await search('q=GHSA-6vm3-jj99-7229')).toEqual({
        ids: ['GO-2020-0001'],
        nextAfter: null,
      });
      expect(await search('q=CVE-2023-38545')).toEqual({
        ids: ['DEBCL-curl-CVE-2023-38545'],
        nextAfter: null,
      });
      expect(await search('ecosystem=Go&package=github.com/miekg/dns')).toEqual({
        ids: ['GO-2020-0006', 'GO-2020-0008', 'GO-2020-0028'],
        nextAfter: null,
      });
      expect(await search('ecosystem=Go&package=github.com/Miekg/DNS')).toEqual({
        ids: [],
        nextAfter: null,
      });
      expect(await search('ecosystem=Go&package=golang.org/x/net&limit=2')).toEqual({
        ids: ['GO-2020-0014', expect.any(String)],
        nextAfter: expect.any(String) as unknown,
      });
      const bad = await server.inject({
        url: '/api/v1/advisories?package=curl',
        headers: viewer.headers,
      });
      expect(bad.json()).toMatchObject({
        status: 422,
        errors: [
          { field: 'querystring.ecosystem', message: 'a package search needs its ecosystem' },
        ],
      });

      const detail = await server.inject({
        url: '/api/v1/advisories/DEBCL-curl-CVE-2023-38545',
        headers: viewer.headers,
      });
      const body = detail.json<{
        sourceId: string;
        advisory: { id: string };
        facts: { cve: string }[];
      }>();
      expect(body.advisory.id).toBe('DEBCL-curl-CVE-2023-38545');
      expect(body.facts.map((f) => f.cve)).toEqual(['CVE-2023-38545']);
      expect(
        (await server.inject({ url: '/api/v1/advisories/NOPE-1', headers: viewer.headers }))
          .statusCode,
      ).toBe(404);

      const runs = await server.inject({
        url: `/api/v1/sync-runs?sourceId=${goId}`,
        headers: viewer.headers,
      });
      const runList = runs.json<{ runs: { id: string; counts: unknown }[]; nextOffset: null }>();
      expect(runList.runs).toHaveLength(1);
      expect(runList.runs[0]?.counts).toEqual({
        read: 78,
        new: 78,
        updated: 0,
        unchanged: 0,
        withdrawn: 1,
        errors: 0,
      });
      const run = await server.inject({
        url: `/api/v1/sync-runs/${runList.runs[0]?.id ?? ''}`,
        headers: viewer.headers,
      });
      expect(run.json()).toEqual(runList.runs[0]);
      const source = await server.inject({
        url: `/api/v1/advisory-sources/${goId}`,
        headers: analyst.headers,
      });
      expect(source.json()).toMatchObject({
        lastSync: { state: 'succeeded', runId: runList.runs[0]?.id },
      });
    },
  );

  it.skipIf(skip !== undefined)('answers a second sync request with the queued job', async () => {
    const { server, analyst } = await setup();
    const created = await server.inject({
      method: 'POST',
      url: '/api/v1/advisory-sources',
      headers: analyst.headers,
      payload: { name: 'Go', kind: 'osv-directory', path: goDir },
    });
    const url = `/api/v1/advisory-sources/${created.json<{ id: string }>().id}/sync`;
    const first = await server.inject({ method: 'POST', url, headers: analyst.headers });
    const second = await server.inject({ method: 'POST', url, headers: analyst.headers });
    const jobId = first.json<{ jobId: string }>().jobId;
    expect([first.statusCode, first.json()]).toEqual([202, { jobId, alreadyQueued: false }]);
    expect([second.statusCode, second.json()]).toEqual([202, { jobId, alreadyQueued: true }]);
    const job = await server.inject({ url: `/api/v1/jobs/${jobId}`, headers: analyst.headers });
    expect(job.json()).toMatchObject({
      kind: 'advisories.sync',
      state: 'queued',
      createdBy: analyst.userId,
    });
  });
});
