/**
 * Fixed by a change, on both databases: a verified install's claim names the change on the
 * findings the reconcile closes, whichever comes first (claim or reconcile); other packages'
 * closures and closures before the install are not the change's; a reopening clears it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { recordFixClaim } from './fix-evidence.ts';
import { reconcileAsset } from './reconcile.ts';
import type { MemoryInputs } from './test-support.ts';
import {
  exampleAdvisories,
  exampleInventory,
  manualClock,
  memoryInputs,
  plainAsset,
} from './test-support.ts';

const hostId = '00000000-0000-4000-8000-0000000000f1';

describe.each(testDatabases())('fixed-by-change evidence on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let inputs: MemoryInputs;
  const host = exampleInventory('host');
  beforeAll(async () => {
    const { index, facts } = await exampleAdvisories();
    inputs = memoryInputs(index, facts);
  });
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function seeded() {
    database = await open();
    const clock = manualClock('2026-11-22T09:00:00.000Z');
    inputs.setAsset(plainAsset(hostId, 'debian-host'));
    inputs.setInventory(hostId, {
      snapshotId: 's1',
      takenAt: '2026-11-22T08:00:00.000Z',
      inventory: host,
    });
    await reconcileAsset(database, clock, inputs, hostId);
    const rows = await database.db
      .selectFrom('findings')
      .select(['package_name', 'source_name'])
      .where('asset_id', '=', hostId)
      .orderBy('package_name')
      .execute();
    const sourceOf = (r: { package_name: string; source_name: string | null }) =>
      r.source_name ?? r.package_name;
    const first = rows[0];
    // Another package built from another source (binaries of one source share its claim).
    const second = rows.find((r) => first !== undefined && sourceOf(r) !== sourceOf(first));
    expect(second).toBeDefined();
    return {
      database,
      clock,
      patched: first?.package_name ?? '',
      other: second?.package_name ?? '',
    };
  }

  /** The host's inventory without these packages (as if upgraded past every fix). */
  function withoutPackages(snapshotId: string, names: readonly string[]) {
    inputs.setInventory(hostId, {
      snapshotId,
      takenAt: '2026-11-22T10:00:00.000Z',
      inventory: { ...host, packages: host.packages.filter((p) => !names.includes(p.name)) },
    });
  }

  const byPackage = (db: Database) =>
    db.db
      .selectFrom('findings')
      .select(['package_name', 'state', 'fixed_by_change_id'])
      .where('asset_id', '=', hostId)
      .execute()
      .then((rows) => {
        const out: Record<string, string[]> = {};
        for (const r of rows)
          (out[r.package_name] ??= []).push(`${r.state}:${r.fixed_by_change_id}`);
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...new Set(v)]]));
      });

  it.skipIf(skip !== undefined)(
    'a claim waiting for the reconcile: the closed findings of the installed package name the change; others do not',
    async () => {
      const { database: db, clock, patched, other } = await seeded();
      clock.set('2026-11-22T09:30:00.000Z');
      const claimed = await db.db.transaction().execute((trx) =>
        recordFixClaim(trx, db.dialect, clock, {
          assetId: hostId,
          changeId: 'chg-1',
          packages: [patched],
          since: '2026-11-22T09:30:00.000Z',
        }),
      );
      expect(claimed).toEqual({ findingIds: [] });
      clock.set('2026-11-22T10:00:00.000Z');
      withoutPackages('s2', [patched, other]);
      await reconcileAsset(db, clock, inputs, hostId);
      const states = await byPackage(db);
      expect(states[patched]).toEqual(['fixed:chg-1']);
      expect(states[other]).toEqual(['fixed:null']);
      const audits = await db.db
        .selectFrom('audit_events')
        .select(['action', 'after_json'])
        .where('action', '=', 'finding.fixed-by-change')
        .execute();
      expect(audits.length).toBeGreaterThan(0);
      expect(JSON.parse(audits[0]?.after_json ?? '{}')).toMatchObject({
        fixedByChangeId: 'chg-1',
        package: patched,
      });
      // The same claim again writes nothing twice.
      const again = await db.db.transaction().execute((trx) =>
        recordFixClaim(trx, db.dialect, clock, {
          assetId: hostId,
          changeId: 'chg-1',
          packages: [patched],
          since: '2026-11-22T09:30:00.000Z',
        }),
      );
      expect(again).toEqual({ findingIds: [] });
      // Back again (a rollback): the finding reopens and is no longer the change's.
      inputs.setInventory(hostId, {
        snapshotId: 's3',
        takenAt: '2026-11-22T11:00:00.000Z',
        inventory: host,
      });
      clock.set('2026-11-22T11:00:00.000Z');
      await reconcileAsset(db, clock, inputs, hostId);
      expect((await byPackage(db))[patched]).toEqual(['reopened:null']);
    },
  );

  it.skipIf(skip !== undefined)(
    'a claim after the reconcile names the change on what it already closed, not on closures before the install',
    async () => {
      const { database: db, clock, patched, other } = await seeded();
      // `other` was closed before the install started: not the change's.
      clock.set('2026-11-22T09:10:00.000Z');
      withoutPackages('s2', [other]);
      await reconcileAsset(db, clock, inputs, hostId);
      clock.set('2026-11-22T10:00:00.000Z');
      withoutPackages('s3', [other, patched]);
      await reconcileAsset(db, clock, inputs, hostId);
      const claimed = await db.db.transaction().execute((trx) =>
        recordFixClaim(trx, db.dialect, clock, {
          assetId: hostId,
          changeId: 'chg-2',
          packages: [patched, other],
          since: '2026-11-22T09:30:00.000Z',
        }),
      );
      expect(claimed.findingIds.length).toBeGreaterThan(0);
      const states = await byPackage(db);
      expect(states[patched]).toEqual(['fixed:chg-2']);
      expect(states[other]).toEqual(['fixed:null']);
    },
  );
});
