import { describe, expect, it } from 'vitest';
import {
  osReleaseFromFile,
  osReleaseFromFlag,
  osvEcosystemFor,
  withRelease,
} from './os-release.ts';

describe('osvEcosystemFor', () => {
  it.each([
    ['debian', '12', 'Debian:12'],
    ['debian', 'bookworm', 'Debian:12'],
    ['debian', '3.0', 'Debian:3.0'],
    ['debian', '11.7', 'Debian:11'],
    ['ubuntu', '22.04', 'Ubuntu:22.04:LTS'],
    ['ubuntu', '23.10', 'Ubuntu:23.10'],
    ['ubuntu', 'jammy', 'Ubuntu:22.04:LTS'],
    ['alpine', '3.20.1', 'Alpine:v3.20'],
    ['almalinux', '9.4', 'AlmaLinux:9'],
    ['rocky', '8.10', 'Rocky Linux:8'],
    ['sles', '15.5', 'SUSE:Linux Enterprise Server 15 SP5'],
    ['opensuse-leap', '15.5', 'openSUSE:Leap 15.5'],
    ['debian', undefined, undefined],
    ['plan9', '4', undefined],
  ])('%s %s → %s', (id, version, expected) => {
    expect(osvEcosystemFor(id, version)).toBe(expected);
  });
});

describe('os-release files and flags', () => {
  it('reads a real Debian 12 os-release', () => {
    const text = [
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'VERSION="12 (bookworm)"',
      'VERSION_CODENAME=bookworm',
      'ID=debian',
    ].join('\n');
    expect(osReleaseFromFile(text)).toEqual({
      id: 'debian',
      versionId: '12',
      ecosystem: 'Debian:12',
      evidence: 'os-release',
    });
  });

  it('reads --os values', () => {
    expect(osReleaseFromFlag('ubuntu:22.04')?.ecosystem).toBe('Ubuntu:22.04:LTS');
    expect(osReleaseFromFlag('Debian:12')?.ecosystem).toBe('Debian:12');
    expect(osReleaseFromFlag('debian')).toBeUndefined();
  });

  it('applies an AlmaLinux release to an rpm list of unknown vendor', () => {
    const os = { id: 'almalinux', versionId: '9', ecosystem: 'AlmaLinux:9', evidence: 'flag' };
    expect(
      withRelease(
        [
          { ecosystem: 'Red Hat', name: 'openssl-libs' },
          { ecosystem: 'Debian', name: 'openssl' },
          { ecosystem: 'AlmaLinux:8', name: 'bash' },
        ],
        os,
      ),
    ).toEqual([
      { ecosystem: 'AlmaLinux:9', name: 'openssl-libs' },
      { ecosystem: 'Debian', name: 'openssl' },
      { ecosystem: 'AlmaLinux:8', name: 'bash' },
    ]);
  });

  it('lets the user override a detected release', () => {
    const os = {
      id: 'debian',
      versionId: '11',
      ecosystem: 'Debian:11',
      evidence: '--os debian:11',
    };
    const packages = [{ ecosystem: 'Debian:12', name: 'openssl' }];
    expect(withRelease(packages, os)).toEqual(packages);
    expect(withRelease(packages, os, { override: true })).toEqual([
      { ecosystem: 'Debian:11', name: 'openssl' },
    ]);
  });

  it('applies the release to distribution packages only', () => {
    const os = { id: 'debian', versionId: '12', ecosystem: 'Debian:12', evidence: 'flag' };
    expect(
      withRelease(
        [
          { ecosystem: 'Debian', name: 'openssl' },
          { ecosystem: 'npm', name: 'lodash' },
        ],
        os,
      ),
    ).toEqual([
      { ecosystem: 'Debian:12', name: 'openssl' },
      { ecosystem: 'npm', name: 'lodash' },
    ]);
  });
});
