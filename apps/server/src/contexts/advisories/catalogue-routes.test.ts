import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { DownloadSettings } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { settableClock } from '../jobs/test-support.ts';
import { catalogue } from './catalogue.ts';
import { testDownloadSettings } from './test-support.ts';

const kevUrl =
  'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';

describe.each(testDatabases())(
  'advisory catalogue and url sources API on $name',
  ({ open, skip }) => {
    let database: Database | undefined;
    let built: App | undefined;
    afterEach(async () => {
      await built?.app.close();
      await database?.close();
      built = undefined;
      database = undefined;
    });

    async function setup(downloads: Partial<DownloadSettings> = {}) {
      database = await open();
      const app = await testApp(database, settableClock(), {
        downloads: testDownloadSettings(['mirror.example'], { allowHttp: false, ...downloads }),
      });
      built = app;
      const analyst = await testCaller(database, ['security_analyst']);
      const viewer = await testCaller(database, ['viewer']);
      const db = database.db;
      return { server: app.app, analyst, viewer, db };
    }

    it.skipIf(skip !== undefined)(
      'lists every feed off on a fresh server, which fetches and queues nothing',
      async () => {
        const { server, viewer, db } = await setup();
        const response = await server.inject({
          url: '/api/v1/advisory-catalogue',
          headers: viewer.headers,
        });
        expect(response.statusCode).toBe(200);
        const { entries } = response.json<{
          entries: { id: string; url: string; enabled: boolean; sourceId: string | null }[];
        }>();
        expect(entries.map((e) => e.id)).toEqual(catalogue.map((e) => e.id));
        expect(entries.map((e) => e.id)).toEqual(
          expect.arrayContaining([
            'osv-debian',
            'osv-ubuntu',
            'osv-almalinux',
            'osv-rocky-linux',
            'osv-alpine',
            'osv-npm',
            'osv-pypi',
            'osv-go',
            'osv-crates-io',
            'osv-maven',
            'osv-rubygems',
            'osv-nuget',
            'osv-packagist',
            'cisa-kev',
            'first-epss',
            'cisa-vulnrichment',
            'cve-list-v5',
          ]),
        );
        expect(entries.every((e) => !e.enabled && e.sourceId === null)).toBe(true);
        expect(entries.find((e) => e.id === 'osv-rocky-linux')?.url).toBe(
          'https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip',
        );
        expect(await db.selectFrom('advisory_sources').selectAll().execute()).toEqual([]);
        expect(await db.selectFrom('jobs').selectAll().execute()).toEqual([]);
      },
    );

    it.skipIf(skip !== undefined)(
      'enables a feed with one call (audited, scheduled), again idempotently, and disables it',
      async () => {
        const { server, analyst, viewer, db } = await setup();
        const enable = (headers: { authorization: string }, payload: object) =>
          server.inject({
            method: 'POST',
            url: '/api/v1/advisory-catalogue/cisa-kev/enable',
            headers,
            payload,
          });
        expect((await enable(viewer.headers, { sync: false })).json()).toMatchObject({
          status: 403,
        });
        const first = await enable(analyst.headers, { sync: false });
        expect(first.statusCode).toBe(200);
        const body = first.json<{ source: { id: string }; created: boolean; jobId: null }>();
        expect(body).toMatchObject({
          created: true,
          jobId: null,
          source: {
            name: 'CISA KEV',
            kind: 'kev',
            path: kevUrl,
            url: kevUrl,
            catalogueId: 'cisa-kev',
            intervalSeconds: 86_400,
            enabled: true,
            download: { etag: null, sha256: null, appliedAt: null },
          },
        });
        const sourceId = body.source.id;
        expect(
          await db
            .selectFrom('job_schedules')
            .select(['id', 'interval_seconds', 'enabled'])
            .execute(),
        ).toEqual([{ id: `advisories.sync:${sourceId}`, interval_seconds: 86_400, enabled: 1 }]);

        const again = await enable(analyst.headers, {});
        expect(again.json()).toMatchObject({ created: false, source: { id: sourceId } });
        const jobId = again.json<{ jobId: string }>().jobId;
        expect(await db.selectFrom('jobs').select(['id', 'kind']).execute()).toEqual([
          { id: jobId, kind: 'advisories.sync' },
        ]);

        const disabled = await server.inject({
          method: 'POST',
          url: '/api/v1/advisory-catalogue/cisa-kev/disable',
          headers: analyst.headers,
        });
        expect(disabled.json()).toMatchObject({ id: sourceId, enabled: false });
        const listed = await server.inject({
          url: '/api/v1/advisory-catalogue',
          headers: viewer.headers,
        });
        expect(
          listed
            .json<{ entries: { id: string; enabled: boolean; sourceId: string | null }[] }>()
            .entries.find((e) => e.id === 'cisa-kev'),
        ).toMatchObject({ enabled: false, sourceId });

        const audit = await db
          .selectFrom('audit_events')
          .select(['action', 'after_json'])
          .where('subject_id', '=', sourceId)
          .orderBy('seq')
          .execute();
        expect(audit.map((e) => e.action)).toEqual([
          'advisory-source.created',
          'advisory-source.updated',
          'advisory-source.sync-requested',
          'advisory-source.updated',
        ]);
        expect(JSON.parse(audit[0]?.after_json ?? '{}')).toMatchObject({ catalogueId: 'cisa-kev' });

        const unknown = await server.inject({
          method: 'POST',
          url: '/api/v1/advisory-catalogue/nope/enable',
          headers: analyst.headers,
          payload: {},
        });
        expect(unknown.statusCode).toBe(404);
      },
    );

    it.skipIf(skip !== undefined)('refuses enabling when downloads are off (409)', async () => {
      const { server, analyst, db } = await setup({ enabled: false });
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/advisory-catalogue/osv-debian/enable',
        headers: analyst.headers,
        payload: {},
      });
      expect(response.json()).toMatchObject({
        status: 409,
        detail: 'Downloads are turned off on this server (PATCHGATE_DOWNLOADS=off)',
      });
      expect(await db.selectFrom('advisory_sources').selectAll().execute()).toEqual([]);
    });

    it.skipIf(skip !== undefined).each([
      [
        'a host that is not allowed (no SSRF through the API)',
        { url: 'https://169.254.169.254/latest/meta-data/' },
        'body.url',
        '169.254.169.254 is not an allowed download host',
      ],
      [
        'plain http unless allowed',
        { url: 'http://mirror.example/kev.json' },
        'body.url',
        'only https: URLs are downloaded',
      ],
      [
        'a disallowed checksum host',
        { url: 'https://mirror.example/kev.json', checksumUrl: 'https://elsewhere.example/SUMS' },
        'body.checksumUrl',
        'elsewhere.example is not an allowed download host',
      ],
      [
        'both a path and a url',
        { url: 'https://mirror.example/kev.json', path: '/srv/kev.json' },
        'body.path',
        'give either path or url',
      ],
    ])('rejects a url source with %s (422)', async (_what, fields, field, message) => {
      const { server, analyst } = await setup();
      const response = await server.inject({
        method: 'POST',
        url: '/api/v1/advisory-sources',
        headers: analyst.headers,
        payload: { name: 'KEV mirror', kind: 'kev', ...fields },
      });
      expect(response.json()).toMatchObject({
        status: 422,
        errors: [{ field, message: expect.stringContaining(message) as unknown }],
      });
    });

    it.skipIf(skip !== undefined)(
      'adds a url source on an allowed host, and a new url forgets the validators',
      async () => {
        const { server, analyst, db } = await setup();
        const created = await server.inject({
          method: 'POST',
          url: '/api/v1/advisory-sources',
          headers: analyst.headers,
          payload: {
            name: 'KEV mirror',
            kind: 'kev',
            url: 'https://mirror.example/kev.json',
            checksumUrl: 'https://mirror.example/SHA256SUMS',
          },
        });
        expect(created.statusCode).toBe(201);
        const id = created.json<{ id: string }>().id;
        await db
          .updateTable('advisory_source_urls')
          .set({ etag: '"v1"', sha256: 'a'.repeat(64) })
          .execute();
        const path = await server.inject({
          method: 'PATCH',
          url: `/api/v1/advisory-sources/${id}`,
          headers: analyst.headers,
          payload: { path: '/srv/kev.json' },
        });
        expect(path.json()).toMatchObject({ status: 422, errors: [{ field: 'body.path' }] });
        const moved = await server.inject({
          method: 'PATCH',
          url: `/api/v1/advisory-sources/${id}`,
          headers: analyst.headers,
          payload: { url: 'https://mirror.example/v2/kev.json' },
        });
        expect(moved.json()).toMatchObject({
          path: 'https://mirror.example/v2/kev.json',
          url: 'https://mirror.example/v2/kev.json',
          checksumUrl: 'https://mirror.example/SHA256SUMS',
          download: { etag: null, sha256: null },
        });
      },
    );
  },
);
