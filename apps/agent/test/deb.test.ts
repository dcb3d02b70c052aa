/**
 * The agent's .deb (`npm run build:agent-deb`, ADR 0036): built (cached: rebuilt only when the
 * bundle or the packaging changed), installed with the real dpkg into a sandbox root, and the
 * executable it installed is run. Skipped, saying why, only when the build tools are missing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/src/clock.ts';
import { testApp } from '../../server/test/app.ts';
import { testCaller } from '../../server/test/auth.ts';
import { testDatabases } from '../../server/test/databases.ts';
import { initRoot } from '../src/executors/index.ts';
import { agentVersion } from '../src/version.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const missing = ['dpkg-deb', 'dpkg']
  .filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
  .concat(existsSync(`${repoRoot}node_modules/postject/dist/cli.js`) ? [] : ['postject'])
  .concat(process.getuid?.() === 0 ? [] : ['root (dpkg writes ownership)']);
const title =
  missing.length === 0
    ? 'the agent .deb: a Node single executable installed by dpkg'
    : `the agent .deb — SKIPPED: missing ${missing.join(', ')}`;

interface BuildInfo {
  readonly deb: string;
  readonly bytes: number;
  readonly executableBytes: number | null;
  readonly seconds: number;
  readonly cached: boolean;
}

describe.skipIf(missing.length > 0)(title, () => {
  const root = mkdtempSync(join(tmpdir(), 'patchgate-deb-root-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dpkg = (...args: string[]) =>
    spawnSync(
      'dpkg',
      [
        `--admindir=${root}/var/lib/dpkg`,
        `--instdir=${root}`,
        `--log=${root}/var/log/dpkg.log`,
        '--force-script-chrootless',
        '--force-not-root',
        ...args,
      ],
      { encoding: 'utf8' },
    );
  let info: BuildInfo;

  it('builds (or reuses) dist/agent/patchgate-agent_<version>_<arch>.deb', () => {
    const built = spawnSync(process.execPath, [`${repoRoot}apps/agent/packaging/build-deb.mjs`], {
      encoding: 'utf8',
    });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    info = JSON.parse(built.stdout.trim().split('\n').at(-1) ?? '') as BuildInfo;
    const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
    expect(info.deb).toBe(`${repoRoot}dist/agent/patchgate-agent_${agentVersion}_${arch}.deb`);
    // The Node runtime is inside (about 100 MB), xz-compressed in the package.
    expect(info.bytes).toBeGreaterThan(10_000_000);
    expect(info.bytes).toBeLessThan(60_000_000);
    const fields = execFileSync('dpkg-deb', ['-f', info.deb, 'Package', 'Depends'], {
      encoding: 'utf8',
    });
    expect(fields).toBe('Package: patchgate-agent\n'); // no Depends: no nodejs needed
  }, 900_000);

  it('installs into a sandbox root with dpkg; the installed executable runs', () => {
    for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/log'])
      mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
    const installed = dpkg('-i', info.deb);
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    const query = execFileSync(
      'dpkg-query',
      [
        `--admindir=${root}/var/lib/dpkg`,
        '-W',
        '-f',
        '${Status} ${Version} ${Conffiles}',
        'patchgate-agent',
      ],
      { encoding: 'utf8' },
    );
    expect(query).toMatch(
      new RegExp(
        `^install ok installed ${agentVersion.replace(/\./g, '\\.')}\\s+/etc/patchgate-agent/agent.env [0-9a-f]{32}$`,
      ),
    );
    // The postinst honoured DPKG_ROOT: the state dir is inside the sandbox root, root-only.
    expect(statSync(join(root, 'var/lib/patchgate-agent')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'etc/patchgate-agent/agent.env')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(root, 'lib/systemd/system/patchgate-agent.service'))).toBe(true);

    const bin = join(root, 'usr/bin/patchgate-agent');
    const version = spawnSync(bin, ['version', '--json'], { encoding: 'utf8', env: {} });
    expect(version.status).toBe(0);
    expect(JSON.parse(version.stdout)).toEqual({ version: agentVersion, node: process.version });
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8', env: {} });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('patchgate-agent run --server URL');
    expect(help.stderr).toBe('');
    const status = spawnSync(bin, ['status', '--root', root, '--json'], {
      encoding: 'utf8',
      env: {},
    });
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ root, enrolled: false, queued: [] });
    const unconfigured = spawnSync(bin, ['run', '--root', root], { encoding: 'utf8', env: {} });
    expect(unconfigured.status).toBe(2);
    expect(unconfigured.stderr).toContain('--server URL (or PATCHGATE_SERVER) is required');
  });

  it('the installed executable enrols with a real server and reports its root (--once)', async () => {
    const database = await testDatabases()[0]!.open();
    const built = await testApp(database, systemClock);
    try {
      await built.app.listen({ port: 0, host: '127.0.0.1' });
      const address = built.app.server.address() as AddressInfo;
      const admin = await testCaller(database, ['admin']);
      const created = await built.app.inject({
        method: 'POST',
        url: '/api/v1/enrolment-tokens',
        headers: admin.headers,
        payload: {},
      });
      const { token } = created.json<{ token: string }>();
      const host = join(root, 'srv/host-a');
      await initRoot(host, { aptSources: [] });
      // The root's dpkg database: this very package, as dpkg recorded it above.
      writeFileSync(
        join(host, 'var/lib/dpkg/status'),
        readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8'),
      );
      const once = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          join(root, 'usr/bin/patchgate-agent'),
          ['run', '--once', '--name', 'sea-host', '--root', host],
          {
            env: {
              PATCHGATE_SERVER: `http://127.0.0.1:${address.port}`,
              PATCHGATE_ENROLL_TOKEN: token,
              PATH: process.env.PATH ?? '/usr/bin:/bin',
            },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
      expect(once.code, once.stderr).toBe(0);
      const agent = await database.db
        .selectFrom('agents')
        .select(['asset_id', 'agent_version'])
        .where('name', '=', 'sea-host')
        .executeTakeFirstOrThrow();
      expect(agent.agent_version).toBe(agentVersion);
      const snapshots = await database.db
        .selectFrom('inventory_snapshots')
        .select('id')
        .where('asset_id', '=', agent.asset_id)
        .execute();
      expect(snapshots, once.stderr).toHaveLength(1);
    } finally {
      await built.app.close();
      await database.close();
    }
  });

  it('purges cleanly: the state dir goes with it', () => {
    const purged = dpkg('--purge', 'patchgate-agent');
    expect(purged.status).toBe(0);
    expect(existsSync(join(root, 'usr/bin/patchgate-agent'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/patchgate-agent'))).toBe(false);
  });
});
