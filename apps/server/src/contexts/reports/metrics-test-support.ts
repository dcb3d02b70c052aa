/**
 * Test support: a small organisation with hand-checked figures for November 2026, written to a
 * real database. Assets, a maintenance window and an inventory go through the API (their clock
 * times are what the test sets); findings, exceptions, changes with their history and rollout
 * facts, and an agent are written as their contexts store them (fixtures with past times: the
 * services stamp "now"). Used by this context's tests only.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TestCaller } from '../../../test/auth.ts';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';

type FindingTable = DatabaseSchema['findings'];

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

export const novemberPeriod = { from: '2026-11-01', to: '2026-11-30' } as const;
export const novemberEnd = '2026-11-30T23:59:59.999Z';

export interface MetricsWorld {
  readonly assets: Readonly<Record<'web-1' | 'db-1' | 'lone-1', string>>;
  readonly findings: Readonly<Record<string, string>>;
  readonly changes: Readonly<Record<string, string>>;
}

type AssetKeys = { id: string; name: string; environment: string | null; exposure: string };

function findingRow(asset: AssetKeys, over: Partial<FindingTable>): FindingTable {
  const id = randomUUID();
  return {
    id,
    asset_id: asset.id,
    ecosystem: 'Debian:12',
    package_name: `pkg-${id.slice(0, 6)}`,
    package_version: '1.0',
    source_name: null,
    advisory_id: `DSA-${id.slice(0, 8)}`,
    advisory_summary: null,
    aliases_json: '[]',
    match_json: '{}',
    state: 'open',
    first_seen_at: '2026-11-01T00:00:00.000Z',
    last_seen_at: '2026-11-01T00:00:00.000Z',
    snapshot_id: null,
    fixed_at: null,
    reopened_at: null,
    priority: 'P3',
    due_date: null,
    due_key: over.due_date ?? '9999-12-31',
    severity: 'high',
    kev: 0,
    epss: null,
    epss_key: -1,
    decision_json: JSON.stringify({ explanation: { policy: { name: 'default' } } }),
    asset_name: asset.name,
    environment: asset.environment,
    criticality: 'high',
    exposure: asset.exposure,
    groups_json: '[]',
    tags_json: '[]',
    triage_state: null,
    triage_justification: null,
    triage_detail: null,
    triage_by: null,
    triage_at: null,
    exception_id: null,
    accepted_until: null,
    fixed_by_change_id: null,
    updated_at: '2026-11-01T00:00:00.000Z',
    ...over,
  };
}

/**
 * November 2026, as of its end (hand-checked):
 * - web-1 (team web, production, group dmz, internet, in the window, reported 29 Nov): f1 P1
 *   due 10 Nov fixed 5 Nov (met, 4 days, KEV); f2 P2 due 15 Nov open (missed, overdue,
 *   triaged after 1 day); f6 P1 first seen 1 Dec (not yet).
 * - db-1 (team data, staging, reported 20 Nov: not within 7 days): f3 P3 due 20 Nov fixed
 *   25 Nov (missed, 24 days); f4 P2 due 12 Nov, accepted by an exception approved 6 Nov (not
 *   open, not counted); f5 P4 no due date, open, first seen 1 Oct (60 days old).
 * - lone-1 (no owner, no report, no window).
 * - Changes: CHG-1 normal (web-1) completed 2 Nov, closed 5 Nov, links f1; its rollout
 *   planned 10:00–12:00, ran 10:05–12:30 (overrun), canary 1 host ok, all 1 host failed.
 *   CHG-2 emergency (db-1) failed 10 Nov then rolled back. CHG-3 standard (db-1) cancelled
 *   20 Nov. CHG-4 normal (web-1) completed 1 Dec (after asOf).
 * - One agent on web-1 last seen 30 Nov 23:59:30 (fresh), one on db-1 last seen 28 Nov (stale).
 */
export async function metricsWorld(
  database: Database,
  app: FastifyInstance,
  clock: Clock & { set(iso: string): void },
  admin: TestCaller,
): Promise<MetricsWorld> {
  clock.set('2026-10-01T00:00:00.000Z');
  const assets: Record<string, AssetKeys> = {};
  for (const body of [
    {
      name: 'web-1',
      environment: 'production',
      exposure: 'internet',
      owner: 'web',
      groups: ['dmz'],
    },
    { name: 'db-1', environment: 'staging', exposure: 'internal', owner: 'data', groups: [] },
    { name: 'lone-1', exposure: 'internal', groups: [] },
  ]) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/assets',
      headers: admin.headers,
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(201);
    assets[body.name] = {
      id: response.json<{ id: string }>().id,
      name: body.name,
      environment: body.environment ?? null,
      exposure: body.exposure,
    };
  }
  const a = (name: string): AssetKeys => {
    const asset = assets[name];
    if (asset === undefined) throw new Error(name);
    return asset;
  };
  const window = await app.inject({
    method: 'POST',
    url: '/api/v1/calendar/windows',
    headers: admin.headers,
    payload: {
      name: 'dmz nightly',
      rrule: 'FREQ=DAILY',
      dtstart: '2026-01-01T22:00',
      timeZone: 'UTC',
      durationMinutes: 240,
      cutoffMinutes: 30,
      selector: { groups: ['dmz'] },
    },
  });
  expect(window.statusCode, window.body).toBe(201);

  const dpkg = readFileSync(`${repoRoot}examples/debian-bookworm/dpkg-query.tsv`, 'utf8');
  for (const [name, at] of [
    ['db-1', '2026-11-20T00:00:00.000Z'],
    ['web-1', '2026-11-29T00:00:00.000Z'],
  ] as const) {
    clock.set(at);
    const upload = await app.inject({
      method: 'POST',
      url: `/api/v1/assets/${a(name).id}/inventory`,
      headers: { ...admin.headers, 'content-type': 'text/plain' },
      payload: dpkg,
    });
    expect(upload.statusCode, upload.body).toBe(201);
  }

  const rows = {
    f1: findingRow(a('web-1'), {
      priority: 'P1',
      due_date: '2026-11-10',
      due_key: '2026-11-10',
      state: 'fixed',
      fixed_at: '2026-11-05T00:00:00.000Z',
      kev: 1,
      groups_json: '["dmz"]',
    }),
    f2: findingRow(a('web-1'), {
      priority: 'P2',
      due_date: '2026-11-15',
      due_key: '2026-11-15',
      first_seen_at: '2026-11-02T00:00:00.000Z',
      triage_state: 'in_triage',
      triage_at: '2026-11-03T00:00:00.000Z',
      groups_json: '["dmz"]',
    }),
    f3: findingRow(a('db-1'), {
      priority: 'P3',
      due_date: '2026-11-20',
      due_key: '2026-11-20',
      state: 'fixed',
      fixed_at: '2026-11-25T00:00:00.000Z',
    }),
    f4: findingRow(a('db-1'), {
      priority: 'P2',
      due_date: '2026-11-12',
      due_key: '2026-11-12',
      accepted_until: '2027-01-01T00:00:00.000Z',
    }),
    f5: findingRow(a('db-1'), { priority: 'P4', first_seen_at: '2026-10-01T00:00:00.000Z' }),
    f6: findingRow(a('web-1'), {
      priority: 'P1',
      due_date: '2026-12-03',
      due_key: '2026-12-03',
      first_seen_at: '2026-12-01T00:00:00.000Z',
    }),
  };
  await database.db.insertInto('findings').values(Object.values(rows)).execute();
  await database.db
    .insertInto('finding_exceptions')
    .values({
      id: randomUUID(),
      finding_id: rows.f4.id,
      asset_id: rows.f4.asset_id,
      advisory_id: rows.f4.advisory_id,
      owner: 'data',
      reason: 'compensating control',
      expires_at: '2027-01-01T00:00:00.000Z',
      state: 'approved',
      requested_by: 'someone',
      requested_by_name: 'someone',
      requested_at: '2026-11-05T00:00:00.000Z',
      decided_by: 'approver',
      decided_by_name: 'approver',
      decided_at: '2026-11-06T00:00:00.000Z',
      decision_note: null,
      closed_at: null,
      updated_at: '2026-11-06T00:00:00.000Z',
    })
    .execute();

  const changes: Record<string, string> = {};
  let number = 0;
  async function change(
    type: string,
    asset: AssetKeys,
    team: string,
    groups: string[],
    transitions: [string, string, string][],
    findings: FindingTable[] = [],
  ): Promise<string> {
    const id = randomUUID();
    number += 1;
    const last = transitions.at(-1)?.[1] ?? 'draft';
    await database.db
      .insertInto('change_requests')
      .values({
        id,
        number,
        title: `change ${number}`,
        description: '',
        type,
        state: last,
        risk_level: 'low',
        risk_score: 0,
        risk_factors_json: '{}',
        risk_override: null,
        risk_override_reason: null,
        template_id: null,
        template_version: null,
        requester_id: null,
        requester_name: 'someone',
        implementer_id: null,
        implementer_name: null,
        plan_version: 1,
        plans_json: '{}',
        scheduled_start: null,
        scheduled_end: null,
        freeze_override_json: null,
        created_by_rule: null,
        created_reason: null,
        created_at: '2026-10-15T00:00:00.000Z',
        updated_at: '2026-10-15T00:00:00.000Z',
      })
      .execute();
    await database.db
      .insertInto('change_assets')
      .values({
        change_id: id,
        asset_id: asset.id,
        asset_name: asset.name,
        environment: asset.environment,
        criticality: 'high',
        exposure: asset.exposure,
        owner_team: team,
        groups_json: JSON.stringify(groups),
        tags_json: '[]',
      })
      .execute();
    let from: string | null = null;
    for (const [seq, [action, to, at]] of transitions.entries()) {
      await database.db
        .insertInto('change_transitions')
        .values({
          id: randomUUID(),
          change_id: id,
          seq: seq + 1,
          from_state: from,
          to_state: to,
          action,
          actor_type: 'user',
          actor_id: null,
          actor_name: 'someone',
          reason: null,
          at,
        })
        .execute();
      from = to;
    }
    for (const f of findings) {
      await database.db
        .insertInto('change_findings')
        .values({
          change_id: id,
          finding_id: f.id,
          asset_id: f.asset_id,
          package_name: f.package_name,
          advisory_ids_json: JSON.stringify([f.advisory_id]),
          cve_ids_json: '[]',
          priority: f.priority,
          kev: f.kev,
          due_date: f.due_date,
        })
        .execute();
    }
    return id;
  }
  changes.c1 = await change(
    'normal',
    a('web-1'),
    'web',
    ['dmz'],
    [
      ['create', 'draft', '2026-10-15T00:00:00.000Z'],
      ['start', 'implementing', '2026-11-02T10:05:00.000Z'],
      ['complete', 'review', '2026-11-02T12:35:00.000Z'],
      ['close', 'closed', '2026-11-05T00:00:00.000Z'],
    ],
    [rows.f1],
  );
  changes.c2 = await change(
    'emergency',
    a('db-1'),
    'data',
    [],
    [
      ['start', 'implementing', '2026-11-10T10:00:00.000Z'],
      ['fail', 'failed', '2026-11-10T11:00:00.000Z'],
      ['roll-back', 'rolled_back', '2026-11-10T12:00:00.000Z'],
    ],
  );
  changes.c3 = await change(
    'standard',
    a('db-1'),
    'data',
    [],
    [['cancel', 'cancelled', '2026-11-20T09:00:00.000Z']],
  );
  changes.c4 = await change(
    'normal',
    a('web-1'),
    'web',
    ['dmz'],
    [
      ['start', 'implementing', '2026-12-01T09:00:00.000Z'],
      ['complete', 'review', '2026-12-01T10:00:00.000Z'],
    ],
  );
  const hostFacts = (assetName: string, outcome: string) => ({
    assetId: assetName,
    assetName,
    outcome,
    before: [],
    after: [],
    versionsConfirmed: null,
    rebootPending: false,
  });
  await database.db
    .insertInto('change_review_facts')
    .values({
      change_id: changes.c1,
      rollout_id: 'rollout-1',
      recorded_at: '2026-11-02T12:31:00.000Z',
      facts_json: JSON.stringify({
        rolloutId: 'rollout-1',
        outcome: 'completed',
        planned: { start: '2026-11-02T10:00:00.000Z', end: '2026-11-02T12:00:00.000Z' },
        actual: { start: '2026-11-02T10:05:00.000Z', end: '2026-11-02T12:30:00.000Z' },
        startDelayMinutes: 5,
        overrunMinutes: 30,
        waves: [
          { name: 'canary', state: 'succeeded', hosts: [hostFacts('web-1', 'succeeded')] },
          { name: 'all', state: 'failed', hosts: [hostFacts('web-9', 'failed')] },
        ],
        failures: [],
        rollbacks: [],
        findings: { linked: 1, closed: 1, closedByChange: 1, dueMet: 1, dueMissed: 0, items: [] },
        recordedAt: '2026-11-02T12:31:00.000Z',
      }),
    })
    .execute();

  const agent = (assetId: string, lastSeenAt: string) => ({
    id: randomUUID(),
    asset_id: assetId,
    name: assetId,
    credential_hash: randomUUID(),
    enrolment_token_id: null,
    hostname: null,
    agent_version: '1.0.0',
    os_json: null,
    architecture: null,
    package_managers_json: '[]',
    boot_id: null,
    enrolled_at: '2026-10-01T00:00:00.000Z',
    enrolled_ip: null,
    last_seen_at: lastSeenAt,
    last_heartbeat_at: lastSeenAt,
    clock_skew_ms: null,
    reboot_required: 0,
    reboot_packages_json: '[]',
    services_needing_restart_json: '[]',
    queued_results: 0,
    running_task_id: null,
    last_inventory_at: null,
    last_updates_at: null,
    revoked_at: null,
  });
  await database.db
    .insertInto('agents')
    .values([
      agent(a('web-1').id, '2026-11-30T23:59:30.000Z'),
      agent(a('db-1').id, '2026-11-28T00:00:00.000Z'),
    ])
    .execute();

  return {
    assets: { 'web-1': a('web-1').id, 'db-1': a('db-1').id, 'lone-1': a('lone-1').id },
    findings: Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.id])),
    changes,
  };
}
