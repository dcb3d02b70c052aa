/**
 * Test support for the builders' tests: a hand-made world of assets, inventory scans,
 * advisories, findings (with their decisions, triage and exceptions) written as their contexts
 * store them, whose every figure the tests check by hand (see the comments on each row).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../../db/database.ts';
import type { DatabaseSchema } from '../../../db/schema.ts';

type FindingTable = DatabaseSchema['findings'];

export const NOW = '2026-12-01T12:00:00.000Z';

export interface WorldAsset {
  readonly id: string;
  readonly name: string;
  readonly team: string | null;
  readonly environment: string | null;
  readonly exposure: string;
  readonly groups: readonly string[];
  readonly createdAt: string;
}

export const assets = {
  web1: {
    id: randomUUID(),
    name: 'web-1',
    team: 'web',
    environment: 'production',
    exposure: 'internet',
    groups: ['web'],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
  db1: {
    id: randomUUID(),
    name: 'db-1',
    team: 'data',
    environment: 'production',
    exposure: 'internal',
    groups: ['db'],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
  new1: {
    id: randomUUID(),
    name: 'new-1',
    team: 'web',
    environment: 'staging',
    exposure: 'internal',
    groups: [],
    createdAt: '2026-10-15T00:00:00.000Z',
  },
} satisfies Record<string, WorldAsset>;

export async function insertAsset(database: Database, a: WorldAsset): Promise<void> {
  await database.db
    .insertInto('assets')
    .values({
      id: a.id,
      name: a.name,
      kind: 'host',
      os_release: null,
      environment: a.environment,
      criticality: 'high',
      exposure: a.exposure,
      owner_team: a.team,
      tags_json: '[]',
      groups_json: JSON.stringify(a.groups),
      maintenance_window: null,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      current_snapshot_id: null,
    })
    .execute();
}

export async function insertScan(
  database: Database,
  assetId: string,
  seq: number,
  takenAt: string,
): Promise<void> {
  await database.db
    .insertInto('inventory_snapshots')
    .values({
      id: randomUUID(),
      asset_id: assetId,
      seq,
      taken_at: takenAt,
      uploaded_at: takenAt,
      uploaded_by: null,
      format: 'dpkg-status',
      source_name: 'dpkg',
      os_json: null,
      package_count: 0,
      warnings_json: '[]',
      raw_gzip: Buffer.from([]),
      raw_media_type: 'text/plain',
      raw_sha256: '0'.repeat(64),
      raw_size: 0,
      packages_pruned_at: null,
    })
    .execute();
}

export async function insertAdvisory(
  database: Database,
  id: string,
  published: string | null,
): Promise<void> {
  await database.db
    .insertInto('advisories')
    .values({
      id,
      modified: published ?? '2026-01-01T00:00:00Z',
      published,
      withdrawn: null,
      summary: `${id} summary`,
      aliases_json: '[]',
      cves_json: '[]',
      record_json: '{}',
      source_id: 'test',
      stored_at: NOW,
    })
    .execute();
}

/** A decision as @patchgate/policy stores it (only what the reports read). */
export function decision(
  policy: { id: string; name: string },
  timeline: string,
  rule: string,
  inputs: Record<string, string | number | boolean | null> = {},
): string {
  return JSON.stringify({
    priority: 'P1',
    dueDate: null,
    timeline,
    severity: 'high',
    explanation: {
      policy: { ...policy, version: '1.0.0' },
      rule: { id: rule, description: rule },
      inputs: Object.entries(inputs).map(([name, value]) => ({ name, value, source: 'test' })),
      due: 'test',
      text: 'test',
    },
  });
}

export const bodPolicy = { id: 'bod-26-04', name: 'CISA BOD 26-04' };
export const defaultPolicy = { id: 'default', name: 'Patchgate default' };

/** A finding row as reconcile writes it, with what the test says. */
export function findingRow(
  asset: WorldAsset,
  over: Partial<FindingTable> & { fixedVersions?: string[]; cves?: string[] },
): FindingTable {
  const { fixedVersions = ['9.9'], cves = [], ...rest } = over;
  const id = randomUUID();
  return {
    id,
    asset_id: asset.id,
    ecosystem: 'Debian:12',
    package_name: `pkg-${id.slice(0, 6)}`,
    package_version: '1.0',
    source_name: null,
    advisory_id: `DSA-${id.slice(0, 4)}`,
    advisory_summary: null,
    aliases_json: '[]',
    match_json: JSON.stringify({ fixedVersions, cves, instances: [] }),
    state: 'open',
    first_seen_at: '2026-05-01T00:00:00.000Z',
    last_seen_at: '2026-05-01T00:00:00.000Z',
    snapshot_id: null,
    fixed_at: null,
    reopened_at: null,
    priority: 'P3',
    due_date: null,
    due_key: rest.due_date ?? '9999-12-31',
    severity: 'high',
    kev: 0,
    epss: null,
    epss_key: -1,
    decision_json: '{}',
    asset_name: asset.name,
    environment: asset.environment,
    criticality: 'high',
    exposure: asset.exposure,
    groups_json: JSON.stringify(asset.groups),
    tags_json: '[]',
    triage_state: null,
    triage_justification: null,
    triage_detail: null,
    triage_by: null,
    triage_at: null,
    exception_id: null,
    accepted_until: null,
    fixed_by_change_id: null,
    updated_at: '2026-05-01T00:00:00.000Z',
    ...rest,
  };
}

/**
 * The world (dataAsOf 2026-11-30T23:59:59.999Z for the period 2026-07-01..2026-11-30):
 * - F1 web-1 openssl ADV-1 critical, KEV, released 08-01, seen 08-05, fixed 08-20;
 *   BOD stored 3 days due 08-08 → missed; PCI deadline 09-01 → met; closed in the period.
 * - F2 web-1 nginx ADV-2 high, KEV, released 09-10, seen 09-12, open, due 09-26 (BOD 14 days);
 *   PCI deadline 10-10 → overdue; BOD overdue; POA&M overdue.
 * - F3 db-1 libxml ADV-3 high, released 11-20, seen 11-21, open, due 12-21 by the default
 *   policy → BOD computed here: not KEV, SSVC unknown → 60 days from 11-21 = 2027-01-20, due;
 *   PCI deadline 12-20 → open.
 * - F4 db-1 zlib ADV-4 medium, seen 06-01, open, accepted by an exception (approved 07-01,
 *   until 2027-01-01); BOD next scheduled upgrade → exception; POA&M operational requirement.
 * - F5 web-1 curl ADV-5 high, seen 10-01, triaged false_positive 10-02: POA&M false positive;
 *   not in PCI or BOD.
 * - F6 new-1 bash ADV-6 critical, KEV, released 10-18, seen 10-20, no fixed version; BOD stored
 *   3 days + forensic triage due 10-23 → overdue, forensic; PCI deadline 11-18 → no fix.
 * - F7 web-1 late ADV-7 seen 12-01 (after dataAsOf): nowhere.
 * - F8 db-1 old ADV-8 high, seen 03-01, fixed 06-15 (before the period): nowhere.
 * Scans: web-1 08-10 and 11-02; db-1 05-20 and 10-05; new-1 10-20 (created 10-15).
 */
export async function seedWorld(database: Database): Promise<Record<string, FindingTable>> {
  for (const a of Object.values(assets)) await insertAsset(database, a);
  await insertScan(database, assets.web1.id, 1, '2026-08-10T06:00:00.000Z');
  await insertScan(database, assets.web1.id, 2, '2026-11-02T06:00:00.000Z');
  await insertScan(database, assets.db1.id, 1, '2026-05-20T06:00:00.000Z');
  await insertScan(database, assets.db1.id, 2, '2026-10-05T06:00:00.000Z');
  await insertScan(database, assets.new1.id, 1, '2026-10-20T06:00:00.000Z');
  const released: Record<string, string> = {
    'ADV-1': '2026-08-01T00:00:00Z',
    'ADV-2': '2026-09-10T00:00:00Z',
    'ADV-3': '2026-11-20T00:00:00Z',
    'ADV-4': '2026-05-01T00:00:00Z',
    'ADV-5': '2026-09-30T00:00:00Z',
    'ADV-6': '2026-10-18T00:00:00Z',
    'ADV-7': '2026-11-30T00:00:00Z',
    'ADV-8': '2026-02-20T00:00:00Z',
  };
  for (const [id, at] of Object.entries(released)) await insertAdvisory(database, id, at);

  const f: Record<string, FindingTable> = {
    F1: findingRow(assets.web1, {
      package_name: 'openssl',
      advisory_id: 'ADV-1',
      aliases_json: '["CVE-2026-0001"]',
      cves: ['CVE-2026-0001'],
      severity: 'critical',
      kev: 1,
      priority: 'P1',
      first_seen_at: '2026-08-05T10:00:00.000Z',
      state: 'fixed',
      fixed_at: '2026-08-20T10:00:00.000Z',
      due_date: '2026-08-08',
      decision_json: decision(bodPolicy, '3 days', 'row-11', {
        inKevOrActive: true,
        kevDueDate: '2026-08-15',
      }),
    }),
    F2: findingRow(assets.web1, {
      package_name: 'nginx',
      advisory_id: 'ADV-2',
      severity: 'high',
      kev: 1,
      priority: 'P2',
      first_seen_at: '2026-09-12T10:00:00.000Z',
      due_date: '2026-09-26',
      decision_json: decision(bodPolicy, '14 days', 'row-5', {
        inKevOrActive: true,
        kevDueDate: '2026-10-01',
      }),
    }),
    F3: findingRow(assets.db1, {
      package_name: 'libxml2',
      advisory_id: 'ADV-3',
      severity: 'high',
      priority: 'P2',
      first_seen_at: '2026-11-21T10:00:00.000Z',
      due_date: '2026-12-21',
      decision_json: decision(defaultPolicy, '30 days', 'high'),
    }),
    F4: findingRow(assets.db1, {
      package_name: 'zlib',
      advisory_id: 'ADV-4',
      severity: 'medium',
      priority: 'P4',
      first_seen_at: '2026-06-01T10:00:00.000Z',
      due_date: null,
      decision_json: decision(bodPolicy, 'next scheduled upgrade', 'row-0'),
    }),
    F5: findingRow(assets.web1, {
      package_name: 'curl',
      advisory_id: 'ADV-5',
      severity: 'high',
      priority: 'P2',
      first_seen_at: '2026-10-01T10:00:00.000Z',
      due_date: '2026-10-15',
      triage_state: 'false_positive',
      triage_justification: 'code_not_reachable',
      triage_detail: 'curl is only a build dependency',
      triage_by: 'ana',
      triage_at: '2026-10-02T10:00:00.000Z',
      decision_json: decision(bodPolicy, '14 days', 'row-2'),
    }),
    F6: findingRow(assets.new1, {
      package_name: 'bash',
      advisory_id: 'ADV-6',
      severity: 'critical',
      kev: 1,
      priority: 'P1',
      fixedVersions: [],
      first_seen_at: '2026-10-20T10:00:00.000Z',
      due_date: '2026-10-23',
      decision_json: decision(bodPolicy, '3 days + forensic triage', 'row-15', {
        inKevOrActive: true,
      }),
    }),
    F7: findingRow(assets.web1, {
      package_name: 'late',
      advisory_id: 'ADV-7',
      first_seen_at: '2026-12-01T10:00:00.000Z',
      decision_json: decision(bodPolicy, '14 days', 'row-2'),
    }),
    F8: findingRow(assets.db1, {
      package_name: 'old',
      advisory_id: 'ADV-8',
      first_seen_at: '2026-03-01T10:00:00.000Z',
      state: 'fixed',
      fixed_at: '2026-06-15T10:00:00.000Z',
      decision_json: decision(bodPolicy, '14 days', 'row-2'),
    }),
  };
  for (const row of Object.values(f))
    await database.db.insertInto('findings').values(row).execute();
  const f4 = f['F4'];
  if (f4 === undefined) throw new Error('F4');
  await database.db
    .insertInto('finding_exceptions')
    .values({
      id: randomUUID(),
      finding_id: f4.id,
      asset_id: f4.asset_id,
      advisory_id: f4.advisory_id,
      owner: 'dba-team',
      reason: 'zlib is pinned by the vendor appliance until its next release',
      expires_at: '2027-01-01T00:00:00.000Z',
      state: 'approved',
      requested_by: 'u1',
      requested_by_name: 'rita',
      requested_at: '2026-06-20T10:00:00.000Z',
      decided_by: 'u2',
      decided_by_name: 'ciso',
      decided_at: '2026-07-01T10:00:00.000Z',
      decision_note: null,
      closed_at: null,
      updated_at: '2026-07-01T10:00:00.000Z',
    })
    .execute();
  return f;
}
