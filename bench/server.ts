/**
 * Benchmark: the server end to end, on the embedded SQLite file and on PostgreSQL (a throwaway
 * cluster), through the real HTTP app (fastify.inject with an admin API token) and the real
 * job runner. Phases: ingest (one bulk import, then one dpkg status upload per asset),
 * advisory sync (the real OSV archives as sources), reconcile (the queued per-asset jobs,
 * then the reconcile-all job the sync queued, which finds nothing to change), and the main
 * list queries' latency. The baseline of every PostgreSQL figure is SQLite in the same run.
 * The inventories are the real bookworm host's dpkg status, relabelled as Debian 10/11 where
 * drawn so (see stanzasFor) with some packages one real fix behind (see statusText).
 *
 * Sizes: PATCHGATE_BENCH_SERVER_ASSETS (default 1000), PATCHGATE_BENCH_SERVER_QUERIES
 * (requests per query, default 200), PATCHGATE_BENCH_SERVER_OSV (comma-separated directories
 * of advisories/osv, default Debian-derived-2023,Go,crates.io), and
 * PATCHGATE_BENCH_SERVER_QUERY_ASSETS (default: the fleet's size): before the queries, the
 * fleet's assets and findings are copied (new ids and names, same attributes) until there
 * are that many assets, so the queries run at 10,000 assets without 10,000 uploads. The copy
 * is followed by PostgreSQL's VACUUM ANALYZE, as autovacuum would do after such a load.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { criticalities, environments, exposures } from '@patchgate/model';
import { priorities } from '@patchgate/policy';
import { loadAdvisories } from '@patchgate/osv/node';
import { sql } from 'kysely';
import { registerAdvisoryJobs } from '../apps/server/src/contexts/advisories/index.ts';
import { findingJobKinds } from '../apps/server/src/contexts/findings/index.ts';
import { JobRunner } from '../apps/server/src/contexts/jobs/index.ts';
import { registerJobs } from '../apps/server/src/main.ts';
import type { Database } from '../apps/server/src/db/database.ts';
import { openPostgres, openSqlite } from '../apps/server/src/db/database.ts';
import { migrate } from '../apps/server/src/db/migrate.ts';
import { testApp } from '../apps/server/test/app.ts';
import { testCaller } from '../apps/server/test/auth.ts';
import {
  findPostgresBinaries,
  startPostgresCluster,
} from '../apps/server/test/postgres-cluster.ts';
import { random } from './scan-fleet.ts';
import { requireSharedData, sharedData } from './shared-data.ts';

const assetCount = Number(process.env['PATCHGATE_BENCH_SERVER_ASSETS'] ?? 1000);
const queryRuns = Number(process.env['PATCHGATE_BENCH_SERVER_QUERIES'] ?? 200);
const queryAssets = Number(process.env['PATCHGATE_BENCH_SERVER_QUERY_ASSETS'] ?? assetCount);
const warmUpRuns = 20;
const osvDirs = (process.env['PATCHGATE_BENCH_SERVER_OSV'] ?? 'Debian-derived-2023,Go,crates.io')
  .split(',')
  .map((dir) => dir.trim())
  .filter((dir) => dir !== '');

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const count = (n: number) => Math.round(n).toLocaleString('en');
const perSecond = (n: number, ms: number) => count(n / (ms / 1000));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Asset n of the fleet: its import entry and its dpkg status text (built when uploaded). */
interface FleetAsset {
  readonly entry: {
    name: string;
    osRelease: string;
    environment: (typeof environments)[number];
    criticality: (typeof criticalities)[number];
    exposure: (typeof exposures)[number];
    tags: string[];
    groups: string[];
  };
  readonly keep: number;
  readonly seed: number;
}

/**
 * The same fleet every run (fixed seed): Debian 10, 11 or 12 (declared on the asset, since a
 * dpkg status file does not say its release), 85–100 % of the real host's packages.
 */
function buildFleet(): FleetAsset[] {
  const next = random(20261122);
  return Array.from({ length: assetCount }, (_, n) => {
    const release = ['10', '11', '12'][Math.floor(next() * 3)] as string;
    return {
      entry: {
        name: `host-${String(n).padStart(5, '0')}`,
        osRelease: `Debian:${release}`,
        environment: environments[n % environments.length] ?? 'production',
        criticality: criticalities[Math.floor(next() * criticalities.length)] ?? 'medium',
        exposure: exposures[Math.floor(next() * exposures.length)] ?? 'unknown',
        tags: n % 5 === 0 ? ['pci'] : [],
        groups: [`wave-${n % 3}`],
      },
      keep: 0.85 + next() * 0.15,
      seed: 1000 + n,
    };
  });
}

/** The base-files version of each release's last point release (it names the release). */
const baseFilesVersions: Readonly<Record<string, string>> = {
  '10': '10.3+deb10u13',
  '11': '11.1+deb11u11',
};

/**
 * The real bookworm host's stanzas as a host of another release would report them: the
 * parser detects the release from the text (base-files, then `+debNNu` suffixes) and that
 * wins over the asset's declared osRelease, so the text itself must say Debian 10 or 11.
 * The package versions stay bookworm's, as in scan-fleet: the older releases' unfixed
 * advisories give the matches.
 */
function stanzasFor(stanzas: readonly string[], release: string): string[] {
  const baseFiles = baseFilesVersions[release];
  if (baseFiles === undefined) return [...stanzas];
  return stanzas.map((stanza) => {
    const text = stanza.replace(/([+~])deb12(?=u\d|\b)/g, `$1deb${release}`);
    return text.startsWith('Package: base-files\n')
      ? text.replace(/^Version: .*$/m, `Version: ${baseFiles}`)
      : text;
  });
}

/** Share of a Debian 10/11 host's packages with an advisory that missed a security update. */
const laggingShare = 0.25;

/** Fixed versions per release and source package, from the Debian archive's advisories. */
type FixedVersions = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

async function debianFixedVersions(): Promise<FixedVersions> {
  const path = sharedData('advisories/osv/Debian-derived-2023/all.zip');
  const byRelease = new Map<string, Map<string, string[]>>();
  if (!existsSync(path)) return byRelease;
  for (const record of (await loadAdvisories([path])).records) {
    for (const affected of record.affected) {
      const { ecosystem, name } = affected.package;
      const bySource = byRelease.get(ecosystem) ?? new Map<string, string[]>();
      byRelease.set(ecosystem, bySource);
      for (const range of affected.ranges)
        for (const event of range.events)
          if ('fixed' in event) bySource.set(name, [...(bySource.get(name) ?? []), event.fixed]);
    }
  }
  return byRelease;
}

/**
 * The dpkg status text of one asset: a deterministic sample of the real host's stanzas. On
 * Debian 10/11 a quarter of the packages an advisory names stay just below one of that
 * source package's real fixed versions (`fixed~` sorts before `fixed` in dpkg order): a host
 * behind on security updates. Bookworm's own versions are newer than every fix in the
 * archive (it stops at Debian 11), so without this the fleet would have no findings.
 */
function statusText(
  byRelease: ReadonlyMap<string, readonly string[]>,
  fixed: FixedVersions,
  asset: FleetAsset,
): string {
  const stanzas = byRelease.get(asset.entry.osRelease) ?? [];
  const fixes = fixed.get(asset.entry.osRelease);
  const next = random(asset.seed);
  const kept: string[] = [];
  for (const stanza of stanzas) {
    if (next() >= asset.keep) continue;
    const source =
      /^Source: (\S+)/m.exec(stanza)?.[1] ?? /^Package: (\S+)/m.exec(stanza)?.[1] ?? '';
    const versions = fixes?.get(source);
    if (versions === undefined || next() >= laggingShare) {
      kept.push(stanza);
      continue;
    }
    const version = `${versions[Math.floor(next() * versions.length)] ?? ''}~`;
    kept.push(
      stanza
        .replace(/^Version: .*$/m, `Version: ${version}`)
        .replace(/^(Source: \S+) \(.*\)$/m, '$1'),
    );
  }
  return kept.join('\n\n') + '\n';
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

interface QueryFigures {
  readonly name: string;
  readonly rows: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

interface Figures {
  readonly importMs: number;
  readonly ingestMs: number;
  readonly packages: number;
  readonly sizeAfterIngest: number;
  readonly syncMs: number;
  readonly records: number;
  readonly reconcileMs: number;
  readonly findings: number;
  readonly secondReconcileMs: number;
  readonly sizeAfterReconcile: number;
  readonly queries: readonly QueryFigures[];
  readonly targets: QueryTargets;
}

/** What the filtered queries ask for: chosen on the first database, reused on the second. */
interface QueryTargets {
  readonly priority: string;
  readonly packageName: string;
  readonly alias: string;
}

interface Target {
  readonly name: 'sqlite' | 'postgres';
  readonly database: Database;
  readonly size: () => Promise<number>;
}

type Inject = Awaited<ReturnType<typeof testApp>>['app']['inject'];

async function call(
  inject: Inject,
  headers: Record<string, string>,
  method: 'GET' | 'POST',
  url: string,
  expected: number,
  payload?: string | object,
): Promise<unknown> {
  const response = await inject({
    method,
    url,
    headers,
    ...(payload !== undefined && { payload }),
  });
  if (response.statusCode !== expected) {
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body.slice(0, 500)}`);
  }
  return response.body === '' ? undefined : (JSON.parse(response.body) as unknown);
}

/**
 * Copy every asset and its findings `factor - 1` times: the same attributes under new ids
 * (the first 8 hex digits replaced) and names (`-r<copy>`), so the findings lists and the
 * summary work on `factor` times the fleet. Returns `factor`.
 */
async function replicate(database: Database, factor: number): Promise<number> {
  const { db, dialect } = database;
  const findingColumns = Object.keys(
    await db.selectFrom('findings').selectAll().limit(1).executeTakeFirstOrThrow(),
  );
  const assetColumns = Object.keys(
    await db.selectFrom('assets').selectAll().limit(1).executeTakeFirstOrThrow(),
  );
  for (let copy = 1; copy < factor; copy++) {
    const prefix = copy.toString(16).padStart(8, '0');
    const newId = (column: string) => `'${prefix}' || substr(${column}, 9)`;
    const select = (columns: string[], replace: Record<string, string>) =>
      columns.map((c) => replace[c] ?? c).join(', ');
    await sql
      .raw(
        `insert into findings (${findingColumns.join(', ')}) select ${select(findingColumns, {
          id: newId('id'),
          asset_id: newId('asset_id'),
          asset_name: `asset_name || '-r${copy}'`,
        })} from findings where substr(id, 1, 8) not like '0000%'`,
      )
      .execute(db);
    await sql
      .raw(
        `insert into finding_asset_groups (asset_id, group_name) select ${newId('asset_id')}, group_name ` +
          `from finding_asset_groups where substr(asset_id, 1, 8) not like '0000%'`,
      )
      .execute(db);
    await sql
      .raw(
        `insert into assets (${assetColumns.join(', ')}) select ${select(assetColumns, {
          id: newId('id'),
          name: `name || '-r${copy}'`,
        })} from assets where substr(id, 1, 8) not like '0000%'`,
      )
      .execute(db);
    await sql
      .raw(
        `insert into asset_labels (asset_id, label_kind, value) select ${newId('asset_id')}, label_kind, value ` +
          `from asset_labels where substr(asset_id, 1, 8) not like '0000%'`,
      )
      .execute(db);
  }
  // A write behind the findings context's back: say so, as its own writes do (summary cache).
  await sql.raw(`update findings_version set version = version + 1`).execute(db);
  if (dialect === 'postgres') await sql.raw('vacuum analyze').execute(db);
  return factor;
}

async function runOn(
  target: Target,
  fleet: readonly FleetAsset[],
  stanzas: ReadonlyMap<string, readonly string[]>,
  fixed: FixedVersions,
  given?: QueryTargets,
): Promise<Figures> {
  const { database, name } = target;
  const tag = name.padEnd(8);
  await migrate(database.db, database.dialect);
  // A settable clock: detection on one day, queries later, so some findings are overdue.
  let now = new Date('2026-11-22T09:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const built = await testApp(database, clock);
  const { context } = built;
  const inject: Inject = built.app.inject.bind(built.app);
  const caller = await testCaller(database, ['admin']);
  const headers = caller.headers;
  const get = (url: string) => call(inject, headers, 'GET', url, 200);

  try {
    // 1. Ingest: one bulk import, then one upload per asset.
    let started = performance.now();
    await call(
      inject,
      headers,
      'POST',
      '/api/v1/assets/import',
      200,
      fleet.map((a) => a.entry),
    );
    const importMs = performance.now() - started;
    const ids = new Map<string, string>();
    let cursor: string | null = null;
    do {
      const page = (await get(
        `/api/v1/assets?limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      )) as { assets: { id: string; name: string }[]; nextCursor: string | null };
      for (const asset of page.assets) ids.set(asset.name, asset.id);
      cursor = page.nextCursor;
    } while (cursor !== null);
    say(`${tag} import ${count(fleet.length)} assets in one bulk import: ${seconds(importMs)}`);

    let packages = 0;
    let uploadMs = 0;
    for (const [n, asset] of fleet.entries()) {
      const id = ids.get(asset.entry.name);
      if (id === undefined) throw new Error(`${asset.entry.name} was not imported`);
      const text = statusText(stanzas, fixed, asset); // built outside the timing
      started = performance.now();
      const summary = (await call(
        inject,
        { ...headers, 'content-type': 'text/plain' },
        'POST',
        `/api/v1/assets/${id}/inventory?format=dpkg-status&name=status`,
        201,
        text,
      )) as { packageCount: number; os: { ecosystem?: string } | null; warnings: string[] };
      uploadMs += performance.now() - started;
      packages += summary.packageCount;
      if (summary.os?.ecosystem !== asset.entry.osRelease || summary.warnings.length > 0) {
        throw new Error(
          `${asset.entry.name}: detected ${summary.os?.ecosystem ?? 'no release'} for ${asset.entry.osRelease}; warnings ${JSON.stringify(summary.warnings)}`,
        );
      }
      if ((n + 1) % 250 === 0 && n + 1 < fleet.length)
        say(`${tag}   … ${count(n + 1)} uploads, ${seconds(uploadMs)}`);
    }
    const sizeAfterIngest = await target.size();
    const ingestMs = importMs + uploadMs;
    say(
      `${tag} ingest ${count(fleet.length)} dpkg status uploads, ${count(packages)} packages ` +
        `(${count(packages / fleet.length)} per asset) in ${seconds(uploadMs)} ` +
        `= ${perSecond(fleet.length, uploadMs)} uploads/s, ${perSecond(packages, uploadMs)} packages/s; ` +
        `with the import ${seconds(ingestMs)}; database ${mib(sizeAfterIngest)}`,
    );

    // 2. Advisories: each archive a source, synced by the real job (advisories only here).
    now = new Date('2026-11-22T09:01:00.000Z');
    const syncRunner = new JobRunner(context, {
      workerId: 'bench-sync',
      concurrency: 1,
      leaseSeconds: 3600,
      pollMs: 1000,
    });
    registerAdvisoryJobs(syncRunner, context);
    let syncMs = 0;
    let records = 0;
    for (const dir of osvDirs) {
      const path = join(sharedData(`advisories/osv/${dir}`), 'all.zip');
      if (!existsSync(path)) {
        say(`${tag} SKIP source ${dir}: ${path} is absent`);
        continue;
      }
      const source = (await call(inject, headers, 'POST', '/api/v1/advisory-sources', 201, {
        name: `osv-${dir}`,
        kind: 'osv-zip',
        path,
      })) as { id: string };
      const requested = (await call(
        inject,
        headers,
        'POST',
        `/api/v1/advisory-sources/${source.id}/sync`,
        202,
      )) as { jobId: string };
      started = performance.now();
      const outcome = await syncRunner.runOnce();
      const ms = performance.now() - started;
      if (outcome?.id !== requested.jobId || outcome.state !== 'succeeded') {
        throw new Error(`sync of ${dir}: ${JSON.stringify(outcome)}`);
      }
      const job = (await get(`/api/v1/jobs/${requested.jobId}`)) as {
        result: { counts: { read: number; new: number; errors: number } };
      };
      const { counts } = job.result;
      syncMs += ms;
      records += counts.read;
      say(
        `${tag} sync   ${dir}: ${count(counts.read)} records (${count(counts.new)} new, ` +
          `${count(counts.errors)} errors) in ${seconds(ms)} = ${perSecond(counts.read, ms)} records/s`,
      );
    }
    say(
      `${tag} sync   total ${count(records)} records in ${seconds(syncMs)} = ${perSecond(records, syncMs)} records/s`,
    );

    // 3. Reconcile: the uploads' events are delivered (one coalesced reconcile-asset job per
    // asset), the reconciles run, then the syncs' events bring one reconcile-all, which must
    // change nothing. The clock steps back half a minute so the per-asset jobs (created now)
    // come before the sync events (created at 09:01) in the queue's order.
    now = new Date('2026-11-22T09:00:30.000Z');
    const findingRunner = new JobRunner(context, {
      workerId: 'bench-findings',
      concurrency: 1,
      leaseSeconds: 3600,
      pollMs: 1000,
    });
    registerJobs(findingRunner, context);
    let reconcileMs = 0;
    let deliveryMs = 0;
    let reconciled = 0;
    let secondReconcileMs = 0;
    let secondResult: unknown;
    for (;;) {
      started = performance.now();
      let outcome = await findingRunner.runOnce();
      if (outcome === undefined && now.getTime() < Date.parse('2026-11-22T09:01:30.000Z')) {
        // The per-asset work is done: now the sync events (09:01) are due.
        now = new Date('2026-11-22T09:01:30.000Z');
        outcome = await findingRunner.runOnce();
      }
      const ms = performance.now() - started;
      if (outcome === undefined) break;
      if (outcome.state !== 'succeeded') throw new Error(`reconcile: ${JSON.stringify(outcome)}`);
      if (outcome.kind === findingJobKinds.reconcileAsset) {
        reconcileMs += ms;
        reconciled++;
        if (reconciled % 250 === 0 && reconciled < fleet.length)
          say(`${tag}   … ${count(reconciled)} assets reconciled, ${seconds(reconcileMs)}`);
      } else if (outcome.kind === findingJobKinds.reconcileAll && secondResult === undefined) {
        secondReconcileMs = ms;
        secondResult = ((await get(`/api/v1/jobs/${outcome.id}`)) as { result: unknown }).result;
      } else if (outcome.kind.startsWith('event:inventory.')) {
        deliveryMs += ms;
      }
      // Further reconcile-all jobs (none when coalesced) run too, untimed.
    }
    reconcileMs += deliveryMs;
    const summary = (await get('/api/v1/findings/summary')) as {
      total: number;
      byPriority: Record<string, number>;
    };
    const sizeAfterReconcile = await target.size();
    say(
      `${tag} reconcile ${count(reconciled)} assets (reconcile-asset jobs) in ${seconds(reconcileMs)}: ` +
        `${count(summary.total)} findings rows = ${perSecond(summary.total, reconcileMs)} rows/s, ` +
        `${perSecond(reconciled, reconcileMs)} assets/s; database ${mib(sizeAfterReconcile)}`,
    );
    say(
      `${tag} of which delivering the ${count(fleet.length)} upload events ${seconds(deliveryMs)}; ` +
        `ingest with reconciliation ${seconds(ingestMs + reconcileMs)} (target < 60 s on SQLite)`,
    );
    say(
      `${tag} reconcile again (reconcile-all job, nothing changed) in ${seconds(secondReconcileMs)} ` +
        `(${(reconcileMs / secondReconcileMs).toFixed(1)}x faster): ${JSON.stringify(secondResult)}`,
    );

    // 4. Queries, a few weeks later (some findings are overdue by then).
    if (queryAssets > fleet.length) {
      started = performance.now();
      const copies = await replicate(database, Math.ceil(queryAssets / fleet.length));
      const after = (await get('/api/v1/findings/summary')) as { total: number };
      say(
        `${tag} copied the fleet to ${count(copies * fleet.length)} assets, ${count(after.total)} findings rows ` +
          `(${seconds(performance.now() - started)}), for the queries`,
      );
    }
    now = new Date('2027-01-15T09:00:00.000Z');
    const first = (await get('/api/v1/findings?limit=100')) as {
      findings: { package: { name: string }; advisory: { id: string; aliases: string[] } }[];
      nextCursor: string | null;
    };
    const top = first.findings[0];
    const targets: QueryTargets = given ?? {
      priority: priorities.find((p) => (summary.byPriority[p] ?? 0) > 0) ?? 'P1',
      packageName: top?.package.name ?? 'none',
      alias: top?.advisory.aliases[0] ?? top?.advisory.id ?? 'none',
    };
    const { priority: urgent, packageName, alias } = targets;
    const queries: [string, string][] = [
      ['findings default (priority, 100)', '/api/v1/findings?limit=100'],
      [
        'findings env + priority',
        `/api/v1/findings?environment=production&priority=${urgent}&limit=100`,
      ],
      ['findings overdue', '/api/v1/findings?overdue=true&limit=100'],
      [
        'findings by package',
        `/api/v1/findings?package=${encodeURIComponent(packageName)}&limit=100`,
      ],
      [
        'findings by advisory alias',
        `/api/v1/findings?advisory=${encodeURIComponent(alias)}&limit=100`,
      ],
      [
        'findings second page (cursor)',
        `/api/v1/findings?limit=100${first.nextCursor === null ? '' : `&cursor=${encodeURIComponent(first.nextCursor)}`}`,
      ],
      ['findings summary', '/api/v1/findings/summary'],
      [
        'assets env=production crit=high',
        '/api/v1/assets?environment=production&criticality=high&limit=100',
      ],
    ];
    say(
      `${tag} query targets: environment=production&priority=${urgent}, package=${packageName}, ` +
        `advisory=${alias}, today ${now.toISOString().slice(0, 10)}`,
    );
    const figures: QueryFigures[] = [];
    for (const [label, url] of queries) {
      const body = (await get(url)) as { findings?: unknown[]; assets?: unknown[]; total?: number };
      const rows = body.findings?.length ?? body.assets?.length ?? body.total ?? 0;
      for (let i = 0; i < warmUpRuns; i++) await get(url);
      const times: number[] = [];
      for (let i = 0; i < queryRuns; i++) {
        started = performance.now();
        await get(url);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      figures.push({
        name: label,
        rows,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
      });
    }
    const width = Math.max(...figures.map((f) => f.name.length));
    say(`${tag} queries, ${queryRuns} requests each after ${warmUpRuns} warm-up (ms):`);
    say(`${tag}   ${'query'.padEnd(width)}   rows     p50     p95     p99`);
    for (const f of figures) {
      say(
        `${tag}   ${f.name.padEnd(width)} ${String(f.rows).padStart(6)} ${f.p50.toFixed(1).padStart(7)} ` +
          `${f.p95.toFixed(1).padStart(7)} ${f.p99.toFixed(1).padStart(7)}`,
      );
    }
    return {
      importMs,
      ingestMs,
      packages,
      sizeAfterIngest,
      syncMs,
      records,
      reconcileMs,
      findings: summary.total,
      secondReconcileMs,
      sizeAfterReconcile,
      queries: figures,
      targets,
    };
  } finally {
    await built.app.close();
  }
}

export async function benchServer(): Promise<void> {
  if (!requireSharedData('server')) return;
  const statusPath = sharedData('inventories/debian-bookworm-host/dpkg-status');
  if (!existsSync(statusPath)) {
    say(`SKIP server: ${statusPath} is absent`);
    return;
  }
  const real = readFileSync(statusPath, 'utf8')
    .split(/\n\s*\n/)
    .map((stanza) => stanza.trim())
    .filter((stanza) => stanza !== '');
  const stanzas = new Map(
    ['10', '11', '12'].map((release) => [`Debian:${release}`, stanzasFor(real, release)]),
  );
  const fleet = buildFleet();
  const fixed = await debianFixedVersions();
  say(
    `fleet  ${count(fleet.length)} assets (Debian 10/11/12, 85–100 % of the ${real.length} packages of a real ` +
      `bookworm host each, on 10/11 ${laggingShare * 100} % of those with an advisory one fix behind); OSV sources: ${osvDirs.join(', ')}; uploads sent one at a time`,
  );
  const results = new Map<string, Figures>();

  const dir = mkdtempSync(join(tmpdir(), 'patchgate-bench-sqlite-'));
  const file = join(dir, 'patchgate.sqlite');
  const sqlite = openSqlite(file);
  try {
    const size = () =>
      Promise.resolve(
        [file, `${file}-wal`].reduce(
          (sum, path) => sum + (existsSync(path) ? statSync(path).size : 0),
          0,
        ),
      );
    results.set(
      'sqlite',
      await runOn({ name: 'sqlite', database: sqlite, size }, fleet, stanzas, fixed),
    );
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  if (findPostgresBinaries() === undefined) {
    say(
      'SKIP postgres: PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql to compare',
    );
  } else {
    const cluster = startPostgresCluster();
    const postgres = openPostgres(cluster.url, 10);
    try {
      const size = async () => {
        const result = await sql<{
          size: string;
        }>`select pg_database_size(current_database())::text as size`.execute(postgres.db);
        return Number(result.rows[0]?.size ?? 0);
      };
      results.set(
        'postgres',
        await runOn(
          { name: 'postgres', database: postgres, size },
          fleet,
          stanzas,
          fixed,
          results.get('sqlite')?.targets,
        ),
      );
    } finally {
      await postgres.close();
      cluster.stop();
    }
  }

  const base = results.get('sqlite');
  const pg = results.get('postgres');
  if (base === undefined || pg === undefined) return;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  say('ratio  PostgreSQL / SQLite (time: above 1 means PostgreSQL is slower):');
  say(
    `ratio    ingest ${ratio(pg.ingestMs, base.ingestMs)}, sync ${ratio(pg.syncMs, base.syncMs)}, ` +
      `reconcile ${ratio(pg.reconcileMs, base.reconcileMs)}, reconcile again ${ratio(pg.secondReconcileMs, base.secondReconcileMs)}, ` +
      `size after reconcile ${ratio(pg.sizeAfterReconcile, base.sizeAfterReconcile)}`,
  );
  const width = Math.max(...base.queries.map((q) => q.name.length));
  for (const q of base.queries) {
    const other = pg.queries.find((p) => p.name === q.name);
    if (other === undefined) continue;
    say(
      `ratio    ${q.name.padEnd(width)} p50 ${ratio(other.p50, q.p50)}  p95 ${ratio(other.p95, q.p95)}`,
    );
  }
}
