import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '@patchgate/inventory';
import { osReleaseFromFlag } from '@patchgate/inventory';
import { defaultPolicy } from '@patchgate/policy';
import { runScanPipeline } from '@patchgate/scan-pipeline';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { bod2604Policy } from '@patchgate/policy';
import { reconcileAll, reconcileAsset } from './reconcile.ts';
import { unknownSeverityHandling } from './service.ts';
import type { MemoryInputs } from './test-support.ts';
import {
  exampleAdvisories,
  exampleInventory,
  examplePaths,
  manualClock,
  memoryInputs,
  plainAsset,
} from './test-support.ts';

/**
 * What `patchgate scan` reports for the same examples: the CLI's scan and the server's
 * reconcile both call the scan pipeline, so the expectation is computed by that call (as the
 * CLI makes it: both inventories, the default policy, one detection date), not frozen in a
 * golden file that had to be regenerated whenever the matcher changed.
 */
async function cliScan() {
  const { index, facts } = await exampleAdvisories();
  const result = await runScanPipeline({
    targets: [{ inventory: exampleInventory('host') }, { inventory: exampleInventory('sbom') }],
    index,
    facts,
    policy: defaultPolicy,
    assetFor: () => ({ exposure: 'unknown', tags: [] }),
    today: '2026-11-22',
  });
  return {
    findings: result.findings
      .map((f) => ({
        inventory: f.inventory,
        ecosystem: f.package.ecosystem,
        package: f.package.name,
        version: f.package.version,
        advisory: f.advisory.id,
        priority: f.prioritisation.priority,
        dueDate: f.prioritisation.dueDate,
      }))
      .sort(byInventoryPackageAdvisory),
    inventories: result.inventories.map((i) => ({
      source: i.inventory.source,
      findings: i.findings,
    })),
  };
}

function byInventoryPackageAdvisory(
  a: { inventory: string; package: string; advisory: string },
  b: { inventory: string; package: string; advisory: string },
): number {
  return `${a.inventory}\0${a.package}\0${a.advisory}` <
    `${b.inventory}\0${b.package}\0${b.advisory}`
    ? -1
    : 1;
}

const hostId = '00000000-0000-4000-8000-000000000001';
const sbomId = '00000000-0000-4000-8000-000000000002';
const assetOf = { [hostId]: examplePaths.host, [sbomId]: examplePaths.sbom } as const;

function without(inventory: Inventory, name: string): Inventory {
  return { ...inventory, packages: inventory.packages.filter((p) => p.name !== name) };
}

describe.each(testDatabases())('reconcile on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let inputs: MemoryInputs;
  const host = exampleInventory('host');
  const sbom = exampleInventory('sbom');

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
    inputs.setAsset(plainAsset(hostId, 'debian-host', ['linux']));
    inputs.setAsset(plainAsset(sbomId, 'proton-bridge'));
    inputs.setInventory(hostId, {
      snapshotId: 's1',
      takenAt: '2026-11-22T08:00:00.000Z',
      inventory: host,
    });
    inputs.setInventory(sbomId, {
      snapshotId: 's2',
      takenAt: '2026-11-22T08:00:00.000Z',
      inventory: sbom,
    });
    const first = await reconcileAll(database, clock, inputs);
    return { database, clock, first };
  }

  async function rows(db: Database) {
    return db.db.selectFrom('findings').selectAll().orderBy('id').execute();
  }
  async function auditActions(db: Database) {
    const events = await db.db
      .selectFrom('audit_events')
      .select(['action', 'subject_id', 'after_json'])
      .orderBy('seq')
      .execute();
    return events.map((e) => ({
      action: e.action,
      subject: e.subject_id,
      after: JSON.parse(e.after_json ?? 'null') as unknown,
    }));
  }

  it.skipIf(skip !== undefined)(
    'finds what `patchgate scan` finds on the real examples, with the same priorities',
    async () => {
      const { database: db, first } = await seeded();
      expect(first).toEqual({
        assets: 2,
        skipped: 0,
        counts: { opened: 149, reopened: 0, fixed: 0, updated: 0, unchanged: 0 },
      });
      const stored = await rows(db);
      const actual = stored
        .map((r) => ({
          inventory: assetOf[r.asset_id as keyof typeof assetOf],
          ecosystem: r.ecosystem,
          package: r.package_name,
          version: r.package_version,
          advisory: r.advisory_id,
          priority: r.priority,
          dueDate: r.due_date,
        }))
        .sort(byInventoryPackageAdvisory);
      const cli = await cliScan();
      expect(actual).toEqual(cli.findings);
      expect(cli.inventories.map((i) => i.findings)).toEqual([91, 58]);
      expect(await auditActions(db)).toEqual([
        {
          action: 'findings.reconciled',
          subject: hostId,
          after: {
            snapshotId: 's1',
            policy: 'default',
            opened: 91,
            reopened: 0,
            fixed: 0,
            updated: 0,
            unchanged: 0,
          },
        },
        {
          action: 'findings.reconciled',
          subject: sbomId,
          after: {
            snapshotId: 's2',
            policy: 'default',
            opened: 58,
            reopened: 0,
            fixed: 0,
            updated: 0,
            unchanged: 0,
          },
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'never puts lastSeenAt before firstSeenAt, and only a newer snapshot moves it',
    async () => {
      // The upload was taken at 08:00, the reconcile ran at 09:00: seen first and last at 09:00.
      const { database: db, clock } = await seeded();
      const seen = async () =>
        new Set((await rows(db)).map((r) => `${r.first_seen_at} ${r.last_seen_at}`));
      expect(await seen()).toEqual(new Set(['2026-11-22T09:00:00.000Z 2026-11-22T09:00:00.000Z']));
      clock.set('2026-11-23T10:00:00.000Z');
      inputs.setInventory(hostId, {
        snapshotId: 's5',
        takenAt: '2026-11-23T08:00:00.000Z',
        inventory: host,
      });
      await reconcileAsset(db, clock, inputs, hostId);
      const hostRows = async () =>
        new Set(
          (await rows(db))
            .filter((r) => r.asset_id === hostId)
            .map((r) => `${r.first_seen_at} ${r.last_seen_at}`),
        );
      expect(await hostRows()).toEqual(
        new Set(['2026-11-22T09:00:00.000Z 2026-11-23T08:00:00.000Z']),
      );
      // An older inventory uploaded later becomes current but does not move it back.
      inputs.setInventory(hostId, {
        snapshotId: 's6',
        takenAt: '2026-11-20T08:00:00.000Z',
        inventory: host,
      });
      await reconcileAsset(db, clock, inputs, hostId);
      expect(await hostRows()).toEqual(
        new Set(['2026-11-22T09:00:00.000Z 2026-11-23T08:00:00.000Z']),
      );
      inputs.setInventory(hostId, {
        snapshotId: 's1',
        takenAt: '2026-11-22T08:00:00.000Z',
        inventory: host,
      });
    },
  );

  it.skipIf(skip !== undefined)(
    "says how each policy handled an unknown severity, in the policy's words",
    async () => {
      const { database: db } = await seeded();
      const handled = async () =>
        new Set(
          (await rows(db))
            .filter((r) => r.severity === 'unknown')
            .map((r) => unknownSeverityHandling(r.decision_json)),
        );
      expect(await handled()).toEqual(
        new Set([
          'Patchgate default, rule unknown-severity: unrated: the high timeline, 30 days from detection, until a severity is known',
        ]),
      );
      await reconcileAll(db, manualClock('2026-11-22T10:00:00.000Z'), inputs, {
        policy: bod2604Policy,
      });
      // BOD 26-04 decides by KEV, exposure and SSVC: severity is not one of its inputs.
      expect(await handled()).toEqual(
        new Set([
          'severity is not an input of CISA BOD 26-04 (rule missing-ssvc-not-kev decided)',
          // SSVC known (CISA's vulnrichment), severity not: the table decides.
          'severity is not an input of CISA BOD 26-04 (rule row-2 decided)',
        ]),
      );
    },
  );

  it.skipIf(skip !== undefined)('is idempotent: a second run writes nothing', async () => {
    const { database: db, clock } = await seeded();
    const before = await rows(db);
    const events = (await auditActions(db)).length;
    clock.set('2026-11-23T10:00:00.000Z');
    const second = await reconcileAll(db, clock, inputs);
    expect(second.counts).toEqual({ opened: 0, reopened: 0, fixed: 0, updated: 0, unchanged: 149 });
    expect(await rows(db)).toEqual(before);
    expect((await auditActions(db)).length).toBe(events);
  });

  it.skipIf(skip !== undefined)(
    'marks gone findings fixed, and reopens them when they come back',
    async () => {
      const { database: db, clock } = await seeded();
      const curlIds = (await rows(db)).filter(
        (r) => r.source_name === 'curl' || r.package_name === 'curl',
      );
      expect(curlIds.length).toBeGreaterThan(0);
      // The host drops curl and libcurl (the curl source package): those findings are fixed.
      clock.set('2026-11-25T09:00:00.000Z');
      const patched = without(without(host, 'curl'), 'libcurl4');
      inputs.setInventory(hostId, {
        snapshotId: 's3',
        takenAt: '2026-11-25T08:00:00.000Z',
        inventory: patched,
      });
      const fixedRun = await reconcileAsset(db, clock, inputs, hostId);
      const gone = (await rows(db)).filter(
        (r) => r.package_name === 'curl' || r.package_name === 'libcurl4',
      );
      expect(fixedRun).toMatchObject({
        status: 'reconciled',
        counts: { fixed: gone.length, opened: 0, reopened: 0 },
      });
      expect(new Set(gone.map((r) => [r.state, r.fixed_at, r.last_seen_at].join(' ')))).toEqual(
        new Set(['fixed 2026-11-25T09:00:00.000Z 2026-11-22T09:00:00.000Z']),
      );
      // Back again: the same rows, reopened, their due dates counted from the reopening.
      clock.set('2026-11-27T09:00:00.000Z');
      inputs.setInventory(hostId, {
        snapshotId: 's4',
        takenAt: '2026-11-27T08:00:00.000Z',
        inventory: host,
      });
      const reopenRun = await reconcileAsset(db, clock, inputs, hostId);
      expect(reopenRun).toMatchObject({ counts: { reopened: gone.length, fixed: 0, opened: 0 } });
      const back = (await rows(db)).filter((r) => gone.some((g) => g.id === r.id));
      expect(
        back.map((r) => ({
          state: r.state,
          reopened_at: r.reopened_at,
          fixed_at: r.fixed_at,
          due: r.due_date,
        })),
      ).toEqual(
        gone.map(() => ({
          state: 'reopened',
          reopened_at: '2026-11-27T09:00:00.000Z',
          fixed_at: null,
          due: '2026-12-27',
        })),
      );
      expect((await auditActions(db)).slice(-2).map((e) => e.after)).toEqual([
        {
          snapshotId: 's3',
          policy: 'default',
          opened: 0,
          reopened: 0,
          fixed: gone.length,
          updated: 0,
          unchanged: 91 - gone.length,
        },
        {
          snapshotId: 's4',
          policy: 'default',
          opened: 0,
          reopened: gone.length,
          fixed: 0,
          updated: 0,
          unchanged: 91 - gone.length,
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'keeps one finding when the version changes but still matches',
    async () => {
      const { database: db, clock } = await seeded();
      const before = (await rows(db)).find(
        (r) => r.package_name === 'curl' && r.asset_id === hostId,
      );
      const bumped: Inventory = {
        ...host,
        packages: host.packages.map((p) =>
          p.name === 'curl'
            ? { ...p, version: '7.88.1-10+deb12u14a', sourceVersion: '7.88.1-10+deb12u14a' }
            : p,
        ),
      };
      inputs.setInventory(hostId, {
        snapshotId: 's5',
        takenAt: '2026-11-23T08:00:00.000Z',
        inventory: bumped,
      });
      clock.set('2026-11-23T09:00:00.000Z');
      const run = await reconcileAsset(db, clock, inputs, hostId);
      expect(run).toMatchObject({ counts: { opened: 0, fixed: 0, reopened: 0 } });
      const after = await db.db
        .selectFrom('findings')
        .selectAll()
        .where('id', '=', before!.id)
        .executeTakeFirstOrThrow();
      expect({
        id: after.id,
        version: after.package_version,
        state: after.state,
        first: after.first_seen_at,
        due: after.due_date,
      }).toEqual({
        id: before!.id,
        version: '7.88.1-10+deb12u14a',
        state: 'open',
        first: before!.first_seen_at,
        due: before!.due_date,
      });
    },
  );

  it.skipIf(skip !== undefined)('skips assets without an inventory or unknown assets', async () => {
    database = await open();
    const clock = manualClock('2026-11-22T09:00:00.000Z');
    inputs.setAsset(plainAsset('00000000-0000-4000-8000-0000000000ff', 'empty'));
    expect(
      await reconcileAsset(database, clock, inputs, '00000000-0000-4000-8000-0000000000ff'),
    ).toEqual({
      assetId: '00000000-0000-4000-8000-0000000000ff',
      status: 'skipped',
      reason: 'no-inventory',
    });
    expect(await reconcileAsset(database, clock, inputs, 'nope')).toEqual({
      assetId: 'nope',
      status: 'skipped',
      reason: 'asset-not-found',
    });
  });

  it.skipIf(skip !== undefined)(
    "says why an asset matched nothing, and matches again under the asset's declared release",
    async () => {
      database = await open();
      const clock = manualClock('2026-11-22T09:00:00.000Z');
      // The same host's list without the evidence of its release (no base-files, no suffix read).
      const bare: Inventory = {
        ...host,
        os: undefined,
        packages: host.packages.map((p) => ({ ...p, ecosystem: 'Debian' })),
      };
      const id = '00000000-0000-4000-8000-0000000000aa';
      inputs.setAsset(plainAsset(id, 'bare-host'));
      inputs.setInventory(id, {
        snapshotId: 's9',
        takenAt: '2026-11-22T08:00:00.000Z',
        inventory: bare,
      });
      const first = await reconcileAsset(database, clock, inputs, id);
      expect(first).toMatchObject({ status: 'reconciled', counts: { opened: 0 } });
      expect(first.status === 'reconciled' && first.coverage).toEqual([
        {
          reason: 'no-os-release',
          inventory: host.source,
          ecosystem: 'Debian',
          packages: 723,
          message:
            'no OS release detected: 723 packages of Debian were not matched, because Debian advisories are per release',
          fix: "set the asset's osRelease (e.g. Debian:12) or upload an inventory that states it",
        },
      ]);
      const osRelease = {
        ...osReleaseFromFlag('Debian:12')!,
        evidence: 'asset osRelease Debian:12',
      };
      inputs.setAsset({ ...plainAsset(id, 'bare-host'), osRelease });
      const second = await reconcileAsset(database, clock, inputs, id);
      expect(second).toMatchObject({ status: 'reconciled', counts: { opened: 91 }, coverage: [] });
    },
  );
});
