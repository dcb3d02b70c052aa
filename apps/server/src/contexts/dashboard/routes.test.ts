/**
 * The dashboard API on both databases: the figures from stored findings (with the filter each
 * links to), the optional parts by permission, and the activity stream over a real socket.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { testClock } from '@patchgate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/app.ts';
import type { TestCaller } from '../../../test/auth.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import type { App } from '../../app.ts';
import type { Permission } from '../auth/index.ts';
import { apiTokenPrefix, newSecret, sha256 } from '../auth/secrets.ts';
import { appendAuditEvent, systemActor } from '../audit/index.ts';
import type { Database } from '../../db/database.ts';
import type { FindingTable } from '../findings/tables.ts';
import type { RolloutWorld } from '../rollouts/test-support.ts';
import { T0, plansWith, rolloutWorld, scheduledChange } from '../rollouts/test-support.ts';
import type { Dashboard } from './schema.ts';

const NOW = '2026-06-10T08:00:00.000Z'; // a Wednesday

/** A finding row as reconcile writes it, with what the test says. */
function findingRow(
  asset: { id: string; name: string; environment: string | null; exposure: string },
  over: Partial<FindingTable>,
): FindingTable {
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
    match_json: '{}',
    state: 'open',
    first_seen_at: '2026-05-01T00:00:00.000Z',
    last_seen_at: '2026-05-01T00:00:00.000Z',
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
    decision_json: '{}',
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
    updated_at: '2026-05-01T00:00:00.000Z',
    ...over,
  };
}

/** An API token of `user` with only these scopes. */
async function scopedToken(database: Database, user: TestCaller, scopes: readonly Permission[]) {
  const token = newSecret(apiTokenPrefix);
  await database.db
    .insertInto('api_tokens')
    .values({
      id: randomUUID(),
      user_id: user.userId,
      name: 'scoped',
      token_hash: sha256(token),
      prefix: token.slice(0, 12),
      scopes_json: JSON.stringify(scopes),
      created_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2099-01-01T00:00:00.000Z',
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { authorization: `Bearer ${token}` };
}

describe.each(testDatabases())('dashboard API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    await world?.close();
    built = undefined;
    database = undefined;
    world = undefined;
  });

  async function findingsWorld() {
    database = await open();
    const app = (built = await testApp(database, testClock(NOW))).app;
    const admin = await testCaller(database, ['admin']);
    const assets: Record<
      string,
      { id: string; name: string; environment: string | null; exposure: string }
    > = {};
    for (const body of [
      { name: 'web-1', environment: 'production', exposure: 'internet', owner: 'team-web' },
      { name: 'web-2', environment: 'production', exposure: 'internet', owner: 'team-web' },
      { name: 'db-1', environment: 'staging', exposure: 'internal', owner: 'team-data' },
      { name: 'x-1', exposure: 'internal' },
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: admin.headers,
        payload: body,
      });
      expect(response.statusCode, response.body).toBe(201);
      const { id } = response.json<{ id: string }>();
      assets[body.name] = {
        id,
        name: body.name,
        environment: body.environment ?? null,
        exposure: body.exposure,
      };
    }
    const a = (name: string) => {
      const asset = assets[name];
      if (asset === undefined) throw new Error(name);
      return asset;
    };
    const rows = [
      // Open, in the work queue.
      findingRow(a('web-1'), {
        priority: 'P1',
        due_date: '2026-06-01',
        kev: 1,
        advisory_id: 'CVE-KEV-1',
      }),
      findingRow(a('web-2'), { priority: 'P1', due_date: '2026-06-12' }),
      findingRow(a('db-1'), { priority: 'P2', due_date: '2026-05-01' }),
      findingRow(a('web-2'), { priority: 'P2', due_date: '2026-06-03', state: 'reopened' }),
      findingRow(a('db-1'), { priority: 'P2', due_date: '2026-07-30', kev: 1 }),
      findingRow(a('x-1'), { priority: 'P3', due_date: null }),
      findingRow(a('x-1'), { priority: 'P3', due_date: '2026-06-09' }),
      // Not open: accepted, triaged away, fixed.
      findingRow(a('web-1'), {
        priority: 'P1',
        due_date: '2026-06-02',
        kev: 1,
        exception_id: randomUUID(),
        accepted_until: '2026-12-01T00:00:00.000Z',
      }),
      findingRow(a('web-1'), {
        priority: 'P1',
        due_date: '2026-06-02',
        triage_state: 'not_affected',
      }),
      findingRow(a('web-1'), {
        priority: 'P1',
        due_date: '2026-06-05',
        state: 'fixed',
        fixed_at: '2026-06-03T10:00:00.000Z',
      }),
      findingRow(a('web-1'), {
        priority: 'P2',
        due_date: '2026-05-20',
        state: 'fixed',
        fixed_at: '2026-06-02T10:00:00.000Z',
      }),
    ];
    await database.db.insertInto('findings').values(rows).execute();
    return { app, admin, database };
  }

  it.skipIf(skip !== undefined)(
    'counts open findings by priority and due status, overdue by team and environment, KEV on internet-facing assets and weekly SLA compliance',
    async () => {
      const { app, admin } = await findingsWorld();
      const response = await app.inject({ url: '/api/v1/dashboard', headers: admin.headers });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json<Dashboard>();
      const f = body.findings;
      expect(body.today).toBe('2026-06-10');
      expect({ open: f.open, overdue: f.overdue, assets: f.assets }).toEqual({
        open: 7,
        overdue: 4,
        assets: 4,
      });
      expect(f.filter).toEqual({ query: {}, exact: true, note: null });
      const counts = f.byPriority.map((r) => [
        r.priority,
        r.overdue.count,
        r.dueSoon.count,
        r.later.count,
        r.noDueDate.count,
        r.total,
      ]);
      expect(counts).toEqual([
        ['P1', 1, 1, 0, 0, 2],
        ['P2', 2, 0, 1, 0, 3],
        ['P3', 1, 0, 0, 1, 2],
        ['P4', 0, 0, 0, 0, 0],
        ['P5', 0, 0, 0, 0, 0],
      ]);
      const p1 = f.byPriority[0];
      expect(p1?.overdue.filter).toEqual({
        query: { priority: 'P1', overdue: 'true' },
        exact: true,
        note: null,
      });
      expect(p1?.dueSoon.filter).toEqual({
        query: { priority: 'P1', due: 'soon' },
        exact: true,
        note: null,
      });
      expect(p1?.later.filter).toEqual({
        query: { priority: 'P1', due: 'later' },
        exact: true,
        note: null,
      });
      expect(p1?.noDueDate.filter).toEqual({
        query: { priority: 'P1', due: 'none' },
        exact: true,
        note: null,
      });
      expect(f.overdueByTeam).toEqual(
        [
          {
            team: 'team-data',
            count: 1,
            assets: ['db-1'],
            filter: { query: { overdue: 'true', ownerTeam: 'team-data' }, exact: true, note: null },
            assetsQuery: { owner: 'team-data' },
          },
          {
            team: 'team-web',
            count: 2,
            assets: ['web-1', 'web-2'],
            filter: { query: { overdue: 'true', ownerTeam: 'team-web' }, exact: true, note: null },
            assetsQuery: { owner: 'team-web' },
          },
          {
            team: null,
            count: 1,
            assets: ['x-1'],
            filter: { query: { overdue: 'true', noOwnerTeam: 'true' }, exact: true, note: null },
            assetsQuery: null,
          },
        ].sort((x, y) => y.count - x.count),
      );
      // Every exact figure opens exactly the list it counts: the list's filters (its default
      // status, the work queue, spelled out) counted by the findings summary.
      const exactFigures = [
        ...f.byPriority.flatMap((r) => [r, r.overdue, r.dueSoon, r.later, r.noDueDate]),
        ...f.overdueByTeam,
        ...f.overdueByEnvironment,
        f.kevInternet,
      ].map((figure) => ({
        count: 'total' in figure ? figure.total : figure.count,
        filter: figure.filter,
      }));
      for (const { count, filter } of exactFigures.filter((x) => x.filter.exact)) {
        const listed = await app.inject({
          url: `/api/v1/findings/summary?${new URLSearchParams({ status: 'open,reopened', ...filter.query }).toString()}`,
          headers: admin.headers,
        });
        expect(listed.statusCode, listed.body).toBe(200);
        expect({
          query: filter.query,
          n: listed.json<{ total: number }>().total,
        }).toEqual({ query: filter.query, n: count });
      }
      expect(exactFigures.filter((x) => x.filter.exact).length).toBeGreaterThan(30);
      expect(
        f.overdueByEnvironment.map((e) => [e.environment, e.count, e.filter.query, e.filter.exact]),
      ).toEqual([
        ['production', 2, { overdue: 'true', environment: 'production' }, true],
        ['staging', 1, { overdue: 'true', environment: 'staging' }, true],
        [null, 1, { overdue: 'true', environment: 'none' }, true],
      ]);
      expect(f.kevInternet.count).toBe(1);
      expect(f.kevInternet.filter.query).toEqual({ kev: 'true', exposure: 'internet' });
      expect(f.kevInternet.top).toEqual([
        expect.objectContaining({
          assetName: 'web-1',
          advisoryId: 'CVE-KEV-1',
          priority: 'P1',
          overdue: true,
        }),
      ]);
      expect(body.sla.target).toBe(0.9);
      expect(body.sla.weeks).toHaveLength(12);
      const byWeek = Object.fromEntries(
        body.sla.weeks.filter((w) => w.counted > 0).map((w) => [w.weekStart, [w.counted, w.met]]),
      );
      // 04-27: the P2 due 05-01 (missed); 05-18: the P2 fixed late (missed where it fell due);
      // 06-01: P1 due 06-01 missed, P2 due 06-03 missed, fixed on time, fixed late;
      // 06-08: the P3 due 06-09, passed.
      expect(byWeek).toEqual({
        '2026-04-27': [1, 0],
        '2026-05-18': [1, 0],
        '2026-06-01': [4, 1],
        '2026-06-08': [1, 0],
      });
      expect(body.sla.weeks.at(-1)?.filter.query).toEqual({
        status: 'all',
        dueBefore: '2026-06-15',
        sort: 'due',
      });
      // The admin reads changes and agents: those parts are there, empty.
      expect(body.changes).toMatchObject({
        count: 0,
        items: [],
        weekStart: '2026-06-08T00:00:00.000Z',
      });
      expect(body.rollouts).toEqual({ count: 0, items: [] });
      expect(body.agents).toEqual({ total: 0, notReporting: [] });
    },
  );

  it.skipIf(skip !== undefined)(
    'leaves out changes, rollouts and agents without their permissions; 403 without findings:read; 401 without a caller',
    async () => {
      const { app, admin, database: db } = await findingsWorld();
      const findingsOnly = await scopedToken(db, admin, ['findings:read']);
      const response = await app.inject({ url: '/api/v1/dashboard', headers: findingsOnly });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json<Dashboard>();
      expect(Object.keys(body).sort()).toEqual(['findings', 'generatedAt', 'sla', 'today']);
      expect(body.findings.open).toBe(7);
      const withAgents = await scopedToken(db, admin, ['findings:read', 'agents:read']);
      const agentsToo = await app.inject({ url: '/api/v1/dashboard', headers: withAgents });
      expect(Object.keys(agentsToo.json<Dashboard>()).sort()).toEqual([
        'agents',
        'findings',
        'generatedAt',
        'sla',
        'today',
      ]);
      const noFindings = await scopedToken(db, admin, ['changes:read', 'agents:read']);
      expect((await app.inject({ url: '/api/v1/dashboard', headers: noFindings })).statusCode).toBe(
        403,
      );
      expect((await app.inject({ url: '/api/v1/dashboard' })).statusCode).toBe(401);
    },
  );

  it.skipIf(skip !== undefined)(
    'shows the changes of this week, the running rollouts with their progress and the agents not reporting',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1', 'web-2']));
      const start = new Date(Date.parse(T0) + 60_000).toISOString();
      const changeId = await scheduledChange(
        w,
        ['web-1', 'web-2'],
        plansWith([{ name: 'all' }]),
        start,
      );
      // web-2's agent was last seen a day before.
      await w.database.db
        .updateTable('agents')
        .set({ last_seen_at: '2026-12-06T08:00:00.000Z' })
        .where('name', '=', 'web-2')
        .execute();
      const before = await w.app.inject({ url: '/api/v1/dashboard', headers: w.viewer.headers });
      expect(before.statusCode, before.body).toBe(200);
      const body = before.json<Dashboard>();
      expect(body.changes?.count).toBe(1);
      expect(body.changes?.items).toEqual([
        {
          id: changeId,
          number: expect.stringMatching(/^CHG-\d+$/) as unknown,
          title: 'pg-demo-service 1.1',
          state: 'scheduled',
          start,
          end: new Date(Date.parse(start) + 3600_000).toISOString(),
          assets: 2,
        },
      ]);
      expect(body.rollouts).toEqual({ count: 0, items: [] });
      expect(body.agents).toEqual({
        total: 2,
        notReporting: [
          {
            agentId: expect.any(String) as unknown,
            assetId: w.hosts['web-2'],
            name: 'web-2',
            lastSeenAt: '2026-12-06T08:00:00.000Z',
          },
        ],
      });

      w.clock.set(start);
      await w.driver().tick();
      const running = (
        await w.app.inject({ url: '/api/v1/dashboard', headers: w.viewer.headers })
      ).json<Dashboard>();
      expect(running.rollouts?.count).toBe(1);
      expect(running.rollouts?.items[0]).toMatchObject({
        changeId,
        changeNumber: body.changes?.items[0]?.number,
        phase: 'running',
        hostsDone: 0,
        hostsTotal: 2,
        progress: 0,
      });
    },
  );

  /** Read a server-sent event stream until `done` says so (or 10 s), then disconnect. */
  async function readStream(
    url: string,
    headers: Record<string, string>,
    done: (text: string) => boolean,
  ): Promise<{ status: number; text: string }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: abort.signal,
    });
    let text = '';
    try {
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      while (reader !== undefined && !done(text)) {
        const { value, done: ended } = (await reader.read()) as {
          value?: Uint8Array;
          done: boolean;
        };
        if (ended) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    return { status: response.status, text };
  }

  /** The `activity` events of a stream's text. */
  const activities = (text: string) =>
    text
      .split('\n\n')
      .filter((block) => block.includes('event: activity'))
      .map((block) => {
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
        return { id: Number(id), data: JSON.parse(data) as Record<string, unknown> };
      });

  it.skipIf(skip !== undefined)(
    'streams the audit log as activity (no details), from the end or after Last-Event-ID; 401 without a caller',
    async () => {
      database = await open();
      const app = (built = await testApp(database, testClock(NOW))).app;
      const admin = await testCaller(database, ['admin']);
      const viewer = await testCaller(database, ['viewer']);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const create = async (name: string) => {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/assets',
          headers: admin.headers,
          payload: { name, owner: 'secret-team-name', environment: 'production' },
        });
        expect(response.statusCode).toBe(201);
        return response.json<{ id: string }>().id;
      };

      const anonymous = await app.inject({ url: '/api/v1/live' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['content-type']).toContain('application/problem+json');
      // A plain GET (no Accept: text/event-stream) is answered, not held open.
      const plain = await app.inject({ url: '/api/v1/live', headers: viewer.headers });
      expect(plain.statusCode).toBe(400);
      expect(plain.json<{ detail: string }>().detail).toContain('Accept: text/event-stream');

      const before = await create('before-1');
      const seqOf = async (id: string) =>
        Number(
          (
            await database!.db
              .selectFrom('audit_events')
              .select('seq')
              .where('subject_id', '=', id)
              .executeTakeFirstOrThrow()
          ).seq,
        );
      const beforeSeq = await seqOf(before);

      // From the current end: the earlier event is not sent, a new one is.
      const awaited = { id: '-' };
      const fromEnd = readStream(`${base}/api/v1/live`, viewer.headers, (text) =>
        text.includes(`"subjectId":"${awaited.id}"`),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const created = await create('during-1');
      awaited.id = created;
      const live = await fromEnd;
      expect(live.status).toBe(200);
      expect(live.text).toMatch(/^: patchgate activity\n/);
      const seen = activities(live.text);
      const createdSeq = await seqOf(created);
      expect(seen).toEqual([
        {
          id: createdSeq,
          data: {
            seq: createdSeq,
            action: 'asset.created',
            subjectType: 'asset',
            subjectId: created,
            at: expect.any(String) as unknown,
          },
        },
      ]);
      expect(live.text).not.toContain('secret-team-name');
      expect(live.text).not.toContain('during-1');
      expect(live.text).not.toMatch(/before|after|actor/);

      // Resume after Last-Event-ID: every event after it, the earlier one included.
      const resumed = await readStream(
        `${base}/api/v1/live`,
        { ...viewer.headers, 'last-event-id': String(beforeSeq - 1) },
        (text) => text.includes(`"seq":${createdSeq}`),
      );
      const ids = activities(resumed.text).map((e) => e.id);
      expect(ids[0]).toBe(beforeSeq);
      expect(ids).toContain(createdSeq);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(resumed.text).not.toContain('secret-team-name');
    },
  );

  it.skipIf(skip !== undefined)(
    'streams to each caller only the subject types it may read (audit:read sees all)',
    async () => {
      database = await open();
      const db = database;
      const clock = testClock(NOW);
      const app = (built = await testApp(database, clock)).app;
      const admin = await testCaller(database, ['admin']);
      const viewer = await testCaller(database, ['viewer']);
      const auditor = await testCaller(database, ['auditor']);
      const assetsOnly = await scopedToken(database, admin, ['assets:read']);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const append = (subjectType: string, subjectId: string | null) =>
        db.db.transaction().execute((trx) =>
          appendAuditEvent(trx, db.dialect, clock, {
            actor: systemActor,
            action: `${subjectType}.test`,
            subjectType,
            subjectId,
          }),
        );
      const start = (await append('asset', 'asset-0')).seq;
      await append('finding', 'finding-1');
      await append('user', 'user-2');
      await append('calendar-feed-token', viewer.userId);
      await append('calendar-feed-token', auditor.userId);
      await append('something-new', 'new-5');
      const last = (await append('asset', 'asset-6')).seq;

      const seenBy = async (headers: Record<string, string>) => {
        const read = await readStream(
          `${base}/api/v1/live`,
          { ...headers, 'last-event-id': String(start) },
          (text) => text.includes(`"seq":${last}`),
        );
        expect(read.status).toBe(200);
        return activities(read.text).map(
          (e) => `${String(e.data.subjectType)}:${String(e.data.subjectId)}`,
        );
      };
      // audit:read: every event, new subject types too.
      expect(await seenBy(auditor.headers)).toEqual([
        'finding:finding-1',
        'user:user-2',
        `calendar-feed-token:${viewer.userId}`,
        `calendar-feed-token:${auditor.userId}`,
        'something-new:new-5',
        'asset:asset-6',
      ]);
      // A viewer: findings and assets, its own feed token; no users, no other's token, no
      // subject type it has no read permission for.
      expect(await seenBy(viewer.headers)).toEqual([
        'finding:finding-1',
        `calendar-feed-token:${viewer.userId}`,
        'asset:asset-6',
      ]);
      // Without findings:read (a token scoped to assets:read): no finding events.
      expect(await seenBy(assetsOnly)).toEqual(['asset:asset-6']);
    },
  );
});
