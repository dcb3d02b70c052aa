import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp, testClock } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { findFormat, inventoryFormatFamilies, inventoryFormats } from '@patchgate/inventory';
import type { InventoryFormatFamily } from '@patchgate/inventory';
import type { Asset, InventoryFormatList, SnapshotSummary } from './schema.ts';
import { currentInventory } from './service.ts';

/** Typed asymmetric matchers (vitest's return any). */
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;
const containing = <T extends object>(shape: T): T => expect.objectContaining<unknown>(shape) as T;

const repoRoot = new URL('../../../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repoRoot), 'utf8');
const dpkgQuery = read('examples/debian-bookworm/dpkg-query.tsv');
const now = '2026-11-22T09:00:00.000Z';
const uuid = matching(/^[0-9a-f-]{36}$/);
const order = (family: InventoryFormatFamily) => inventoryFormatFamilies.indexOf(family);

describe.each(testDatabases())('inventory API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
    testClock.set(now);
  });

  async function setup(): Promise<{
    app: FastifyInstance;
    db: Database;
    writer: TestCaller;
    viewer: TestCaller;
  }> {
    testClock.set(now);
    database = await open();
    built = await testApp(database);
    return {
      app: built.app,
      db: database,
      writer: await testCaller(database, ['operator'], 'olivia'),
      viewer: await testCaller(database, ['viewer'], 'victor'),
    };
  }

  async function createAsset(
    app: FastifyInstance,
    caller: TestCaller,
    body: Record<string, unknown>,
  ): Promise<Asset> {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/assets',
      headers: caller.headers,
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Asset>();
  }

  async function uploadRaw(
    app: FastifyInstance,
    caller: TestCaller,
    assetId: string,
    payload: string | Buffer,
    options: { contentType?: string; query?: string } = {},
  ) {
    return app.inject({
      method: 'POST',
      url: `/api/v1/assets/${assetId}/inventory${options.query ?? ''}`,
      headers: { ...caller.headers, 'content-type': options.contentType ?? 'text/plain' },
      payload,
    });
  }

  async function auditEvents(db: Database, action: string) {
    const rows = await db.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', action)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({
      actor: row.actor_name,
      subjectId: row.subject_id,
      before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
      after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
    }));
  }

  async function jobs(db: Database) {
    const rows = await db.db.selectFrom('jobs').select(['kind', 'payload_json']).execute();
    return rows.map((r) => ({ kind: r.kind, payload: JSON.parse(r.payload_json) as unknown }));
  }

  it.skipIf(skip !== undefined)(
    'creates, reads, changes and deletes an asset, audited',
    async () => {
      const { app, db, writer } = await setup();
      const created = await createAsset(app, writer, {
        name: 'web-01',
        environment: 'production',
        tags: ['web', 'pci', 'web'],
        owner: 'platform',
      });
      const expected: Asset = {
        id: created.id,
        name: 'web-01',
        kind: 'host',
        osRelease: null,
        environment: 'production',
        criticality: 'medium',
        exposure: 'unknown',
        owner: 'platform',
        tags: ['pci', 'web'],
        groups: [],
        maintenanceWindow: null,
        createdAt: now,
        updatedAt: now,
        currentSnapshot: null,
      };
      expect(created).toEqual(expected);
      const got = await app.inject({
        url: `/api/v1/assets/${created.id}`,
        headers: writer.headers,
      });
      expect(got.json()).toEqual(expected);

      testClock.set('2026-11-22T10:00:00.000Z');
      const patched = await app.inject({
        method: 'PATCH',
        url: `/api/v1/assets/${created.id}`,
        headers: writer.headers,
        payload: { criticality: 'critical', exposure: 'internet', owner: null },
      });
      const after: Asset = {
        ...expected,
        criticality: 'critical',
        exposure: 'internet',
        owner: null,
        updatedAt: '2026-11-22T10:00:00.000Z',
      };
      expect(patched.json()).toEqual(after);

      const deleted = await app.inject({
        method: 'DELETE',
        url: `/api/v1/assets/${created.id}`,
        headers: writer.headers,
      });
      expect(deleted.statusCode).toBe(204);
      const gone = await app.inject({
        url: `/api/v1/assets/${created.id}`,
        headers: writer.headers,
      });
      expect(gone.statusCode).toBe(404);

      expect([
        ...(await auditEvents(db, 'asset.created')),
        ...(await auditEvents(db, 'asset.updated')),
        ...(await auditEvents(db, 'asset.deleted')),
      ]).toEqual([
        { actor: 'olivia', subjectId: created.id, before: null, after: expected },
        { actor: 'olivia', subjectId: created.id, before: expected, after },
        { actor: 'olivia', subjectId: created.id, before: after, after: null },
      ]);
      // Domain events for whoever listens (findings re-prioritises, then closes its findings).
      expect(await jobs(db)).toEqual([
        {
          kind: 'event:asset.context-changed',
          payload: { assetId: created.id, fields: ['criticality', 'exposure', 'owner'] },
        },
        { kind: 'event:inventory.asset-deleted', payload: { assetId: created.id } },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'lists the formats of the parser registry (assets:read), and an upload takes their ids',
    async () => {
      const { app, db, writer, viewer } = await setup();
      const response = await app.inject({
        url: '/api/v1/inventory/formats',
        headers: viewer.headers,
      });
      expect(response.statusCode, response.body).toBe(200);
      const { items } = response.json<InventoryFormatList>();
      expect(items.map((f) => f.id).sort()).toEqual(inventoryFormats.map((f) => f.id).sort());
      // SBOMs first, then lockfiles, then package lists.
      const families = items.map((f) => f.family);
      expect([...new Set(families)]).toEqual(['sbom', 'lockfile', 'package-list']);
      expect(families).toEqual([...families].sort((a, b) => order(a) - order(b)));
      expect(items.find((f) => f.id === 'npm-package-lock')).toEqual({
        id: 'npm-package-lock',
        label: 'npm package-lock.json (v1, v2, v3)',
        family: 'lockfile',
        familyLabel: 'Lockfile',
        mediaTypes: ['application/json'],
        fileNames: ['package-lock.json', 'npm-shrinkwrap.json'],
        specUrls: findFormat('npm-package-lock')?.specUrls,
      });
      expect(items.find((f) => f.id === 'dpkg-query')).toMatchObject({
        family: 'package-list',
        familyLabel: 'Package list',
        fileNames: [],
      });

      // The id is what an upload's ?format= takes.
      const asset = await createAsset(app, writer, { name: 'formats-01' });
      const dpkg = items.find((f) => f.family === 'package-list' && f.id === 'dpkg-query');
      const uploaded = await uploadRaw(app, writer, asset.id, dpkgQuery, {
        query: `?format=${dpkg?.id ?? ''}&name=packages.txt`,
      });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      expect(uploaded.json<SnapshotSummary>().format).toBe('dpkg-query');

      // A caller without assets:read is refused.
      const nobody = await testCaller(db, []);
      const refused = await app.inject({
        url: '/api/v1/inventory/formats',
        headers: nobody.headers,
      });
      expect(refused.statusCode).toBe(403);
      const anonymous = await app.inject({ url: '/api/v1/inventory/formats' });
      expect(anonymous.statusCode).toBe(401);
    },
  );

  it.skipIf(skip !== undefined)('refuses a second asset with the same name (409)', async () => {
    const { app, writer } = await setup();
    await createAsset(app, writer, { name: 'db-01' });
    const other = await createAsset(app, writer, { name: 'db-02' });
    for (const request of [
      { method: 'POST' as const, url: '/api/v1/assets', payload: { name: 'db-01' } },
      { method: 'PATCH' as const, url: `/api/v1/assets/${other.id}`, payload: { name: 'db-01' } },
    ]) {
      const response = await app.inject({ ...request, headers: writer.headers });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        code: 'conflict',
        detail: 'An asset named "db-01" already exists',
      });
    }
  });

  it.skipIf(skip !== undefined)(
    'uploads a real dpkg-query inventory: 723 Debian:12 packages, current, job and audit',
    async () => {
      const { app, db, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'bookworm-host' });
      const response = await uploadRaw(app, writer, asset.id, dpkgQuery, {
        query: '?name=dpkg-query.tsv&takenAt=2026-11-21T23:00:00Z',
      });
      expect(response.statusCode, response.body).toBe(201);
      const summary = response.json<SnapshotSummary>();
      expect(summary).toEqual({
        id: uuid,
        seq: 1,
        takenAt: '2026-11-21T23:00:00.000Z',
        uploadedAt: now,
        format: 'dpkg-query',
        sourceName: 'dpkg-query.tsv',
        os: {
          id: 'debian',
          versionId: '12',
          ecosystem: 'Debian:12',
          evidence: 'base-files 12.4+deb12u11; version suffix +deb12u…, 224 of 723 packages',
        },
        packageCount: 723,
        warnings: [],
        packagesPruned: false,
        rawSize: Buffer.byteLength(dpkgQuery),
        rawSha256: matching(/^[0-9a-f]{64}$/),
      });

      const current = await app.inject({
        url: `/api/v1/assets/${asset.id}`,
        headers: writer.headers,
      });
      expect(current.json<Asset>().currentSnapshot).toEqual({
        id: summary.id,
        takenAt: '2026-11-21T23:00:00.000Z',
        format: 'dpkg-query',
        packageCount: 723,
      });

      const openssl = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/${summary.id}/packages?name=openssl`,
        headers: writer.headers,
      });
      expect(openssl.json()).toEqual({
        packages: [
          {
            ecosystem: 'Debian:12',
            name: 'openssl',
            version: matching(/deb12/),
            sourceName: 'openssl',
            purl: matching(/^pkg:deb\/debian\/openssl@.*distro=debian-12/),
            arch: 'amd64',
            location: matching(/^line \d+$/),
          },
        ],
        nextAfterSeq: null,
      });

      // Every package, 300 a page.
      const names: string[] = [];
      let afterSeq: number | null = 0;
      while (afterSeq !== null) {
        const page: {
          packages: { name: string; ecosystem: string }[];
          nextAfterSeq: number | null;
        } = (
          await app.inject({
            url: `/api/v1/assets/${asset.id}/snapshots/${summary.id}/packages?limit=300&afterSeq=${afterSeq}`,
            headers: writer.headers,
          })
        ).json();
        names.push(...page.packages.map((p) => `${p.ecosystem}/${p.name}`));
        afterSeq = page.nextAfterSeq;
      }
      expect(names).toHaveLength(723);
      expect(new Set(names.map((n) => n.split('/')[0]))).toEqual(new Set(['Debian:12']));

      const raw = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/${summary.id}/raw`,
        headers: writer.headers,
      });
      expect(raw.body).toBe(dpkgQuery);

      expect(await jobs(db)).toEqual([
        {
          kind: 'event:inventory.snapshot-recorded',
          payload: { assetId: asset.id, snapshotId: summary.id },
        },
      ]);
      expect(await auditEvents(db, 'inventory.uploaded')).toEqual([
        {
          actor: 'olivia',
          subjectId: asset.id,
          before: { snapshotId: null },
          after: { snapshotId: summary.id, format: 'dpkg-query', packageCount: 723 },
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'reads every format of the inventory package, detected or named, plain or gzip',
    async () => {
      const { app, writer } = await setup();
      const cases = [
        {
          path: 'examples/sbom/proton-bridge-v1.8.0.bom.json',
          contentType: 'application/json',
          osRelease: undefined,
          want: { format: 'cyclonedx-json', packageCount: 201, ecosystems: ['Go'], os: null },
        },
        {
          path: 'packages/inventory/testdata/rpm-qa/centos-8.5-rpm-qa.txt',
          contentType: 'text/plain',
          osRelease: 'AlmaLinux:8',
          want: {
            format: 'rpm-qa',
            packageCount: 49,
            ecosystems: ['AlmaLinux:8'],
            os: {
              id: 'almalinux',
              versionId: '8',
              ecosystem: 'AlmaLinux:8',
              evidence: 'asset osRelease AlmaLinux:8',
            },
          },
        },
        {
          path: 'packages/inventory/testdata/dpkg-status/bookworm-excerpt',
          contentType: 'application/octet-stream',
          gzip: true,
          osRelease: undefined,
          want: {
            format: 'dpkg-status',
            packageCount: 5,
            ecosystems: ['Debian:12'],
            os: containing({ ecosystem: 'Debian:12' }),
          },
        },
        {
          path: 'packages/inventory/testdata/cyclonedx-xml/cern-lhc-vdm-editor-1.2.bom.xml',
          contentType: 'application/xml',
          osRelease: undefined,
          want: containing({ format: 'cyclonedx-xml', os: null }),
        },
        {
          path: 'packages/inventory/testdata/spdx-json/example7-golang-2.2.spdx.json',
          contentType: 'application/json',
          osRelease: undefined,
          want: containing({ format: 'spdx-json' }),
        },
        {
          path: 'packages/inventory/testdata/cargo-lock/ripgrep-v4-Cargo.lock',
          contentType: 'text/plain',
          name: 'Cargo.lock',
          osRelease: undefined,
          want: containing({ format: 'cargo-lock', ecosystems: ['crates.io'] }),
        },
        {
          path: 'packages/inventory/testdata/pip-requirements/pip-freeze.txt',
          contentType: 'text/plain',
          format: 'pip-requirements',
          osRelease: undefined,
          want: containing({ format: 'pip-requirements', ecosystems: ['PyPI'] }),
        },
      ];
      for (const [i, c] of cases.entries()) {
        const asset = await createAsset(app, writer, {
          name: `asset-${i}`,
          ...(c.osRelease !== undefined && { osRelease: c.osRelease }),
        });
        const text = read(c.path);
        const query = new URLSearchParams({
          ...('name' in c && { name: c.name }),
          ...('format' in c && { format: c.format }),
        }).toString();
        const response = await uploadRaw(
          app,
          writer,
          asset.id,
          'gzip' in c ? gzipSync(text) : text,
          { contentType: c.contentType, query: query === '' ? '' : `?${query}` },
        );
        expect(response.statusCode, `${c.path}: ${response.body}`).toBe(201);
        const summary = response.json<SnapshotSummary>();
        const packages = (
          await app.inject({
            url: `/api/v1/assets/${asset.id}/snapshots/${summary.id}/packages?limit=1000`,
            headers: writer.headers,
          })
        ).json<{ packages: { ecosystem: string }[] }>().packages;
        expect(
          {
            format: summary.format,
            packageCount: summary.packageCount,
            ecosystems: [...new Set(packages.map((p) => p.ecosystem))],
            os: summary.os,
          },
          c.path,
        ).toEqual(c.want);
        expect(packages).toHaveLength(summary.packageCount);
      }
    },
  );

  it.skipIf(skip !== undefined)(
    'takes a multipart form upload, named by its file name',
    async () => {
      const { app, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'rust-app', kind: 'application' });
      const boundary = 'patchgate-test-boundary';
      const lockfile = read('packages/inventory/testdata/cargo-lock/ripgrep-v4-Cargo.lock');
      const payload = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="Cargo.lock"',
        'Content-Type: application/octet-stream',
        '',
        lockfile,
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const response = await uploadRaw(app, writer, asset.id, payload, {
        contentType: `multipart/form-data; boundary=${boundary}`,
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({
        format: 'cargo-lock',
        sourceName: 'Cargo.lock',
        rawSize: Buffer.byteLength(lockfile),
      });
      const raw = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/${response.json<SnapshotSummary>().id}/raw`,
        headers: writer.headers,
      });
      expect(raw.body).toBe(lockfile);
    },
  );

  it.skipIf(skip !== undefined)(
    'answers 400 problem+json for a truncated multipart form, and stores nothing',
    async () => {
      const { app, db, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'web-01' });
      const boundary = 'patchgate-test-boundary';
      const whole = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="dpkg-query.tsv"',
        'Content-Type: text/plain',
        '',
        dpkgQuery,
        `--${boundary}--`,
        '',
      ].join('\r\n');
      // Cut halfway through the file: no closing boundary ever comes.
      const response = await uploadRaw(app, writer, asset.id, whole.slice(0, whole.length / 2), {
        contentType: `multipart/form-data; boundary=${boundary}`,
      });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 400, code: 'bad_request' });
      const snapshots = await db.db
        .selectFrom('inventory_snapshots')
        .select('id')
        .where('asset_id', '=', asset.id)
        .execute();
      expect(snapshots).toEqual([]);
    },
  );

  it.skipIf(skip !== undefined)('answers 422 for unreadable input and stores nothing', async () => {
    const { app, db, writer } = await setup();
    const asset = await createAsset(app, writer, { name: 'host' });
    const cases = [
      {
        payload: 'this is not an inventory\nat all\n',
        query: '',
        detail: /^upload: not a recognised inventory format \(known: dpkg-status, /,
      },
      {
        payload: dpkgQuery,
        query: '?format=nonsense',
        detail: /^unknown inventory format "nonsense"/,
      },
      { payload: '{"bomFormat": "CycloneDX", "components": 7', query: '', detail: /./ },
      { payload: Buffer.from([0xff, 0xfe, 0x00, 0x41]), query: '', detail: /not UTF-8 text/ },
      { payload: Buffer.from([0x1f, 0x8b, 0x00, 0x41]), query: '', detail: /gzip/ },
    ];
    for (const c of cases) {
      const response = await uploadRaw(app, writer, asset.id, c.payload, { query: c.query });
      expect(response.statusCode, response.body).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<{ detail: string }>().detail).toMatch(c.detail);
    }
    const empty = await uploadRaw(app, writer, asset.id, '');
    expect(empty.statusCode).toBe(422);
    expect(await db.db.selectFrom('inventory_snapshots').selectAll().execute()).toEqual([]);
    expect(await jobs(db)).toEqual([]);
    expect(await auditEvents(db, 'inventory.uploaded')).toEqual([]);
    const after = await app.inject({ url: `/api/v1/assets/${asset.id}`, headers: writer.headers });
    expect(after.json<Asset>().currentSnapshot).toBeNull();
  });

  it.skipIf(skip !== undefined)(
    'diffs a second upload with one package upgraded, one added, one removed',
    async () => {
      const { app, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'bookworm-host' });
      const first = (await uploadRaw(app, writer, asset.id, dpkgQuery)).json<SnapshotSummary>();
      const lines = dpkgQuery.trimEnd().split('\n');
      const second = lines
        .filter((line) => !line.startsWith('adduser\t'))
        .map((line) =>
          line.startsWith('openssl\t')
            ? line.replace(/\t3\.0\.\S+?\t/, '\t3.0.99-1~deb12u1\t')
            : line,
        )
        .concat('zzz-new\t1.0-1\tamd64\tzzz-new\t1.0-1\tinstall ok installed');
      const opensslBefore = lines.find((l) => l.startsWith('openssl\t'))?.split('\t')[1];
      testClock.set('2026-11-23T09:00:00.000Z');
      const next = (
        await uploadRaw(app, writer, asset.id, `${second.join('\n')}\n`)
      ).json<SnapshotSummary>();
      expect(next.seq).toBe(2);

      const diff = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/diff`,
        headers: writer.headers,
      });
      expect(diff.json()).toEqual({
        from: first.id,
        to: next.id,
        added: [containing({ ecosystem: 'Debian:12', name: 'zzz-new', version: '1.0-1' })],
        removed: [containing({ ecosystem: 'Debian:12', name: 'adduser', version: '3.134' })],
        changed: [
          {
            ecosystem: 'Debian:12',
            name: 'openssl',
            arch: 'amd64',
            from: opensslBefore,
            to: '3.0.99-1~deb12u1',
            direction: 'upgraded',
          },
        ],
      });
      // Reversed, the same change is a downgrade.
      const reversed = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/diff?from=${next.id}&to=${first.id}`,
        headers: writer.headers,
      });
      expect(reversed.json<{ changed: unknown[] }>().changed).toEqual([
        containing({ name: 'openssl', direction: 'downgraded' }),
      ]);

      const history = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots?limit=1`,
        headers: writer.headers,
      });
      expect(history.json()).toEqual({
        snapshots: [containing({ id: next.id, seq: 2, packageCount: 723 })],
        nextBeforeSeq: 2,
      });
      const older = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots?limit=1&beforeSeq=2`,
        headers: writer.headers,
      });
      expect(older.json()).toEqual({ snapshots: [first], nextBeforeSeq: null });
    },
  );

  it.skipIf(skip !== undefined)(
    'keeps the packages of the latest 3 snapshots only; older ones keep their raw upload',
    async () => {
      const { app, db, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'host', osRelease: 'Debian:12' });
      const ids: string[] = [];
      for (let i = 1; i <= 4; i++) {
        const response = await app.inject({
          method: 'POST',
          url: `/api/v1/assets/${asset.id}/snapshots`,
          headers: writer.headers,
          payload: { packages: [{ ecosystem: 'Debian', name: 'bash', version: `5.2.${i}-1` }] },
        });
        ids.push(response.json<SnapshotSummary>().id);
      }
      const history = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots`,
        headers: writer.headers,
      });
      expect(
        history
          .json<{ snapshots: SnapshotSummary[] }>()
          .snapshots.map((s) => [s.seq, s.packagesPruned]),
      ).toEqual([
        [4, false],
        [3, false],
        [2, false],
        [1, true],
      ]);
      const pruned = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/${ids[0]}/packages`,
        headers: writer.headers,
      });
      expect(pruned.statusCode).toBe(410);
      expect(pruned.json()).toMatchObject({ code: 'gone' });
      const raw = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/${ids[0]}/raw`,
        headers: writer.headers,
      });
      expect(raw.json()).toEqual({
        source: 'packages.json',
        packages: [{ ecosystem: 'Debian', name: 'bash', version: '5.2.1-1' }],
      });
      const rows = await db.db
        .selectFrom('snapshot_packages')
        .select(['snapshot_id', 'ecosystem', 'version'])
        .orderBy('version')
        .execute();
      expect(rows).toEqual([
        { snapshot_id: ids[1], ecosystem: 'Debian:12', version: '5.2.2-1' },
        { snapshot_id: ids[2], ecosystem: 'Debian:12', version: '5.2.3-1' },
        { snapshot_id: ids[3], ecosystem: 'Debian:12', version: '5.2.4-1' },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'takes a JSON package list: the release from the body, else from the asset',
    async () => {
      const { app, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'json-host' });
      const packages = [
        {
          ecosystem: 'Debian',
          name: 'libssl3',
          version: '3.0.15-1~deb12u1',
          sourceName: 'openssl',
        },
        { ecosystem: 'npm', name: 'lodash', version: '4.17.21', direct: true, dev: false },
      ];
      const noRelease = await app.inject({
        method: 'POST',
        url: `/api/v1/assets/${asset.id}/snapshots`,
        headers: writer.headers,
        payload: { packages },
      });
      expect(noRelease.json()).toMatchObject({
        format: 'packages-json',
        os: null,
        warnings: [
          "1 distribution package(s) (Debian) have no release: set the asset's osRelease (e.g. Debian:12) so advisories can be matched",
        ],
      });
      const withOs = await app.inject({
        method: 'POST',
        url: `/api/v1/assets/${asset.id}/snapshots`,
        headers: writer.headers,
        payload: { os: 'debian:12', takenAt: '2026-11-20T00:00:00Z', packages },
      });
      const summary = withOs.json<SnapshotSummary>();
      expect(summary).toMatchObject({
        takenAt: '2026-11-20T00:00:00.000Z',
        os: { id: 'debian', ecosystem: 'Debian:12' },
        warnings: [],
      });
      const stored = await app.inject({
        url: `/api/v1/assets/${asset.id}/snapshots/${summary.id}/packages`,
        headers: writer.headers,
      });
      expect(stored.json()).toEqual({
        packages: [
          {
            ecosystem: 'Debian:12',
            name: 'libssl3',
            version: '3.0.15-1~deb12u1',
            sourceName: 'openssl',
          },
          { ecosystem: 'npm', name: 'lodash', version: '4.17.21', direct: true, dev: false },
        ],
        nextAfterSeq: null,
      });
      const badOs = await app.inject({
        method: 'POST',
        url: `/api/v1/assets/${asset.id}/snapshots`,
        headers: writer.headers,
        payload: { os: 'plan9', packages },
      });
      expect(badOs.statusCode).toBe(422);
      expect(badOs.json()).toMatchObject({ errors: [{ field: 'body.os' }] });
    },
  );

  it.skipIf(skip !== undefined)(
    'imports 1,000 assets in one call, then upserts by name',
    async () => {
      const { app, db, writer } = await setup();
      const entries = Array.from({ length: 1000 }, (_, i) => ({
        name: `host-${String(i).padStart(4, '0')}`,
        environment: i % 2 === 0 ? 'production' : 'staging',
        tags: i % 10 === 0 ? ['pci'] : [],
      }));
      const first = await app.inject({
        method: 'POST',
        url: '/api/v1/assets/import',
        headers: writer.headers,
        payload: entries,
      });
      expect(first.json()).toEqual({ created: 1000, updated: 0, unchanged: 0 });

      testClock.set('2026-11-22T11:00:00.000Z');
      const second = await app.inject({
        method: 'POST',
        url: '/api/v1/assets/import',
        headers: writer.headers,
        payload: [
          ...entries.slice(0, 10).map((e) => ({ ...e, criticality: 'critical' })),
          ...entries.slice(10, 20),
          { name: 'host-new' },
        ],
      });
      expect(second.json()).toEqual({ created: 1, updated: 10, unchanged: 10 });
      const changed = (
        await app.inject({
          url: '/api/v1/assets?criticality=critical&tag=pci',
          headers: writer.headers,
        })
      ).json<{ assets: Asset[] }>();
      expect(changed.assets.map((a) => [a.name, a.updatedAt, a.createdAt])).toEqual([
        ['host-0000', '2026-11-22T11:00:00.000Z', now],
      ]);
      expect(await auditEvents(db, 'asset.imported')).toEqual([
        {
          actor: 'olivia',
          subjectId: null,
          before: null,
          after: { created: 1000, updated: 0, unchanged: 0, total: 1000 },
        },
        {
          actor: 'olivia',
          subjectId: null,
          before: null,
          after: { created: 1, updated: 10, unchanged: 10, total: 21 },
        },
      ]);

      const duplicate = await app.inject({
        method: 'POST',
        url: '/api/v1/assets/import',
        headers: writer.headers,
        payload: [{ name: 'a' }, { name: 'b' }, { name: 'a' }],
      });
      expect(duplicate.statusCode).toBe(422);
      expect(duplicate.json()).toMatchObject({
        errors: [{ field: 'body[2].name', message: 'repeats body[0].name "a"' }],
      });
    },
  );

  it.skipIf(skip !== undefined)(
    'imports 10,000 assets (the maximum) and still filters and pages them',
    async () => {
      const { app, writer } = await setup();
      const environments = ['production', 'staging', 'test', 'development'] as const;
      const entries = Array.from({ length: 10_000 }, (_, i) => ({
        name: `node-${String(i).padStart(5, '0')}`,
        environment: environments[i % 4],
        criticality: i % 100 === 0 ? 'critical' : 'low',
        groups: [`wave-${i % 5}`],
        tags: i % 1000 === 0 ? ['canary'] : [],
      }));
      const imported = await app.inject({
        method: 'POST',
        url: '/api/v1/assets/import',
        headers: writer.headers,
        payload: entries,
      });
      expect(imported.json()).toEqual({ created: 10_000, updated: 0, unchanged: 0 });
      const page = async (query: string) =>
        (await app.inject({ url: `/api/v1/assets?${query}`, headers: writer.headers })).json<{
          assets: Asset[];
          nextCursor: string | null;
        }>();
      expect((await page('tag=canary&limit=500')).assets.map((a) => a.name)).toEqual(
        Array.from({ length: 10 }, (_, k) => `node-${String(k * 1000).padStart(5, '0')}`),
      );
      const critical: string[] = [];
      let cursor: string | null = null;
      do {
        const next = await page(
          `criticality=critical&group=wave-0&order=desc&limit=7${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        critical.push(...next.assets.map((a) => a.name));
        cursor = next.nextCursor;
      } while (cursor !== null);
      expect(critical).toEqual(
        Array.from({ length: 100 }, (_, k) => `node-${String(9900 - k * 100).padStart(5, '0')}`),
      );
      const tooMany = await app.inject({
        method: 'POST',
        url: '/api/v1/assets/import',
        headers: writer.headers,
        payload: [...entries, { name: 'one-too-many' }],
      });
      expect(tooMany.statusCode).toBe(422);
      expect(tooMany.json()).toMatchObject({ errors: [{ field: 'body' }] });
    },
  );

  it.skipIf(skip !== undefined)(
    'keeps the tag and group filters in step with changes',
    async () => {
      const { app, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'x', tags: ['old'], groups: ['g1'] });
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/assets/${asset.id}`,
        headers: writer.headers,
        payload: { tags: ['new'] },
      });
      await app.inject({
        method: 'POST',
        url: '/api/v1/assets/import',
        headers: writer.headers,
        payload: [{ name: 'x', groups: ['g2'] }],
      });
      const count = async (query: string) =>
        (await app.inject({ url: `/api/v1/assets?${query}`, headers: writer.headers })).json<{
          assets: Asset[];
        }>().assets.length;
      expect({
        old: await count('tag=old'),
        new: await count('tag=new'),
        g1: await count('group=g1'),
        g2: await count('group=g2'),
      }).toEqual({ old: 0, new: 1, g1: 0, g2: 1 });
    },
  );

  it.skipIf(skip !== undefined)(
    'documents every inventory route in the OpenAPI document',
    async () => {
      const { app } = await setup();
      const doc = (await app.inject('/openapi.json')).json<{ paths: Record<string, object> }>();
      expect(
        Object.keys(doc.paths)
          .filter((p) => p.startsWith('/api/v1/assets'))
          .sort(),
      ).toEqual([
        '/api/v1/assets',
        '/api/v1/assets/import',
        '/api/v1/assets/{id}',
        '/api/v1/assets/{id}/available-updates',
        '/api/v1/assets/{id}/inventory',
        '/api/v1/assets/{id}/snapshots',
        '/api/v1/assets/{id}/snapshots/diff',
        '/api/v1/assets/{id}/snapshots/{snapshotId}',
        '/api/v1/assets/{id}/snapshots/{snapshotId}/packages',
        '/api/v1/assets/{id}/snapshots/{snapshotId}/raw',
      ]);
    },
  );

  it.skipIf(skip !== undefined)('filters, sorts and pages the asset list', async () => {
    const { app, writer } = await setup();
    const fleet = [
      {
        name: 'api-1',
        environment: 'production',
        criticality: 'critical',
        exposure: 'internet',
        owner: 'web',
        tags: ['pci'],
        groups: ['wave-1'],
      },
      {
        name: 'api-2',
        environment: 'production',
        criticality: 'high',
        exposure: 'internet',
        owner: 'web',
        tags: ['pci'],
        groups: ['wave-2'],
      },
      {
        name: 'DB-1',
        environment: 'production',
        criticality: 'critical',
        exposure: 'internal',
        owner: 'data',
        groups: ['wave-1'],
      },
      {
        name: 'ci_runner',
        environment: 'development',
        criticality: 'low',
        exposure: 'internal',
        kind: 'container-image',
      },
      { name: 'batch%1', environment: 'staging', criticality: 'medium', kind: 'application' },
    ];
    await app.inject({
      method: 'POST',
      url: '/api/v1/assets/import',
      headers: writer.headers,
      payload: fleet,
    });
    const list = async (query: string) =>
      (await app.inject({ url: `/api/v1/assets?${query}`, headers: writer.headers })).json<{
        assets: Asset[];
        nextCursor: string | null;
        total: number;
      }>();
    const names = async (query: string) => (await list(query)).assets.map((a) => a.name);
    const cases: [string, string[]][] = [
      ['', ['DB-1', 'api-1', 'api-2', 'batch%1', 'ci_runner']],
      ['order=desc', ['ci_runner', 'batch%1', 'api-2', 'api-1', 'DB-1']],
      ['environment=production', ['DB-1', 'api-1', 'api-2']],
      ['criticality=critical', ['DB-1', 'api-1']],
      ['exposure=internet&criticality=high', ['api-2']],
      ['owner=web', ['api-1', 'api-2']],
      ['kind=container-image', ['ci_runner']],
      ['tag=pci', ['api-1', 'api-2']],
      ['group=wave-1', ['DB-1', 'api-1']],
      ['group=wave-1&tag=pci', ['api-1']],
      ['q=db', ['DB-1']],
      ['q=%25', ['batch%1']],
      ['q=_', ['ci_runner']],
      ['q=zzz', []],
    ];
    for (const [query, want] of cases) {
      const page = await list(query);
      expect({ names: page.assets.map((a) => a.name), total: page.total }, query).toEqual({
        names: want,
        total: want.length,
      });
    }

    // The total counts every match, not the page: the same on each page a cursor walks.
    const pages: { names: string[]; total: number; more: boolean }[] = [];
    let next: string | null = null;
    do {
      const page = await list(
        `environment=production&limit=2${next === null ? '' : `&cursor=${next}`}`,
      );
      pages.push({
        names: page.assets.map((a) => a.name),
        total: page.total,
        more: page.nextCursor !== null,
      });
      next = page.nextCursor;
    } while (next !== null);
    expect(pages).toEqual([
      { names: ['DB-1', 'api-1'], total: 3, more: true },
      { names: ['api-2'], total: 3, more: false },
    ]);
    // The label and name filters are counted as they are listed.
    expect(
      await Promise.all(
        ['tag=pci&limit=1', 'group=wave-1&q=api&limit=1'].map(async (query) => {
          const page = await list(query);
          return { query, shown: page.assets.length, total: page.total };
        }),
      ),
    ).toEqual([
      { query: 'tag=pci&limit=1', shown: 1, total: 2 },
      { query: 'group=wave-1&q=api&limit=1', shown: 1, total: 1 },
    ]);

    for (const sort of ['name', 'createdAt', 'updatedAt']) {
      for (const order of ['asc', 'desc']) {
        const all = await names(`sort=${sort}&order=${order}`);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await list(
            `sort=${sort}&order=${order}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
          );
          expect(page.total).toBe(5);
          paged.push(...page.assets.map((a) => a.name));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(paged, `${sort} ${order}`).toEqual(all);
        expect(new Set(paged).size).toBe(5);
      }
    }
  });

  it.skipIf(skip !== undefined)('answers 422 naming the field for bad input', async () => {
    const { app, writer } = await setup();
    const asset = await createAsset(app, writer, { name: 'x' });
    const cases = [
      { method: 'POST', url: '/api/v1/assets', payload: {}, field: 'body.name' },
      {
        method: 'POST',
        url: '/api/v1/assets',
        payload: { name: 'a', colour: 'red' },
        field: 'body',
      },
      {
        method: 'POST',
        url: '/api/v1/assets',
        payload: { name: 'a', criticality: 'extreme' },
        field: 'body.criticality',
      },
      { method: 'POST', url: '/api/v1/assets', payload: { name: ' a' }, field: 'body.name' },
      {
        method: 'POST',
        url: '/api/v1/assets',
        payload: { name: 'a', tags: ['ok', ''] },
        field: 'body.tags[1]',
      },
      {
        method: 'POST',
        url: '/api/v1/assets',
        payload: { name: 'a', osRelease: 'bookworm' },
        field: 'body.osRelease',
      },
      {
        method: 'PATCH',
        url: `/api/v1/assets/${asset.id}`,
        payload: { exposure: 'dmz' },
        field: 'body.exposure',
      },
      { method: 'GET', url: '/api/v1/assets?limit=0', field: 'querystring.limit' },
      { method: 'GET', url: '/api/v1/assets?sort=colour', field: 'querystring.sort' },
      { method: 'GET', url: '/api/v1/assets?cursor=garbage', field: 'querystring.cursor' },
      {
        method: 'GET',
        url: `/api/v1/assets/${asset.id}/snapshots/diff?from=1`,
        field: 'querystring.from',
      },
      { method: 'POST', url: '/api/v1/assets/import', payload: [], field: 'body' },
      {
        method: 'POST',
        url: '/api/v1/assets/import',
        payload: [{ name: 'a', extra: 1 }],
        field: 'body[0]',
      },
      {
        method: 'POST',
        url: `/api/v1/assets/${asset.id}/snapshots`,
        payload: { packages: [{ name: 'a' }] },
        field: 'body.packages[0].ecosystem',
      },
    ] as const;
    for (const c of cases) {
      const response = await app.inject({
        method: c.method,
        url: c.url,
        headers: writer.headers,
        ...('payload' in c && { payload: c.payload }),
      });
      expect(response.statusCode, `${c.method} ${c.url}: ${response.body}`).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
      expect(fields, `${c.method} ${c.url}`).toContain(c.field);
    }
    const otherSort = (
      await app.inject({ url: '/api/v1/assets?limit=1', headers: writer.headers })
    ).json<{ nextCursor: string | null }>();
    expect(otherSort.nextCursor).toBeNull();
  });

  it.skipIf(skip !== undefined)(
    'needs assets:read to read and assets:write to change (viewer 403, anonymous 401)',
    async () => {
      const { app, writer, viewer } = await setup();
      const asset = await createAsset(app, writer, { name: 'x' });
      const upload = await uploadRaw(app, writer, asset.id, dpkgQuery);
      const snapshotId = upload.json<SnapshotSummary>().id;
      const reads = [
        '/api/v1/assets',
        `/api/v1/assets/${asset.id}`,
        `/api/v1/assets/${asset.id}/snapshots`,
        `/api/v1/assets/${asset.id}/snapshots/diff`,
        `/api/v1/assets/${asset.id}/snapshots/${snapshotId}`,
        `/api/v1/assets/${asset.id}/snapshots/${snapshotId}/packages`,
        `/api/v1/assets/${asset.id}/snapshots/${snapshotId}/raw`,
      ];
      const writes = [
        { method: 'POST', url: '/api/v1/assets', payload: { name: 'y' } },
        { method: 'POST', url: '/api/v1/assets/import', payload: [{ name: 'y' }] },
        { method: 'PATCH', url: `/api/v1/assets/${asset.id}`, payload: { owner: 'me' } },
        { method: 'DELETE', url: `/api/v1/assets/${asset.id}` },
        { method: 'POST', url: `/api/v1/assets/${asset.id}/snapshots`, payload: { packages: [] } },
        { method: 'POST', url: `/api/v1/assets/${asset.id}/inventory`, payload: dpkgQuery },
      ] as const;
      for (const url of reads) {
        expect((await app.inject({ url, headers: viewer.headers })).statusCode, url).toBe(200);
        expect((await app.inject({ url })).statusCode, url).toBe(401);
      }
      for (const w of writes) {
        const response = await app.inject({
          method: w.method,
          url: w.url,
          headers: {
            ...viewer.headers,
            'content-type':
              w.method === 'DELETE'
                ? undefined
                : w.url.endsWith('/inventory')
                  ? 'text/plain'
                  : 'application/json',
          },
          ...('payload' in w && { payload: w.payload }),
        });
        expect(response.statusCode, `${w.method} ${w.url}`).toBe(403);
        expect(response.json()).toMatchObject({
          code: 'forbidden',
          detail: 'This needs the assets:write permission',
        });
      }
    },
  );

  it.skipIf(skip !== undefined)(
    'takes a name wherever a path names an asset; an unknown name is a 404 that says so',
    async () => {
      const { app, writer, viewer } = await setup();
      const asset = await createAsset(app, writer, { name: 'web-01', osRelease: 'Debian:12' });
      const byName = await uploadRaw(app, writer, 'web-01', dpkgQuery);
      expect(byName.statusCode, byName.body).toBe(201);
      const snapshotId = byName.json<SnapshotSummary>().id;
      for (const url of [
        '/api/v1/assets/web-01',
        '/api/v1/assets/web-01/snapshots',
        `/api/v1/assets/web-01/snapshots/${snapshotId}`,
      ]) {
        const response = await app.inject({ url, headers: viewer.headers });
        expect(response.statusCode, url).toBe(200);
        expect(response.body, url).toBe(
          (await app.inject({ url: url.replace('web-01', asset.id), headers: viewer.headers }))
            .body,
        );
      }
      const patched = await app.inject({
        method: 'PATCH',
        url: '/api/v1/assets/web-01',
        headers: writer.headers,
        payload: { owner: 'team-web' },
      });
      expect(patched.json<Asset>()).toMatchObject({ id: asset.id, owner: 'team-web' });
      const unknown = await app.inject({ url: '/api/v1/assets/web-02', headers: viewer.headers });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({
        code: 'not_found',
        detail: 'The asset "web-02" (name or id) was not found',
      });
      // Access control first: a caller without the permission learns nothing about names.
      expect((await app.inject({ url: '/api/v1/assets/web-02' })).statusCode).toBe(401);
      const refused = await app.inject({
        method: 'PATCH',
        url: '/api/v1/assets/web-02',
        headers: viewer.headers,
        payload: {},
      });
      expect(refused.statusCode).toBe(403);
    },
  );

  it.skipIf(skip !== undefined)(
    'changing the osRelease re-matches: the current inventory follows it and a reconcile is queued',
    async () => {
      const { app, db, writer } = await setup();
      const asset = await createAsset(app, writer, { name: 'old-host', osRelease: 'Debian:11' });
      const uploaded = await app.inject({
        method: 'POST',
        url: `/api/v1/assets/${asset.id}/snapshots`,
        headers: writer.headers,
        payload: {
          packages: [
            { ecosystem: 'Debian', name: 'curl', version: '7.88.1-10+deb12u14' },
            { ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.1.0' },
          ],
        },
      });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      const ecosystems = async () =>
        (await currentInventory(db, asset.id))?.inventory.packages.map((p) => p.ecosystem);
      expect(await ecosystems()).toEqual(['Debian:11', 'Go']);
      await db.db.deleteFrom('jobs').execute();

      const patched = await app.inject({
        method: 'PATCH',
        url: `/api/v1/assets/${asset.id}`,
        headers: writer.headers,
        payload: { osRelease: 'Debian:12' },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(await ecosystems()).toEqual(['Debian:12', 'Go']);
      expect((await currentInventory(db, asset.id))?.inventory.os).toMatchObject({
        ecosystem: 'Debian:12',
        evidence: 'asset osRelease Debian:12',
      });
      // The change is published as an event the findings context re-matches on (main.ts wires it).
      expect(await jobs(db)).toEqual([
        {
          kind: 'event:asset.context-changed',
          payload: { assetId: asset.id, fields: ['osRelease'] },
        },
      ]);
      // A release the inventory detected itself is not overridden by the declaration.
      await uploadRaw(app, writer, asset.id, dpkgQuery);
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/assets/${asset.id}`,
        headers: writer.headers,
        payload: { osRelease: 'Debian:11' },
      });
      expect(new Set(await ecosystems())).toEqual(new Set(['Debian:12']));
    },
  );

  it.skipIf(skip !== undefined)('answers 404 for an unknown asset or snapshot', async () => {
    const { app, writer } = await setup();
    const asset = await createAsset(app, writer, { name: 'x' });
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [
      ['GET', `/api/v1/assets/${missing}`],
      ['PATCH', `/api/v1/assets/${missing}`],
      ['DELETE', `/api/v1/assets/${missing}`],
      ['GET', `/api/v1/assets/${missing}/snapshots`],
      ['GET', `/api/v1/assets/${asset.id}/snapshots/diff`],
      ['GET', `/api/v1/assets/${asset.id}/snapshots/${missing}`],
      ['GET', `/api/v1/assets/${asset.id}/snapshots/${missing}/packages`],
      ['GET', `/api/v1/assets/${asset.id}/snapshots/${missing}/raw`],
      ['POST', `/api/v1/assets/${missing}/inventory`],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        headers: writer.headers,
        ...(method === 'PATCH' && { payload: {} }),
        ...(method === 'POST' && {
          payload: dpkgQuery,
          headers: { ...writer.headers, 'content-type': 'text/plain' },
        }),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json(), `${method} ${url}`).toMatchObject({ code: 'not_found' });
    }
  });
});
