/**
 * Typed queries on the advisories context's tables. Stores are written batch by batch, each
 * batch in the caller's transaction: a delta against what is stored (insert new ids, replace
 * those whose `modified` changed, leave the rest), so a re-run of the same data writes nothing.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { OsvRecord } from '@patchgate/osv';
import { fixedCveIds } from '@patchgate/osv';
import { packageNameKey } from '@patchgate/matcher';
import type { VulnerabilityFacts } from '@patchgate/sources';
import { mergeFacts } from '@patchgate/sources';
import type { DatabaseSchema } from '../../db/schema.ts';
import type {
  AdvisorySourceTable,
  AdvisorySourceUrlTable,
  AdvisoryTable,
  SyncRunTable,
} from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type SourceRow = Selectable<AdvisorySourceTable>;
export type SyncRunRow = Selectable<SyncRunTable>;
export type AdvisoryRow = Selectable<AdvisoryTable>;
export type SourceUrlRow = Selectable<AdvisorySourceUrlTable>;

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// --- sources ---------------------------------------------------------------------------

export async function findSource(db: Executor, id: string): Promise<SourceRow | undefined> {
  return db.selectFrom('advisory_sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findSourceByName(db: Executor, name: string): Promise<SourceRow | undefined> {
  return db.selectFrom('advisory_sources').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listSources(db: Executor): Promise<SourceRow[]> {
  return db.selectFrom('advisory_sources').selectAll().orderBy('name').execute();
}

export async function insertSource(db: Executor, row: SourceRow): Promise<void> {
  await db.insertInto('advisory_sources').values(row).execute();
}

export async function updateSource(
  db: Executor,
  id: string,
  changes: Partial<Omit<SourceRow, 'id'>>,
): Promise<SourceRow | undefined> {
  return db
    .updateTable('advisory_sources')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Delete a source, its runs (cascade) and the advisories it last wrote; returns how many. */
export async function deleteSource(db: Executor, id: string): Promise<number> {
  const deleted = await db.deleteFrom('advisories').where('source_id', '=', id).executeTakeFirst();
  await db.deleteFrom('advisory_sources').where('id', '=', id).execute();
  return Number(deleted.numDeletedRows);
}

// --- url sources (migration 0010) -----------------------------------------------------

export async function findSourceUrl(
  db: Executor,
  sourceId: string,
): Promise<SourceUrlRow | undefined> {
  return db
    .selectFrom('advisory_source_urls')
    .selectAll()
    .where('source_id', '=', sourceId)
    .executeTakeFirst();
}

export async function listSourceUrls(db: Executor): Promise<SourceUrlRow[]> {
  return db.selectFrom('advisory_source_urls').selectAll().execute();
}

export async function findSourceUrlByCatalogue(
  db: Executor,
  catalogueId: string,
): Promise<SourceUrlRow | undefined> {
  return db
    .selectFrom('advisory_source_urls')
    .selectAll()
    .where('catalogue_id', '=', catalogueId)
    .executeTakeFirst();
}

export async function insertSourceUrl(db: Executor, row: SourceUrlRow): Promise<void> {
  await db.insertInto('advisory_source_urls').values(row).execute();
}

export async function updateSourceUrl(
  db: Executor,
  sourceId: string,
  changes: Partial<Omit<SourceUrlRow, 'source_id'>>,
): Promise<void> {
  await db
    .updateTable('advisory_source_urls')
    .set(changes)
    .where('source_id', '=', sourceId)
    .execute();
}

// --- sync runs -------------------------------------------------------------------------

export async function findSyncRun(db: Executor, id: string): Promise<SyncRunRow | undefined> {
  return db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findSyncRunByJob(
  db: Executor,
  jobId: string,
): Promise<SyncRunRow | undefined> {
  return db.selectFrom('sync_runs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
}

export async function insertSyncRun(db: Executor, row: SyncRunRow): Promise<void> {
  await db.insertInto('sync_runs').values(row).execute();
}

export async function updateSyncRun(
  db: Executor,
  id: string,
  changes: Partial<Omit<SyncRunRow, 'id'>>,
): Promise<void> {
  await db.updateTable('sync_runs').set(changes).where('id', '=', id).execute();
}

export interface SyncRunFilter {
  readonly sourceId?: string | undefined;
  readonly state?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Newest first; one more row than asked, so the caller knows whether a next page exists. */
export async function listSyncRuns(db: Executor, filter: SyncRunFilter): Promise<SyncRunRow[]> {
  let query = db
    .selectFrom('sync_runs')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .offset(filter.offset);
  if (filter.sourceId !== undefined) query = query.where('source_id', '=', filter.sourceId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return query.execute();
}

// --- the data version ------------------------------------------------------------------

export async function dataVersion(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('advisory_data_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

export async function bumpDataVersion(db: Executor): Promise<void> {
  await db
    .updateTable('advisory_data_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

// --- advisories ------------------------------------------------------------------------

export interface BatchCounts {
  new: number;
  updated: number;
  unchanged: number;
  /** Stored in this batch (new or updated) and withdrawn. */
  withdrawn: number;
}

/** Every key a search by alias should find the record under (its id aside). */
function aliasKeys(record: OsvRecord): string[] {
  const keys = new Set([...record.aliases, ...record.upstream, ...fixedCveIds(record)]);
  keys.delete(record.id);
  return [...keys].filter((key) => key !== '');
}

function packageRows(record: OsvRecord) {
  const seen = new Map<string, { ecosystem: string; name: string; name_key: string }>();
  for (const affected of record.affected) {
    const ecosystem = affected.package.ecosystem.trim();
    const { name } = affected.package;
    if (ecosystem === '' || name === '') continue;
    seen.set(JSON.stringify([ecosystem, name]), {
      ecosystem,
      name,
      name_key: packageNameKey(ecosystem, name),
    });
  }
  return [...seen.values()].map((row) => ({ advisory_id: record.id, ...row }));
}

function advisoryRow(record: OsvRecord, sourceId: string, now: string): AdvisoryRow {
  return {
    id: record.id,
    modified: record.modified,
    published: record.published ?? null,
    withdrawn: record.withdrawn ?? null,
    summary: record.summary ?? null,
    aliases_json: JSON.stringify(record.aliases),
    cves_json: JSON.stringify(fixedCveIds(record)),
    record_json: JSON.stringify(record),
    source_id: sourceId,
    stored_at: now,
  };
}

/** Store one batch of records (unique ids) as a delta against the stored rows. */
export async function storeAdvisoryBatch(
  trx: Executor,
  records: readonly OsvRecord[],
  sourceId: string,
  now: string,
): Promise<BatchCounts> {
  const counts: BatchCounts = { new: 0, updated: 0, unchanged: 0, withdrawn: 0 };
  if (records.length === 0) return counts;
  const stored = new Map(
    (
      await trx
        .selectFrom('advisories')
        .select(['id', 'modified'])
        .where(
          'id',
          'in',
          records.map((r) => r.id),
        )
        .execute()
    ).map((row) => [row.id, row.modified]),
  );
  const inserts: OsvRecord[] = [];
  const updates: OsvRecord[] = [];
  for (const record of records) {
    const modified = stored.get(record.id);
    if (modified === undefined) inserts.push(record);
    else if (modified !== record.modified) updates.push(record);
    else counts.unchanged++;
  }
  counts.new = inserts.length;
  counts.updated = updates.length;
  counts.withdrawn = [...inserts, ...updates].filter((r) => r.withdrawn !== undefined).length;

  if (updates.length > 0) {
    const ids = updates.map((r) => r.id);
    await trx.deleteFrom('advisory_packages').where('advisory_id', 'in', ids).execute();
    await trx.deleteFrom('advisory_aliases').where('advisory_id', 'in', ids).execute();
    for (const record of updates) {
      const { id, ...row } = advisoryRow(record, sourceId, now);
      await trx.updateTable('advisories').set(row).where('id', '=', id).execute();
    }
  }
  for (const chunk of chunks(inserts, INSERT_CHUNK)) {
    await trx
      .insertInto('advisories')
      .values(chunk.map((r) => advisoryRow(r, sourceId, now)))
      .execute();
  }
  const written = [...inserts, ...updates];
  for (const chunk of chunks(written.flatMap(packageRows), INSERT_CHUNK)) {
    await trx.insertInto('advisory_packages').values(chunk).execute();
  }
  const aliases = written.flatMap((r) =>
    aliasKeys(r).map((alias) => ({ alias, advisory_id: r.id })),
  );
  for (const chunk of chunks(aliases, INSERT_CHUNK)) {
    await trx.insertInto('advisory_aliases').values(chunk).execute();
  }
  return counts;
}

export interface AdvisorySearch {
  /** An advisory id or alias (CVE, GHSA…). */
  readonly q?: string | undefined;
  readonly ecosystem?: string | undefined;
  readonly package?: string | undefined;
  /** Cursor: ids after this one. */
  readonly after?: string | undefined;
  readonly limit: number;
}

/** By id order; one more row than asked, so the caller knows whether a next page exists. */
export async function searchAdvisories(
  db: Executor,
  search: AdvisorySearch,
): Promise<AdvisoryRow[]> {
  let query = db
    .selectFrom('advisories')
    .selectAll()
    .orderBy('id')
    .limit(search.limit + 1);
  const q = search.q;
  if (q !== undefined) {
    // CVE ids are upper case by definition; GHSA ids keep their lower-case body.
    const spellings = [...new Set([q, /^cve-/i.test(q) ? q.toUpperCase() : q])];
    query = query.where((eb) =>
      eb.or([
        eb('id', 'in', spellings),
        eb(
          'id',
          'in',
          eb.selectFrom('advisory_aliases').select('advisory_id').where('alias', 'in', spellings),
        ),
      ]),
    );
  }
  if (search.ecosystem !== undefined) {
    const ecosystem = search.ecosystem;
    const name = search.package;
    query = query.where('id', 'in', (eb) => {
      let packages = eb
        .selectFrom('advisory_packages')
        .select('advisory_id')
        .where('ecosystem', '=', ecosystem);
      if (name !== undefined) {
        packages = packages.where('name_key', '=', packageNameKey(ecosystem, name));
      }
      return packages;
    });
  }
  if (search.after !== undefined) query = query.where('id', '>', search.after);
  return query.execute();
}

export async function findAdvisory(db: Executor, id: string): Promise<AdvisoryRow | undefined> {
  return db.selectFrom('advisories').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every stored record that is not withdrawn, in id order, a page at a time. */
export async function* activeRecords(db: Executor, pageSize = 2000): AsyncGenerator<OsvRecord> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('advisories')
      .select(['id', 'record_json'])
      .where('withdrawn', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield JSON.parse(row.record_json) as OsvRecord;
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    after = last.id;
  }
}

// --- vulnerability facts ---------------------------------------------------------------

/**
 * Merge one batch of facts (unique CVEs) into the stored ones with `mergeFacts`: facts of
 * other sources (KEV vs EPSS vs CVE 5) are kept, and merging the same facts again changes
 * nothing, so a re-run counts every CVE unchanged.
 */
export async function storeFactsBatch(
  trx: Executor,
  facts: readonly VulnerabilityFacts[],
  now: string,
): Promise<BatchCounts> {
  const counts: BatchCounts = { new: 0, updated: 0, unchanged: 0, withdrawn: 0 };
  if (facts.length === 0) return counts;
  const stored = new Map(
    (
      await trx
        .selectFrom('vulnerability_facts')
        .select(['cve', 'facts_json'])
        .where(
          'cve',
          'in',
          facts.map((f) => f.cve),
        )
        .execute()
    ).map((row) => [row.cve, row.facts_json]),
  );
  const writes: { cve: string; facts_json: string; updated_at: string }[] = [];
  for (const fact of facts) {
    const current = stored.get(fact.cve);
    const maps = [new Map([[fact.cve, fact]])];
    if (current !== undefined) {
      maps.unshift(new Map([[fact.cve, JSON.parse(current) as VulnerabilityFacts]]));
    }
    const merged = JSON.stringify(mergeFacts(...maps).get(fact.cve));
    if (current === undefined) counts.new++;
    else if (current !== merged) counts.updated++;
    else {
      counts.unchanged++;
      continue;
    }
    writes.push({ cve: fact.cve, facts_json: merged, updated_at: now });
  }
  for (const chunk of chunks(writes, INSERT_CHUNK)) {
    await trx
      .insertInto('vulnerability_facts')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('cve').doUpdateSet((eb) => ({
          facts_json: eb.ref('excluded.facts_json'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  return counts;
}

export async function factsOf(
  db: Executor,
  cves: readonly string[],
): Promise<Map<string, VulnerabilityFacts>> {
  const out = new Map<string, VulnerabilityFacts>();
  for (const chunk of chunks([...new Set(cves)], INSERT_CHUNK)) {
    const rows = await db
      .selectFrom('vulnerability_facts')
      .select(['cve', 'facts_json'])
      .where('cve', 'in', chunk)
      .execute();
    for (const row of rows) out.set(row.cve, JSON.parse(row.facts_json) as VulnerabilityFacts);
  }
  return out;
}

/** Rows per table, for tests and diagnostics. */
export async function tableCounts(db: Executor): Promise<Record<string, number>> {
  const tables = [
    'advisories',
    'advisory_packages',
    'advisory_aliases',
    'vulnerability_facts',
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables) {
    const row = await db
      .selectFrom(table)
      .select(sql<string | number>`count(*)`.as('n'))
      .executeTakeFirst();
    out[table] = Number(row?.n ?? 0);
  }
  return out;
}
