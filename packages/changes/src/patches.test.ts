import { describe, expect, it } from 'vitest';
import type { PatchFinding } from './patches.ts';
import { derivePatches } from './patches.ts';

const finding = (over: Partial<PatchFinding> & Pick<PatchFinding, 'findingId'>): PatchFinding => ({
  assetId: 'web-01',
  ecosystem: 'Debian:12',
  packageName: 'openssl',
  installedVersion: '3.0.11-1~deb12u2',
  fixedVersions: [],
  advisoryIds: [],
  cveIds: [],
  dueAt: null,
  priority: null,
  kev: false,
  ...over,
});

// Debian 12 (bookworm): real package versions as dpkg orders them.
const openssl = [
  finding({
    findingId: 'f-openssl-0727',
    fixedVersions: ['3.0.13-1~deb12u1'],
    advisoryIds: ['DEBIAN-CVE-2024-0727'],
    cveIds: ['CVE-2024-0727'],
    dueAt: '2026-12-20',
    priority: 'P3',
  }),
  finding({
    findingId: 'f-openssl-5535',
    fixedVersions: ['3.0.14-1~deb12u1'],
    advisoryIds: ['DEBIAN-CVE-2024-5535'],
    cveIds: ['CVE-2024-5535'],
    dueAt: '2026-12-10',
    priority: 'P2',
  }),
];
// glibc: deb12u10 > deb12u7 > deb12u4 for dpkg, although not as strings.
const glibc = [
  ['f-glibc-6246', '2.36-9+deb12u4', 'CVE-2023-6246'],
  ['f-glibc-2961', '2.36-9+deb12u7', 'CVE-2024-2961'],
  ['f-glibc-0001', '2.36-9+deb12u10', 'CVE-2025-0395'],
].map(([findingId, fixed, cve]) =>
  finding({
    findingId: findingId as string,
    packageName: 'libc6',
    installedVersion: '2.36-9+deb12u3',
    fixedVersions: [fixed as string],
    advisoryIds: [`DEBIAN-${cve}`],
    cveIds: [cve as string],
    kev: findingId === 'f-glibc-2961',
    priority: 'P1',
  }),
);
// npm lodash 4.17.15: 4.17.19 and 4.17.21 fix three advisories (numeric order: 4.17.9 < 4.17.19).
const lodash = [
  ['f-lodash-8203', 'GHSA-p6mc-m468-83gw', 'CVE-2020-8203', '4.17.19'],
  ['f-lodash-23337', 'GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337', '4.17.21'],
  ['f-lodash-28500', 'GHSA-29mw-wpgm-hmr9', 'CVE-2020-28500', '4.17.21'],
].map(([findingId, ghsa, cve, fixed]) =>
  finding({
    findingId: findingId as string,
    assetId: 'app-01',
    ecosystem: 'npm',
    packageName: 'lodash',
    installedVersion: '4.17.15',
    fixedVersions: [fixed as string],
    advisoryIds: [ghsa as string],
    cveIds: [cve as string],
    dueAt: '2026-12-31T00:00:00Z',
  }),
);

describe('derivePatches, lowest fix closing every finding', () => {
  it('takes the highest of the findings’ lowest fixes, in the ecosystem’s order', () => {
    expect(derivePatches([...openssl, ...glibc, ...lodash])).toEqual({
      patches: [
        {
          assetId: 'app-01',
          ecosystem: 'npm',
          packageName: 'lodash',
          fromVersion: '4.17.15',
          toVersion: '4.17.21',
          findingIds: ['f-lodash-23337', 'f-lodash-28500', 'f-lodash-8203'],
          advisoryIds: ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw'],
          cveIds: ['CVE-2020-28500', 'CVE-2020-8203', 'CVE-2021-23337'],
          dueAt: '2026-12-31T00:00:00Z',
          priority: null,
          kev: false,
          origin: null,
          warnings: [],
        },
        {
          assetId: 'web-01',
          ecosystem: 'Debian:12',
          packageName: 'libc6',
          fromVersion: '2.36-9+deb12u3',
          toVersion: '2.36-9+deb12u10',
          findingIds: ['f-glibc-0001', 'f-glibc-2961', 'f-glibc-6246'],
          advisoryIds: ['DEBIAN-CVE-2023-6246', 'DEBIAN-CVE-2024-2961', 'DEBIAN-CVE-2025-0395'],
          cveIds: ['CVE-2023-6246', 'CVE-2024-2961', 'CVE-2025-0395'],
          dueAt: null,
          priority: 'P1',
          kev: true,
          origin: null,
          warnings: [],
        },
        {
          assetId: 'web-01',
          ecosystem: 'Debian:12',
          packageName: 'openssl',
          fromVersion: '3.0.11-1~deb12u2',
          toVersion: '3.0.14-1~deb12u1',
          findingIds: ['f-openssl-0727', 'f-openssl-5535'],
          advisoryIds: ['DEBIAN-CVE-2024-0727', 'DEBIAN-CVE-2024-5535'],
          cveIds: ['CVE-2024-0727', 'CVE-2024-5535'],
          dueAt: '2026-12-10',
          priority: 'P2',
          kev: false,
          origin: null,
          warnings: [],
        },
      ],
      unpatchable: [],
    });
  });

  it.each<[string, Partial<PatchFinding>, string]>([
    // dpkg: ~ sorts before everything, so the backport 3.0.13-1~deb12u1 precedes 3.0.13-1.
    [
      'tilde backport before the unstable upload',
      { fixedVersions: ['3.0.13-1', '3.0.13-1~deb12u1'] },
      '3.0.13-1~deb12u1',
    ],
    // dpkg: the epoch outranks everything after it.
    [
      'epoch',
      {
        packageName: 'bind9',
        installedVersion: '1:9.18.24-1',
        fixedVersions: ['1:9.18.28-1~deb12u2', '9.20.0-1'],
      },
      '1:9.18.28-1~deb12u2',
    ],
    // npm semver GHSA-c2qf-rxjj-qqgw: fixed on three lines; 6.3.0 takes its own line's fix.
    [
      'fix on the installed line',
      {
        ecosystem: 'npm',
        packageName: 'semver',
        installedVersion: '6.3.0',
        fixedVersions: ['7.5.2', '5.7.2', '6.3.1'],
      },
      '6.3.1',
    ],
    // semver: rc.10 > rc.9 (numeric identifiers compare as numbers).
    [
      'prerelease identifiers',
      {
        ecosystem: 'npm',
        packageName: 'x',
        installedVersion: '1.0.0-rc.9',
        fixedVersions: ['1.0.0-rc.10'],
      },
      '1.0.0-rc.10',
    ],
  ])('%s', (_label, over, toVersion) => {
    const { patches, unpatchable } = derivePatches([finding({ findingId: 'f', ...over })]);
    expect([patches.map((p) => p.toVersion), unpatchable]).toEqual([[toVersion], []]);
  });

  it('warns when the target looks like a later line than a finding’s own fix', () => {
    const semverAdvisory = finding({
      findingId: 'f-semver',
      ecosystem: 'npm',
      packageName: 'semver',
      installedVersion: '6.0.0',
      fixedVersions: ['5.7.2', '6.3.1', '7.5.2'],
    });
    const needsSeven = { ...semverAdvisory, findingId: 'f-other', fixedVersions: ['7.1.0'] };
    const needsSixFour = { ...semverAdvisory, findingId: 'f-six', fixedVersions: ['6.4.0'] };
    expect(derivePatches([semverAdvisory, needsSeven]).patches[0]).toMatchObject({
      toVersion: '7.1.0',
      warnings: [
        'f-semver lists fixes 5.7.2, 6.3.1, 7.5.2: 7.1.0 looks like the line of 7.5.2 but is below it, and may still be affected',
      ],
    });
    expect(derivePatches([semverAdvisory, needsSixFour]).patches[0]).toMatchObject({
      toVersion: '6.4.0',
      warnings: [],
    });
  });

  it.each<[string, Partial<PatchFinding>, string]>([
    ['no fixed version', { fixedVersions: [] }, 'no fixed version is known'],
    [
      'only invalid fixed versions',
      { fixedVersions: ['not a version!'] },
      'no valid Debian (dpkg) version among the fixed versions not a version!',
    ],
    [
      'fix below the installed version',
      { fixedVersions: ['3.0.9-1'] },
      'no fixed version above the installed 3.0.11-1~deb12u2 (fixed: 3.0.9-1)',
    ],
    [
      'invalid installed version',
      { installedVersion: 'ä' },
      'installed version ä is not a valid Debian (dpkg) version',
    ],
    [
      'unknown ecosystem',
      { ecosystem: 'Plan9', fixedVersions: ['2'] },
      'no version scheme orders the ecosystem Plan9',
    ],
  ])('reports a finding with %s as unpatchable', (_label, over, reason) => {
    const input = finding({ findingId: 'f-bad', ...over });
    expect(derivePatches([input, openssl[0] as PatchFinding])).toEqual({
      patches: [expect.objectContaining({ findingIds: ['f-openssl-0727'] })],
      unpatchable: [
        {
          findingId: 'f-bad',
          assetId: 'web-01',
          ecosystem: input.ecosystem,
          packageName: 'openssl',
          installedVersion: input.installedVersion,
          reason,
        },
      ],
    });
  });
});

describe('derivePatches, all pending security updates', () => {
  it('targets the available update and reports what it does not reach', () => {
    const derived = derivePatches([...openssl, ...glibc, ...lodash], {
      mode: 'available-update',
      availableUpdates: [
        {
          assetId: 'web-01',
          ecosystem: 'Debian:12',
          packageName: 'openssl',
          version: '3.0.15-1~deb12u1',
          origin: 'Debian-Security',
        },
        {
          assetId: 'web-01',
          ecosystem: 'Debian:12',
          packageName: 'libc6',
          version: '2.36-9+deb12u7',
          origin: 'Debian-Security',
        },
      ],
    });
    expect(
      derived.patches.map((p) => [p.packageName, p.toVersion, p.findingIds, p.origin, p.warnings]),
    ).toEqual([
      [
        'lodash',
        '4.17.21',
        ['f-lodash-23337', 'f-lodash-28500', 'f-lodash-8203'],
        null,
        ['no available update reported; the lowest fix closing every finding is used'],
      ],
      ['libc6', '2.36-9+deb12u7', ['f-glibc-2961', 'f-glibc-6246'], 'Debian-Security', []],
      ['openssl', '3.0.15-1~deb12u1', ['f-openssl-0727', 'f-openssl-5535'], 'Debian-Security', []],
    ]);
    expect(derived.unpatchable).toEqual([
      {
        findingId: 'f-glibc-0001',
        assetId: 'web-01',
        ecosystem: 'Debian:12',
        packageName: 'libc6',
        installedVersion: '2.36-9+deb12u3',
        reason: 'the available update 2.36-9+deb12u7 does not reach the fix 2.36-9+deb12u10',
      },
    ]);
  });

  it('refuses an available update that is not an upgrade', () => {
    const derived = derivePatches([openssl[0] as PatchFinding], {
      mode: 'available-update',
      availableUpdates: [
        {
          assetId: 'web-01',
          ecosystem: 'Debian:12',
          packageName: 'openssl',
          version: '3.0.11-1~deb12u1',
        },
      ],
    });
    expect(derived).toEqual({
      patches: [],
      unpatchable: [
        expect.objectContaining({
          findingId: 'f-openssl-0727',
          reason:
            'the available update 3.0.11-1~deb12u1 is not above the installed 3.0.11-1~deb12u2',
        }),
      ],
    });
  });
});
