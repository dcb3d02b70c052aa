import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasSharedData, sharedData } from '@patchgate/testing';
import { describe, expect, it } from 'vitest';
import { detectAptUpdates, parseAptUpdates } from './index.ts';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const sample = (name: string) => readFileSync(`${testdata}${name}`, 'utf8');

function parsed(text: string) {
  const result = parseAptUpdates(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const security = [{ archive: 'stable-security', label: 'Debian-Security', version: '12' }];
const main = [{ archive: 'stable', label: 'Debian', version: '12.8' }];

describe('apt available updates (samples from real apt in a sandbox root)', () => {
  it('reads apt list --upgradable: versions, architecture, archives, security', () => {
    const value = parsed(sample('apt-list-upgradable.txt'));
    expect(value.format).toBe('apt-list-upgradable');
    expect(value.warnings).toEqual([]);
    expect(value.updates.map((u) => [u.name, u.security])).toEqual([
      ['base-files', false],
      ['curl', true],
      ['libc6', true],
      ['libssl3', true],
      ['openssl', true],
      ['postgresql-15', false],
      ['tzdata', false],
      ['vim-common', true],
    ]);
    expect(value.updates[2]).toEqual({
      name: 'libc6',
      arch: 'amd64',
      installedVersion: '2.36-9+deb12u7',
      candidateVersion: '2.36-9+deb12u9',
      origins: [{ archive: 'stable' }, { archive: 'stable-security' }],
      security: true,
    });
    expect(value.updates[7]).toMatchObject({
      installedVersion: '2:9.0.1378-2',
      candidateVersion: '2:9.0.1378-2+deb12u1',
      arch: 'all',
    });
  });

  it('reads apt-get -s upgrade: origins with label and version, and the kept-back list', () => {
    const value = parsed(sample('apt-get-s-upgrade.txt'));
    expect(value.format).toBe('apt-get-simulate');
    expect(value.warnings).toEqual([]);
    expect(value.keptBack).toEqual(['postgresql-15']);
    expect(value.updates).toHaveLength(7);
    expect(value.updates.find((u) => u.name === 'libssl3')).toEqual({
      name: 'libssl3',
      arch: 'amd64',
      installedVersion: '3.0.14-1~deb12u2',
      candidateVersion: '3.0.15-1~deb12u1',
      origins: security,
      security: true,
    });
    expect(value.updates.find((u) => u.name === 'libc6')?.origins).toEqual([...main, ...security]);
    expect(value.updates.find((u) => u.name === 'tzdata')).toMatchObject({
      origins: main,
      security: false,
    });
  });

  it('leaves out packages dist-upgrade would newly install', () => {
    const value = parsed(sample('apt-get-s-dist-upgrade.txt'));
    expect(value.updates.map((u) => u.name)).not.toContain('postgresql-common-dev');
    expect(value.updates.find((u) => u.name === 'postgresql-15')).toMatchObject({
      installedVersion: '15.8-0+deb12u1',
      candidateVersion: '15.10-0+deb12u1',
    });
    expect(value.keptBack).toEqual([]);
  });

  it('agrees between the two commands on the same host', () => {
    const list = parsed(sample('apt-list-upgradable.txt')).updates;
    const simulated = parsed(sample('apt-get-s-dist-upgrade.txt')).updates;
    const key = (u: (typeof list)[number]) =>
      `${u.name} ${u.installedVersion} ${u.candidateVersion} ${u.security}`;
    expect(simulated.map(key)).toEqual(list.map(key));
  });

  it.each([
    ['apt-list-upgradable.txt', 0.9],
    ['apt-get-s-upgrade.txt', 0.9],
  ])('detects %s', (name, least) => {
    expect(detectAptUpdates(sample(name))).toBeGreaterThan(least);
  });

  it('does not take an inventory for apt output', () => {
    expect(detectAptUpdates('Package: curl\nStatus: install ok installed\nVersion: 1\n')).toBe(0);
    expect(parseAptUpdates('Package: curl\nVersion: 1\n')).toEqual({
      ok: false,
      error:
        'not apt output of available updates: expected "apt list --upgradable" or "apt-get -s upgrade" output',
    });
  });

  it('accepts a host with nothing to upgrade', () => {
    expect(parsed('Listing...\n')).toEqual({
      format: 'apt-list-upgradable',
      updates: [],
      keptBack: [],
      warnings: [],
    });
  });

  it('names an unreadable line and keeps the rest', () => {
    const value = parsed(
      'Listing...\ncurl/stable-security 8.0 amd64 [upgradable from: 7.0]\ngarbage here\n',
    );
    expect(value.updates).toHaveLength(1);
    expect(value.warnings).toEqual(['line 3: not an "apt list --upgradable" line']);
  });

  it('recognises Ubuntu security pockets', () => {
    const value = parsed(
      [
        'Inst libssl3 [3.0.2-0ubuntu1.15] (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])',
        'Inst snapd [2.61] (2.63 Ubuntu:22.04/jammy-updates [amd64])',
        'Inst libcurl4 [7.81.0-1ubuntu1.15] (7.81.0-1ubuntu1.16+esm1 UbuntuESMApps:22.04/jammy-apps-security [amd64])',
      ].join('\n'),
    );
    expect(value.updates.map((u) => [u.name, u.security])).toEqual([
      ['libssl3', true],
      ['snapd', false],
      ['libcurl4', true],
    ]);
  });
});

const host = sharedData('inventories/debian-bookworm-host/');
describe.skipIf(!hasSharedData('inventories/debian-bookworm-host'))(
  'apt output of a real Debian 12 host (shared data)',
  () => {
    it('reads all 136 pending upgrades in both outputs, with the same security verdicts', () => {
      const list = parsed(readFileSync(`${host}apt-list-upgradable.txt`, 'utf8'));
      const simulated = parsed(readFileSync(`${host}apt-get-s-upgrade.txt`, 'utf8'));
      expect(list.warnings).toEqual([]);
      expect(simulated.warnings).toEqual([]);
      expect(list.updates).toHaveLength(136);
      const verdict = new Map(list.updates.map((u) => [u.name, u.security]));
      for (const u of simulated.updates)
        expect([u.name, u.security]).toEqual([u.name, verdict.get(u.name)]);
      expect(list.updates.filter((u) => u.security).length).toBeGreaterThan(20);
    });
  },
);
