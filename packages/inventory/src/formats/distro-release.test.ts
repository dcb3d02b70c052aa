import { describe, expect, it } from 'vitest';
import {
  buildPurl,
  debianFamilyRelease,
  debianReleaseFromVersion,
  rpmDistTag,
  ubuntuReleaseFromVersion,
} from './distro-release.ts';

// Versions below are real Debian/Ubuntu package versions (the bookworm host in
// the shared data set, Debian/Ubuntu archives and security notices).
describe('release suffixes', () => {
  it.each([
    ['1:2.38.1-5+deb12u3', '12'],
    ['3.0.19-1~deb12u2', '12'],
    ['7.74.0-1.3+deb11u14', '11'],
    ['1.2.3-1~bpo12+1', '12'],
    ['5.2.15-2+b8', undefined],
    ['1.0+debian-2', undefined],
    ['3.134', undefined],
  ])('Debian %s → %s', (version, release) => {
    expect(debianReleaseFromVersion(version)).toBe(release);
  });

  it.each([
    ['1.9.34-0ubuntu1~24.04.1', '24.04'],
    ['5.15.0-1ubuntu0.22.04.1', '22.04'],
    ['2.0-0ubuntu0.20.04.3', '20.04'],
    ['8.32-4.1ubuntu1.2', undefined],
    ['255.4-1ubuntu8.15', undefined],
    ['1.0-1ubuntu0.99.99.1', undefined],
  ])('Ubuntu %s → %s', (version, release) => {
    expect(ubuntuReleaseFromVersion(version)).toBe(release);
  });

  it.each([
    ['7.el8_6', { tag: 'el', major: '8' }],
    ['21.git20230214.el9', { tag: 'el', major: '9' }],
    ['1.fc39', { tag: 'fc', major: '39' }],
    ['0.34.el7_2', { tag: 'el', major: '7' }],
    ['4ae0493b', undefined],
  ])('RPM dist tag %s', (release, tag) => {
    expect(rpmDistTag(release)).toEqual(tag);
  });
});

describe('debianFamilyRelease', () => {
  it.each([
    [
      'Ubuntu 24.04 by base-files (real versions from a 24.04 host)',
      [
        { name: 'base-files', version: '13ubuntu10.4' },
        { name: 'passwd', version: '1:4.13+dfsg1-4ubuntu3.2' },
        { name: 'fwupd', version: '1.9.34-0ubuntu1~24.04.1' },
      ],
      {
        id: 'ubuntu',
        versionId: '24.04',
        ecosystem: 'Ubuntu:24.04:LTS',
        evidence: 'base-files 13ubuntu10.4; version suffix ubuntu…24.04, 1 of 3 packages',
      },
    ],
    [
      'Ubuntu 22.04 by suffixes alone',
      [
        { name: 'libc6', version: '2.35-0ubuntu3.9' },
        { name: 'linux-libc-dev', version: '5.15.0-1ubuntu0.22.04.1' },
      ],
      {
        id: 'ubuntu',
        versionId: '22.04',
        ecosystem: 'Ubuntu:22.04:LTS',
        evidence: 'version suffix ubuntu…22.04, 1 of 2 packages',
      },
    ],
    [
      'Debian 11 by suffixes alone',
      [
        { name: 'curl', version: '7.74.0-1.3+deb11u14' },
        { name: 'adduser', version: '3.118' },
      ],
      {
        id: 'debian',
        versionId: '11',
        ecosystem: 'Debian:11',
        evidence: 'version suffix +deb11u…, 1 of 2 packages',
      },
    ],
    [
      'Ubuntu, release unknown',
      [{ name: 'libc6', version: '2.35-0ubuntu3.9' }],
      {
        id: 'ubuntu',
        evidence: 'ubuntu in 1 of 1 package versions; release not stated (pass --os)',
      },
    ],
  ])('%s', (_label, packages, os) => {
    expect(debianFamilyRelease(packages)).toEqual({ os, warnings: [] });
  });

  it('trusts base-files over disagreeing suffixes, and says so', () => {
    const finding = debianFamilyRelease([
      { name: 'base-files', version: '12.4+deb12u11' },
      { name: 'curl', version: '7.74.0-1.3+deb11u14' },
      { name: 'libssl1.1', version: '1.1.1w-0+deb11u1' },
    ]);
    expect(finding.os.ecosystem).toBe('Debian:12');
    expect(finding.warnings).toEqual([
      'base-files 12.4+deb12u11 says debian 12 but most release suffixes say 11 (version suffix +deb11u…, 2 of 3 packages); using base-files',
    ]);
  });
});

describe('buildPurl', () => {
  it.each([
    [
      ['deb', 'debian', 'attr', '1:2.4.47-2+b1', { arch: 'amd64' }],
      'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64',
    ],
    [
      ['rpm', undefined, 'centerim', '4.22.10-1.el6', { epoch: '1', arch: 'i686' }],
      'pkg:rpm/centerim@4.22.10-1.el6?arch=i686&epoch=1',
    ],
    [
      ['apk', 'alpine', 'curl', '7.83.0-r0', { arch: 'x86', distro: undefined }],
      'pkg:apk/alpine/curl@7.83.0-r0?arch=x86',
    ],
  ] as const)('%j → %s', (args, purl) => {
    expect(buildPurl(args[0], args[1], args[2], args[3], args[4])).toBe(purl);
  });
});
