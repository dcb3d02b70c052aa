import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp, testClock } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import type { Asset } from './index.ts';
import { assetContextOf, currentInventory, getAsset, listAssetIds } from './index.ts';

/** Typed asymmetric matchers (vitest's return any). */
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;

const baseAsset: Asset = {
  id: 'a',
  name: 'web-01',
  kind: 'host',
  osRelease: null,
  environment: null,
  criticality: 'medium',
  exposure: 'unknown',
  owner: null,
  tags: [],
  groups: [],
  maintenanceWindow: null,
  createdAt: '2026-11-22T09:00:00.000Z',
  updatedAt: '2026-11-22T09:00:00.000Z',
  currentSnapshot: null,
};

describe('assetContextOf', () => {
  it.each([
    {
      asset: baseAsset,
      want: { name: 'web-01', criticality: 'medium', exposure: 'unknown', tags: [] },
    },
    {
      asset: {
        ...baseAsset,
        environment: 'production' as const,
        criticality: 'critical' as const,
        exposure: 'internet' as const,
        owner: 'platform',
        tags: ['pci'],
      },
      want: {
        name: 'web-01',
        environment: 'production',
        criticality: 'critical',
        exposure: 'internet',
        owner: 'platform',
        tags: ['pci'],
      },
    },
  ])('maps $asset.name to the policy asset context', ({ asset, want }) => {
    expect(assetContextOf(asset)).toEqual(want);
  });
});

describe.each(testDatabases())('inventory public functions on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  it.skipIf(skip !== undefined)(
    'give other contexts the asset, the ids and the current inventory',
    async () => {
      testClock.set('2026-11-22T09:00:00.000Z');
      database = await open();
      built = await testApp(database);
      const { app } = built;
      const caller = await testCaller(database, ['operator']);
      const create = async (name: string) =>
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/assets',
            headers: caller.headers,
            payload: { name, environment: 'production' },
          })
        ).json<Asset>();
      const withInventory = await create('bookworm');
      const without = await create('empty');
      const text = readFileSync(
        new URL('../../../../../examples/debian-bookworm/dpkg-query.tsv', import.meta.url),
        'utf8',
      );
      const upload = await app.inject({
        method: 'POST',
        url: `/api/v1/assets/${withInventory.id}/inventory?takenAt=2026-11-21T00:00:00Z`,
        headers: { ...caller.headers, 'content-type': 'text/plain' },
        payload: text,
      });
      const snapshotId = upload.json<{ id: string }>().id;

      expect(await listAssetIds(database)).toEqual([withInventory.id, without.id].sort());
      expect(await getAsset(database, without.id)).toEqual(without);
      expect(await getAsset(database, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
      expect(await currentInventory(database, without.id)).toBeUndefined();

      const current = await currentInventory(database, withInventory.id);
      expect(current).toMatchObject({
        snapshotId,
        takenAt: '2026-11-21T00:00:00.000Z',
        inventory: {
          format: 'dpkg-query',
          source: 'upload',
          os: { id: 'debian', versionId: '12', ecosystem: 'Debian:12' },
          warnings: [],
        },
      });
      expect(current?.inventory.packages).toHaveLength(723);
      expect(current?.inventory.packages.find((p) => p.name === 'libssl3')).toEqual({
        ecosystem: 'Debian:12',
        name: 'libssl3',
        version: matching(/^3\.0\./),
        sourceName: 'openssl',
        purl: matching(/^pkg:deb\/debian\/libssl3@/),
        arch: 'amd64',
        location: matching(/^line \d+$/),
      });
    },
  );
});
