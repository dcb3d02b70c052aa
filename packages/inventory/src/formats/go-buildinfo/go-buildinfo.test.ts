import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryInput } from '../../types.ts';
import { goBuildinfo } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const sharedDir = sharedData('inventories/go-buildinfo');
const otherSamples = [
  'npm-package-lock/npm11-lockfile-v3-package-lock.json',
  'pip-requirements/pip-freeze.txt',
  'go-mod/cli-cli-go.mod',
  'cargo-lock/ripgrep-v4-Cargo.lock',
  'gemfile-lock/devise-Gemfile.lock',
  'composer-lock/laravel-excerpt-composer.lock',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = goBuildinfo.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

describe('go-buildinfo detection', () => {
  it.each(['kubectl.txt', 'docker.txt', 'anthoscli.txt', 'govulncheck.txt'])(
    'claims %s',
    (file) => {
      expect(goBuildinfo.detect(sample(`go-buildinfo/${file}`))).toBe(0.95);
    },
  );

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(goBuildinfo.detect(sample(file))).toBe(0);
  });
});

describe('kubectl (go1.23.8, main module and k8s.io staging modules are devel)', () => {
  const inv = inventory(sample('go-buildinfo/kubectl.txt', 'kubectl.txt'));

  it('lists the toolchain and every versioned dependency', () => {
    expect(inv.packages).toHaveLength(75);
    expect(inv.packages[0]).toEqual({
      ecosystem: 'Go',
      name: 'stdlib',
      version: '1.23.8',
      location: 'kubectl.txt:1 (/usr/bin/kubectl)',
    });
    expect(inv.packages[1]).toEqual({
      ecosystem: 'Go',
      name: 'github.com/MakeNowJust/heredoc',
      version: '1.0.0',
      purl: 'pkg:golang/github.com/MakeNowJust/heredoc@v1.0.0',
      location: 'kubectl.txt:4 (/usr/bin/kubectl)',
    });
  });

  it('warns about each devel dependency instead of inventing a version', () => {
    expect(inv.warnings).toHaveLength(8);
    expect(inv.warnings[0]).toBe(
      'kubectl.txt:69: k8s.io/api in /usr/bin/kubectl was built from a local checkout (devel); skipped',
    );
    expect(inv.packages.map((p) => p.name)).not.toContain('k8s.io/kubernetes');
  });
});

describe('anthoscli (=> replacements)', () => {
  const inv = inventory(sample('go-buildinfo/anthoscli.txt', 'anthoscli.txt'));

  it.each([
    // replaced by an older version: the replacement is what was linked in
    [
      'google.golang.org/api',
      {
        ecosystem: 'Go',
        name: 'google.golang.org/api',
        version: '0.92.0',
        purl: 'pkg:golang/google.golang.org/api@v0.92.0',
        location: 'anthoscli.txt:135 (/usr/bin/anthoscli)',
      },
    ],
    [
      'github.com/gogo/protobuf',
      {
        ecosystem: 'Go',
        name: 'github.com/gogo/protobuf',
        version: '1.3.2',
        purl: 'pkg:golang/github.com/gogo/protobuf@v1.3.2',
        location: 'anthoscli.txt:42 (/usr/bin/anthoscli)',
      },
    ],
  ])('%s', (name, expected) => {
    expect(inv.packages.filter((p) => p.name === name)).toEqual([expected]);
  });

  it('skips local-directory replacements with a warning', () => {
    expect(inv.warnings).toEqual([
      'anthoscli.txt:3: anthoscli in /usr/bin/anthoscli was built from a local checkout (devel); skipped',
      'anthoscli.txt:11: cnrm.googlesource.com/cnrm v0.0.0 in /usr/bin/anthoscli is replaced by the local directory ./private_repos/cnrm.googlesource.com/cnrm/; no module version to match, skipped',
      'anthoscli.txt:77: github.com/hashicorp/terraform-provider-google-beta v3.73.0+incompatible in /usr/bin/anthoscli is replaced by the local directory ./private_repos/cnrm.googlesource.com/cnrm/third_party/github.com/hashicorp/terraform-provider-google-beta; no module version to match, skipped',
    ]);
    expect(inv.packages).toHaveLength(149);
  });
});

describe('binaries without dependencies', () => {
  it.each([
    ['docker.txt', '1.24.3', '/usr/local/bin/docker'],
    ['govulncheck.txt', '1.19.5', '/usr/bin/govulncheck'],
  ])('%s → only the standard library %s', (file, version, binary) => {
    expect(inventory(sample(`go-buildinfo/${file}`, file))).toEqual({
      format: 'go-buildinfo',
      source: file,
      packages: [{ ecosystem: 'Go', name: 'stdlib', version, location: `${file}:1 (${binary})` }],
      warnings: [],
    });
  });
});

describe('several binaries, a tagged main module, odd toolchains and malformed lines', () => {
  const text = [
    '/bin/a: go1.22.5 X:boringcrypto',
    '\tpath\texample.com/a/cmd/a',
    '\tmod\texample.com/a\tv1.4.0\th1:abc=',
    '\tdep\texample.com/x\tv0.1.0\th1:def=',
    '\t=>\texample.com/x-fork\tv0.1.1\th1:ghi=',
    '\tweird\tline',
    '/bin/b: devel go1.24-abcdef Tue Jan 1',
    '\tdep\texample.com/y\tv2.0.0+incompatible',
    'garbage',
    '\tdep\texample.com/z\tv1.0.0',
  ].join('\n');
  const inv = inventory({ path: 'bins.txt', text });

  it('reads each binary in turn', () => {
    expect(inv.packages).toEqual([
      { ecosystem: 'Go', name: 'stdlib', version: '1.22.5', location: 'bins.txt:1 (/bin/a)' },
      {
        ecosystem: 'Go',
        name: 'example.com/a',
        version: '1.4.0',
        purl: 'pkg:golang/example.com/a@v1.4.0',
        location: 'bins.txt:3 (/bin/a)',
      },
      {
        ecosystem: 'Go',
        name: 'example.com/x-fork',
        version: '0.1.1',
        purl: 'pkg:golang/example.com/x-fork@v0.1.1',
        location: 'bins.txt:5 (/bin/a)',
      },
      {
        ecosystem: 'Go',
        name: 'example.com/y',
        version: '2.0.0+incompatible',
        purl: 'pkg:golang/example.com/y@v2.0.0%2Bincompatible',
        location: 'bins.txt:8 (/bin/b)',
      },
    ]);
  });

  it('says what it could not read', () => {
    expect(inv.warnings).toEqual([
      'bins.txt:6: unknown line kind "weird"; ignored',
      'bins.txt:7: /bin/b was built with a development Go toolchain; its standard library version is unknown',
      'bins.txt:9: not a "<binary>: go<version>" header: "garbage"; skipped',
      'bins.txt:10: "dep" line outside a binary\'s section; skipped',
    ]);
  });

  it.each([
    ['', 'x.txt: empty file, not "go version -m" output'],
    ['hello world\n', 'x.txt: no "<binary>: go<version>" header found'],
  ])('rejects %j', (input, error) => {
    expect(goBuildinfo.parse({ path: 'x.txt', text: input })).toEqual({ ok: false, error });
  });
});

describe.skipIf(!existsSync(sharedDir))(
  'every real sample in the shared data set/inventories/go-buildinfo',
  () => {
    const files = existsSync(sharedDir) ? readdirSync(sharedDir) : [];
    it.each(files)('%s parses with a stdlib entry', (file) => {
      const inv = inventory({ path: file, text: readFileSync(`${sharedDir}/${file}`, 'utf8') });
      expect(inv.packages.filter((p) => p.name === 'stdlib')).toHaveLength(1);
      expect(inv.packages.every((p) => p.ecosystem === 'Go' && !p.version.startsWith('v'))).toBe(
        true,
      );
    });
  },
);
