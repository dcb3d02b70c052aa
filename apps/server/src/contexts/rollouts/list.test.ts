/**
 * The rollouts list on both databases: newest first, keyset pages that add up to the whole list
 * (nothing twice, nothing missed), filters kept across pages, a foreign cursor refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/databases.ts';
import type { RolloutWorld } from './test-support.ts';
import { T0, call, plansWith, rolloutWorld, scheduledChange } from './test-support.ts';

const minutes = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();

interface Page {
  rollouts: { id: string; dryRun: boolean; createdAt: string; change: { number: string } }[];
  nextCursor: string | null;
}

describe.each(testDatabases())('rollouts list on $name', ({ open, skip }) => {
  let world: RolloutWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.skipIf(skip !== undefined)(
    'pages newest first with a cursor, the filters kept on every page',
    async () => {
      const w = (world = await rolloutWorld(open, ['web-1', 'web-2', 'web-3']));
      const started: string[] = [];
      for (const [i, host] of ['web-1', 'web-2', 'web-3'].entries()) {
        const changeId = await scheduledChange(
          w,
          [host],
          plansWith([{ name: 'all' }]),
          minutes(600),
        );
        w.clock.set(minutes(i + 1));
        const dry = await call<{ id: string }>(
          w.app,
          w.requester,
          'POST',
          `/api/v1/changes/${changeId}/rollout`,
          201,
          { dryRun: true },
        );
        started.push(dry.id);
      }
      const pages = async (query: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let count = 0;
        do {
          const page: Page = await call<Page>(
            w.app,
            w.viewer,
            'GET',
            `/api/v1/rollouts?${query}&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
            200,
          );
          expect(page.rollouts.length).toBeLessThanOrEqual(1);
          seen.push(...page.rollouts.map((r) => r.id));
          cursor = page.nextCursor;
          count++;
        } while (cursor !== null && count < 10);
        return { seen, count };
      };
      const all = await pages('dryRun=true');
      expect(all.seen).toEqual([...started].reverse());
      expect(all.count).toBe(3);
      expect((await pages('dryRun=false')).seen).toEqual([]);
      // A phase filter on every page (the phase the dry runs are in now, whatever it is).
      const listed = await call<{ rollouts: { id: string; phase: string }[] }>(
        w.app,
        w.viewer,
        'GET',
        '/api/v1/rollouts?dryRun=true',
        200,
      );
      const phase = listed.rollouts[0]!.phase;
      expect((await pages(`phase=${phase}&dryRun=true`)).seen).toEqual(
        listed.rollouts.filter((r) => r.phase === phase).map((r) => r.id),
      );
      await call(w.app, w.viewer, 'GET', '/api/v1/rollouts?cursor=bogus', 422);
      await call(w.app, w.viewer, 'GET', '/api/v1/rollouts?limit=0', 422);
    },
  );
});
