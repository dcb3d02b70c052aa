import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { testDatabases } from '../../../test/databases.ts';
import { settledTriageStates } from './model.ts';
import type { FindingFilters } from './repository.ts';
import { bumpFindingsVersion, countFindings, insertFindings } from './repository.ts';
import { summariseFindings } from './service.ts';
import { settableClock } from '../jobs/test-support.ts';
import type { FindingTable } from './tables.ts';

const now = '2027-01-15T09:00:00.000Z';
const states = ['open', 'reopened', 'fixed'];
const triage = [null, 'in_triage', 'not_affected', 'false_positive', 'resolved', 'exploitable'];
const accepted = [null, '2027-06-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', now];
const due = ['9999-12-31', '2027-01-14', '2027-01-15', '2026-12-31', '2027-02-01'];

/** Every combination of what the summary counts by, on varied priorities and environments. */
function rows(): FindingTable[] {
  const out: FindingTable[] = [];
  let i = 0;
  for (const state of states)
    for (const triageState of triage)
      for (const acceptedUntil of accepted)
        for (const dueKey of due) {
          i++;
          out.push({
            id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            asset_id: `asset-${i % 7}`,
            ecosystem: 'Go',
            package_name: `pkg-${i % 5}`,
            package_version: '1.0.0',
            source_name: null,
            advisory_id: `GO-2026-${i}`,
            advisory_summary: null,
            aliases_json: '[]',
            match_json: '{}',
            state,
            first_seen_at: '2026-11-01T00:00:00.000Z',
            last_seen_at: '2026-11-22T00:00:00.000Z',
            snapshot_id: null,
            fixed_at: null,
            reopened_at: null,
            priority: `P${1 + (i % 5)}`,
            due_date: dueKey === '9999-12-31' ? null : dueKey,
            due_key: dueKey,
            severity: 'high',
            kev: 0,
            epss: null,
            epss_key: -1,
            decision_json: '{}',
            asset_name: `a${i % 7}`,
            environment: i % 3 === 0 ? 'production' : 'staging',
            criticality: 'high',
            exposure: 'internal',
            groups_json: '[]',
            tags_json: '[]',
            triage_state: triageState,
            triage_justification: null,
            triage_detail: null,
            triage_by: null,
            triage_at: null,
            exception_id: null,
            accepted_until: acceptedUntil,
            fixed_by_change_id: null,
            updated_at: now,
          });
        }
  return out;
}

/** The summary's definitions (findings readme), row by row: the oracle. */
function expected(all: readonly FindingTable[], filter: (row: FindingTable) => boolean) {
  const live = (r: FindingTable) => r.state === 'open' || r.state === 'reopened';
  const isAccepted = (r: FindingTable) => r.accepted_until !== null && r.accepted_until > now;
  const settled = (r: FindingTable) =>
    r.triage_state !== null && (settledTriageStates as readonly string[]).includes(r.triage_state);
  const actionable = (r: FindingTable) => live(r) && !isAccepted(r) && !settled(r);
  const chosen = all.filter(filter);
  const tally = (list: readonly FindingTable[], key: (r: FindingTable) => string) => {
    const out: Record<string, number> = {};
    for (const r of list) out[key(r)] = (out[key(r)] ?? 0) + 1;
    return out;
  };
  return {
    total: chosen.length,
    byState: tally(chosen, (r) => r.state),
    byPriority: tally(chosen.filter(actionable), (r) => r.priority),
    accepted: chosen.filter((r) => live(r) && isAccepted(r)).length,
    triagedAway: chosen.filter((r) => live(r) && settled(r)).length,
    overdue: chosen.filter((r) => actionable(r) && r.due_key < now.slice(0, 10)).length,
  };
}

describe.each(testDatabases())('countFindings on $name', ({ open, skip }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it.skipIf(skip !== undefined).each<[string, FindingFilters, (row: FindingTable) => boolean]>([
    ['no filter', {}, () => true],
    ['an environment', { environment: ['production'] }, (r) => r.environment === 'production'],
    ['a priority', { priority: ['P1', 'P3'] }, (r) => r.priority === 'P1' || r.priority === 'P3'],
  ])('counts every figure of the summary in one pass (%s)', async (_name, filters, filter) => {
    database = await open();
    const all = rows();
    for (let i = 0; i < all.length; i += 100)
      await insertFindings(database.db, all.slice(i, i + 100));
    expect(await countFindings(database.db, filters, now)).toEqual(expected(all, filter));
  });
});

describe.each(testDatabases())('the summary cache on $name', ({ open, skip }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it.skipIf(skip !== undefined)(
    'answers from the cache until findings change, an acceptance lapses or the day turns',
    async () => {
      database = await open();
      const clock = settableClock('2027-01-15T09:00:00.000Z');
      const ctx = { database, clock };
      const [a, b, c] = rows().filter((r) => r.state === 'open' && r.triage_state === null);
      if (a === undefined || b === undefined || c === undefined) throw new Error('no rows');
      await insertFindings(database.db, [
        { ...a, accepted_until: '2027-01-15T10:00:00.000Z', due_key: '9999-12-31' },
        { ...b, accepted_until: null, due_key: '2027-01-15' },
      ]);
      await bumpFindingsVersion(database.db);
      const summary = () => summariseFindings(ctx, {});
      expect(await summary()).toMatchObject({ total: 2, accepted: 1, overdue: 0 });

      // A write that does not bump the version is not seen: the answer came from the cache.
      await insertFindings(database.db, [{ ...c, accepted_until: null, due_key: '9999-12-31' }]);
      expect(await summary()).toMatchObject({ total: 2 });
      await bumpFindingsVersion(database.db);
      expect(await summary()).toMatchObject({ total: 3, accepted: 1, overdue: 0 });

      // Time alone: the acceptance lapses at 10:00, the due date passes at midnight.
      clock.set('2027-01-15T10:00:00.001Z');
      expect(await summary()).toMatchObject({ total: 3, accepted: 0, overdue: 0 });
      clock.set('2027-01-16T00:00:00.000Z');
      expect(await summary()).toMatchObject({ total: 3, accepted: 0, overdue: 1 });
    },
  );
});
