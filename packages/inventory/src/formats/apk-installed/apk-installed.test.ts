import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryFormats } from '../../registry.ts';
import { apkInstalled } from './index.ts';

const testdata = new URL('../../../testdata/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, testdata), 'utf8');
const syft = read('apk-installed/syft-alpine-3.19-installed');
const trivy = read('apk-installed/trivy-apk-installed');

describe('apk-installed detection', () => {
  it.each([
    ['/lib/apk/db/installed', syft, 0.95],
    ['installed', syft, 0.85],
    ['installed', trivy, 0.85],
    ['/lib/apk/db/installed', '', 0.5],
    ['status', read('dpkg-status/bookworm-excerpt'), 0],
    ['q.tsv', read('dpkg-query/bookworm-excerpt.tsv'), 0],
    ['rpms.txt', read('rpm-qa/centos-8.5-rpm-qa.txt'), 0],
    ['empty', '', 0],
  ])('%s → %s', (path, text, score) => {
    expect(apkInstalled.detect({ path, text })).toBe(score);
  });

  it('no other format claims an apk database', () => {
    const claims = inventoryFormats.filter(
      (format) => format.detect({ path: 'installed', text: syft }) > 0,
    );
    expect(claims.map((format) => format.id)).toEqual(['apk-installed']);
  });
});

describe('apk-installed parsing', () => {
  it('reads real Alpine stanzas: origin as source, file lines ignored, release unknown', () => {
    expect(apkInstalled.parse({ path: 'installed', text: syft })).toEqual({
      ok: true,
      inventory: {
        format: 'apk-installed',
        source: 'installed',
        os: { id: 'alpine', evidence: 'apk database; no alpine-release package (pass --os)' },
        packages: [
          expect.objectContaining({ name: 'bash', sourceName: 'bash' }),
          {
            ecosystem: 'Alpine',
            name: 'busybox-binsh',
            version: '1.36.1-r15',
            sourceName: 'busybox',
            arch: 'x86_64',
            purl: 'pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64',
            location: 'line 16',
          },
          expect.objectContaining({ name: 'musl', version: '1.2.4_git20230717-r4' }),
          expect.objectContaining({ name: 'readline', version: '8.2.1-r2' }),
        ],
        warnings: [],
      },
    });
  });

  it('skips a stanza without a version, with a warning, and keeps the rest', () => {
    const result = apkInstalled.parse({ path: 'installed', text: trivy });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.packages).toHaveLength(11);
    expect(result.inventory.warnings).toEqual([
      'line 16: invalidPackageWithoutAVersion: no V: (version), skipped',
    ]);
    expect(
      result.inventory.packages
        .filter((pkg) => pkg.sourceName === 'openssl')
        .map((pkg) => pkg.name),
    ).toEqual(['libcrypto1.0', 'libssl1.0']);
  });

  it('takes the release from alpine-release when installed', () => {
    const text = `${syft}\nP:alpine-release\nV:3.19.1-r0\nA:x86_64\no:alpine-base\n`;
    const result = apkInstalled.parse({ path: 'installed', text });
    if (!result.ok) throw new Error(result.error);
    expect(result.inventory.os).toEqual({
      id: 'alpine',
      versionId: '3.19.1',
      ecosystem: 'Alpine:v3.19',
      evidence: 'alpine-release 3.19.1-r0',
    });
    expect(result.inventory.packages[0]).toMatchObject({
      ecosystem: 'Alpine:v3.19',
      purl: 'pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64&distro=alpine-3.19.1',
    });
  });

  it.each([
    ['an empty file', '', 'installed: the file is empty'],
    [
      'no package stanza',
      'C:Q1abc\nT:text\n',
      'installed: no "P:" package stanza found; not an apk installed database',
    ],
  ])('rejects %s', (_label, text, error) => {
    expect(apkInstalled.parse({ path: 'installed', text })).toEqual({ ok: false, error });
  });
});
