import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryFormats } from '../../registry.ts';
import { dpkgQuery } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = new URL('../../../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');
const full = read('dpkg-query/bookworm-excerpt.tsv');
const rows = full
  .trim()
  .split('\n')
  .map((line) => line.split('\t'));
/** The same real rows as `dpkg-query -W` (default format) and with `${Status}` would print them. */
const twoColumns = rows.map((columns) => `${columns[0] ?? ''}\t${columns[1] ?? ''}`).join('\n');
const threeColumns = rows
  .map((columns) => `${columns[0] ?? ''}\t${columns[1] ?? ''}\t${columns[5] ?? ''}`)
  .join('\n');
const fullHost = sharedData('inventories/debian-bookworm-host/dpkg-query-W.tsv');

describe('dpkg-query detection', () => {
  it.each([
    ['six columns with status', full, 0.9],
    ['three columns with status', threeColumns, 0.9],
    ['two columns (default -W)', twoColumns, 0.5],
    ['dpkg status file', read('dpkg-status/bookworm-excerpt'), 0],
    ['rpm -qa', read('rpm-qa/centos-8.5-rpm-qa.txt'), 0],
    ['rpm --qf tab output', read('rpm-qa/rhel7-qf.tsv'), 0],
    ['apk database', read('apk-installed/syft-alpine-3.19-installed'), 0],
    ['empty', '', 0],
  ])('%s → %s', (_label, text, score) => {
    expect(dpkgQuery.detect({ path: 'packages.tsv', text })).toBe(score);
  });

  it('is the only format claiming the six-column output', () => {
    const claims = inventoryFormats.filter(
      (format) => format.detect({ path: 'packages.tsv', text: full }) > 0,
    );
    expect(claims.map((format) => format.id)).toEqual(['dpkg-query']);
  });
});

describe('dpkg-query parsing', () => {
  it('reads the six-column shape with source packages', () => {
    const result = dpkgQuery.parse({ path: 'q.tsv', text: full });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(25);
    expect(result.inventory.warnings).toEqual([]);
    expect(result.inventory.os?.ecosystem).toBe('Debian:12');
    expect(
      result.inventory.packages.filter((pkg) => ['bash', 'bsdutils'].includes(pkg.name)),
    ).toEqual([
      {
        ecosystem: 'Debian:12',
        name: 'bash',
        version: '5.2.15-2+b8',
        sourceName: 'bash',
        sourceVersion: '5.2.15-2',
        arch: 'amd64',
        purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12',
        location: 'line 12',
      },
      {
        ecosystem: 'Debian:12',
        name: 'bsdutils',
        version: '1:2.38.1-5+deb12u3',
        sourceName: 'util-linux',
        sourceVersion: '2.38.1-5+deb12u3',
        arch: 'amd64',
        purl: 'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12',
        location: 'line 18',
      },
    ]);
  });

  it('reads the two-column shape, splitting ${binary:Package} arch, and says what it lacks', () => {
    const text = `${twoColumns}\nlibc6:amd64\t2.36-9+deb12u10\nrc-only\t\n`;
    const result = dpkgQuery.parse({ path: 'q.tsv', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(26);
    expect(result.inventory.packages.at(-1)).toEqual({
      ecosystem: 'Debian:12',
      name: 'libc6',
      version: '2.36-9+deb12u10',
      arch: 'amd64',
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12',
      location: 'line 26',
    });
    expect(result.inventory.packages[0]).not.toHaveProperty('sourceName');
    expect(result.inventory.warnings).toEqual([
      '1 package(s) listed without a version (known to dpkg but not installed), skipped',
      expect.stringContaining(
        'two-column dpkg-query output cannot tell installed packages',
      ) as unknown,
    ]);
  });

  it('drops config-files rows in the three-column shape and reports odd lines', () => {
    const text = `${threeColumns}\nold-pkg\t1.0-1\tdeinstall ok config-files\nnot a row\n`;
    const result = dpkgQuery.parse({ path: 'q.tsv', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(25);
    expect(result.inventory.warnings).toEqual([
      'line 27: expected 3 tab-separated columns like the first line, skipped: not a row',
    ]);
  });

  it.skipIf(!existsSync(fullHost))('reads the whole real Debian 12 host (723 packages)', () => {
    const result = dpkgQuery.parse({ path: fullHost, text: readFileSync(fullHost, 'utf8') });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(723);
    expect(result.inventory.warnings).toEqual([]);
    expect(result.inventory.os?.evidence).toBe(
      'base-files 12.4+deb12u11; version suffix +deb12u…, 224 of 723 packages',
    );
  });

  it.each([
    ['an empty file', '', 'q.tsv: the file is empty'],
    [
      'text that is not dpkg-query output',
      'hello world\n',
      expect.stringContaining('q.tsv: no line looks like dpkg-query -W output') as unknown,
    ],
  ])('rejects %s', (_label, text, error) => {
    expect(dpkgQuery.parse({ path: 'q.tsv', text })).toEqual({ ok: false, error });
  });
});
