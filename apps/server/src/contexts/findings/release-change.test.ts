/**
 * Changing what release an asset's packages are matched under re-matches its findings: the
 * declared `osRelease` changed by a PATCH, or an upload whose release differs. Through the real
 * inventory context (HTTP) and the real database inputs; the example advisories in memory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { databaseFindingInputs } from './database-inputs.ts';
import type { FindingInputs } from './inputs.ts';
import { reconcileAsset } from './reconcile.ts';
import { exampleAdvisories, manualClock } from './test-support.ts';

describe.each(testDatabases())('release changes on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  it.skipIf(skip !== undefined)(
    're-matches when the declared osRelease or the uploaded release changes',
    async () => {
      database = await open();
      const db = database;
      const clock = manualClock('2026-11-22T09:00:00.000Z');
      built = await testApp(db, clock);
      const { app } = built;
      const writer = await testCaller(db, ['operator']);
      const { index, facts } = await exampleAdvisories();
      const inputs: FindingInputs = {
        ...databaseFindingInputs(db),
        advisoryIndex: () => Promise.resolve(index),
        facts: (cves) =>
          Promise.resolve(new Map(cves.flatMap((c) => (facts.has(c) ? [[c, facts.get(c)!]] : [])))),
      };
      const call = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
        const response = await app.inject({ method, url, headers: writer.headers, payload });
        expect(response.statusCode, response.body).toBeLessThan(300);
        return response.json<{ id: string }>();
      };
      const findings = async () =>
        (
          await db.db
            .selectFrom('findings')
            .select(['ecosystem', 'package_name', 'state'])
            .where('package_name', '=', 'curl')
            .execute()
        )
          .map((r) => `${r.ecosystem} ${r.state}`)
          .sort();
      const curl = { ecosystem: 'Debian', name: 'curl', version: '7.88.1-10+deb12u14' };

      // Declared Debian 11 by mistake: the Debian 12 advisories do not apply.
      const asset = await call('POST', '/api/v1/assets', {
        name: 'web-01',
        osRelease: 'Debian:11',
      });
      await call('POST', '/api/v1/assets/web-01/snapshots', { packages: [curl] });
      await reconcileAsset(db, clock, inputs, asset.id);
      expect(await findings()).toEqual([]);

      // Corrected to Debian 12: the same snapshot is matched again, without a new upload.
      clock.set('2026-11-22T10:00:00.000Z');
      await call('PATCH', '/api/v1/assets/web-01', { osRelease: 'Debian:12' });
      await reconcileAsset(db, clock, inputs, asset.id);
      const open12 = await findings();
      expect(open12.length).toBeGreaterThan(5);
      expect(new Set(open12)).toEqual(new Set(['Debian:12 open']));

      // An upload that says Debian 11 itself: the Debian 12 findings are fixed.
      clock.set('2026-11-23T09:00:00.000Z');
      await call('POST', '/api/v1/assets/web-01/snapshots', { os: 'Debian:11', packages: [curl] });
      await reconcileAsset(db, clock, inputs, asset.id);
      expect(await findings()).toEqual(open12.map(() => 'Debian:12 fixed'));
    },
  );
});
