import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryFormats } from '../../registry.ts';
import { dpkgStatus } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = new URL('../../../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');
const excerpt = read('dpkg-status/bookworm-excerpt');
const fullHost = sharedData('inventories/debian-bookworm-host/dpkg-status');

const bashStanza =
  excerpt.split('\n\n').find((stanza) => stanza.startsWith('Package: bash\n')) ?? '';

describe('dpkg-status detection', () => {
  it.each([
    ['/var/lib/dpkg/status', excerpt, 0.95],
    ['status-copy', excerpt, 0.9],
    ['/var/lib/dpkg/status', '', 0.5],
    ['x.tsv', read('dpkg-query/bookworm-excerpt.tsv'), 0],
    ['rpm.txt', read('rpm-qa/centos-stream-9-rpm-qa.txt'), 0],
    ['installed', read('apk-installed/trivy-apk-installed'), 0],
    ['empty', '', 0],
  ])('%s → %s', (path, text, score) => {
    expect(dpkgStatus.detect({ path, text })).toBe(score);
  });

  it('is the format the registry picks for its sample, and only for it', () => {
    const claims = inventoryFormats.filter(
      (format) => format.detect({ path: 'status', text: excerpt }) >= 0.5,
    );
    expect(claims.map((format) => format.id)).toEqual(['dpkg-status']);
  });
});

describe('dpkg-status parsing', () => {
  it('reads a real bookworm excerpt: source packages, binNMU versions, epochs, release', () => {
    const result = dpkgStatus.parse({ path: 'status', text: excerpt });
    expect(result).toEqual({
      ok: true,
      inventory: {
        format: 'dpkg-status',
        source: 'status',
        os: {
          id: 'debian',
          versionId: '12',
          ecosystem: 'Debian:12',
          evidence: 'base-files 12.4+deb12u11; version suffix +deb12u…, 3 of 5 packages',
        },
        packages: [
          expect.objectContaining({ name: 'adduser', sourceName: 'adduser' }),
          expect.objectContaining({ name: 'base-files', version: '12.4+deb12u11' }),
          {
            ecosystem: 'Debian:12',
            name: 'bash',
            version: '5.2.15-2+b8',
            sourceName: 'bash',
            sourceVersion: '5.2.15-2',
            arch: 'amd64',
            purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12',
            location: expect.stringMatching(/^line \d+$/) as unknown,
          },
          {
            ecosystem: 'Debian:12',
            name: 'bsdutils',
            version: '1:2.38.1-5+deb12u3',
            sourceName: 'util-linux',
            sourceVersion: '2.38.1-5+deb12u3',
            arch: 'amd64',
            purl: 'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12',
            location: expect.stringMatching(/^line \d+$/) as unknown,
          },
          {
            ecosystem: 'Debian:12',
            name: 'libssl3',
            version: '3.0.19-1~deb12u2',
            sourceName: 'openssl',
            arch: 'amd64',
            purl: 'pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=debian-12',
            location: expect.stringMatching(/^line \d+$/) as unknown,
          },
        ],
        warnings: [],
      },
    });
  });

  it.skipIf(!existsSync(fullHost))(
    'reads the whole real Debian 12 host (723 packages, Debian:12)',
    () => {
      const result = dpkgStatus.parse({ path: fullHost, text: readFileSync(fullHost, 'utf8') });
      if (!result.ok) throw new Error(result.error);
      expect(result.inventory.packages).toHaveLength(723);
      expect(result.inventory.warnings).toEqual([]);
      expect(result.inventory.os).toEqual({
        id: 'debian',
        versionId: '12',
        ecosystem: 'Debian:12',
        evidence: 'base-files 12.4+deb12u11; version suffix +deb12u…, 224 of 723 packages',
      });
      expect(new Set(result.inventory.packages.map((pkg) => pkg.ecosystem))).toEqual(
        new Set(['Debian:12']),
      );
      expect(result.inventory.packages.find((pkg) => pkg.name === 'libssl3')?.sourceName).toBe(
        'openssl',
      );
    },
  );

  it.each([
    ['config-files (only conffiles left): left out, silently', 'deinstall ok config-files', 0, []],
    ['not-installed: left out', 'purge ok not-installed', 0, []],
    [
      'unpacked (files on disk): kept, with a warning',
      'install ok unpacked',
      1,
      [
        'line 1: bash is "install ok unpacked" (files on disk, not fully configured); listed as installed',
      ],
    ],
    [
      'half-configured: kept, with a warning',
      'install reinstreq half-configured',
      1,
      [
        'line 1: bash is "install reinstreq half-configured" (files on disk, not fully configured); listed as installed',
      ],
    ],
    [
      'an unreadable Status: skipped, with a warning',
      'garbage',
      0,
      ['line 1: bash: missing or unreadable Status "garbage", skipped'],
    ],
  ])('the real bash stanza with Status changed to %s', (_label, status, count, warnings) => {
    const text = bashStanza.replace('Status: install ok installed', `Status: ${status}`);
    const result = dpkgStatus.parse({ path: 'status', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(count);
    expect(result.inventory.warnings).toEqual(warnings);
  });

  it('reports a stanza without Version and a stray line, keeps the rest', () => {
    const text = `${bashStanza.replace(/^Version: .*\n/m, '')}\n\nthis is not a field\nPackage: adduser\nStatus: install ok installed\nVersion: 3.134\n`;
    const result = dpkgStatus.parse({ path: 'status', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages.map((pkg) => pkg.name)).toEqual(['adduser']);
    expect(result.inventory.warnings).toEqual([
      'line 1: bash: no Version, skipped',
      expect.stringMatching(
        /^line \d+: not a "Field: value" line: this is not a field$/,
      ) as unknown,
    ]);
    // Without base-files or release suffixes the release is unknown: bare ecosystem, id only.
    expect(result.inventory.os).toEqual({
      id: 'debian',
      evidence: 'dpkg database; release not stated by base-files or version suffixes (pass --os)',
    });
    expect(result.inventory.packages[0]?.ecosystem).toBe('Debian');
  });

  it.each([
    ['an empty file', '', 'status: the file is empty'],
    ['whitespace only', '\n\n  \n', 'status: the file is empty'],
    [
      'no Package stanza',
      'Foo: bar\n\nBaz: qux\n',
      'status: no "Package:" stanza found; not a dpkg status file',
    ],
  ])('rejects %s', (_label, text, error) => {
    expect(dpkgStatus.parse({ path: 'status', text })).toEqual({ ok: false, error });
  });
});
