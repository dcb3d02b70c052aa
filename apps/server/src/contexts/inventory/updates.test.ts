/**
 * Available updates through the real API on both databases: apt output in, the latest report
 * per asset out, security updates first; bad input is a 422 and keeps what was stored.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp, testClock } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import type { AvailableUpdateList, AvailableUpdateReport } from './updates.ts';

const samples = new URL(
  '../../../../../packages/inventory/src/updates/apt/testdata/',
  import.meta.url,
);
const sample = (name: string) => readFileSync(new URL(name, samples), 'utf8');
const now = '2026-11-22T09:00:00.000Z';

describe.each(testDatabases())('available updates API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup(): Promise<{
    app: FastifyInstance;
    writer: TestCaller;
    viewer: TestCaller;
    assetId: string;
  }> {
    testClock.set(now);
    database = await open();
    built = await testApp(database);
    const writer = await testCaller(database, ['operator'], 'olivia');
    const viewer = await testCaller(database, ['viewer'], 'victor');
    const created = await built.app.inject({
      method: 'POST',
      url: '/api/v1/assets',
      headers: writer.headers,
      payload: { name: 'web-01', kind: 'host' },
    });
    expect(created.statusCode, created.body).toBe(201);
    return { app: built.app, writer, viewer, assetId: created.json<{ id: string }>().id };
  }

  const post = (app: FastifyInstance, caller: TestCaller, assetId: string, body: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/assets/${assetId}/available-updates?name=apt.txt`,
      headers: { ...caller.headers, 'content-type': 'text/plain' },
      payload: body,
    });

  it.skipIf(skip !== undefined)('stores apt-get -s upgrade output and lists it', async () => {
    const { app, writer, viewer, assetId } = await setup();
    const stored = await post(app, writer, assetId, sample('apt-get-s-upgrade.txt'));
    expect(stored.statusCode, stored.body).toBe(201);
    expect(stored.json<AvailableUpdateReport>()).toEqual({
      format: 'apt-get-simulate',
      sourceName: 'apt.txt',
      takenAt: now,
      uploadedAt: now,
      updates: 7,
      securityUpdates: 5,
      keptBack: ['postgresql-15'],
      warnings: [],
    });
    const listed = await app.inject({
      method: 'GET',
      url: `/api/v1/assets/${assetId}/available-updates`,
      headers: viewer.headers,
    });
    expect(listed.statusCode, listed.body).toBe(200);
    const list = listed.json<AvailableUpdateList>();
    expect(list.updates.map((u) => `${u.security ? 'S' : '-'} ${u.name}`)).toEqual([
      'S curl',
      'S libc6',
      'S libssl3',
      'S openssl',
      'S vim-common',
      '- base-files',
      '- tzdata',
    ]);
    expect(list.updates[0]).toEqual({
      name: 'curl',
      arch: 'amd64',
      installedVersion: '7.88.1-10+deb12u7',
      candidateVersion: '7.88.1-10+deb12u8',
      origins: [{ archive: 'stable-security', label: 'Debian-Security', version: '12' }],
      security: true,
    });
    const securityOnly = await app.inject({
      method: 'GET',
      url: `/api/v1/assets/${assetId}/available-updates?security=true`,
      headers: viewer.headers,
    });
    expect(securityOnly.json<AvailableUpdateList>().updates).toHaveLength(5);
  });

  it.skipIf(skip !== undefined)('replaces the report whole, and audits it', async () => {
    const { app, writer, assetId } = await setup();
    expect((await post(app, writer, assetId, sample('apt-get-s-upgrade.txt'))).statusCode).toBe(
      201,
    );
    const second = await post(app, writer, assetId, sample('apt-list-upgradable.txt'));
    expect(second.statusCode, second.body).toBe(201);
    const list = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/assets/${assetId}/available-updates`,
        headers: writer.headers,
      })
    ).json<AvailableUpdateList>();
    expect(list.report).toMatchObject({ format: 'apt-list-upgradable', updates: 8, keptBack: [] });
    expect(list.updates).toHaveLength(8);
    const audit = await database!.db
      .selectFrom('audit_events')
      .select(['action', 'before_json', 'after_json'])
      .where('action', '=', 'inventory.available_updates_reported')
      .orderBy('seq')
      .execute();
    expect(
      audit.map((e): unknown[] => [
        JSON.parse(e.before_json ?? 'null') as unknown,
        JSON.parse(e.after_json ?? 'null') as unknown,
      ]),
    ).toEqual([
      [null, { format: 'apt-get-simulate', updates: 7, securityUpdates: 5, takenAt: now }],
      [
        { updates: 7, securityUpdates: 5, takenAt: now },
        { format: 'apt-list-upgradable', updates: 8, securityUpdates: 5, takenAt: now },
      ],
    ]);
  });

  it.skipIf(skip !== undefined)(
    'answers 422 to output that is not apt, and keeps the stored report',
    async () => {
      const { app, writer, assetId } = await setup();
      expect((await post(app, writer, assetId, sample('apt-get-s-upgrade.txt'))).statusCode).toBe(
        201,
      );
      const bad = await post(app, writer, assetId, 'Package: curl\nVersion: 1\n');
      expect(bad.statusCode).toBe(422);
      expect(bad.json<{ detail: string }>().detail).toMatch(/not apt output of available updates/);
      const list = (
        await app.inject({
          method: 'GET',
          url: `/api/v1/assets/${assetId}/available-updates`,
          headers: writer.headers,
        })
      ).json<AvailableUpdateList>();
      expect(list.updates).toHaveLength(7);
    },
  );

  it.skipIf(skip !== undefined)('needs assets:write to report, and a known asset', async () => {
    const { app, viewer, writer } = await setup();
    const { assetId } = { assetId: '00000000-0000-4000-8000-000000000000' };
    expect((await post(app, writer, assetId, sample('apt-list-upgradable.txt'))).statusCode).toBe(
      404,
    );
    const created = await app.inject({
      method: 'GET',
      url: `/api/v1/assets/${assetId}/available-updates`,
      headers: viewer.headers,
    });
    expect(created.statusCode).toBe(404);
    const listed = await app.inject({
      method: 'GET',
      url: '/api/v1/assets',
      headers: viewer.headers,
    });
    const id = listed.json<{ assets: { id: string }[] }>().assets[0]?.id ?? '';
    expect((await post(app, viewer, id, sample('apt-list-upgradable.txt'))).statusCode).toBe(403);
  });

  it.skipIf(skip !== undefined)('shows an asset without a report as such', async () => {
    const { app, viewer, assetId } = await setup();
    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/assets/${assetId}/available-updates`,
      headers: viewer.headers,
    });
    expect(list.json()).toEqual({ report: null, updates: [] });
  });
});
