import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryFormats } from '../../registry.ts';
import { parseNevra, parseSourceRpm, rpmQa } from './index.ts';

const testdata = new URL('../../../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');
const stream9 = read('rpm-qa/centos-stream-9-rpm-qa.txt');
const centos85 = read('rpm-qa/centos-8.5-rpm-qa.txt');
const rhel7 = read('rpm-qa/rhel7-qf.tsv');

describe('parseNevra', () => {
  it.each([
    [
      'openssl-libs-1.1.1k-7.el8_6.x86_64',
      { name: 'openssl-libs', version: '1.1.1k', release: '7.el8_6', arch: 'x86_64' },
    ],
    [
      'python3-dnf-plugins-core-4.3.0-4.el9.noarch',
      { name: 'python3-dnf-plugins-core', version: '4.3.0', release: '4.el9', arch: 'noarch' },
    ],
    [
      'dracut-057-21.git20230214.el9.aarch64',
      { name: 'dracut', version: '057', release: '21.git20230214.el9', arch: 'aarch64' },
    ],
    [
      'grub2-tools-1:2.02-0.34.el7_2.x86_64',
      { name: 'grub2-tools', epoch: '1', version: '2.02', release: '0.34.el7_2', arch: 'x86_64' },
    ],
    [
      'gpg-pubkey-fd431d51-4ae0493b',
      { name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b' },
    ],
    [
      'openssl-1.1.1k-7.el8_6.src',
      { name: 'openssl', version: '1.1.1k', release: '7.el8_6', arch: 'src' },
    ],
    ['no-version', undefined],
    ['-1.0-1.x86_64', undefined],
  ])('%s', (text, expected) => {
    expect(parseNevra(text)).toEqual(expected);
  });

  it.each([
    ['openssl-1.1.1k-7.el8_6.src.rpm', { name: 'openssl', versionRelease: '1.1.1k-7.el8_6' }],
    ['kbd-1.15.5-11.el7.src.rpm', { name: 'kbd', versionRelease: '1.15.5-11.el7' }],
    ['(none)', undefined],
  ])('source rpm %s', (text, expected) => {
    expect(parseSourceRpm(text)).toEqual(expected);
  });
});

describe('rpm-qa detection', () => {
  it.each([
    ['rpm -qa, CentOS Stream 9', stream9, 0.8],
    ['rpm -qa, CentOS 8.5', centos85, 0.8],
    ['rpm -qa --qf tab output', rhel7, 0.9],
    ['dpkg-query output', read('dpkg-query/bookworm-excerpt.tsv'), 0],
    ['dpkg status', read('dpkg-status/bookworm-excerpt'), 0],
    ['apk database', read('apk-installed/trivy-apk-installed'), 0],
    ['empty', '', 0],
  ])('%s → %s', (_label, text, score) => {
    expect(rpmQa.detect({ path: 'rpms.txt', text })).toBe(score);
  });

  it.each([stream9, rhel7])('no other format claims an rpm sample', (text) => {
    const claims = inventoryFormats.filter(
      (format) => format.detect({ path: 'rpms.txt', text }) > 0,
    );
    expect(claims.map((format) => format.id)).toEqual(['rpm-qa']);
  });
});

describe('rpm-qa parsing', () => {
  it('reads default rpm -qa output: epoch unknown, release from the dist tag, vendor unknown', () => {
    const result = rpmQa.parse({ path: 'rpms.txt', text: stream9 });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(59);
    expect(result.inventory.warnings).toEqual([]);
    expect(result.inventory.os).toEqual({
      id: 'el',
      versionId: '9',
      evidence:
        'dist tag .el9, 59 of 59 packages; vendor unknown (RHEL, AlmaLinux, Rocky, CentOS and Oracle Linux all use it): pass --os',
    });
    expect(
      result.inventory.packages.find((pkg) => pkg.name === 'rpm-plugin-systemd-inhibit'),
    ).toEqual({
      ecosystem: 'Red Hat',
      name: 'rpm-plugin-systemd-inhibit',
      version: '4.16.1.3-22.el9',
      arch: 'aarch64',
      epochUnknown: true,
      purl: 'pkg:rpm/rpm-plugin-systemd-inhibit@4.16.1.3-22.el9?arch=aarch64',
      location: 'line 38',
    });
  });

  it('reads el8 output with mixed .el8 and .el8_5 releases as release 8', () => {
    const result = rpmQa.parse({ path: 'rpms.txt', text: centos85 });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(49);
    expect(result.inventory.os?.versionId).toBe('8');
    expect(result.inventory.packages.find((pkg) => pkg.name === 'systemd')?.version).toBe(
      '239-51.el8_5.2',
    );
  });

  it('reads the tab query format: epochs known, (none) is no epoch, source rpm, gpg-pubkey left out', () => {
    const result = rpmQa.parse({ path: 'rpms.tsv', text: rhel7 });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(11);
    expect(result.inventory.warnings).toEqual([]);
    expect(
      result.inventory.packages.filter((pkg) =>
        ['kbd-misc', 'grub2-tools', 'log4j'].includes(pkg.name),
      ),
    ).toEqual([
      {
        ecosystem: 'Red Hat',
        name: 'log4j',
        version: '0:1.2.17-15.el7',
        sourceName: 'log4j',
        arch: 'noarch',
        purl: 'pkg:rpm/log4j@1.2.17-15.el7?arch=noarch&epoch=0',
        location: 'line 3',
      },
      {
        ecosystem: 'Red Hat',
        name: 'kbd-misc',
        version: '1.15.5-11.el7',
        sourceName: 'kbd',
        arch: 'noarch',
        purl: 'pkg:rpm/kbd-misc@1.15.5-11.el7?arch=noarch',
        location: 'line 4',
      },
      {
        ecosystem: 'Red Hat',
        name: 'grub2-tools',
        version: '1:2.02-0.34.el7_2',
        sourceName: 'grub2',
        arch: 'x86_64',
        purl: 'pkg:rpm/grub2-tools@2.02-0.34.el7_2?arch=x86_64&epoch=1',
        location: 'line 5',
      },
    ]);
  });

  it('learns the vendor from its release package (real AlmaLinux 9 NEVRAs)', () => {
    const text = `${stream9}almalinux-release-9.4-1.el9.x86_64\nopenssl-libs-1:3.0.7-27.el9.x86_64\n`;
    const result = rpmQa.parse({ path: 'rpms.txt', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.os).toEqual({
      id: 'almalinux',
      versionId: '9.4',
      ecosystem: 'AlmaLinux:9',
      evidence: 'almalinux-release 9.4-1.el9; dist tag .el9, 61 of 61 packages',
    });
    expect(result.inventory.packages.at(-1)).toEqual({
      ecosystem: 'AlmaLinux:9',
      name: 'openssl-libs',
      version: '1:3.0.7-27.el9',
      arch: 'x86_64',
      purl: 'pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.4&epoch=1',
      location: 'line 61',
    });
  });

  it('reports lines that are not NEVRAs and keeps the rest', () => {
    const text = `${centos85}Last metadata expiration check: 0:01:34 ago\n`;
    const result = rpmQa.parse({ path: 'rpms.txt', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(49);
    expect(result.inventory.warnings).toEqual([
      'line 50: not a name-version-release.arch, skipped: Last metadata expiration check: 0:01:34 ago',
    ]);
  });

  it.each([
    ['an empty file', '', 'rpms.txt: the file is empty'],
    [
      'text that is not rpm output',
      'hello world\n',
      expect.stringContaining('rpms.txt: no line looks like rpm -qa output') as unknown,
    ],
  ])('rejects %s', (_label, text, error) => {
    expect(rpmQa.parse({ path: 'rpms.txt', text })).toEqual({ ok: false, error });
  });
});
