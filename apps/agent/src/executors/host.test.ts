import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { readInventory } from '@patchgate/inventory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExecutionContext } from './contract.ts';
import {
  collectAvailableUpdates,
  collectInventory,
  hostFacts,
  inventorySource,
  osFactsFrom,
  packageManagersOf,
  parseNeedrestart,
  rpmQueryFormat,
  type PackageSystems,
} from './host.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'patchgate-host-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const systems = (over: Partial<PackageSystems>): PackageSystems => ({
  dpkgStatus: false,
  rpmDatabase: false,
  apkDatabase: false,
  tools: new Set(),
  ...over,
});

const context = (root: string): ExecutionContext => ({
  root,
  stateDir: path.join(root, 'state'),
  log: () => undefined,
  signal: new AbortController().signal,
  now: () => new Date(),
});

describe('which inventory is sent', () => {
  // rpm and apk are not installed on the machine these tests were written on (Debian); the
  // selection is tested here, the formats' parsing in packages/inventory.
  it.each([
    {
      name: 'dpkg first',
      given: systems({ dpkgStatus: true, rpmDatabase: true, tools: new Set(['rpm', 'apt-get']) }),
      expected: { format: 'dpkg-status', read: 'file', file: '/srv/r/var/lib/dpkg/status' },
      managers: ['apt'],
    },
    {
      name: 'rpm -qa in the tab format inventory reads, confined with --root',
      given: systems({ rpmDatabase: true, tools: new Set(['rpm', 'dnf']) }),
      expected: {
        format: 'rpm-qa',
        read: 'command',
        command: 'rpm',
        args: ['--root', '/srv/r', '-qa', '--qf', rpmQueryFormat],
      },
      managers: ['dnf'],
    },
    {
      name: 'no rpm tool, no rpm inventory',
      given: systems({ rpmDatabase: true }),
      expected: null,
      managers: [],
    },
    {
      name: 'apk’s installed database as is',
      given: systems({ apkDatabase: true, tools: new Set(['apk']) }),
      expected: { format: 'apk-installed', read: 'file', file: '/srv/r/lib/apk/db/installed' },
      managers: ['apk'],
    },
  ])('$name', ({ given, expected, managers }) => {
    expect(inventorySource('/srv/r', given)).toEqual(expected);
    expect(packageManagersOf(given)).toEqual(managers);
  });

  it('uses no --root for the host’s own rpm database', () => {
    expect(
      inventorySource('/', systems({ rpmDatabase: true, tools: new Set(['rpm']) })),
    ).toMatchObject({
      args: ['-qa', '--qf', rpmQueryFormat],
    });
  });

  it('sends an Alpine root’s installed database in a format the server parses', async () => {
    const root = path.join(tmp, 'alpine');
    await mkdir(path.join(root, 'lib/apk/db'), { recursive: true });
    await writeFile(
      path.join(root, 'lib/apk/db/installed'),
      'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\nP:alpine-release\nV:3.19.1-r0\nA:x86_64\n\n',
    );
    const report = await collectInventory(context(root));
    expect(report?.format).toBe('apk-installed');
    const parsed = readInventory({ path: 'installed', text: report?.body ?? '' }, report?.format);
    expect(parsed.ok && parsed.inventory.packages.map((p) => `${p.name} ${p.version}`)).toEqual([
      'musl 1.2.4-r2',
      'alpine-release 3.19.1-r0',
    ]);
    expect(await collectAvailableUpdates(context(root))).toBeNull();
  });

  it('has nothing to send for a root without a package database', async () => {
    const root = path.join(tmp, 'empty');
    await mkdir(root, { recursive: true });
    expect(await collectInventory(context(root))).toBeNull();
    const facts = await hostFacts(context(root));
    expect(facts).toMatchObject({ packageManagers: [], rebootRequired: false, rebootPackages: [] });
  });
});

describe('host facts', () => {
  it('reads os-release', () => {
    expect(
      osFactsFrom('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'),
    ).toEqual({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(osFactsFrom('NAME=x\n')).toBeUndefined();
  });

  it('prefers the root’s own os-release', async () => {
    const root = path.join(tmp, 'os');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await writeFile(path.join(root, 'etc/os-release'), 'ID=ubuntu\nVERSION_ID="24.04"\n');
    expect((await hostFacts(context(root))).os).toEqual({ id: 'ubuntu', versionId: '24.04' });
  });

  it('reads needrestart’s batch output', () => {
    expect(
      parseNeedrestart(
        'NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.1.0\nNEEDRESTART-SVC: nginx.service\nNEEDRESTART-SVC: ssh.service\n',
      ),
    ).toEqual(['nginx.service', 'ssh.service']);
  });
});
