/**
 * `patchgate improvements …` against a real server over HTTP (started in this process on a
 * fresh data directory): refresh, trends, decisions refused with the server's reason, and a
 * follow-up action tracked to closure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../server/test/auth.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let manager: Record<string, string> = {};
let auditor: Record<string, string> = {};

beforeAll(async () => {
  fixture = await startCliTestServer('improvements');
  const database = fixture.server.context.database;
  manager = fixture.envFor((await testCaller(database, ['change_manager'])).token);
  auditor = fixture.envFor((await testCaller(database, ['auditor'])).token);
}, 60_000);

afterAll(() => fixture?.close());

describe('patchgate improvements', () => {
  it('refreshes, shows trends, refuses what the server refuses', async () => {
    const refreshed = await runCliWith(['improvements', 'refresh'], manager);
    expect(refreshed).toMatchObject({
      code: 0,
      stdout: '0 created, 0 updated, 0 resolved; 0 follow-ups taken from reviews; 0 open\n',
    });
    expect((await runCliWith(['improvements', 'refresh'], auditor)).code).toBe(4);
    const trends = await runCliWith(
      ['improvements', 'trends', '--from', '2026-01-01', '--to', '2026-01-31'],
      auditor,
    );
    expect(trends.code).toBe(0);
    expect(trends.stdout).toMatch(/^2026-01-01 – 2026-01-31: 0 changes reviewed, 0 failed\n/);
    const backwards = await runCliWith(
      ['improvements', 'trends', '--from', '2026-02-01', '--to', '2026-01-31'],
      auditor,
    );
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/review trends failed: 422 from must not be after to/);
    const noReason = await runCliWith(
      ['improvements', 'dismiss', '00000000-0000-4000-8000-000000000001'],
      manager,
    );
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/400 A reason is required to dismiss a recommendation/);
    const unknown = await runCliWith(
      ['improvements', 'accept', '00000000-0000-4000-8000-000000000001'],
      manager,
    );
    expect(unknown.stderr).toMatch(/404 The recommendation was not found/);
    expect(
      JSON.parse((await runCliWith(['improvements', 'recommendations', '--json'], auditor)).stdout),
    ).toEqual({
      recommendations: [],
    });
  });

  it('tracks a follow-up action to closure', async () => {
    const added = await runCliWith(
      [
        'improvements',
        'action-add',
        '--title',
        'Add a replica lag check',
        '--owner',
        'db-team',
        '--due',
        '2027-01-15',
      ],
      manager,
    );
    expect(added.code).toBe(0);
    const id = /^action ([0-9a-f-]{36}): Add a replica lag check \(due 2027-01-15\)\n$/.exec(
      added.stdout,
    )?.[1];
    expect(id).toBeDefined();
    expect((await runCliWith(['improvements', 'action-add', '--title', 'x'], auditor)).code).toBe(
      4,
    );
    const listed = await runCliWith(['improvements', 'actions', '--state', 'open'], auditor);
    expect(listed.stdout).toMatch(/open\s+manual\s+2027-01-15\s+db-team\s+Add a replica lag check/);
    const closed = await runCliWith(
      ['improvements', 'action-update', id ?? '', '--state', 'done'],
      manager,
    );
    expect(closed.stdout).toMatch(/^action [0-9a-f-]{36}: done \(closed by user-change_manager-/);
    const again = await runCliWith(
      ['improvements', 'action-update', id ?? '', '--state', 'cancelled'],
      manager,
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/409 The action is already done/);
    const done = JSON.parse(
      (await runCliWith(['improvements', 'actions', '--state', 'done', '--json'], auditor)).stdout,
    ) as { actions: { id: string; state: string }[] };
    expect(done.actions.map((a) => [a.id, a.state])).toEqual([[id, 'done']]);
  });
});
