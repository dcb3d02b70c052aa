/**
 * `patchgate windows|freezes|calendar` against a real server over HTTP (started in this
 * process on a fresh data directory); the feed the printed address serves is read by ical.js.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../server/test/auth.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let env: Record<string, string> = {};
const patchgate = (argv: string[], as: Record<string, string> = env) => runCliWith(argv, as);

beforeAll(async () => {
  fixture = await startCliTestServer('calendar');
  const manager = await testCaller(fixture.server.context.database, ['change_manager', 'operator']);
  env = fixture.envFor(manager.token);
}, 60_000);

afterAll(() => fixture?.close());

describe('patchgate windows, freezes and calendar', () => {
  it('adds, lists and removes windows; refuses bad input with the reason', async () => {
    const added = await patchgate([
      'windows',
      'add',
      '--name',
      'web nightly',
      '--rrule',
      'FREQ=DAILY',
      '--start',
      '2026-12-01T22:00',
      '--duration',
      '4h',
      '--cutoff',
      '30m',
      '--tz',
      'Europe/Berlin',
      '--assets',
      'environment=production,group=web',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^window "web nightly" \(id [0-9a-f-]{36}\): FREQ=DAILY from 2026-12-01T22:00 Europe\/Berlin, 240 min, cutoff 30 min; 0 assets \(environment=production,group=web\)\n$/,
    );
    const listed = await patchgate(['windows', 'list']);
    expect(listed.stdout).toMatch(
      /^ID\s+NAME\s+RULE\s+FIRST\s+ZONE\s+LENGTH\s+CUTOFF\s+ASSETS\s+SELECTOR$/m,
    );
    expect(listed.stdout).toMatch(
      /web nightly\s+FREQ=DAILY\s+2026-12-01T22:00\s+Europe\/Berlin\s+240m\s+30m\s+0\s+environment=production,group=web/,
    );
    const json = JSON.parse((await patchgate(['windows', 'list', '--json'])).stdout) as {
      windows: { name: string; durationMinutes: number }[];
    };
    expect(json.windows.map((w) => [w.name, w.durationMinutes])).toEqual([['web nightly', 240]]);

    const common = ['--name', 'x', '--duration', '1h', '--tz', 'UTC', '--assets', '*'];
    expect(await patchgate(['windows', 'add', ...common, '--rrule', 'FREQ=HOURLY'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /adding the window failed: 422 .*RRULE: FREQ=HOURLY is not supported/,
      ) as string,
    });
    expect(
      await patchgate(['windows', 'add', ...common, '--rrule', 'FREQ=DAILY', '--tz', 'Moon/Base']),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/"Moon\/Base" is not an IANA time zone/) as string,
    });
    expect(
      await patchgate([
        'windows',
        'add',
        '--name',
        'x',
        '--rrule',
        'FREQ=DAILY',
        '--duration',
        '4 hours',
        '--tz',
        'UTC',
        '--assets',
        '*',
      ]),
    ).toMatchObject({
      code: 2,
      stderr: 'patchgate: --duration: "4 hours" is not a duration: use e.g. 4h, 90m, 1h30m or 2d\n',
    });
    expect(await patchgate(['windows', 'add', '--name', 'x'])).toMatchObject({
      code: 2,
      stderr: 'patchgate: windows add: --rrule, --duration, --tz, --assets required\n',
    });
    expect(
      (
        await patchgate([
          'windows',
          'add',
          ...common,
          '--rrule',
          'FREQ=DAILY',
          '--assets',
          'colour=red',
        ])
      ).stderr,
    ).toMatch(/--assets: "colour=red" is not a selector term/);

    const temp = await patchgate([
      'windows',
      'add',
      ...common,
      '--name',
      'temporary',
      '--rrule',
      'FREQ=WEEKLY;BYDAY=SU',
      '--json',
    ]);
    expect(temp.code).toBe(0);
    const removed = await patchgate(['windows', 'remove', 'temporary']);
    expect(removed.stdout).toMatch(/^removed window "temporary" \(id [0-9a-f-]{36}\)\n$/);
    expect(await patchgate(['windows', 'remove', 'temporary'])).toMatchObject({
      code: 2,
      stderr: 'patchgate: no maintenance window with the id or name "temporary"\n',
    });
  });

  it('adds one-off and recurring freezes and shows the calendar', async () => {
    const oneOff = await patchgate([
      'freezes',
      'add',
      '--name',
      'year end',
      '--start',
      '2026-12-20T00:00:00Z',
      '--end',
      '2027-01-04T00:00:00Z',
      '--allow-emergency',
    ]);
    expect(oneOff.stderr).toBe('');
    expect(oneOff.stdout).toMatch(
      /^freeze "year end" \(id [0-9a-f-]{36}\): 2026-12-20T00:00:00.000Z to 2027-01-04T00:00:00.000Z; emergency changes may override it\n$/,
    );
    const recurring = await patchgate([
      'freezes',
      'add',
      '--name',
      'weekends',
      '--rrule',
      'FREQ=WEEKLY;BYDAY=SA',
      '--start',
      '2026-12-05T00:00',
      '--tz',
      'Europe/Berlin',
      '--duration',
      '2d',
      '--except',
      '2026-12-12',
      '--except',
      '2026-12-26,2027-01-02',
    ]);
    expect(recurring.stdout).toMatch(
      /FREQ=WEEKLY;BYDAY=SA from 2026-12-05T00:00 Europe\/Berlin, 2880 min each, except 2026-12-12, 2026-12-26, 2027-01-02; no override\n$/,
    );
    expect(
      await patchgate([
        'freezes',
        'add',
        '--name',
        'bad',
        '--start',
        '2026-12-20T00:00:00Z',
        '--end',
        '2026-12-19T00:00:00Z',
      ]),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /adding the freeze failed: 422 The freeze is not valid: a freeze must end after it starts/,
      ) as string,
    });
    expect((await patchgate(['freezes', 'list'])).stdout).toMatch(/^2 freezes$/m);

    const shown = await patchgate([
      'calendar',
      'show',
      '--from',
      '2026-12-06T00:00:00Z',
      '--to',
      '2026-12-21T00:00:00Z',
    ]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^KIND\s+START\s+END\s+NAME\s+NOTE$/m);
    expect(shown.stdout).toMatch(
      /^freeze\s+2026-12-18T23:00:00.000Z\s+2026-12-20T23:00:00.000Z\s+weekends\s+no override$/m,
    );
    expect(shown.stdout).toMatch(
      /^freeze\s+2026-12-20T00:00:00.000Z\s+2027-01-04T00:00:00.000Z\s+year end\s+emergency override allowed$/m,
    );
    expect(shown.stdout).toMatch(
      /^window\s+2026-12-06T21:00:00.000Z\s+2026-12-07T01:00:00.000Z\s+web nightly\s+no new work after 2026-12-07T00:30:00.000Z$/m,
    );
    expect(shown.stdout).toMatch(
      /^16 window occurrences, 3 freezes, 0 changes from 2026-12-06T00:00:00.000Z to 2026-12-21T00:00:00.000Z$/m,
    );
  });

  it('prints a feed address whose calendar a real parser reads, and revokes it', async () => {
    const printed = await patchgate(['calendar', 'url', '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    const { url } = JSON.parse(printed.stdout) as { url: string };
    expect(url).toMatch(
      new RegExp(`^${fixture!.server.url}/api/v1/calendar/feed/pgc_[A-Za-z0-9_-]{43}$`),
    );
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const root = new ICAL.Component(ICAL.parse(await response.text()) as unknown[]);
    const summaries = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).summary);
    expect(summaries).toContain('Change freeze: year end');
    expect(summaries).toContain('Maintenance window: web nightly');
    expect((await patchgate(['calendar', 'revoke-url'])).stdout).toBe(
      'your calendar feed address no longer works\n',
    );
    expect((await fetch(url)).status).toBe(404);
  });

  it('a viewer may read but not write (exit 4)', async () => {
    const viewer = await testCaller(fixture!.server.context.database, ['viewer']);
    const as = { ...env, PATCHGATE_TOKEN: viewer.token };
    expect((await patchgate(['windows', 'list'], as)).code).toBe(0);
    const refused = await patchgate(
      [
        'freezes',
        'add',
        '--name',
        'n',
        '--start',
        '2026-12-20T00:00:00Z',
        '--end',
        '2026-12-21T00:00:00Z',
      ],
      as,
    );
    expect(refused.code).toBe(4);
  });
});
