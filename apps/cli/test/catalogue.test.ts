/**
 * `patchgate advisories catalogue|enable|disable` against a real server over HTTP (started in
 * this process on a fresh data directory): every public feed is off; one command enables one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../server/test/auth.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let env: Record<string, string> = {};
const patchgate = (argv: string[]) => runCliWith(argv, env);

beforeAll(async () => {
  fixture = await startCliTestServer('catalogue');
  const admin = await testCaller(fixture.server.context.database, ['admin']);
  env = fixture.envFor(admin.token);
}, 60_000);

afterAll(() => fixture?.close());

describe('patchgate advisories catalogue', () => {
  it('lists every feed off, enables feeds with one command, and disables one', async () => {
    const listed = await patchgate(['advisories', 'catalogue']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+KIND\s+STATE\s+SYNC\s+URL$/m);
    expect(listed.stdout).toMatch(
      /^osv-debian\s+osv-zip\s+off\s+daily\s+https:\/\/osv-vulnerabilities\.storage\.googleapis\.com\/Debian\/all\.zip$/m,
    );
    expect(listed.stdout).toMatch(
      /^0 of \d+ enabled; patchgate advisories enable <id> to add one$/m,
    );

    const enabled = await patchgate([
      'advisories',
      'enable',
      'cisa-kev',
      'first-epss',
      '--no-sync',
    ]);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe(
      'enabled cisa-kev: source CISA KEV (kev, daily, https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json)\n' +
        'enabled first-epss: source FIRST EPSS (epss, daily, https://epss.empiricalsecurity.com/epss_scores-current.csv.gz)\n',
    );
    const json = JSON.parse((await patchgate(['advisories', 'catalogue', '--json'])).stdout) as {
      entries: { id: string; enabled: boolean }[];
    };
    expect(json.entries.filter((e) => e.enabled).map((e) => e.id)).toEqual([
      'cisa-kev',
      'first-epss',
    ]);
    expect((await patchgate(['advisories', 'sources'])).stdout).toMatch(
      /^CISA KEV\s+kev\s+never synced/m,
    );

    const disabled = await patchgate(['advisories', 'disable', 'first-epss']);
    expect(disabled.stdout).toBe(
      'disabled first-epss: source FIRST EPSS keeps its data, no schedule\n',
    );
    const unknown = await patchgate(['advisories', 'enable', 'osv-nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /enabling osv-nope failed: 404 Catalogue entry osv-nope was not found/,
    );
    const usage = await patchgate(['advisories', 'enable']);
    expect([usage.code, usage.stderr]).toEqual([
      2,
      expect.stringMatching(/advisories enable: name one or more catalogue ids/) as unknown,
    ]);
  });
});
