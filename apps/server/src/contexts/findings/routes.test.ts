import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { reconcileAsset } from './reconcile.ts';
import type { ApiException, ApiFinding, FindingDetail, FindingList } from './schema.ts';
import { expireExceptions } from './service.ts';
import type { FindingTable } from './tables.ts';
import type { MemoryInputs } from './test-support.ts';
import {
  exampleAdvisories,
  exampleInventory,
  manualClock,
  memoryInputs,
  plainAsset,
} from './test-support.ts';

const hostId = '00000000-0000-4000-8000-000000000001';

describe.each(testDatabases())('findings API on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  let inputs: MemoryInputs;
  const host = exampleInventory('host');

  beforeAll(async () => {
    const { index, facts } = await exampleAdvisories();
    inputs = memoryInputs(index, facts);
    inputs.setAsset({
      ...plainAsset(hostId, 'debian-host', ['linux', 'web']),
      context: {
        exposure: 'internet',
        environment: 'production',
        criticality: 'high',
        tags: ['pci'],
      },
    });
    inputs.setInventory(hostId, {
      snapshotId: 's1',
      takenAt: '2026-11-22T08:00:00.000Z',
      inventory: host,
    });
  });
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setUp() {
    database = await open();
    const clock = manualClock('2026-11-22T09:00:00.000Z');
    await reconcileAsset(database, clock, inputs, hostId);
    // The asset itself, as the inventory context holds it: filters name it by name or id.
    await database.db
      .insertInto('assets')
      .values({
        id: hostId,
        name: 'debian-host',
        kind: 'host',
        os_release: null,
        environment: 'production',
        criticality: 'high',
        exposure: 'internet',
        owner_team: null,
        tags_json: '["pci"]',
        groups_json: '["linux","web"]',
        maintenance_window: null,
        created_at: '2026-11-22T08:00:00.000Z',
        updated_at: '2026-11-22T08:00:00.000Z',
        current_snapshot_id: null,
      })
      .execute();
    built = await testApp(database, clock);
    // One at a time: fewer pool connections open when the PostgreSQL test database is dropped.
    const analyst = await testCaller(database, ['security_analyst']);
    const approver = await testCaller(database, ['approver']);
    const viewer = await testCaller(database, ['viewer']);
    const admin = await testCaller(database, ['admin']);
    return { app: built.app, db: database, clock, analyst, approver, viewer, admin };
  }

  async function allPages(
    app: App['app'],
    headers: { authorization: string },
    query: string,
    limit: number,
  ) {
    const seen: ApiFinding[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/findings?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`;
      const response = await app.inject({ url, headers });
      expect(response.statusCode).toBe(200);
      const body = response.json<FindingList>();
      seen.push(...body.findings);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 1000);
    return { seen, pages };
  }

  it.skipIf(skip !== undefined)(
    'lists with filters (each checked against the full list)',
    async () => {
      const { app, db, viewer } = await setUp();
      // Spread the due dates over every due status (today is 2026-11-22).
      const ids = (await db.db.selectFrom('findings').select('id').orderBy('id').execute()).map(
        (r) => r.id,
      );
      const dues: [string | null, string[]][] = [
        ['2026-11-20', ids.slice(0, 3)],
        ['2026-11-22', ids.slice(3, 5)],
        ['2026-11-28', ids.slice(5, 7)],
        ['2026-11-29', ids.slice(7, 9)],
        [null, ids.slice(9, 12)],
      ];
      for (const [due, some] of dues)
        await db.db
          .updateTable('findings')
          .set({ due_date: due, due_key: due ?? '9999-12-31' })
          .where('id', 'in', some)
          .execute();
      // A few findings whose asset had no environment recorded when they were matched.
      await db.db
        .updateTable('findings')
        .set({ environment: null })
        .where('id', 'in', ids.slice(20, 24))
        .execute();
      const { seen: all, pages } = await allPages(app, viewer.headers, 'sort=priority', 40);
      expect(all.length).toBe(91);
      expect(pages).toBe(3);
      expect(new Set(all.map((f) => f.id)).size).toBe(91);
      const cases: [string, (f: ApiFinding) => boolean][] = [
        ['package=curl', (f) => f.package.name === 'curl'],
        [
          'advisory=CVE-2025-10148',
          (f) =>
            f.advisory.aliases.includes('CVE-2025-10148') || f.advisory.id === 'CVE-2025-10148',
        ],
        [
          'advisory=DEBCL-curl-CVE-2025-10148',
          (f) => f.advisory.id === 'DEBCL-curl-CVE-2025-10148',
        ],
        ['state=open', (f) => f.state === 'open'],
        ['state=fixed', () => false],
        ['priority=P1,P2', (f) => f.priority === 'P1' || f.priority === 'P2'],
        ['group=web', () => true],
        ['group=nope', () => false],
        [
          'environment=production&exposure=internet&criticality=high',
          (f) => f.asset.environment === 'production',
        ],
        ['environment=staging', () => false],
        ['environment=none', (f) => f.asset.environment === null],
        ['environment=staging,none', (f) => f.asset.environment === null],
        ['environment=production,none', () => true],
        ['triage=none', () => true],
        ['kev=true', (f) => f.kev],
        ['epssMin=0.5', (f) => (f.epss ?? -1) >= 0.5],
        [`assetId=${hostId}`, () => true],
        ['asset=debian-host', () => true],
        [`asset=${hostId}`, () => true],
        ['status=all', () => true],
        ['status=open', () => true],
        ['status=fixed,not_affected,accepted', () => false],
        ['dueBefore=2026-12-22', (f) => f.dueDate !== null && f.dueDate < '2026-12-22'],
        ['dueBefore=2026-12-23', (f) => f.dueDate !== null && f.dueDate < '2026-12-23'],
        ['accepted=true', () => false],
        ['actionable=true', () => true],
        // Due status by date, today 2026-11-22: soon until 2026-11-28, later from 2026-11-29.
        ['due=overdue', (f) => f.dueDate !== null && f.dueDate < '2026-11-22'],
        [
          'due=soon',
          (f) => f.dueDate !== null && f.dueDate >= '2026-11-22' && f.dueDate < '2026-11-29',
        ],
        ['due=later', (f) => f.dueDate !== null && f.dueDate >= '2026-11-29'],
        ['due=none', (f) => f.dueDate === null],
        ['due=later,none', (f) => f.dueDate === null || f.dueDate >= '2026-11-29'],
        // The asset has no owner team.
        ['noOwnerTeam=true', () => true],
        ['noOwnerTeam=false', () => false],
        ['ownerTeam=team-web', () => false],
      ];
      // The due buckets are not all empty (else the cases above would prove nothing).
      const buckets = new Set(
        all.map((f) =>
          f.dueDate === null
            ? 'none'
            : f.dueDate < '2026-11-22'
              ? 'overdue'
              : f.dueDate < '2026-11-29'
                ? 'soon'
                : 'later',
        ),
      );
      expect(buckets).toEqual(new Set(['overdue', 'soon', 'later', 'none']));
      for (const [query, keep] of cases) {
        const { seen } = await allPages(app, viewer.headers, query, 500);
        expect({ query, ids: seen.map((f) => f.id).sort() }).toEqual({
          query,
          ids: all
            .filter(keep)
            .map((f) => f.id)
            .sort(),
        });
      }
    },
  );

  it.skipIf(skip !== undefined)(
    "filters by the asset's owner team (read from the inventory now) in lists and summaries",
    async () => {
      const { app, db, viewer } = await setUp();
      const count = async (query: string) =>
        (await allPages(app, viewer.headers, query, 500)).seen.length;
      expect(await count('ownerTeam=team-web')).toBe(0);
      await db.db
        .updateTable('assets')
        .set({ owner_team: 'team-web' })
        .where('id', '=', hostId)
        .execute();
      expect(await count('ownerTeam=team-web')).toBe(91);
      expect(await count('ownerTeam=team-db')).toBe(0);
      expect(await count('noOwnerTeam=true')).toBe(0);
      expect(await count('noOwnerTeam=false')).toBe(91);
      const summary = async (query: string) => {
        const response = await app.inject({
          url: `/api/v1/findings/summary?${query}`,
          headers: viewer.headers,
        });
        expect(response.statusCode).toBe(200);
        return response.json<{ total: number }>().total;
      };
      expect(await summary('ownerTeam=team-web')).toBe(91);
      expect(await summary('ownerTeam=team-db')).toBe(0);
      const none = await count('due=none');
      expect(await summary('due=none&status=open,reopened')).toBe(none);
      const both = await app.inject({
        url: '/api/v1/findings?ownerTeam=team-web&noOwnerTeam=true',
        headers: viewer.headers,
      });
      expect(both.statusCode).toBe(422);
      const badDue = await app.inject({
        url: '/api/v1/findings?due=someday',
        headers: viewer.headers,
      });
      expect(badDue.statusCode).toBe(422);
    },
  );

  it.skipIf(skip !== undefined)(
    'lists the work queue by default, so the gate goes green once all is fixed, suppressed or accepted',
    async () => {
      const { app, db, clock, analyst, approver, admin, viewer } = await setUp();
      // issue 7, item 9: `findings list --priority P1,P2 --environment production`.
      const gate = 'priority=P1,P2&environment=production';
      const { seen: queue } = await allPages(app, viewer.headers, gate, 500);
      expect(queue.length).toBe(91);
      expect(new Set(queue.map((f) => f.status))).toEqual(new Set(['open']));

      // Upgrade curl: its findings are fixed (the inputs are shared: put them back after).
      onTestFinished(() =>
        inputs.setInventory(hostId, {
          snapshotId: 's1',
          takenAt: '2026-11-22T08:00:00.000Z',
          inventory: host,
        }),
      );
      inputs.setInventory(hostId, {
        snapshotId: 's2',
        takenAt: '2026-11-23T08:00:00.000Z',
        inventory: {
          ...host,
          packages: host.packages.filter(
            (p) => p.name !== 'curl' && p.name !== 'libcurl4' && p.sourceName !== 'curl',
          ),
        },
      });
      clock.set('2026-11-23T09:00:00.000Z');
      await reconcileAsset(db, clock, inputs, hostId);
      const { seen: afterFix } = await allPages(app, viewer.headers, gate, 500);
      const fixed = queue.filter((f) => !afterFix.some((g) => g.id === f.id));
      expect(fixed.length).toBeGreaterThan(0);

      // One accepted by an approved exception, the rest not affected or false positives (VEX).
      const [accepted, falsePositive, ...rest] = afterFix;
      const requested = await app.inject({
        method: 'POST',
        url: `/api/v1/findings/${accepted!.id}/exceptions`,
        headers: admin.headers,
        payload: {
          owner: 'team-web',
          reason: 'vendor fix pending',
          expiresAt: '2026-12-20T00:00:00Z',
        },
      });
      await app.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${requested.json<ApiException>().id}/approve`,
        headers: approver.headers,
        payload: {},
      });
      const triage = (id: string, payload: object) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/findings/${id}/triage`,
          headers: analyst.headers,
          payload,
        });
      await triage(falsePositive!.id, { state: 'false_positive' });
      for (const f of rest.slice(1)) {
        await triage(f.id, { state: 'not_affected', justification: 'code_not_reachable' });
      }
      // In triage is not settled: that one stays in the queue.
      await triage(rest[0]!.id, { state: 'in_triage' });
      const { seen: left } = await allPages(app, viewer.headers, gate, 500);
      expect(left.map((f) => [f.id, f.status])).toEqual([[rest[0]!.id, 'open']]);
      await triage(rest[0]!.id, { state: 'not_affected', justification: 'requires_environment' });
      expect((await allPages(app, viewer.headers, gate, 500)).seen).toEqual([]);

      // Every other status on request, one status per finding.
      const byStatus = async (status: string) =>
        (await allPages(app, viewer.headers, `${gate}&status=${status}`, 500)).seen
          .map((f) => f.id)
          .sort();
      expect(await byStatus('fixed')).toEqual(fixed.map((f) => f.id).sort());
      expect(await byStatus('accepted')).toEqual([accepted!.id]);
      expect(await byStatus('false_positive')).toEqual([falsePositive!.id]);
      expect((await byStatus('not_affected')).length).toBe(rest.length);
      expect((await byStatus('fixed,not_affected')).length).toBe(fixed.length + rest.length);
      expect((await byStatus('all')).length).toBe(91);
      // An explicit detection-state filter lifts the default too.
      expect((await allPages(app, viewer.headers, `${gate}&state=open`, 500)).seen.length).toBe(
        91 - fixed.length,
      );
      // The exception lapses: the finding is back in the queue.
      clock.set('2026-12-21T00:00:00.000Z');
      expect((await allPages(app, viewer.headers, gate, 500)).seen.map((f) => f.id)).toEqual([
        accepted!.id,
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'groups the binaries of one source package: counted once, never split across pages',
    async () => {
      const { app, viewer } = await setUp();
      const { seen: all } = await allPages(app, viewer.headers, 'sort=priority', 500);
      const groupOf = (f: ApiFinding) =>
        `${f.asset.id} ${f.package.sourceName ?? f.package.name} ${f.advisory.id}`;
      const groups = new Set(all.map(groupOf));
      // libssl3 and openssl (source openssl), curl and libcurl4 (source curl): fewer groups.
      expect(groups.size).toBeLessThan(all.length);
      const summary = (
        await app.inject({ url: '/api/v1/findings/summary?groups=true', headers: viewer.headers })
      ).json<{
        total: number;
        groups: number;
        byPriority: Record<string, number>;
        groupsByPriority: Record<string, number>;
      }>();
      const sum = (counts: Record<string, number>) =>
        Object.values(counts).reduce((a, b) => a + b, 0);
      expect(sum(summary.byPriority)).toBe(all.length);
      expect(sum(summary.groupsByPriority)).toBe(groups.size);
      expect(summary).toMatchObject({ groups: groups.size, total: all.length });
      // Unknown severity says how the policy handled it, in lists.
      const unknown = all.filter((f) => f.severity === 'unknown');
      expect(unknown.length).toBeGreaterThan(0);
      expect(new Set(unknown.map((f) => f.unknownSeverity))).toEqual(
        new Set([
          'Patchgate default, rule unknown-severity: unrated: the high timeline, 30 days from detection, until a severity is known',
        ]),
      );
      expect(all.filter((f) => f.severity !== 'unknown' && f.unknownSeverity !== null)).toEqual([]);
      for (const sort of ['priority', 'due', 'epss', 'first_seen']) {
        const { seen, pages } = await allPages(
          app,
          viewer.headers,
          `sort=${sort}&wholeGroups=true`,
          7,
        );
        expect(seen.map((f) => f.id).sort()).toEqual(all.map((f) => f.id).sort());
        // Each group's rows are adjacent: the group changes exactly groups.size - 1 times.
        const changes = seen.filter((f, i) => i > 0 && groupOf(f) !== groupOf(seen[i - 1]!));
        expect({ sort, changes: changes.length }).toEqual({ sort, changes: groups.size - 1 });
        expect(pages).toBeGreaterThan(1);
      }
      // And no page boundary falls inside a group.
      const pageOf = new Map<string, Set<number>>();
      let cursor: string | null = null;
      let page = 0;
      do {
        const url: string = `/api/v1/findings?wholeGroups=true&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
        const body: FindingList = (
          await app.inject({ url, headers: viewer.headers })
        ).json<FindingList>();
        for (const f of body.findings)
          pageOf.set(groupOf(f), (pageOf.get(groupOf(f)) ?? new Set()).add(page));
        cursor = body.nextCursor;
        page++;
      } while (cursor !== null);
      expect([...pageOf.values()].filter((p) => p.size > 1)).toEqual([]);
      expect(page).toBeGreaterThan(10);
    },
  );

  it.skipIf(skip !== undefined)(
    'names the asset of a filter by name or id; an unknown one is a 422, never an empty list',
    async () => {
      const { app, viewer } = await setUp();
      for (const url of [
        '/api/v1/findings?asset=web-01',
        '/api/v1/findings/summary?asset=web-01',
        '/api/v1/findings?assetId=web-01',
      ]) {
        const response = await app.inject({ url, headers: viewer.headers });
        expect(response.statusCode, url).toBe(422);
        expect(response.json(), url).toMatchObject({
          detail: 'No asset has the name or id "web-01"',
          errors: [{ field: expect.stringMatching(/^querystring\.asset(Id)?$/) as string }],
        });
      }
      const summary = await app.inject({
        url: '/api/v1/findings/summary?asset=debian-host',
        headers: viewer.headers,
      });
      expect(summary.json()).toMatchObject({ total: 91 });
    },
  );

  it.skipIf(skip !== undefined)('answers 422 naming the field, 401 and 403', async () => {
    const { app, viewer, analyst } = await setUp();
    const cases: [string, string][] = [
      ['/api/v1/findings?priority=P9', 'querystring.priority'],
      ['/api/v1/findings?limit=0', 'querystring.limit'],
      ['/api/v1/findings?sort=name', 'querystring.sort'],
      ['/api/v1/findings?bogus=1', 'querystring'],
      ['/api/v1/findings?cursor=abc', 'querystring.cursor'],
      ['/api/v1/findings?dueBefore=tomorrow', 'querystring.dueBefore'],
      ['/api/v1/findings/not-a-uuid', 'params.id'],
    ];
    for (const [url, field] of cases) {
      const response = await app.inject({ url, headers: viewer.headers });
      expect({
        url,
        status: response.statusCode,
        fields: response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field),
      }).toEqual({
        url,
        status: 422,
        fields: [expect.stringContaining(field)],
      });
    }
    const id = (
      await app.inject({ url: '/api/v1/findings?limit=1', headers: viewer.headers })
    ).json<FindingList>().findings[0]!.id;
    const missingJustification = await app.inject({
      method: 'PUT',
      url: `/api/v1/findings/${id}/triage`,
      headers: analyst.headers,
      payload: { state: 'not_affected' },
    });
    expect(missingJustification.statusCode).toBe(422);
    expect(missingJustification.json()).toMatchObject({
      errors: [{ field: 'body.justification' }],
    });
    expect((await app.inject({ url: '/api/v1/findings' })).statusCode).toBe(401);
    const forbidden = await app.inject({
      method: 'PUT',
      url: `/api/v1/findings/${id}/triage`,
      headers: viewer.headers,
      payload: { state: 'exploitable' },
    });
    expect(forbidden.json()).toMatchObject({
      status: 403,
      detail: 'This needs the findings:triage permission',
    });
    expect(
      (await app.inject({ url: `/api/v1/findings/${randomUUID()}`, headers: viewer.headers }))
        .statusCode,
    ).toBe(404);
  });

  it.skipIf(skip !== undefined)(
    'triages with an audited before/after and shows it in the history',
    async () => {
      const { app, analyst, viewer } = await setUp();
      const id = (
        await app.inject({ url: '/api/v1/findings?package=curl&limit=1', headers: viewer.headers })
      ).json<FindingList>().findings[0]!.id;
      const triaged = await app.inject({
        method: 'PUT',
        url: `/api/v1/findings/${id}/triage`,
        headers: analyst.headers,
        payload: {
          state: 'not_affected',
          justification: 'code_not_reachable',
          detail: 'curl is only used for local health checks',
        },
      });
      expect(triaged.statusCode).toBe(200);
      expect(triaged.json<ApiFinding>().triage).toEqual({
        state: 'not_affected',
        justification: 'code_not_reachable',
        detail: 'curl is only used for local health checks',
        by: analyst.username,
        at: '2026-11-22T09:00:00.000Z',
      });
      const detail = (
        await app.inject({ url: `/api/v1/findings/${id}`, headers: viewer.headers })
      ).json<FindingDetail>();
      expect(detail.history).toEqual([
        {
          at: '2026-11-22T09:00:00.000Z',
          action: 'finding.detected',
          actor: null,
          before: null,
          after: null,
        },
        {
          at: '2026-11-22T09:00:00.000Z',
          action: 'finding.triaged',
          actor: analyst.username,
          before: { state: null, justification: null, detail: null },
          after: {
            state: 'not_affected',
            justification: 'code_not_reachable',
            detail: 'curl is only used for local health checks',
          },
        },
      ]);
      expect(detail.decision.explanation.policy.id).toBe('default');
      const summary = (
        await app.inject({ url: '/api/v1/findings/summary', headers: viewer.headers })
      ).json<{ triagedAway: number; byPriority: Record<string, number> }>();
      expect(summary.triagedAway).toBe(1);
      expect(Object.values(summary.byPriority).reduce((a, b) => a + b, 0)).toBe(90);
    },
  );

  it.skipIf(skip !== undefined)(
    'runs the exception life cycle: self-approval refused, acceptance, expiry',
    async () => {
      const { app, db, clock, analyst, approver, viewer, admin } = await setUp();
      const id = (
        await app.inject({ url: '/api/v1/findings?limit=1', headers: viewer.headers })
      ).json<FindingList>().findings[0]!.id;
      const tooLong = await app.inject({
        method: 'POST',
        url: `/api/v1/findings/${id}/exceptions`,
        headers: analyst.headers,
        payload: {
          owner: 'team-web',
          reason: 'vendor fix pending',
          expiresAt: '2028-01-01T00:00:00Z',
        },
      });
      expect(tooLong.json()).toMatchObject({ status: 422, errors: [{ field: 'body.expiresAt' }] });
      const requested = await app.inject({
        method: 'POST',
        url: `/api/v1/findings/${id}/exceptions`,
        headers: admin.headers,
        payload: {
          owner: 'team-web',
          reason: 'vendor fix pending',
          expiresAt: '2026-12-01T00:00:00Z',
        },
      });
      expect(requested.statusCode).toBe(201);
      const exception = requested.json<ApiException>();
      expect(exception).toEqual({
        id: exception.id,
        findingId: id,
        assetId: hostId,
        advisoryId: expect.any(String) as string,
        owner: 'team-web',
        reason: 'vendor fix pending',
        expiresAt: '2026-12-01T00:00:00.000Z',
        state: 'requested',
        requestedBy: { id: admin.userId, name: admin.username },
        requestedAt: '2026-11-22T09:00:00.000Z',
        decidedBy: null,
        decidedAt: null,
        decisionNote: null,
        closedAt: null,
        finding: expect.objectContaining({ assetName: 'debian-host' }) as unknown,
      });
      const second = await app.inject({
        method: 'POST',
        url: `/api/v1/findings/${id}/exceptions`,
        headers: analyst.headers,
        payload: { owner: 'x', reason: 'y', expiresAt: '2026-12-01T00:00:00Z' },
      });
      expect(second.statusCode).toBe(409);
      const self = await app.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${exception.id}/approve`,
        headers: admin.headers,
        payload: {},
      });
      expect(self.json()).toMatchObject({
        status: 403,
        detail: expect.stringMatching(/You requested this exception/) as string,
      });
      const byViewer = await app.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${exception.id}/approve`,
        headers: viewer.headers,
        payload: {},
      });
      expect(byViewer.statusCode).toBe(403);
      const approved = await app.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${exception.id}/approve`,
        headers: approver.headers,
        payload: { note: 'ok until the vendor ships' },
      });
      expect(approved.json()).toMatchObject({
        state: 'approved',
        decidedBy: { id: approver.userId },
        decisionNote: 'ok until the vendor ships',
      });

      const accepted = (
        await app.inject({ url: '/api/v1/findings?accepted=true', headers: viewer.headers })
      ).json<FindingList>();
      expect(accepted.findings.map((f) => [f.id, f.accepted])).toEqual([
        [id, { exceptionId: exception.id, until: '2026-12-01T00:00:00.000Z' }],
      ]);
      const summary = (
        await app.inject({ url: '/api/v1/findings/summary', headers: viewer.headers })
      ).json<{ accepted: number; byPriority: Record<string, number> }>();
      expect(summary.accepted).toBe(1);
      expect(Object.values(summary.byPriority).reduce((a, b) => a + b, 0)).toBe(90);

      // Past the expiry: reads see it expired at once; the job makes it durable and audits it.
      clock.set('2026-12-01T00:00:01.000Z');
      expect(
        (
          await app.inject({
            url: `/api/v1/finding-exceptions/${exception.id}`,
            headers: viewer.headers,
          })
        ).json(),
      ).toMatchObject({ state: 'expired' });
      expect(
        (
          await app.inject({ url: '/api/v1/findings?accepted=true', headers: viewer.headers })
        ).json<FindingList>().findings,
      ).toEqual([]);
      expect(await expireExceptions(db, clock)).toEqual({ expired: 1 });
      expect(await expireExceptions(db, clock)).toEqual({ expired: 0 });
      const stored = await db.db
        .selectFrom('finding_exceptions')
        .select(['state', 'closed_at'])
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ state: 'expired', closed_at: '2026-12-01T00:00:01.000Z' });
      const detail = (
        await app.inject({ url: `/api/v1/findings/${id}`, headers: viewer.headers })
      ).json<FindingDetail>();
      expect(detail.history.map((h) => [h.action, h.actor])).toEqual([
        ['finding.detected', null],
        ['finding_exception.requested', admin.username],
        ['finding_exception.approved', approver.username],
        ['finding_exception.expired', 'system'],
      ]);

      // A new request, revoked by its requester.
      const again = (
        await app.inject({
          method: 'POST',
          url: `/api/v1/findings/${id}/exceptions`,
          headers: analyst.headers,
          payload: {
            owner: 'team-web',
            reason: 'still pending',
            expiresAt: '2027-01-01T00:00:00Z',
          },
        })
      ).json<ApiException>();
      const revokedByViewer = await app.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${again.id}/revoke`,
        headers: viewer.headers,
        payload: {},
      });
      expect(revokedByViewer.statusCode).toBe(403);
      const revoked = await app.inject({
        method: 'POST',
        url: `/api/v1/finding-exceptions/${again.id}/revoke`,
        headers: analyst.headers,
        payload: {},
      });
      expect(revoked.json()).toMatchObject({
        state: 'revoked',
        closedAt: '2026-12-01T00:00:01.000Z',
      });
      const list = (
        await app.inject({
          url: `/api/v1/finding-exceptions?findingId=${id}&limit=1`,
          headers: viewer.headers,
        })
      ).json<{ exceptions: ApiException[]; nextCursor: string | null }>();
      expect(list.exceptions.map((e) => e.state)).toEqual(['revoked']);
      const next = (
        await app.inject({
          url: `/api/v1/finding-exceptions?findingId=${id}&limit=1&cursor=${list.nextCursor}`,
          headers: viewer.headers,
        })
      ).json<{ exceptions: ApiException[] }>();
      expect(next.exceptions.map((e) => e.state)).toEqual(['expired']);
      // Each names its finding's asset and package as the findings list does (not ids only).
      const finding = (
        await app.inject({ url: `/api/v1/findings/${id}`, headers: viewer.headers })
      ).json<FindingDetail>();
      const named = {
        assetName: finding.asset.name,
        packageName: finding.package.name,
        packageVersion: finding.package.version,
        advisorySummary: finding.advisory.summary,
        priority: finding.priority,
      };
      expect(named.assetName).toBe('debian-host');
      expect(list.exceptions[0]?.finding).toEqual(named);
      expect(revoked.json<ApiException>().finding).toEqual(named);
      expect(finding.exceptions.map((e) => e.finding)).toEqual([named, named]);
      const one = await app.inject({
        url: `/api/v1/finding-exceptions/${again.id}`,
        headers: viewer.headers,
      });
      expect(one.json<ApiException>().finding).toEqual(named);
    },
  );

  it.skipIf(skip !== undefined)(
    'paginates thousands of rows in every sort order without gaps',
    async () => {
      const { app, db, viewer } = await setUp();
      await db.db.deleteFrom('findings').execute();
      const rows: FindingTable[] = Array.from({ length: 3000 }, (_, i) => {
        const due = i % 7 === 0 ? null : `2027-0${1 + (i % 9)}-1${i % 10}`;
        const epss = i % 5 === 0 ? null : ((i * 37) % 1000) / 1000;
        return {
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          asset_id: `asset-${i % 50}`,
          ecosystem: 'Go',
          package_name: `pkg-${i % 30}`,
          package_version: '1.0.0',
          source_name: null,
          advisory_id: `GO-2026-${i}`,
          advisory_summary: null,
          aliases_json: '[]',
          match_json: JSON.stringify({
            match: { ecosystem: 'Go', name: 'x', version: '1.0.0', by: 'range' },
            fixedVersions: [],
            cves: [],
            instances: [],
          }),
          state: i % 11 === 0 ? 'fixed' : 'open',
          first_seen_at: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00.000Z`,
          last_seen_at: '2026-11-22T00:00:00.000Z',
          snapshot_id: null,
          fixed_at: null,
          reopened_at: null,
          priority: `P${1 + (i % 5)}`,
          due_date: due,
          due_key: due ?? '9999-12-31',
          severity: 'high',
          kev: i % 13 === 0 ? 1 : 0,
          epss,
          epss_key: epss ?? -1,
          decision_json: '{}',
          asset_name: `a${i % 50}`,
          environment: 'production',
          criticality: 'high',
          exposure: 'internal',
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
          updated_at: '2026-11-22T00:00:00.000Z',
        };
      });
      for (let i = 0; i < rows.length; i += 100)
        await db.db
          .insertInto('findings')
          .values(rows.slice(i, i + 100))
          .execute();
      const orders: [string, (a: FindingTable, b: FindingTable) => number][] = [
        ['priority', (a, b) => cmp([a.priority, a.due_key, a.id], [b.priority, b.due_key, b.id])],
        ['due', (a, b) => cmp([a.due_key, a.id], [b.due_key, b.id])],
        ['epss', (a, b) => -cmp([a.epss_key, a.id], [b.epss_key, b.id])],
        ['first_seen', (a, b) => -cmp([a.first_seen_at, a.id], [b.first_seen_at, b.id])],
      ];
      for (const [sort, order] of orders) {
        const { seen, pages } = await allPages(app, viewer.headers, `sort=${sort}&status=all`, 500);
        expect({ sort, pages, ids: seen.map((f) => f.id) }).toEqual({
          sort,
          pages: 6,
          ids: [...rows].sort(order).map((r) => r.id),
        });
      }
      const kevOpen = await allPages(app, viewer.headers, 'sort=epss&kev=true&state=open', 37);
      expect(kevOpen.seen.map((f) => f.id)).toEqual(
        rows
          .filter((r) => r.kev === 1 && r.state === 'open')
          .sort(orders[2]![1])
          .map((r) => r.id),
      );
    },
  );
});

function cmp(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
