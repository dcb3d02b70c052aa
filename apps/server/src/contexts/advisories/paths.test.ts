/**
 * The arbitrary file read of issue 7, re-tried: an analyst names `/proc/self/environ`,
 * `/etc/shadow`, a `..` path or a symbolic link out of the root as a source path. Every
 * attempt is refused with one answer (existing or not), a link swapped after creation fails
 * the next sync, and no value of this process's environment appears in any response.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeZip } from '@patchgate/safe-parse/node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Database } from '../../db/database.ts';
import { testApp } from '../../../test/app.ts';
import { testCaller } from '../../../test/auth.ts';
import { testDatabases } from '../../../test/databases.ts';
import { JobRunner } from '../jobs/index.ts';
import { settableClock } from '../jobs/test-support.ts';
import { registerAdvisoryJobs } from './index.ts';

const repo = resolve(import.meta.dirname, '../../../../..');
const temp = realpathSync(mkdtempSync(join(tmpdir(), 'patchgate-roots-')));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const dataDir = join(temp, 'data');
const root = join(dataDir, 'advisories');
const outside = join(temp, 'outside');
mkdirSync(root, { recursive: true });
mkdirSync(outside);
cpSync(join(repo, 'examples/advisories/go'), join(root, 'go'), { recursive: true });
cpSync(join(repo, 'examples/advisories/go'), join(outside, 'go'), { recursive: true });
symlinkSync('/etc', join(root, 'etc'));
symlinkSync(outside, join(root, 'out'));

/** What /proc/self/environ holds (the environment this process started with). */
const environ = (() => {
  try {
    return readFileSync('/proc/self/environ', 'latin1');
  } catch {
    return '';
  }
})();
/** This process's environment values long enough to be recognised in a response. */
const secrets = [
  ...new Set(
    [...environ.split('\0'), ...Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`)]
      .map((entry) => entry.slice(entry.indexOf('=') + 1))
      .filter((value) => value.length >= 12 && !value.startsWith('/')),
  ),
];
const leaks = (text: string) => secrets.filter((secret) => text.includes(secret));
/** A copy of the environment inside the root: what an analyst could plant there. */
writeFileSync(join(root, 'environ.json'), environ || 'PATCHGATE_ADMIN_PASSWORD=hunter2-hunter2');
secrets.push('hunter2-hunter2');

const refused = {
  field: 'body.path',
  message: `must be inside an allowed advisory root (${root})`,
};

describe.each(testDatabases())('advisory source paths on $name', ({ name, open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup(maxEntryBytes = 64 * 1024 * 1024) {
    database = await open();
    const clock = settableClock();
    const app = await testApp(database, clock, {
      dataDir,
      advisoryFiles: {
        roots: [root],
        maxEntryBytes,
        maxTotalBytes: 2 ** 31,
        maxEntries: 1_000_000,
      },
    });
    built = app;
    const runner = new JobRunner(app.context, {
      workerId: 'test',
      concurrency: 1,
      leaseSeconds: 60,
      pollMs: 1000,
    });
    registerAdvisoryJobs(runner, app.context);
    const analyst = await testCaller(database, ['security_analyst']);
    const server = app.app;
    const create = (kind: string, path: string) =>
      server.inject({
        method: 'POST',
        url: '/api/v1/advisory-sources',
        headers: analyst.headers,
        payload: { name: `${kind} ${path}`, kind, path },
      });
    const sync = async (id: string) => {
      const requested = await server.inject({
        method: 'POST',
        url: `/api/v1/advisory-sources/${id}/sync`,
        headers: analyst.headers,
      });
      expect(requested.statusCode).toBe(202);
      clock.advance(1);
      await runner.runOnce();
      const runs = await server.inject({
        method: 'GET',
        url: `/api/v1/sync-runs?sourceId=${id}`,
        headers: analyst.headers,
      });
      expect(leaks(runs.body)).toEqual([]);
      return runs.json<{
        runs: { state: string; error: string | null; errors: unknown[]; counts: unknown }[];
      }>().runs[0];
    };
    return { server, analyst, create, sync };
  }

  it
    .skipIf(skip !== undefined)
    .each([
      '/proc/self/environ',
      '/etc/shadow',
      '/etc/passwd',
      `${root}/../../../../../../etc/passwd`,
      '../../../../../../etc/passwd',
      join(root, 'etc', 'passwd'),
      join(root, 'etc', 'no-such-file'),
      join(root, 'out', 'go'),
      join(outside, 'go'),
      '/no/such/file',
    ])('refuses %s with one answer, existing or not', async (path) => {
    const { create } = await setup();
    for (const kind of ['osv-file', 'osv-directory', 'kev']) {
      const reply = await create(kind, path);
      expect(reply.statusCode).toBe(422);
      expect(reply.json<{ errors: unknown }>().errors).toEqual([refused]);
      expect(leaks(reply.body)).toEqual([]);
      expect(reply.body).not.toContain('root:');
    }
  });

  it.skipIf(skip !== undefined)(
    'accepts paths inside the root, relative ones from it',
    async () => {
      const { create } = await setup();
      expect((await create('osv-directory', join(root, 'go'))).statusCode).toBe(201);
      expect((await create('osv-directory', 'go/../go')).statusCode).toBe(201);
      const missing = await create('osv-directory', join(root, 'absent'));
      expect(missing.statusCode).toBe(422);
      expect(missing.json<{ errors: unknown }>().errors).toEqual([
        { field: 'body.path', message: 'does not exist on the server' },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'fails the next sync when the path is swapped for a link that points out',
    async () => {
      const { create, sync } = await setup();
      const feed = join(root, `feed-${name}`);
      cpSync(join(root, 'go'), feed, { recursive: true });
      const created = await create('osv-directory', feed);
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: string }>().id;
      expect(await sync(id)).toMatchObject({ state: 'succeeded', error: null });

      rmSync(feed, { recursive: true });
      symlinkSync(join(outside, 'go'), feed);
      expect(await sync(id)).toMatchObject({
        state: 'failed',
        error: 'refused: the source path is not inside an allowed advisory root',
      });
      rmSync(feed);
      symlinkSync('/proc/self', feed);
      expect(await sync(id)).toMatchObject({ state: 'failed' });
    },
  );

  it.skipIf(skip !== undefined)(
    'reads no file through a link inside a directory source, and quotes no content',
    async () => {
      const { create, sync } = await setup();
      const feed = join(root, `linked-${name}`);
      mkdirSync(feed);
      writeFileSync(join(feed, 'secret.json'), readFileSync(join(root, 'environ.json')));
      symlinkSync('/proc/self/environ', join(feed, 'environ.json'));
      symlinkSync(join(outside, 'go', 'GO-2020-0001.json'), join(feed, 'GO-2020-0001.json'));
      const created = await create('osv-directory', feed);
      const run = await sync(created.json<{ id: string }>().id);
      expect(run).toMatchObject({ state: 'succeeded' });
      expect(run?.errors).toEqual([
        {
          origin: join(feed, 'GO-2020-0001.json'),
          message: 'refused: not inside an allowed advisory root',
        },
        {
          origin: join(feed, 'environ.json'),
          message: 'refused: not inside an allowed advisory root',
        },
        {
          origin: join(feed, 'secret.json'),
          message: expect.stringMatching(/^not valid JSON: /) as string,
        },
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'a zip bomb source syncs what is sound and reports each entry beyond the configured limit',
    async () => {
      const { create, sync } = await setup(1024 * 1024);
      const bomb = join(root, `bomb-${name}.zip`);
      const zeros = function* () {
        const chunk = Buffer.alloc(1024 * 1024);
        for (let i = 0; i < 8; i++) yield chunk;
      };
      await writeZip(bomb, [
        {
          name: 'GO-2020-0001.json',
          chunks: () => [readFileSync(join(root, 'go', 'GO-2020-0001.json'))],
        },
        ...[1, 2, 3, 4].map((i) => ({ name: `bomb-${i}.json`, chunks: zeros, declaredSize: 100 })),
      ]);
      const created = await create('osv-zip', bomb);
      const run = await sync(created.json<{ id: string }>().id);
      expect(run).toMatchObject({ state: 'succeeded', counts: { read: 1, errors: 4 } });
      expect(run?.errors).toEqual(
        [1, 2, 3, 4].map((i) => ({
          origin: `${bomb}!bomb-${i}.json`,
          message: 'refused: inflates beyond the per-entry limit of 1 MiB (declared 100 bytes)',
        })),
      );
    },
  );

  it.skipIf(skip !== undefined).each(['osv-file', 'kev', 'epss', 'cve5', 'nvd'])(
    'a %s source holding the environment syncs without quoting it',
    async (kind) => {
      const { create, sync } = await setup();
      const created = await create(kind, join(root, 'environ.json'));
      expect(created.statusCode).toBe(201);
      const run = await sync(created.json<{ id: string }>().id);
      expect(run?.errors.length).toBeGreaterThan(0);
    },
  );
});
